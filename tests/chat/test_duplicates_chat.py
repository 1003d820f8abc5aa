"""Duplicates in chat: at the end of the intake conversation the needs like it are shown with buttons;
pressing one, or typing its command in French or English, joins, says different or sends; the PMO
merges with "/pmo merge NEED-a into NEED-b" or "/pmo fusionner NEED-a dans NEED-b"."""

from __future__ import annotations

from support.dialogs import answer_dialog

from pmobot.app import App
from pmobot.messages import Card, Message, Notice
from pmobot.services.people import Identity

ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")
ZOE = Identity(platform="console", external_id="zoe", display_name="Zoe Wood", handle="zoe", locale="en-GB")
BOB = Identity(platform="console", external_id="bob", display_name="Bob Smith", handle="bob")
DAN = Identity(platform="console", external_id="dan", display_name="Dan Dupont", handle="dan")


async def file_in_chat(app: App, who: Identity, title: str, problem: str, department: str) -> list[Message]:
    """The intake conversation, answered turn by turn, up to "send" at its summary."""
    async def say(text: str) -> None:
        await app.chat.on_text(who, f"dm:{who.external_id}", text)

    await say("/pmo new")
    await answer_dialog(app, platform="console", external_id=who.external_id, say=say, answers={
        "title": title, "problem": problem, "benefits": "Less time lost", "department": department,
        "users_affected": "20", "personal_data": "no", "external_vendor": "no"})
    return await app.chat.on_text(who, f"dm:{who.external_id}", "1")


def text_of(messages: list[Message]) -> str:
    out = []
    for m in messages:
        if isinstance(m, Card):
            out += [m.title, m.body, *(f"{f.label}: {f.value}" for f in m.fields), *(a.label for a in m.actions)]
        else:
            out.append(getattr(m, "text", ""))
    return "\n".join(out)


async def test_the_needs_like_it_are_shown_at_the_summary_and_one_is_joined_by_a_button(app: App) -> None:
    first = await file_in_chat(app, ALICE, "Suivi des contrats fournisseurs",
                               "Les contrats fournisseurs sont dans Excel et nous ratons les renouvellements.", "6")
    assert "NEED-1" in text_of(first)
    asked = await file_in_chat(app, ZOE, "Supplier contract tracker",
                               "Supplier contracts live in spreadsheets and we miss renewals.", "6")
    card = next(m for m in asked if isinstance(m, Card))
    assert card.title == "Before NEED-2 is sent: needs like yours"
    assert [a.label for a in card.actions] == ["Join NEED-1", "Mine is different: send it",
                                              "Not sure: send it, IT will check"]
    join = card.actions[0]
    done = await app.chat.on_action(ZOE, "dm:zoe", join.id, join.value)
    assert isinstance(done[0], Notice) and done[0].text.startswith("You now follow NEED-1")
    # Zoe now sees NEED-1, with herself among those who asked for it.
    status = text_of(await app.chat.on_command(ZOE, "dm:zoe", "status NEED-1"))
    assert "Also asked by: Zoe Wood" in status
    # A second press of the same button finds nothing left to join, and says so.
    again = await app.chat.on_action(ZOE, "dm:zoe", join.id, join.value)
    assert "NEED-2 is not waiting to be sent" in text_of(again)


async def test_typed_in_french_different_then_merged_by_the_pmo(app: App) -> None:
    await file_in_chat(app, ZOE, "Supplier contract tracker",
                       "Supplier contracts live in spreadsheets and we miss renewals.", "6")
    asked = await file_in_chat(app, ALICE, "Suivi des contrats fournisseurs",
                               "Les contrats fournisseurs sont dans Excel et nous ratons les renouvellements.", "6")
    assert "Avant l'envoi de NEED-2 : des besoins proches du vôtre" in text_of(asked)
    sent = text_of(await app.chat.on_text(ALICE, "dm:alice", "/pmo différent NEED-2"))
    assert "le vôtre n'est pas le même que NEED-1" in sent and "NEED-2" in sent
    refused = text_of(await app.chat.on_text(BOB, "dm:bob", "/pmo merge NEED-2 into NEED-1"))
    assert refused.startswith("Only the PMO can merge two needs")
    itself = text_of(await app.chat.on_text(DAN, "dm:dan", "/pmo fusionner NEED-2 dans NEED-2"))
    assert "ne peut pas être fusionné avec lui-même" in itself
    usage = text_of(await app.chat.on_text(DAN, "dm:dan", "/pmo fusionner NEED-2"))
    assert usage == "/pmo fusionner NEED-n dans NEED-m"
    merged = text_of(await app.chat.on_text(DAN, "dm:dan", "/pmo fusionner NEED-2 dans NEED-1"))
    assert merged.startswith("NEED-2 est fusionné dans NEED-1")
    status = text_of(await app.chat.on_command(ALICE, "dm:alice", "statut NEED-2"))
    assert "Fusionné dans: NEED-1 · Supplier contract tracker" in status
    target = text_of(await app.chat.on_command(ALICE, "dm:alice", "statut NEED-1"))
    assert "Également demandé par: Alice Martin" in target
