"""Run mypy on the installed names: ``pmobot`` (with its mapped ``adapters`` and ``dialogs``), ``bench``, this file.

pyproject.toml maps ``adapters/`` to ``pmobot.adapters`` and ``dialogs/`` to ``pmobot.dialogs``; the
editable install reaches them through an import hook, which mypy cannot follow. So this builds a tree
of links laid out like the installed package, checks it, and reports errors against the real files.
Run it through ``make lint``; arguments are passed on to mypy.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tomllib
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / ".venv" / "typecheck"
# Checked beside the package: the benchmarks and this file.
EXTRA = {"bench": ROOT / "bench", "typecheck.py": Path(__file__).resolve()}
# A reported location starts a line: "path/to/file.py:12: error: ...".
LOCATION = re.compile(r"^(?P<path>[^:\s]+\.pyi?)(?=:)", re.MULTILINE)


def package_dirs() -> dict[str, Path]:
    """pyproject's package-dir mapping: import name -> folder in the checkout."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        mapping: dict[str, str] = tomllib.load(f)["tool"]["setuptools"]["package-dir"]
    return {name: ROOT / folder for name, folder in mapping.items()}


def build_tree() -> None:
    """Links the package's folders into ``TREE`` where the installed package has them."""
    shutil.rmtree(TREE, ignore_errors=True)
    folders = package_dirs()
    # The top package is a real folder holding links to its entries, so that the
    # mapped subpackages can be linked in beside them.
    top = TREE / "pmobot"
    top.mkdir(parents=True)
    for entry in folders.pop("pmobot").iterdir():
        if entry.name != "__pycache__":
            (top / entry.name).symlink_to(entry)
    for name, folder in folders.items():
        (TREE / name.replace(".", "/")).symlink_to(folder)
    for name, source in EXTRA.items():
        (TREE / name).symlink_to(source)


def real_location(match: re.Match[str]) -> str:
    path = Path(match["path"])
    if not path.is_absolute():
        path = Path.cwd() / path
    return os.path.relpath(path.resolve(), ROOT)


def main(argv: list[str]) -> int:
    build_tree()
    os.environ["MYPYPATH"] = str(TREE)
    os.chdir(ROOT)
    out, err, status = api.run(["-p", "pmobot", "-p", "bench", "-m", "typecheck", *argv])
    sys.stdout.write(LOCATION.sub(real_location, out))
    sys.stderr.write(err)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
