"""bench/RESULTS.md is shared by several benchmarks: each rewrites only its own section.

A section is a "## " heading and everything up to the next "## " heading; the
text before the first heading is the file's preamble.
"""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
PREAMBLE = "# Benchmarks\n\nWritten by `make bench`; numbers are for the machine that ran it.\n\n"


def _split(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The preamble, and (heading, whole section text) in file order."""
    parts = re.split(r"(?m)^(?=## )", text)
    preamble, sections = parts[0], parts[1:]
    return preamble, [(section.splitlines()[0], section) for section in sections]


def update_section(section: str, *, path: Path = RESULTS) -> None:
    """Replace the section with the same heading as ``section`` (or add it at the end)."""
    heading = section.splitlines()[0]
    if not heading.startswith("## "):
        raise ValueError(f"a section starts with a '## ' heading, not {heading!r}")
    body = section.rstrip("\n") + "\n\n"
    old = path.read_text(encoding="utf-8") if path.exists() else PREAMBLE
    preamble, sections = _split(old)
    replaced = False
    out = []
    for existing_heading, text in sections:
        if existing_heading == heading:
            out.append(body)
            replaced = True
        else:
            out.append(text.rstrip("\n") + "\n\n")
    if not replaced:
        out.append(body)
    path.write_text((preamble or PREAMBLE) + "".join(out).rstrip("\n") + "\n", encoding="utf-8")
