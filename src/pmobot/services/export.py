"""The portfolio for spreadsheets: needs, or the questions asked on them, as JSON or CSV.

One schema for both formats, so an analyst can move between them: a CSV
column is the JSON field of the same name, nested objects flattened with
their name as a prefix (``estimate_cost`` is ``estimate.cost``). Amounts are
decimal strings with two places beside a ``<name>_currency`` field; an empty
value is ``null`` in JSON and an empty cell in CSV, whatever its kind; dates
and times are ISO 8601 (times in UTC). CSV is written in UTF-8 with a
byte-order mark, without which Excel reads accents in the local code page.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.spec import DialogSpec
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import AuditEvent, Estimate, Need, Person, Question
from pmobot.services import (
    export_alerts,
    export_committee,
    export_projects,
    export_reviews,
    export_scope,
    export_scores,
    export_status,
    links,
    reviews,
)
from pmobot.services.core import Core
from pmobot.services.estimation import ESTIMATE_COLUMNS, EstimateColumn, estimate_answer, extra_fields
from pmobot.services.needs import answers_of, latest_estimate
from pmobot.services.roadmap_export import capacity_columns, capacity_rows, roadmap_columns, roadmap_rows

Format = Literal["json", "csv"]
Row = dict[str, object]

FORMATS: tuple[Format, ...] = ("json", "csv")
ENCODINGS: dict[Format, str] = {"json": "utf-8", "csv": "utf-8-sig"}

# closed_at: the need closed (withdrawn, rejected...) before the question was answered.
QUESTION_FIELDS = ("asked_by", "asked_at", "question", "answered_by", "answered_at", "answer", "closed_at")
WITHDRAWAL_FIELDS = ("withdrawn_at", "withdrawn_by", "withdrawal_reason")
# Who else asked for it and the needs it is tied to (``services.links``): names, and need keys.
TIES_FIELDS = ("co_requesters", "merged_into", "possibly_same", "different_from")


@dataclass(frozen=True)
class Document:
    """An export ready to write: its text, the bytes' encoding, and how many rows it holds."""

    text: str
    encoding: str
    count: int


# -- the values ---------------------------------------------------------------------------


def _amount(value: Decimal | str | None) -> str | None:
    return None if value is None else format(Decimal(value), ".2f")


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def _filled(value: object) -> object:
    """The one empty: an empty text or list is no value, as an unanswered field is."""
    return None if value in ("", [], {}) else value


def _name(people: dict[int, Person], person_id: int | None) -> str | None:
    person = people.get(person_id) if person_id is not None else None
    return person.display_name if person is not None else None


def _cells(name: str, field_type: str, value: object) -> Row:
    """One answer as fields of the export: a money answer as its amount and ``<name>_currency``."""
    if field_type == "money":
        money = value if isinstance(value, dict) else {}
        return {name: _amount(money.get("amount")), f"{name}_currency": money.get("currency")}
    return {name: _filled(value)}


def _cell_names(name: str, field_type: str) -> list[str]:
    """The names :func:`_cells` gives one answer."""
    return [name, f"{name}_currency"] if field_type == "money" else [name]


def _kind(column: EstimateColumn) -> str:
    """The field type an estimate column is exported as: money, or a value as it is."""
    return "money" if "money" in column.field_types else "value"


def _answers(intake: DialogSpec, need: Need) -> Row:
    """The need's intake answers, by field id."""
    values = answers_of(intake, need)
    out: Row = {}
    for field in intake.fields:
        out.update(_cells(field.id, field.type, values.get(field.id)))
    return out


def _estimate(estimate: Estimate, people: dict[int, Person], spec: DialogSpec) -> Row:
    """The estimate's attributes (``ESTIMATE_COLUMNS``), then the answers kept in ``extra`` by field id."""
    out: Row = {"version": estimate.version}
    for column, reads in ESTIMATE_COLUMNS.items():
        out.update(_cells(column, _kind(reads), estimate_answer(estimate, column)))
    for field in extra_fields(spec):
        out.update(_cells(field.id, field.type, estimate.extra.get(field.id)))
    out.update({"estimator": _name(people, estimate.estimator_id), "estimated_at": _when(estimate.created_at)})
    return out


