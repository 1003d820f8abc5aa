"""Every scheduled job, declared once: ``pmobot jobs list|run``, ``pmobot serve`` and the catch-up derive from it.

An owner adds a job with one import and one entry below.
"""

from __future__ import annotations

from datetime import timedelta

from pmobot.jobs import checkins, housekeeping
from pmobot.jobs.base import Every, Job
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
    )
