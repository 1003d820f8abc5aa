"""The statements an app sends to its database while a block runs, counted at the driver
(``before_cursor_execute``), for the tests that hold a request to a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from pmobot.app import App


@contextmanager
def counted(app: App) -> Iterator[list[str]]:
    """Each statement run through ``app``'s engine inside the block, on one line."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(" ".join(statement.split()))

    engine = app.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def caller_reads(statements: list[str]) -> list[str]:
    """The statements that read who is asking: their account with their person (and roles), either way round."""
    return [s for s in statements if "FROM account JOIN person" in s or "FROM person JOIN account" in s]
