"""A status update as people give and read it: the check-in form opened with last week's answers,
its answers recorded, and the lines that show updates on a project's card and in its status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.models_governance import Milestone, Project
from pmobot.domain.models_tracking import StatusUpdate
from pmobot.i18n import format_day, format_money, format_number, t
from pmobot.messages import CardField, Message, Notice
from pmobot.services import baselines, checkins, projects, snoozes, status_updates, status_values
from pmobot.services.core import Core
from pmobot.services.people import Actor

# Updates shown on a project's card, the latest ones.
SHOWN = 4


def check_open(project: Project, *, core: Core) -> None:
    """A status is given on an active project; a done or cancelled one is said so, since when."""
    projects.check_active(project, core=core, step="status")


def defaults(last: StatusUpdate | None, marks: list[Milestone], *, today: date) -> dict[str, Any]:
    """Last update's answers, as the check-in's fields hold them; the milestones still ahead with
    their baseline dates when no forecast was given yet."""
    forecasts = list(last.forecasts) if last and last.forecasts else [
        {"name": m.name, "forecast": m.due.isoformat()} for m in marks if m.due >= today]
    values: dict[str, Any] = {"milestones": status_values.forecasts_text(forecasts) or None}
    if last is None:
        return {k: v for k, v in values.items() if v is not None}
    values.update({
        "percent_complete": last.percent_complete,
        "spend": {"amount": str(last.spend), "currency": last.currency},
        "forecast_end": last.forecast_end.isoformat() if last.forecast_end else None,
        "risks": last.risks or None, "blockers": last.blockers or None,
        "decisions_needed": last.decisions_needed or None,
    })
    healths = dict(zip(status_values.DIMENSIONS, (last.health, last.schedule_health, last.cost_health,
                                                  last.scope_health), strict=True))
    for dimension, value in healths.items():
        values[status_values.health_field(dimension)] = value
        if last.comments.get(dimension):
            values[status_values.comment_field(dimension)] = last.comments[dimension]
    return {k: v for k, v in values.items() if v is not None}


async def opening(session: AsyncSession, *, core: Core, actor: Actor,
                  key: str) -> tuple[dict[str, str], dict[str, Any]]:
    """What the check-in form of ``key`` checks its answers against, and the answers it offers."""
    project, _ = await projects.get(session, actor=actor, key=key)
    projects.check_manage(actor, project, "update")
    check_open(project, core=core)
    assert project.id is not None
    baseline = await baselines.in_force(session, project_id=project.id)
    marks = await baselines.milestones(session, project_id=project.id)
    last = (await status_updates.latest(session, project_ids=[project.id])).get(project.id)
    context = {"project": project.key, "last_percent": str(last.percent_complete) if last else "",
               "currency": baseline.currency if baseline else core.settings.default_currency,
               "milestones": "\n".join(m.name for m in marks)}
    return context, defaults(last, marks, today=core.today())


async def record_answers(session: AsyncSession, *, core: Core, actor: Actor, key: str,
                         answers: dict[str, Any]) -> list[Message]:
    """The check-in's answers, recorded as the project's next status update."""
    project, _ = await projects.get(session, actor=actor, key=key)
    assert project.id is not None
    # The answer to the week's question when one waits; else an update given unasked.
    asked = await checkins.waiting(session, project_id=project.id, now=core.now())
    update = await status_updates.record(session, core=core, project_id=project.id, author_id=actor.id,
                                         values=answers, via="check-in" if asked else "command",
                                         check_in_id=asked.id if asked else None)
    loc = actor.locale
    return [Notice(t(loc, "checkin.recorded", key=project.key, number=update.number,
                     line=update_line(update, loc)), "success")]


def update_line(update: StatusUpdate, locale: str, *, comments: bool = True) -> str:
    """``#3 · 40 % done · 21 000 € spent · amber · schedule: vendor late``."""
    health = t(locale, f"checkin.health.{update.health}")
    worries = [t(locale, "checkin.labelled", label=t(locale, f"checkin.dimension.{d}"), text=c)
               for d, c in update.comments.items() if c and comments]
    line = t(locale, "checkin.update_line", number=update.number,
             percent=format_number(update.percent_complete, locale),
             spend=format_money(Decimal(update.spend), update.currency, locale), health=health)
    if update.forecast_end:
        line += " · " + t(locale, "checkin.forecast_end", day=format_day(update.forecast_end, locale))
    if worries:
        line += " · " + "; ".join(worries)
    return line


async def card_fields(session: AsyncSession, *, core: Core, project: Project, locale: str) -> list[CardField]:
    """The project card's part: the last updates with what they say, and a snooze in force."""
    assert project.id is not None
    updates = await status_updates.history(session, project_id=project.id, limit=SHOWN)
    fields: list[CardField] = []
    if updates:
        last = updates[-1]
        # The last one in full, the ones before it as figures: the trend at a glance.
        lines = [update_line(u, locale, comments=u is last) for u in reversed(updates)]
        for name in ("risks", "blockers", "decisions_needed"):
            if getattr(last, name):
                lines.append(t(locale, "checkin.labelled", label=t(locale, f"checkin.field.{name}"),
                               text=getattr(last, name)))
        fields.append(CardField(t(locale, "checkin.field.updates"), "\n".join(lines), short=False))
    else:
        fields.append(CardField(t(locale, "checkin.field.updates"), t(locale, "checkin.no_update", key=project.key),
                                short=False))
    held = await snoozes.current(session, project_id=project.id, today=core.today())
    if held is not None:
        fields.append(CardField(t(locale, "checkin.field.snoozed"),
                                t(locale, "checkin.snoozed_line", until=format_day(held.until, locale),
                                  reason=held.reason), short=False))
    return fields
