"""The weekly digest: its build for every channel at n and 10n needs, and its fan-out to 1,000 channels.

Build: a portfolio of 1,000 then 10,000 needs (100 then 1,000 projects, the
shape of ``tests/support/portfolio.py``) on SQLite; the digest of every
channel a portfolio of four departments has (PMO, IT, committee, four
departments) built as the job builds it, facts and card, then the charts
apart (matplotlib). Every SQL statement is counted with a
``before_cursor_execute`` listener: the count must not grow with the
portfolio. Worst of five runs.

Fan-out: one digest (the PMO's: card and chart) queued for 1,000 Slack channels
as the job queues each, then sent by the real outbox worker and Slack deliverer,
against a fake Web API in this process that enforces Slack's pace of one message a second per channel on the simulated
clock and answers HTTP 429 to any call faster than that. The clock moves only
when nothing is due: the time taken is simulated time, set against the bound
the pace allows (the slowest channel's messages, one a second). Worst of three.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import platform
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import event, func
from sqlmodel import col, select

from pmobot.app import App, attach_platforms, create_app
from pmobot.clock import FrozenClock
from pmobot.config import Settings
from pmobot.domain.models import OutboxMessage
from pmobot.messages import Chart
from pmobot.services import addresses, digest, digest_text
from pmobot.services.people import Actor, actor_for, find_by_platform_id
from tests.support.portfolio import DEPARTMENTS, seed

MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
SIZES = ((1_000, 100), (10_000, 1_000))
BUILD_RUNS = 5
FANOUT_CHANNELS = 1_000
FANOUT_RUNS = 3
TOKEN = "xoxb-bench"  # not a secret: the fake Web API accepts any token


async def _dan(app: App) -> Actor:
    """Dan, the demo's PMO admin, who chooses the channels."""
    async with app.db.session() as session:
        person = await find_by_platform_id(session, platform="console", user_id="dan")
        assert person is not None
        return await actor_for(session, core=app.core, person=person, platform="console")


async def _channels(app: App) -> None:
    """PMO, IT (configured), committee and one channel per department, on the console."""
    app.core.it_channels["console"] = "it-intake"
    dan = await _dan(app)
    async with app.db.session() as session:
        for purpose, address in ((addresses.PMO_CHANNEL, "pmo"), (addresses.COMMITTEE_CHANNEL, "committee")):
            await addresses.set_channel(session, core=app.core, actor=dan, platform="console", purpose=purpose,
                                        address=address)
        for department in DEPARTMENTS:
            await addresses.set_department_channel(session, core=app.core, actor=dan, platform="console",
                                                   department=department, address=department.lower())


async def build_once(folder: Path, needs: int, projects: int) -> dict[str, float]:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{folder}/build-{needs}.db", default_locale="fr")
    app = create_app(settings, clock=FrozenClock(MONDAY))
    await app.prepare(migrate=True, seed_demo=True)
    try:
        await seed(app, needs=needs, projects=projects, week_end=MONDAY)
        await _channels(app)
        statements = 0

        def count(*_: object) -> None:
            nonlocal statements
            statements += 1

        times, cpu_times, chart_times, counts = [], [], [], []
        # One pass first: the calendar's holidays and matplotlib load once per process, not per digest.
        for run in range(BUILD_RUNS + 1):
            async with app.db.session() as session:
                targets = await digest.targets(session, core=app.core)
                statements = 0
                event.listen(app.db.engine.sync_engine, "before_cursor_execute", count)
                start, cpu = time.perf_counter(), time.process_time()
                facts = []
                for target in targets:
                    _, gathered = await digest.compose(session, core=app.core, target=target, slot=MONDAY)
                    facts.append((gathered, target.locale))
                built, cpu = time.perf_counter() - start, time.process_time() - cpu
                event.remove(app.db.engine.sync_engine, "before_cursor_execute", count)
            drawn: dict[tuple[Any, ...], Chart] = {}
            start = time.perf_counter()
            for gathered, locale in facts:
                await digest_text.chart(gathered, locale=locale, drawn=drawn)
            if run:
                times.append(built)
                cpu_times.append(cpu)
                counts.append(statements)
                chart_times.append(time.perf_counter() - start)
        return {"channels": len(targets), "build": max(times), "build_cpu": max(cpu_times), "charts": max(chart_times),
                "queries": max(counts), "queries_min": min(counts)}
    finally:
        await app.close()


