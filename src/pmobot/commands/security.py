"""The security and GDPR reviewers' command: ``/pmo review NEED-n`` opens the review checklist."""

from __future__ import annotations

from pmobot.commands import buttons
from pmobot.commands.registry import Command, Commands, NeedKey, Opening, Request
from pmobot.domain.roles import Role
from pmobot.services import review_record


async def _review(r: Request) -> Opening:
    # Refused before the checklist, not after it.
    need = await review_record.check_can_review(r.session, actor=r.actor, key=r.args.need_key)
    return Opening({"need": need.key})


def register(commands: Commands) -> None:
    commands.add(Command("review", ("review", "revue", "relire"), NeedKey(), _review,
                         roles=frozenset({Role.SECURITY}), buttons=(buttons.REVIEW,), opens="review"))
