"""Typed readers for what a platform sends: JSON checked against a small declared shape
before bolt, botbuilder or a listener reads a field of it.

Each platform declares its shapes once, in its adapter (``slack/payloads.py``, ``teams/payloads.py``);
what they share is here: parsing that fails only with ``Malformed``, the shape check,
and readers that give a field in the type asked for (an empty value otherwise).

A shape is one of:

- a type (``str``, ``bool``, ``int``, ``dict``, ``list``): the value is of that type;
- a dict of shapes: an object whose listed fields, when present, have those shapes
  (unlisted fields are not read, so not checked; ``"*"`` applies to every field);
- a one-item list: a list whose items have that shape (and are not null);
- a tuple: any one of several shapes (``NOTHING``, the empty tuple, allows none);
- ``Req(shape)``: the field must be there, not null nor empty; ``Some(shape)``: a non-empty list.

Null is accepted wherever a field is not ``Req``: platforms send nulls for what is not
set, and every reader takes null as "not given".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

# Deepest nesting accepted (Slack's largest views are about twelve levels deep).
MAX_DEPTH = 64


class Malformed(ValueError):
    """A request pmobot cannot read. The message says where, never what was sent."""


@dataclass(frozen=True)
class Req:
    shape: Shape


@dataclass(frozen=True)
class Some:
    shape: Shape


@dataclass(frozen=True)
class Short:
    """A string of at most ``limit`` characters: an id kept in a column of that width, or in a key."""

    limit: int


Shape: TypeAlias = type | tuple["Shape", ...] | dict[str, "Shape"] | list["Shape"] | Req | Some | Short
NOTHING: tuple[Shape, ...] = ()


def parse_json(raw: bytes | str) -> object:
    """The JSON value of ``raw``; Malformed when it is not UTF-8, not JSON, or not readable (``unreadable``)."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        value = json.loads(text)
    except UnicodeDecodeError:
        raise Malformed("not UTF-8") from None
    except RecursionError:
        raise Malformed("nested too deep") from None
    except ValueError:
        raise Malformed("not JSON") from None
    reason = unreadable(value)
    if reason:
        raise Malformed(reason)
    return value


# Half of a character: JSON may escape one ("\\ud800"), but no text can be stored or sent with it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def unreadable(value: object, limit: int = MAX_DEPTH) -> str | None:
    """Why a parsed JSON value cannot be handled, or None: objects and lists nested more than
    ``limit`` levels, or text holding half a character (walked without recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: list[object]
        if isinstance(item, str):
            if _LONE_SURROGATE.search(item):
                return "not valid Unicode"
            continue
        if isinstance(item, dict):
            children = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return "nested too deep"
        stack.extend((child, depth + 1) for child in children)
    return None


def check(value: object, shape: Shape, where: str = "$") -> None:
    """Malformed, naming the first field that does not have its shape."""
    if isinstance(shape, Req):
        if value is None or value == "":
            raise Malformed(f"{where} missing")
        check(value, shape.shape, where)
        return
    if value is None:
        return
    if isinstance(shape, tuple):
        for option in shape:
            try:
                check(value, option, where)
            except Malformed:
                continue
            return
        raise Malformed(f"{where} has an unexpected type")
    if isinstance(shape, Short):
        if not isinstance(value, str) or len(value) > shape.limit:
            raise Malformed(f"{where} is not a string of at most {shape.limit} characters")
        return
    if isinstance(shape, Some):
        if not isinstance(value, list) or not value:
            raise Malformed(f"{where} is not a non-empty list")
        check(value, [shape.shape], where)
        return
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise Malformed(f"{where} is not an object")
        for key, sub in shape.items():
            if key == "*":
                for item in value.values():
                    check(item, sub, f"{where}.*")
            elif key in value:
                check(value[key], sub, f"{where}.{key}")
            elif isinstance(sub, Req):
                raise Malformed(f"{where}.{key} missing")
        return
    if isinstance(shape, list):
        if not isinstance(value, list):
            raise Malformed(f"{where} is not a list")
        for index, item in enumerate(value):
            # A list's items are never null: readers index them as they are.
            check(item, Req(shape[0]), f"{where}[{index}]")
        return
    # A JSON true is not an integer, though Python's bool is one.
    ok = isinstance(value, int) and not isinstance(value, bool) if shape is int else isinstance(value, shape)
    if not ok:
        raise Malformed(f"{where} is not {shape.__name__}")


# -- readers: a field in the type asked for ----------------------------------------


def obj(value: object) -> dict[str, Any]:
    """``value`` if it is an object, else an empty one."""
    return dict(value) if isinstance(value, Mapping) else {}


def field(parent: object, key: str) -> dict[str, Any]:
    """The object under ``key`` (empty when absent, null or not an object)."""
    return obj(obj(parent).get(key))


def objects(parent: object, key: str) -> list[dict[str, Any]]:
    """The objects listed under ``key`` (what is not an object is left out)."""
    value = obj(parent).get(key)
    return [dict(item) for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def text(parent: object, key: str) -> str:
    """The string under ``key``; empty when absent, null or not a string."""
    value = obj(parent).get(key)
    return value if isinstance(value, str) else ""


def maybe_text(parent: object, key: str) -> str | None:
    """The string under ``key``, or None when absent, null or not a string."""
    value = obj(parent).get(key)
    return value if isinstance(value, str) else None


def required_text(parent: object, key: str, where: str) -> str:
    """The non-empty string under ``key``, or Malformed naming ``where``."""
    value = text(parent, key)
    if not value:
        raise Malformed(f"{where}.{key} missing")
    return value