# -- the fan-out -------------------------------------------------------------------------------------

class PacedSlack:
    """Just enough of Slack's Web API for a digest and its chart, pacing each channel on the simulated clock."""

    PACE = timedelta(seconds=1)

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.last: dict[str, datetime] = {}
        self.sent: dict[str, list[datetime]] = defaultdict(list)
        self.too_fast = 0
        self.ids = itertools.count(1)
        self.runner: web.AppRunner | None = None
        self.url = ""

    def _paced(self, channel: str) -> web.Response | None:
        now = self.clock.now()
        last = self.last.get(channel)
        if last is not None and now - last < self.PACE:
            self.too_fast += 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"})
        self.last[channel] = now
        self.sent[channel].append(now)
        return None

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                form.update(await request.json())
            else:
                form.update(await request.post())
        if method == "auth.test":
            return web.json_response({"ok": True, "team_id": "T0PMO", "user_id": "UBOT", "bot_id": "B0PMO"})
        if method == "chat.postMessage":
            refused = self._paced(str(form.get("channel")))
            return refused or web.json_response({"ok": True, "channel": form.get("channel"),
                                                 "ts": f"1764147600.{next(self.ids):06d}"})
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self.ids)}"
            return web.json_response({"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"})
        if method == "files.completeUploadExternal":
            refused = self._paced(str(form.get("channel_id")))
            return refused or web.json_response({"ok": True, "files": [{"id": "F1", "title": "chart"}]})
        return web.json_response({"ok": True})

    async def upload(self, request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="OK")

    async def start(self) -> None:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self.api)
        app.router.add_post("/upload/{file_id}", self.upload)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        host, port = self.runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@dataclass(frozen=True)
class FanOut:
    """What one digest's fan-out did: each row's status and channel, messages per channel, when delivery
    started on the simulated clock, and the wall time to queue and to deliver."""

    rows: list[tuple[str, str]]
    per_channel: dict[str, int]
    start: datetime
    queued_wall: float
    delivered_wall: float


async def fan_out(app: App, clock: FrozenClock, targets: list[digest.Target]) -> FanOut:
    """The digest queued for ``targets`` as the job queues each, then delivered by the outbox worker on the
    simulated clock, which moves only when nothing is due (to the next row due)."""
    cache = digest.RunCache()
    wall = time.perf_counter()
    for target in targets:
        async with app.db.session() as session:
            await digest.send(session, core=app.core, target=target, slot=MONDAY, cache=cache)
    queued = time.perf_counter() - wall
    worker = app.worker()
    start = clock.now()
    while True:
        await worker.drain(clock.now(), rounds=1000)
        async with app.db.session() as session:
            due = (await session.exec(select(func.min(OutboxMessage.next_attempt_at)).where(
                OutboxMessage.status == "pending"))).one()
        if due is None:
            break
        clock.set(max(due, clock.now() + timedelta(milliseconds=1)))
    delivered = time.perf_counter() - wall - queued
    async with app.db.session() as session:
        rows = [(str(status), str(target)) for status, target in (await session.exec(
            select(OutboxMessage.status, OutboxMessage.target).where(
                col(OutboxMessage.key).startswith("digest:")))).all()]
    per_channel: dict[str, int] = defaultdict(int)
    for _, target in rows:
        per_channel[target] += 1
    return FanOut(rows, dict(per_channel), start, queued, delivered)


async def fanout_once(folder: Path, run: int) -> dict[str, float]:
    clock = FrozenClock(MONDAY)
    fake = PacedSlack(clock)
    await fake.start()
    settings = Settings(_env_file=None, database_url=f"sqlite:///{folder}/fanout-{run}.db", default_locale="fr",
                        it_channel="C0IT", slack_bot_token=TOKEN, slack_signing_secret="bench-signing-secret",
                        slack_api_url=f"{fake.url}/api/")
    app = create_app(settings, clock=clock)
    await app.prepare(migrate=True, seed_demo=True)
    [slack] = attach_platforms(app)
    await slack.start()
    try:
        await seed(app, needs=1_000, projects=100, week_end=MONDAY)
        # The PMO's digest (every section, and its chart) to 1,000 channels, queued as the job queues each.
        targets = [digest.Target("slack", f"C{n:05d}", addresses.PMO_CHANNEL, "fr") for n in range(FANOUT_CHANNELS)]
        fanned = await fan_out(app, clock, targets)
        rows, per_channel, start = fanned.rows, fanned.per_channel, fanned.start
        queued, delivered = fanned.queued_wall, fanned.delivered_wall
        # Slack's pace: one message a second per channel; the slowest channel's messages set the bound.
        bound = max(per_channel.values()) - 1
        last = max(at for times in fake.sent.values() for at in times)
        return {"channels": len(per_channel), "messages": len(rows),
                "sent": sum(1 for status, _ in rows if status == "sent"),
                "taken": (last - start).total_seconds(), "bound": float(bound), "too_fast": fake.too_fast,
                "queued_wall": queued, "delivered_wall": delivered}
    finally:
        await slack.stop()
        await app.close()
        await fake.stop()


