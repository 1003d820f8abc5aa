"""IT's commands: the queue, claiming a need, asking the requester, estimating."""

from __future__ import annotations

from pmobot.commands import buttons
from pmobot.commands.registry import Command, Commands, NeedKey, Nothing, Opening, Request
from pmobot.domain.roles import PORTFOLIO_ROLES, Role
from pmobot.messages import Message
from pmobot.services import estimation, questions
from pmobot.services.needs import check_step, get_visible

_IT = frozenset({Role.IT})


async def _queue(r: Request) -> list[Message]:
    return await estimation.queue(r.session, core=r.core, actor=r.actor)


async def _claim(r: Request) -> list[Message]:
    return await estimation.claim(r.session, core=r.core, actor=r.actor, key=r.args.need_key)


async def _ask(r: Request) -> list[Message] | Opening:
    """IT asks the requester; the requester asks IT (``services.questions``)."""
    if r.args.text:
        return await questions.ask(r.session, core=r.core, actor=r.actor, key=r.args.need_key, text=r.args.text)
    need = await get_visible(r.session, actor=r.actor, key=r.args.need_key)
    # Refuse before any typing.
    if need.requester_id == r.actor.id:
        questions.check_can_ask_it(r.actor, need)
    else:
        await check_step(r.session, r.actor, need, "ask")
    return Opening({"need": need.key})


async def _estimate(r: Request) -> Opening:
    need = await estimation.check_can_estimate(r.session, actor=r.actor, key=r.args.need_key)
    return Opening({"need": need.key})


def register(commands: Commands) -> None:
    commands.add(Command("queue", ("queue", "file", "attente"), Nothing(), _queue, roles=PORTFOLIO_ROLES,
                         shareable=True))
    commands.add(Command("claim", ("claim", "prendre", "assigner"), NeedKey(), _claim, roles=_IT,
                         buttons=(buttons.CLAIM,)))
    commands.add(Command("ask", ("ask", "demander", "question"), NeedKey(), _ask,
                         buttons=(buttons.ASK,), opens="question"))
    commands.add(Command("estimate", ("estimate", "estimer", "estimation"), NeedKey(), _estimate, roles=_IT,
                         buttons=(buttons.ESTIMATE,), opens="estimate"))
