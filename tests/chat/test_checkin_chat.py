"""A check-in in the console, as people type it: asked by the weekly job, opened with the button,
answered question by question, stored; the next week last week's answers are kept with "keep";
every bad answer explained where it is typed, and nothing typed lost."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from pmobot.app import App
from pmobot.clock import FrozenClock
from pmobot.domain.models_tracking import CheckIn, Snooze, StatusUpdate
from pmobot.jobs.base import JobContext
from pmobot.jobs.checkins import check_ins
from pmobot.messages import Card, Message, Notice, Prompt
from pmobot.services.people import Identity
from tests.support.tracking import project

BOB = Identity(platform="console", external_id="bob", display_name="Bob Smith", handle="bob")
ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")
FRIDAY = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def said(messages: list[Message]) -> str:
    def one(m: Message) -> str:
        if isinstance(m, Card):
            return "\n".join([m.title, m.body, *(f"{f.label}: {f.value}" for f in m.fields)])
        if isinstance(m, Prompt):
            return f"{m.text}\n{m.hint}"
        return m.text if isinstance(m, Notice) else ""

    return "\n".join(one(m) for m in messages)


async def _ask(app: App, clock: FrozenClock, at: datetime) -> None:
    clock.set(at)
    await check_ins(JobContext(core=app.core, now=at, slot=at, period=at.isoformat(), late=False))


async def _bob(app: App, *lines: str) -> str:
    out = ""
    for line in lines:
        out = said(await app.chat.on_text(BOB, "b", line))
    return out


async def test_asked_by_the_job_answered_in_chat_and_stored(app: App, clock: FrozenClock) -> None:
    await project(app)
    await _ask(app, clock, FRIDAY)
    opened = said(await app.chat.on_action(BOB, "b", "project.check_in", "PRJ-1"))
    assert "How far along is the project" in opened
    assert "100" in await _bob(app, "120")
    await _bob(app, "35", "skip", "12 000", "amber", "Vendor late", "green", "amber", "Licences dearer", "green",
               "15/01/2027", "skip", "Key user on leave", "skip")
    summary = await _bob(app, "Go/no-go on phase 2")
    assert "Percent complete: 35" in summary and "Cost comment: Licences dearer" in summary
    done = await _bob(app, "1")
    assert "Status update #1 of PRJ-1 recorded" in done and "35 % done" in done
    async with app.db.session() as session:
        update = (await session.exec(select(StatusUpdate))).one()
        check_in = (await session.exec(select(CheckIn))).one()
    assert (update.percent_complete, str(update.spend), update.health, update.cost_health) == (35, "12000.00", "amber",
                                                                                                "amber")
    assert update.comments == {"overall": "Vendor late", "cost": "Licences dearer"}
    assert update.risks == "Key user on leave" and update.decisions_needed == "Go/no-go on phase 2"
    assert check_in.answered_at is not None and (update.via, update.check_in_id) == ("check-in", check_in.id)

    # The next week: last week's answers are offered, "keep" takes them; a lower percent asks why.
    await _ask(app, clock, datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    asked = said(await app.chat.on_action(BOB, "b", "project.check_in", "PRJ-1"))
    assert "Last time: 35" in asked
    await _bob(app, "30")
    refused = await _bob(app, "skip")
    assert "The last update said 35 % done; 30 % is less" in refused
    # Spend, the four healths and their two comments, the forecast end: as last week; then no milestones,
    # the same risks, no blockers, the same decision.
    await _bob(app, "Rework found in testing", *["keep"] * 8, "skip", "garder", "skip", "keep")
    assert "Status update #2 of PRJ-1 recorded" in await _bob(app, "1")
    async with app.db.session() as session:
        second = (await session.exec(select(StatusUpdate).where(StatusUpdate.number == 2))).one()
    assert (second.percent_complete, second.reason, second.comments["cost"]) == (30, "Rework found in testing",
                                                                                 "Licences dearer")
    assert (second.risks, second.blockers, second.decisions_needed) == ("Key user on leave", "", "Go/no-go on phase 2")
    assert str(second.forecast_end) == "2027-01-15" and second.spend == update.spend


async def test_bad_commands_are_explained_in_the_persons_language(app: App, clock: FrozenClock) -> None:
    await project(app)
    assert "Seul le responsable de PRJ-1 ou le PMO peut donner son point d'avancement." in said(
        await app.chat.on_text(ALICE, "a", "/pmo point PRJ-1"))
    assert "already past" in await _bob(app, "/pmo snooze PRJ-1 until 01/11/2026 waiting")
    assert "Say why PRJ-1 is on hold" in await _bob(app, "/pmo snooze PRJ-1 until 15/01/2027")
    assert "not a date that exists" in await _bob(app, "/pmo snooze PRJ-1 until 31/02/2027 vendor")
    held = await _bob(app, "/pmo snooze PRJ-1 until 15/01/2027 Waiting for the vendor's new release")
    assert "PRJ-1 is on hold until 15 January 2027" in held
    card = await app.chat.on_text(BOB, "b", "/pmo status PRJ-1")
    assert isinstance(card[0], Card) and any(f.label == "On hold" for f in card[0].fields)
    assert "no longer on hold" in await _bob(app, "/pmo snooze PRJ-1 off")
    async with app.db.session() as session:
        row = (await session.exec(select(Snooze))).one()
    assert row.lifted_at is not None and row.reason == "Waiting for the vendor's new release"
