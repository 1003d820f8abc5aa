"""Governance tables (sqlmodel): what happens to a need after its estimate.

Scores, assessments, security reviews, committee votes and decisions, and
the projects, baselines and change requests that approval creates. Kept
apart from ``models`` (intake and platform tables) so each module stays
readable; both register on the same metadata.

Decisions, reviews, assessments and baselines are records that are never
edited: a new one is a new row (a new version), so the history is the table.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pmobot.domain.models import MONEY, json_field, timestamp_field


class PolicyVersion(SQLModel, table=True):
    """One version of the published scoring policy: a changed file makes a new version."""

    __tablename__ = "policy_version"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(unique=True)
    # sha256 of the file's normalised content: the same file loaded again is the same version.
    digest: str = Field(max_length=64, unique=True)
    method: str = Field(max_length=20)
    document: dict[str, Any] = json_field()
    source: str = Field(default="", max_length=500)
    loaded_at: datetime = timestamp_field()


class Assessment(SQLModel, table=True):
    """The PMO's (or the committee's) rating of a need's value criteria, each with a reason."""

    __tablename__ = "assessment"
    __table_args__ = (sa.UniqueConstraint("need_id", "version", name="uq_assessment_version"),)

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    version: int
    # criterion -> {"value": number, "reason": text}
    ratings: dict[str, Any] = json_field()
    assessor_id: int = Field(foreign_key="person.id")
    created_at: datetime = timestamp_field()


class Score(SQLModel, table=True):
    """A need's score under one policy version, with the breakdown shown to people."""

    __tablename__ = "score"

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    policy_version: int = Field(index=True)
    value: float
    breakdown: dict[str, Any] = json_field()
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id")
    estimate_id: int | None = Field(default=None, foreign_key="estimate.id")
    computed_at: datetime = timestamp_field()


class NeedRequester(SQLModel, table=True):
    """Someone else who has the same need: a co-requester who follows it (joined at intake, or merged in)."""

    __tablename__ = "need_requester"
    __table_args__ = (sa.UniqueConstraint("need_id", "person_id", name="uq_need_requester"),)

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    # "joined" (chose an existing need at intake) or "merged" (their need was merged into this one).
    via: str = Field(max_length=20)
    joined_at: datetime = timestamp_field()


class NeedLink(SQLModel, table=True):
    """Two needs that may be, are not, or became the same one."""

    __tablename__ = "need_link"
    __table_args__ = (sa.UniqueConstraint("need_id", "other_need_id", "kind", name="uq_need_link"),)

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    other_need_id: int = Field(foreign_key="need.id", index=True)
    # "possibly_same" (found at intake), "different" (the requester said so), "merged_into".
    kind: str = Field(max_length=20)
    similarity: float | None = None
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = timestamp_field()


class SecurityReview(SQLModel, table=True):
    """The security and GDPR review of a need: checklist answers and an outcome."""

    __tablename__ = "security_review"
    __table_args__ = (sa.UniqueConstraint("need_id", "version", name="uq_security_review_version"),)

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    version: int
    checklist: dict[str, Any] = json_field()
    # cleared | cleared_with_conditions | blocked
    outcome: str = Field(max_length=30)
    conditions: str = Field(default="", sa_type=sa.Text)
    reasons: str = Field(default="", sa_type=sa.Text)
    reviewer_id: int = Field(foreign_key="person.id")
    created_at: datetime = timestamp_field()


