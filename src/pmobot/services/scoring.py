"""Scores under the published policy: computed, recorded, explained, ranked.

A need gets a score once it has what the policy asks for (an assessment, an
estimate); before that its view says what is missing. Every score shown
anywhere goes with :func:`explain`: the formula, each factor and where it came
from, the estimate's confidence. A ``Score`` row is written when an input
changes (an assessment, an estimate, a new policy version), with the policy
version it was computed under.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain import lifecycle
from pmobot.domain.models import Estimate, Need, Person
from pmobot.domain.models_governance import Assessment, Score
from pmobot.domain.scoring import (
    CONFIDENCE,
    DESIRED_DATE,
    EFFORT,
    MISSING_ASSESSMENT,
    MISSING_ESTIMATE,
    MISSING_RATING,
    SIZE_FLOOR,
    USERS_AFFECTED,
    Breakdown,
    EstimateFacts,
    Factor,
    Inputs,
    Method,
    Part,
    Policy,
    Rating,
    evaluate,
)
from pmobot.i18n import format_number, t
from pmobot.messages import Card, CardField, Message, Notice
from pmobot.services import policy as policies
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden
from pmobot.services.needs import status_label
from pmobot.services.people import Actor

# Needs the ranking lists: everything still to decide (a draft is not a need yet).
OPEN = lifecycle.OPEN

_CHUNK = 500
# How many needs /pmo ranking lists in full (a chat message has limits).
RANKING_SHOWN = 20


@dataclass(frozen=True)
class ScoreView:
    """A need's score under the policy in force, with its breakdown; or what it waits for."""

    need_key: str
    value: float | None
    breakdown: Breakdown | None
    # "assessment", "estimate", or "rating:<criterion>" for a rating the policy added since.
    missing: tuple[str, ...]
    policy_version: int
    # The policy's criterion labels, to name a missing rating.
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    assessment_id: int | None = None
    estimate_id: int | None = None

    @property
    def scored(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Facts:
    """What a need's score is computed from: its latest assessment and estimate, and who made them."""

    assessment_id: int | None = None
    assessment_version: int = 0
    # criterion -> {"value": number, "reason": text}, as the Assessment keeps them; None: no assessment.
    ratings: Mapping[str, Any] | None = None
    assessor: str = ""
    estimate_id: int | None = None
    estimate: EstimateFacts | None = None


def inputs_of(need: Need, facts: Facts, *, today: date) -> Inputs:
    ratings = None
    if facts.ratings is not None:
        ratings = {cid: Rating(float(r["value"]), str(r.get("reason") or "")) for cid, r in facts.ratings.items()
                   if isinstance(r, Mapping) and r.get("value") is not None}
    return Inputs(today=today, ratings=ratings, assessed_by=facts.assessor,
                  assessment_version=facts.assessment_version, desired_date=need.desired_date,
                  users_affected=need.users_affected, estimate=facts.estimate)


def labels_of(policy: Policy) -> dict[str, dict[str, str]]:
    return {c.id: dict(c.label) for c in policy.criteria}


def view_of(policy: Policy, version: int, need: Need, facts: Facts, *, today: date,
            labels: Mapping[str, Mapping[str, str]] | None = None) -> ScoreView:
    result = evaluate(policy, inputs_of(need, facts, today=today))
    return ScoreView(
        need_key=need.key, value=result.value, breakdown=result.breakdown, missing=result.missing,
        policy_version=version, labels=labels if labels is not None else labels_of(policy),
        assessment_id=facts.assessment_id, estimate_id=facts.estimate_id,
    )


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def facts_from(assessment: Assessment | None, estimate: Estimate | None, names: Mapping[int, str]) -> Facts:
    """``facts_of`` for one need whose latest assessment and estimate were read already, with the names of
    the people who made them (``names``)."""
    facts = None if estimate is None else EstimateFacts(
        effort_likely=estimate.effort_likely, technical_risk=estimate.technical_risk,
        confidence=estimate.confidence, version=estimate.version, by=names.get(estimate.estimator_id, ""))
    if assessment is None:
        return Facts(estimate_id=estimate.id if estimate else None, estimate=facts)
    return Facts(assessment_id=assessment.id, assessment_version=assessment.version,
                 ratings=assessment.ratings or {}, assessor=names.get(assessment.assessor_id, ""),
                 estimate_id=estimate.id if estimate else None, estimate=facts)


async def facts_of(session: AsyncSession, needs: Sequence[Need]) -> dict[int, Facts]:
    """The latest assessment and estimate of each need, and who made them, in a few queries of plain rows."""
    ids = [n.id for n in needs if n.id is not None]
    assessed: dict[int, tuple[int, int, Any, int]] = {}
    estimated: dict[int, tuple[int, int, float, str, str, int]] = {}
    # Plain rows, not ORM objects: ten thousand needs are read in a fraction of the time. The
    # connection does not flush the session by itself: what this unit of work added is flushed first.
    await session.flush()
    conn = await session.connection()
    for part in _chunks(ids):
        a_rows = await conn.execute(
            sa.select(col(Assessment.need_id), col(Assessment.id), col(Assessment.version), col(Assessment.ratings),
                      col(Assessment.assessor_id))
            .where(col(Assessment.need_id).in_(part)).order_by(col(Assessment.version)))
        for need_id, a_id, a_version, ratings, assessor in a_rows.all():
            assert a_id is not None
            assessed[need_id] = (a_id, a_version, ratings, assessor)
        e_rows = await conn.execute(
            sa.select(col(Estimate.need_id), col(Estimate.id), col(Estimate.version), col(Estimate.effort_likely),
                      col(Estimate.technical_risk), col(Estimate.confidence), col(Estimate.estimator_id))
            .where(col(Estimate.need_id).in_(part)).order_by(col(Estimate.version)))
        for need_id, e_id, e_version, effort, risk, confidence, estimator in e_rows.all():
            assert e_id is not None
            estimated[need_id] = (e_id, e_version, effort, risk, confidence, estimator)
    people_ids = sorted({a[3] for a in assessed.values()} | {e[5] for e in estimated.values()})
    names: dict[int, str] = {}
    for part in _chunks(people_ids):
        for person_id, name in (await session.exec(select(Person.id, Person.display_name)
                                                   .where(col(Person.id).in_(part)))).all():
            assert person_id is not None
            names[person_id] = name
    out: dict[int, Facts] = {}
    for need_id in ids:
        a, e = assessed.get(need_id), estimated.get(need_id)
        estimate = None if e is None else EstimateFacts(effort_likely=e[2], technical_risk=e[3], confidence=e[4],
                                                        version=e[1], by=names.get(e[5], ""))
        out[need_id] = Facts(
            assessment_id=a[0] if a else None, assessment_version=a[1] if a else 0,
            ratings=(a[2] or {}) if a else None, assessor=names.get(a[3], "") if a else "",
            estimate_id=e[0] if e else None, estimate=estimate)
    return out


async def score_of(session: AsyncSession, *, core: Core, need: Need) -> ScoreView:
    """The need's score under the policy in force (value or what is missing, breakdown, policy version)."""
    version = await policies.version_of(session, core=core)
    facts = await facts_of(session, [need])
    assert need.id is not None
    return view_of(core.policy, version, need, facts[need.id], today=core.today())


async def ranking(session: AsyncSession, *, core: Core, needs: Sequence[Need],
                  policy: Policy | None = None, version: int | None = None) -> list[tuple[Need, ScoreView]]:
    """The needs by score, highest first, each with its view; needs without a score last, by number.

    ``policy`` and ``version``: rank under another policy (what moved when it changed).
    """
    policy = policy or core.policy
    if version is None:
        version = await policies.version_of(session, core=core)
    facts = await facts_of(session, needs)
    today, labels = core.today(), labels_of(policy)
    views = [(n, view_of(policy, version, n, facts[n.id], today=today, labels=labels)) for n in needs
             if n.id is not None]
    return sorted(views, key=lambda nv: (nv[1].value is None, -(nv[1].value or 0.0), nv[0].number))


async def open_needs(session: AsyncSession) -> list[Need]:
    """Every need still to decide, by number."""
    rows = await session.exec(select(Need).where(col(Need.status).in_([str(s) for s in OPEN]))
                              .order_by(col(Need.number)))
    return list(rows.all())


async def record(session: AsyncSession, *, core: Core, need: Need) -> ScoreView:
    """Compute the need's score and keep it, with its policy version, when it changed since the last one kept."""
    view = await score_of(session, core=core, need=need)
    await keep(session, core=core, need=need, view=view)
    return view


async def keep(session: AsyncSession, *, core: Core, need: Need, view: ScoreView) -> Score | None:
    """Write ``view`` as a Score row unless the latest row already says the same."""
    if view.value is None or view.breakdown is None:
        return None
    last = (await session.exec(select(Score).where(Score.need_id == need.id).order_by(col(Score.id).desc())
                               .limit(1))).first()
    if (last is not None and last.policy_version == view.policy_version and last.value == view.value
            and last.assessment_id == view.assessment_id and last.estimate_id == view.estimate_id):
        return last
    assert need.id is not None
    row = Score(need_id=need.id, policy_version=view.policy_version, value=view.value,
                breakdown=view.breakdown.to_dict(), assessment_id=view.assessment_id, estimate_id=view.estimate_id,
                computed_at=core.now())
    session.add(row)
    await session.flush()
    return row


async def show_ranking(session: AsyncSession, *, core: Core, actor: Actor) -> list[Message]:
    """``/pmo ranking``: the open needs by score, each with its breakdown (or what it waits for)."""
    if not actor.sees_portfolio:
        raise Forbidden("scoring.ranking_role")
    loc = actor.locale
    ranked = await ranking(session, core=core, needs=await open_needs(session))
    if not ranked:
        return [Notice(t(loc, "scoring.ranking_empty"))]
    fields: list[CardField] = []
    for rank, (need, view) in enumerate(ranked[:RANKING_SHOWN], start=1):
        status = status_label(need.status, loc)
        if view.breakdown is not None:
            value = t(loc, "scoring.ranking_line", rank=rank, status=status,
                      explain=explain_breakdown(view.breakdown, loc))
        else:
            value = t(loc, "scoring.ranking_unscored", status=status, explain=waiting_for(view, loc))
        fields.append(CardField(f"{need.key} · {need.title}", value, short=False))
    footer = t(loc, "scoring.ranking_footer", version=ranked[0][1].policy_version, method=str(core.policy.method))
    if len(ranked) > RANKING_SHOWN:
        footer = t(loc, "scoring.ranking_more", count=len(ranked) - RANKING_SHOWN) + " " + footer
    return [Card(title=t(loc, "scoring.ranking_title", count=len(ranked)), fields=tuple(fields), footer=footer)]


# -- in plain words ---------------------------------------------------------------------


def number(value: float, locale: str, places: int = 1) -> str:
    return format_number(round(value, places), locale)


def _level(source: str, value: str, locale: str) -> str:
    return t(locale, f"scoring.level.{source}.{value}")


def _term(f: Factor, locale: str, weighted: bool) -> str:
    label, points = f.label.get(locale) or f.criterion, number(f.points, locale, 2)
    if weighted or f.weight != 1:
        return t(locale, "scoring.weighted_term", weight=number(f.weight, locale, 2), label=label, points=points)
    return t(locale, "scoring.term", label=label, points=points)


def formula(b: Breakdown, locale: str) -> str:
    """'score 13.3 = (value 8 + urgency 5 + risk reduction 3) / size 1.2'."""
    weighted = b.method == Method.WEIGHTED
    terms = " + ".join(_term(f, locale, weighted) for f in b.values())
    score = number(b.value, locale)
    if weighted:
        weights = number(sum(f.weight for f in b.values()), locale, 2)
        return t(locale, "scoring.formula_weighted", score=score, terms=terms, weights=weights)
    size = b.size()
    assert size is not None
    return t(locale, "scoring.formula_wsjf", score=score, terms=terms, size=_term(size, locale, False),
             floor=number(SIZE_FLOOR, locale, 2)) + (
        " " + t(locale, "scoring.size_floor", floor=number(SIZE_FLOOR, locale, 2)) if size.points < SIZE_FLOOR else "")


def _phrase(source: str, choice: str, locale: str) -> str:
    """An estimate's choice in words: "low confidence", "risque technique moyen"."""
    return t(locale, f"scoring.phrase.{source}", level=_level(source, choice, locale))


def _multiplier(m: float, locale: str) -> str:
    return "" if m == 1 else " " + t(locale, "scoring.times", factor=number(m, locale, 2))


def origin(f: Factor, b: Breakdown, locale: str) -> str:
    """Where one factor came from, e.g. "size 1.2: Bob's estimate v2, 20 person-days, low confidence (× 1.2)"."""
    head = t(locale, "scoring.term", label=f.label.get(locale) or f.criterion, points=number(f.points, locale, 2))
    e = b.estimate
    # The estimate's choices that multiplied the points, each with its multiplier.
    applied = [_phrase(source, choice, locale) + _multiplier(m, locale) for source, choice, m in f.times]
    if f.source == "assessment":
        text = t(locale, "scoring.from_assessment", who=b.assessed_by, version=b.assessment_version)
        if f.reason:
            text += " " + t(locale, "scoring.because", reason=f.reason)
    elif f.source == DESIRED_DATE:
        if f.figure is None:
            text = t(locale, "scoring.no_desired_date")
        else:
            days = int(float(f.figure))
            text = t(locale, "scoring.desired_in" if days >= 0 else "scoring.desired_passed", count=abs(days))
    elif f.source == USERS_AFFECTED:
        text = t(locale, "scoring.no_users") if f.figure is None else t(
            locale, "scoring.users", count=float(f.figure), users=number(float(f.figure), locale, 0))
    else:
        assert e is not None
        parts = [t(locale, "scoring.effort", effort=number(e.effort_likely, locale, 2)) if f.source == EFFORT
                 else _phrase(f.source, str(f.figure), locale), *applied]
        # The estimate's confidence is always said, once.
        if CONFIDENCE not in (f.source, *(source for source, _, _ in f.times)):
            parts.append(_phrase(CONFIDENCE, e.confidence, locale))
        return t(locale, "scoring.origin", head=head,
                 text=t(locale, "scoring.from_estimate", who=e.by, version=e.version, what=", ".join(parts)))
    if applied:
        text += ", " + ", ".join(applied)
    return t(locale, "scoring.origin", head=head, text=text)


def waiting_for(view: ScoreView, locale: str) -> str:
    """'No score yet: waiting for an assessment (/pmo assess NEED-3) and an estimate from IT.'"""
    parts: list[str] = []
    ratings = [m.removeprefix(MISSING_RATING) for m in view.missing if m.startswith(MISSING_RATING)]
    for item in view.missing:
        if item == MISSING_ASSESSMENT:
            parts.append(t(locale, "scoring.missing_assessment", key=view.need_key))
        elif item == MISSING_ESTIMATE:
            parts.append(t(locale, "scoring.missing_estimate"))
    if ratings:
        labels = ", ".join((view.labels.get(c) or {}).get(locale) or c for c in ratings)
        parts.append(t(locale, "scoring.missing_ratings", labels=labels, key=view.need_key))
    return t(locale, "scoring.not_yet", what=t(locale, "scoring.and").join(parts))


def explain(view: ScoreView, locale: str) -> str:
    """The score in plain words: formula, each factor and where it came from; or what it waits for."""
    if view.breakdown is None:
        return waiting_for(view, locale)
    return explain_breakdown(view.breakdown, locale, policy_version=view.policy_version)


def explain_breakdown(b: Breakdown, locale: str, *, policy_version: int | None = None) -> str:
    """A stored breakdown (a Score row, a decision) in plain words."""
    lines = [formula(b, locale)]
    lines += ["· " + origin(f, b, locale) for f in (*b.values(), *(x for x in b.factors if x.part == Part.SIZE))]
    if policy_version is not None:
        lines.append(t(locale, "scoring.policy_line", version=policy_version, method=str(b.method)))
    return "\n".join(lines)