def estimate_fields(spec: DialogSpec) -> list[str]:
    """The fields of :func:`_estimate`, in its order."""
    names = ["version"]
    for column, reads in ESTIMATE_COLUMNS.items():
        names += _cell_names(column, _kind(reads))
    for field in extra_fields(spec):
        names += _cell_names(field.id, field.type)
    return names + ["estimator", "estimated_at"]


def _question(question: Question, people: dict[int, Person]) -> Row:
    return {
        "asked_by": _name(people, question.asked_by_id), "asked_at": _when(question.asked_at),
        "question": _filled(question.text), "answered_by": _name(people, question.answered_by_id),
        "answered_at": _when(question.answered_at), "answer": _filled(question.answer),
        "closed_at": _when(question.closed_at),
    }


def _ties(ties: links.Ties) -> Row:
    return {
        "co_requesters": _filled([p.display_name for p in ties.co_requesters]),
        "merged_into": ties.merged_into.key if ties.merged_into else None,
        "possibly_same": _filled([n.key for n, _ in ties.possibly_same]),
        "different_from": _filled([n.key for n in ties.different]),
    }


# -- the tables ---------------------------------------------------------------------------


async def _people(session: AsyncSession) -> dict[int, Person]:
    return {p.id: p for p in (await session.exec(select(Person))).all() if p.id is not None}


async def _questions_by_need(session: AsyncSession) -> dict[int, list[Question]]:
    by_need: dict[int, list[Question]] = {}
    for question in (await session.exec(select(Question).order_by(col(Question.id)))).all():
        by_need.setdefault(question.need_id, []).append(question)
    return by_need


async def _withdrawals(session: AsyncSession) -> dict[str, AuditEvent]:
    """The step that withdrew each withdrawn need, by need key."""
    events = await session.exec(select(AuditEvent).where(AuditEvent.to_status == NeedStatus.WITHDRAWN)
                                .order_by(col(AuditEvent.id)))
    return {event.subject: event for event in events.all()}


async def needs(session: AsyncSession, *, core: Core) -> list[Row]:
    """Every need: status, intake answers, withdrawal, questions and the latest estimate."""
    intake, estimate_spec = core.specs["intake"], core.specs["estimate"]
    people = await _people(session)
    questions = await _questions_by_need(session)
    withdrawals = await _withdrawals(session)
    out: list[Row] = []
    for need in (await session.exec(select(Need).order_by(col(Need.number)))).all():
        assert need.id is not None
        withdrawal = withdrawals.get(need.key) if need.status == NeedStatus.WITHDRAWN else None
        asked = questions.get(need.id, [])
        estimate = await latest_estimate(session, need_id=need.id)
        row: Row = {
            "key": need.key, "status": need.status,
            "requester": _name(people, need.requester_id), "claimed_by": _name(people, need.claimed_by_id),
            "created_at": _when(need.created_at), "submitted_at": _when(need.submitted_at),
            **_answers(intake, need),
            "opening_message": _filled(need.opening_message),
            "withdrawn_at": _when(withdrawal.at) if withdrawal else None,
            "withdrawn_by": _name(people, withdrawal.actor_id) if withdrawal else None,
            "withdrawal_reason": _filled(withdrawal.reason) if withdrawal else None,
            "questions_asked": len(asked),
            "questions_open": sum(1 for q in asked if q.answered_at is None and q.closed_at is None),
            **_ties(await links.ties(session, need=need)),
            "estimate": None if estimate is None else _estimate(estimate, people, estimate_spec),
            "questions": [_question(q, people) for q in asked],
            "review": export_reviews.gate_row(await reviews.gate(session, core=core, need=need)),
        }
        out.append(row)
    return out


