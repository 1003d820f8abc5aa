"""What a new member met on the committee's path: a vote's form left open after the vote typed whole,
a committee question credited to IT, a requester voting on their own need, wrong reasons and stale
hints, English command words in French replies."""

from __future__ import annotations

from sqlmodel import select
from support.committee import actor, estimated_need, person, seat

from pmobot.app import App
from pmobot.domain.models import ConversationState, Need
from pmobot.domain.models_governance import Vote
from pmobot.i18n import t
from pmobot.messages import Message, Prompt
from pmobot.services import committee, links

from .test_committee_chat import say, text_of, who


async def _dialogs(app: App) -> list[tuple[str, bool]]:
    async with app.db.session() as session:
        rows = (await session.exec(select(ConversationState))).all()
        return sorted((r.spec_id, r.parked_at is None) for r in rows)


async def _on_agenda(app: App) -> None:
    await seat(app)
    await estimated_need(app)
    await say(app, "dan", "/pmo envoyer NEED-1")


async def test_a_vote_typed_whole_closes_its_open_form_and_the_form_put_aside_comes_back(
        app: App, console: object) -> None:
    await _on_agenda(app)
    opened = await say(app, "erin", "/pmo info NEED-1")
    assert isinstance(opened[-1], Prompt)
    asked = text_of(await say(app, "erin", "/pmo vote NEED-1 approve"))
    assert "Why?" in asked and "Put aside, nothing lost: Committee question · NEED-1" in asked
    assert await _dialogs(app) == [("committee_question", False), ("vote", True)]

    done: list[Message] = await say(app, "erin", "/pmo vote NEED-1 approve Fits the ERP")
    said = text_of(done)
    assert t("en", "committee.voted", key="NEED-1", choice="approve") in said
    assert t("en", "dialog.done_another_way", title="Committee vote · NEED-1") in said
    assert "Back to Committee question · NEED-1" in said and isinstance(done[-1], Prompt)
    assert t("en", "chat.dialog_waiting") not in said
    assert await _dialogs(app) == [("committee_question", True)]


async def test_a_committee_question_is_credited_to_the_committee_and_who_asked(app: App, console: object) -> None:
    await _on_agenda(app)
    await say(app, "erin", "/pmo info NEED-1 How many suppliers?")
    welcome = text_of(await app.chat.welcome(who("alice")))
    assert "Le comité (Erin Walsh) attend votre réponse sur NEED-1 : /pmo repondre NEED-1" in welcome
    assert "DSI" not in welcome
    answered = text_of(await say(app, "alice", "/pmo repondre NEED-1 Environ 120."))
    assert "transmise au comité (Erin Walsh l'avait demandée)" in answered and "DSI" not in answered


async def test_a_member_who_asked_for_the_need_does_not_vote_on_it_and_the_agenda_says_so(
        app: App, console: object) -> None:
    await _on_agenda(app)
    async with app.db.session() as session:
        need = (await session.exec(select(Need))).one()
        carla = await person(session, "carla")
        assert carla.id is not None
        assert await links.add_co_requester(session, core=app.core, need=need, person_id=carla.id, via=links.MERGED)
    refused = text_of(await say(app, "carla", "/pmo voter NEED-1 refuser Trop cher"))
    assert "Vous ne votez pas sur NEED-1 : vous l'avez demandé" in refused
    assert "Un autre membre métier du comité vote à votre place" in refused
    async with app.db.session() as session:
        assert (await session.exec(select(Vote))).all() == []
    agenda = text_of(await say(app, "carla", "/pmo agenda"))
    assert "Ne votent pas (ils l'ont demandé): Carla Rossi" in agenda
    assert t("fr", "committee.agenda_mine_empty") in text_of(
        await committee_agenda_mine(app, "carla"))
    # Femi (business) and Erin (IT) decide without her.
    await say(app, "femi", "/pmo vote NEED-1 approve Saves two days a month")
    decided = text_of(await say(app, "erin", "/pmo vote NEED-1 approve Fits the ERP"))
    assert "completed the quorum" in decided


async def committee_agenda_mine(app: App, login: str) -> list[Message]:
    async with app.db.session() as session:
        return await committee.agenda(session, core=app.core, actor=await actor(session, app, login), mine_only=True)


async def test_refusals_give_the_real_reason(app: App, console: object) -> None:
    await _on_agenda(app)
    await estimated_need(app, title="Travel booking")
    await say(app, "dan", "/pmo envoyer NEED-2")
    again = text_of(await say(app, "dan", "/pmo envoyer NEED-2"))
    assert "NEED-2 est déjà à l'ordre du jour du comité (passage 1)" in again and "retirer" not in again
    await say(app, "femi", "/pmo vote NEED-1 approve Saves two days a month")
    await say(app, "erin", "/pmo vote NEED-1 approve Fits the ERP")
    late = text_of(await say(app, "carla", "/pmo voter NEED-1 approuver Oui"))
    assert "C'est maintenant le projet PRJ-1" in late and "reporté" not in late
    # Alice is no estimator: that is the reason, not the status.
    refused = text_of(await say(app, "alice", "/pmo estimer NEED-1"))
    assert "cela revient à" in refused and "clos" not in refused
    bob = text_of(await say(app, "bob", "/pmo estimate NEED-1"))
    assert "it was approved and is now project PRJ-1" in bob and "closed" not in bob


async def test_french_replies_use_french_command_words_and_say_dsi(app: App, console: object) -> None:
    await seat(app)
    await estimated_need(app)
    sent = text_of(await say(app, "dan", "/pmo envoyer NEED-1"))
    assert "/pmo canal ici comite" in sent and "channel here" not in sent
    refused = text_of(await say(app, "dan", "/pmo voter NEED-1 approuver Oui"))  # the PMO has no seat
    assert "Seuls les membres du comité votent sur NEED-1" in refused
    assert "/pmo role PERSONNE comite metier|dsi" in refused
    policy = text_of(await say(app, "dan", "/pmo politique"))
    assert "(business_value)" not in policy and "informatique" not in policy and "(s)" not in policy
    assert "1 approbation DSI" in policy
