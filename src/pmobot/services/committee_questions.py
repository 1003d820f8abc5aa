"""A committee member asks the requester or IT a question: the need goes back to them until answered.

``request_info`` moves the need from ``ready_for_decision`` to ``needs_info``;
the answer (``estimation.answer`` for the requester, ``questions.answer_requester``
for IT) brings it back before the committee (``answer_committee``), in the same
round, with the votes already cast kept. The member who asked gets the answer.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.commands import buttons
from pmobot.domain import keys
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import Need, Question
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.messages import Card, Message, Notice
from pmobot.services import answers, outbox
from pmobot.services.committee_cards import refresh_card
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden
from pmobot.services.intake import refresh_it_card
from pmobot.services.needs import check_step, get_visible, open_questions, paused_by, person, transition
from pmobot.services.people import Actor, actor_for, locale_of

TO_REQUESTER = "requester"
TO_IT = "it"


async def check_can_request(session: AsyncSession, actor: Actor, need: Need) -> None:
    """Refused before any typing: committee members only, on a need before the committee."""
    if not actor.has(Role.COMMITTEE):
        raise Forbidden("committee.error.not_member", key=need.key)
    await check_step(session, actor, need, "request_info")


async def request_info(session: AsyncSession, *, core: Core, actor: Actor, key: str, text: str,
                       to: str = TO_REQUESTER) -> list[Message]:
    """Ask the requester (or IT) ``text``; the need waits for the answer, then comes back."""
    # Imported here: questions imports estimation, which refreshes the committee's card through this package.
    from pmobot.services.questions import checked_text

    need = await get_visible(session, actor=actor, key=key)
    await check_can_request(session, actor, need)
    text = checked_text(text, what="question")
    await transition(session, core=core, actor=actor, need=need, action="request_info",
                     detail={"question": text, "to": to}, requester_told=True)
    assert need.id is not None
    question = Question(need_id=need.id, asked_by_id=actor.id, addressee=to, text=text, asked_at=core.now())
    session.add(question)
    await session.flush()
    assert question.id is not None
    who = actor.person.display_name
    addressee = await person(session, need.requester_id if to == TO_REQUESTER else need.claimed_by_id)
    if addressee is not None:
        loc = locale_of(addressee, core)
        await outbox.to_person(
            session, core=core, key=keys.committee_question(question.id), person=addressee, subject=need.key,
            message=Card(title=t(loc, "committee.question_title", key=need.key, who=who), subtitle=need.title,
                         body=text, footer=t(loc, "committee.question_footer", key=need.key),
                         actions=(buttons.ANSWER.action(loc, need.key, primary=True),)))
    if to == TO_IT:
        await outbox.to_it_channels(
            session, core=core, key=keys.question_to_it_thread(question.id), thread_key=keys.need_card(need.key),
            message=Notice(t(core.org_locale, "committee.question_thread", key=need.key, who=who, text=text)))
    await refresh_card(session, core=core, need=need)
    await refresh_it_card(session, core=core, need=need)
    name = addressee.display_name if addressee is not None else t(actor.locale, "questions.it_team")
    return [Notice(t(actor.locale, "committee.asked", key=need.key, who=name), "success")]


async def back_to_committee(session: AsyncSession, *, core: Core, actor: Actor, need: Need, text: str) -> None:
    """After IT's answer: when the committee's questions are all answered, the need goes back before it.

    The step is taken on behalf of the member who asked (IT does not move a need before the
    committee); the audit records who answered.
    """
    paused = await paused_by(session, need=need)
    if need.status != NeedStatus.NEEDS_INFO or paused is None or paused.action != "request_info":
        return
    if await open_questions(session, need=need, addressee=None):
        return  # another question still waits
    asker = await person(session, paused.actor_id)
    if asker is None:
        return
    member = await actor_for(session, core=core, person=asker)
    await transition(session, core=core, actor=member, need=need, action="answer_committee",
                     detail={"answer": text, "answered_by": actor.person.display_name},
                     changes={"waiting_since": core.now()}, requester_told=True)
    await refresh_card(session, core=core, need=need)


async def tell_askers(session: AsyncSession, *, core: Core, actor: Actor, need: Need, answered: list[Question],
                      text: str) -> None:
    """Each committee member whose question this answers gets the answer."""
    await answers.tell_askers(session, core=core, actor=actor, need=need, answered=answered, text=text,
                              key=keys.committee_answer, title="committee.answer_title",
                              footer="committee.answer_footer")
