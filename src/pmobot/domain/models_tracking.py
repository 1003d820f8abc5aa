"""Tracking tables (sqlmodel): what happens to a project after its baseline.

Status updates from owners, the weekly check-ins that ask for them, snoozes,
drift alerts and their history, the runs of scheduled jobs, and the roadmap
events a daily update gathers. Kept apart from ``models_governance`` so each
module stays readable; all register on the same metadata.

A status update is a record that is never edited: a correction is a new
update (``corrects_id``). An alert is one row per subject and rule while it
is open (``open_key`` is unique and cleared on closing); what happened to it
is in ``alert_event``. A job run is unique per job and period, which is what
makes a job fired twice, or on two replicas, run once.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pmobot.domain.models import MONEY, json_field, timestamp_field


class StatusUpdate(SQLModel, table=True):
    """An owner's status of a project at one moment."""

    __tablename__ = "status_update"
    # The n-th update of a project: two owners answering at once get two numbers, never one half-written row.
    __table_args__ = (sa.UniqueConstraint("project_id", "number", name="uq_status_update_number"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    number: int
    author_id: int = Field(foreign_key="person.id")
    percent_complete: float
    spend: Decimal = Field(sa_type=MONEY)
    currency: str = Field(max_length=3)
    # green | amber | red, overall and per dimension.
    health: str = Field(max_length=10)
    schedule_health: str = Field(max_length=10)
    cost_health: str = Field(max_length=10)
    scope_health: str = Field(max_length=10)
    # A short comment per dimension that is not green: {"schedule": "...", "cost": "..."}.
    comments: dict[str, Any] = json_field()
    # Forecast dates of the next milestones: [{"milestone_id": 3, "name": "...", "forecast": "2027-03-01"}].
    forecasts: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    forecast_end: date | None = None
    risks: str = Field(default="", sa_type=sa.Text)
    blockers: str = Field(default="", sa_type=sa.Text)
    decisions_needed: str = Field(default="", sa_type=sa.Text)
    # Why the percent went down, or why this update corrects an earlier one.
    reason: str = Field(default="", sa_type=sa.Text)
    corrects_id: int | None = Field(default=None, foreign_key="status_update.id")
    # How it came: check-in (asked by the weekly job) or command (/pmo update).
    via: str = Field(default="command", max_length=20)
    check_in_id: int | None = Field(default=None, foreign_key="check_in.id")
    created_at: datetime = timestamp_field()


class CheckIn(SQLModel, table=True):
    """The weekly request for a project's status: asked once per project and ISO week."""

    __tablename__ = "check_in"
    __table_args__ = (sa.UniqueConstraint("project_id", "week", name="uq_check_in_week"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    week: str = Field(max_length=10)  # ISO week, "2026-W49"
    owner_id: int = Field(foreign_key="person.id")
    due_at: datetime = timestamp_field()
    asked_at: datetime | None = timestamp_field(nullable=True)
    reminded_at: datetime | None = timestamp_field(nullable=True)
    answered_at: datetime | None = timestamp_field(nullable=True)
    # Set when the PMO was told this project missed its check-ins.
    escalated_at: datetime | None = timestamp_field(nullable=True)
    version: int = 0


class Snooze(SQLModel, table=True):
    """A project on hold: no check-in and no drift alert until ``until``."""

    __tablename__ = "snooze"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    until: date
    reason: str = Field(sa_type=sa.Text)
    set_by_id: int = Field(foreign_key="person.id")
    set_at: datetime = timestamp_field()
    lifted_at: datetime | None = timestamp_field(nullable=True)


class DriftAlert(SQLModel, table=True):
    """One rule firing on one subject (a project, a need), from opening to closing."""

    __tablename__ = "drift_alert"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True, index=True)
    subject: str = Field(max_length=60, index=True)  # "PRJ-3", "NEED-12"
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    need_id: int | None = Field(default=None, foreign_key="need.id", index=True)
    rule: str = Field(max_length=40)
    level: str = Field(max_length=10)  # warning | critical
    # "subject:rule" while open, NULL once closed: at most one open alert per subject and rule.
    open_key: str | None = Field(default=None, max_length=120, unique=True)
    status: str = Field(max_length=12, index=True)  # open | closed
    # The numbers and the forecast as last measured, to word the alert and to compare the next scan.
    figures: dict[str, Any] = json_field()
    opened_at: datetime = timestamp_field()
    raised_at: datetime | None = timestamp_field(nullable=True)
    closed_at: datetime | None = timestamp_field(nullable=True)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="person.id")
    acknowledged_at: datetime | None = timestamp_field(nullable=True)
    version: int = 0

    @property
    def key(self) -> str:
        return f"ALERT-{self.number}"


class AlertEvent(SQLModel, table=True):
    """What happened to an alert: opened, raised, closed, acknowledged, update asked."""

    __tablename__ = "alert_event"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="drift_alert.id", index=True)
    kind: str = Field(max_length=20)
    level: str = Field(max_length=10)
    figures: dict[str, Any] = json_field()
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    at: datetime = timestamp_field()


class JobRun(SQLModel, table=True):
    """One run of a scheduled job for one period; the unique key is what makes it run once."""

    __tablename__ = "job_run"
    __table_args__ = (sa.UniqueConstraint("job", "period", name="uq_job_run_period"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=60, index=True)
    period: str = Field(max_length=60)
    # The slot the run is for, and when it started: later than its grace means "late".
    scheduled_for: datetime = timestamp_field()
    started_at: datetime = timestamp_field()
    finished_at: datetime | None = timestamp_field(nullable=True)
    late: bool = False
    status: str = Field(max_length=12)  # running | done | failed
    # Who ran it (host and pid) and what it did: counts, or the error.
    runner: str = Field(default="", max_length=120)
    summary: dict[str, Any] = json_field()
    # Taken over after a runner died mid-run: the lease, as in the outbox.
    locked_until: datetime | None = timestamp_field(nullable=True)
    attempts: int = 0


class RoadmapEvent(SQLModel, table=True):
    """Something that moved the roadmap, gathered into one update per day."""

    __tablename__ = "roadmap_event"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    # decision | change | slip | done | cancelled | capacity
    kind: str = Field(max_length=30)
    project_id: int | None = Field(default=None, foreign_key="project.id")
    need_id: int | None = Field(default=None, foreign_key="need.id")
    # What moved, in figures: {"end": ["2027-03-01", "2027-04-12"], "reason": "..."}.
    detail: dict[str, Any] = json_field()
    # Natural key, so that the same event recorded twice is one row.
    key: str = Field(max_length=120, unique=True)
    created_at: datetime = timestamp_field()
    posted_run_id: int | None = Field(default=None, foreign_key="job_run.id")
