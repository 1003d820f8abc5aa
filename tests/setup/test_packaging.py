"""The wheel holds everything pmobot needs at run time.

The wheel is built offline, without build isolation, from a copy of the files
git knows about (tracked, plus new files not ignored), so a stray ``build/``
folder or egg-info in the working tree cannot hide a packaging mistake. The
checks then compare the wheel with the repository: a subpackage someone
forgot to list in pyproject, a YAML file or a migration left out, all fail here.
"""

from __future__ import annotations

import ast
import configparser
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path, PurePosixPath

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def _project_files() -> list[str]:
    """Tracked files, and new ones not yet added but not ignored either."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout
    return sorted({name for name in out.split("\0") if name and (REPO / name).is_file()})


def _installed_path(source: str) -> str | None:
    """Where a repository file lands in the wheel, by pyproject's package-dir."""
    for folder, target in (("src/pmobot/", "pmobot/"), ("adapters/", "pmobot/adapters/"),
                           ("dialogs/", "pmobot/dialogs/")):
        if source.startswith(folder):
            return target + source[len(folder):]
    return None


@pytest.fixture(scope="module")
def project_files() -> list[str]:
    return _project_files()


@pytest.fixture(scope="module")
def wheel(project_files: list[str], tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    root = tmp_path_factory.mktemp("pmobot-src")
    for name in project_files:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    out = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_NO_INDEX"] = "1"  # offline: nothing may be fetched
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=root, env=env, capture_output=True, text=True, timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(
            "building the wheel offline failed; the build backend's requirements "
            "([build-system] requires) must be installed in the environment.\n"
            f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}",
            pytrace=False,
        )
    wheels = list(out.glob("pmobot-*.whl"))
    assert len(wheels) == 1, wheels
    archive = zipfile.ZipFile(wheels[0])
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def names(wheel: zipfile.ZipFile) -> set[str]:
    return set(wheel.namelist())


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_listed_package_is_in_the_wheel(names: set[str]) -> None:
    listed = _pyproject()["tool"]["setuptools"]["packages"]
    missing = [p for p in listed if p.replace(".", "/") + "/__init__.py" not in names]
    assert missing == []


def test_every_source_folder_with_python_is_in_the_wheel(project_files: list[str], names: set[str]) -> None:
    """Catches a new subpackage that pyproject's explicit package list forgot."""
    folders: dict[str, str] = {}
    for source in project_files:
        installed = _installed_path(source)
        if installed and source.endswith(".py"):
            folders.setdefault(str(PurePosixPath(source).parent), str(PurePosixPath(installed).parent))
    assert "adapters/console" in folders and "src/pmobot/conversation" in folders
    missing = sorted(f"{src} (expected as {dst}/)" for src, dst in folders.items()
                     if not any(n.startswith(dst + "/") and n.endswith(".py") for n in names))
    assert missing == []


def test_every_python_file_is_in_the_wheel(project_files: list[str], names: set[str]) -> None:
    expected = {_installed_path(s): s for s in project_files if s.endswith(".py") and _installed_path(s)}
    missing = sorted(src for dst, src in expected.items() if dst not in names)
    assert missing == []


def test_dialog_specs_are_in_the_wheel(project_files: list[str], names: set[str]) -> None:
    specs = [s for s in project_files if PurePosixPath(s).parent == PurePosixPath("dialogs") and s.endswith(".yaml")]
    assert "dialogs/intake.yaml" in specs
    missing = [s for s in specs if f"pmobot/dialogs/{PurePosixPath(s).name}" not in names]
    assert missing == []


def test_message_catalogs_are_in_the_wheel(project_files: list[str], names: set[str]) -> None:
    catalogs = [s for s in project_files
                if s.startswith("src/pmobot/i18n/") and s.endswith(".yaml") and s.count("/") == 4]
    assert {PurePosixPath(s).parts[3] for s in catalogs} == {"en", "fr"}
    missing = [s for s in catalogs if _installed_path(s) not in names]
    assert missing == []


def test_migrations_are_in_the_wheel(project_files: list[str], names: set[str]) -> None:
    assert "pmobot/migrations/script.py.mako" in names
    assert "pmobot/migrations/env.py" in names
    versions = [s for s in project_files if s.startswith("src/pmobot/migrations/versions/") and s.endswith(".py")
                and not s.endswith("__init__.py")]
    assert versions, "no migration found in the repository"
    missing = [s for s in versions if _installed_path(s) not in names]
    assert missing == []


def test_console_script_points_at_the_cli(wheel: zipfile.ZipFile, names: set[str]) -> None:
    [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(entry_points).decode("utf-8"))
    assert parser["console_scripts"]["pmobot"].strip() == "pmobot.cli:main"
    cli = ast.parse(wheel.read("pmobot/cli.py").decode("utf-8"))
    assert any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in cli.body)


def test_wheel_ships_no_tests_nor_build_leftovers(names: set[str]) -> None:
    stray = sorted(n for n in names if n.startswith(("tests/", "build/", "bench/")) or "__pycache__" in n)
    assert stray == []
