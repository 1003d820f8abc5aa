"""The weekly digest, declared once (``pmobot jobs list``, the scheduler and ``jobs run`` derive from it)."""

from __future__ import annotations

from datetime import timedelta

from pmobot.jobs.base import Job
from pmobot.services import digest

DIGEST = Job(
    name="digest",
    summary="the weekly digest to the PMO, IT, committee and department channels, each cut to its readers",
    schedule=digest.SCHEDULE,
    run=digest.run,
    # A few hours late on Monday it is still on time; later it is posted once, marked late.
    grace=timedelta(hours=6),
)
