"""How many queries a command and a button press make, counted at the driver (``before_cursor_execute``).

The numbers must not grow with a need's history (no query inside a loop over
its rows), and the person, their account and their roles are read once per
request. The ceilings are today's counts: a change that adds queries to these
paths has to raise them here, on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from pmobot.app import App
from pmobot.services.people import Identity
from tests.support.dialogs import file_sample_need

ALICE = Identity(platform="console", external_id="alice", display_name="Alice")
BOB = Identity(platform="console", external_id="bob", display_name="Bob")
# The status reads the scope sign-off too (its latest version and who agreed); its score is read once for
# the card and the status alike (three fewer than when the card read it again).
STATUS_CEILING = 22
CLAIM_CEILING = 29


@contextmanager
def counted(app: App) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(" ".join(statement.split())[:80])

    engine = app.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def _history(app: App, questions: int) -> None:
    for n in range(questions):
        await app.chat.on_command(ALICE, "console:a", f"ask NEED-1 question {n}")  # type: ignore[arg-type]


async def test_status_makes_the_same_few_queries_however_long_the_history(app: App) -> None:
    await file_sample_need(app, ALICE)
    with counted(app) as short:
        await app.chat.on_command(ALICE, "console:a", "status NEED-1")  # type: ignore[arg-type]
    await _history(app, 15)
    with counted(app) as long:
        messages = await app.chat.on_command(ALICE, "console:a", "status NEED-1")  # type: ignore[arg-type]
    assert "NEED-1" in str(messages)
    assert len(long) == len(short) <= STATUS_CEILING, long
    assert sum(1 for s in long if s.startswith("SELECT role_grant")) == 1
    assert sum(1 for s in long if s.startswith("SELECT account")) == 1


async def test_a_claim_makes_a_fixed_number_of_queries(app: App) -> None:
    await file_sample_need(app, ALICE)
    await _history(app, 15)
    with counted(app) as statements:
        messages = await app.chat.on_action(BOB, "console:b", "need.claim", "NEED-1")  # type: ignore[arg-type]
    assert "NEED-1" in str(messages)
    assert len(statements) <= CLAIM_CEILING, statements
    assert sum(1 for s in statements if s.startswith("SELECT role_grant")) == 1
    assert sum(1 for s in statements if s.startswith("UPDATE need")) == 1
