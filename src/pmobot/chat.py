"""The chat front door: one incoming message or button press in, messages out.

Every adapter (console, Slack, Teams) hands what a person typed or pressed to ``Chat``; it routes ``/pmo`` commands
and card buttons through the command registry (``pmobot.commands``) to the services, other text to the conversation
in progress (or opens an intake from free text), and turns every refusal or failure into a polite message.

Every entry point is also the door text comes in by: what was typed, pressed, submitted or shared is
cleaned here (``clean_text``), once, on every platform, so nothing below ever sees a NUL, a terminal
escape or a bidi override.

Past 400 lines on purpose: every entry point of every platform and the one unit of work they share
(``_guarded``: repeated deliveries, the inbound queue's done mark, refusals and failures) belong together.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.commands.help import help_for, unknown_command
from pmobot.commands.people import role_names
from pmobot.commands.registry import (
    Command,
    Commands,
    Opening,
    Place,
    Request,
    is_command,
    other_slash_command,
    without_prefix,
)
from pmobot.conversation.controls import steering_word
from pmobot.conversation.engine import DialogEngine
from pmobot.conversation.hooks import HookContext
from pmobot.conversation.text import clean_text
from pmobot.domain.keys import ConversationKey, DeliveryKey
from pmobot.domain.lifecycle import CLOSED, NeedStatus
from pmobot.domain.models import AuditEvent
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.messages import FormRequest, Message, Notice, Prompt
from pmobot.services import (
    alert_view,
    committee,
    deliveries,
    estimation,
    inbound,
    inbox,
    intake,
    people,
    questions,
    reviews,
    scoring,
    sides,
)
from pmobot.services.core import Core
from pmobot.services.errors import Invalid, PmoError
from pmobot.services.people import Actor, Directory, Identity

log = logging.getLogger(__name__)

# Free text shorter than this is a greeting or a typo, not a need.
MIN_WORDS_FOR_INTAKE = 4


@dataclass(frozen=True)
class PlatformTraits:
    """What a chat platform can show: declared by its adapter, registered with ``Chat`` at composition."""

    # A dialog spec as one form (a Slack modal, a Teams card) in answer to a command or a button: ``new``,
    # ``estimate``, ``ask`` and ``answer`` then open a form instead of a conversation, once allowed.
    forms: bool = False
    # ... and to a message typed in the conversation (Slack: a modal only with an interaction's trigger).
    forms_in_messages: bool = False


# What a form may carry back from the platform: anything else is dropped (no crafted values in a hook's context).
FORM_CONTEXT_KEYS = ("need", "question", "opening_text", "project", "choice", "choice_label", "last_percent",
                     "currency", "milestones", "version", "items")


def _form_context(context: dict[str, Any]) -> dict[str, Any]:
    return {k: clean_text(str(v))[:4000] for k, v in (context or {}).items()
            if k in FORM_CONTEXT_KEYS and v is not None}


def _form_values(values: dict[str, Any]) -> dict[str, Any]:
    """Submitted form values with their text cleaned, whatever their shape (text, a list of choices)."""
    return {key: _cleaned(value) for key, value in (values or {}).items()}


def _cleaned(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    return value


class Chat:
    def __init__(self, *, core: Core, engine: DialogEngine, commands: Commands) -> None:
        self.core = core
        self.engine = engine
        self.commands = commands
        # Each platform's traits by its name (Identity.platform); an unknown platform shows no forms.
        self.platforms: dict[str, PlatformTraits] = {}

    def add_platform(self, name: str, traits: PlatformTraits) -> None:
        self.platforms[name] = traits

    def reads_as_command(self, text: str) -> bool:
        """Whether text typed without ``/pmo`` is a command (see ``Commands.reads_as_command``)."""
        return self.commands.reads_as_command(text)

    # -- entry points ------------------------------------------------------

    # ``once``: the platform's natural key of this request (an event id, a button press). A repeat
    # delivery of the same key does nothing and gets no messages; the key is stored in the same
    # transaction as the work it guards, so a request is either handled and remembered, or neither.
    # A request an inbound worker runs is remembered by its queue row, stored under that key (``inbox.runs``).
    # ``directory``: who the platform knows by the mentions, for a command naming someone pmobot has not met.

    async def on_text(self, identity: Identity, conversation_key: ConversationKey, text: str, *,
                      once: DeliveryKey | None = None, directory: Directory | None = None,
                      reply_to: str | None = None, place: Place | None = None) -> list[Message]:
        """A typed message. ``reply_to``: the platform id of the message it explicitly replies to
        (a Slack DM thread, a Teams quoted reply); a reply to a notification about a need goes to that need.
        ``place``: the channel it is typed in, None in a direct conversation."""
        text = clean_text(text)
        forms = self._traits(identity).forms_in_messages
        return await self._guarded(
            identity, text,
            lambda s, a: self._text(self._request(s, a, conversation_key, forms, directory, place), text,
                                    reply_to=reply_to),
            once=once)

    async def on_command(self, identity: Identity, conversation_key: ConversationKey, text: str, *,
                         once: DeliveryKey | None = None, directory: Directory | None = None,
                         place: Place | None = None) -> list[Message]:
        """A command typed without the ``/pmo`` prefix (a slash command's text)."""
        text = clean_text(text)
        forms = self._traits(identity).forms
        return await self._guarded(
            identity, text,
            lambda s, a: self._command(self._request(s, a, conversation_key, forms, directory, place), text),
            once=once)

    async def on_action(self, identity: Identity, conversation_key: ConversationKey, action_id: str, value: str, *,
                        once: DeliveryKey | None = None) -> list[Message]:
        """A card button pressed: the command it triggers, on the button's value."""
        action_id, value = clean_text(action_id), clean_text(value)
        forms = self._traits(identity).forms
        return await self._guarded(identity, f"[{action_id} {value}]",
                                   lambda s, a: self._action(self._request(s, a, conversation_key, forms),
                                                             action_id, value),
                                   once=once)

    async def open_form(self, identity: Identity, conversation_key: ConversationKey, spec_id: str, *,
                        opening_text: str | None = None) -> list[Message]:
        """The intake form, pre-filled from a message (a Slack message shortcut)."""
        opening_text = clean_text(opening_text) if opening_text is not None else None

        async def handler(session: AsyncSession, actor: Actor) -> list[Message]:
            if spec_id != "intake":
                raise Invalid("chat.unknown_action")
            return [self.engine.form("intake", locale=actor.locale, opening_text=opening_text)]

        return await self._guarded(identity, opening_text or "", handler)

    async def redraw_form(self, identity: Identity, spec_id: str, values: dict[str, Any],
                          context: dict[str, Any]) -> FormRequest | None:
        """The form again with its conditions applied to what is filled in so far."""
        if spec_id not in self.engine.specs:
            return None
        locale = await self.locale_for(identity)
        return self.engine.redraw_form(spec_id, locale=locale, raw=_form_values(values),
                                       context=_form_context(context))

    async def check_form(self, identity: Identity, conversation_key: ConversationKey, spec_id: str,
                         values: dict[str, Any], context: dict[str, Any]) -> FormRequest | None:
        """A submitted form's errors, as ``submit_form`` would find them now, without doing anything: the form
        again with them, or None (nothing to refuse, or a refusal ``submit_form`` will say politely)."""
        if spec_id not in self.engine.specs:
            return None
        try:
            async with self.core.db.session() as session:
                actor = await people.resolve(session, core=self.core, identity=identity)
                hc = self._hc(session, actor, conversation_key, **_form_context(context))
                return self.engine.check_form(hc=hc, spec_id=spec_id, raw=_form_values(values))
        except PmoError:
            return None

    async def submit_form(self, identity: Identity, conversation_key: ConversationKey, spec_id: str,
                          values: dict[str, Any], context: dict[str, Any], *,
                          once: DeliveryKey | None = None) -> tuple[FormRequest | None, list[Message]]:
        """A submitted form: the form again with its errors, or what was done.

        Everything typed is kept in the audit log if handling it fails, as for chat.
        A repeat of ``once`` gives ``(None, [])``.
        """
        refused: list[FormRequest] = []
        values = _form_values(values)

        async def handler(session: AsyncSession, actor: Actor) -> list[Message]:
            if spec_id not in self.engine.specs:
                raise Invalid("chat.unknown_action")
            form, messages = await self.engine.submit_form(
                session, hc=self._hc(session, actor, conversation_key, **_form_context(context)),
                spec_id=spec_id, raw=values)
            if form is not None:
                refused.append(form)
                if once is not None:
                    # Nothing was done: the same submission again must show the errors again.
                    await inbound.forget(session, platform=identity.platform, key=once)
            return messages

        typed = json.dumps({"spec": spec_id, "values": values}, ensure_ascii=False, default=str)
        messages = await self._guarded(identity, typed, handler, once=once)
        return (refused[0] if refused else None), messages

    async def in_conversation(self, identity: Identity, conversation_key: ConversationKey) -> bool:
        async with self.core.db.session() as session:
            # Who they are is all it needs: the adapter's reading when no unit of work has taken it yet.
            known = people.fresh(identity)
            actor = known or await people.resolve(session, core=self.core, identity=identity)
            assert actor.person.id is not None
            return await self.engine.active(session, person_id=actor.person.id,
                                            conversation_key=conversation_key) is not None

    async def resume(self, identity: Identity, conversation_key: ConversationKey) -> list[Message]:
        """Ask the pending question again, e.g. after a restart; nothing if none is pending."""

        async def handler(session: AsyncSession, actor: Actor) -> list[Message]:
            hc = self._hc(session, actor, conversation_key)
            row = await self.engine.active(session, person_id=actor.id, conversation_key=conversation_key)
            if row is None:
                return await self.engine.aside.waiting(session, hc=hc)
            return await self.engine.reprompt(session, hc=hc, row=row)

        return await self._guarded(identity, "", handler)

    async def welcome(self, identity: Identity) -> list[Message]:
        """Who you are here and what waits on you: shown when someone arrives."""

        async def handler(session: AsyncSession, actor: Actor) -> list[Message]:
            side = await sides.side_of(session, person_id=actor.id)
            lines = [t(actor.locale, "chat.welcome", name=actor.person.display_name,
                       roles=role_names(actor.locale, actor.roles, side))]
            lines += await intake.attention(session, core=self.core, actor=actor)
            lines += await reviews.attention(session, core=self.core, actor=actor) + sides.attention(actor, side)
            return [Notice("\n".join(lines))]

        return await self._guarded(identity, "", handler)

    async def home(self, identity: Identity) -> list[Message]:
        """A person's overview (a Slack App Home): their needs; committee members' votes to cast; the queue
        (IT, committee); the ranking (committee, PMO); drift alerts they may see; failed deliveries (PMO)."""
        async def handler(session: AsyncSession, actor: Actor) -> list[Message]:
            out = await intake.mine(session, core=self.core, actor=actor)
            if actor.has(Role.COMMITTEE):
                out += await committee.agenda(session, core=self.core, actor=actor, mine_only=True)
            if actor.sees_portfolio:
                out += await estimation.queue(session, core=self.core, actor=actor)
            if actor.roles & {Role.COMMITTEE, Role.PMO}:
                out += await scoring.show_ranking(session, core=self.core, actor=actor)
            out += await alert_view.home_cards(session, core=self.core, actor=actor)
            if actor.has(Role.PMO):
                out += await deliveries.failed(session, core=self.core, actor=actor)
            return out

        return await self._guarded(identity, "", handler)

    async def locale_for(self, identity: Identity) -> str:
        if (known := people.fresh(identity)) is not None:
            return people.locale_of(known.person, self.core, identity.locale)
        async with self.core.db.session() as session:
            return (await people.resolve(session, core=self.core, identity=identity)).locale

    async def _guarded(
        self, identity: Identity, typed: str,
        handler: Callable[[AsyncSession, Actor], Awaitable[list[Message]]],
        *, once: DeliveryKey | None = None,
    ) -> list[Message]:
        locale = self.core.org_locale
        if (answered := inbox.replayed()) is not None:
            return answered  # worked before a crash, not yet answered: the answer, not the work again
        try:
            async with self.core.db.session() as session:
                messages: list[Message] = []
                if (once is None or inbox.runs(identity.platform, once)
                        or await inbound.first_time(session, core=self.core, platform=identity.platform, key=once)):
                    actor = await people.resolve(session, core=self.core, identity=identity)
                    locale = actor.locale
                    messages = await handler(session, actor)
                # Run by an inbound worker: the request is marked done in this very transaction (if it wrote).
                await inbox.finish_in(session, messages, now=self.core.now())
            inbox.committed()
            return messages
        except PmoError as exc:
            inbox.rolled_back()
            return [Notice(exc.message(locale), "warning")]
        except Exception as exc:
            inbox.rolled_back()
            if inbox.retry_instead(exc):
                raise  # the worker tries the request again later (or another worker has it)
            ref = uuid.uuid4().hex[:8]
            log.exception("internal error ref=%s platform=%s", ref, identity.platform)
            await self._keep_typed(identity, typed, ref)
            return [Notice(t(locale, "chat.internal_error", ref=ref), "error")]

    async def _keep_typed(self, identity: Identity, typed: str, ref: str) -> None:
        """Keep what the person typed when handling it failed, so it is not lost."""
        try:
            async with self.core.db.session() as session:
                actor = await people.resolve(session, core=self.core, identity=identity)
                session.add(AuditEvent(at=self.core.now(), actor_id=actor.id, subject=f"person:{actor.id}",
                                       action="internal_error", detail={"ref": ref, "typed": typed[:4000]}))
        except Exception:
            log.exception("could not keep the text of ref=%s", ref)

    def _hc(self, session: AsyncSession, actor: Actor, conversation_key: ConversationKey,
            **context: object) -> HookContext:
        return HookContext(session=session, core=self.core, actor=actor, locale=actor.locale,
                           conversation_key=conversation_key, platform=actor.platform, context=dict(context))

    def _traits(self, identity: Identity) -> PlatformTraits:
        return self.platforms.get(identity.platform, PlatformTraits())

    def _request(self, session: AsyncSession, actor: Actor, key: ConversationKey, forms: bool,
                 directory: Directory | None = None, place: Place | None = None) -> Request:
        return Request(session=session, actor=actor, core=self.core, commands=self.commands, conversation_key=key,
                       forms=forms, directory=directory, engine=self.engine, place=place)

    # -- routing -----------------------------------------------------------

    async def _text(self, r: Request, text: str, *, reply_to: str | None = None) -> list[Message]:
        """Free text: a command; a reply to a notification about a need (to that need); the answer to the
        dialog in front; else IT's answer, a question about the last notification's need, or a new need."""
        if is_command(text):
            return await self._command(r, without_prefix(text))
        session, actor, key = r.session, r.actor, r.conversation_key
        replied = await questions.replied_need(session, actor=actor, message_id=reply_to) if reply_to else None
        if replied is not None:
            return await questions.reply(session, core=self.core, actor=actor, key=replied.key, text=text)
        row = await self.engine.active(session, person_id=actor.id, conversation_key=key)
        if row is not None:
            return await self.engine.handle(session, hc=self._hc(session, actor, key), row=row, text=text)
        if len(text.split()) < MIN_WORDS_FOR_INTAKE and self.commands.reads_as_command(text):
            # "help", "aide", "mine" typed without /pmo: too short to be a need, so the command.
            return await self._command(r, text)
        slashed = other_slash_command(text)
        if slashed is not None:
            # "/help", "/mine": the command; "/foo": said to be unknown, not taken for a greeting.
            return await self._command(r, slashed)
        word = steering_word(text)
        if word is not None:
            # "cancel" with no dialog open steers nothing: never an answer to IT, never a need.
            return [Notice(t(actor.locale, "chat.no_dialog", word=text.strip()), "warning"),
                    *await self.engine.aside.waiting(session, hc=self._hc(session, actor, key))]
        waiting = await estimation.questions_waiting_on(session, actor=actor)
        if waiting:
            # IT waits on this person: their message may well be the answer. Ask, don't guess.
            need, asked = waiting[-1]
            return await self.engine.start(
                session, hc=self._hc(session, actor, key, need=need.key, text=text,
                                     question=" / ".join(q.text for q in asked)),
                spec_id="reply_or_new",
            )
        last = await questions.replied_need(session, actor=actor, message_id=None)
        if last is not None and NeedStatus(last.status) not in CLOSED and questions.reads_as_reply(
                text, need_key=last.key):
            # No thread to tell what it replies to: ask rather than guess.
            return await self.engine.start(
                session, hc=self._hc(session, actor, key, need=last.key, title=last.title, text=text),
                spec_id="about_or_new")
        if len(text.split()) >= MIN_WORDS_FOR_INTAKE:
            return await self.engine.start(session, hc=self._hc(session, actor, key), spec_id="intake",
                                           opening_text=text)
        return [Notice(t(actor.locale, "chat.hello", name=actor.person.display_name))]

    async def _command(self, r: Request, text: str) -> list[Message]:
        words = text.strip().split(maxsplit=1)
        if not words:
            return help_for(self.commands, locale=r.locale, roles=r.actor.roles)
        command = self.commands.find(words[0])
        if command is None:
            return unknown_command(self.commands, locale=r.locale, roles=r.actor.roles, word=words[0])
        out = await self._run(r, command, words[1].strip() if len(words) > 1 else "")
        if isinstance(out, Opening):
            return await self._open(r, command, out)
        if out and not command.leaves_dialog_alone and not isinstance(out[-1], Prompt) and await self.engine.active(
                r.session, person_id=r.actor.id, conversation_key=r.conversation_key):
            # A command typed in the middle of a conversation: say that it still waits.
            out.append(Notice(t(r.locale, "chat.dialog_waiting")))
        return out

    async def _action(self, r: Request, action_id: str, value: str) -> list[Message]:
        command = self.commands.pressed(action_id)
        if command is None:
            return [Notice(t(r.locale, "chat.unknown_action"), "warning")]
        out = await self._run(r, command, value)
        return await self._open(r, command, out) if isinstance(out, Opening) else out

    async def _run(self, r: Request, command: Command, text: str) -> list[Message] | Opening:
        args = command.takes.parse(text)
        if args is None:
            return [Notice(t(r.locale, "chat.missing_arguments", usage=t(r.locale, f"help.usage.{command.name}"),
                             about=t(r.locale, f"help.about.{command.name}")), "warning")]
        out = await command.handler(replace(r, args=args))
        if command.opens and args.need_key and isinstance(out, list) and any(m.level == "success" for m in out
                                                                              if isinstance(m, Notice)):
            # Done by the command typed whole: the same command's form about that need has nothing left to do.
            out += await self.engine.aside.done_another_way(
                r.session, hc=self._hc(r.session, r.actor, r.conversation_key), spec_id=command.opens,
                need=args.need_key.upper())
        return out

    async def _open(self, r: Request, command: Command, opening: Opening) -> list[Message]:
        """The command's dialog spec: a form where the platform shows one here, else a conversation."""
        if command.opens is None:
            raise TypeError(f"command {command.name!r} opens a dialog but declares no spec")
        context = dict(opening.context)
        if r.forms:
            return [self.engine.form(command.opens, locale=r.locale, opening_text=opening.opening_text,
                                     context=context or None, defaults=opening.defaults, values=opening.values)]
        hc = self._hc(r.session, r.actor, r.conversation_key, **context)
        return await self.engine.start(r.session, hc=hc, spec_id=command.opens, opening_text=opening.opening_text,
                                       defaults=opening.defaults, values=opening.values)
