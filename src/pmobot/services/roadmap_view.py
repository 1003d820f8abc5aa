"""``/pmo roadmap``: the roadmap as a text timeline and as a chart, with its text alternative.

Committed work is public to everyone who asks; the candidates ("if
approved") are shown to those who see the portfolio, and to each requester
for their own needs (``needs.can_view``, the one home for who sees what).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import Need
from pmobot.domain.roadmap import MonthLoad, Placement, Plan
from pmobot.i18n import format_month, format_number, format_short_day, format_span, t
from pmobot.messages import CardField, Chart, Message, Notice, Text
from pmobot.services import capacity, roadmap
from pmobot.services.core import Core
from pmobot.services.errors import Invalid
from pmobot.services.needs import can_view
from pmobot.services.people import Actor
from pmobot.services.roadmap import Entry

log = logging.getLogger(__name__)

# Each kind of work, by its name in the chart and the text.
KIND_KEYS = {"under_way": "roadmap.view.kind.under_way", "committed": "roadmap.view.kind.committed",
             "candidate": "roadmap.view.kind.candidate"}
# Rows in the text and the chart; the rest are counted.
ROWS_SHOWN = 25
_LABEL_CHARS = 34
# Slack's limit on an image's alternative text is 1,000 characters.
ALT_TEXT_CHARS = 1000


def _kind(entry: Entry) -> str:
    if entry.work.tentative:
        return "candidate"
    return "under_way" if entry.work.pinned else "committed"


def _label(entry: Entry) -> str:
    title = entry.need.title
    label = f"{entry.work.key} · {title}"
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "…"


def _line(entry: Entry, placement: Placement, locale: str) -> str:
    parts = [t(locale, "roadmap.view.line", key=entry.work.key, title=entry.need.title,
               start=format_short_day(placement.slot.start, locale), end=format_short_day(placement.slot.end, locale),
               year=placement.slot.end.year, effort=format_number(round(entry.work.effort, 1), locale))]
    parts.append(t(locale, KIND_KEYS[_kind(entry)]))
    if placement.stretched:
        parts.append(t(locale, "roadmap.view.stretched", days=placement.days))
    if placement.late_by and entry.work.desired is not None:
        parts.append(t(locale, "roadmap.view.late", desired=format_short_day(entry.work.desired, locale),
                       late=format_span(placement.late_by, locale)))
    return "• " + " · ".join(parts)


def _months_line(months: Sequence[MonthLoad], locale: str) -> str:
    shown = [t(locale, "roadmap.view.month_over" if m.over else "roadmap.view.month",
               month=format_month(m.month, locale), load=format_number(round(m.load, 1), locale),
               capacity=format_number(m.capacity or 0, locale)) for m in months if m.capacity is not None]
    return t(locale, "roadmap.view.months", months=", ".join(shown)) if shown else ""


def _visible(entries: Sequence[Entry], actor: Actor) -> list[Entry]:
    return [e for e in entries if not e.work.tentative or can_view(actor, e.need)]


def timeline_text(rows: Sequence[tuple[Entry, Placement]], plan: Plan, *, locale: str, today: date,
                  capacity_words: str) -> str:
    """The roadmap in words: one line per piece of work, then each month's load against the capacity."""
    lines = [t(locale, "roadmap.view.title", today=format_short_day(today, locale), year=today.year), capacity_words]
    if not rows:
        lines.append(t(locale, "roadmap.view.empty"))
    lines += [_line(entry, placement, locale) for entry, placement in rows[:ROWS_SHOWN]]
    if len(rows) > ROWS_SHOWN:
        lines.append(t(locale, "roadmap.view.more", count=len(rows) - ROWS_SHOWN))
    months = _months_line(plan.months, locale)
    return "\n".join(lines + ([months] if months else []))


