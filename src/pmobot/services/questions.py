"""Questions about a need, both ways: IT asks its requester, the requester asks IT.

IT's questions pause the need until the requester answers (``estimation.ask``
and ``estimation.answer``, lifecycle steps). A requester's question to IT
changes no status: it is recorded (``Question.addressee == "it"``), posted in
the thread of the need's card in the IT channel, and sent to whoever claimed
the need; IT's answer goes back to the requester. ``ask``, ``answer`` and
``reply`` choose the direction from who is writing, so that one command (and a
reply to a notification) works for both sides.
"""

from __future__ import annotations

import re

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.commands import buttons
from pmobot.conversation.controls import steering_word
from pmobot.domain import keys, lifecycle
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import Need, Person, Question
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.messages import Card, CardField, Message, Notice
from pmobot.services import audit, committee_questions, estimation, outbox
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid, NotFound
from pmobot.services.intake import refresh_it_card
from pmobot.services.needs import get_visible, open_questions, status_label
from pmobot.services.people import Actor, accounts_of

TO_REQUESTER = "requester"
TO_IT = "it"

# A message typed outside a thread reads as a reply to the last notification when it is a question.
_QUESTION_END = re.compile(r"\?[\s)\]»\"'.!]*$")


def reads_as_reply(text: str, *, need_key: str) -> bool:
    """Whether free text may be about the need of the last notification: a question, or naming the need.

    Only "may": a question can also be a new need ("Could IT build us a CRM?"), so
    the person is asked which (``dialogs/about_or_new.yaml``); a plain sentence is a new need.
    """
    named = re.search(rf"\b{re.escape(need_key)}\b", text, re.IGNORECASE) is not None
    return named or bool(_QUESTION_END.search(text))


def checked_text(text: str, *, what: str) -> str:
    """What is sent as a question or an answer: not empty, not too long, not a word that steers a dialog."""
    if steering_word(text or "") is not None:
        key = "questions.error.answer_is_control" if what == "answer" else "questions.error.question_is_control"
        raise Invalid(key, word=(text or "").strip())
    text = (text or "").strip()
    if not text:
        raise Invalid(f"estimation.error.{what}_empty")
    if len(text) > estimation.QUESTION_MAX:
        raise Invalid("estimation.error.too_long", length=len(text), limit=estimation.QUESTION_MAX)
    return text


async def open_to_it(session: AsyncSession, *, need: Need) -> list[Question]:
    """The requester's questions about ``need`` that IT has not answered yet."""
    return await open_questions(session, need=need, addressee=TO_IT)


def check_can_ask_it(actor: Actor, need: Need) -> None:
    """The requester may ask IT about their need while it is open; refused before any typing."""
    if need.requester_id != actor.id:
        raise Forbidden("questions.error.not_requester", key=need.key)
    if NeedStatus(need.status) in lifecycle.CLOSED:
        raise Invalid("questions.error.closed", key=need.key, status=status_label(need.status, actor.locale))


async def check_can_answer_requester(session: AsyncSession, *, actor: Actor, need: Need) -> list[Question]:
    if not actor.has(Role.IT):
        raise Forbidden("questions.error.not_it", key=need.key)
    questions = await open_to_it(session, need=need)
    if not questions:
        # Nothing waits on IT: the requester's rule says why this person cannot answer.
        estimation.check_can_answer(actor, need, await open_questions(session, need=need))
        raise Invalid("estimation.error.no_question", key=need.key)
    return questions


async def ask_it(session: AsyncSession, *, core: Core, actor: Actor, key: str, text: str) -> list[Message]:
    """The requester asks IT about their need: told in the card's thread and to whoever claimed it."""
    need = await get_visible(session, actor=actor, key=key)
    check_can_ask_it(actor, need)
    text = checked_text(text, what="question")
    assert need.id is not None  # a stored need
    question = Question(need_id=need.id, asked_by_id=actor.id, addressee=TO_IT, text=text, asked_at=core.now())
    session.add(question)
    await session.flush()
    assert question.id is not None  # flushed
    await audit.record(session, core=core, actor_id=actor.id, subject=need.key, action="question_to_it",
                       detail={"question": text})
    who = actor.person.display_name
    await outbox.to_it_channels(
        session, core=core, key=keys.question_to_it_thread(question.id), thread_key=keys.need_card(need.key),
        message=Notice(t(core.org_locale, "questions.to_it_thread", key=need.key, who=who, text=text)))
    claimer = await session.get(Person, need.claimed_by_id) if need.claimed_by_id else None
    if claimer is not None:
        loc = claimer.locale or core.org_locale
        await outbox.to_person(
            session, core=core, key=keys.question_to_it(question.id), person=claimer, subject=need.key,
            message=Card(title=t(loc, "questions.to_it_title", key=need.key, who=who), subtitle=need.title,
                         body=text, footer=t(loc, "questions.to_it_footer", key=need.key),
                         actions=(buttons.ANSWER.action(loc, need.key, primary=True),)))
    await refresh_it_card(session, core=core, need=need)
    to = claimer.display_name if claimer is not None else t(actor.locale, "questions.it_team")
    return [Notice(t(actor.locale, "questions.sent_to_it", key=need.key, who=to), "success")]


