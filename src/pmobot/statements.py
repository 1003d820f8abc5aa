"""What a SQL statement does, read from its text: whether it only reads, whether it writes, and whether what it
takes lasts until its transaction ends. The engines decide by it where a statement runs (``sqlite_calls``) and
when a transaction opens (``sqlite_writes``, ``pg_transactions``)."""

from __future__ import annotations

import re
from functools import lru_cache

# An execution option: this connection's statements each commit on their own, no transaction opened for them
# (SQLite's migrations, whose PRAGMAs have no effect inside one; on PostgreSQL, statements that each stand
# alone: ``Database.alone``).
NO_BEGIN = "pmobot_no_begin"

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "CREATE", "DROP", "ALTER")

# Taken by a statement and held until its transaction ends (row locks, a transaction's advisory lock, a
# notification sent at commit, a table lock): outside a transaction, each would end with the statement.
_HELD = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b|\bpg_advisory_xact_lock|\bpg_notify\b"
    r"|^\s*(?:LOCK|NOTIFY|TRUNCATE)\b", re.IGNORECASE)


def is_read(statement: str) -> bool:
    """Whether ``statement`` only reads (a SELECT; one led by a CTE may write)."""
    return statement.lstrip()[:6].upper() == "SELECT"


def is_write(statement: str) -> bool:
    """Whether ``statement`` writes (its first word)."""
    return statement.lstrip()[:9].upper().startswith(_WRITES)


def may_write(statement: str) -> bool:
    """Whether ``statement`` writes or may: one led by a CTE may (the inbound claim on PostgreSQL)."""
    return is_write(statement) or statement.lstrip()[:4].upper() == "WITH"


@lru_cache(maxsize=1024)
def needs_transaction(statement: str) -> bool:
    """Whether ``statement`` must run in a transaction: it may write, or what it takes lasts until the commit.
    Kept per text: the same few statements come back at every request."""
    return may_write(statement) or _HELD.search(statement) is not None
