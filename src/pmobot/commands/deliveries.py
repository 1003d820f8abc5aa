"""The PMO admins' view of messages the platforms would not take, and retrying one."""

from __future__ import annotations

from pmobot.commands.registry import Command, Commands, OptionalVerbAndNumber, Request
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.messages import Message, Notice
from pmobot.services import deliveries

_DELIVERIES = OptionalVerbAndNumber(frozenset({"retry", "relancer", "reessayer", "renvoyer"}))


async def _deliveries(r: Request) -> list[Message]:
    parts = r.args.text.split()
    if not parts:
        return await deliveries.failed(r.session, core=r.core, actor=r.actor)
    number = _DELIVERIES.number(parts[1]) if len(parts) == 2 else None
    if _DELIVERIES.fits(parts, r.commands) and number is not None:
        return await deliveries.retry(r.session, core=r.core, actor=r.actor, row_id=number)
    return [Notice(t(r.locale, "help.usage.deliveries"), "warning")]


def register(commands: Commands) -> None:
    commands.add(Command("deliveries", ("deliveries", "envois", "livraisons", "failures", "echecs"), _DELIVERIES,
                         _deliveries, roles=frozenset({Role.PMO})))
