"""The published scoring rule, pure: the policy, its criteria, the two methods and the breakdown.

A policy (loaded and checked by ``services.policy``) picks a method and says
where each criterion's figure comes from:

- ``assessment``: a rating the PMO or the committee gives, on the policy's scale;
- ``intake.desired_date`` (days from today to the date the requester wants it),
  ``intake.users_affected``: figures the requester gave;
- ``estimate.effort_likely`` (person-days), ``estimate.technical_risk``,
  ``estimate.confidence``: IT's estimate.

A figure becomes points by ``bands`` (the first band whose ``up_to`` holds it),
by ``per`` (points = figure / per: a size), or, for a choice, by ``points``
per choice; ``times`` then multiplies them by the estimate's confidence or
risk ("a low-confidence estimate counts 1.2 times its size").

- ``wsjf``: score = (sum of weight × points of the value criteria) / size;
- ``weighted``: score = sum of weight × points / sum of weights, so the score
  stays on the criteria's scale.

Nothing here reads a file or the database: the service hands over the figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any

from pmobot.domain.tracking_policy import TrackingPolicy


class Method(StrEnum):
    WSJF = "wsjf"
    WEIGHTED = "weighted"


class Part(StrEnum):
    """What a criterion is in the formula: a value added up, or (wsjf) the size divided by."""

    VALUE = "value"
    SIZE = "size"


ASSESSMENT = "assessment"
DESIRED_DATE = "intake.desired_date"
USERS_AFFECTED = "intake.users_affected"
EFFORT = "estimate.effort_likely"
TECHNICAL_RISK = "estimate.technical_risk"
CONFIDENCE = "estimate.confidence"

# Sources whose figure is a number, turned into points by bands or ``per``.
NUMERIC_SOURCES = (DESIRED_DATE, USERS_AFFECTED, EFFORT)
# Sources whose figure is one of a few choices, turned into points (or a multiplier) by a table.
CHOICE_SOURCES: Mapping[str, tuple[str, ...]] = {
    TECHNICAL_RISK: ("low", "medium", "high"),
    CONFIDENCE: ("low", "medium", "high"),
}
SOURCES = (ASSESSMENT, *NUMERIC_SOURCES, *CHOICE_SOURCES)

# A size never falls below this, so a zero-effort estimate cannot divide by zero.
SIZE_FLOOR = 0.1

# What a score may be waiting for (``Evaluation.missing``); "rating:<criterion>" for one rating.
MISSING_ASSESSMENT = "assessment"
MISSING_ESTIMATE = "estimate"
MISSING_RATING = "rating:"


def source_kind(source: str) -> str:
    """Where a source's figure is kept: "assessment", "intake" or "estimate"."""
    return source.split(".", 1)[0]


@dataclass(frozen=True)
class Band:
    points: float
    # The band holds figures up to this (inclusive); None: every figure above the previous bands.
    up_to: float | None = None


@dataclass(frozen=True)
class Criterion:
    id: str
    source: str
    # The criterion's name in each locale, as the breakdown says it ("value", "urgency").
    label: Mapping[str, str]
    part: Part = Part.VALUE
    weight: float = 1.0
    # The question the assessment asks for it (assessment criteria only), in each locale.
    question: Mapping[str, str] = field(default_factory=dict)
    bands: tuple[Band, ...] = ()
    per: float | None = None
    points: Mapping[str, float] = field(default_factory=dict)
    # Source (a choice source of the estimate) -> choice -> multiplier.
    times: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    # Points when the intake gives no figure (no desired date, users not counted).
    missing: float = 0.0

    def label_in(self, locale: str) -> str:
        return self.label.get(locale) or self.label.get("en") or self.id


@dataclass(frozen=True)
class Quorum:
    """What the committee needs for an approval (by default: one approval from each side, no rejection)."""

    business_approvals: int = 1
    it_approvals: int = 1
    # Any rejection blocks an approval.
    rejection_blocks: bool = True

    def approves(self, *, business_approvals: int, it_approvals: int, rejections: int) -> bool:
        if self.rejection_blocks and rejections:
            return False
        return business_approvals >= self.business_approvals and it_approvals >= self.it_approvals


