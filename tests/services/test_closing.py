"""Ending a project: marked done by its owner or the PMO, cancelled by the PMO with a reason; once, with
everything it means (audit, roadmap event, alerts closed, check-ins stopped, capacity freed, people told),
and every later step on it refused saying since when."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlmodel import col, select

from pmobot.app import App
from pmobot.clock import FrozenClock
from pmobot.domain.models import AuditEvent, OutboxMessage
from pmobot.domain.models_governance import ChangeRequest, Project
from pmobot.domain.models_tracking import DriftAlert, RoadmapEvent, Snooze
from pmobot.jobs.base import JobContext
from pmobot.services import (
    addresses,
    changes,
    checkins,
    closing,
    export_projects,
    intake,
    projects,
    roadmap,
    roadmap_events,
    roadmap_update,
    snoozes,
    status_flow,
)
from pmobot.services.errors import Forbidden, Invalid, Overtaken, PmoError
from pmobot.services.people import Actor
from tests.support.drift import DRIFT_DAY, drifting
from tests.support.projects import demo_actor
from tests.support.tracking import answers, project, record

CLOSING_DAY = datetime(2026, 12, 11, 10, 0, tzinfo=UTC)


def said(error: PmoError) -> dict[str, str]:
    return {loc: error.message(loc) for loc in ("en", "fr")}


async def _as(app: App, login: str, step: Any) -> Any:
    async with app.db.session() as session:
        return await step(session, await demo_actor(session, app, login))


async def _finish(app: App, login: str, key: str = "PRJ-1", note: str = "") -> str:
    async def step(session: Any, actor: Actor) -> str:
        out = await closing.finish(session, core=app.core, actor=actor, key=key, note=note)
        return "\n".join(getattr(m, "text", "") for m in out)

    return str(await _as(app, login, step))


async def _cancel(app: App, login: str, reason: str, key: str = "PRJ-1") -> str:
    async def step(session: Any, actor: Actor) -> str:
        out = await closing.cancel(session, core=app.core, actor=actor, key=key, reason=reason)
        return "\n".join(getattr(m, "text", "") for m in out)

    return str(await _as(app, login, step))


async def _rows(app: App, model: Any, *where: Any) -> list[Any]:
    async with app.db.session() as session:
        return list((await session.exec(select(model).where(*where))).all())


async def test_the_owner_marks_it_done_with_a_note_recorded_told_and_on_the_roadmap(
        app: App, clock: FrozenClock) -> None:
    prj = await project(app)
    clock.set(CLOSING_DAY)
    reply = await _finish(app, "bob", note="Live since Monday, users trained")
    assert "PRJ-1 · Supplier contract tracker is marked done on 11 December 2026" in reply
    assert "Closing note: Live since Monday, users trained" in reply and "Told: Alice Martin" in reply
    assert "It never had a status update." in reply
    row = (await _rows(app, Project, Project.id == prj.id))[0]
    bob = (await _as(app, "bob", lambda s, a: asyncio.sleep(0, a)))
    assert (row.status, row.closed_at, row.closed_by_id, row.closing_reason) == (
        "done", CLOSING_DAY, bob.id, "Live since Monday, users trained")
    assert row.version == prj.version + 1
    audit = await _rows(app, AuditEvent, AuditEvent.subject == "PRJ-1", AuditEvent.action == "project_done")
    assert [(e.actor_id, e.from_status, e.to_status, e.reason, e.at) for e in audit] == [
        (bob.id, "active", "done", "Live since Monday, users trained", CLOSING_DAY)]
    events = await _rows(app, RoadmapEvent, RoadmapEvent.project_id == prj.id)
    assert [(e.kind, e.day, e.detail["reason"]) for e in events] == [
        ("done", date(2026, 12, 11), "Live since Monday, users trained")]
    # The day's roadmap update says it, in the organisation's language (French here).
    line = roadmap_update.event_line(events[0], "fr")
    assert "PRJ-1" in line and "Live since Monday, users trained" in line
    # The requester (alice, French) is told in French with the note; the owner closed it, so is not told.
    told = await _rows(app, OutboxMessage, col(OutboxMessage.key).startswith("project-closed:"))
    assert [m.target for m in told] == ["alice"]
    assert "PRJ-1 · Supplier contract tracker, le projet issu de NEED-1, est terminé : Bob Smith l'a déclaré " \
           "terminé." in told[0].payload["text"]
    assert "Note de clôture : Live since Monday, users trained" in told[0].payload["text"]


async def test_the_pmo_cancels_with_a_reason_told_to_owner_and_requester_each_in_their_language(
        app: App, clock: FrozenClock) -> None:
    prj = await project(app)
    clock.set(CLOSING_DAY)
    reply = await _cancel(app, "dan", "  The vendor stopped the product  ")
    # dan reads French.
    assert "PRJ-1 · Supplier contract tracker est annulé le 11 décembre 2026" in reply
    assert "Motif : The vendor stopped the product" in reply
    told = {m.target: m.payload["text"] for m in await _rows(
        app, OutboxMessage, col(OutboxMessage.key).startswith("project-closed:"))}
    assert set(told) == {"alice", "bob"}
    assert "is cancelled: Dan Dupont cancelled it." in told["bob"]
    assert "Reason: The vendor stopped the product" in told["bob"]
    assert "est annulé : Dan Dupont l'a annulé." in told["alice"]
    assert "Motif : The vendor stopped the product" in told["alice"]
    events = await _rows(app, RoadmapEvent, RoadmapEvent.project_id == prj.id)
    assert [(e.kind, e.detail["reason"]) for e in events] == [("cancelled", "The vendor stopped the product")]


async def test_only_the_pmo_cancels_and_only_with_a_reason(app: App) -> None:
    await project(app)
    with pytest.raises(Forbidden) as refused:
        await _cancel(app, "bob", "Not worth it")  # the owner: done, not cancel
    assert said(refused.value)["en"].startswith("Only the PMO can cancel PRJ-1")
    assert "/pmo done PRJ-1" in said(refused.value)["en"]
    assert "/pmo terminer PRJ-1" in said(refused.value)["fr"]
    with pytest.raises(Invalid) as no_reason:
        await _cancel(app, "dan", "   ")
    assert said(no_reason.value)["fr"].startswith("Dites pourquoi PRJ-1 est annulé")
    assert said(no_reason.value)["en"].startswith("Say why PRJ-1 is cancelled")
    with pytest.raises(Forbidden) as not_owner:
        await _finish(app, "alice")  # the requester does not say it is done: its owner does
    assert said(not_owner.value)["en"] == "Only the owner of PRJ-1 or the PMO can mark it done."
    assert (await _rows(app, Project))[0].status == "active"
    assert await _rows(app, RoadmapEvent) == []


async def test_a_closed_project_is_not_closed_again_and_says_who_closed_it_and_when(
        app: App, clock: FrozenClock) -> None:
    await project(app)
    clock.set(CLOSING_DAY)
    await _finish(app, "bob")
    with pytest.raises(Invalid) as again:
        await _cancel(app, "dan", "Too late")
    assert said(again.value) == {
        "en": "PRJ-1 was already marked done on 11 December 2026 by Bob Smith: nothing was changed.",
        "fr": "PRJ-1 est déjà terminé depuis le 11 décembre 2026 (déclaré par Bob Smith) : rien n'a été changé."}
    assert len(await _rows(app, RoadmapEvent)) == 1


async def test_status_update_snooze_milestone_and_change_on_a_closed_project_are_refused_since_when(
        app: App, clock: FrozenClock) -> None:
    prj = await project(app)
    clock.set(CLOSING_DAY)
    await _cancel(app, "dan", "Budget cut")
    clock.set(datetime(2026, 12, 15, 9, 0, tzinfo=UTC))
    assert prj.id is not None
    with pytest.raises(Invalid) as update:
        await record(app, prj.id, answers(50))
    assert said(update.value) == {
        "en": "PRJ-1 was cancelled on 11 December 2026: it takes no more status updates.",
        "fr": "PRJ-1 est annulé depuis le 11 décembre 2026 : il ne reçoit plus de point d'avancement."}
    with pytest.raises(Invalid) as opening:
        await _as(app, "bob", lambda s, a: status_flow.opening(s, core=app.core, actor=a, key="PRJ-1"))
    assert said(opening.value) == said(update.value)

    async def hold(session: Any, actor: Actor) -> Any:
        found, _ = await projects.get(session, actor=actor, key="PRJ-1")
        return await snoozes.snooze(session, core=app.core, actor=actor, project=found, until=date(2027, 1, 4),
                                    reason="Holidays")

    with pytest.raises(Invalid) as snooze:
        await _as(app, "bob", hold)
    assert said(snooze.value)["fr"] == \
        "PRJ-1 est annulé depuis le 11 décembre 2026 : il n'y a plus rien à suspendre."
    with pytest.raises(Invalid) as milestone:
        await _as(app, "bob", lambda s, a: projects.add_milestone(s, core=app.core, actor=a, key="PRJ-1",
                                                                  name="Pilot", due=date(2026, 12, 18),
                                                                  weight=None))
    assert said(milestone.value)["en"] == "PRJ-1 was cancelled on 11 December 2026: its baseline can't change " \
                                          "any more."

    async def hand_over(session: Any, actor: Actor) -> Any:
        found, _ = await projects.get(session, actor=actor, key="PRJ-1")
        return await projects.set_owner(session, core=app.core, actor=actor, project=found,
                                        owner=(await demo_actor(session, app, "alice")).person)

    with pytest.raises(Invalid) as owner:
        await _as(app, "dan", hand_over)
    assert said(owner.value)["en"] == "PRJ-1 was cancelled on 11 December 2026: its owner can no longer change."


async def test_its_open_alerts_close_with_a_short_notice_and_the_scan_opens_none_again(
        app: App, clock: FrozenClock) -> None:
    prj = await project(app)
    clock.set(DRIFT_DAY)
    await drifting(app, "PRJ-1")
    opened = await _rows(app, DriftAlert, DriftAlert.project_id == prj.id, DriftAlert.status == "open")
    assert opened  # the scan found it behind plan
    clock.set(CLOSING_DAY)
    reply = await _finish(app, "dan", note="Delivered, late")
    listed = reply.split("Alertes de dérive ouvertes closes : ")[1].split(".")[0]
    assert sorted(listed.split(", ")) == sorted(a.key for a in opened)
    assert await _rows(app, DriftAlert, DriftAlert.status == "open") == []
    notices = await _rows(app, OutboxMessage, col(OutboxMessage.key).startswith("alert:"),
                          col(OutboxMessage.key).contains(":closed:"))
    texts = [m.payload["text"] for m in notices]
    first = opened[0]
    # To the owner (bob, English), one short notice per alert (no PMO channel is chosen here).
    assert sorted(m.target for m in notices) == ["bob"] * len(opened)
    assert any(text.startswith(f"{first.key} is closed: PRJ-1 is done, so the alert on ") and
               text.endswith(" no longer applies.") for text in texts), texts
    from pmobot.services import drift

    summary = await _as(app, "dan", lambda s, a: drift.scan_all(s, core=app.core, now=CLOSING_DAY))
    assert summary["opened"] == 0


async def test_check_ins_and_reminders_stop_and_its_capacity_is_freed(app: App, clock: FrozenClock) -> None:
    prj = await project(app)
    friday = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    clock.set(friday)
    async with app.db.session() as session:
        before = await checkins.run(session, core=app.core, now=friday)
        _, placed = await roadmap.plan(session, core=app.core)
    assert before["asked"] == 1 and placed.get("PRJ-1") is not None
    await _finish(app, "bob")
    for later in (datetime(2026, 11, 30, 9, 0, tzinfo=UTC), datetime(2026, 12, 4, 9, 0, tzinfo=UTC)):
        clock.set(later)
        async with app.db.session() as session:
            after = await checkins.run(session, core=app.core, now=later)
        assert (after["asked"], after.get("reminded", 0)) == (0, 0), after
    async with app.db.session() as session:
        portfolio, placed = await roadmap.plan(session, core=app.core)
    assert placed.get("PRJ-1") is None and all(e.project is None or e.project.id != prj.id
                                               for e in portfolio.entries())


async def test_a_snooze_is_lifted_and_changes_waiting_for_the_committee_are_withdrawn(app: App) -> None:
    prj = await project(app)
    assert prj.id is not None

    async def hold(session: Any, actor: Actor) -> Any:
        found, _ = await projects.get(session, actor=actor, key="PRJ-1")
        return await snoozes.snooze(session, core=app.core, actor=actor, project=found, until=date(2027, 1, 4),
                                    reason="Vendor")

    await _as(app, "bob", hold)
    await _as(app, "bob", lambda s, a: changes.request_change(
        s, core=app.core, actor=a, key="PRJ-1", answers={"new_end": "2027-01-29", "reason": "Vendor late"}))
    reply = await _cancel(app, "dan", "Vendor gone")
    assert "PRJ-1/CR-1" in reply or "CR-1" in reply
    assert [c.status for c in await _rows(app, ChangeRequest)] == ["withdrawn"]
    assert [s.lifted_at is not None for s in await _rows(app, Snooze)] == [True]


async def test_the_export_and_the_status_card_say_when_why_and_by_whom(app: App, clock: FrozenClock) -> None:
    await project(app)
    clock.set(CLOSING_DAY)
    await _cancel(app, "dan", "Merged into the ERP programme")
    async with app.db.session() as session:
        rows = await export_projects.projects(session, core=app.core)
        bob = await demo_actor(session, app, "bob")
        from pmobot.services import project_view

        card = (await project_view.show(session, core=app.core, actor=bob, key="PRJ-1"))[0]
    assert {k: rows[0][k] for k in ("status", "closed_at", "closed_by", "closing_reason")} == {
        "status": "cancelled", "closed_at": "2026-12-11T10:00:00+00:00", "closed_by": "Dan Dupont",
        "closing_reason": "Merged into the ERP programme"}
    status = next(f.value for f in card.fields if f.label == "Status")  # type: ignore[attr-defined]
    assert status == "Cancelled on 11 December 2026, by Dan Dupont.\nReason: Merged into the ERP programme"
    assert "/pmo milestone" not in (card.footer or "")  # type: ignore[attr-defined]


async def test_the_need_s_status_says_how_when_and_by_whom_its_project_ended(app: App, clock: FrozenClock) -> None:
    """The requester follows their need, not the project: its status says the project ended, not only that."""
    await project(app)
    clock.set(CLOSING_DAY)
    await _finish(app, "bob", note="Live in all stores")
    async with app.db.session() as session:
        alice = await demo_actor(session, app, "alice")
        card = (await intake.status(session, core=app.core, actor=alice, key="NEED-1"))[0]
    line = next(f.value for f in card.fields if f.label == "Projet")  # type: ignore[attr-defined]
    assert line.startswith("PRJ-1 · ")  # Alice speaks French
    assert line.endswith("\nTerminé le 11 décembre 2026, par Bob Smith.\nNote de clôture : Live in all stores"), line


async def test_of_two_closings_at_once_exactly_one_wins_and_the_other_is_told_who(
        app: App, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The owner marks it done while the PMO cancels it: each reads it active, then both write at once."""
    await project(app)
    clock.set(CLOSING_DAY)
    barrier = asyncio.Barrier(2)
    read = projects.get

    async def read_then_wait(session: Any, *, actor: Actor, key: str) -> Any:
        found = await read(session, actor=actor, key=key)
        await barrier.wait()
        return found

    # The real service, from its own read to its own write: the barrier sits between the two.
    monkeypatch.setattr(projects, "get", read_then_wait)
    results = await asyncio.gather(_finish(app, "bob", note="Live"), _cancel(app, "dan", "Budget cut"),
                                   return_exceptions=True)
    lost = [r for r in results if isinstance(r, Overtaken)]
    won = [r for r in results if isinstance(r, str)]
    assert (len(won), len(lost)) == (1, 1), results
    row = (await _rows(app, Project))[0]
    assert row.status in ("done", "cancelled")
    winner = "Bob Smith" if row.status == "done" else "Dan Dupont"
    message = said(lost[0])["en"]
    assert f"by {winner}: nothing was changed." in message and "11 December 2026" in message
    audit = await _rows(app, AuditEvent, col(AuditEvent.action).in_(["project_done", "project_cancelled"]))
    assert [e.to_status for e in audit] == [row.status]
    assert [e.kind for e in await _rows(app, RoadmapEvent)] == [row.status]
    told = await _rows(app, OutboxMessage, col(OutboxMessage.key).startswith("project-closed:"))
    assert len(told) == len({m.key for m in told}) and all(row.closing_reason in m.payload["text"] for m in told)


