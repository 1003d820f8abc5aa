"""How the benchmarks take, read and show their timings."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The load generator's own garbage collector off while it times requests, as ``timeit`` does; its
    garbage collected once the timing is over.

    The benchmark process imports pmobot to seed the database, so its heap is large and a full collection
    took 60 to 120 ms: all 32 clients stopped at once, and whichever server was being measured got the
    stall in its p99 (a Claim round at 142 ms against 15 to 23 ms in the others of the same run).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect()


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"
