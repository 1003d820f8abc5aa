"""Reading a policy file's YAML nodes, so that every complaint names its line.

Shared by the scoring sections (``services.policy``) and the tracking section
(``services.policy_tracking``).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from pmobot.domain.scoring import CHOICE_SOURCES
from pmobot.i18n import LOCALES


class PolicyError(ValueError):
    """A policy file that cannot be used: where (file, line) and why."""


class Reader:
    """Walks the YAML nodes, so that every complaint names the line it is about."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: Node, message: str) -> PolicyError:
        return PolicyError(f"{self.source}, line {node.start_mark.line + 1}: {message}")

    def mapping(self, node: Node, what: str, known: tuple[str, ...] | None = None) -> dict[str, tuple[Node, Node]]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, f"{what} must be a mapping (key: value lines)")
        out: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            name = str(key.value) if isinstance(key, ScalarNode) else ""
            if known is not None and name not in known:
                raise self.fail(key, f"unknown key {name!r} in {what}; known keys: {', '.join(known)}")
            if name in out:
                raise self.fail(key, f"{name!r} appears twice in {what}")
            out[name] = (key, value)
        return out

    def plain(self, node: Node) -> Any:
        return yaml.constructor.SafeConstructor().construct_document(node)

    def number(self, node: Node, what: str, *, positive: bool = False, at_least: float | None = None) -> float:
        value = self.plain(node) if isinstance(node, ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(node, f"{what} must be a number, not {shown(node)}")
        if positive and value <= 0:
            raise self.fail(node, f"{what} must be above 0, not {value}")
        if at_least is not None and value < at_least:
            raise self.fail(node, f"{what} must be at least {at_least:g}, not {value}")
        return float(value)

    def text(self, node: Node, what: str) -> str:
        value = self.plain(node) if isinstance(node, ScalarNode) else None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, f"{what} must be a text")
        return value.strip()

    def localized(self, node: Node, what: str) -> dict[str, str]:
        entries = self.mapping(node, what, LOCALES)
        missing = [loc for loc in LOCALES if loc not in entries]
        if missing:
            raise self.fail(node, f"{what} needs a text in {', '.join(missing)} too")
        return {loc: self.text(value, f"{what} ({loc})") for loc, (_, value) in entries.items()}

    def choice_table(self, node: Node, source: str, what: str, *, positive: bool) -> dict[str, float]:
        choices = CHOICE_SOURCES[source]
        entries = self.mapping(node, what, choices)
        missing = [c for c in choices if c not in entries]
        if missing:
            raise self.fail(node, f"{what} needs a figure for {', '.join(missing)} too")
        return {c: self.number(entries[c][1], f"{what} for {c}", positive=positive) for c in choices}


def shown(node: Node) -> str:
    return repr(node.value) if isinstance(node, ScalarNode) else "a list or a mapping"


