"""The daily roadmap update: what moved the roadmap is recorded where it moved (a committee decision, an
approved change, a forecast slip past the tolerance), gathered into one post a day, nothing on a quiet
day, and never twice for a day however often the job runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import col, select

from pmobot.app import App
from pmobot.clock import FrozenClock
from pmobot.domain import keys
from pmobot.domain.committee import Choice
from pmobot.domain.models import OutboxMessage
from pmobot.domain.models_governance import Project
from pmobot.domain.models_tracking import RoadmapEvent, StatusUpdate
from pmobot.jobs.base import JobContext
from pmobot.jobs.roadmap_update import ROADMAP_UPDATE
from pmobot.services import addresses, changes, committee, roadmap_events
from tests.support.committee import actor, estimated_need, seat
from tests.support.projects import demo_actor

# Thursday 26 November 2026, 17:00 in Paris: the policy's hour for the roadmap update.
SLOT = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)


async def _roadmap_channel(app: App) -> None:
    app.core.it_channels["console"] = "it-intake"
    async with app.db.session() as session:
        dan = await demo_actor(session, app, "dan")
        await addresses.set_channel(session, core=app.core, actor=dan, platform="console",
                                    purpose=addresses.ROADMAP_CHANNEL, address="roadmap")


async def _approve(app: App, key: str) -> None:
    async with app.db.session() as session:
        await committee.send(session, core=app.core, actor=await actor(session, app, "dan"), key=key)
    for login in ("carla", "erin"):
        async with app.db.session() as session:
            await committee.vote(session, core=app.core, actor=await actor(session, app, login), key=key,
                                 choice=Choice.APPROVE, reason="Worth it")


async def _run(app: App, slot: datetime = SLOT) -> dict[str, int]:
    period = ROADMAP_UPDATE.schedule.period(slot, core=app.core)
    return await ROADMAP_UPDATE.run(JobContext(app.core, slot, slot, period, False))


async def _posts(app: App) -> list[OutboxMessage]:
    async with app.db.session() as session:
        return list((await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).startswith("roadmap:"))
                                        .order_by(col(OutboxMessage.id)))).all())


async def test_a_day_of_decisions_and_a_change_is_one_post_saying_what_moved_and_why(app: App) -> None:
    await _roadmap_channel(app)
    await seat(app)
    first = await estimated_need(app, title="Contract tracker")
    second = await estimated_need(app, title="Badge reader")
    await _approve(app, first)
    await _approve(app, second)
    # The first project's owner asks for four more weeks, and the committee agrees.
    async with app.db.session() as session:
        project = (await session.exec(select(Project).order_by(col(Project.number)))).first()
        assert project is not None
        bob = await demo_actor(session, app, "bob")
        await changes.request_change(session, core=app.core, actor=bob, key=project.key,
                                     answers={"reason": "The vendor is late", "new_end": "2027-03-31"})
    for login in ("carla", "erin"):
        async with app.db.session() as session:
            member = await actor(session, app, login)
            await changes.decide(session, core=app.core, actor=member, key=project.key, number="CR-1",
                                 choice="approve", reason="Fine")
    assert await _run(app) == {"slips": 0, "events": 3, "posted": 1}
    [post] = await _posts(app)
    assert post.key == "roadmap:2026-11-26@console" and post.target == "roadmap"
    text = str(post.payload)
    assert post.payload["title"] == "Mise à jour de la feuille de route, 26 novembre 2026"
    assert post.payload["subtitle"] == "3 changements de la feuille de route"
    decisions, changed = post.payload["fields"]
    assert decisions["label"] == "Décisions du comité (2)"
    assert decisions["value"].count("approuvé : il devient PRJ-") == 2
    assert changed["label"] == "Changement approuvé"
    assert f"{project.key} Contract tracker : CR-1 approuvé, la fin passe du" in changed["value"]
    assert "au 31 mars 2027. Pourquoi : The vendor is late" in changed["value"]
    assert "NEED-1" in text and "NEED-2" in text


async def test_a_quiet_day_posts_nothing_and_a_rerun_of_the_day_posts_once(app: App) -> None:
    await _roadmap_channel(app)
    assert await _run(app) == {"slips": 0, "events": 0, "posted": 0}
    assert await _posts(app) == []
    await seat(app)
    await _approve(app, await estimated_need(app))
    assert (await _run(app))["posted"] == 1
    assert (await _run(app))["posted"] == 0
    assert len(await _posts(app)) == 1
    # An event after the day's post waits for the next day's update.
    async with app.db.session() as session:
        await roadmap_events.record(session, core=app.core, kind=roadmap_events.CANCELLED, key="cancelled:PRJ-9",
                                    detail={"subject": "PRJ-9", "title": "Old thing", "end": [None, "2026-11-26"]})
    assert (await _run(app))["posted"] == 0
    assert (await _run(app, datetime(2026, 11, 27, 16, 0, tzinfo=UTC)))["posted"] == 1
    posts = await _posts(app)
    assert [p.key for p in posts] == ["roadmap:2026-11-26@console", "roadmap:2026-11-27@console"]
    assert "PRJ-9 Old thing est annulé" in str(posts[1].payload) and "NEED-1" not in str(posts[1].payload)


async def test_the_same_event_recorded_twice_is_one_row(app: App) -> None:
    async with app.db.session() as session:
        detail = {"subject": "PRJ-1", "title": "x", "end": ["2026-12-01", "2027-01-04"]}
        assert await roadmap_events.record(session, core=app.core, kind="slip", key="slip:PRJ-1:2027-01-04",
                                           detail=detail)
        assert not await roadmap_events.record(session, core=app.core, kind="slip", key="slip:PRJ-1:2027-01-04",
                                               detail=detail)
    async with app.db.session() as session:
        assert len((await session.exec(select(RoadmapEvent))).all()) == 1
    assert keys.roadmap_update("2026-11-26") == "roadmap:2026-11-26"
    assert keys.roadmap_event("slip", "PRJ-1:2027-01-04") == "slip:PRJ-1:2027-01-04"


async def test_a_forecast_slip_beyond_the_tolerance_is_posted_once_and_a_small_one_is_not(
        app: App, clock: FrozenClock) -> None:
    await _roadmap_channel(app)
    await seat(app)
    await _approve(app, await estimated_need(app, title="Contract tracker"))
    await _approve(app, await estimated_need(app, title="Badge reader"))
    await _run(app)  # the decisions' day
    async with app.db.session() as session:
        projects = list((await session.exec(select(Project).order_by(col(Project.number)))).all())
        ends = {}
        for project in projects:
            assert project.id is not None
            ends[project.key] = project.planned_end
        bob = await demo_actor(session, app, "bob")
        # PRJ-1 forecasts three weeks late (beyond the 5 business days' tolerance), PRJ-2 two days late.
        for project, late_days in ((projects[0], 21), (projects[1], 2)):
            assert project.id is not None and project.planned_end is not None
            forecast = date.fromordinal(project.planned_end.toordinal() + late_days)
            session.add(StatusUpdate(project_id=project.id, number=1, author_id=bob.id or 0, percent_complete=10,
                                     spend=Decimal(1000), currency="EUR", health="amber", schedule_health="red",
                                     cost_health="green", scope_health="green",
                                     comments={"schedule": "The supplier delivers late"}, forecast_end=forecast,
                                     created_at=app.core.now()))
    clock.set(datetime(2026, 11, 27, 16, 0, tzinfo=UTC))
    assert await _run(app, datetime(2026, 11, 27, 16, 0, tzinfo=UTC)) == {"slips": 1, "events": 1, "posted": 1}
    post = (await _posts(app))[-1]
    [slip] = post.payload["fields"]
    assert slip["label"] == "Glissement de prévision"
    assert slip["value"].startswith(f"• {projects[0].key} Contract tracker : son responsable prévoit désormais")
    assert slip["value"].endswith("Pourquoi : The supplier delivers late.")
    # The same forecast the next day is no new move.
    clock.set(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    assert await _run(app, datetime(2026, 11, 30, 16, 0, tzinfo=UTC)) == {"slips": 0, "events": 0, "posted": 0}