@dataclass(frozen=True)
class Policy:
    method: Method
    criteria: tuple[Criterion, ...]
    scale_min: float = 1.0
    scale_max: float = 10.0
    quorum: Quorum = Quorum()
    # Whether the committee may only take (or be sent) a need whose scope the requester and the
    # sponsor agreed to (``committee: require_agreed_scope``).
    require_agreed_scope: bool = True
    # The ``roadmap:`` section as written, for the roadmap to read.
    roadmap: Mapping[str, Any] = field(default_factory=dict)
    # The ``tracking:`` section: check-ins, digests, drift thresholds, service levels.
    tracking: TrackingPolicy = field(default_factory=TrackingPolicy)
    # sha256 of the normalised document: the same content is the same version.
    digest: str = ""
    document: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""

    def assessed(self) -> tuple[Criterion, ...]:
        """The criteria the assessment rates, in the policy's order."""
        return tuple(c for c in self.criteria if c.source == ASSESSMENT)

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def needs(self, kind: str) -> bool:
        """Whether a score needs an assessment or an estimate under this policy."""
        return kind in self._kinds

    @cached_property
    def _kinds(self) -> frozenset[str]:
        return frozenset(source_kind(s) for c in self.criteria for s in (c.source, *c.times))


# -- what the service hands over ------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    value: float
    reason: str = ""


@dataclass(frozen=True)
class EstimateFacts:
    effort_likely: float
    technical_risk: str
    confidence: str
    version: int
    by: str = ""


@dataclass(frozen=True)
class Inputs:
    today: date
    # None: no assessment yet.
    ratings: Mapping[str, Rating] | None = None
    assessed_by: str = ""
    assessment_version: int = 0
    desired_date: date | None = None
    users_affected: int | None = None
    estimate: EstimateFacts | None = None


# -- the breakdown ----------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    criterion: str
    label: Mapping[str, str]
    source: str
    part: Part
    weight: float
    points: float
    # The figure the points come from: a rating, days to the desired date, users, person-days, a choice.
    figure: float | str | None
    # (source, choice, multiplier) applied to the points.
    times: tuple[tuple[str, str, float], ...] = ()
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"criterion": self.criterion, "label": dict(self.label), "source": self.source,
                "part": str(self.part), "weight": self.weight, "points": self.points, "figure": self.figure,
                "times": [list(t) for t in self.times], "reason": self.reason}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Factor:
        return cls(criterion=str(raw["criterion"]), label=dict(raw.get("label") or {}), source=str(raw["source"]),
                   part=Part(raw.get("part", "value")), weight=float(raw.get("weight", 1.0)),
                   points=float(raw["points"]), figure=raw.get("figure"),
                   times=tuple((str(s), str(c), float(m)) for s, c, m in raw.get("times") or ()),
                   reason=str(raw.get("reason") or ""))


