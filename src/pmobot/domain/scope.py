"""The joint sign-off of a need's scope, as pure rules: the parts of a statement of scope, how its items
are numbered for people to point at, and whether the sign-off lets the committee decide.

IT states what it will deliver (in scope), what it will not (out of scope), the
assumptions and the acceptance criteria; the requester, and the sponsor when
there is one, agree to a version or ask for changes on an item. The items are
numbered once across the four parts (1, 2, 3... in that order) so that "item 3"
names one line whatever part it is in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ScopeStatus(StrEnum):
    AWAITING = "awaiting"
    CHANGES_REQUESTED = "changes_requested"
    AGREED = "agreed"
    SUPERSEDED = "superseded"


class Part(StrEnum):
    """The parts of a statement of scope, in the order they are shown and numbered."""

    IN = "in_scope"
    OUT = "out_of_scope"
    ASSUMPTIONS = "assumptions"
    ACCEPTANCE = "acceptance"


PARTS = tuple(Part)


class Capacity(StrEnum):
    """Why someone may agree to a need's scope."""

    REQUESTER = "requester"
    CO_REQUESTER = "co_requester"
    SPONSOR = "sponsor"

# The most items a part holds, and the longest item: a statement of scope is short by design.
ITEMS_MAX = 30
ITEM_MAX_CHARS = 300


# A list mark before an item: a bullet, a number followed by "." or ")" ("2.", "3)"), or "b)".
_LIST_MARK = re.compile(r"^(?:[-*•·]+\s*|(?:\d{1,3}[.)]|[a-z]\))\s+)")


def strip_list_mark(line: str) -> str:
    """A typed list line without its mark; a figure that is part of the item stays ("2FA", "30% fewer")."""
    return _LIST_MARK.sub("", " ".join(line.split()), count=1).strip()


def clean_items(lines: Sequence[object]) -> tuple[str, ...]:
    """The items of a part: each line stripped of list marks and blanks, empty ones dropped,
    repeats kept once, each cut to ``ITEM_MAX_CHARS``."""
    out: list[str] = []
    for line in lines:
        text = strip_list_mark(str(line or ""))[:ITEM_MAX_CHARS]
        if text and text not in out:
            out.append(text)
    return tuple(out)


@dataclass(frozen=True)
class Statement:
    """What a version of the scope says, part by part."""

    in_scope: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    acceptance: tuple[str, ...] = ()

    def part(self, part: Part) -> tuple[str, ...]:
        return tuple(getattr(self, str(part)))

    @property
    def empty(self) -> bool:
        """Nothing to agree to: no item in scope (what is out, assumed or accepted means nothing alone)."""
        return not self.in_scope

    def numbered(self) -> list[tuple[int, Part, str]]:
        """Every item with its number (from 1, across the parts) and its part."""
        out: list[tuple[int, Part, str]] = []
        for part in PARTS:
            for text in self.part(part):
                out.append((len(out) + 1, part, text))
        return out

    def item(self, number: int) -> tuple[Part, str] | None:
        """Item ``number`` (from 1), or None when there is no such item."""
        found = [(part, text) for n, part, text in self.numbered() if n == number]
        return found[0] if found else None

    def to_dict(self) -> dict[str, list[str]]:
        return {str(part): list(self.part(part)) for part in PARTS}


@dataclass(frozen=True)
class Party:
    """Someone whose agreement the scope waits on, or who gave it."""

    person_id: int
    name: str
    # requester | sponsor
    capacity: str


@dataclass(frozen=True)
class ScopeGate:
    """Where a need stands at the scope sign-off.

    ``version`` None: IT has not stated the scope yet. ``agreed_by`` holds who
    agreed to the version in force, ``awaited`` whose agreement it still waits
    on. ``sponsor_unresolved`` is the sponsor as typed when it names nobody
    pmobot knows (their agreement cannot be asked for).
    """

    need_key: str
    required: bool
    version: int | None = None
    status: ScopeStatus | None = None
    agreed_by: tuple[tuple[Party, datetime], ...] = ()
    awaited: tuple[Party, ...] = ()
    sponsor_unresolved: str | None = None
    changes_asked: int = 0

    @property
    def agreed(self) -> bool:
        return self.status == ScopeStatus.AGREED

    @property
    def blocks_decision(self) -> bool:
        """Whether the committee may not approve the need yet: the policy asks for an agreed scope
        and there is none."""
        return self.required and not self.agreed


def awaited(parties: Sequence[Party], agreed_ids: set[int]) -> tuple[Party, ...]:
    """Who has not agreed yet, among the people whose agreement is needed."""
    return tuple(p for p in parties if p.person_id not in agreed_ids)
