"""The scoring commands: assessing a need's value, the ranking, the published policy."""

from __future__ import annotations

from pmobot.commands.registry import Command, Commands, NeedKey, Nothing, Opening, Request
from pmobot.domain.roles import PORTFOLIO_ROLES
from pmobot.messages import Message
from pmobot.services import assessment, policy_changes, scoring


async def _assess(r: Request) -> Opening:
    need = await assessment.check_can_assess(r.session, core=r.core, actor=r.actor, key=r.args.need_key)
    return Opening({"need": need.key})


async def _ranking(r: Request) -> list[Message]:
    return await scoring.show_ranking(r.session, core=r.core, actor=r.actor)


async def _policy(r: Request) -> list[Message]:
    return await policy_changes.show(r.session, core=r.core, actor=r.actor)


def register(commands: Commands) -> None:
    commands.add(Command("assess", ("assess", "evaluer", "evaluation"), NeedKey(), _assess,
                         roles=assessment.ASSESSORS, opens="assess"))
    commands.add(Command("ranking", ("ranking", "classement", "rank"), Nothing(), _ranking, roles=PORTFOLIO_ROLES,
                         shareable=True))
    commands.add(Command("policy", ("policy", "politique"), Nothing(), _policy, roles=PORTFOLIO_ROLES,
                         shareable=True))
