"""The ``pmobot`` command line itself: help that reads well, a version, and errors without tracebacks."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from pmobot.cli import build_parser


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_command_and_option_has_help_and_a_readable_placeholder() -> None:
    parser = build_parser()
    commands = _subcommands(parser)
    assert set(commands) == {"console", "serve", "worker", "manifest", "db", "export", "jobs", "digest"}
    for name, command in [("pmobot", parser), *commands.items()]:
        assert command.description, name
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
        text = command.format_help()
        # A placeholder says what to type (NAME, FILE), never an internal name.
        assert "AS_" not in text and "_ " not in text.replace("\n", " "), text
    assert "--as NAME" in commands["console"].format_help()


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as leaving:
        build_parser().parse_args(["--version"])
    assert leaving.value.code == 0
    assert capsys.readouterr().out == f"pmobot {metadata.version('pmobot')}\n"


# -- errors a person can make, in a subprocess ---------------------------------------------------


def pmobot(folder: Path, *args: str, **streams: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMOBOT_")}
    env["PMOBOT_DATABASE_URL"] = f"sqlite:///{folder}/cli.db"
    return subprocess.Popen([sys.executable, "-m", "pmobot", *args], cwd=folder, env=env, text=True,
                            **streams)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    upgrade = pmobot(folder, "db", "upgrade", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, err = upgrade.communicate(timeout=300)
    assert upgrade.returncode == 0, err
    return folder


@pytest.mark.slow
def test_export_to_a_path_that_cannot_be_a_file_says_why(migrated: Path) -> None:
    (migrated / "report").write_text("a file, not a folder")
    run = pmobot(migrated, "export", "--format", "csv", "--out", str(migrated / "report" / "needs.csv"),
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 1
    assert "Traceback" not in err and err.startswith(f"pmobot: cannot write {migrated / 'report' / 'needs.csv'}")
    assert out == ""


@pytest.mark.slow
def test_export_into_a_missing_folder_creates_it(migrated: Path) -> None:
    target = migrated / "exports" / "2026" / "needs.json"
    run = pmobot(migrated, "export", "--out", str(target), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert target.read_text(encoding="utf-8") == "[]\n"
    assert err == f"0 needs written to {target}\n"


@pytest.mark.slow
def test_export_to_a_reader_that_has_gone_stops_quietly(migrated: Path) -> None:
    """``pmobot export | head -c 0``: the reader closed before anything was written."""
    run = pmobot(migrated, "export", "--format", "csv", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert run.stdout is not None and run.stderr is not None
    run.stdout.close()
    err = run.stderr.read()
    assert run.wait(timeout=300) == 0, err
    assert err == ""
