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
from collections.abc import Iterable, Mapping
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
    if isinstance(value, str):
        return "not valid Unicode" if _half_character(value) else None
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[object]
        if isinstance(item, dict):
            for key in item:
                if isinstance(key, str) and not key.isascii() and _half_character(key):
                    return "not valid Unicode"
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return "nested too deep"
        for child in children:
            if isinstance(child, str):
                # Most text is ASCII, which holds none: looked into only otherwise (a call per field was
                # most of this walk's time).
                if not child.isascii() and _half_character(child):
                    return "not valid Unicode"
            elif isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return None


def _half_character(text: str) -> bool:
    # Most text is ASCII, which holds none: the search only for the rest.
    return not text.isascii() and _LONE_SURROGATE.search(text) is not None


def check(value: object, shape: Shape, where: str = "$") -> None:
    """Malformed, naming the first field that does not have its shape."""
    try:
        _check(value, shape)
    except _Off as off:
        raise Malformed(f"{where}{''.join(reversed(off.path))} {off.reason}") from None


class _Off(Exception):
    """Where a value left its shape: the path is built as the failure unwinds (a body that passes, nearly
    every one, builds no path: naming each field on the way down was most of a check's time)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.path: list[str] = []


def _check(value: object, shape: Shape) -> None:
    if isinstance(shape, Req):
        if value is None or value == "":
            raise _Off("missing")
        _check(value, shape.shape)
        return
    if value is None:
        return
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise _Off("is not an object")
        each = shape.get("*")
        # The value's keys, each looked up in its shape: Slack's shape names some sixty fields an object has
        # a few of (walking the shape's instead was most of a check's time).
        for key, item in value.items():
            sub = shape.get(key, each)
            if sub is None or (item is None and not isinstance(sub, Req)):
                continue
            try:
                _check(item, sub)
            except _Off as failed:
                failed.path.append(".*" if sub is each and key not in shape else "." + key)
                raise
        for key in _required(shape):
            if key not in value:
                off = _Off("missing")
                off.path.append("." + key)
                raise off
        return
    if isinstance(shape, type):
        # A JSON true is not an integer, though Python's bool is one.
        if not (isinstance(value, int) and not isinstance(value, bool) if shape is int else isinstance(value, shape)):
            raise _Off(f"is not {shape.__name__}")
        return
    if isinstance(shape, tuple):
        for option in shape:
            try:
                _check(value, option)
            except _Off:
                continue
            return
        raise _Off("has an unexpected type")
    if isinstance(shape, Short):
        if not isinstance(value, str) or len(value) > shape.limit:
            raise _Off(f"is not a string of at most {shape.limit} characters")
        return
    if isinstance(shape, Some):
        if not isinstance(value, list) or not value:
            raise _Off("is not a non-empty list")
        _check(value, [shape.shape])
        return
    if not isinstance(value, list):
        raise _Off("is not a list")
    # A list's items are never null: readers index them as they are.
    item_shape = Req(shape[0])
    for index, item in enumerate(value):
        _within(item, item_shape, f"[{index}]")


# The required keys of each object shape, found once (the shape is kept with them, so its id stays its own).
_REQUIRED: dict[int, tuple[dict[str, Shape], tuple[str, ...]]] = {}


def _required(shape: dict[str, Shape]) -> tuple[str, ...]:
    found = _REQUIRED.get(id(shape))
    if found is None:
        found = _REQUIRED[id(shape)] = (shape, tuple(key for key, sub in shape.items() if isinstance(sub, Req)))
    return found[1]


def _within(value: object, shape: Shape, step: str) -> None:
    try:
        _check(value, shape)
    except _Off as off:
        off.path.append(step)
        raise


# -- readers: a field in the type asked for ----------------------------------------


def obj(value: object) -> dict[str, Any]:
    """``value`` if it is an object, else an empty one."""
    return dict(value) if isinstance(value, Mapping) else {}


def _under(parent: object, key: str) -> object:
    """What ``parent`` holds under ``key`` (None when it is not an object), without copying it: a reader
    asks a request's body for one field at a time, many times a request."""
    if isinstance(parent, dict):
        return parent.get(key)
    return parent.get(key) if isinstance(parent, Mapping) else None


def field(parent: object, key: str) -> dict[str, Any]:
    """The object under ``key`` (empty when absent, null or not an object)."""
    return obj(_under(parent, key))


def objects(parent: object, key: str) -> list[dict[str, Any]]:
    """The objects listed under ``key`` (what is not an object is left out)."""
    value = _under(parent, key)
    return [dict(item) for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def text(parent: object, key: str) -> str:
    """The string under ``key``; empty when absent, null or not a string."""
    value = _under(parent, key)
    return value if isinstance(value, str) else ""


def maybe_text(parent: object, key: str) -> str | None:
    """The string under ``key``, or None when absent, null or not a string."""
    value = _under(parent, key)
    return value if isinstance(value, str) else None


def required_text(parent: object, key: str, where: str) -> str:
    """The non-empty string under ``key``, or Malformed naming ``where``."""
    value = text(parent, key)
    if not value:
        raise Malformed(f"{where}.{key} missing")
    return value
