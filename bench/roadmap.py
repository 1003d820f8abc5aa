"""Roadmap placement for 1,000 projects and 10,000 needs, at n and 10n.

Synthetic but shaped like a portfolio: a tenth of the projects under way
(pinned to their dates), the rest committed, then the candidate needs; effort
5 to 60 person-days over 5 to 60 business days; French holidays. IT's capacity
grows with n (so the plan spans about the same five years at both sizes): the
growth ratio then measures the cost of more work, not of a longer horizon.
Placement is ``pmobot.domain.roadmap.place``, the pure function the service
calls; the best of three runs is kept.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

from pmobot.domain.calendar import BusinessCalendar
from pmobot.domain.roadmap import CapacityChange, Plan, Work, place

TODAY = date(2026, 11, 26)
PROJECTS = 1_000
NEEDS = 10_000
# Person-days a month per piece of work, so that the plan spans about five years.
CAPACITY_PER_ITEM = 0.55
RUNS = 3


def portfolio(scale: int) -> list[Work]:
    rng = random.Random(11)
    work: list[Work] = []
    for number in range(1, PROJECTS * scale + 1):
        effort, duration = rng.uniform(5, 60), rng.randint(5, 60)
        if number % 10 == 0:  # under way: started up to three months ago
            start = TODAY - timedelta(days=rng.randint(0, 90))
            pinned = (start, start + timedelta(days=duration * 7 // 5))
            work.append(Work(f"PRJ-{number}", effort, duration, pinned=pinned))
        else:
            work.append(Work(f"PRJ-{number}", effort, duration,
                             not_before=TODAY + timedelta(days=rng.randint(0, 60))))
    for number in range(1, NEEDS * scale + 1):
        desired = TODAY + timedelta(days=rng.randint(30, 900))
        work.append(Work(f"NEED-{number}", rng.uniform(5, 60), rng.randint(5, 60), desired=desired, tentative=True))
    return work


def capacity(scale: int) -> tuple[CapacityChange, ...]:
    per_month = CAPACITY_PER_ITEM * (PROJECTS + NEEDS) * scale
    return (CapacityChange(date(2026, 11, 1), per_month), CapacityChange(date(2027, 9, 1), per_month * 1.1))


def timed(scale: int) -> tuple[float, Plan]:
    calendar = BusinessCalendar(timezone="Europe/Paris", country="FR")
    work, changes = portfolio(scale), capacity(scale)
    best, plan = float("inf"), None
    for _ in range(RUNS):
        start = time.perf_counter()
        plan = place(work, today=TODAY, capacity=changes, is_business_day=calendar.is_business_day)
        best = min(best, time.perf_counter() - start)
    assert plan is not None
    return best, plan


def section() -> str:
    small, plan_n = timed(1)
    large, plan_10n = timed(10)
    over = sum(m.over for m in plan_10n.months)
    span = len(plan_n.months), len(plan_10n.months)
    return "\n".join([
        "## Roadmap placement (1,000 projects and 10,000 needs, n and 10n)",
        "",
        "`domain.roadmap.place`: every piece of work at the earliest business days IT's monthly capacity",
        "allows, in order (a tenth of the projects under way and pinned, then the committed ones, then the",
        "candidate needs). Capacity grows with n, so both plans span about the same months; best of three runs.",
        "",
        "| size | pieces of work | months planned | time |",
        "| --- | --- | --- | --- |",
        f"| n | {len(plan_n.placements):,} | {span[0]} | {small * 1000:.0f} ms |",
        f"| 10n | {len(plan_10n.placements):,} | {span[1]} | {large * 1000:.0f} ms |",
        "",
        f"**Growth ratio 10n / n: {large / small:.1f}** (10 would be linear). Months over capacity at 10n: {over}"
        " (only where work already under way exceeds it).",
        "",
    ])


if __name__ == "__main__":
    print(section())
