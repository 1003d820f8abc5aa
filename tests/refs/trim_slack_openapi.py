"""Cut Slack's Web API OpenAPI file down to the methods the tests check calls against.

Usage: python tests/refs/trim_slack_openapi.py ORIGINAL.json > tests/refs/slack/web_api_openapi_v2.json

The kept paths are copied as Slack wrote them, with every definition they refer to
(followed through the definitions); the top-level keys stay; nothing is reworded.
"""

from __future__ import annotations

import json
import sys
from typing import Any

# The Web API methods pmobot and slack-bolt call in the test suite.
METHODS = (
    "auth.test",
    "chat.postMessage",
    "chat.update",
    "conversations.members",
    "oauth.v2.access",
    "users.info",
    "views.open",
    "views.publish",
    "views.update",
)


def refs_in(node: Any) -> set[str]:
    """The definition names a JSON tree refers to (``#/definitions/NAME``)."""
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            found.add(ref.removeprefix("#/definitions/"))
        for value in node.values():
            found |= refs_in(value)
    elif isinstance(node, list):
        for item in node:
            found |= refs_in(item)
    return found


def trim(spec: dict[str, Any]) -> dict[str, Any]:
    paths = {f"/{m}": spec["paths"][f"/{m}"] for m in METHODS if f"/{m}" in spec["paths"]}
    wanted: set[str] = set()
    todo = refs_in(paths)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo |= refs_in(spec["definitions"][name])
    definitions = {name: body for name, body in spec["definitions"].items() if name in wanted}
    return {**spec, "paths": paths, "definitions": definitions}


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as original:
        json.dump(trim(json.load(original)), sys.stdout, indent=4, ensure_ascii=False)
        sys.stdout.write("\n")
