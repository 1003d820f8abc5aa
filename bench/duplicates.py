"""The duplicate check a requester waits for, against 1,000 and 10,000 open needs (SQLite).

Open needs are written with made-up titles and problems drawn from the
lexicon's French and English words and other words, last changed a month
ago. Measured through ``services.duplicates.similar`` (what the intake runs:
the index brought up to date from the database, the search, the candidates
checked in the database): the first check of a process, which builds the
index, and the checks after it, each with a need told in French or English.
The labelled pairs' precision and recall are reported beside.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from bench.duplicate_pairs import DIFFERENT, SAME, quality
from bench.figures import ms, pct
from pmobot.app import create_app
from pmobot.clock import FrozenClock
from pmobot.config import Settings
from pmobot.domain.lexicon import CONCEPTS
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import KeyCounter, Need, Person
from pmobot.domain.similarity import THRESHOLD, document
from pmobot.services import duplicates

SIZES = (1_000, 10_000)
QUERIES = 200
NOW = datetime(2026, 11, 26, 9, tzinfo=UTC)
_OTHER_WORDS = ("client", "rapport", "équipe", "processus", "qualité", "délai", "export", "import", "budget",
                "planning", "région", "agence", "siège", "filiale", "usine", "ligne", "atelier", "partenaire",
                "audit", "contrôle", "risk", "quality", "branch", "plant", "partner", "region", "headquarters",
                "scheduling", "workflow", "review", "weekly", "monthly", "yearly", "board", "committee")
_DEPARTMENTS = ("sales", "marketing", "finance", "hr", "operations", "purchasing", "legal", "customer_service")


def _vocabulary() -> list[str]:
    words = [w.replace("_", " ") for french, english in CONCEPTS.values() for w in (*french, *english)]
    return words + list(_OTHER_WORDS)


def _need(rng: random.Random, words: list[str], number: int, requester: int) -> Need:
    title = " ".join(rng.sample(words, 3)).capitalize()
    problem = " ".join(rng.sample(words, 12)) + "."
    at = NOW - timedelta(days=30)
    return Need(number=number, title=title, problem=problem, department=rng.choice(_DEPARTMENTS),
                status=NeedStatus.SUBMITTED, requester_id=requester, created_at=at, updated_at=at, submitted_at=at)


async def measure(folder: Path, size: int) -> dict[str, object]:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{folder}/dup{size}.db")
    app = create_app(settings, clock=FrozenClock(NOW))
    await app.prepare(migrate=True, seed_demo=True)
    rng = random.Random(size)
    words = _vocabulary()
    async with app.db.session() as session:
        requester = (await session.exec(select(Person).limit(1))).one()
        assert requester.id is not None
        person_id = requester.id
        session.add_all([_need(rng, words, n, person_id) for n in range(1, size + 1)])
        session.add(KeyCounter(prefix="NEED", last=size))
    await app.close()
    # A process started on those needs: its start builds the index (timed), then people file needs.
    app = create_app(settings, clock=FrozenClock(NOW))
    start = time.perf_counter()
    await app.prepare(migrate=False, seed_demo=False)
    first = time.perf_counter() - start
    asked = [document(*need) for pair in (*SAME, *DIFFERENT) for need in pair]
    times: list[float] = []
    found = 0
    for i in range(QUERIES):
        async with app.db.session() as session:
            start = time.perf_counter()
            found += len(await duplicates.similar(session, core=app.core, doc=asked[i % len(asked)], exclude=set()))
            times.append(time.perf_counter() - start)
    await app.close()
    return {"first": first, "times": times, "shown": found / QUERIES}


def section() -> str:
    with tempfile.TemporaryDirectory() as folder:
        results = {size: asyncio.run(measure(Path(folder), size)) for size in SIZES}
    small, large = (results[s] for s in SIZES)
    lines = [
        "## Duplicate check at intake (SQLite)",
        "",
        "`services.duplicates.similar` as the intake runs it while the requester waits: the index of open",
        "needs brought up to date from the database, searched, the candidates checked in the database.",
        f"{QUERIES} checks per size, with needs told in French and in English. The index is built from",
        "the database when the process starts (`App.prepare`), before anyone waits: timed apart.",
        "",
        "| open needs | index built at start | check p50 | check p99 | needs shown per check |",
        "| --- | --- | --- | --- | --- |",
    ]
    for size in SIZES:
        r = results[size]
        times = r["times"]
        assert isinstance(times, list)
        lines.append(f"| {size:,} | {ms(float(r['first']))} | {ms(statistics.median(times))} | "  # type: ignore[arg-type]
                     f"{ms(pct(times, 0.99))} | {float(r['shown']):.1f} |")  # type: ignore[arg-type]
    small_times, large_times = small["times"], large["times"]
    assert isinstance(small_times, list) and isinstance(large_times, list)
    growth = statistics.median(large_times) / statistics.median(small_times)
    q = quality()
    lines += [
        "",
        f"**Growth ratio (p50 at {SIZES[1]:,} / p50 at {SIZES[0]:,}): {growth:.2f}** for ten times the needs.",
        "",
        f"Labelled pairs (bench/duplicate_pairs.py), each checked both ways at threshold {THRESHOLD}: "
        f"{2 * len(SAME)} same-need checks, {2 * len(DIFFERENT)} different-need checks; "
        f"precision {q.precision:.2f}, recall {q.recall:.2f}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(section())
