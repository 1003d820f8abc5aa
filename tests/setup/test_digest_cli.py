"""``pmobot digest --channel X --preview``: any channel's digest printed in the console, and a polite
refusal for a channel that does not exist or a time that is no time."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.portfolio import DEPARTMENTS, seed

from pmobot.app import create_app
from pmobot.cli import main
from pmobot.clock import FrozenClock
from pmobot.config import Settings

MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/cli.db"
    for name in ("PMOBOT_LOG_FILE", "PMOBOT_IT_CHANNEL", "PMOBOT_SLACK_BOT_TOKEN", "PMOBOT_MICROSOFT_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PMOBOT_DATABASE_URL", url)
    monkeypatch.setenv("PMOBOT_DEFAULT_LOCALE", "en")

    async def prepared() -> None:
        app = create_app(Settings(_env_file=None, database_url=url), clock=FrozenClock(MONDAY))
        await app.prepare(migrate=True, seed_demo=True)
        await seed(app, needs=40, projects=8, week_end=MONDAY)
        await app.close()

    asyncio.run(prepared())
    return url


def test_the_preview_prints_a_departments_digest_and_its_chart_in_words(
        database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "--channel", "finance", "--preview", "--at", "2026-11-30T09:30"]) == 0
    out = capsys.readouterr().out
    assert "Weekly digest, week 49 (30 November 2026)" in out
    assert "channel of the Finance department" in out
    # Finance's needs only: the seed gives every fourth need to Finance (DEPARTMENTS[n % 4]).
    numbers = [int(n) - 100_000 for n in re.findall(r"NEED-(\d+)", out)]
    assert numbers and all(DEPARTMENTS[n % 4] == "Finance" for n in numbers)
    assert "▦ Portfolio health, week 49" in out and "Bar chart of the active projects" in out


def test_an_unknown_channel_or_a_bad_time_is_said_without_a_traceback(
        database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "--channel", "nowhere", "--preview"]) == 1
    assert capsys.readouterr().err.startswith('pmobot: No digest channel is called "nowhere".')
    with pytest.raises(SystemExit) as refused:
        main(["digest", "--channel", "pmo", "--preview", "--at", "Monday"])
    assert refused.value.code == 2 and "'Monday' is not a date and time" in capsys.readouterr().err
    assert main(["digest", "--channel", "pmo"]) == 2
    assert "pmobot jobs run digest" in capsys.readouterr().err
