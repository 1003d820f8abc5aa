"""A project's agreed scope changed by a change request: items added or removed, checked against the
baseline in force, applied to the next baseline when the committee approves, and said in words.

The baseline keeps the scope both sides agreed (``services.scope.baseline_part``):
its in-scope items are numbered from 1 as ``/pmo project`` shows them, and a
removal names an item by that number or by its text.
"""

from __future__ import annotations

from typing import Any

from pmobot.domain.scope import Part, clean_items
from pmobot.i18n import t
from pmobot.messages import CardField
from pmobot.services.errors import Invalid

IN = str(Part.IN)


def in_scope(scope: dict[str, Any]) -> list[str]:
    return [str(item) for item in scope.get(IN) or []]


def _lines(value: object) -> tuple[str, ...]:
    return clean_items(value if isinstance(value, list) else str(value or "").splitlines())


def proposal(answers: dict[str, Any], scope: dict[str, Any]) -> dict[str, list[str]]:
    """The items a change would add to and remove from the scope in force, refused when an item to
    remove is not in it, or one to add already is."""
    items = in_scope(scope)
    out: dict[str, list[str]] = {}
    removed: list[str] = []
    # Not cleaned as items are: "2" is the number of an item here, not a list mark.
    value = answers.get("scope_remove")
    words = [" ".join(str(w).split()).lstrip("-*•· ") for w in (value if isinstance(value, list) else
                                                               str(value or "").splitlines())]
    for word in filter(None, words):
        found = items[int(word) - 1] if word.isdigit() and 0 < int(word) <= len(items) else None
        found = found or next((i for i in items if i.casefold() == word.casefold()), None)
        if found is None:
            shown = "; ".join(f"{n}. {i}" for n, i in enumerate(items, 1)) or "—"
            raise Invalid("scope.error.change_remove", value=word, items=shown)
        if found not in removed:
            removed.append(found)
    added = []
    for item in _lines(answers.get("scope_add")):
        if any(i.casefold() == item.casefold() for i in items if i not in removed):
            raise Invalid("scope.error.change_add", value=item)
        added.append(item)
    if added:
        out["scope_add"] = added
    if removed:
        out["scope_remove"] = removed
    return out


def applied(scope: dict[str, Any], proposed: dict[str, Any], *, change: int) -> dict[str, Any]:
    """The scope once the approved change ``change`` is applied, with the change kept in its log: one
    entry a change, with its note on the scope and the items it added and removed."""
    added, removed = list(proposed.get("scope_add") or []), list(proposed.get("scope_remove") or [])
    note = proposed.get("scope")
    if not added and not removed and not note:
        return scope
    out = dict(scope)
    out[IN] = [i for i in in_scope(scope) if i not in removed] + added
    entry: dict[str, Any] = {"change": change}
    if note:
        entry["note"] = note
    if added or removed:
        entry |= {"added": added, "removed": removed}
    out["changes"] = [*scope.get("changes", []), entry]
    return out


def describe(proposed: dict[str, Any], locale: str) -> list[str]:
    """What a change does to the scope, in words."""
    parts = []
    if proposed.get("scope_add"):
        parts.append(t(locale, "scope.change.add", items=", ".join(f"\"{i}\"" for i in proposed["scope_add"])))
    if proposed.get("scope_remove"):
        parts.append(t(locale, "scope.change.remove", items=", ".join(f"\"{i}\"" for i in proposed["scope_remove"])))
    return parts


def baseline_field(scope: dict[str, Any], locale: str) -> CardField | None:
    """The baseline's agreed scope on the project's card: its in-scope items, numbered as a change names them."""
    items = in_scope(scope)
    if not items:
        return None
    out = [f"{n}. {item}" for n, item in enumerate(items, 1)]
    out += [f"✗ {item}" for item in scope.get(str(Part.OUT)) or []]
    return CardField(t(locale, "scope.baseline_label", version=scope.get("version", "?")), "\n".join(out),
                     short=False)
