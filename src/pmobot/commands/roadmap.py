"""The roadmap's commands: IT's capacity (set by the PMO), and the roadmap itself."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pmobot.commands.registry import Arguments, Command, Commands, Nothing, Request
from pmobot.domain.roles import Role
from pmobot.messages import Message
from pmobot.services import capacity, roadmap_view

_NUMBER = re.compile(r"^[-−+]?\d")


class NumberFirst:
    """``/pmo capacity`` or ``/pmo capacity 40 [from 2027-03]``: nothing, or a number first."""

    def fits(self, words: Sequence[str], commands: Commands) -> bool:
        return not words or bool(_NUMBER.match(words[0]))

    def parse(self, text: str) -> Arguments | None:
        return Arguments(text.strip())


async def _capacity(r: Request) -> list[Message]:
    if not r.args.text:
        return await capacity.show(r.session, core=r.core, actor=r.actor)
    return await capacity.set_capacity(r.session, core=r.core, actor=r.actor, text=r.args.text)


async def _roadmap(r: Request) -> list[Message]:
    return await roadmap_view.show(r.session, core=r.core, actor=r.actor)


def register(commands: Commands) -> None:
    commands.add(Command("capacity", ("capacity", "capacite"), NumberFirst(), _capacity,
                         roles=frozenset({Role.PMO})))
    commands.add(Command("roadmap", ("roadmap", "feuille-de-route", "planning"), Nothing(), _roadmap,
                         shareable=True))
