"""Conversations put aside: bringing one back (``/pmo resume``)."""

from __future__ import annotations

from pmobot.commands.registry import Command, Commands, Position, Request
from pmobot.conversation.hooks import HookContext
from pmobot.messages import Message


async def _resume(r: Request) -> list[Message]:
    assert r.engine is not None  # Chat hands its engine to every request
    hc = HookContext(session=r.session, core=r.core, actor=r.actor, locale=r.locale,
                     conversation_key=r.conversation_key, platform=r.actor.platform)
    return await r.engine.aside.bring_back(r.session, hc=hc, position=Position.number(r.args.text or "1") or 1)


def register(commands: Commands) -> None:
    commands.add(Command("resume", ("resume", "reprendre", "continuer"), Position(), _resume,
                         leaves_dialog_alone=True))
