"""The inbound queue (sqlmodel): requests stored before they are acknowledged, worked on after.

A platform request that carries work (a slash command, a button press, an
event, a form, a Teams activity) is written here under its repeated-delivery
key in the transaction that acknowledges it, then taken by a worker. Rows of
one conversation are worked in ``id`` order, one at a time; the work of a row
and its ``done`` mark commit together, so a crash at any instant loses
nothing and repeats nothing. The answer the work produced is kept with that
mark (``answering``) until it has been sent, so a crash between the two sends
it then, and never does the work again. ``locked_until`` is a worker's lease
and its fencing token, as in the outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pmobot.domain.models import json_field, timestamp_field

# A row is unfinished while its work or its answer is still to do.
OPEN = ("pending", "answering")
# The partial index's predicate: a claim reads only the unfinished rows, however many done ones are kept (a
# day of them). A query reaches it by writing the same statuses out (``inbox._unfinished``), not bound.
_UNFINISHED = "status IN (" + ", ".join(f"'{status}'" for status in OPEN) + ")"


class InboundRequest(SQLModel, table=True):
    """One acknowledged request, waiting for (or done by) a worker."""

    __tablename__ = "inbound_request"
    __table_args__ = (
        # The claim keeps a row back while an earlier unfinished row of its conversation exists.
        sa.Index("ix_inbound_request_heads", "conversation", "id", sqlite_where=sa.text(_UNFINISHED),
                 postgresql_where=sa.text(_UNFINISHED)),
        sa.Index("ix_inbound_request_due", "status", "next_attempt_at"),
        # The claim takes the oldest unfinished rows first.
        sa.Index("ix_inbound_request_unfinished", "id", sqlite_where=sa.text(_UNFINISHED),
                 postgresql_where=sa.text(_UNFINISHED)),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The platform's natural key of the request (``keys.received``): a repeat delivery is not stored twice.
    key: str = Field(max_length=255, unique=True)
    platform: str = Field(max_length=20)
    # Which handler of the platform works on it ("command", "button", ...).
    kind: str = Field(max_length=40)
    # Rows with the same conversation are worked in order, one at a time (a person's answers stay in order).
    conversation: str = Field(max_length=255)
    # The request as the handler needs it back (the platform's body, a few fields of the context).
    body: dict[str, Any] = json_field()
    status: str = Field(default="pending", max_length=10)  # pending | answering | done | failed
    # The messages the work answered (``messages.to_dict``), kept until they are sent.
    answer: list[dict[str, Any]] | None = Field(default=None, sa_type=sa.JSON, nullable=True)
    attempts: int = 0
    received_at: datetime = timestamp_field()
    next_attempt_at: datetime = timestamp_field()
    locked_until: datetime | None = timestamp_field(nullable=True)
    done_at: datetime | None = timestamp_field(nullable=True)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
