"""The inbound queue: stored once, claimed in order per conversation, worked exactly once, answered once."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.util import await_only
from sqlmodel import select

from pmobot import sqlite_calls
from pmobot.app import App, create_app
from pmobot.clock import FrozenClock
from pmobot.config import Settings
from pmobot.db import Database
from pmobot.domain import keys
from pmobot.domain.models_inbound import InboundRequest
from pmobot.messages import Message
from pmobot.services import inbox
from pmobot.services.people import Identity
from pmobot.workers import Acknowledging, InboundWorker, hear_arrivals
from tests.support.dialogs import file_sample_need

ALICE = Identity(platform="console", external_id="alice", display_name="Alice")


async def _store(app: App, key: str, who: str, text_: str = "") -> bool:
    return await app.core.arrivals.receive(platform="console", kind="command", key=keys.command(key),
                                           conversation=inbox.conversation_of("console", who),
                                           body={"text": text_}, now=app.core.now())


async def _rows(app: App) -> list[InboundRequest]:
    async with app.db.session() as session:
        return list((await session.exec(select(InboundRequest).order_by(InboundRequest.id))).all())  # type: ignore[arg-type]


async def _questions(app: App) -> int:
    async with app.db.session() as session:
        return int((await session.exec(text("SELECT count(*) FROM question"))).one()[0])  # type: ignore[call-overload]


async def test_a_repeat_delivery_is_stored_once(app: App) -> None:
    assert await _store(app, "t1", "alice")
    assert not await _store(app, "t1", "alice")
    assert len(await _rows(app)) == 1


async def test_a_conversations_next_request_waits_for_the_one_before_on_every_worker(app: App) -> None:
    for key, who in (("a1", "alice"), ("a2", "alice"), ("b1", "bob")):
        await _store(app, key, who)
    first = await inbox.claim(app.db, now=app.core.now(), platforms=["console"], batch=10)
    # One row per conversation: Alice's second waits for her first.
    assert [row.key for row, _ in first] == ["console:command:a1", "console:command:b1"]
    # Another worker finds nothing: Alice's first is still unfinished, Bob's is taken.
    assert await inbox.claim(app.db, now=app.core.now(), platforms=["console"], batch=10) == []
    row, token = first[0]
    assert await inbox.finish(app.db, [(row, token)], now=app.core.now()) == 1
    second = await inbox.claim(app.db, now=app.core.now(), platforms=["console"], batch=10)
    assert [row.key for row, _ in second] == ["console:command:a2"]


def _probe_lookups(plan: list[Any], alias: str) -> list[str]:
    """How a PostgreSQL plan (``EXPLAIN (FORMAT JSON)``) reads the table under ``alias``: each index it reads
    with its condition, and any other way of reading it (a sequential scan) by its name. A bitmap heap scan
    is left out: the index under it is what says how it looks rows up."""
    found: list[str] = []

    def walk(node: dict[str, Any], inside: bool) -> None:
        inside = inside or node.get("Alias") == alias
        if inside and "Index Name" in node:
            found.append(f"{node['Index Name']} {node.get('Index Cond', '')}")
        elif node.get("Alias") == alias and "Index Name" not in node and node["Node Type"] != "Bitmap Heap Scan":
            found.append(node["Node Type"])
        for child in node.get("Plans", []):
            walk(child, inside and child.get("Alias") in (None, alias))

    walk(plan[0]["Plan"], False)
    return found


async def _probe_of_claim(app: App) -> list[str]:
    """How the claim looks for an earlier unfinished row of each candidate's conversation."""
    due = inbox._due_statement().params(now=app.core.now(), platforms=["console"], batch=8)
    async with app.db.session() as session:
        conn = await session.connection()
        sql = str(due.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        if app.db.is_sqlite:
            # SQLAlchemy binds the "no limit" (-1) SQLite needs before an OFFSET, literal binds or not.
            plan = (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, (-1,) * sql.count("?"))).all()
            return [row[-1] for row in plan if " inbound_request_1 " in row[-1]]
        return _probe_lookups((await conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql)).scalar_one(),
                              "inbound_request_1")


