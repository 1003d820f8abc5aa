"""The README's command table lists every command of the registry: a command added
without a row there fails here."""

from __future__ import annotations

import re
from pathlib import Path

from pmobot.commands.builtin import builtin_commands

README = Path(__file__).resolve().parents[2] / "README.md"


def _listed() -> set[str]:
    """The words after ``/pmo`` in the first column of the command table."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Commands"):]
    section = section[:section.index("\n## ")]
    rows = [line for line in section.splitlines() if line.startswith("| `/pmo ")]
    return {word for row in rows for word in re.findall(r"/pmo ([a-z][a-z-]*)", row.split(" | ")[0])}


def test_the_readme_lists_every_registered_command() -> None:
    listed = _listed()
    assert len(listed) > 20  # the table was found
    missing = sorted(f"/pmo {c.aliases[0]} ({c.name})" for c in builtin_commands() if c.aliases[0] not in listed)
    assert missing == []
