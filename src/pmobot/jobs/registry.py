"""Every scheduled job, declared once: ``pmobot jobs list|run``, ``pmobot serve`` and the catch-up derive from it.

An owner adds a job with one import and one entry below.
"""

from __future__ import annotations

from datetime import timedelta

from pmobot.jobs import checkins, drift, housekeeping
from pmobot.jobs.base import Daily, Every, Job
from pmobot.jobs.digest import DIGEST
from pmobot.jobs.roadmap_update import ROADMAP_UPDATE


def builtin_jobs() -> tuple[Job, ...]:
    return (
        Job(name="housekeeping", summary="forget platform deliveries too old to be sent again",
            schedule=Every(30), run=housekeeping.forget_old_inbound, grace=timedelta(minutes=30)),
        Job(name="check-ins", summary="ask each active project's owner for the weekly status at their own hour; "
            "remind once; tell the PMO of missed weeks", schedule=Every(15), run=checkins.check_ins,
            grace=timedelta(minutes=15)),
        ROADMAP_UPDATE,
        DIGEST,
        Job(name="drift-scan", summary="measure every active project against its baseline; open, raise or close alerts",
            schedule=Daily(lambda p: p.drift_scan_hour, business_days_only=True), run=drift.drift_scan),
        Job(name="service-levels",
            summary="remind whoever a need waits on past its service level (estimate, scope sign-off, decision)",
            schedule=Daily(lambda p: p.drift_scan_hour, business_days_only=True), run=drift.service_levels),
    )
