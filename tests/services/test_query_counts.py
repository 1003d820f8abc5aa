"""How many queries a command and a button press make, counted at the driver (``before_cursor_execute``).

The numbers must not grow with a need's history (no query inside a loop over
its rows), and the person, their account and their roles are read once per
request. The ceilings are today's counts: a change that adds queries to these
paths has to raise them here, on purpose.
"""

from __future__ import annotations

from sqlmodel import select

from pmobot.app import App
from pmobot.domain.models import Need
from pmobot.domain.roles import Role
from pmobot.services import intake, links, people
from pmobot.services.people import Identity
from tests.support.dialogs import file_sample_need
from tests.support.statements import caller_reads, counted

ALICE = Identity(platform="console", external_id="alice", display_name="Alice")
BOB = Identity(platform="console", external_id="bob", display_name="Bob")
# Someone of IT on Slack (a member of the IT channel), found by their Slack account from their second request.
SLACK_IT = Identity(platform="slack", external_id="UIT1", display_name="Ida", implied_roles=frozenset({Role.IT}))
# Who is talking is one query (their account, their person, their roles). The status then reads its need
# once with everything the card shows (latest estimate, assessment, review, scope version, project, and whether
# it has open questions or ties), its open questions, its history and everybody it names (one query); and the
# open dialog. A need with ties reads them in two more (``TIES``), however many.
STATUS_CEILING = 6
TIES = 2
# The claim: who, the step (need, update, audit, co-requesters), the requester told, then the IT card read as
# the status reads it.
CLAIM_CEILING = 13


def _caller_read_once(statements: list[str]) -> None:
    """The caller's account, person and roles are one statement, read once."""
    callers = caller_reads(statements)
    assert len(callers) == 1 and "role_grant.role" in callers[0], statements
    assert not any(s.startswith("SELECT role_grant") for s in statements), statements


async def _history(app: App, questions: int) -> None:
    for n in range(questions):
        await app.chat.on_command(ALICE, "console:a", f"ask NEED-1 question {n}")  # type: ignore[arg-type]


async def test_status_makes_the_same_few_queries_however_long_the_history(app: App) -> None:
    await file_sample_need(app, ALICE)
    await _history(app, 1)  # a need with no open question is read without looking for them
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
    await _history(app, 1)
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


async def _tie(app: App, others: int) -> None:
    """NEED-1 possibly the same as ``others`` more needs, followed by as many co-requesters."""
    async with app.db.session() as session:
        alice = await people.resolve(session, core=app.core, identity=ALICE)
        first = (await session.exec(select(Need).where(Need.number == 1))).one()
        for n in range(others):
            other, _ = await intake.submit_need(session, core=app.core, actor=alice, answers={
                "title": f"Other {n}", "problem": "p", "department": "sales"}, source_platform="console",
                source_conversation="console:a")
            await links.link(session, core=app.core, need=first, other=other, kind=links.POSSIBLY_SAME,
                             similarity=0.5)
            co = await people.resolve(session, core=app.core, identity=Identity("console", f"co{n}", f"Co {n}"))
            await links.add_co_requester(session, core=app.core, need=first, person_id=co.id, via=links.JOINED)


async def test_a_status_reads_the_ties_of_a_need_in_two_queries_however_many(app: App) -> None:
    await file_sample_need(app, ALICE)
    with counted(app) as untied:
        await app.chat.on_command(ALICE, "console:a", "status NEED-1")  # type: ignore[arg-type]
    await _tie(app, 1)
    with counted(app) as few:
        await app.chat.on_command(ALICE, "console:a", "status NEED-1")  # type: ignore[arg-type]
    await _tie(app, 4)
    with counted(app) as many:
        messages = await app.chat.on_command(ALICE, "console:a", "status NEED-1")  # type: ignore[arg-type]
    assert "Co 3" in str(messages) and "NEED-6" in str(messages)
    assert len(many) == len(few) == len(untied) + TIES <= STATUS_CEILING + TIES, many
