"""Chat turn cost against the storage floor, measured in the same run.

A chat turn (an answer to the intake) parses and validates the answer,
evaluates conditions, renders the next prompt and saves the conversation
state. Its floor is the database work alone: load the state row, write it
back, commit. The ratio turn / floor says how much the core adds on top of
the unavoidable write; absolute times are beside it, for this machine only.
"""

from __future__ import annotations

import asyncio
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from bench.figures import ms, pct
from pmobot.app import create_app
from pmobot.clock import FrozenClock
from pmobot.config import Settings
from pmobot.domain import keys
from pmobot.domain.models import ConversationState
from pmobot.services.people import Identity

TURNS = 400
ANSWERS = (
    "Suivi des contrats fournisseurs",
    "Les contrats sont dans des fichiers Excel et nous ratons des renouvellements.",
    "Moins de reconductions tacites",
    "ventes",
    "passer",
    "20",
    "15/03/2027",
    "30 k€",
    "1, 2",
    "non",
    "non",
)


async def measure(folder: Path) -> dict[str, list[float]]:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{folder}/bench.db")
    app = create_app(settings, clock=FrozenClock(datetime(2026, 11, 26, 9, tzinfo=UTC)))
    await app.prepare(migrate=True, seed_demo=True)
    who = Identity(platform="console", external_id="alice", display_name="Alice", handle="alice")
    # Warm up: recognizers and catalogs load once per process.
    warm = keys.direct("console", "warm")
    await app.chat.on_text(who, warm, "/pmo new")
    for answer in ANSWERS[:8]:
        await app.chat.on_text(who, warm, answer)

    turns: list[float] = []
    floor: list[float] = []
    done = 0
    while done < TURNS:
        key = keys.direct("console", f"bench-{done}")
        await app.chat.on_text(who, key, "/pmo new")
        for answer in ANSWERS:
            start = time.perf_counter()
            await app.chat.on_text(who, key, answer)
            turns.append(time.perf_counter() - start)
            done += 1

            # The floor: the same state row loaded, rewritten and committed.
            start = time.perf_counter()
            async with app.db.session() as session:
                row = (await session.exec(select(ConversationState).where(
                    ConversationState.conversation_key == key))).first()
                if row is not None:
                    row.state = {**row.state, "bench": done}
                    session.add(row)
            floor.append(time.perf_counter() - start)
        await app.chat.on_text(who, key, "annuler")
    await app.close()
    return {"turn": turns, "floor": floor}


def report(results: dict[str, list[float]]) -> str:
    turn, floor = results["turn"], results["floor"]
    p50_ratio = statistics.median(turn) / statistics.median(floor)
    p99_ratio = pct(turn, 0.99) / pct(floor, 0.99)
    return "\n".join([
        "## Chat turn versus the storage floor (SQLite)",
        "",
        f"{len(turn)} answers to the intake conversation through `Chat.on_text` (parse, validate, conditions,",
        "next prompt, state saved), against the floor measured in the same run: loading the same",
        "conversation state row, writing it back and committing.",
        "",
        "| | p50 | p99 |",
        "| --- | --- | --- |",
        f"| chat turn | {ms(statistics.median(turn))} | {ms(pct(turn, 0.99))} |",
        f"| storage floor | {ms(statistics.median(floor))} | {ms(pct(floor, 0.99))} |",
        f"| **ratio turn / floor** | **{p50_ratio:.2f}** | **{p99_ratio:.2f}** |",
        "",
        f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}.",
        "",
    ])


def main() -> int:
    import os

    from bench import (
        digest,
        digest_teams,
        drift,
        duplicates,
        inbound,
        outbox,
        roadmap,
        scoring,
        slack_ack,
        understanding,
    )
    from bench.results import update_section

    # Each benchmark rewrites only its own section of RESULTS.md.
    with tempfile.TemporaryDirectory() as folder:
        results = asyncio.run(measure(Path(folder)))
    # The inbound queue's end to end and saturation runs, with the ack benchmark five times in a row.
    sections = [report(results), slack_ack.run(), inbound.section(os.environ.get("BENCH_POSTGRES_URL")),
                outbox.run(), understanding.section(), scoring.section(), duplicates.section(), roadmap.section(),
                digest.section(), digest_teams.section(), drift.section()]
    for text in sections:
        update_section(text)
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
