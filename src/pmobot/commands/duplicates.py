"""Needs told twice: join one shown at intake, say yours is different, send it as it is; the PMO merges two."""

from __future__ import annotations

from pmobot.commands import buttons
from pmobot.commands.registry import Command, Commands, NeedKey, Request
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.messages import Message, Notice
from pmobot.services import duplicates, merging

_PMO = frozenset({Role.PMO})


async def _join(r: Request) -> list[Message]:
    other = merging.target_of(r.args.text)
    if other is None:
        return [Notice(t(r.locale, "help.usage.join"), "warning")]
    return await duplicates.join(r.session, core=r.core, actor=r.actor, key=r.args.need_key, other=other)


async def _different(r: Request) -> list[Message]:
    return await duplicates.different(r.session, core=r.core, actor=r.actor, key=r.args.need_key)


async def _submit(r: Request) -> list[Message]:
    return await duplicates.submit(r.session, core=r.core, actor=r.actor, key=r.args.need_key)


async def _merge(r: Request) -> list[Message]:
    into = merging.target_of(r.args.text)
    if into is None:
        return [Notice(t(r.locale, "help.usage.merge"), "warning")]
    return await merging.merge(r.session, core=r.core, actor=r.actor, key=r.args.need_key, into=into)


def register(commands: Commands) -> None:
    commands.add(Command("join", ("join", "rejoindre", "rattacher"), NeedKey(), _join, buttons=(buttons.JOIN,)))
    commands.add(Command("different", ("different", "distinct"), NeedKey(), _different,
                         buttons=(buttons.DIFFERENT,)))
    commands.add(Command("submit", ("submit", "soumettre"), NeedKey(), _submit, buttons=(buttons.SUBMIT,)))
    commands.add(Command("merge", ("merge", "fusionner", "fusion"), NeedKey(), _merge, roles=_PMO))
