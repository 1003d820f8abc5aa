"""The weekly check-in job with a frozen clock: each owner asked once at the policy's hour in their own
time zone, never on a holiday, reminded once the next business morning, the PMO told once after two
missed weeks; a snoozed project is left alone."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select

from pmobot.app import App
from pmobot.clock import FrozenClock
from pmobot.domain.models import OutboxMessage, Person
from pmobot.domain.models_tracking import CheckIn
from pmobot.jobs.base import JobContext
from pmobot.jobs.checkins import check_ins
from pmobot.services import snoozes
from tests.support.projects import demo_actor
from tests.support.tracking import answers, project, record


async def _run(app: App, clock: FrozenClock, at: datetime) -> dict[str, int]:
    clock.set(at)
    return await check_ins(JobContext(core=app.core, now=at, slot=at, period=at.isoformat(), late=False))


async def _sent(app: App, prefix: str = "checkin:") -> list[tuple[str, str]]:
    async with app.db.session() as session:
        rows = (await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).startswith(prefix))
                                   .order_by(col(OutboxMessage.id)))).all()
    return [(row.key, row.target) for row in rows]


async def _zone(app: App, login: str, zone: str) -> None:
    async with app.db.session() as session:
        person = (await demo_actor(session, app, login)).person
        person.timezone = zone
        session.add(person)


def utc(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def test_the_owner_is_asked_once_at_the_policys_hour_with_a_button(app: App, clock: FrozenClock) -> None:
    await project(app)  # opened Thursday 26 November; the policy asks on Fridays at 10:00
    assert (await _run(app, clock, utc(27, 8, 59)))["asked"] == 0  # 09:59 in Paris
    assert (await _run(app, clock, utc(27, 9, 0)))["asked"] == 1
    assert (await _run(app, clock, utc(27, 9, 15)))["asked"] == 0  # run again: nothing twice
    assert await _sent(app) == [("checkin:PRJ-1:2026-W48", "bob")]
    async with app.db.session() as session:
        row = (await session.exec(select(OutboxMessage))).all()[-1]
        check_in = (await session.exec(select(CheckIn))).one()
    assert row.payload["actions"][0]["id"] == "project.check_in" and row.payload["actions"][0]["value"] == "PRJ-1"
    assert "PRJ-1" in row.payload["title"] and (check_in.week, check_in.answered_at) == ("2026-W48", None)


async def test_owners_are_asked_at_their_own_hour(app: App, clock: FrozenClock) -> None:
    paris, new_york = await project(app), await project(app)
    async with app.db.session() as session:
        erin = await demo_actor(session, app, "erin")
        owner = await session.get(type(paris), new_york.id)
        assert owner is not None
        owner.owner_id = erin.id
        session.add(owner)
    await _zone(app, "erin", "America/New_York")
    await _zone(app, "bob", "Europe/Paris")
    await _run(app, clock, utc(27, 9, 0))  # 10:00 in Paris, 04:00 in New York
    assert await _sent(app) == [("checkin:PRJ-1:2026-W48", "bob")]
    await _run(app, clock, utc(27, 14, 59))  # 09:59 in New York
    assert len(await _sent(app)) == 1
    await _run(app, clock, utc(27, 15, 0))  # 10:00 in New York
    assert await _sent(app) == [("checkin:PRJ-1:2026-W48", "bob"), ("checkin:PRJ-2:2026-W48", "erin")]


async def test_a_holiday_moves_the_question_to_the_next_business_day(app: App, clock: FrozenClock) -> None:
    await project(app)
    await _run(app, clock, utc(25, 9, 0, month=12))  # Friday 25 December: Christmas
    assert [k for k, _ in await _sent(app) if "W52" in k] == []
    await _run(app, clock, utc(26, 9, 0, month=12))  # Saturday
    assert [k for k, _ in await _sent(app) if "W52" in k] == []
    await _run(app, clock, utc(28, 9, 0, month=12))  # Monday 28 December, 10:00 in Paris
    assert [k for k, _ in await _sent(app) if "W52" in k] == ["checkin:PRJ-1:2026-W52"]


async def test_the_answer_to_a_week_asked_late_does_not_answer_the_next_week(app: App, clock: FrozenClock) -> None:
    # Christmas (Friday) moves week 52's question to Monday 28 December, in week 53; New Year's Day (Friday)
    # moves week 53's to Monday 4 January. The answer given on 28 December is week 52's: week 53 is still asked.
    prj = await project(app)
    assert prj.id is not None
    await _run(app, clock, utc(28, 9, 0, month=12))
    clock.set(utc(28, 9, 30, month=12))
    await record(app, prj.id, answers(10))
    await _run(app, clock, utc(4, 9, 0, month=1, year=2027))
    assert [k for k, _ in await _sent(app) if "W52" in k or "W53" in k] == [
        "checkin:PRJ-1:2026-W52", "checkin:PRJ-1:2026-W53"]
    # An update given unasked, when no question waits, still answers its week: nobody is asked for it.
    await record(app, prj.id, answers(20))  # week 53's answer
    await _run(app, clock, utc(8, 9, 0, month=1, year=2027))
    await record(app, prj.id, answers(30))  # week 1's answer
    clock.set(utc(11, 10, 0, month=1, year=2027))
    await record(app, prj.id, answers(40))  # Monday of week 2, unasked
    await _run(app, clock, utc(15, 9, 0, month=1, year=2027))
    assert [k for k, _ in await _sent(app) if "2027-W0" in k] == ["checkin:PRJ-1:2027-W01"]


async def test_one_reminder_the_next_business_morning_unless_answered(app: App, clock: FrozenClock) -> None:
    first, second = await project(app), await project(app)
    assert first.id is not None
    await _run(app, clock, utc(27, 9, 0))
    await record(app, first.id, answers(10))  # PRJ-1 answered with /pmo update
    assert (await _run(app, clock, utc(30, 7, 59)))["reminded"] == 0  # Monday 08:59 in Paris
    assert (await _run(app, clock, utc(30, 8, 0)))["reminded"] == 1
    assert (await _run(app, clock, utc(30, 10, 0)))["reminded"] == 0
    assert await _sent(app, "checkin:PRJ-2:2026-W48:reminder") == [("checkin:PRJ-2:2026-W48:reminder", "bob")]
    assert await _sent(app, "checkin:PRJ-1:2026-W48:reminder") == []
    async with app.db.session() as session:
        rows = (await session.exec(select(CheckIn).order_by(col(CheckIn.project_id)))).all()
    assert [r.answered_at is not None for r in rows] == [True, False] and second.id == rows[1].project_id


async def test_the_pmo_is_told_once_after_two_missed_weeks(app: App, clock: FrozenClock) -> None:
    await project(app)
    # Five weeks in a row asked, reminded and unanswered (the fifth moved to Monday by Christmas): told after
    # the second, not again after.
    for friday, monday in ((utc(27, 9, 0), utc(30, 8, 0)), (utc(4, 9, 0, month=12), utc(7, 8, 0, month=12)),
                           (utc(11, 9, 0, month=12), utc(14, 8, 0, month=12)),
                           (utc(18, 9, 0, month=12), utc(21, 8, 0, month=12)),
                           (utc(28, 9, 0, month=12), utc(29, 8, 0, month=12))):
        await _run(app, clock, friday)
        await _run(app, clock, monday)
        await _run(app, clock, monday.replace(hour=12))
    async with app.db.session() as session:
        dan = (await demo_actor(session, app, "dan")).person
        told = (await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).contains(":missed:")))).all()
    assert [row.key for row in told] == [f"checkin:PRJ-1:2026-W49:missed:{dan.id}"]
    assert "PRJ-1" in told[0].payload["text"] and "2" in told[0].payload["text"]


async def test_a_snoozed_project_is_not_asked(app: App, clock: FrozenClock) -> None:
    prj = await project(app)
    async with app.db.session() as session:
        bob = await demo_actor(session, app, "bob")
        await snoozes.snooze(session, core=app.core, actor=bob, project=prj, until=utc(10, 0, month=12).date(),
                             reason="Waiting for the vendor")
    summary = await _run(app, clock, utc(27, 9, 0))
    assert (summary["asked"], summary["snoozed"]) == (0, 1)
    await _run(app, clock, utc(11, 9, 0, month=12))  # the day after the snooze ends
    assert [k for k, _ in await _sent(app)] == ["checkin:PRJ-1:2026-W50"]


async def test_an_owner_without_a_known_zone_is_asked_in_the_organisations(app: App, clock: FrozenClock) -> None:
    await project(app)
    await _zone(app, "bob", "Not/AZone")
    await _run(app, clock, utc(27, 9, 0))
    async with app.db.session() as session:
        bob = (await session.exec(select(Person).where(Person.handle == "bob"))).one()
    assert await _sent(app) == [("checkin:PRJ-1:2026-W48", "bob")] and bob.timezone == "Not/AZone"


async def test_an_owner_who_gave_the_weeks_status_unasked_is_not_asked(app: App, clock: FrozenClock) -> None:
    first, _ = await project(app), await project(app)
    assert first.id is not None
    clock.set(utc(26, 15, 0))  # Thursday: Bob gives PRJ-1's status before being asked
    await record(app, first.id, answers(10))
    summary = await _run(app, clock, utc(27, 9, 0))
    assert summary["asked"] == 1 and await _sent(app) == [("checkin:PRJ-2:2026-W48", "bob")]
    assert (await _run(app, clock, utc(30, 8, 0)))["reminded"] == 1  # PRJ-2 only
    async with app.db.session() as session:
        rows = (await session.exec(select(CheckIn).order_by(col(CheckIn.project_id)))).all()
    assert [(r.asked_at is None, r.answered_at is not None) for r in rows] == [(True, True), (False, False)]


async def test_with_a_pmo_channel_chosen_the_channel_is_told_instead(app: App, clock: FrozenClock) -> None:
    from pmobot.services import addresses

    await project(app)
    app.core.it_channels["console"] = "it-intake"  # the console switched on, as attach_console does
    async with app.db.session() as session:
        dan = await demo_actor(session, app, "dan")
        await addresses.set_channel(session, core=app.core, actor=dan, platform="console",
                                    purpose=addresses.PMO_CHANNEL, address="pmo")
    for friday, monday in ((utc(27, 9, 0), utc(30, 8, 0)), (utc(4, 9, 0, month=12), utc(7, 8, 0, month=12))):
        await _run(app, clock, friday)
        await _run(app, clock, monday)
        await _run(app, clock, monday.replace(hour=12))
    async with app.db.session() as session:
        told = (await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).contains(":missed")))).all()
    assert [(row.key, row.target_kind, row.target) for row in told] == [
        ("checkin:PRJ-1:2026-W49:missed@console", "channel", "pmo")]
