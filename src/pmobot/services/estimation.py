"""IT side: the queue, claiming a need, questions to the requester, estimates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.commands import buttons
from pmobot.conversation.spec import DialogSpec, FieldSpec, SpecError
from pmobot.domain import keys, lifecycle
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import Estimate, Need, Person, Question
from pmobot.i18n import t
from pmobot.messages import Card, CardField, Message, Notice
from pmobot.services import answers, outbox, review_record, scoring
from pmobot.services.cards import load_need_card
from pmobot.services.committee_cards import refresh_card as refresh_committee_card
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid
from pmobot.services.intake import refresh_it_card
from pmobot.services.needs import (
    answer_step,
    check_step,
    get_visible,
    latest_estimate,
    open_questions,
    status_label,
    transition,
    waiting_on_requester,
)
from pmobot.services.people import Actor, locale_of

QUESTION_MAX = 2000

Reader = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class EstimateColumn:
    """An ``Estimate`` attribute that an answer of the estimate spec fills."""

    field_types: frozenset[str]  # the field types whose answer it can read
    read: Reader  # the answer → the row's values (money fills the amount and its currency)
    required: bool = True
    # The row's values → the answer again (the export); None: the attribute as it is.
    back: Callable[[Estimate], Any] | None = None


_NUMBER = frozenset({"number", "integer"})

# The one place that says which answer fills which Estimate attribute. A field of
# dialogs/estimate.yaml fills the column named by its ``target:``, else the column
# of its own id; answers no column reads are kept in ``Estimate.extra``. Checked
# against the spec at start-up (``check_specs``).
ESTIMATE_COLUMNS: dict[str, EstimateColumn] = {
    "effort_low": EstimateColumn(_NUMBER, lambda v: {"effort_low": float(v)}),
    "effort_likely": EstimateColumn(_NUMBER, lambda v: {"effort_likely": float(v)}),
    "effort_high": EstimateColumn(_NUMBER, lambda v: {"effort_high": float(v)}),
    "cost": EstimateColumn(frozenset({"money"}),
                           lambda v: {"cost": Decimal(v["amount"]), "currency": v["currency"]},
                           back=lambda e: {"amount": e.cost, "currency": e.currency}),
    "duration_days": EstimateColumn(frozenset({"integer"}), lambda v: {"duration_days": int(v)}),
    "confidence": EstimateColumn(frozenset({"choice"}), lambda v: {"confidence": str(v)}),
    "technical_risk": EstimateColumn(frozenset({"choice"}), lambda v: {"technical_risk": str(v)}),
    "security_review": EstimateColumn(frozenset({"yes_no"}), lambda v: {"security_review": bool(v)}),
    "notes": EstimateColumn(frozenset({"text", "long_text"}), lambda v: {"notes": v or ""}, required=False),
}


def _column_of(field: FieldSpec) -> str:
    return field.target or field.id


def estimate_answer(estimate: Estimate, column: str) -> Any:
    """The answer that filled ``column`` (a key of ``ESTIMATE_COLUMNS``), read back from the estimate."""
    back = ESTIMATE_COLUMNS[column].back
    return back(estimate) if back is not None else getattr(estimate, column)


def extra_fields(spec: DialogSpec) -> list[FieldSpec]:
    """The fields of the estimate spec no column reads: their answers are kept in ``Estimate.extra``."""
    return [f for f in spec.fields if _column_of(f) not in ESTIMATE_COLUMNS]


def estimate_field(spec: DialogSpec, column: str) -> FieldSpec:
    """The field of the estimate spec that fills ``column``."""
    return next(f for f in spec.fields if _column_of(f) == column)


def check_specs(specs: Mapping[str, DialogSpec]) -> None:
    """At start-up: the estimate spec is there, and fills every Estimate attribute it must."""
    spec = specs.get("estimate")
    if spec is None:
        raise SpecError("no estimate spec (estimate.yaml): IT could not record an estimate")
    check_estimate_spec(spec)


def check_estimate_spec(spec: DialogSpec) -> None:
    """Every Estimate attribute an estimate needs is filled by one field of a type it can read.

    Run at start-up: a field renamed in the YAML without a ``target:`` fails
    here, not when an estimator has answered every question.
    """
    for column, reads in ESTIMATE_COLUMNS.items():
        if column not in Estimate.model_fields:
            raise SpecError(f"ESTIMATE_COLUMNS names {column!r}, which is not an attribute of Estimate")
        fields = [f for f in spec.fields if _column_of(f) == column]
        if len(fields) > 1:
            raise SpecError(f"{spec.source}: fields {', '.join(f.id for f in fields)} all fill the estimate's "
                            f"{column!r}: one only")
        if not fields:
            if reads.required:
                raise SpecError(f"{spec.source}: no field fills the estimate's {column!r} (give a field "
                                f"'target: {column}')")
            continue
        field = fields[0]
        if field.type not in reads.field_types:
            raise SpecError(f"{spec.source} field {field.id}: the estimate's {column!r} needs a field of type "
                            f"{' or '.join(sorted(reads.field_types))}, not {field.type}")
        if reads.required and (not field.required or field.when):
            raise SpecError(f"{spec.source} field {field.id}: the estimate's {column!r} cannot be left out: "
                            "the field must be required and unconditional")


def estimate_values(spec: DialogSpec, answers: dict[str, Any]) -> dict[str, Any]:
    """The Estimate attributes the answers give, the others under ``extra``."""
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for field in spec.fields:
        if field.id not in answers:
            continue
        reads = ESTIMATE_COLUMNS.get(_column_of(field))
        if reads is None:
            extra[field.id] = answers[field.id]
        else:
            values.update(reads.read(answers[field.id]))
    # Answers the spec does not (or no longer) name are kept too, not dropped.
    named = {f.id for f in spec.fields}
    extra.update({k: v for k, v in answers.items() if k not in named})
    return {**values, "extra": extra}


async def _requester(session: AsyncSession, need: Need) -> Person:
    person = await session.get(Person, need.requester_id)
    assert person is not None
    return person


async def queue(session: AsyncSession, *, core: Core, actor: Actor) -> list[Message]:
    """What waits on IT, oldest first, with its age in business days."""
    if not actor.sees_portfolio:
        raise Forbidden("estimation.error.queue_role")
    waiting = (
        await session.exec(
            select(Need).where(col(Need.status).in_([str(s) for s in lifecycle.WAITING_ON_IT]))
            .order_by(col(Need.waiting_since), col(Need.number))
        )
    ).all()
    on_requester = (await session.exec(select(Need).where(Need.status == NeedStatus.NEEDS_INFO))).all()
    loc, now = actor.locale, core.now()
    if not waiting:
        text = t(loc, "estimation.queue_empty")
        if on_requester:
            text += " " + t(loc, "estimation.queue_on_requester", count=len(on_requester))
        return [Notice(text)]
    fields = []
    for need in waiting:
        age = core.calendar.business_days_between(need.waiting_since or need.created_at, now)
        claimer = await session.get(Person, need.claimed_by_id) if need.claimed_by_id else None
        value = t(loc, "estimation.queue_line", status=status_label(need.status, loc), count=age,
                  who=claimer.display_name if claimer else t(loc, "estimation.unclaimed"))
        fields.append(CardField(f"{need.key} · {need.title}", value, short=False))
    footer = t(loc, "estimation.queue_footer")
    if on_requester:
        footer = t(loc, "estimation.queue_on_requester", count=len(on_requester)) + " " + footer
    return [Card(title=t(loc, "estimation.queue_title", count=len(waiting)), fields=tuple(fields), footer=footer)]


async def claim(session: AsyncSession, *, core: Core, actor: Actor, key: str) -> list[Message]:
    need = await get_visible(session, actor=actor, key=key)
    await transition(session, core=core, actor=actor, need=need, action="claim",
                     changes={"claimed_by_id": actor.id}, requester_told=True)
    requester = await _requester(session, need)
    loc = locale_of(requester, core)
    await outbox.to_person(
        session, core=core, key=keys.claimed(need.key, actor.id), person=requester, subject=need.key,
        message=Notice(t(loc, "estimation.claimed_notice", key=need.key, title=need.title,
                         who=actor.person.display_name)),
    )
    await refresh_it_card(session, core=core, need=need)
    return [Notice(t(actor.locale, "estimation.claimed", key=need.key), "success")]


async def questions_waiting_on(session: AsyncSession, *, actor: Actor) -> list[tuple[Need, list[Question]]]:
    """This person's needs on which IT waits for their answer, oldest question first."""
    needs = (
        await session.exec(
            select(Need).where(Need.requester_id == actor.id, Need.status == NeedStatus.NEEDS_INFO)
            .order_by(col(Need.number))
        )
    ).all()
    out = []
    for need in needs:
        questions = await open_questions(session, need=need)
        if questions:
            out.append((need, questions))
    return sorted(out, key=lambda pair: pair[1][0].asked_at)