def need_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    """The CSV header of :func:`needs`: every intake field in spec order, a money field with its currency."""
    head = ["key", "status", "requester", "claimed_by", "created_at", "submitted_at"]
    for field in specs["intake"].fields:
        head += _cell_names(field.id, field.type)
    head += ["opening_message", *WITHDRAWAL_FIELDS, "questions_asked", "questions_open", *TIES_FIELDS]
    return head + [f"estimate_{name}" for name in estimate_fields(specs["estimate"])] + [
        f"review_{name}" for name in export_reviews.GATE_FIELDS]


async def questions(session: AsyncSession, *, core: Core) -> list[Row]:
    """Every question asked on a need and its answer, one row each, in the order they were asked."""
    people = await _people(session)
    need_of = {n.id: n for n in (await session.exec(select(Need))).all()}
    out: list[Row] = []
    for question in (await session.exec(select(Question).order_by(col(Question.id)))).all():
        need = need_of[question.need_id]
        out.append({"need": need.key, "title": need.title, **_question(question, people)})
    return out


def question_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    return ["need", "title", *QUESTION_FIELDS]


class Rows(Protocol):
    def __call__(self, session: AsyncSession, *, core: Core) -> Awaitable[list[Row]]: ...


@dataclass(frozen=True)
class Table:
    rows: Rows
    columns: Callable[[Mapping[str, DialogSpec]], list[str]]
    # What one row is, for "12 needs written to ...".
    noun: str


TABLES: dict[str, Table] = {
    "needs": Table(rows=needs, columns=need_columns, noun="need"),
    "questions": Table(rows=questions, columns=question_columns, noun="question"),
    "scores": Table(rows=export_scores.scores, columns=export_scores.score_columns, noun="score"),
    "projects": Table(rows=export_projects.projects, columns=export_projects.project_columns, noun="project"),
    "baselines": Table(rows=export_projects.baselines, columns=export_projects.baseline_columns, noun="baseline"),
    "milestones": Table(rows=export_projects.milestones, columns=export_projects.milestone_columns,
                        noun="milestone"),
    "changes": Table(rows=export_projects.change_requests, columns=export_projects.change_columns,
                     noun="change request"),
    "status-updates": Table(rows=export_status.status_updates, columns=export_status.status_columns,
                            noun="status update"),
    "decisions": Table(rows=export_committee.decisions, columns=export_committee.decision_columns, noun="decision"),
    "reviews": Table(rows=export_reviews.reviews, columns=export_reviews.review_columns, noun="review"),
    "scope": Table(rows=export_scope.scope_versions, columns=export_scope.scope_columns, noun="scope version"),
    "roadmap": Table(rows=roadmap_rows, columns=roadmap_columns, noun="placement"),
    "capacity": Table(rows=capacity_rows, columns=capacity_columns, noun="capacity change"),
    "alerts": Table(rows=export_alerts.alerts, columns=export_alerts.alert_columns, noun="alert"),
    "alert-history": Table(rows=export_alerts.history, columns=export_alerts.event_columns, noun="alert step"),
}


async def document(session: AsyncSession, *, core: Core, what: str, format: Format) -> Document:
    """The export ``what`` (a key of :data:`TABLES`) in ``format``."""
    table = TABLES[what]
    data = await table.rows(session, core=core)
    text = to_json(data) if format == "json" else to_csv(data, columns=table.columns(core.specs))
    return Document(text=text, encoding=ENCODINGS[format], count=len(data))


# -- the formats --------------------------------------------------------------------------


def to_json(data: Sequence[Row]) -> str:
    return json.dumps(list(data), ensure_ascii=False, indent=2) + "\n"


# A cell starting with one of these runs as a formula in a spreadsheet (OWASP's list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _flat(row: Row) -> Row:
    """A row with its nested objects as prefixed fields (``estimate.cost`` → ``estimate_cost``)."""
    out: Row = {}
    for name, value in row.items():
        if isinstance(value, dict):
            out.update({f"{name}_{inner}": v for inner, v in value.items()})
        else:
            out[name] = value
    return out


def to_csv(data: Sequence[Row], *, columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in data:
        flat = _flat(row)
        writer.writerow([_cell(flat.get(name)) for name in columns])
    return buffer.getvalue()
