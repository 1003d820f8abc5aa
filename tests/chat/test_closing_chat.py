"""Ending a project in chat, typed as people type, in English and French: ``/pmo done`` by its owner,
``/pmo annuler-projet`` by the PMO; every later step refused saying since when; and "cancel" still
stops a conversation rather than cancelling a project."""

from __future__ import annotations

from datetime import UTC, datetime

from pmobot.app import App
from pmobot.clock import FrozenClock
from pmobot.messages import Card, Message, Notice, Prompt, Text
from pmobot.services.people import Identity
from tests.support.projects import estimated_need, open_for

BOB = Identity(platform="console", external_id="bob", display_name="Bob Smith", handle="bob")
DAN = Identity(platform="console", external_id="dan", display_name="Dan Dupont", handle="dan")
ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")
CLOSING_DAY = datetime(2026, 12, 11, 10, 0, tzinfo=UTC)


def said(messages: list[Message]) -> str:
    def one(m: Message) -> str:
        if isinstance(m, Card):
            return "\n".join([m.title, *(f"{f.label}: {f.value}" for f in m.fields), m.footer or ""])
        if isinstance(m, Prompt):
            return m.text
        return m.text if isinstance(m, Notice | Text) else ""

    return "\n".join(one(m) for m in messages)


async def _say(app: App, who: Identity, text: str) -> str:
    return said(await app.chat.on_text(who, who.external_id, text))


async def test_the_owner_marks_it_done_in_english_and_every_later_step_is_refused(
        app: App, clock: FrozenClock) -> None:
    await open_for(app, await estimated_need(app))
    clock.set(CLOSING_DAY)
    assert await _say(app, ALICE, "/pmo terminer PRJ-1") == \
        "Seul le responsable de PRJ-1 ou le PMO peut le déclarer terminé."
    done = await _say(app, BOB, "/pmo done PRJ-1 Live since Monday")
    assert done.startswith("PRJ-1 · Supplier contract tracker is marked done on 11 December 2026.")
    assert "Closing note: Live since Monday" in done
    assert await _say(app, BOB, "/pmo done PRJ-1") == \
        "PRJ-1 was already marked done on 11 December 2026 by Bob Smith: nothing was changed."
    assert await _say(app, BOB, "/pmo snooze PRJ-1 until 15/01/2027 holidays") == \
        "PRJ-1 was completed on 11 December 2026: there is nothing left to put on hold."
    assert await _say(app, BOB, "/pmo update PRJ-1") == \
        "PRJ-1 was completed on 11 December 2026: it takes no more status updates."
    assert await _say(app, BOB, "/pmo change PRJ-1") == \
        "PRJ-1 was completed on 11 December 2026: its baseline can't change any more."
    status = await _say(app, ALICE, "/pmo statut PRJ-1")
    assert "Statut: Terminé le 11 décembre 2026, par Bob Smith.\nNote de clôture : Live since Monday" in status
    assert "/pmo jalon" not in status
    assert await _say(app, DAN, "/pmo point PRJ-1") == \
        "PRJ-1 est terminé depuis le 11 décembre 2026 : il ne reçoit plus de point d'avancement."


async def test_the_pmo_cancels_in_french_with_a_reason_and_the_owner_cannot(app: App, clock: FrozenClock) -> None:
    await open_for(app, await estimated_need(app))
    clock.set(CLOSING_DAY)
    refused = await _say(app, BOB, "/pmo cancel-project PRJ-1 Not needed")
    assert refused.startswith("Only the PMO can cancel PRJ-1") and "/pmo done PRJ-1" in refused
    assert (await _say(app, DAN, "/pmo annuler-projet PRJ-1")).startswith("Dites pourquoi PRJ-1 est annulé")
    assert (await _say(app, DAN, "/pmo annuler-projet")).startswith(
        "Il manque quelque chose. Écrivez /pmo annuler-projet PRJ-n MOTIF")
    cancelled = await _say(app, DAN, "/pmo annuler-projet PRJ-1 Le fournisseur arrête le produit")
    assert cancelled.startswith("PRJ-1 · Supplier contract tracker est annulé le 11 décembre 2026.")
    assert "Motif : Le fournisseur arrête le produit" in cancelled and "Prévenus : Bob Smith, Alice Martin" in cancelled
    assert await _say(app, DAN, "/pmo pause PRJ-1 jusqu'au 15/01/2027 congés") == \
        "PRJ-1 est annulé depuis le 11 décembre 2026 : il n'y a plus rien à suspendre."
    status = await _say(app, BOB, "/pmo status PRJ-1")
    assert "Status: Cancelled on 11 December 2026, by Dan Dupont.\nReason: Le fournisseur arrête le produit" in status


async def test_cancel_still_stops_a_conversation_and_the_help_lists_the_new_commands(app: App) -> None:
    await open_for(app, await estimated_need(app))
    # "cancel" typed with no dialog open steers nothing; it never cancels a project.
    assert "cancel" in (await _say(app, DAN, "cancel")).lower()
    assert "annul" not in await _say(app, DAN, "/pmo projets")
    help_fr = await _say(app, DAN, "/pmo aide")
    assert "/pmo terminer PRJ-n [NOTE]" in help_fr and "/pmo annuler-projet PRJ-n MOTIF" in help_fr
    help_en = await _say(app, BOB, "/pmo help")
    assert "/pmo done PRJ-n [NOTE]" in help_en and "/pmo cancel-project" not in help_en  # the PMO's only
    # "done" typed alone is a remark, not a request to close something.
    assert "marked done" not in await _say(app, BOB, "done")
