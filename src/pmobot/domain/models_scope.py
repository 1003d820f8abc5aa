"""Scope tables (sqlmodel): IT's statement of what it will deliver, and who agreed to which version.

A statement of scope is a version that is never edited: IT's revision after a
request for changes is the next version, and the latest one is in force. Each
agreement is its own row, unique per version and person, so two people
agreeing at the same instant write one row each and never touch the version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pmobot.domain.models import timestamp_field


class ScopeVersion(SQLModel, table=True):
    """One version of IT's statement of scope for a need."""

    __tablename__ = "scope_version"
    __table_args__ = (sa.UniqueConstraint("need_id", "number", name="uq_scope_version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    number: int
    # Lists of short lines, as IT wrote them (one item each).
    in_scope: list[Any] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    out_of_scope: list[Any] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    assumptions: list[Any] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    acceptance: list[Any] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    # awaiting | changes_requested | agreed | superseded (domain.scope.ScopeStatus)
    status: str = Field(max_length=20, index=True)
    # Bumped by every write on the version (an agreement, a request for changes, a revision): the
    # compare-and-set that serialises them.
    lock: int = 0
    author_id: int = Field(foreign_key="person.id")
    created_at: datetime = timestamp_field()
    agreed_at: datetime | None = timestamp_field(nullable=True)


class ScopeAgreement(SQLModel, table=True):
    """One person's agreement to one version of a need's scope."""

    __tablename__ = "scope_agreement"
    __table_args__ = (sa.UniqueConstraint("scope_version_id", "person_id", name="uq_scope_agreement_person"),)

    id: int | None = Field(default=None, primary_key=True)
    scope_version_id: int = Field(foreign_key="scope_version.id", index=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    # requester | co_requester | sponsor: why this person may agree.
    capacity: str = Field(max_length=20)
    agreed_at: datetime = timestamp_field()


class ScopeComment(SQLModel, table=True):
    """A request for changes to one item of a version (item 0: the scope as a whole)."""

    __tablename__ = "scope_comment"

    id: int | None = Field(default=None, primary_key=True)
    scope_version_id: int = Field(foreign_key="scope_version.id", index=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    item: int = 0
    # The item's text as it read when commented on: the next version may reword it.
    item_text: str = Field(default="", sa_type=sa.Text)
    comment: str = Field(sa_type=sa.Text)
    created_at: datetime = timestamp_field()
