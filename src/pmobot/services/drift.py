"""The drift scan: every active project measured against its baseline, after each status update and daily;
and the needs that wait on a step longer than its service level.

A scan reads in a fixed number of queries (``services.drift_facts``), decides
each rule's level in memory (``domain.drift``), then writes only what changed
(``services.alert_store``: opened once per subject and rule, raised only when
worse, lowered or closed with hysteresis) and tells it through the outbox
(``services.alert_notices``). Snoozed projects get no alerts.
"""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain import drift, keys, lifecycle
from pmobot.domain.drift import Figure, Waiting
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import Need, RoleGrant
from pmobot.domain.roles import Role
from pmobot.services import alert_notices, alert_store, drift_facts, scope, snoozes
from pmobot.services.alert_store import Change, Opening
from pmobot.services.core import Core
from pmobot.services.drift_facts import OpenAlert

Summary = dict[str, int]


async def _apply(session: AsyncSession, *, alert: OpenAlert | None, subject: str, rule: str, level: str | None,
                 figures: dict[str, Figure], at: datetime, project_id: int | None = None,
                 need_id: int | None = None) -> Change | Opening | None:
    """Bring one subject's alert for one rule to ``level``: raise, lower, close, or only new figures; or,
    with none open, the alert to open (opened with the scan's others at once: ``_settle``)."""
    if alert is None:
        return Opening(subject, rule, level, figures, project_id=project_id, need_id=need_id) if level else None
    if level == alert.level and alert.figures == figures:
        return None  # as last measured: nothing to write (most alerts, most days)
    written = await drift_facts.loaded(session, alert)
    if level is None:
        return await alert_store.close(session, written, at=at, figures=figures or None)
    if level == written.level:
        await alert_store.refresh(session, written, figures=figures)
        return None
    return await alert_store.move(session, written, level=level, figures=figures, at=at)


Step = tuple[Change | Opening, tuple[int, ...]]  # a change, or an alert to open, and whom it concerns


async def _settle(session: AsyncSession, steps: list[Step], *,
                  at: datetime) -> tuple[list[Change], dict[int, tuple[int, ...]]]:
    """The scan's changes in its order, the alerts to open among them opened at once (those another scan
    opened first left out), and whom each concerns (alert id -> person ids)."""
    opened = {a.open_key: a for a in await alert_store.open_alerts(
        session, [step for step, _ in steps if isinstance(step, Opening)], at=at)}
    changes: list[Change] = []
    concerned: dict[int, tuple[int, ...]] = {}
    for step, people in steps:
        change = step if isinstance(step, Change) else Change(opened[step.open_key], "opened") \
            if step.open_key in opened else None
        if change is not None:
            changes.append(change)
            concerned[change.alert.id or 0] = people
    return changes, concerned


def _count(changes: list[Change], sent: int) -> Summary:
    out = {event: sum(1 for c in changes if c.event == event) for event in ("opened", "raised", "lowered", "closed")}
    return {**out, "messages": sent}


async def _scan(session: AsyncSession, *, core: Core, now: datetime, project_id: int | None) -> Summary:
    today = core.calendar.local_day(now)
    policy = core.policy.tracking
    on_hold = set(await snoozes.active(session, core=core, today=today))
    measured = await drift_facts.measured(session, calendar=core.calendar, today=today,
                                          per_project=max(2, policy.drift.trend_updates), project_id=project_id)
    open_now = await drift_facts.open_alerts_by_key(session, project_id=project_id)
    steps: list[Step] = []
    seen: set[str] = set()
    for m in measured:
        keys_of = {rule.id: keys.alert_subject(m.key, rule.id) for rule in drift.PROJECT_RULES}
        seen.update(keys_of.values())
        if m.project_id in on_hold:
            continue  # on hold: no alert opened, raised or closed until the snooze ends
        levels = {rule: open_now[key].level for rule, key in keys_of.items() if key in open_now}
        owner = (m.owner_id,) if m.owner_id else ()
        for verdict in drift.evaluate(m.facts, policy=policy, days=core.calendar, open_levels=levels):
            alert = open_now.get(keys_of[verdict.rule.id])
            step = await _apply(session, alert=alert, subject=m.key, rule=verdict.rule.id, level=verdict.level,
                                figures=verdict.figures, at=now, project_id=m.project_id)
            if step is not None:
                steps.append((step, owner))
    changes, concerned = await _settle(session, steps, at=now)
    if project_id is None:
        # Projects done, cancelled or without a baseline any more: their alerts close without a notice.
        for key, alert in open_now.items():
            if key not in seen and alert.project_id not in on_hold:
                await alert_store.close(session, await drift_facts.loaded(session, alert), at=now)
    sent = await alert_notices.tell(session, core=core, changes=changes, concerned=concerned)
    return _count(changes, sent)


async def scan_project(session: AsyncSession, *, core: Core, project_id: int, now: datetime) -> Summary:
    """One project measured after its status update: alerts opened, raised or closed, and told."""
    return await _scan(session, core=core, now=now, project_id=project_id)


