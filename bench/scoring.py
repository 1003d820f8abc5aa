"""Ranking the open needs by the published score, at n and 10n (1,000 and 10,000 needs).

Each need has an assessment and an estimate, as on the committee's agenda. The
ranking reads them in a few batched queries and scores each need in memory
(``services.scoring.ranking``): its time should grow in proportion to the
number of needs, a growth ratio near 10 for ten times as many. Written to its
own section of bench/RESULTS.md; run alone with ``python -m bench.scoring``.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench.figures import ms
from pmobot.app import create_app
from pmobot.clock import FrozenClock
from pmobot.config import Settings
from pmobot.domain.models import Estimate, Need, Person
from pmobot.domain.models_governance import Assessment
from pmobot.services import scoring

SIZES = (1_000, 10_000)
ROUNDS = 5
NOW = datetime(2026, 11, 26, 9, tzinfo=UTC)


async def _measure(folder: Path, count: int) -> tuple[list[float], list[float]]:
    """Seconds per ranking of ``count`` needs: whole (with the reads) and the scoring alone."""
    app = create_app(Settings(_env_file=None, database_url=f"sqlite:///{folder}/bench-{count}.db"),
                     clock=FrozenClock(NOW))
    await app.prepare(migrate=True, seed_demo=False)
    async with app.db.session() as session:
        people = [Person(handle=h, display_name=h.title(), created_at=NOW) for h in ("alice", "bob", "dan")]
        session.add_all(people)
        await session.flush()
        alice, bob, dan = (p.id for p in people)
        assert alice is not None and bob is not None and dan is not None
        needs = [Need(number=i, title=f"Need {i}", status="estimated", requester_id=alice, created_at=NOW,
                      updated_at=NOW, users_affected=(i * 37) % 2000, desired_date=date(2027, 1, 1)
                      + timedelta(days=i % 300)) for i in range(1, count + 1)]
        session.add_all(needs)
        await session.flush()
        for i, need in enumerate(needs):
            assert need.id is not None
            session.add(Estimate(need_id=need.id, version=1, effort_low=5, effort_likely=5 + i % 60,
                                 effort_high=80, cost=Decimal(1000), currency="EUR", duration_days=20,
                                 confidence=("low", "medium", "high")[i % 3],
                                 technical_risk=("low", "medium", "high")[i % 3 - 1], security_review=False,
                                 estimator_id=bob, created_at=NOW))
            session.add(Assessment(need_id=need.id, version=1, assessor_id=dan, created_at=NOW, ratings={
                "business_value": {"value": 1 + i % 10, "reason": "bench"},
                "risk_reduction": {"value": 1 + (i * 7) % 10, "reason": "bench"}}))
    whole: list[float] = []
    alone: list[float] = []
    for _ in range(ROUNDS):
        async with app.db.session() as session:
            start = time.perf_counter()
            ranked = await scoring.ranking(session, core=app.core, needs=await scoring.open_needs(session))
            whole.append(time.perf_counter() - start)
            assert len(ranked) == count and all(view.scored for _, view in ranked)
            facts = await scoring.facts_of(session, [n for n, _ in ranked])
            start = time.perf_counter()
            for need, _ in ranked:
                assert need.id is not None
                scoring.view_of(app.core.policy, 1, need, facts[need.id], today=app.core.today())
            alone.append(time.perf_counter() - start)
    await app.close()
    return whole, alone


def section() -> str:
    results: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for count in SIZES:
            whole, alone = asyncio.run(_measure(Path(folder), count))
            results[count] = (statistics.median(whole), statistics.median(alone))
    n, big = SIZES
    lines = [
        "## Ranking the open needs by score (SQLite)",
        "",
        "`services.scoring.ranking` over every open need, each with an assessment and an estimate, under the",
        "default wsjf policy: the open needs, their latest assessments and estimates and who made them read",
        f"in batched queries, then each need scored in memory and the list sorted. Median of {ROUNDS} rounds.",
        "",
        "| needs | whole ranking | scoring alone | per need |",
        "| --- | --- | --- | --- |",
    ]
    for count in SIZES:
        median_whole, median_alone = results[count]
        lines.append(f"| {count:,} | {ms(median_whole)} | {ms(median_alone)} | {median_whole / count * 1e6:.1f} µs |")
    ratio, ratio_alone = results[big][0] / results[n][0], results[big][1] / results[n][1]
    lines += [
        "",
        f"Growth ratio for {big // n}× the needs: **{ratio:.2f}** whole, **{ratio_alone:.2f}** scoring alone "
        f"({big // n:.0f} would be linear).",
        "",
        f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}, {os.cpu_count()} CPU(s); "
        "absolute times vary with what else the machine runs, the ratio less.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    from bench.results import update_section

    text = section()
    update_section(text)
    sys.stdout.write(text + "\n")
