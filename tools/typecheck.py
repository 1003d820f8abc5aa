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
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / ".venv" / "typecheck"
# Where each importable package lives in the checkout (the package-dir mapping of pyproject.toml).
LAYOUT = {
    "pmobot/adapters": ROOT / "adapters",
    "pmobot/dialogs": ROOT / "dialogs",
    "bench": ROOT / "bench",
    "typecheck.py": Path(__file__).resolve(),
}
CORE = ROOT / "src" / "pmobot"
# A reported location starts a line: "path/to/file.py:12: error: ...".
LOCATION = re.compile(r"^(?P<path>[^:\s]+\.pyi?)(?=:)", re.MULTILINE)


def build_tree() -> None:
    """Links every entry of src/pmobot, then the mapped folders, into ``TREE``."""
    shutil.rmtree(TREE, ignore_errors=True)
    core = TREE / "pmobot"
    core.mkdir(parents=True)
    for entry in CORE.iterdir():
        if entry.name != "__pycache__":
            (core / entry.name).symlink_to(entry)
    for name, source in LAYOUT.items():
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