async def test_a_claim_looks_up_the_earlier_row_of_each_candidates_conversation_in_its_index(app: App) -> None:
    # A young table (no statistics gathered yet, as after a deployment), small and then with a backlog: the
    # probe is a lookup by conversation in the index of unfinished rows, never a scan of every waiting row
    # for each waiting row (PostgreSQL kept such a plan, made while the table was small).
    for count in (5, 600):
        await asyncio.gather(*(_store(app, f"w{count}-{n}", f"person{n % 20}") for n in range(count)))
        probe = await _probe_of_claim(app)
        assert probe and all("ix_inbound_request_heads" in line and "conversation" in line for line in probe), probe
    # And the rule it serves still holds: the oldest of each conversation, in order.
    first = await inbox.claim(app.db, now=app.core.now(), platforms=["console"], batch=3)
    assert [row.key for row, _ in first] == ["console:command:w5-0", "console:command:w5-1", "console:command:w5-2"]


async def test_a_lease_that_ran_out_is_taken_over_and_the_late_worker_commits_nothing(
        app: App, clock: FrozenClock) -> None:
    await file_sample_need(app, ALICE)
    await _store(app, "late", "alice", "ask NEED-1 une question en retard")
    [(row, token)] = await inbox.claim(app.db, now=app.core.now(), platforms=["console"], batch=10)
    clock.advance(seconds=inbox.LEASE.total_seconds() + 1)
    [(again, _)] = await inbox.claim(app.db, now=app.core.now(), platforms=["console"], batch=10)
    assert again.id == row.id
    with inbox.working(row, token, now=app.core.now()), pytest.raises(inbox.LeaseLost):
        await app.chat.on_command(ALICE, "c", "ask NEED-1 une question en retard")
    assert await _questions(app) == 0  # the late worker's work was rolled back with its mark


class CrashAfterTheWork:
    """A platform handler that works, then dies before its answer goes out, the first time only."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.sent: list[list[Message]] = []
        self.crashes = 1

    async def __call__(self, row: InboundRequest) -> None:
        messages = await self.app.chat.on_command(ALICE, "c", str(row.body["text"]))
        if self.crashes:
            self.crashes -= 1
            raise RuntimeError("the process died here")
        self.sent.append(messages)


async def test_a_crash_between_the_work_and_the_answer_sends_the_answer_once_and_never_redoes_the_work(
        app: App, clock: FrozenClock) -> None:
    await file_sample_need(app, ALICE)
    await _store(app, "ask1", "alice", "ask NEED-1 combien de licences ?")
    handler = CrashAfterTheWork(app)
    worker = InboundWorker(db=app.db, clock=clock, handlers={"console": handler})
    assert await worker.run_once() == 1
    [row] = await _rows(app)
    assert row.status == "answering" and row.answer  # the work and its answer committed together
    assert await _questions(app) == 1
    clock.advance(seconds=120)
    await worker.drain()
    [row] = await _rows(app)
    assert row.status == "done" and row.answer is None
    assert await _questions(app) == 1  # not asked twice
    assert len(handler.sent) == 1 and "NEED-1" in str(handler.sent[0])


async def test_a_failure_before_the_work_committed_is_tried_again_then_given_up(
        app: App, clock: FrozenClock) -> None:
    calls = 0

    async def broken(row: InboundRequest) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("a bug")

    await _store(app, "bad", "alice")
    worker = InboundWorker(db=app.db, clock=clock, handlers={"console": broken})
    for _ in range(inbox.MAX_ATTEMPTS):
        await worker.run_once()
        clock.advance(seconds=120)
    [row] = await _rows(app)
    assert calls == inbox.MAX_ATTEMPTS and row.status == "failed" and "a bug" in (row.last_error or "")
    depth = await inbox.depth(app.db, now=app.core.now())
    assert (depth.pending, depth.failed) == (0, 1)


async def test_a_savepoint_opened_as_the_first_write_is_rolled_back_with_its_transaction(app: App) -> None:
    with pytest.raises(RuntimeError):
        async with app.db.session() as session:
            async with session.begin_nested():
                await inbox.store(session, platform="console", kind="command", key=keys.command("sp"),
                                  conversation="console:alice", body={}, now=app.core.now())
            raise RuntimeError("the work after it failed")
    assert await _rows(app) == []


async def test_depth_says_how_many_wait_and_since_when(app: App, clock: FrozenClock) -> None:
    await _store(app, "d1", "alice")
    clock.advance(seconds=30)
    await _store(app, "d2", "bob")
    depth = await inbox.depth(app.db, now=clock.now() + timedelta(seconds=5))
    assert (depth.pending, depth.oldest_seconds, depth.failed) == (2, 35.0, 0)


async def test_a_bug_in_the_work_is_tried_again_then_answered_with_its_reference(
        app: App, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    from pmobot.i18n import t
    from pmobot.services import intake

    async def broken(*args: object, **kwargs: object) -> list[Message]:
        raise RuntimeError("a bug")

    await file_sample_need(app, ALICE)
    monkeypatch.setattr(intake, "status", broken)
    await _store(app, "st", "alice", "status NEED-1")
    answers: list[list[Message]] = []

    async def handler(row: InboundRequest) -> None:
        answers.append(await app.chat.on_command(ALICE, "c", str(row.body["text"])))  # type: ignore[arg-type]

    worker = InboundWorker(db=app.db, clock=clock, handlers={"console": handler})
    for _ in range(inbox.MAX_ATTEMPTS):
        await worker.run_once()
        clock.advance(seconds=120)
    [row] = await _rows(app)
    # Tried MAX_ATTEMPTS times; only the last one answered, with the reference of the failure.
    assert row.status == "done" and len(answers) == 1
    assert t("fr", "chat.internal_error", ref="")[:20] in str(answers[0])


class Held:
    """A handler that holds each row until the test releases it; which rows started, in order."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.changed = asyncio.Event()
        self.open = False

    async def __call__(self, row: InboundRequest) -> None:
        gate = self.gates.setdefault(row.key, asyncio.Event())
        if self.open:
            gate.set()
        self.started.append(row.key)
        self.changed.set()
        await gate.wait()

    def release(self, key: str) -> None:
        self.gates.setdefault(key, asyncio.Event()).set()

    def release_all(self) -> None:
        """Every row, started or to come (the test is over)."""
        self.open = True
        for gate in self.gates.values():
            gate.set()

    async def until(self, count: int) -> None:
        async def wait() -> None:
            while len(self.started) < count:
                self.changed.clear()
                await self.changed.wait()
        # Only a guard against a hang: the rows start as soon as the worker is scheduled.
        await asyncio.wait_for(wait(), timeout=30)