async def test_the_roadmap_update_carries_a_closing_once(app: App, clock: FrozenClock) -> None:
    await project(app)
    app.core.it_channels["console"] = "it-intake"
    async with app.db.session() as session:
        await addresses.set_channel(session, core=app.core, actor=await demo_actor(session, app, "dan"),
                                    platform="console", purpose=addresses.ROADMAP_CHANNEL, address="roadmap")
    clock.set(CLOSING_DAY)
    await _cancel(app, "dan", "Budget cut")
    slot = datetime(2026, 12, 11, 17, 0, tzinfo=UTC)
    ctx = JobContext(core=app.core, now=slot, slot=slot, period="2026-12-11", late=False)
    first = await roadmap_update.run(ctx)
    again = await roadmap_update.run(ctx)
    assert (first["events"], first["posted"], again["events"]) == (1, 1, 0)
    posts = await _rows(app, OutboxMessage, col(OutboxMessage.key).startswith("roadmap:"))
    body = "\n".join(f["value"] for f in posts[0].payload["fields"])
    assert "PRJ-1" in body and "Budget cut" in body
    assert roadmap_events.CANCELLED == "cancelled"


async def test_its_capacity_goes_to_the_next_need_on_the_roadmap(app: App) -> None:
    """With IT's capacity set, a need waiting for approval is placed after the project's work; once the
    project is cancelled, the same need is placed earlier, in the capacity it gave back."""
    from pmobot.services import capacity
    from tests.support.projects import estimated_need, needs_get

    await project(app)
    await _as(app, "dan", lambda s, a: capacity.set_capacity(s, core=app.core, actor=a, text="20"))
    waiting = await estimated_need(app)

    async def slot(session: Any, actor: Actor) -> Any:
        return await roadmap.slot_for(session, core=app.core, need=await needs_get(session, waiting))

    before = await _as(app, "dan", slot)
    await _cancel(app, "dan", "Budget cut")
    after = await _as(app, "dan", slot)
    assert after.start < before.start and after.end < before.end, (before, after)
