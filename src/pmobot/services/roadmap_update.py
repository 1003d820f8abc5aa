"""The daily roadmap update: what moved and why, in one post to the roadmap channel, only when something did.

The job records the day's forecast slips first (``roadmap_events.record_slips``),
then gathers every event not carried yet into one message under the day's
outbox key. A rerun of the same day finds that key taken and posts nothing; the
events it carried are marked with the run, in the same transaction, so an
event is carried once, and one that comes after the post waits for the next day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain import keys
from pmobot.domain.models import OutboxMessage
from pmobot.domain.models_tracking import JobRun, RoadmapEvent
from pmobot.i18n import format_day, sentences, t
from pmobot.jobs.base import JobContext, Summary
from pmobot.messages import Card, CardField
from pmobot.services import addresses, outbox, roadmap_events
from pmobot.services.core import Core

JOB = "roadmap-update"
# Events listed one by one in the post; the rest are counted (a day of many decisions stays readable).
SHOWN = 20


_LINES = {"approved": "roadmap_update.line.approved", "deferred": "roadmap_update.line.deferred",
          "rejected": "roadmap_update.line.rejected", "decided": "roadmap_update.line.decided",
          roadmap_events.CHANGE: "roadmap_update.line.change", roadmap_events.SLIP: "roadmap_update.line.slip",
          roadmap_events.DONE: "roadmap_update.line.done", roadmap_events.CANCELLED: "roadmap_update.line.cancelled"}
# Each kind of move, in the order the update lists them, and its heading.
KINDS = {roadmap_events.DECISION: "roadmap_update.kind.decision", roadmap_events.CHANGE: "roadmap_update.kind.change",
         roadmap_events.SLIP: "roadmap_update.kind.slip", roadmap_events.DONE: "roadmap_update.kind.done",
         roadmap_events.CANCELLED: "roadmap_update.kind.cancelled"}


def _day(value: object, locale: str) -> str:
    return format_day(date.fromisoformat(str(value)), locale) if value else "?"


def event_line(event: RoadmapEvent, locale: str) -> str:
    """One event in words: what moved, old → new dates, and why."""
    detail = event.detail
    subject, title = str(detail.get("subject", "")), str(detail.get("title", ""))
    old, new = (list(detail.get("end") or []) + [None, None])[:2]
    if event.kind == roadmap_events.DECISION:
        outcome = str(detail.get("outcome", ""))
        if outcome == "approved" and new:
            text = t(locale, _LINES["approved"], subject=subject, title=title,
                     project=detail.get("project", ""), end=_day(new, locale))
        else:
            text = t(locale, _LINES.get(outcome, _LINES["decided"]), subject=subject, title=title)
    elif event.kind in (roadmap_events.CHANGE, roadmap_events.SLIP):
        text = t(locale, _LINES[event.kind], subject=subject, title=title,
                 change=detail.get("change", ""), old=_day(old, locale), new=_day(new, locale))
    else:
        text = t(locale, _LINES.get(event.kind, _LINES[roadmap_events.DONE]), subject=subject, title=title,
                 end=_day(new, locale))
    reason = str(detail.get("reason") or "").strip()
    return sentences(text, t(locale, "roadmap_update.why", reason=reason) if reason else "")


def update_card(events: Sequence[RoadmapEvent], *, day: date, locale: str) -> Card:
    """The day's update: one line per event, grouped by kind of move, the rest counted."""
    fields = []
    for kind, heading in KINDS.items():
        of_kind = [e for e in events if e.kind == kind]
        if of_kind:
            lines = ["• " + event_line(e, locale) for e in of_kind[:SHOWN]]
            if len(of_kind) > SHOWN:
                lines.append(t(locale, "roadmap_update.more", count=len(of_kind) - SHOWN))
            fields.append(CardField(t(locale, heading, count=len(of_kind)), "\n".join(lines), short=False))
    return Card(title=t(locale, "roadmap_update.title", day=format_day(day, locale)),
                subtitle=t(locale, "roadmap_update.subtitle", count=len(events)), fields=tuple(fields),
                footer=t(locale, "roadmap_update.footer"))


async def _run_id(session: AsyncSession, *, core: Core, period: str, ctx: JobContext) -> int:
    """The run this update belongs to: the runner's row for (job, period), or one made here when the job
    function is called on its own (the console's preview, a test)."""
    row = (await session.exec(select(JobRun).where(JobRun.job == JOB, JobRun.period == period))).first()
    if row is None:
        row = JobRun(job=JOB, period=period, scheduled_for=ctx.slot, started_at=ctx.now, late=ctx.late,
                     status="running", runner="roadmap-update")
        session.add(row)
        await session.flush()
    assert row.id is not None
    return row.id


async def run(ctx: JobContext) -> Summary:
    """The day's roadmap update (the ``roadmap-update`` job)."""
    core = ctx.core
    day = ctx.slot.astimezone(core.calendar.zone).date()
    async with core.db.session() as session:
        slipped = await roadmap_events.record_slips(session, core=core)
    async with core.db.session() as session:
        events = await roadmap_events.unposted(session, up_to=day)
        if not events:
            return {"slips": slipped, "events": 0, "posted": 0}
        locale = core.org_locale
        posted = await outbox.to_channels(session, core=core, purpose=addresses.ROADMAP_CHANNEL,
                                          key=keys.roadmap_update(day.isoformat()),
                                          message=update_card(events, day=day, locale=locale))
        if posted or not await _queued_before(session, day=day):
            await roadmap_events.mark_posted(session, events=events,
                                             run_id=await _run_id(session, core=core, period=ctx.period, ctx=ctx))
    return {"slips": slipped, "events": len(events), "posted": posted}


async def _queued_before(session: AsyncSession, *, day: date) -> bool:
    """Whether this day's update was queued by an earlier run (a rerun then carries nothing)."""
    prefix = keys.roadmap_update(day.isoformat()) + "@"
    found = await session.exec(select(OutboxMessage.id).where(col(OutboxMessage.key).startswith(prefix)).limit(1))
    return found.first() is not None
