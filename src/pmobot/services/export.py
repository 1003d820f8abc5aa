"""Every need with its status, fields and latest estimate, for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.models import Need, Person
from pmobot.services.core import Core
from pmobot.services.needs import answers_of, latest_estimate

ESTIMATE_COLUMNS = ("version", "effort_low", "effort_likely", "effort_high", "cost", "currency", "duration_days",
                    "confidence", "technical_risk", "security_review", "notes", "estimator", "estimated_at")


async def rows(session: AsyncSession, *, core: Core) -> list[dict[str, Any]]:
    intake = core.specs["intake"]
    people = {p.id: p for p in (await session.exec(select(Person))).all()}
    out: list[dict[str, Any]] = []
    for need in (await session.exec(select(Need).order_by(col(Need.number)))).all():
        assert need.id is not None
        row: dict[str, Any] = {
            "key": need.key, "status": need.status,
            "requester": people[need.requester_id].display_name,
            "claimed_by": people[need.claimed_by_id].display_name if need.claimed_by_id in people else None,
            "created_at": need.created_at.isoformat(),
            "submitted_at": need.submitted_at.isoformat() if need.submitted_at else None,
        }
        row.update(answers_of(intake, need))
        row["opening_message"] = need.opening_message or None
        estimate = await latest_estimate(session, need_id=need.id)
        row["estimate"] = None if estimate is None else {
            "version": estimate.version, "effort_low": estimate.effort_low, "effort_likely": estimate.effort_likely,
            "effort_high": estimate.effort_high, "cost": str(estimate.cost), "currency": estimate.currency,
            "duration_days": estimate.duration_days, "confidence": estimate.confidence,
            "technical_risk": estimate.technical_risk, "security_review": estimate.security_review,
            "notes": estimate.notes, "estimator": people[estimate.estimator_id].display_name,
            "estimated_at": estimate.created_at.isoformat(),
        }
        out.append(row)
    return out


def to_json(data: list[dict[str, Any]]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict) and "amount" in value:
        return f"{value['amount']} {value['currency']}"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    text = str(value)
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_csv(data: list[dict[str, Any]], *, intake_fields: list[str]) -> str:
    head = ["key", "status", "requester", "claimed_by", "created_at", "submitted_at", *intake_fields,
            "opening_message"]
    head += [f"estimate_{c}" for c in ESTIMATE_COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(head)
    for row in data:
        estimate = row.get("estimate") or {}
        writer.writerow([_cell(row.get(h)) for h in head[: 7 + len(intake_fields)]]
                        + [_cell(estimate.get(c)) for c in ESTIMATE_COLUMNS])
    return buffer.getvalue()