class Vote(SQLModel, table=True):
    """One committee member's vote on one decision subject (a need's round, or a change request)."""

    __tablename__ = "vote"
    __table_args__ = (sa.UniqueConstraint("subject", "member_id", name="uq_vote_member"),)

    id: int | None = Field(default=None, primary_key=True)
    # What is decided, e.g. "NEED-4/r1" or "PRJ-2/CR-1" (built in ``domain.keys``).
    subject: str = Field(max_length=60, index=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    change_request_id: int | None = Field(default=None, foreign_key="change_request.id")
    member_id: int = Field(foreign_key="person.id")
    side: str = Field(max_length=20)  # business | it
    choice: str = Field(max_length=20)  # approve | defer | reject
    reason: str = Field(default="", sa_type=sa.Text)
    cast_at: datetime = timestamp_field()


class Decision(SQLModel, table=True):
    """The committee's decision on one subject, as it stood when taken; never edited."""

    __tablename__ = "decision"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=60, unique=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    change_request_id: int | None = Field(default=None, foreign_key="change_request.id")
    outcome: str = Field(max_length=20)  # approved | deferred | rejected
    reason: str = Field(default="", sa_type=sa.Text)
    # [{"member": name, "side": ..., "choice": ..., "reason": ...}] as cast.
    votes: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    score: float | None = None
    breakdown: dict[str, Any] = json_field()
    policy_version: int | None = None
    review_outcome: str | None = Field(default=None, max_length=30)
    conditions: str = Field(default="", sa_type=sa.Text)
    decided_at: datetime = timestamp_field()


class Capacity(SQLModel, table=True):
    """IT's delivery capacity from a date on, in person-days per month; the latest row in force wins."""

    __tablename__ = "capacity"

    id: int | None = Field(default=None, primary_key=True)
    effective_from: date = Field(index=True)
    person_days_per_month: float
    reason: str = Field(default="", sa_type=sa.Text)
    set_by_id: int = Field(foreign_key="person.id")
    set_at: datetime = timestamp_field()


class Project(SQLModel, table=True):
    """What an approved need becomes: ``PRJ-n``, owned in IT, placed on the roadmap."""

    __tablename__ = "project"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True, index=True)
    need_id: int = Field(foreign_key="need.id", unique=True)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    status: str = Field(max_length=20, index=True)  # active | done | cancelled
    # Bumped by every change of status or owner: compare-and-set like needs.
    version: int = 0
    # Where the roadmap currently places it (the baseline keeps what was committed).
    planned_start: date | None = None
    planned_end: date | None = None
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    # Set once, by the step that ends it (``services.closing``): read by every refusal ("done since …").
    closed_at: datetime | None = timestamp_field(nullable=True)
    closed_by_id: int | None = Field(default=None, foreign_key="person.id")
    # The owner's closing note (done) or the PMO's reason (cancelled).
    closing_reason: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})

    @property
    def key(self) -> str:
        return f"PRJ-{self.number}"


class Baseline(SQLModel, table=True):
    """What both sides committed to for a project; a change request approved makes a new version."""

    __tablename__ = "baseline"
    __table_args__ = (sa.UniqueConstraint("project_id", "version", name="uq_baseline_version"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    version: int
    start: date
    end: date
    budget: Decimal = Field(sa_type=MONEY)
    currency: str = Field(max_length=3)
    effort: float  # person-days
    # The agreed scope (in, out, assumptions, acceptance) and the milestones in force.
    scope: dict[str, Any] = json_field()
    milestones: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    decision_id: int | None = Field(default=None, foreign_key="decision.id")
    change_request_id: int | None = Field(default=None, foreign_key="change_request.id")
    created_at: datetime = timestamp_field()


class Milestone(SQLModel, table=True):
    """A milestone its owner added to a project; it enters the baseline it was added under."""

    __tablename__ = "milestone"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    name: str = Field(max_length=200)
    due: date
    weight: float | None = None
    baseline_version: int
    created_by_id: int = Field(foreign_key="person.id")
    created_at: datetime = timestamp_field()


class ChangeRequest(SQLModel, table=True):
    """A change to a project's committed dates, budget or scope; decided by the committee."""

    __tablename__ = "change_request"
    __table_args__ = (sa.UniqueConstraint("project_id", "number", name="uq_change_request_number"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    number: int
    # The baseline fields that would change: {"end": "2027-06-30", "budget": "60000", ...}
    proposed: dict[str, Any] = json_field()
    reason: str = Field(default="", sa_type=sa.Text)
    status: str = Field(max_length=20, index=True)  # pending | approved | rejected | withdrawn
    version: int = 0
    requested_by_id: int = Field(foreign_key="person.id")
    requested_at: datetime = timestamp_field()
    decided_at: datetime | None = timestamp_field(nullable=True)
