"""Outbox throughput: messages a second through the real worker, against the raw Web API calls.

Both sides post the same messages, rendered the same way, to the same fake Web
API (``bench.fake_slack``, its own process), one after the other:

* the floor: the Slack SDK's client posting them one by one on one HTTP
  session, nothing else (what any sender pays for the calls themselves); the
  median of one pass before and two after pmobot's, in each run;
* pmobot: the messages queued in the outbox (SQLite) and sent by the real
  ``OutboxWorker`` with the Slack deliverer, which also claims each row, fences
  its lease, checks the channel's pace and records the outcome.

Each message goes to its own channel, so Slack's pace (one a second per
channel) does not hold any back. The ratio pmobot / floor is taken per run, over
five runs; the worst is reported, with absolute rates beside it, for this
machine only.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import func, select

from pmobot.adapters.slack.render import render
from pmobot.app import attach_platforms, create_app
from pmobot.config import Settings
from pmobot.domain.models import OutboxMessage
from pmobot.messages import Card, CardField, Message
from pmobot.services import outbox

REPO = Path(__file__).resolve().parent.parent
RUNS = 5
MESSAGES = 200
TOKEN = "xoxb-bench"  # not a secret: the fake Web API accepts any token


def message(n: int) -> Message:
    return Card(title=f"NEED-{n} · Suivi des contrats fournisseurs", subtitle="Ventes · 20 personnes",
                fields=(CardField("Échéance", "15/03/2027"), CardField("Budget", "30 000 €")))


async def floor(api_url: str) -> float:
    """Messages a second, the SDK's client alone."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        client = AsyncWebClient(token=TOKEN, base_url=api_url, session=session, retry_handlers=[])
        payloads = [render(message(n), locale="fr") for n in range(MESSAGES)]
        start = time.perf_counter()
        for n, payload in enumerate(payloads):
            await client.chat_postMessage(channel=f"C{n:05d}", text=payload.text, blocks=payload.blocks,
                                          unfurl_links=False, unfurl_media=False)
        return MESSAGES / (time.perf_counter() - start)


async def through_outbox(api_url: str, folder: Path, run: int) -> float:
    """Messages a second, queued then sent by the outbox worker."""
    settings = Settings(_env_file=None, database_url=f"sqlite:///{folder}/outbox-{run}.db", it_channel="C0IT",
                        slack_bot_token=TOKEN, slack_signing_secret="bench-signing-secret", slack_api_url=api_url,
                        default_locale="fr")
    app = create_app(settings)
    await app.prepare(migrate=True, seed_demo=False)
    [slack] = attach_platforms(app)
    await slack.start()
    try:
        async with app.db.session() as session:
            for n in range(MESSAGES):
                await outbox.enqueue(session, core=app.core, key=f"bench:{run}:{n}", platform="slack",
                                     target_kind="channel", target=f"C{n:05d}", message=message(n))
        worker = app.worker()
        start = time.perf_counter()
        sent = 0
        while sent < MESSAGES:
            done = await worker.drain(app.core.now())
            if done == 0:
                raise RuntimeError("the outbox stopped sending before every message went")
            sent += done
        elapsed = time.perf_counter() - start
        async with app.db.session() as session:
            recorded = (await session.exec(select(func.count()).select_from(OutboxMessage)
                                           .where(OutboxMessage.status == "sent"))).one()
        if recorded != MESSAGES:
            raise RuntimeError("not every message was recorded as sent")
        return MESSAGES / elapsed
    finally:
        await slack.stop()
        await app.close()


async def measure() -> list[tuple[float, float]]:
    """(floor, pmobot) messages a second, per run."""
    fake = subprocess.Popen([sys.executable, "-m", "bench.fake_slack"], cwd=REPO, stdout=subprocess.PIPE)
    try:
        assert fake.stdout is not None
        api_url = f"http://127.0.0.1:{fake.stdout.readline().decode().strip()}/api/"
        await floor(api_url)  # warm up: connections, imports
        runs = []
        with tempfile.TemporaryDirectory() as folder:
            for run in range(RUNS):
                # The floor is short and noisy on a shared machine: the median of three passes around the outbox's.
                before = await floor(api_url)
                mine = await through_outbox(api_url, Path(folder), run)
                after = [await floor(api_url) for _ in range(2)]
                runs.append((statistics.median([before, *after]), mine))
        return runs
    finally:
        fake.terminate()
        try:
            fake.wait(timeout=10)
        except subprocess.TimeoutExpired:
            fake.kill()


def report(runs: list[tuple[float, float]]) -> str:
    ratios = [mine / base for base, mine in runs]
    worst = min(range(len(runs)), key=lambda i: ratios[i])
    lines = [
        "## Outbox throughput: the delivery worker versus the raw Web API calls",
        "",
        f"{MESSAGES} cards, each to its own channel, sent to a fake Slack Web API (its own process): by the SDK's",
        "client alone, one call after the other (the floor: median of three passes around the outbox's), and",
        "queued in the outbox (SQLite) then sent by the real worker and Slack deliverer, which also claims,",
        "fences the lease, checks the pace and records each outcome (two commits a message).",
        f"{RUNS} runs; the ratio outbox / floor of the worst run is the result.",
        "",
        "| run | floor (msg/s) | outbox (msg/s) | ratio |",
        "| --- | --- | --- | --- |",
    ]
    for i, ((base, mine), ratio) in enumerate(zip(runs, ratios, strict=True), start=1):
        lines.append(f"| {i} | {base:.0f} | {mine:.0f} | {ratio:.2f} |")
    lines += [
        "",
        f"**Worst ratio outbox / floor: {ratios[worst]:.2f}** (run {worst + 1}: {runs[worst][1]:.0f} messages a second",
        f"through the outbox, against {runs[worst][0]:.0f} for the calls alone).",
        "",
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; the spread between runs",
        "is the machine's load (it was shared with other jobs), which the ratio only partly cancels.",
        "",
    ]
    return "\n".join(lines)


def run() -> str:
    return report(asyncio.run(measure()))


if __name__ == "__main__":
    from bench.results import update_section

    text = run()
    update_section(text)
    sys.stdout.write(text + "\n")
