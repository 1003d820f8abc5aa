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
from pmobot.domain.roles import Role
from pmobot.services.people import Identity
from tests.support.dialogs import file_sample_need

ALICE = Identity(platform="console", external_id="alice", display_name="Alice")
BOB = Identity(platform="console", external_id="bob", display_name="Bob")
# Someone of IT on Slack (a member of the IT channel), found by their Slack account from their second request.
SLACK_IT = Identity(platform="slack", external_id="UIT1", display_name="Ida", implied_roles=frozenset({Role.IT}))
# Who is talking is one query (their account, their person, their roles). The status then reads its need
# once with everything the card shows (latest estimate, assessment, review, scope version, project), its open
# questions, its history, its links, the needs around it and everybody it names (one query); and the open dialog.
STATUS_CEILING = 8
# The claim: who, the step (need, update, audit, co-requesters), the requester told, then the IT card read as
# the status reads it.
CLAIM_CEILING = 15


@contextmanager
def counted(app: App) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(" ".join(statement.split()))

    engine = app.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _caller_read_once(statements: list[str]) -> None:
    """The caller's account, person and roles are one statement, read once."""
    callers = [s for s in statements if "FROM account JOIN person" in s]
    assert len(callers) == 1 and "role_grant.role" in callers[0], statements
    assert not any(s.startswith("SELECT role_grant") for s in statements), statements


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
    _caller_read_once(long)


async def test_a_status_from_slack_makes_as_few_queries_as_from_the_console(app: App) -> None:
    await file_sample_need(app, ALICE)
    await app.chat.on_command(SLACK_IT, "slack:user:UIT1", "status NEED-1")  # type: ignore[arg-type]
    with counted(app) as short:
        await app.chat.on_command(SLACK_IT, "slack:user:UIT1", "status NEED-1")  # type: ignore[arg-type]
    await _history(app, 15)
    await app.chat.on_action(BOB, "console:b", "need.claim", "NEED-1")  # type: ignore[arg-type]
    with counted(app) as long:
        messages = await app.chat.on_command(SLACK_IT, "slack:user:UIT1", "status NEED-1")  # type: ignore[arg-type]
    assert "Bob" in str(messages)  # who claimed it, and one more step in the history
    assert len(long) == len(short) <= STATUS_CEILING, long
    _caller_read_once(long)
    assert sum(1 for s in long if s.startswith("SELECT person")) == 1  # everybody the need names


async def test_a_claim_makes_a_fixed_number_of_queries(app: App) -> None:
    await file_sample_need(app, ALICE)
    await _history(app, 15)
    with counted(app) as statements:
        messages = await app.chat.on_action(BOB, "console:b", "need.claim", "NEED-1")  # type: ignore[arg-type]
    assert "NEED-1" in str(messages)
    assert len(statements) <= CLAIM_CEILING, statements
    _caller_read_once(statements)
    assert sum(1 for s in statements if s.startswith("UPDATE need")) == 1
