"""A weekly digest in words: its facts (``digest_facts``) as one card in the channel's language, and its chart.

Each section is declared once (``SECTION_VIEWS``): its title, how one item
reads, and the command that shows everything. A section with nothing to say
is left out; when no section has anything, the card says the week was quiet,
in words: a digest is never empty.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pmobot.conversation.text import clip
from pmobot.i18n import format_day, format_short_day, t
from pmobot.messages import Card, CardField, Chart
from pmobot.services.digest_facts import (
    HEALTHS,
    NO_STATUS,
    Closed,
    ColourChange,
    Decided,
    Due,
    Facts,
    Listed,
    Waiting,
)

AlertWords = Callable[[Any, str], str]


def _need(need: Any, locale: str) -> str:
    department = f" · {need.department}" if getattr(need, "department", None) else ""
    return t(locale, "digest.item.need", key=need.key, title=need.title, department=department)


def _waiting(item: Waiting, locale: str) -> str:
    state = "digest.item.over" if item.over else "digest.item.within"
    return t(locale, "digest.item.waiting", key=item.need.key, title=item.need.title,
             age=t(locale, "digest.item.age", count=item.business_days),
             level=t(locale, state, level=item.service_level))


def _decided(item: Decided, locale: str) -> str:
    return t(locale, "digest.item.decision", key=item.need.key, title=item.need.title,
             outcome=t(locale, f"committee.outcome.{item.decision.outcome}").lower())


_COLOURS = {"green": "digest.health.green", "amber": "digest.health.amber", "red": "digest.health.red",
            NO_STATUS: "digest.health.none"}
_COUNTS = {"green": "digest.health.count.green", "amber": "digest.health.count.amber",
           "red": "digest.health.count.red", NO_STATUS: "digest.health.count.none"}


def _colour(health: str, locale: str) -> str:
    return t(locale, _COLOURS[health])


def _changed(item: ColourChange, locale: str) -> str:
    return t(locale, "digest.item.colour", key=item.project, title=item.title, before=_colour(item.before, locale),
             after=_colour(item.after, locale))


def _due(item: Due, locale: str) -> str:
    return t(locale, "digest.item.milestone", day=format_short_day(item.due, locale), key=item.project,
             title=item.title, milestone=item.milestone)


# A closing note can be long; the digest shows its start (the project's card shows it whole).
REASON_CHARS = 80


def _closed(item: Closed, locale: str) -> str:
    reason = t(locale, "digest.item.reason", reason=clip(item.reason, REASON_CHARS)) if item.reason.strip() else ""
    return t(locale, "digest.item.closed", key=item.project, title=item.title,
             outcome=t(locale, f"digest.closed.{item.status}"), reason=reason)


@dataclass(frozen=True)
class SectionView:
    id: str
    # Its title (with the count), the command that shows all, its words in the quiet week.
    title: str
    see_all: str
    quiet: str
    # Where its items are, and how one reads; the alerts' words come from the drift service.
    items: Callable[[Facts], Listed[Any]]
    line: Callable[[Any, str], str] | None


SECTION_VIEWS: dict[str, SectionView] = {v.id: v for v in (
    SectionView("new_needs", "digest.section.new_needs", "digest.see_all.new_needs", "digest.quiet_part.new_needs",
                lambda f: f.new_needs, _need),
    SectionView("waiting", "digest.section.waiting", "digest.see_all.waiting", "digest.quiet_part.waiting",
                lambda f: f.waiting, _waiting),
    SectionView("decisions", "digest.section.decisions", "digest.see_all.decisions", "digest.quiet_part.decisions",
                lambda f: f.decisions, _decided),
    SectionView("health", "digest.section.health", "digest.see_all.health", "digest.quiet_part.health",
                lambda f: f.changed, _changed),
    SectionView("alerts", "digest.section.alerts", "digest.see_all.alerts", "digest.quiet_part.alerts",
                lambda f: f.alerts, None),
    SectionView("milestones", "digest.section.milestones", "digest.see_all.milestones",
                "digest.quiet_part.milestones", lambda f: f.milestones, _due),
    SectionView("closed", "digest.section.closed", "digest.see_all.closed", "digest.quiet_part.closed",
                lambda f: f.closed, _closed),
)}


def _lines(view: SectionView, listed: Listed[Any], locale: str, alert_words: AlertWords) -> list[str]:
    line = view.line or alert_words
    out = ["• " + line(item, locale) for item in listed.items]
    if listed.more:
        out.append(t(locale, "digest.more", count=listed.more, command=t(locale, view.see_all)))
    return out


def health_words(facts: Facts, locale: str) -> str:
    """"12 green, 3 amber, 1 red, 2 without a status yet" (only the colours there are)."""
    parts = [t(locale, _COUNTS[h], count=facts.health.get(h, 0))
             for h in (*HEALTHS, NO_STATUS) if facts.health.get(h)]
    return ", ".join(parts)


def _field(view: SectionView, facts: Facts, locale: str, alert_words: AlertWords) -> CardField | None:
    listed = view.items(facts)
    if view.id == "health":
        total = sum(facts.health.values())
        if not total:
            return None
        lines = [t(locale, "digest.health.summary", counts=health_words(facts, locale))]
        if listed.total:
            lines.append(t(locale, "digest.health.changed", count=listed.total))
        lines += _lines(view, listed, locale, alert_words)
        return CardField(t(locale, view.title, count=total), "\n".join(lines), short=False)
    if not listed.total:
        return None
    lines = _lines(view, listed, locale, alert_words)
    if view.id == "waiting" and facts.waiting_over:
        lines.insert(0, t(locale, "digest.waiting_over", count=facts.waiting_over))
    return CardField(t(locale, view.title, count=listed.total), "\n".join(lines), short=False)


def card(facts: Facts, *, sections: Sequence[str], audience: str, locale: str, alert_words: AlertWords) -> Card:
    """The digest: one field per section that has something to say, or the quiet week in words."""
    fields = [f for f in (_field(SECTION_VIEWS[s], facts, locale, alert_words) for s in sections) if f is not None]
    body = "" if fields else t(locale, "digest.quiet", sections=", ".join(
        t(locale, SECTION_VIEWS[s].quiet) for s in sections))
    return Card(title=t(locale, "digest.title", week=facts.week.split("-W")[-1], day=format_day(facts.today, locale)),
                subtitle=audience, body=body, fields=tuple(fields), footer=t(locale, "digest.footer"))


async def chart(facts: Facts, *, locale: str, drawn: dict[tuple[Any, ...], Chart]) -> Chart | None:
    """Portfolio health as bars, with its text alternative; None when there is no active project.

    ``drawn`` keeps the charts of one run: the same counts in the same language are drawn once, however
    many channels show them.
    """
    if not sum(facts.health.values()):
        return None
    counts = tuple((h, _colour(h, locale), facts.health.get(h, 0)) for h in (*HEALTHS, NO_STATUS))
    cache_key = (locale, facts.week, counts)
    if cache_key not in drawn:
        # matplotlib loads only when a chart is drawn, not when pmobot starts.
        from pmobot.services import charts

        title = t(locale, "digest.chart.title", week=facts.week.split("-W")[-1])
        image = await asyncio.to_thread(charts.health_png, counts, title=title)
        digest = hashlib.sha256(image).hexdigest()[:12]
        alt = t(locale, "digest.chart.alt", counts=health_words(facts, locale))
        drawn[cache_key] = Chart(title=title, alt_text=alt, image=image,
                                 filename=f"digest-{facts.week}-{locale}-{digest}.png")
    return drawn[cache_key]