async def _locked(app: App) -> list[str]:
    return [row.key for row in await _rows(app) if row.locked_until is not None and row.status != "done"]


@asynccontextmanager
async def _worker_running(app: App, clock: FrozenClock, held: Held, **options: Any) -> AsyncIterator[InboundWorker]:
    """A worker running ``held`` on the console's rows until the block ends; then every row is let go."""
    stop = asyncio.Event()
    worker = InboundWorker(db=app.db, clock=clock, handlers={"console": held}, **options)
    running = asyncio.ensure_future(worker.run(stop))
    try:
        yield worker
    finally:
        stop.set()
        held.release_all()
        await running


async def test_a_worker_claims_no_more_rows_than_it_can_start_and_claims_again_as_slots_free_up(
        app: App, clock: FrozenClock) -> None:
    for n in range(5):
        await _store(app, f"p{n}", f"person{n}")
    held = Held()
    async with _worker_running(app, clock, held, concurrency=2, batch=32):
        await held.until(2)
        # Every claimed row is being worked: none waits in the worker while its lease runs.
        assert sorted(await _locked(app)) == sorted(held.started)
        first, second = held.started
        held.release(first)
        await held.until(3)
        # The freed slot was filled while the other row was still being worked.
        assert second not in held.gates or not held.gates[second].is_set()
        assert sorted(await _locked(app)) == sorted([second, held.started[2]])
        for n in range(5):
            held.release(f"console:command:p{n}")
        await held.until(5)
    assert [row.status for row in await _rows(app)] == ["done"] * 5
    assert len(held.started) == len(set(held.started)) == 5


async def test_two_workers_share_the_queue_without_reserving_rows_they_cannot_start(
        app: App, clock: FrozenClock) -> None:
    for n in range(6):
        await _store(app, f"s{n}", f"person{n}")
    held, stop = Held(), asyncio.Event()
    workers = [InboundWorker(db=app.db, clock=clock, handlers={"console": held}, concurrency=2) for _ in range(2)]
    first = asyncio.ensure_future(workers[0].run(stop))
    await held.until(2)
    second = asyncio.ensure_future(workers[1].run(stop))
    try:
        await held.until(4)
        # Two rows each, all started; the last two are left free for whichever worker has a slot first.
        assert sorted(await _locked(app)) == sorted(held.started)
        assert len([row for row in await _rows(app) if row.locked_until is None]) == 2
        for n in range(6):
            held.release(f"console:command:s{n}")
        await held.until(6)
    finally:
        stop.set()
        held.release_all()
        await asyncio.gather(first, second)
    assert [row.status for row in await _rows(app)] == ["done"] * 6
    assert len(held.started) == len(set(held.started)) == 6  # never worked twice


