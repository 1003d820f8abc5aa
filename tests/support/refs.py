"""Where the official third-party schemas and payload samples are (``shared/refs``).

They live beside the project, not in it (DESIGN.md: ``../shared/refs``). A
checkout may sit anywhere, so the folder is looked for in ``PMOBOT_REFS``,
then beside every parent folder of this file, then at the workplace's fixed
place. Not finding it is an error, never a reason to skip a test.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

WORKPLACE = Path("/work/shared/refs")


@cache
def refs_dir() -> Path:
    candidates: list[Path] = []
    if os.environ.get("PMOBOT_REFS"):
        candidates.append(Path(os.environ["PMOBOT_REFS"]))
    candidates += [parent / "shared" / "refs" for parent in Path(__file__).resolve().parents]
    candidates.append(WORKPLACE)
    for candidate in candidates:
        if (candidate / "README.md").is_file() and (candidate / "slack").is_dir():
            return candidate
    raise RuntimeError(
        "the reference schemas (shared/refs) were not found beside this checkout nor at "
        f"{WORKPLACE}: set PMOBOT_REFS to that folder"
    )


# The folder itself, for the helpers that read from it.
REFS = refs_dir()


def strings_under(node: Any, keys: tuple[str, ...]) -> str:
    """Every string held under one of ``keys`` in a JSON tree, in order, one per line:
    what a reader sees of a Block Kit message or an Adaptive Card, for assertions."""
    out: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            out.extend(item[key] for key in keys if isinstance(item.get(key), str))
            for value in item.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(item, list):
            for child in item:
                walk(child)

    walk(node)
    return "\n".join(out)