def _alt_text(rows: Sequence[tuple[Entry, Placement]], *, locale: str) -> str:
    """What the chart shows, for whoever cannot see it: its span and each bar, as much as fits."""
    if not rows:
        return t(locale, "roadmap.view.empty")
    first = min(p.slot.start for _, p in rows)
    last = max(p.slot.end for _, p in rows)
    text = t(locale, "roadmap.chart.alt", count=len(rows), start=format_month(first, locale),
             end=format_month(last, locale))
    for entry, placement in rows:
        part = " " + t(locale, "roadmap.chart.alt_bar", key=entry.work.key,
                       start=format_short_day(placement.slot.start, locale),
                       end=format_short_day(placement.slot.end, locale))
        if len(text) + len(part) > ALT_TEXT_CHARS - 2:
            return text + " …"
        text += part
    return text


def _month_ticks(start: date, end: date, locale: str) -> list[tuple[date, str]]:
    out: list[tuple[date, str]] = []
    month = start.replace(day=1)
    while month <= end:
        out.append((month, format_month(month, locale)))
        month = date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)
    return out  # every month: the chart names one in N when there are many


async def chart(rows: Sequence[tuple[Entry, Placement]], *, locale: str, today: date) -> Chart:
    """The timeline chart, drawn in a worker thread."""
    # matplotlib loads in about a second: only when a chart is drawn, not when pmobot starts.
    from pmobot.services import charts

    shown = rows[:ROWS_SHOWN]
    bars = [charts.Bar(_label(e), p.slot.start, p.slot.end, _kind(e), late=p.late_by > 0, desired=e.work.desired)
            for e, p in shown]
    start = min([today] + [b.start for b in bars])
    end = max([today] + [b.end for b in bars])
    legend = charts.Legend(
        title=t(locale, "roadmap.chart.title", today=format_short_day(today, locale), year=today.year),
        today=t(locale, "roadmap.chart.today"), late=t(locale, "roadmap.chart.late"),
        desired=t(locale, "roadmap.chart.desired"), kinds={kind: t(locale, key) for kind, key in KIND_KEYS.items()})
    image = await asyncio.to_thread(charts.timeline_png, bars, months=_month_ticks(start, end, locale), today=today,
                                    legend=legend)
    # Named by what it shows: two readers' charts (another language, other rows) never overwrite each other.
    digest = hashlib.sha256(image).hexdigest()[:12]
    return Chart(title=legend.title, alt_text=_alt_text(rows, locale=locale), image=image,
                 filename=f"roadmap-{today.isoformat()}-{locale}-{digest}.png")


async def status_field(session: AsyncSession, *, core: Core, need: Need, locale: str) -> CardField | None:
    """The need's place on the roadmap for ``/pmo status``: where it is, or what approving it would do."""
    if need.status not in (NeedStatus.APPROVED, *roadmap.CANDIDATE_STATUSES):
        return None
    try:
        impact = await roadmap.impact_of(session, core=core, need=need)
    except Invalid:
        return None  # no estimate yet: the card already says what it waits for
    if need.status == NeedStatus.APPROVED:
        text = t(locale, "roadmap.view.placed", start=format_short_day(impact.slot.start, locale),
                 end=format_short_day(impact.slot.end, locale), year=impact.slot.end.year)
    else:
        text = t(locale, "roadmap.view.if_approved", impact=roadmap.explain_impact(impact, locale))
    return CardField(t(locale, "roadmap.view.field"), text, short=False)


async def show(session: AsyncSession, *, core: Core, actor: Actor) -> list[Message]:
    """The roadmap for ``actor``: the text timeline, then the chart with its text alternative."""
    portfolio, plan = await roadmap.plan(session, core=core)
    by_key = {p.key: p for p in plan.placements}
    rows = [(e, by_key[e.work.key]) for e in _visible(portfolio.entries(), actor)]
    rows.sort(key=lambda row: (row[1].slot.start, row[1].slot.end, row[0].work.key))
    locale, today = actor.locale, core.today()
    words = capacity.describe(portfolio.capacity, locale=locale, today=today)
    text = timeline_text(rows, plan, locale=locale, today=today, capacity_words=words)
    if not rows:
        return [Text(text)]
    try:
        drawn: Message = await chart(rows, locale=locale, today=today)
    except Exception:  # matplotlib missing or a drawing error: the text timeline still says it all
        log.exception("the roadmap chart could not be drawn")
        drawn = Notice(t(locale, "roadmap.chart.unavailable"), "warning")
    return [Text(text), drawn]