async def test_a_claim_marks_the_rows_answered_since_done_first_and_takes_their_conversations_next(
        app: App) -> None:
    await _store(app, "n1", "alice")
    await _store(app, "n2", "alice")
    [(row, token)] = await inbox.claim(app.db, now=app.core.now(), platforms=["console"], batch=10)
    # One transaction: the first is done, so Alice's second is due in the same claim.
    [(second, _)] = await inbox.claim(app.db, now=app.core.now(), platforms=["console"], batch=10,
                                      finished=[(row, token)])
    assert second.key == "console:command:n2"
    assert [r.status for r in await _rows(app)] == ["done", "pending"]


class Received:
    """The statements the database receives, and its commits: what SQLite runs (its trace of each connection
    checked out meanwhile, and of the event loop's own, where the edge and a worker's claim commit below the
    engine's events), what PostgreSQL is sent (the engine's events)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.watching = True
        engine = app.db.engine.sync_engine
        if app.db.is_sqlite:
            event.listen(engine.pool, "checkout", self._trace)
            if app.db.loop_commits is not None:
                app.db.loop_commits._connect().set_trace_callback(self._ran)
        else:
            event.listen(engine, "commit", self._committed)
            event.listen(engine, "before_cursor_execute", self._executed)

    def statement(self, text: str) -> None:
        """Told each statement received."""

    def committed(self) -> None:
        """Told each commit."""

    def _trace(self, dbapi_connection: object, _record: object, _proxy: object) -> None:
        driver = dbapi_connection.driver_connection  # type: ignore[attr-defined]
        await_only(driver._execute(lambda: driver._conn.set_trace_callback(self._ran)))

    def _ran(self, statement: str) -> None:
        if not self.watching:
            return
        if statement.upper() == "COMMIT":
            self.committed()
        self.statement(statement)

    def _committed(self, _conn: object) -> None:
        self.committed()

    def _executed(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        self.statement(statement)

    def close(self) -> None:
        self.watching = False
        engine = self.app.db.engine.sync_engine
        if self.app.db.is_sqlite:
            event.remove(engine.pool, "checkout", self._trace)
            if self.app.db.loop_commits is not None:
                self.app.db.loop_commits._connect().set_trace_callback(None)
        else:
            event.remove(engine, "commit", self._committed)
            event.remove(engine, "before_cursor_execute", self._executed)


class Writes(Received):
    """The tables written, statement by statement."""

    WRITE = re.compile(r"^(?:WITH\b.*?\)\s*)?(?:INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)", re.S | re.I)

    def __init__(self, app: App) -> None:
        self.seen: list[str] = []
        super().__init__(app)

    def statement(self, text: str) -> None:
        # A claim on PostgreSQL is led by its CTE.
        if found := self.WRITE.match(text.strip()):
            self.seen.append(found.group(1))


class Commits(Received):
    """The transactions committed and the rows inserted into the queue."""

    def __init__(self, app: App) -> None:
        self.commits = 0
        self.inserts = 0
        super().__init__(app)

    def committed(self) -> None:
        self.commits += 1

    def statement(self, text: str) -> None:
        if text.lstrip().upper().startswith("INSERT INTO INBOUND_REQUEST"):
            self.inserts += 1


async def test_a_request_that_changes_nothing_writes_nothing_until_its_batch_is_marked_done(
        app: App, clock: FrozenClock) -> None:
    await file_sample_need(app, ALICE)
    await _store(app, "st1", "alice", "status NEED-1")
    writes = Writes(app)
    statuses: list[str] = []

    async def handler(row: InboundRequest) -> None:
        answer = await app.chat.on_command(ALICE, "c", str(row.body["text"]))
        assert "NEED-1" in str(answer)
        statuses.extend(r.status for r in await _rows(app))

    worker = InboundWorker(db=app.db, clock=clock, handlers={"console": handler})
    try:
        assert await worker.run_once() == 1
    finally:
        writes.close()
    # Not marked with its answer: done again after a crash, it gives the same answer and changes nothing.
    assert statuses == ["pending"]
    # The claim, then the batch's done mark: the work itself wrote nothing.
    assert writes.seen == ["inbound_request"] * 2
    assert [r.status for r in await _rows(app)] == ["done"]


async def test_a_request_that_changes_nothing_is_fenced_by_its_row_once_half_its_lease_is_gone(
        app: App, clock: FrozenClock) -> None:
    await file_sample_need(app, ALICE)
    await _store(app, "st2", "alice", "status NEED-1")
    [(row, token)] = await inbox.claim(app.db, now=app.core.now(), platforms=["console"], batch=10)
    clock.advance(seconds=inbox.READ_ONLY_WITHIN.total_seconds() + 1)
    with inbox.working(row, token, now=app.core.now()):
        await app.chat.on_command(ALICE, "c", "status NEED-1")
    [row] = await _rows(app)
    assert row.status == "answering" and row.answer  # marked under its lease, as a write would be
    await _store(app, "st3", "alice", "status NEED-1")
    await inbox.finish(app.db, [(row, token)], now=app.core.now())
    [(late, late_token)] = await inbox.claim(app.db, now=app.core.now(), platforms=["console"], batch=10)
    clock.advance(seconds=inbox.LEASE.total_seconds() + 1)
    [(again, _)] = await inbox.claim(app.db, now=app.core.now(), platforms=["console"], batch=10)
    assert again.id == late.id
    with inbox.working(late, late_token, now=app.core.now()), pytest.raises(inbox.LeaseLost):
        await app.chat.on_command(ALICE, "c", "status NEED-1")


async def test_requests_arriving_at_once_are_stored_by_one_transaction_each_told_whether_it_is_a_repeat(
        app: App) -> None:
    assert await _store(app, "before", "carol")
    seen = Commits(app)
    try:
        answers = await asyncio.gather(_store(app, "g1", "alice"), _store(app, "g2", "bob"),
                                       _store(app, "g1", "alice"), _store(app, "before", "carol"),
                                       _store(app, "g3", "dan"))
    finally:
        seen.close()
    # The first of a key in the batch is new; its second copy and the key stored before are repeats.
    assert answers == [True, True, False, False, True]
    assert (seen.commits, seen.inserts) == (1, 1)
    assert sorted(row.key for row in await _rows(app)) == [
        f"console:command:{key}" for key in ("before", "g1", "g2", "g3")]


async def test_a_batch_holds_at_most_its_bound_and_the_rest_go_in_the_next_transaction(app: App) -> None:
    app.core.arrivals = inbox.Arrivals(app.db, batch=2)
    seen = Commits(app)
    try:
        answers = await asyncio.gather(*(_store(app, f"b{n}", f"person{n}") for n in range(5)))
    finally:
        seen.close()
    assert answers == [True] * 5
    assert (seen.commits, seen.inserts) == (3, 3)
    assert len(await _rows(app)) == 5


async def test_a_batch_whose_transaction_fails_raises_to_every_caller_and_stores_none_of_them(
        app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(_conn: object) -> None:
        raise RuntimeError("the disk is full")

    def fail_insert(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO INBOUND_REQUEST"):
            fail(_conn)

    # Where each database's batch is made durable: SQLite's commit, on the driver's thread in the same call as
    # its statement; PostgreSQL's one statement, committed on its own (``Database.alone``).
    engine = app.db.engine.sync_engine
    seen = Commits(app)
    if app.db.is_sqlite:
        monkeypatch.setattr(sqlite_calls, "_commit", fail)
    else:
        event.listen(engine, "before_cursor_execute", fail_insert)
    try:
        answers = await asyncio.gather(_store(app, "f1", "alice"), _store(app, "f2", "bob"),
                                       _store(app, "f1", "alice"), return_exceptions=True)
    finally:
        if not app.db.is_sqlite:
            event.remove(engine, "before_cursor_execute", fail_insert)
        monkeypatch.undo()
        seen.close()
    # One write for the three, undone: each caller hears of it (none acknowledges).
    assert seen.inserts == 1
    assert [str(answer) for answer in answers] == ["the disk is full"] * 3
    assert await _rows(app) == []
    # The next arrival is stored as if nothing had happened: the failed one was never acknowledged, comes again.
    assert await _store(app, "f1", "alice")


async def test_a_caller_gone_while_its_batch_is_written_cancels_nobody_elses_storing(
        app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    writing, go_on = asyncio.Event(), asyncio.Event()
    insert = inbox.Arrivals._insert

    async def held(arrivals: inbox.Arrivals, rows: list[dict[str, object]]) -> set[str]:
        writing.set()
        await go_on.wait()
        return await insert(arrivals, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(inbox.Arrivals, "_insert", held)
    callers = [asyncio.ensure_future(_store(app, f"c{n}", f"person{n}")) for n in range(3)]
    await asyncio.wait_for(writing.wait(), timeout=30)  # only a guard against a hang
    callers[0].cancel()  # the first caller, whose arrival started the writer
    go_on.set()
    assert await callers[1] and await callers[2]
    with pytest.raises(asyncio.CancelledError):
        await callers[0]
    # Its row was in the transaction: stored, and worked once (its platform's repeat will be told so).
    assert len(await _rows(app)) == 3


async def test_one_request_the_database_refuses_sinks_none_of_the_others_of_its_batch(app: App) -> None:
    """A body the database will not take (here one that is not JSON; on PostgreSQL a NUL in a JSON text is
    another) fails alone: the others of its batch are stored and told so, at the first try."""

    async def refused() -> bool:
        return await app.core.arrivals.receive(platform="console", kind="command", key=keys.command("bad"),
                                               conversation=inbox.conversation_of("console", "eve"),
                                               body={"text": object()}, now=app.core.now())

    answers = await asyncio.gather(_store(app, "ok1", "alice"), refused(), _store(app, "ok2", "bob"),
                                   _store(app, "ok1", "alice"), return_exceptions=True)
    assert answers[0] is True and answers[2] is True and answers[3] is False
    assert isinstance(answers[1], Exception) and "JSON serializable" in str(answers[1])
    assert sorted(row.key for row in await _rows(app)) == ["console:command:ok1", "console:command:ok2"]


async def test_a_nul_in_a_request_is_stored_on_every_database(app: App) -> None:
    """Slack and Teams deliver what people typed, NUL included; PostgreSQL's JSON refuses a NUL escape, so
    a request carrying one must still be stored (and acknowledged), not refused at each retry."""
    assert await _store(app, "nul", "alice", "Outil\x00de suivi")
    [row] = await _rows(app)
    assert "Outil" in row.body["text"]


@asynccontextmanager
async def _working(worker: InboundWorker) -> AsyncIterator[None]:
    """The worker running (``run``) inside the block, stopped at its end once its rows in hand are done."""
    stop = asyncio.Event()
    running = asyncio.ensure_future(worker.run(stop))
    try:
        yield
    finally:
        stop.set()
        worker.wake()
        await running


async def _serving_worker(app: App, clock: FrozenClock, *,
                          yield_most: float) -> tuple[Acknowledging, Held, InboundWorker]:
    """A worker of a serving process, its handler letting every row through, one request stored."""
    acknowledging, held = Acknowledging(), Held()
    held.release_all()
    worker = InboundWorker(db=app.db, clock=clock, handlers={"console": held}, acknowledging=acknowledging,
                           yield_most=yield_most)
    await _store(app, "p1", "alice")
    return acknowledging, held, worker


async def test_requests_are_over_only_once_none_has_been_in_flight_for_a_calm() -> None:
    acknowledging = Acknowledging(calm=60)
    # A lone request may be the first of a burst whose others are not read yet: not quiet once acknowledged.
    with acknowledging.request():
        assert not await acknowledging.quiet(most=0)
    assert acknowledging.in_flight == 0 and not await acknowledging.quiet(most=0)
    # Nothing in flight for an instant between two batches of a burst is not quiet either.
    with acknowledging.request(), acknowledging.request():
        pass
    assert not await acknowledging.quiet(most=0)
    # The calm runs out on its own (1 ms here; 30 s is only a guard against a hang), after one request or many.
    short = Acknowledging(calm=0.001)
    with short.request():
        pass
    assert await short.quiet(most=30)
    with short.request(), short.request():
        pass
    assert await short.quiet(most=30)


async def test_a_request_during_the_calm_starts_it_again() -> None:
    acknowledging = Acknowledging(calm=0.001)
    with acknowledging.request(), acknowledging.request():
        pass
    with acknowledging.request():
        # The calm begun by the burst was called off: it does not end while this request is in flight.
        assert not await acknowledging.quiet(most=0.01)
    assert await acknowledging.quiet(most=30)


async def test_a_serving_worker_claims_nothing_while_requests_are_being_acknowledged(
        app: App, clock: FrozenClock) -> None:
    acknowledging, held, worker = await _serving_worker(app, clock, yield_most=60)
    async with _working(worker):
        with acknowledging.request():
            for _ in range(100):
                if acknowledging.waiting:
                    break
                await asyncio.sleep(0)  # the worker's turn: it reaches the wait before any claim
            # The request in flight goes first: the worker waits, the stored row not even claimed.
            assert acknowledging.waiting == 1
            assert held.started == [] and await _locked(app) == []
        await held.until(1)
    assert [row.status for row in await _rows(app)] == ["done"]


async def test_a_serving_worker_waits_for_acknowledgements_a_bounded_time_only(app: App, clock: FrozenClock) -> None:
    acknowledging, held, worker = await _serving_worker(app, clock, yield_most=0)
    # Requests in flight all along (a process never idle) do not starve the queue.
    with acknowledging.request():
        async with _working(worker):
            await held.until(1)
    assert [row.status for row in await _rows(app)] == ["done"]


async def test_a_serving_worker_still_acknowledging_after_its_wait_claims_one_row_not_its_free_slots(
        app: App, clock: FrozenClock) -> None:
    acknowledging, held = Acknowledging(), Held()
    worker = InboundWorker(db=app.db, clock=clock, handlers={"console": held}, acknowledging=acknowledging,
                           yield_most=0)
    for key, who in (("p1", "alice"), ("p2", "bob"), ("p3", "carol")):
        await _store(app, key, who)
    with ExitStack() as in_flight:
        in_flight.enter_context(acknowledging.request())
        async with _working(worker):
            try:
                await held.until(1)
                for _ in range(20):
                    await asyncio.sleep(0)  # every chance to run
                # Eight free slots, three rows due, a request still in flight: one row taken, the others left.
                assert held.started == ["console:command:p1"] and await _locked(app) == ["console:command:p1"]
                in_flight.close()  # acknowledged: nothing in flight any more
                worker.wake()
                await held.until(3)  # the free slots filled at once
            finally:
                held.release_all()  # the worker stops only once its rows are through
    assert [row.status for row in await _rows(app)] == ["done"] * 3


class Looks(Received):
    """The first word of each statement on the queue's table; ``looked`` is set at the third."""

    def __init__(self, app: App) -> None:
        self.statements: list[str] = []
        self.looked = asyncio.Event()
        super().__init__(app)

    def statement(self, text: str) -> None:
        if "inbound_request" in text:
            self.statements.append(text.split()[0].upper())
            if len(self.statements) >= 3:
                self.looked.set()


