"""What ``pmobot jobs list`` and ``pmobot jobs run`` print: for operators, in plain English.

Times are shown in the organisation's time zone, as the schedules are written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pmobot.domain.models_tracking import JobRun
from pmobot.jobs.base import Job
from pmobot.jobs.runner import JobRunner, Outcome, last_runs


@dataclass(frozen=True)
class JobLine:
    job: Job
    schedule: str
    last: JobRun | None
    next_at: datetime


async def overview(runner: JobRunner, *, now: datetime) -> list[JobLine]:
    """Each declared job with its schedule in words, its last run and its next slot (one query)."""
    core = runner.core
    last = await last_runs(core, names=list(runner.jobs))
    return [JobLine(job=job, schedule=job.schedule.describe(core=core), last=last.get(job.name),
                    next_at=job.schedule.next_after(now, core=core))
            for job in runner.jobs.values()]


def _at(instant: datetime | None, runner: JobRunner) -> str:
    if instant is None:
        return "-"
    return instant.astimezone(runner.core.calendar.zone).strftime("%Y-%m-%d %H:%M")


def _counts(summary: dict[str, Any]) -> str:
    if not summary:
        return "nothing to report"
    if "error" in summary:
        return f"error: {summary['error']}"
    return ", ".join(f"{key} {value}" for key, value in summary.items())


def _run_words(run: JobRun, runner: JobRunner) -> str:
    timing = "late" if run.late else "on time"
    if run.status == "running":
        return f"running since {_at(run.started_at, runner)} on {run.runner} ({timing})"
    return f"{run.status} {_at(run.finished_at, runner)} ({timing}): {_counts(run.summary)}"


def render_overview(lines: list[JobLine], runner: JobRunner) -> str:
    out = []
    for line in lines:
        last = f"period {line.last.period}, {_run_words(line.last, runner)}" if line.last else "never ran"
        out += [f"{line.job.name}: {line.job.summary}",
                f"  schedule: {line.schedule}",
                f"  last run: {last}",
                f"  next run: {_at(line.next_at, runner)}"]
    return "\n".join(out) + "\n"


def render_outcome(outcome: Outcome, runner: JobRunner) -> str:
    """One line on what ``pmobot jobs run`` did."""
    head = f"{outcome.job} for {outcome.period}"
    if outcome.ran:
        verb = "ran" if outcome.status == "done" else "failed"
        late = " late" if outcome.late else ""
        return f"{head}: {verb}{late}, {_counts(outcome.summary)}"
    run = outcome.run
    if outcome.status == "busy" and run is not None:
        return f"{head}: {_run_words(run, runner)}; not started twice"
    words = _run_words(run, runner) if run is not None else "recorded"
    return f"{head}: already ran, {words}; a period runs once (its messages would not be sent again)"