async def measure() -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    with tempfile.TemporaryDirectory() as folder:
        builds = [await build_once(Path(folder), needs, projects) for needs, projects in SIZES]
        fanouts = [await fanout_once(Path(folder), run) for run in range(FANOUT_RUNS)]
    return builds, fanouts


def fanout_rows(fanouts: list[dict[str, float]]) -> list[str]:
    """One table row a fan-out run (the Slack and the Teams fan-outs report alike)."""
    return [f"| {i} | {f['messages']:.0f} | {f['sent']:.0f} | {f['taken']:.2f} s | {f['bound']:.2f} s | "
            f"{f['too_fast']:.0f} | {f['queued_wall']:.1f} s, {f['delivered_wall']:.1f} s |"
            for i, f in enumerate(fanouts, start=1)]


def report(builds: list[dict[str, float]], fanouts: list[dict[str, float]]) -> str:
    small, large = builds
    worst = max(fanouts, key=lambda f: f["taken"] / max(f["bound"], 1e-9))
    lines = [
        "## Weekly digest: build for every channel (n and 10n needs), fan-out to 1,000 channels",
        "",
        "The digest of every channel of a portfolio with four departments (PMO, IT, committee, four department",
        "channels), built as the job builds it (facts and card; the charts apart), on SQLite. Statements counted",
        f"with a `before_cursor_execute` listener. Worst of {BUILD_RUNS} runs; wall time, and the CPU time of the",
        "process (every thread, SQLite's too), which does not depend on what else the machine runs.",
        "",
        "| needs | projects | channels | build, every channel (wall; CPU) | charts (matplotlib) | SQL statements |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for (needs, projects), b in zip(SIZES, builds, strict=True):
        lines.append(f"| {needs:,} | {projects:,} | {b['channels']:.0f} | {b['build'] * 1000:.0f} ms; "
                     f"{b['build_cpu'] * 1000:.0f} ms | "
                     f"{b['charts'] * 1000:.0f} ms | {b['queries']:.0f} |")
    lines += [
        "",
        f"**Growth ratio 10n / n: {large['build'] / small['build']:.2f}** for the build (CPU: "
        f"{large['build_cpu'] / small['build_cpu']:.2f}); statements {small['queries']:.0f} at n and "
        f"{large['queries']:.0f} at 10n (the same whatever the size). Goal at 10n: under 1 s. Load average of the "
        f"machine when it ended: {os.getloadavg()[0]:.1f}.",
        "",
        f"Fan-out: one digest (its card and its chart) to {worst['channels']:.0f} Slack channels through the outbox",
        "worker and the Slack deliverer, against a fake Web API that answers HTTP 429 to any call to a channel",
        "within a second of the last (Slack's pace), on the simulated clock, which moves only when nothing is due.",
        f"Worst of {FANOUT_RUNS} runs.",
        "",
        "| run | messages | sent | time taken (simulated) | bound from the pace | HTTP 429 | wall: queue, deliver |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += fanout_rows(fanouts)
    ratio = worst["taken"] / worst["bound"] if worst["bound"] else float("nan")
    lines += [
        "",
        f"**Time taken / bound: {ratio:.2f}** (goal: within 1.10), {worst['too_fast']:.0f} HTTP 429.",
        "",
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPU(s); absolute times vary",
        "with what else the machine runs.",
        "",
    ]
    return "\n".join(lines)


def section() -> str:
    return report(*asyncio.run(measure()))


if __name__ == "__main__":
    from bench.results import update_section

    text = section()
    update_section(text)
    sys.stdout.write(text + "\n")
