"""Database tables (sqlmodel).

Timestamps are stored as naive UTC and handed back timezone-aware, so SQLite
and PostgreSQL behave the same. Human keys (``NEED-12``) are what people see;
integer ids stay internal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def timestamp_field(nullable: bool = False, index: bool = False) -> Any:
    """A UTC timestamp column (naive UTC stored, aware UTC read back)."""
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def json_field() -> Any:
    """A JSON column holding a dict, empty by default."""
    return Field(default_factory=dict, sa_type=sa.JSON, nullable=False)


MONEY = sa.Numeric(14, 2)


class Person(SQLModel, table=True):
    """Someone, whatever platform they write from: their accounts say where (``Account``)."""

    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    # What others type to name this person (console: the login; Slack: the handle).
    handle: str = Field(max_length=80, index=True)
    display_name: str = Field(max_length=200)
    locale: str | None = Field(default=None, max_length=10)
    # IANA zone ("Europe/Paris"), from the platform (Slack users.info, the Teams activity); else the organisation's.
    timezone: str | None = Field(default=None, max_length=64)
    department: str | None = Field(default=None, max_length=80)
    email: str | None = Field(default=None, max_length=320)
    created_at: datetime = timestamp_field()
    # Set when the platform refuses messages to this person (blocked the bot,
    # left the tenant); cleared when they speak to the bot again.
    unreachable_since: datetime | None = timestamp_field(nullable=True)
    unreachable_reason: str | None = Field(default=None, max_length=255)
    # Where notifications go: the platform they chose (/pmo notify), else the one they last wrote from.
    notify_platform: str | None = Field(default=None, max_length=20)
    last_platform: str | None = Field(default=None, max_length=20)


class Account(SQLModel, table=True):
    """A person's id on one chat platform; someone on Slack and Teams has two."""

    __tablename__ = "account"
    __table_args__ = (sa.UniqueConstraint("platform", "external_id", name="uq_account_platform_external"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    platform: str = Field(max_length=20)
    external_id: str = Field(max_length=255)
    # Verified by the platform (Slack profile.email, Teams' Entra e-mail): the same one links accounts.
    email: str | None = Field(default=None, max_length=320, index=True)
    created_at: datetime = timestamp_field()


class RoleGrant(SQLModel, table=True):
    __tablename__ = "role_grant"
    __table_args__ = (sa.UniqueConstraint("person_id", "role", name="uq_role_grant"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(max_length=20)
    # For the committee: the side the member sits for, "business" or "it".
    side: str | None = Field(default=None, max_length=20)
    granted_by_id: int | None = Field(default=None, foreign_key="person.id")
    granted_at: datetime = timestamp_field()


class KeyCounter(SQLModel, table=True):
    """Next number for each human key prefix (NEED, PRJ)."""

    __tablename__ = "key_counter"

    prefix: str = Field(primary_key=True, max_length=10)
    last: int = 0


class Need(SQLModel, table=True):
    __tablename__ = "need"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True, index=True)
    title: str = Field(max_length=200)
    problem: str = Field(default="", sa_type=sa.Text)
    benefits: str = Field(default="", sa_type=sa.Text)
    department: str | None = Field(default=None, max_length=80)
    sponsor: str | None = Field(default=None, max_length=200)
    users_affected: int | None = None
    desired_date: date | None = None
    budget: Decimal | None = Field(default=None, sa_type=MONEY)
    currency: str | None = Field(default=None, max_length=3)
    systems: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    personal_data: bool | None = None
    external_vendor: bool | None = None
    # The message that opened the conversation, kept as typed.
    opening_message: str = Field(default="", sa_type=sa.Text)
    # Answers to fields a PMO added in YAML that have no column of their own.
    extra: dict[str, Any] = json_field()
    status: str = Field(max_length=30, index=True)
    # Bumped by every lifecycle step: a step is written only if the need is
    # still at the status and version it was checked against.
    version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    requester_id: int = Field(foreign_key="person.id", index=True)
    claimed_by_id: int | None = Field(default=None, foreign_key="person.id")
    # Where the need was born: platform and conversation, to answer there.
    source_platform: str = Field(default="", max_length=20)
    source_conversation: str = Field(default="", max_length=255)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    submitted_at: datetime | None = timestamp_field(nullable=True)
    # When the need last started waiting on IT (submission, or an answer to IT).
    waiting_since: datetime | None = timestamp_field(nullable=True)
    # Each time the PMO sends it to the committee, a new round of votes starts.
    committee_round: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Set when the PMO merged this need into another one (status ``merged``).
    merged_into_id: int | None = Field(default=None, foreign_key="need.id", index=True)

    @property
    def key(self) -> str:
        return f"NEED-{self.number}"


class Estimate(SQLModel, table=True):
    """One version of IT's estimate of a need; re-estimates add versions."""

    __tablename__ = "estimate"
    __table_args__ = (sa.UniqueConstraint("need_id", "version", name="uq_estimate_version"),)

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    version: int
    effort_low: float
    effort_likely: float
    effort_high: float
    cost: Decimal = Field(sa_type=MONEY)
    currency: str = Field(max_length=3)
    duration_days: int
    confidence: str = Field(max_length=20)
    technical_risk: str = Field(max_length=20)
    security_review: bool
    notes: str = Field(default="", sa_type=sa.Text)
    extra: dict[str, Any] = json_field()
    estimator_id: int = Field(foreign_key="person.id")
    created_at: datetime = timestamp_field()


class Question(SQLModel, table=True):
    """A question about a need and its answer: from IT to the requester, or from the requester to IT."""

    __tablename__ = "question"

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    asked_by_id: int = Field(foreign_key="person.id")
    # Who is to answer: "requester" (IT asked) or "it" (the requester asked).
    addressee: str = Field(default="requester", max_length=20, sa_column_kwargs={"server_default": "requester"})
    text: str = Field(sa_type=sa.Text)
    asked_at: datetime = timestamp_field()
    answer: str | None = Field(default=None, sa_type=sa.Text)
    answered_by_id: int | None = Field(default=None, foreign_key="person.id")
    answered_at: datetime | None = timestamp_field(nullable=True)
    # Set when the need closed (withdrawn, rejected...) before the question was answered.
    closed_at: datetime | None = timestamp_field(nullable=True)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp_field(index=True)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    subject: str = Field(max_length=40, index=True)  # NEED-12, person:7
    action: str = Field(max_length=40)
    from_status: str | None = Field(default=None, max_length=30)
    to_status: str | None = Field(default=None, max_length=30)
    reason: str = Field(default="", sa_type=sa.Text)
    detail: dict[str, Any] = json_field()


class ConversationState(SQLModel, table=True):
    """A dialog in progress, saved after every answer so a restart loses nothing.

    One dialog per person and conversation is in front (``parked_at`` empty):
    the one their next message answers. Starting another puts it aside rather
    than dropping it; it comes back when the one in front ends, or on ``resume``.
    """

    __tablename__ = "conversation_state"
    __table_args__ = (
        sa.Index("uq_conversation_in_front", "conversation_key", "person_id", unique=True,
                 sqlite_where=sa.text("parked_at IS NULL"), postgresql_where=sa.text("parked_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_key: str = Field(max_length=255)
    person_id: int = Field(foreign_key="person.id", index=True)
    spec_id: str = Field(max_length=60)
    state: dict[str, Any] = json_field()
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    # When it was put aside for another dialog; empty for the dialog in front.
    parked_at: datetime | None = timestamp_field(nullable=True)


class OutboxMessage(SQLModel, table=True):
    """A message waiting to be delivered, sent once per idempotency key."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
        # Pacing looks up what was sent lately to one target.
        sa.Index("ix_outbox_pace", "platform", "target", "sent_at"),
        # ...and what was sent lately on the whole platform (a limit per app, such as Teams').
        sa.Index("ix_outbox_platform_pace", "platform", "sent_at"),
        # A reply is matched to the notification it answers by the platform's message id.
        sa.Index("ix_outbox_platform_message", "platform", "platform_message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255, unique=True)
    platform: str = Field(max_length=20)
    # "channel" (an address on the platform) or "person" (a direct message).
    target_kind: str = Field(max_length=10)
    target: str = Field(max_length=255)
    payload: dict[str, Any] = json_field()
    # Key of an earlier message this one replies to (a thread) or replaces (an update).
    thread_key: str | None = Field(default=None, max_length=255)
    replaces_key: str | None = Field(default=None, max_length=255)
    status: str = Field(default="pending", max_length=10)  # pending | sent | failed
    attempts: int = 0
    next_attempt_at: datetime = timestamp_field()
    locked_until: datetime | None = timestamp_field(nullable=True)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    platform_message_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = timestamp_field()
    sent_at: datetime | None = timestamp_field(nullable=True)
    # What a reply to this message is about (a need's key), for messages to a person.
    subject: str | None = Field(default=None, max_length=40)


class InboundDelivery(SQLModel, table=True):
    """A platform request already handled: an event, a button press, a form.

    Platforms deliver again when an acknowledgement is late or lost (Slack's
    ``X-Slack-Retry-Num``, a Teams invoke sent twice); the key of the first
    delivery is kept here so the second is recognised, on every replica.
    """

    __tablename__ = "inbound_delivery"

    key: str = Field(primary_key=True, max_length=255)
    platform: str = Field(max_length=20)
    received_at: datetime = timestamp_field(index=True)


class ConversationRef(SQLModel, table=True):
    """How to reach a person or a channel later, without them writing first.

    Teams needs the conversation reference (service URL, tenant, conversation
    id) to send proactively; it is stored when the bot is installed, added to
    a team, or spoken to, and survives restarts.
    """

    __tablename__ = "conversation_ref"
    __table_args__ = (sa.UniqueConstraint("platform", "kind", "address", name="uq_conversation_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    # person | channel | a channel purpose ("it-channel", "committee-channel"...)
    kind: str = Field(max_length=40)
    # The person's platform id, or the channel's conversation id.
    address: str = Field(max_length=255)
    reference: dict[str, Any] = json_field()
    updated_at: datetime = timestamp_field()


class SlackInstallation(SQLModel, table=True):
    """One workspace's (or org's) installation of the Slack app, from OAuth."""

    __tablename__ = "slack_installation"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(default="", max_length=64)
    enterprise_id: str | None = Field(default=None, max_length=32, index=True)
    team_id: str | None = Field(default=None, max_length=32, index=True)
    user_id: str | None = Field(default=None, max_length=32)
    is_enterprise_install: bool = False
    # Everything Slack returned, as slack_sdk's Installation.to_dict() has it.
    data: dict[str, Any] = json_field()
    installed_at: datetime = timestamp_field()


class SlackOAuthState(SQLModel, table=True):
    """An OAuth ``state`` handed out at /slack/install, consumed once at the redirect."""

    __tablename__ = "slack_oauth_state"

    state: str = Field(primary_key=True, max_length=128)
    expires_at: datetime = timestamp_field()
