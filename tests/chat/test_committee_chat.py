"""The committee in the console chat: send, agenda, a vote whose reason is asked turn by turn,
a vote typed whole, request_info and the answer, the status showing the decision; both languages."""

from __future__ import annotations

from sqlmodel import select
from support.committee import estimated_need, seat

from pmobot.app import App
from pmobot.domain.models import Need
from pmobot.domain.models_governance import Decision
from pmobot.i18n import t
from pmobot.messages import Card, Message, Notice, Prompt
from pmobot.services.people import Identity

NAMES = {"alice": "Alice Martin", "bob": "Bob Smith", "carla": "Carla Rossi", "dan": "Dan Dupont",
         "erin": "Erin Walsh", "femi": "Femi Ade"}


def who(login: str) -> Identity:
    return Identity(platform="console", external_id=login, display_name=NAMES[login], handle=login)


def text_of(messages: list[Message]) -> str:
    out = []
    for m in messages:
        if isinstance(m, Card):
            out += [m.title, m.subtitle, m.body, m.footer, *(f"{f.label}: {f.value}" for f in m.fields),
                    *(a.label for a in m.actions)]
        else:
            out.append(getattr(m, "text", ""))
    return "\n".join(out)


async def say(app: App, login: str, text: str) -> list[Message]:
    return await app.chat.on_text(who(login), f"console:dm:{login}", text)


async def _status(app: App) -> str:
    async with app.db.session() as session:
        return (await session.exec(select(Need))).one().status


async def test_send_vote_in_a_conversation_and_by_command_then_the_status_shows_the_decision(
    app: App, console: object
) -> None:
    await seat(app)
    await estimated_need(app)
    said = text_of(await say(app, "dan", "/pmo envoyer NEED-1"))
    assert t("fr", "committee.sent", key="NEED-1", round=1) in said
    assert t("fr", "committee.no_channel") in said  # no committee channel chosen on the console

    agenda = await say(app, "carla", "/pmo agenda")
    assert t("fr", "committee.agenda_title", count=1) in text_of(agenda)
    assert t("fr", "button.approve") in text_of(agenda)

    # Carla votes without a reason: it is asked, then the vote is cast.
    asked = await say(app, "carla", "/pmo voter NEED-1 approuver")
    assert any(isinstance(m, Prompt) for m in asked)
    assert "approuver" in text_of(asked)
    done = text_of(await say(app, "carla", "Deux jours gagnés par mois aux achats"))
    assert t("fr", "committee.voted", key="NEED-1", choice="approuver") in done

    # Femi (English) asks Alice a question: the need goes back to her; her answer brings it back.
    asked_back = text_of(await say(app, "femi", "/pmo info NEED-1 How many suppliers?"))
    assert t("en", "committee.asked", key="NEED-1", who="Alice Martin") in asked_back
    assert await _status(app) == "needs_info"
    await say(app, "alice", "/pmo repondre NEED-1 Environ 120 fournisseurs")
    assert await _status(app) == "ready_for_decision"

    # Erin, IT side, votes whole (in French words, though she reads English): the quorum decides.
    decided = text_of(await say(app, "erin", "/pmo voter NEED-1 approuver Compatible avec l'ERP"))
    assert t("en", "committee.decided", key="NEED-1", outcome=t("en", "committee.outcome.approved").lower()) in decided
    async with app.db.session() as session:
        assert len((await session.exec(select(Decision))).all()) == 1

    status = text_of(await say(app, "alice", "/pmo statut NEED-1"))
    assert t("fr", "committee.decision") in status and "Compatible avec l'ERP" in status
    assert "Carla Rossi (métier) : approuver, Deux jours gagnés par mois aux achats" in status


async def test_bad_votes_are_refused_with_what_is_possible(app: App, console: object) -> None:
    await seat(app)
    await estimated_need(app)
    refused = await say(app, "carla", "/pmo voter NEED-1 approuver pas encore")
    assert isinstance(refused[0], Notice) and "n'est pas devant le comité" in refused[0].text
    await say(app, "dan", "/pmo envoyer NEED-1")
    said = text_of(await say(app, "carla", "/pmo voter NEED-1 peut-être bof"))
    assert "« peut-être » n'est pas un vote" in said
    said = text_of(await say(app, "bob", "/pmo vote NEED-1 approve fine"))
    assert "Only committee members vote on NEED-1" in said
    said = text_of(await say(app, "alice", "/pmo agenda"))
    assert t("fr", "committee.error.agenda_role") in said
    await estimated_need(app, title="Travel booking")
    said = text_of(await say(app, "alice", "/pmo envoyer NEED-2"))
    assert "NEED-2" in said and "PMO" in said