def check_can_answer(actor: Actor, need: Need, questions: list[Question]) -> None:
    if need.requester_id != actor.id:
        raise Forbidden("estimation.error.not_requester", key=need.key)
    if not questions:
        raise Invalid("estimation.error.no_question", key=need.key)


def _clean(text: str, *, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid(f"estimation.error.{what}_empty")
    if len(text) > QUESTION_MAX:
        raise Invalid("estimation.error.too_long", length=len(text), limit=QUESTION_MAX)
    return text


async def ask(session: AsyncSession, *, core: Core, actor: Actor, key: str, text: str) -> list[Message]:
    """IT asks the requester a question; the need waits for the answer."""
    need = await get_visible(session, actor=actor, key=key)
    text = _clean(text, what="question")
    # Asking is engaging with the need: the asker owns it from now on if nobody did.
    await transition(session, core=core, actor=actor, need=need, action="ask", detail={"question": text},
                     changes={"claimed_by_id": need.claimed_by_id or actor.id}, requester_told=True)
    assert need.id is not None  # a stored need
    question = Question(need_id=need.id, asked_by_id=actor.id, text=text, asked_at=core.now())
    session.add(question)
    await session.flush()
    assert question.id is not None
    requester = await _requester(session, need)
    loc = locale_of(requester, core)
    await outbox.to_person(
        session, core=core, key=keys.question(question.id), person=requester, subject=need.key,
        message=Card(
            title=t(loc, "estimation.question_title", key=need.key, who=actor.person.display_name),
            subtitle=need.title, body=text, footer=t(loc, "estimation.question_footer", key=need.key),
            actions=(buttons.ANSWER.action(loc, need.key, primary=True),),
        ),
    )
    await outbox.to_it_channels(
        session, core=core, key=keys.question_thread(question.id), thread_key=keys.need_card(need.key),
        message=Notice(t(core.org_locale, "estimation.question_thread", key=need.key, who=actor.person.display_name,
                         text=text)),
    )
    await refresh_it_card(session, core=core, need=need)
    return [Notice(t(actor.locale, "estimation.asked", key=need.key, who=requester.display_name), "success")]


async def answer(session: AsyncSession, *, core: Core, actor: Actor, key: str, text: str) -> list[Message]:
    """The requester answers IT's open questions; the need goes back to IT."""
    need = await get_visible(session, actor=actor, key=key)
    questions = await open_questions(session, need=need)
    check_can_answer(actor, need, questions)
    text = _clean(text, what="answer")
    now = core.now()
    # One reply answers every open question: people answer in one message.
    for q in questions:
        q.answer, q.answered_by_id, q.answered_at = text, actor.id, now
        session.add(q)
    # Back to IT's estimate, or back before the committee when its question paused the need.
    step = await answer_step(session, need=need)
    await transition(session, core=core, actor=actor, need=need, action=step, detail={"answer": text},
                     changes={"waiting_since": now})
    await answers.tell_askers(session, core=core, actor=actor, need=need, answered=questions, text=text,
                              key=keys.answer, title="estimation.answer_title")
    first = questions[0].id
    assert first is not None
    await outbox.to_it_channels(
        session, core=core, key=keys.answer_thread(first), thread_key=keys.need_card(need.key),
        message=Notice(t(core.org_locale, "estimation.answer_thread", key=need.key, who=actor.person.display_name,
                         text=text)),
    )
    await refresh_it_card(session, core=core, need=need)
    await refresh_committee_card(session, core=core, need=need)
    if step == "answer_committee":  # the committee asked: said to go to it, and to whom
        names = (await waiting_on_requester(session, need=need, asked=questions))[1]
        return [Notice(t(actor.locale, "estimation.answered_committee", key=need.key, who=names), "success")]
    return [Notice(t(actor.locale, "estimation.answered", key=need.key), "success")]


async def check_can_estimate(session: AsyncSession, *, actor: Actor, key: str) -> Need:
    """Refuse before the estimate dialog starts, not after ten questions."""
    need = await get_visible(session, actor=actor, key=key)
    await check_step(session, actor, need, "estimate")
    return need


async def record_estimate(
    session: AsyncSession, *, core: Core, actor: Actor, key: str, answers: dict[str, Any]
) -> list[Message]:
    need = await check_can_estimate(session, actor=actor, key=key)
    assert need.id is not None
    previous = await latest_estimate(session, need_id=need.id)
    version = (previous.version + 1) if previous else 1
    estimate = Estimate(need_id=need.id, version=version, estimator_id=actor.id, created_at=core.now(),
                        **estimate_values(core.specs["estimate"], answers))
    session.add(estimate)
    await transition(session, core=core, actor=actor, need=need, action="estimate", detail={"version": version},
                     changes={"claimed_by_id": need.claimed_by_id or actor.id, "waiting_since": None},
                     requester_told=True)
    await session.flush()
    await scoring.record(session, core=core, need=need)
    requester = await _requester(session, need)
    loc = locale_of(requester, core)
    card = await load_need_card(session, core=core, need=need, locale=loc)
    await outbox.to_person(
        session, core=core, key=keys.estimate(need.key, version), person=requester, subject=need.key,
        message=Card(title=t(loc, "estimation.estimate_notice", key=need.key, who=actor.person.display_name),
                     subtitle=card.title, fields=card.fields, footer=t(loc, "estimation.estimate_footer",
                                                                        key=need.key)),
    )
    await refresh_it_card(session, core=core, need=need)
    await review_record.announce(session, core=core, need=need)
    return [Notice(t(actor.locale, "estimation.recorded", key=need.key, version=version,
                     who=requester.display_name), "success")]
