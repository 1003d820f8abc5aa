"""The committee's commands: the PMO sends a need, members see the agenda, vote, and ask for information."""

from __future__ import annotations

from pmobot.commands import buttons
from pmobot.commands.registry import Command, Commands, NeedKey, Nothing, Opening, Request
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.messages import Message, Notice
from pmobot.services import committee, committee_questions
from pmobot.services.needs import get_visible

_PMO = frozenset({Role.PMO})
_COMMITTEE = frozenset({Role.COMMITTEE})
_BOTH = frozenset({Role.COMMITTEE, Role.PMO})

# "/pmo info NEED-3 it ...": a first word that sends the question to IT rather than the requester.
_TO_IT = frozenset({"it", "dsi", "informatique"})


async def _send(r: Request) -> list[Message]:
    return await committee.send(r.session, core=r.core, actor=r.actor, key=r.args.need_key, reason=r.args.text)


async def _agenda(r: Request) -> list[Message]:
    return await committee.agenda(r.session, core=r.core, actor=r.actor)


async def _vote(r: Request) -> list[Message] | Opening:
    """``/pmo vote NEED-3 approve <reason>``; without a reason (or from a card's button) the reason is asked."""
    word, _, reason = r.args.text.partition(" ")
    if not word:
        return [Notice(t(r.locale, "help.usage.vote"), "warning")]
    choice = committee.choice_of(word)
    if reason.strip():
        return await committee.vote(r.session, core=r.core, actor=r.actor, key=r.args.need_key, choice=choice,
                                    reason=reason)
    need, _, _ = await committee.check_can_vote(r.session, core=r.core, actor=r.actor, key=r.args.need_key,
                                                choice=choice)
    return Opening({"need": need.key, "choice": str(choice), "choice_label": t(r.locale, f"committee.choice.{choice}")})


async def _request_info(r: Request) -> list[Message] | Opening:
    first, _, rest = r.args.text.partition(" ")
    if first.lower() in _TO_IT and rest.strip():
        return await committee_questions.request_info(r.session, core=r.core, actor=r.actor, key=r.args.need_key,
                                                      text=rest, to=committee_questions.TO_IT)
    if r.args.text.strip():
        return await committee_questions.request_info(r.session, core=r.core, actor=r.actor, key=r.args.need_key,
                                                      text=r.args.text)
    need = await get_visible(r.session, actor=r.actor, key=r.args.need_key)
    await committee_questions.check_can_request(r.session, r.actor, need)  # refused before any typing
    return Opening({"need": need.key})


def register(commands: Commands) -> None:
    commands.add(Command("send", ("send", "envoyer"), NeedKey(), _send, roles=_PMO))
    commands.add(Command("agenda", ("agenda", "ordre", "odj"), Nothing(), _agenda, roles=_BOTH, shareable=True))
    commands.add(Command("vote", ("vote", "voter"), NeedKey(), _vote, roles=_COMMITTEE,
                         buttons=(buttons.APPROVE, buttons.DEFER, buttons.REJECT), opens="vote"))
    commands.add(Command("info", ("info", "precisions"), NeedKey(), _request_info, roles=_COMMITTEE,
                         buttons=(buttons.REQUEST_INFO,), opens="committee_question"))
