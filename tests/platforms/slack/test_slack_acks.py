"""Acknowledge, then work: the one helper every Slack listener is declared with."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from pmobot.adapters.slack.acks import FollowUps, Incoming


class Ack:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def __call__(self, **kwargs: Any) -> None:
        self.log.append("ack")


async def test_after_ack_acknowledges_first_and_runs_at_most_the_slots_at_once() -> None:
    follow_ups = FollowUps(slots=2)
    log: list[str] = []
    running, most = 0, 0
    release = asyncio.Event()

    async def work(request: Incoming) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        log.append(f"work {request.payload['n']}")
        await release.wait()
        running -= 1

    listener = follow_ups.after_ack(work)
    for n in range(5):
        await listener(Ack(log), {}, {"n": n}, None, None)  # type: ignore[arg-type]
    # Every request acknowledged before any work started.
    assert log == ["ack"] * 5
    for _ in range(5):
        await asyncio.sleep(0)
    assert running == 2
    release.set()
    await follow_ups.settle()
    assert most == 2 and sorted(log[5:]) == [f"work {n}" for n in range(5)]


async def test_within_budget_finishes_quick_work_before_returning() -> None:
    follow_ups = FollowUps()
    done: list[str] = []

    async def work(request: Incoming) -> None:
        await asyncio.sleep(0)
        done.append(request.payload["text"])

    await follow_ups.within_budget(work)(Ack([]), {}, {"text": "hello"}, None, None)  # type: ignore[arg-type]
    assert done == ["hello"]


async def test_work_that_fails_after_the_ack_is_logged_with_its_listener(caplog: pytest.LogCaptureFixture) -> None:
    follow_ups = FollowUps()

    async def claim_button(request: Incoming) -> None:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger="pmobot.adapters.slack.acks"):
        await follow_ups.after_ack(claim_button)(Ack([]), {}, {}, None, None)  # type: ignore[arg-type]
        await follow_ups.settle()
    assert len(caplog.records) == 1 and "claim_button" in caplog.records[0].getMessage()
    assert caplog.records[0].exc_info is not None
