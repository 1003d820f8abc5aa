"""The scope sign-off's commands: IT states or revises a need's scope (``/pmo scope NEED-n`` opens the
statement of scope, drafted); the requester and the sponsor read it there, agree to a version
(``/pmo agree NEED-n v2``) or ask for changes on an item (``/pmo scope-changes NEED-n``)."""

from __future__ import annotations

from pmobot.commands import buttons
from pmobot.commands.registry import Command, Commands, NeedKey, Opening, Request
from pmobot.domain.roles import Role
from pmobot.messages import Message
from pmobot.services import scope, scope_record
from pmobot.services.errors import Invalid
from pmobot.services.needs import get_visible


async def _scope(r: Request) -> list[Message] | Opening:
    """IT opens the statement of scope (drafted); everyone else who may see the need reads the version
    in force, with the buttons to agree or ask for changes when they may."""
    need = await get_visible(r.session, actor=r.actor, key=r.args.need_key)
    may_sign = await scope.capacity_of(r.session, core=r.core, need=need, person_id=r.actor.id) is not None
    if r.actor.has(Role.IT) and not may_sign:
        await scope_record.check_can_write(r.session, actor=r.actor, key=need.key)
        values = await scope_record.draft(r.session, core=r.core, need=need, locale=r.locale)
        return Opening({"need": need.key}, values=values)
    assert need.id is not None
    row = await scope.latest(r.session, need_id=need.id)
    if row is None:
        the_gate = await scope.gate(r.session, core=r.core, need=need)
        raise Invalid("scope.error.none_yet_explained", key=need.key,
                      explain=scope.explain(the_gate, r.locale))
    return [await scope.card(r.session, core=r.core, need=need, row=row, locale=r.locale, with_actions=may_sign)]


async def _agree(r: Request) -> list[Message]:
    return await scope_record.agree(r.session, core=r.core, actor=r.actor, key=r.args.need_key,
                                    version=scope_record.parse_version(r.args.text))


async def _changes(r: Request) -> list[Message] | Opening:
    need, row, refused = await scope_record.check_can_ask(r.session, core=r.core, actor=r.actor,
                                                          key=r.args.need_key,
                                                          version=scope_record.parse_version(r.args.text))
    if refused:
        return refused
    items = len(scope.statement(row).numbered())
    return Opening({"need": need.key, "version": str(row.number), "items": str(items)})


def register(commands: Commands) -> None:
    commands.add(Command("scope", ("scope", "perimetre"), NeedKey(), _scope, buttons=(buttons.SCOPE_WRITE,),
                         opens="scope"))
    commands.add(Command("agree", ("agree", "accord", "daccord"), NeedKey(), _agree,
                         buttons=(buttons.SCOPE_AGREE,)))
    commands.add(Command("scope-changes", ("scope-changes", "modifier-perimetre", "changer-perimetre"), NeedKey(),
                         _changes, buttons=(buttons.SCOPE_CHANGES,), opens="scope_changes"))