async def scan_all(session: AsyncSession, *, core: Core, now: datetime) -> Summary:
    """Every active project measured (the daily job): a fixed number of reads whatever the portfolio."""
    with _unswept():
        return await _scan(session, core=core, now=now, project_id=None)


class _Sweeps:
    """How many scans hold the cycle collector, and whether they switched it off (not someone else)."""

    held = 0
    paused = False


@contextmanager
def _unswept() -> Iterator[None]:
    """The cycle collector held while every project is measured: the scan makes some hundred thousand
    small objects (rows, figures) that form no cycles and all go when it ends, and each collection they
    set off walks the whole heap again (a third of the scan's time at 10,000 projects). It runs as usual
    again once the last scan running ends, error or not."""
    if _Sweeps.held == 0 and gc.isenabled():
        gc.disable()
        _Sweeps.paused = True
    _Sweeps.held += 1
    try:
        yield
    finally:
        _Sweeps.held -= 1
        if _Sweeps.held == 0 and _Sweeps.paused:
            _Sweeps.paused = False
            gc.enable()


# -- needs waiting on a step -----------------------------------------------------------------

WaitingSource = Callable[[AsyncSession, Core, dict[str, tuple[int, ...]]], Awaitable[list[Waiting]]]


async def _role_holders(session: AsyncSession) -> dict[str, tuple[int, ...]]:
    rows = await session.exec(select(RoleGrant.role, RoleGrant.person_id))
    out: dict[str, list[int]] = {}
    for role, person_id in rows.all():
        out.setdefault(role, []).append(person_id)
    return {role: tuple(sorted(ids)) for role, ids in out.items()}


async def _waiting_on_it(session: AsyncSession, core: Core, roles: dict[str, tuple[int, ...]]) -> list[Waiting]:
    rows = await session.exec(select(Need).where(col(Need.status).in_([str(s) for s in lifecycle.WAITING_ON_IT])))
    return [Waiting(need_id=n.id, step="estimate", since=n.waiting_since or n.submitted_at or n.created_at,
                    waits_on=(n.claimed_by_id,) if n.claimed_by_id else roles.get(Role.IT, ()))
            for n in rows.all() if n.id is not None]


async def _waiting_on_committee(session: AsyncSession, core: Core,
                                roles: dict[str, tuple[int, ...]]) -> list[Waiting]:
    rows = await session.exec(select(Need).where(Need.status == NeedStatus.READY_FOR_DECISION))
    return [Waiting(need_id=n.id, step="decision", since=n.waiting_since or n.updated_at,
                    waits_on=roles.get(Role.COMMITTEE, ())) for n in rows.all() if n.id is not None]


async def _waiting_on_scope(session: AsyncSession, core: Core, roles: dict[str, tuple[int, ...]]) -> list[Waiting]:
    return [Waiting(need_id=need_id, step="scope_agreement", since=since, waits_on=people)
            for need_id, since, people in await scope.awaiting_agreement(session, core=core)]


# Where each step's waiting needs come from (``domain.drift.STEPS`` has their service levels).
WAITING: dict[str, WaitingSource] = {"estimate": _waiting_on_it, "scope_agreement": _waiting_on_scope,
                                     "decision": _waiting_on_committee}


async def check_service_levels(session: AsyncSession, *, core: Core, now: datetime) -> Summary:
    """Every need waiting on a step: past its service level opens or raises an alert to whom it waits on."""
    roles = await _role_holders(session)
    waiting = [w for source in WAITING.values() for w in await source(session, core, roles)]
    ids = sorted({w.need_id for w in waiting})
    needs = {n.id: n for n in (await session.exec(select(Need).where(col(Need.id).in_(ids)))).all()} if ids else {}
    open_now = await drift_facts.open_alerts_by_key(session, needs=True)
    steps: list[Step] = []
    seen: set[str] = set()
    policy = core.policy.tracking
    for w in waiting:
        need = needs[w.need_id]
        step = drift.STEPS[w.step]
        key = keys.alert_subject(need.key, step.rule_id)
        seen.add(key)
        alert = open_now.get(key)
        waited = core.calendar.business_days_between(w.since, now)
        level = drift.assess_waiting(w, waited=waited, policy=policy, previous=alert.level if alert else None)
        figures: dict[str, Figure] = {"need": need.key, "title": need.title, "days": waited, "step": w.step,
                                      "service_level": step.service_level(policy),
                                      "since": core.calendar.local_day(w.since).isoformat()}
        done = await _apply(session, alert=alert, subject=need.key, rule=step.rule_id, level=level,
                            figures=figures, at=now, need_id=w.need_id)
        if done is not None:
            steps.append((done, w.waits_on))
    changes, concerned = await _settle(session, steps, at=now)
    for key, alert in open_now.items():
        if key not in seen:  # estimated, decided, withdrawn: no longer waiting
            change = await alert_store.close(session, await drift_facts.loaded(session, alert), at=now)
            if change is not None:
                changes.append(change)
    sent = await alert_notices.tell(session, core=core, changes=changes, concerned=concerned)
    return _count(changes, sent)