async def answer_requester(session: AsyncSession, *, core: Core, actor: Actor, key: str,
                           text: str) -> list[Message]:
    """IT answers the requester's open questions about a need; the requester is told."""
    need = await get_visible(session, actor=actor, key=key)
    questions = await check_can_answer_requester(session, actor=actor, need=need)
    text = checked_text(text, what="answer")
    now = core.now()
    first = questions[0].id
    assert first is not None  # stored questions
    for q in questions:
        q.answer, q.answered_by_id, q.answered_at = text, actor.id, now
        session.add(q)
    await audit.record(session, core=core, actor_id=actor.id, subject=need.key, action="answer_from_it",
                       detail={"answer": text})
    requester = await session.get(Person, need.requester_id)
    assert requester is not None
    loc = requester.locale or core.org_locale
    who = actor.person.display_name
    # The requester's questions are answered to the requester; a committee member's to that member.
    theirs = [q for q in questions if q.asked_by_id == need.requester_id]
    if theirs:
        await outbox.to_person(
            session, core=core, key=keys.answer_from_it(first), person=requester, subject=need.key,
            message=Card(title=t(loc, "questions.from_it_title", key=need.key, who=who), subtitle=need.title,
                         body=text, fields=tuple(CardField(t(loc, "estimation.your_question"), q.text, short=False)
                                                 for q in theirs),
                         footer=t(loc, "questions.from_it_footer", key=need.key)))
    others = [q for q in questions if q.asked_by_id != need.requester_id]
    await committee_questions.tell_askers(session, core=core, actor=actor, need=need, answered=others, text=text)
    await outbox.to_it_channels(
        session, core=core, key=keys.answer_from_it_thread(first), thread_key=keys.need_card(need.key),
        message=Notice(t(core.org_locale, "questions.from_it_thread", key=need.key, who=who, text=text)))
    await committee_questions.back_to_committee(session, core=core, actor=actor, need=need, text=text)
    await refresh_it_card(session, core=core, need=need)
    names = [requester.display_name] if theirs else []
    for q in others:
        asker = await session.get(Person, q.asked_by_id)
        if asker is not None and asker.display_name not in names:
            names.append(asker.display_name)
    return [Notice(t(actor.locale, "questions.answered_requester", key=need.key, who=", ".join(names)),
                   "success")]


async def ask(session: AsyncSession, *, core: Core, actor: Actor, key: str, text: str) -> list[Message]:
    """``/pmo ask``: the requester asks IT; anyone else (IT) asks the requester."""
    need = await get_visible(session, actor=actor, key=key)
    if need.requester_id == actor.id:
        return await ask_it(session, core=core, actor=actor, key=key, text=text)
    return await estimation.ask(session, core=core, actor=actor, key=key, text=checked_text(text, what="question"))


async def answer(session: AsyncSession, *, core: Core, actor: Actor, key: str, text: str) -> list[Message]:
    """``/pmo answer``: the requester answers IT's questions; IT answers the requester's."""
    need = await get_visible(session, actor=actor, key=key)
    if need.requester_id == actor.id or not actor.has(Role.IT):
        return await estimation.answer(session, core=core, actor=actor, key=key,
                                       text=checked_text(text, what="answer"))
    return await answer_requester(session, core=core, actor=actor, key=key, text=text)


async def reply(session: AsyncSession, *, core: Core, actor: Actor, key: str, text: str) -> list[Message]:
    """A reply to a notification about a need: it answers what waits on the writer, else it asks the other side."""
    need = await get_visible(session, actor=actor, key=key)
    if need.requester_id == actor.id:
        if await open_questions(session, need=need):
            return await answer(session, core=core, actor=actor, key=key, text=text)
        return await ask_it(session, core=core, actor=actor, key=key, text=text)
    if actor.has(Role.IT) and await open_to_it(session, need=need):
        return await answer_requester(session, core=core, actor=actor, key=key, text=text)
    return await ask(session, core=core, actor=actor, key=key, text=text)


async def replied_need(session: AsyncSession, *, actor: Actor, message_id: str | None) -> Need | None:
    """The need a person's message replies to: that of the notification with platform id ``message_id``
    (a Slack thread, a Teams quoted card), or with None that of the last message sent to them; None
    when that message was about no need, or about one they may no longer see."""
    key = None
    # The notifications went to the person's account on the platform they reply from.
    for account in await accounts_of(session, person_id=actor.id):
        if account.platform == actor.platform and key is None:
            key = await outbox.subject_of_reply(session, platform=account.platform, target=account.external_id,
                                                message_id=message_id)
    if key is None:
        return None
    try:
        return await get_visible(session, actor=actor, key=key)
    except NotFound:
        return None
