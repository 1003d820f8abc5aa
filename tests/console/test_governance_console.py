"""The security gate and the channels, typed in the console: a review through its checklist, the
requester told; a committee channel chosen by typing in the room itself, and shown."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from support.dialogs import answer_dialog

from pmobot.app import App
from pmobot.domain.models import AuditEvent
from pmobot.services import addresses, estimation, intake, people

NEED: dict[str, Any] = {
    "title": "Outil de suivi des candidats", "problem": "Les CV circulent par e-mail.",
    "benefits": "Recruter plus vite.", "department": "hr", "users_affected": 12,
    "budget": {"amount": "20000", "currency": "EUR"}, "personal_data": True,
    "personal_data_details": "CV des candidats", "external_vendor": True, "vendor_name": "HireFast"}
ESTIMATE: dict[str, Any] = {
    "effort_low": 5, "effort_likely": 8, "effort_high": 13, "cost": {"amount": "9000", "currency": "EUR"},
    "duration_days": 20, "confidence": "high", "technical_risk": "low", "security_review": False}
# Answered as a reviewer types them: choices by number or by a word of their label.
REVIEW = {"dpa": "en cours", "hosting": "UE", "sso": "oui", "integration": "1", "questionnaire": "satisfaisant",
          "retention": "2 ans puis suppression", "outcome": "2", "conditions": "DPA signé avant la mise en service",
          "reasons": "Hébergement dans l'UE, SSO disponible"}


def flat(text: str) -> str:
    """The transcript on one line: the console wraps long lines, French puts no-break spaces."""
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


async def _demo(session: Any, app: App, login: str) -> people.Actor:
    person = await people.find_by_platform_id(session, platform="console", user_id=login)
    assert person is not None
    return await people.actor_for(session, core=app.core, person=person, platform="console")


async def _estimated_need(app: App) -> str:
    async with app.db.session() as session:
        alice, bob = [await _demo(session, app, login) for login in ("alice", "bob")]
        need, _ = await intake.submit_need(session, core=app.core, actor=alice, answers=NEED,
                                           source_platform="console", source_conversation="console:dm:alice")
        await estimation.record_estimate(session, core=app.core, actor=bob, key=need.key, answers=ESTIMATE)
        return need.key


async def test_a_security_review_in_the_console(app: App, console: Any) -> None:
    key = await _estimated_need(app)
    await console.deliver()  # sam is told at once: printed as the outbox is delivered
    assert "✉ Sam Leroy ━━" in console.out.getvalue()
    assert f"Revue de sécurité à faire : {key}" in console.out.getvalue()
    await console.handle_line("/as bob")
    await console.handle_line(f"/pmo review {key}")
    assert "Only security reviewers can review a need." in flat(console.out.getvalue())
    await console.handle_line("/as sam")
    await console.handle_line(f"/pmo revue {key}")
    assert f"Revue de sécurité et RGPD de {key}" in flat(console.out.getvalue())
    await answer_dialog(app, platform="console", external_id="sam", answers=REVIEW, say=console.handle_line)
    await console.handle_line("1")  # the summary: send
    out = flat(console.out.getvalue())
    assert f"La revue v1 de {key} est enregistrée : validée sous conditions." in out
    # Alice is told in her language, with the conditions.
    assert f"Revue de sécurité de {key} : validée sous conditions" in out
    assert "Conditions : DPA signé avant la mise en service." in out
    await console.handle_line("/as alice")
    await console.handle_line(f"/pmo statut {key}")
    out = flat(console.out.getvalue().rsplit("alice", 1)[-1])
    assert "Revue de sécurité : │ validée sous conditions · v1 par Sam Leroy" in out
    assert "Conditions de la revue : │ DPA signé avant la mise en service" in out


async def test_choosing_the_committee_channel_by_typing_in_it(app: App, console: Any) -> None:
    await console.handle_line("/as dan")
    await console.handle_line("/pmo canal ici comité")
    assert ("Tapez ceci dans le canal qui doit devenir le canal du comité, pas en conversation privée."
            in flat(console.out.getvalue()))
    await console.handle_line("/room comite")
    await console.handle_line("/pmo canal ici comité")
    assert "Ce canal est désormais le canal du comité sur console." in flat(console.out.getvalue())
    await console.handle_line("/room feuille-de-route")
    await console.handle_line("/pmo channel here feuille de route")
    await console.handle_line("/pmo canaux")
    out = flat(console.out.getvalue())
    assert "canal du comité : comite" in out and "canal de la feuille de route : feuille-de-route" in out
    assert "canal d'arrivée de la DSI : it-intake" in out
    await console.handle_line("/as alice")
    await console.handle_line("/room comite")
    await console.handle_line("/pmo channel here it")
    assert "Seuls les administrateurs du PMO peuvent choisir le canal d'accueil de la DSI." in flat(
        console.out.getvalue())
    async with app.db.session() as session:
        assert await addresses.channel(session, core=app.core, platform="console",
                                       purpose=addresses.COMMITTEE_CHANNEL) == "comite"
        events = (await session.exec(select(AuditEvent).where(col(AuditEvent.action).like("%channel_set"))
                                     .order_by(col(AuditEvent.id)))).all()
        assert [(e.action, e.detail) for e in events] == [
            ("committee_channel_set", {"address": "comite"}), ("roadmap_channel_set", {"address": "feuille-de-route"})]