async def test_an_idle_worker_polls_by_reading_and_writes_only_to_claim(app: App, clock: FrozenClock) -> None:
    held = Held()
    held.release_all()
    worker = InboundWorker(db=app.db, clock=clock, handlers={"console": held}, poll_seconds=0)
    looks = Looks(app)
    try:
        async with _working(worker):
            await asyncio.wait_for(looks.looked.wait(), timeout=30)  # only a guard against a hang
            # The first look is a claim; with nothing found, every poll after it only reads.
            statements = looks.statements
            assert statements[0] in ("UPDATE", "WITH") and set(statements[1:]) == {"SELECT"}, statements
            await _store(app, "p1", "alice")  # the next look finds it, and the worker claims it
            await held.until(1)
    finally:
        looks.close()
    assert [row.status for row in await _rows(app)] == ["done"]


# LISTEN and NOTIFY are PostgreSQL's (SQLite is one process): run in the PostgreSQL leg only.
ON_POSTGRES = pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                                      indirect=True)


@ON_POSTGRES
async def test_a_worker_process_hears_a_request_stored_by_another_process_at_once(
        app: App, settings: Settings, clock: FrozenClock) -> None:
    # ``pmobot worker`` apart from the web replica (``app``): its own engine, and a poll it would never reach.
    apart = create_app(settings, clock=clock)
    held, listening, looked = Held(), asyncio.Event(), asyncio.Event()
    held.release_all()
    worker = InboundWorker(db=apart.db, clock=clock, handlers={"console": held}, poll_seconds=3600)

    def claimed(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if "inbound_request" in statement:
            looked.set()

    event.listen(apart.db.engine.sync_engine, "after_cursor_execute", claimed)
    hearing = asyncio.ensure_future(hear_arrivals(apart.db, wake=worker.wake, listening=listening))
    try:
        async with _working(worker):
            await asyncio.wait_for(asyncio.gather(listening.wait(), looked.wait()), timeout=30)  # hang guard
            # The worker has looked and found nothing: only the notification can wake it before its hour's poll.
            await _store(app, "p1", "alice")
            await held.until(1)
    finally:
        hearing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await hearing
        event.remove(apart.db.engine.sync_engine, "after_cursor_execute", claimed)
        await apart.close()
    assert [row.status for row in await _rows(app)] == ["done"]


async def test_a_listener_that_cannot_connect_tries_again_later_and_later(
        caplog: pytest.LogCaptureFixture) -> None:
    # Nothing listens on port 1: every connection is refused at once, offline.
    unreachable = Database("postgresql://pmobot@127.0.0.1:1/pmobot")
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 7:
            raise asyncio.CancelledError  # the process stopping

    try:
        with pytest.raises(asyncio.CancelledError):
            await hear_arrivals(unreachable, wake=lambda: None, pause=pause, retry_most=30)
    finally:
        await unreachable.dispose()
    # The polls find every row meanwhile: the listener only comes back, ever less often, never gives up.
    assert pauses == [1, 2, 4, 8, 16, 30, 30]
    assert "not hearing new requests (OperationalError)" in caplog.text


async def test_a_request_a_worker_runs_is_remembered_by_its_queue_row_and_by_no_other_record(
        app: App, clock: FrozenClock) -> None:
    from pmobot.domain.models import InboundDelivery

    await file_sample_need(app, ALICE)
    await _store(app, "k1", "alice", "status NEED-1")
    answers: list[list[Message]] = []

    async def handler(row: InboundRequest) -> None:
        # The platform's key of the row's own request: the row is its record. Another key still needs one.
        assert inbox.runs("console", keys.command("k1")) and not inbox.runs("console", keys.command("k2"))
        assert not inbox.runs("slack", keys.command("k1"))
        answers.append(await app.chat.on_command(ALICE, "c", str(row.body["text"]), once=keys.command("k1")))

    worker = InboundWorker(db=app.db, clock=clock, handlers={"console": handler})
    assert await worker.run_once() == 1
    assert not inbox.runs("console", keys.command("k1"))  # outside a worker
    assert len(answers) == 1 and "NEED-1" in str(answers[0])
    async with app.db.session() as session:
        assert (await session.exec(select(InboundDelivery))).all() == []
    # The same request handled outside a worker (before its ack) is remembered by its own record: once.
    assert "NEED-1" in str(await app.chat.on_command(ALICE, "c", "status NEED-1", once=keys.command("k2")))
    assert await app.chat.on_command(ALICE, "c", "status NEED-1", once=keys.command("k2")) == []


async def test_while_rows_are_worked_a_claim_waits_for_half_the_slots_then_takes_them_together(
        app: App, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(8):
        await _store(app, f"h{n}", f"person{n}")
    claimed: list[int] = []
    real_claim = inbox.claim

    async def claim(*args: Any, **kwargs: Any) -> list[tuple[InboundRequest, datetime]]:
        rows = await real_claim(*args, **kwargs)
        claimed.append(len(rows))
        return rows

    monkeypatch.setattr(inbox, "claim", claim)
    held = Held()
    # Put off for as long as the test takes: only freed slots end the wait here.
    async with _worker_running(app, clock, held, concurrency=4, fuller_most=3600) as worker:
        await held.until(4)
        held.release(held.started[0])
        put_off = worker.put_off
        for _ in range(1000):  # turns of the event loop, until the worker has heard the row finish
            if worker.put_off > put_off:
                break
            await asyncio.sleep(0)
        # It did not claim for one free slot.
        assert worker.put_off > put_off and len(held.started) == 4 and claimed == [4]
        held.release(held.started[1])
        await held.until(6)
        assert claimed == [4, 2]  # one claim for the two free slots
        held.release_all()
        await held.until(8)
    assert [row.status for row in await _rows(app)] == ["done"] * 8


async def test_a_claim_put_off_for_more_free_slots_is_made_after_a_while_anyway(
        app: App, clock: FrozenClock) -> None:
    for n in range(5):
        await _store(app, f"w{n}", f"person{n}")
    held = Held()
    # Rows held by a slow platform: the one free slot is used without waiting for a second one.
    async with _worker_running(app, clock, held, concurrency=4, fuller_most=0.01) as worker:
        await held.until(4)
        held.release(held.started[0])
        await held.until(5)  # one slot of four free, under half: claimed once the wait is over
        assert worker.put_off >= 1
