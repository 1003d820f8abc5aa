"""Drift alerts: ``/pmo alerts [all]`` to list the open ones, ``/pmo alert ALERT-n status|ack|ask`` for one
(what its card's buttons send)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pmobot.commands import buttons
from pmobot.commands.registry import Arguments, Command, Commands, OneOf, Request
from pmobot.conversation.text import fold
from pmobot.domain.roles import PORTFOLIO_ROLES
from pmobot.messages import Message
from pmobot.services import alert_view

_ALL = frozenset({"all", "toutes", "tout", "tous"})


@dataclass(frozen=True)
class AlertKey:
    """``/pmo alert ALERT-4 ack``: an alert's key, then what to do with it (its status by default)."""

    def fits(self, words: Sequence[str], commands: Commands) -> bool:
        return 1 <= len(words) <= 2 and fold(words[0]).startswith(("alert-", "alerte-"))

    def parse(self, text: str) -> Arguments | None:
        return Arguments(text.strip()) if text.strip() else None


async def _alerts(r: Request) -> list[Message]:
    return await alert_view.overview(r.session, core=r.core, actor=r.actor,
                                     everything=fold(r.args.text) in _ALL)


async def _alert(r: Request) -> list[Message]:
    key, _, verb = r.args.text.partition(" ")
    return await alert_view.act(r.session, core=r.core, actor=r.actor, key=key, verb=verb.strip() or "status")


def register(commands: Commands) -> None:
    # Everyone may ask: the portfolio roles see every alert, an owner those of their projects.
    commands.add(Command("alerts", ("alerts", "alertes"), OneOf(_ALL), _alerts, shareable=True))
    commands.add(Command("alert", ("alert", "alerte"), AlertKey(), _alert, roles=PORTFOLIO_ROLES,
                         buttons=buttons.ON_AN_ALERT))
