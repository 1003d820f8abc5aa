"""``kill -9`` of ``pmobot serve`` in the middle of a burst: nothing acknowledged is lost, nothing is done twice.

The real server runs in subprocesses against a fake Slack. Alice asks IT a
question on NEED-1 with ``/pmo ask`` 160 times (each ask
stores one question: work that would show a repeat), and Bob presses the claim
button on it. A replica is killed with SIGKILL once a third of the requests
are acknowledged, restarted, and the burst goes on. Then, from the database
and the fake: every acknowledged request has exactly one queue row, done;
every acknowledged ask stored its question exactly once; every acknowledged
request was answered. On PostgreSQL two replicas serve the same database.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp
from sqlalchemy import text

from pmobot.app import create_app
from pmobot.config import Settings
from pmobot.services.people import Identity
from pmobot.workers import CONCURRENCY
from tests.support.dialogs import file_sample_need
from tests.support.slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    block_actions,
    interactive_body,
    sign,
    slack_user,
    slash_body,
)

ASKS = 160
PRESSES = 80
IN_FLIGHT = 12


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Replica:
    """One ``pmobot serve`` process."""

    def __init__(self, *, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.port = _free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, http: aiohttp.ClientSession) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "pmobot", "serve", "--host", "127.0.0.1",
                                             "--port", str(self.port)], env=self.env, stdout=out, stderr=out)
        for _ in range(600):
            try:
                async with http.get(f"{self.url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            await asyncio.sleep(0.1)  # a real server process starting: nothing to wait on but its port
        raise AssertionError("pmobot serve did not start")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


async def _prepare(url: str) -> None:
    """The demo people on Slack (Alice requests, Bob is IT) and Alice's NEED-1, filed before serving."""
    settings = Settings(_env_file=None, database_url=url, default_locale="fr", admins="dan", it_channel="it-intake")
    app = create_app(settings)
    try:
        await app.prepare(migrate=True, seed_demo=False)
        from pmobot.services import demo

        async with app.db.session() as session:
            await demo.seed(session, core=app.core, platform="slack")
        await file_sample_need(app, Identity(platform="slack", external_id="alice", display_name="Alice"),
                               conversation="slack:dm:alice")
    finally:
        await app.close()


async def _counts(url: str) -> tuple[dict[str, tuple[int, str]], dict[str, int]]:
    """Queue rows by key (how many, their status), and stored questions by text."""
    settings = Settings(_env_file=None, database_url=url)
    app = create_app(settings)
    try:
        async with app.db.session() as session:
            rows = (await session.exec(text(  # type: ignore[call-overload]
                "SELECT key, count(*), min(status) FROM inbound_request GROUP BY key"))).all()
            questions = (await session.exec(text(  # type: ignore[call-overload]
                "SELECT text, count(*) FROM question GROUP BY text"))).all()
    finally:
        await app.close()
    return {key: (n, status) for key, n, status in rows}, {q: n for q, n in questions}


async def _idle(http: aiohttp.ClientSession, replica: Replica, fake: FakeSlack, expected: set[str]) -> None:
    for _ in range(1200):
        async with http.get(f"{replica.url}/healthz") as response:
            inbound = (await response.json())["inbound"]
        if inbound["waiting"] == 0 and expected <= set(fake.hooks):
            return
        await asyncio.sleep(0.1)  # the workers of another process: nothing to wait on but their result
    raise AssertionError(f"the queue did not drain: {inbound}, {len(expected - set(fake.hooks))} unanswered")


async def test_kill_9_during_a_burst_loses_nothing_acknowledged_and_repeats_nothing(
        database_url: str, tmp_path: Path) -> None:
    fake = FakeSlack(users={u: slack_user(u, n, "fr-FR") for u, n in (("alice", "Alice Martin"),
                                                                          ("bob", "Bob Dupont"))})
    await fake.start()
    await _prepare(database_url)
    env = {**os.environ, "PMOBOT_DATABASE_URL": database_url, "SLACK_BOT_TOKEN": BOT_TOKEN,
           "SLACK_SIGNING_SECRET": SIGNING_SECRET, "PMOBOT_SLACK_API_URL": fake.api_url,
           "PMOBOT_IT_CHANNEL": "it-intake", "PMOBOT_DEFAULT_LOCALE": "fr", "PMOBOT_ADMINS": "dan",
           "PMOBOT_LOG_LEVEL": "WARNING"}
    env.pop("PMOBOT_NOW", None)
    replicas = [Replica(env=env, log=tmp_path / f"serve{i}.log") for i in range(1 if "sqlite" in database_url else 2)]
    requests: list[tuple[str, str, str]] = []  # (hook, content type, body)
    for n in range(ASKS):
        requests.append((f"ask{n}", "application/x-www-form-urlencoded",
                         slash_body(user="alice", text=f"ask NEED-1 question numéro {n}", channel="DALICE",
                                    response_url=fake.hook_url(f"ask{n}"))))
        if n % 2 == 0 and len(requests) < ASKS + PRESSES:
            payload = block_actions(user="bob", action_id="need.claim", value="NEED-1",
                                    response_url=fake.hook_url(f"press{n}"))
            requests.append((f"press{n}", "application/x-www-form-urlencoded", interactive_body(payload)))
    acked: set[str] = set()
    statuses: Counter[object] = Counter()
    killed = asyncio.Event()
    try:
        async with aiohttp.ClientSession() as http:
            for replica in replicas:
                await replica.start(http)
            slots = asyncio.Semaphore(IN_FLIGHT)
            up = asyncio.Event()
            up.set()

            async def send(i: int, hook: str, ctype: str, body: str) -> None:
                async with slots:
                    if len(acked) >= len(requests) // 3 and not killed.is_set():
                        killed.set()
                        up.clear()
                        replicas[0].kill()  # kill -9, requests in flight included
                        await replicas[0].start(http)
                        up.set()
                    await up.wait()
                    ts = str(int(time.time()))
                    target = replicas[i % len(replicas)]
                    try:
                        async with http.post(f"{target.url}/slack/events", data=body.encode(), headers={
                                "Content-Type": ctype, "X-Slack-Request-Timestamp": ts,
                                "X-Slack-Signature": sign(body, int(ts))}) as response:
                            statuses[response.status] += 1
                            if response.status == 200:
                                acked.add(hook)
                    except aiohttp.ClientError as exc:
                        statuses[type(exc).__name__] += 1  # cut by the kill: never acknowledged

            await asyncio.gather(*(send(i, *r) for i, r in enumerate(requests)))
            assert killed.is_set()
            await _idle(http, replicas[0], fake, acked)
    finally:
        for replica in replicas:
            replica.stop()
        await fake.stop()
    rows, questions = await _counts(database_url)
    asks = {h for h in acked if h.startswith("ask")}
    assert len(acked) > len(requests) // 2, statuses
    # Every acknowledged request was stored once and worked to the end.
    by_hook = {key.rsplit(":", 1)[-1]: value for key, value in rows.items()}
    assert len(rows) >= len(acked)
    assert all(n == 1 and status == "done" for n, status in rows.values())
    # Every acknowledged ask stored its question exactly once; none stored twice.
    for hook in asks:
        assert questions.get(f"question numéro {hook[3:]}") == 1, hook
    assert all(n == 1 for n in questions.values())
    # Every acknowledged request was answered; twice only for a row whose answer was being sent at the kill.
    assert acked <= set(fake.hooks)
    twice = [h for h, n in fake.hooks.items() if n > 1]
    assert len(twice) <= CONCURRENCY * len(replicas), twice
    assert by_hook is not None and fake.problems == []
