"""Drift alerts as people read them: the open ones worst first, each in plain words, and their history.

The scan (``services.drift``) writes alerts; this module only reads them, for
``/pmo alerts``, a project's card, App Home, the digest and the export. The
words come from the figures the alert keeps (``domain.drift.common_figures``),
so an alert reads the same wherever it is shown, in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.drift import CRITICAL, Figure, rank
from pmobot.domain.models_governance import Project
from pmobot.domain.models_tracking import AlertEvent, DriftAlert
from pmobot.i18n import format_day, format_moment, format_money, format_number, format_short_day, sentences, t
from pmobot.messages import CardField
from pmobot.services.alert_store import OPEN
from pmobot.services.core import Core

# How each figure an alert keeps is written; a figure not named here is written as it is.
_MONEY = frozenset({"budget", "eac", "spend", "vac"})
_DAYS = frozenset({"forecast_end", "baseline_end", "due", "milestone_forecast", "next_update", "as_of", "since"})
_INDICES = frozenset({"spi", "cpi", "tcpi", "now", "predicted"})
_PERCENTS = frozenset({"percent", "spent_percent", "planned_percent", "points", "over_percent"})
# Of an alert's history, the latest steps a project's card shows.
_HISTORY_SHOWN = 6
# Below this share over budget, the cost forecast is not worth a sentence.
_COST_WORTH_SAYING = Decimal("1.005")


def _worst_first(alert: DriftAlert) -> tuple[int, float, int]:
    # Critical before warning, then the longest standing, then the oldest number.
    return (-rank(alert.level), alert.opened_at.timestamp(), alert.number)


async def open_alerts(session: AsyncSession, *, core: Core, limit: int | None = None) -> list[DriftAlert]:
    """Every open alert, worst first (critical, then the longest standing); the first ``limit``."""
    rows = await session.exec(select(DriftAlert).where(DriftAlert.status == OPEN))
    ordered = sorted(rows.all(), key=_worst_first)
    return ordered[:limit] if limit is not None else ordered


async def for_project(session: AsyncSession, *, project_id: int) -> list[DriftAlert]:
    """The project's open alerts, worst first."""
    rows = await session.exec(select(DriftAlert).where(DriftAlert.project_id == project_id,
                                                       DriftAlert.status == OPEN))
    return sorted(rows.all(), key=_worst_first)


async def by_number(session: AsyncSession, *, number: int) -> DriftAlert | None:
    return (await session.exec(select(DriftAlert).where(DriftAlert.number == number))).first()


@dataclass(frozen=True)
class Step:
    """One thing that happened to one alert."""

    alert: DriftAlert
    event: AlertEvent


async def history(session: AsyncSession, *, project_id: int) -> list[Step]:
    """What happened to the project's alerts, open or closed, oldest first (one query)."""
    rows = await session.exec(
        select(DriftAlert, AlertEvent).join(AlertEvent, col(AlertEvent.alert_id) == col(DriftAlert.id))
        .where(DriftAlert.project_id == project_id).order_by(col(AlertEvent.at), col(AlertEvent.id)))
    return [Step(alert, event) for alert, event in rows.all()]


def _written(name: str, value: Figure, *, currency: str, locale: str, today: date) -> str:
    if value is None:
        return "—"
    if name in _MONEY:
        return format_money(Decimal(str(value)), currency, locale)
    if name in _DAYS:
        day = date.fromisoformat(str(value))
        return format_short_day(day, locale) if day.year == today.year else format_day(day, locale)
    if name in _INDICES:
        return format_number(round(float(value), 2), locale)
    if name in _PERCENTS:
        return format_number(round(float(value)), locale)
    return str(value)


def words(figures: dict[str, Figure], *, locale: str, today: date) -> dict[str, str]:
    """Every figure written for ``locale``: money with its currency, days, indices, percents."""
    currency = str(figures.get("currency") or "EUR")
    return {name: _written(name, value, currency=currency, locale=locale, today=today)
            for name, value in figures.items()}


def _forecast(figures: dict[str, Figure], w: dict[str, str], locale: str) -> str:
    """"at this rate it will cost X instead of Y and end on A instead of B", whichever of the two holds."""
    costs_more = figures.get("eac") is not None and figures.get("budget") is not None and \
        Decimal(str(figures["eac"])) > Decimal(str(figures["budget"])) * _COST_WORTH_SAYING
    ends_later = figures.get("forecast_end") is not None and \
        str(figures["forecast_end"]) > str(figures.get("baseline_end") or "")
    if costs_more and ends_later:
        return t(locale, "drift.forecast.both", **w)
    if costs_more:
        return t(locale, "drift.forecast.cost", **w)
    return t(locale, "drift.forecast.end", **w) if ends_later else ""


def who(alert: DriftAlert) -> str:
    """"PRJ-3 (NEED-12)" for a project, "NEED-12" for a need."""
    need = alert.figures.get("need")
    return f"{alert.subject} ({need})" if need and need != alert.subject else alert.subject


def alert_text(alert: DriftAlert, *, locale: str, core: Core, forecast: bool = True) -> str:
    """The alert in plain words, with its numbers and (``forecast``) the forecast, as last measured."""
    figures = dict(alert.figures)
    w = words(figures, locale=locale, today=core.today())
    w["who"] = who(alert)
    days = figures.get("days")
    count = int(days) if isinstance(days, int | float) else 0
    parts = [t(locale, f"drift.alert.{alert.rule}", count=count, **w)]
    if alert.rule.startswith("wait_"):
        return sentences(*parts)
    if forecast and alert.rule != "silent":
        parts.append(_forecast(figures, w, locale))
    if figures.get("early"):
        parts.append(t(locale, "drift.early", **w))
    return sentences(*(p for p in parts if p))


def forecast_text(alert: DriftAlert, *, locale: str, core: Core) -> str:
    """The project's forecast as the alert last measured it ("at this rate it will cost …"), or ""."""
    figures = dict(alert.figures)
    if alert.rule.startswith("wait_") or alert.rule == "silent":
        return ""
    said = _forecast(figures, words(figures, locale=locale, today=core.today()), locale)
    return sentences(said[:1].upper() + said[1:]) if said else ""


def headline(alert: DriftAlert, *, locale: str) -> str:
    """"ALERT-4 · critical · PRJ-3: schedule behind plan"."""
    return t(locale, "drift.headline", key=alert.key, level=t(locale, f"drift.level.{alert.level}"),
             subject=alert.subject, rule=t(locale, f"drift.rule.{alert.rule}"))


def is_critical(alert: DriftAlert) -> bool:
    return alert.level == CRITICAL


async def project_fields(session: AsyncSession, *, core: Core, project: Project, locale: str) -> list[CardField]:
    """The project's open alerts and the latest steps of their history, for its card."""
    assert project.id is not None
    found = await for_project(session, project_id=project.id)
    out = []
    if found:
        out.append(CardField(t(locale, "drift.field.alerts"), "\n".join(
            f"{headline(a, locale=locale)}: {alert_text(a, locale=locale, core=core)}" for a in found),
            short=False))
    steps = (await history(session, project_id=project.id))[-_HISTORY_SHOWN:]
    if steps:
        out.append(CardField(t(locale, "drift.field.history"), "\n".join(
            t(locale, "drift.history_line", when=format_moment(s.event.at, locale, core.settings.timezone),
              key=s.alert.key, event=t(locale, f"drift.event.{s.event.kind}"),
              level=t(locale, f"drift.level.{s.event.level}"), rule=t(locale, f"drift.rule.{s.alert.rule}"))
            for s in steps), short=False))
    return out
