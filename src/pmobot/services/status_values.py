"""What a status update says, read from the check-in's answers, and the refusals shared by the
form's hooks (early, in the person's words) and ``status_updates.record`` (the rule itself).

The answers are the check-in dialog's field ids (``dialogs/checkin.yaml``): ``percent_complete``,
``percent_reason``, ``spend`` ({"amount", "currency"}), ``health`` and ``<dimension>_health`` with
``<dimension>_comment`` when not green, ``forecast_end``, ``milestones`` (one "name: date" a line),
``risks``, ``blockers``, ``decisions_needed``; ``forecasts`` may be given ready-made instead of
``milestones`` (the demo, a correction).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pmobot.conversation.dates import InvalidDate, parse_date_text
from pmobot.services.errors import Refusal

HEALTHS = ("green", "amber", "red")
# The overall health, then each dimension: the answer's field is ``<name>_health`` ("health" overall).
DIMENSIONS = ("overall", "schedule", "cost", "scope")


def health_field(dimension: str) -> str:
    return "health" if dimension == "overall" else f"{dimension}_health"


def comment_field(dimension: str) -> str:
    return f"{dimension}_comment" if dimension != "overall" else "health_comment"


def percent_refusal(percent: float, *, last: float | None, reason: str) -> Refusal | None:
    """Between 0 and 100; below the last update's only with a reason (work found undone, scope grown)."""
    if not 0 <= percent <= 100:
        return Refusal("checkin.error.percent_range", {"percent": percent})
    if last is not None and percent < last and not reason.strip():
        return Refusal("checkin.error.percent_down", {"percent": percent, "last": last})
    return None


def spend_refusal(amount: Decimal, currency: str, *, project_currency: str) -> Refusal | None:
    """Spend to date is never negative, and is in the baseline's currency (no silent conversion)."""
    if amount < 0:
        return Refusal("checkin.error.spend_negative", {"spend": (amount, currency or project_currency)})
    if currency and currency != project_currency:
        return Refusal("checkin.error.spend_currency", {"currency": currency, "project": project_currency})
    return None


def read_forecasts(text: str, *, today: date, milestones: Sequence[tuple[int, str]]) -> list[dict[str, Any]]:
    """``Pilot: 15/03/2027`` a line → [{"milestone_id", "name", "forecast"}]; each name one of the
    project's milestones (``milestones``: (id, name)), each date one people write (fr or en)."""
    by_name = {name.strip().casefold(): (mid, name) for mid, name in milestones}
    out: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, when = line.rpartition(":")
        if not sep or not name.strip():
            raise Refusal("checkin.error.forecast_line", {"line": line.strip()[:100]}).invalid()
        found = by_name.get(name.strip().casefold())
        if found is None:
            names = ", ".join(n for _, n in milestones) or "-"
            raise Refusal("checkin.error.forecast_unknown", {"name": name.strip()[:100], "names": names}).invalid()
        try:
            day = parse_date_text(when.strip(), today)
        except InvalidDate:
            day = None
        if day is None:
            raise Refusal("checkin.error.forecast_date", {"name": found[1], "value": when.strip()[:40]}).invalid()
        out.append({"milestone_id": found[0], "name": found[1], "forecast": day.isoformat()})
    return out


def forecasts_text(forecasts: Sequence[Mapping[str, Any]]) -> str:
    """The lines ``read_forecasts`` reads back: what a form shows as the previous answer."""
    return "\n".join(f"{f['name']}: {date.fromisoformat(str(f['forecast'])).strftime('%d/%m/%Y')}"
                     for f in forecasts)


def _text(values: Mapping[str, Any], name: str) -> str:
    return str(values.get(name) or "").strip()[:4000]


def _money(raw: Any, default_currency: str) -> tuple[Decimal, str]:
    if isinstance(raw, Mapping):
        amount, currency = raw.get("amount"), str(raw.get("currency") or default_currency)
    else:
        amount, currency = raw, default_currency
    try:
        return Decimal(str(amount)), currency.upper()
    except (InvalidOperation, ValueError) as exc:
        raise Refusal("checkin.error.spend_unreadable", {"value": str(amount)[:40]}).invalid() from exc


@dataclass(frozen=True)
class Reading:
    """One status update's values, checked (``read``)."""

    percent: float
    spend: Decimal
    currency: str
    health: dict[str, str]
    comments: dict[str, str]
    forecasts: list[dict[str, Any]]
    forecast_end: date | None
    risks: str
    blockers: str
    decisions_needed: str
    reason: str


def read(values: Mapping[str, Any], *, last_percent: float | None, currency: str, today: date,
         milestones: Sequence[tuple[int, str]]) -> Reading:
    """The values of an update, or ``Invalid`` naming the first that cannot be recorded."""
    try:
        percent = float(values.get("percent_complete"))  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise Refusal("checkin.error.percent_missing").invalid() from exc
    reason = _text(values, "percent_reason") or _text(values, "reason")
    refusal = percent_refusal(percent, last=last_percent, reason=reason)
    if refusal is None:
        spend, spend_currency = _money(values.get("spend", 0), currency)
        refusal = spend_refusal(spend, spend_currency, project_currency=currency)
    if refusal is not None:
        raise refusal.invalid()
    health: dict[str, str] = {}
    comments: dict[str, str] = {}
    for dimension in DIMENSIONS:
        value = str(values.get(health_field(dimension)) or "green").lower()
        if value not in HEALTHS:
            raise Refusal("checkin.error.health", {"value": value[:20]}).invalid()
        health[dimension] = value
        comment = _text(values, comment_field(dimension))
        if value != "green" and not comment:
            raise Refusal(f"checkin.error.comment_missing_{dimension}").invalid()
        if comment and value != "green":
            comments[dimension] = comment[:500]
    if "forecasts" in values and not values.get("milestones"):
        forecasts = [dict(f) for f in values.get("forecasts") or []]
    else:
        forecasts = read_forecasts(_text(values, "milestones"), today=today, milestones=milestones)
    end = values.get("forecast_end")
    return Reading(
        percent=percent, spend=spend, currency=currency, health=health, comments=comments, forecasts=forecasts,
        forecast_end=date.fromisoformat(str(end)) if end else None, risks=_text(values, "risks"),
        blockers=_text(values, "blockers"), decisions_needed=_text(values, "decisions_needed"), reason=reason,
    )
