"""The official third-party schemas and payload samples the tests check against.

They are copied into the repository (``tests/refs``, its README says where each
came from and under which licence), so a checkout tests on its own: nothing is
looked for outside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

REFS = Path(__file__).resolve().parents[1] / "refs"


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
