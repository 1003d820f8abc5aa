"""The requester's commands: describe a need, follow it, answer IT, withdraw it."""

from __future__ import annotations

from pmobot.commands import buttons
from pmobot.commands.registry import Command, Commands, FreeText, NeedKey, Nothing, Opening, Request
from pmobot.domain.roles import Role
from pmobot.messages import Message
from pmobot.services import estimation, intake, project_view, questions
from pmobot.services.needs import get_visible, open_questions


async def _new(r: Request) -> Opening:
    return Opening(opening_text=r.args.text or None)


async def _status(r: Request) -> list[Message]:
    if r.args.project_key:
        return await project_view.show(r.session, core=r.core, actor=r.actor, key=r.args.project_key)
    return await intake.status(r.session, core=r.core, actor=r.actor, key=r.args.need_key)


async def _mine(r: Request) -> list[Message]:
    return await intake.mine(r.session, core=r.core, actor=r.actor)


async def _answer(r: Request) -> list[Message] | Opening:
    """The requester answers IT; IT answers the requester (``services.questions``)."""
    if r.args.text:
        return await questions.answer(r.session, core=r.core, actor=r.actor, key=r.args.need_key, text=r.args.text)
    need = await get_visible(r.session, actor=r.actor, key=r.args.need_key)
    # Refuse before any typing.
    if need.requester_id == r.actor.id or not r.actor.has(Role.IT):
        waiting = await open_questions(r.session, need=need)
        estimation.check_can_answer(r.actor, need, waiting)
    else:
        waiting = await questions.check_can_answer_requester(r.session, actor=r.actor, need=need)
    return Opening({"need": need.key, "question": " / ".join(q.text for q in waiting)})


async def _withdraw(r: Request) -> list[Message]:
    return await intake.withdraw(r.session, core=r.core, actor=r.actor, key=r.args.need_key, reason=r.args.text)


def register(commands: Commands) -> None:
    commands.add(Command("new", ("new", "nouveau", "nouvelle", "besoin"), FreeText(), _new, opens="intake"))
    commands.add(Command("status", ("status", "statut", "etat"), NeedKey(or_project=True), _status,
                         buttons=(buttons.STATUS,), shareable=True))
    commands.add(Command("mine", ("mine", "mes", "miens", "my"), Nothing(), _mine, shareable=True))
    commands.add(Command("answer", ("answer", "repondre", "reponse", "reply"), NeedKey(), _answer,
                         buttons=(buttons.ANSWER,), opens="answer"))
    commands.add(Command("withdraw", ("withdraw", "retirer", "retrait"), NeedKey(), _withdraw))
