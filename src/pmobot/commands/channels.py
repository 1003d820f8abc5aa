"""Where pmobot posts: ``/pmo channel here it|committee|roadmap|pmo|department NAME`` typed in the channel
itself, and ``/pmo channels`` to see each platform's choice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pmobot.commands.registry import Arguments, Command, Commands, Nothing, Request
from pmobot.conversation.text import fold
from pmobot.domain.roles import Role
from pmobot.messages import Message
from pmobot.services import channels
from pmobot.services.addresses import COMMITTEE_CHANNEL, DEPARTMENT_CHANNEL, IT_CHANNEL, PMO_CHANNEL, ROADMAP_CHANNEL

_HERE = frozenset({"here", "ici"})
# The words that name a purpose, folded; several words are joined with a dash ("feuille de route").
PURPOSES = {
    "it": IT_CHANNEL, "dsi": IT_CHANNEL, "intake": IT_CHANNEL, "informatique": IT_CHANNEL,
    "committee": COMMITTEE_CHANNEL, "comite": COMMITTEE_CHANNEL,
    "roadmap": ROADMAP_CHANNEL, "feuille-de-route": ROADMAP_CHANNEL, "feuillederoute": ROADMAP_CHANNEL,
    "pmo": PMO_CHANNEL,
}
# The word before a department's name: ``/pmo channel here department Purchasing`` (``ici service Achats``).
_DEPARTMENT_WORDS = frozenset({"department", "departement", "service", "direction"})


def department_of(words: Sequence[str]) -> str | None:
    """``here department Purchasing``: the department named (as typed), or None."""
    rest = list(words)
    if rest and fold(rest[0]) in _HERE:
        rest = rest[1:]
    if len(rest) >= 2 and fold(rest[0]) in _DEPARTMENT_WORDS:
        return " ".join(rest[1:])
    return None


def purpose_of(words: Sequence[str]) -> str | None:
    """``here committee``, ``ici comité``, ``feuille de route``: the purpose named, or None."""
    if department_of(words) is not None:
        return DEPARTMENT_CHANNEL
    folded = [fold(w) for w in words]
    if folded and folded[0] in _HERE:
        folded = folded[1:]
    return PURPOSES.get("-".join(folded)) if folded else None


@dataclass(frozen=True)
class HerePurpose:
    """``/pmo channel here committee``: an optional "here", then a purpose."""

    def fits(self, words: Sequence[str], commands: Commands) -> bool:
        return purpose_of(words) is not None

    def parse(self, text: str) -> Arguments | None:
        return Arguments(text) if purpose_of(text.split()) is not None else None


async def _channel(r: Request) -> list[Message]:
    purpose = purpose_of(r.args.text.split())
    assert purpose is not None  # the shape parsed it
    place = r.place
    department = department_of(r.args.text.split())
    if department is not None:
        return await channels.choose_department_here(
            r.session, core=r.core, actor=r.actor, department=department, address=place.address if place else None,
            reference=place.reference if place else None)
    return await channels.choose_here(r.session, core=r.core, actor=r.actor, purpose=purpose,
                                      address=place.address if place else None,
                                      reference=place.reference if place else None)


async def _channels(r: Request) -> list[Message]:
    return await channels.overview(r.session, core=r.core, actor=r.actor)


def register(commands: Commands) -> None:
    commands.add(Command("channel", ("channel", "canal", "salon"), HerePurpose(), _channel,
                         roles=frozenset({Role.PMO})))
    commands.add(Command("channels", ("channels", "canaux", "salons"), Nothing(), _channels, shareable=True))