@dataclass(frozen=True)
class Breakdown:
    method: Method
    value: float
    factors: tuple[Factor, ...]
    assessed_by: str = ""
    assessment_version: int = 0
    estimate: EstimateFacts | None = None

    def values(self) -> tuple[Factor, ...]:
        return tuple(f for f in self.factors if f.part == Part.VALUE)

    def size(self) -> Factor | None:
        return next((f for f in self.factors if f.part == Part.SIZE), None)

    def to_dict(self) -> dict[str, Any]:
        e = self.estimate
        return {
            "method": str(self.method), "value": self.value, "factors": [f.to_dict() for f in self.factors],
            "assessed_by": self.assessed_by, "assessment_version": self.assessment_version,
            "estimate": None if e is None else {
                "effort_likely": e.effort_likely, "technical_risk": e.technical_risk, "confidence": e.confidence,
                "version": e.version, "by": e.by},
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Breakdown:
        e = raw.get("estimate")
        return cls(
            method=Method(raw["method"]), value=float(raw["value"]),
            factors=tuple(Factor.from_dict(f) for f in raw.get("factors") or ()),
            assessed_by=str(raw.get("assessed_by") or ""), assessment_version=int(raw.get("assessment_version") or 0),
            estimate=None if not e else EstimateFacts(
                effort_likely=float(e["effort_likely"]), technical_risk=str(e["technical_risk"]),
                confidence=str(e["confidence"]), version=int(e["version"]), by=str(e.get("by") or "")),
        )


@dataclass(frozen=True)
class Evaluation:
    """A score and its breakdown, or what it still waits for."""

    value: float | None
    breakdown: Breakdown | None
    missing: tuple[str, ...] = ()


def _banded(bands: tuple[Band, ...], figure: float) -> float:
    for band in bands:
        if band.up_to is None or figure <= band.up_to:
            return band.points
    return bands[-1].points


def _figure(criterion: Criterion, inputs: Inputs) -> float | str | None:
    e = inputs.estimate
    if criterion.source == ASSESSMENT:
        rating = (inputs.ratings or {}).get(criterion.id)
        return None if rating is None else rating.value
    if criterion.source == DESIRED_DATE:
        return None if inputs.desired_date is None else (inputs.desired_date - inputs.today).days
    if criterion.source == USERS_AFFECTED:
        return inputs.users_affected
    assert e is not None  # checked by ``missing``
    if criterion.source == EFFORT:
        return e.effort_likely
    return _choice(criterion.source, e)


def _choice(source: str, e: EstimateFacts) -> str:
    return e.technical_risk if source == TECHNICAL_RISK else e.confidence


def _points(criterion: Criterion, figure: float | str | None) -> float:
    if figure is None:
        return criterion.missing
    if isinstance(figure, str):
        return criterion.points[figure]
    if criterion.source == ASSESSMENT:
        return float(figure)
    if criterion.per is not None:
        return float(figure) / criterion.per
    return _banded(criterion.bands, float(figure))


def missing(policy: Policy, inputs: Inputs) -> tuple[str, ...]:
    """What a score under ``policy`` still waits for: an assessment, a rating the policy added, an estimate."""
    out: list[str] = []
    if policy.needs(ASSESSMENT):
        if inputs.ratings is None:
            out.append(MISSING_ASSESSMENT)
        else:
            out += [MISSING_RATING + c.id for c in policy.assessed() if c.id not in inputs.ratings]
    if policy.needs("estimate") and inputs.estimate is None:
        out.append(MISSING_ESTIMATE)
    return tuple(out)


def factor(criterion: Criterion, inputs: Inputs) -> Factor:
    figure = _figure(criterion, inputs)
    points = _points(criterion, figure)
    applied: list[tuple[str, str, float]] = []
    for source, table in criterion.times.items():
        assert inputs.estimate is not None
        choice = _choice(source, inputs.estimate)
        applied.append((source, choice, table[choice]))
        points *= table[choice]
    rating = (inputs.ratings or {}).get(criterion.id) if criterion.source == ASSESSMENT else None
    return Factor(criterion=criterion.id, label=dict(criterion.label), source=criterion.source, part=criterion.part,
                  weight=criterion.weight, points=round(points, 4), figure=figure, times=tuple(applied),
                  reason=rating.reason if rating else "")


def combine(method: Method, factors: tuple[Factor, ...]) -> float:
    """The score of a method from its factors."""
    values = [f for f in factors if f.part == Part.VALUE]
    total = sum(f.weight * f.points for f in values)
    if method == Method.WSJF:
        size = next(f for f in factors if f.part == Part.SIZE)
        return total / max(size.points, SIZE_FLOOR)
    weights = sum(f.weight for f in values)
    return total / weights if weights else 0.0


def evaluate(policy: Policy, inputs: Inputs) -> Evaluation:
    """The score of one need under ``policy``, with its breakdown; or what it waits for."""
    waiting = missing(policy, inputs)
    if waiting:
        return Evaluation(value=None, breakdown=None, missing=waiting)
    factors = tuple(factor(c, inputs) for c in policy.criteria)
    value = round(combine(policy.method, factors), 2)
    breakdown = Breakdown(method=policy.method, value=value, factors=factors, assessed_by=inputs.assessed_by,
                          assessment_version=inputs.assessment_version, estimate=inputs.estimate)
    return Evaluation(value=value, breakdown=breakdown)


@dataclass(frozen=True)
class Move:
    """A need whose place in the ranking changed with the policy (None: not ranked then)."""

    key: str
    before: int | None
    after: int | None
    score_before: float | None
    score_after: float | None


def ranks(scores: Mapping[str, float | None]) -> dict[str, int]:
    """Place of each scored key: highest score first, ties by key order as given."""
    ordered = sorted(((k, v) for k, v in scores.items() if v is not None), key=lambda kv: -kv[1])
    return {k: i + 1 for i, (k, _) in enumerate(ordered)}


def moves(before: Mapping[str, float | None], after: Mapping[str, float | None]) -> list[Move]:
    """The needs whose rank changed from one policy to the next, the biggest moves first."""
    old, new = ranks(before), ranks(after)
    out = [Move(key, old.get(key), new.get(key), before.get(key), after.get(key))
           for key in dict.fromkeys([*after, *before]) if old.get(key) != new.get(key)]

    def size(m: Move) -> int:
        if m.before is None or m.after is None:
            return 10**9
        return abs(m.before - m.after)

    return sorted(out, key=lambda m: (-size(m), m.after or 10**9))
