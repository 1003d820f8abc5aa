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
