"""The reviews sheet of ``pmobot export``, and the security gate's columns of the needs sheet.

The sheet has one row per review version, oldest first (a review is never
edited: every version stays), with the checklist's answers by field id of
``dialogs/review.yaml``; the needs sheet says, for each need, whether a review
is required and why, and the outcome and conditions in force.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.spec import DialogSpec
from pmobot.domain.models import Need, Person
from pmobot.domain.models_governance import SecurityReview
from pmobot.domain.reviews import ReviewGate
from pmobot.services.core import Core

# The review spec's fields that are columns of their own rather than checklist answers.
_VERDICT = ("outcome", "conditions", "reasons")
HEAD = ("need", "title", "version", "outcome", "conditions", "reasons", "reviewer", "reviewed_at")
# The security gate of a need, in the needs sheet (as ``review_<name>`` in CSV).
GATE_FIELDS = ("required", "triggers", "outcome", "conditions", "version", "reviewer", "blocks_decision")


def checklist_fields(specs: Mapping[str, DialogSpec]) -> list[str]:
    spec = specs.get("review")
    return [f.id for f in spec.fields if f.id not in _VERDICT] if spec is not None else []


def review_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    return [*HEAD, *(f"checklist_{name}" for name in checklist_fields(specs))]


def _empty(value: object) -> object:
    return None if value in ("", [], {}) else value


async def reviews(session: AsyncSession, *, core: Core) -> list[dict[str, object]]:
    """Every review version of every need, in need then version order."""
    need_of = {n.id: n for n in (await session.exec(select(Need))).all()}
    people = {p.id: p.display_name for p in (await session.exec(select(Person))).all()}
    rows = (await session.exec(select(SecurityReview).order_by(col(SecurityReview.need_id),
                                                               col(SecurityReview.version)))).all()
    names = checklist_fields(core.specs)
    out: list[dict[str, object]] = []
    for review in sorted(rows, key=lambda r: (need_of[r.need_id].number, r.version)):
        need = need_of[review.need_id]
        # The answers the spec names now, then any it no longer names: nothing answered is dropped.
        checklist = {name: review.checklist.get(name) for name in names}
        checklist.update({k: v for k, v in review.checklist.items() if k not in checklist})
        out.append({
            "need": need.key, "title": need.title, "version": review.version, "outcome": review.outcome,
            "conditions": _empty(review.conditions), "reasons": _empty(review.reasons),
            "reviewer": people.get(review.reviewer_id), "reviewed_at": review.created_at.isoformat(timespec="seconds"),
            "checklist": checklist,
        })
    return out


def gate_row(gate: ReviewGate) -> dict[str, object]:
    """A need's security gate, for the needs sheet."""
    return {
        "required": gate.required, "triggers": [str(t) for t in gate.triggers] or None,
        "outcome": str(gate.outcome) if gate.outcome else None, "conditions": _empty(gate.conditions),
        "version": gate.version, "reviewer": gate.reviewer, "blocks_decision": gate.blocks_decision,
    }
