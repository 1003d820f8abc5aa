"""``pmobot jobs list|run`` and the jobs tick of ``pmobot serve``, in process, on a frozen clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from pmobot import cli
from pmobot.app import App, create_app
from pmobot.domain.models_tracking import JobRun
from pmobot.jobs.base import Daily, Job, JobContext, Summary
from pmobot.jobs.registry import builtin_jobs
from pmobot.server import Leadership

# Tuesday 1 December 2026, 10:20 in Paris.
NOW = "2026-12-01T09:20:00+00:00"


async def _scan(ctx: JobContext) -> Summary:
    return {"projects": 3}


async def _broken(ctx: JobContext) -> Summary:
    raise RuntimeError("the PMO channel was archived")


TEST_JOBS = (
    Job(name="scan", summary="scan the projects", schedule=Daily(lambda t: t.drift_scan_hour), run=_scan),
    Job(name="digest", summary="post the digest", schedule=Daily(lambda t: t.roadmap_update_hour), run=_broken),
)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    for name in ("PMOBOT_TIMEZONE", "PMOBOT_POLICY_FILE", "PMOBOT_LOG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PMOBOT_DATABASE_URL", f"sqlite:///{tmp_path}/jobs.db")
    monkeypatch.setenv("PMOBOT_NOW", NOW)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("pmobot.app.builtin_jobs", lambda: TEST_JOBS)
    assert cli.main(["db", "upgrade"]) == 0
    capsys.readouterr()
    return tmp_path


def jobs(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["jobs", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_each_job_its_schedule_and_next_run(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = jobs(capsys, "list")
    assert code == 0
    assert out == (
        "scan: scan the projects\n"
        "  schedule: every day 07:00 Europe/Paris\n"
        "  last run: never ran\n"
        "  next run: 2026-12-02 07:00\n"
        "digest: post the digest\n"
        "  schedule: every day 17:00 Europe/Paris\n"
        "  last run: never ran\n"
        "  next run: 2026-12-01 17:00\n")


def test_run_runs_once_per_period_and_list_shows_the_last_run(database: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert jobs(capsys, "run", "scan") == (0, "scan for 2026-12-01: ran late, projects 3\n", "")
    code, out, _ = jobs(capsys, "run", "scan")
    assert code == 0
    assert out == ("scan for 2026-12-01: already ran, done 2026-12-01 10:20 (late): projects 3; "
                   "a period runs once (its messages would not be sent again)\n")
    out = jobs(capsys, "list")[1]
    assert "  last run: period 2026-12-01, done 2026-12-01 10:20 (late): projects 3\n" in out


def test_run_as_of_a_given_time_is_on_time_for_that_slot(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A CronJob meant for Monday 07:00 (Paris) that started a few minutes late; no offset: the organisation's zone.
    assert jobs(capsys, "run", "scan", "--at", "2026-11-30T07:04") == (
        0, "scan for 2026-11-30: ran, projects 3\n", "")
    assert jobs(capsys, "run", "scan", "--at", "2026-11-30T06:04:00Z")[1].startswith("scan for 2026-11-30: already")


def test_a_failed_run_says_why_exits_non_zero_and_is_tried_again(database: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = jobs(capsys, "run", "digest", "--at", "2026-11-30T17:00")
    assert (code, out) == (1, "digest for 2026-11-30: failed, error: RuntimeError: the PMO channel was archived\n")
    assert jobs(capsys, "run", "digest", "--at", "2026-11-30T17:00")[0] == 1
    code, out, _ = jobs(capsys, "list")
    assert "period 2026-11-30, failed 2026-12-01 10:20 (on time): error: RuntimeError" in out


@pytest.mark.parametrize(("args", "says"), [
    (("run", "nope"), "pmobot: no job is called 'nope'; 'pmobot jobs list' shows them: scan, digest\n"),
    (("run", "scan", "--at", "2026-12-24T09:00"),
     "pmobot: --at 2026-12-24T08:00:00+00:00 is in the future: a run as of a time to come would stand in for "
     "that period's own run\n"),
])
def test_mistakes_are_refused_with_a_reason(database: Path, capsys: pytest.CaptureFixture[str],
                                            args: tuple[str, ...], says: str) -> None:
    assert jobs(capsys, *args) == (2, "", says)


def test_a_time_that_is_not_one_is_refused_by_the_parser(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as leaving:
        cli.main(["jobs", "run", "scan", "--at", "next monday"])
    assert leaving.value.code == 2
    err = capsys.readouterr().err
    assert "'next monday' is not a date and time: write it as 2026-12-07T09:00" in err and "Traceback" not in err


async def test_the_serving_tick_runs_due_jobs_on_the_leader_only(app: App) -> None:
    """``App.scheduler``'s jobs tick: the leader runs the due jobs; on PostgreSQL another replica runs none."""
    leader = Leadership(app.db)
    other_app = create_app(app.settings, clock=app.core.clock)
    other = Leadership(other_app.db)
    try:
        assert await leader.try_acquire()
        tick = app.scheduler(leadership=leader).get_job("jobs")
        other_tick = other_app.scheduler(leadership=other).get_job("jobs")
        assert tick is not None and other_tick is not None
        assert tick.trigger.interval == timedelta(minutes=1)
        if not app.db.is_sqlite:  # one process runs everything on SQLite
            assert await other_tick.func(**other_tick.kwargs) == []
        outcomes = await tick.func(**tick.kwargs)
        assert {o.job for o in outcomes} == {job.name for job in builtin_jobs()}
        assert await tick.func(**tick.kwargs) == []
        async with app.db.session() as session:
            assert len((await session.exec(select(JobRun))).all()) == len(builtin_jobs())
    finally:
        await leader.release()
        await other.release()
        await other_app.close()

