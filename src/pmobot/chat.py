"""The chat front door: one incoming message or button press in, messages out.

Every adapter (console, Slack, Teams) hands what a person typed or pressed to
``Chat``; it routes ``/pmo`` commands to the services, other text to the
conversation in progress (or opens an intake from free text), and turns every
refusal or failure into a polite message in the person's language.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.engine import DialogEngine
from pmobot.conversation.hooks import HookContext
from pmobot.conversation.text import fold
from pmobot.domain.models import AuditEvent
from pmobot.domain.roles import PORTFOLIO_ROLES, Role
from pmobot.i18n import t
from pmobot.messages import FormRequest, Message, Notice, Text
from pmobot.services import deliveries, estimation, inbound, intake, people
from pmobot.services.core import Core
from pmobot.services.errors import Invalid, PmoError
from pmobot.services.needs import check_step, get_visible, parse_key
from pmobot.services.people import Actor, Identity

log = logging.getLogger(__name__)

# Free text shorter than this is a greeting or a typo, not a need.
MIN_WORDS_FOR_INTAKE = 4

_PREFIX = re.compile(r"^\s*/?pmo\b\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    name: str
    aliases: tuple[str, ...]
    # Roles that see it in the help; everybody may try it (the services decide).
    roles: frozenset[str] = frozenset()


COMMANDS: tuple[Command, ...] = (
    Command("new", ("new", "nouveau", "nouvelle", "besoin")),
    Command("status", ("status", "statut", "etat")),
    Command("mine", ("mine", "mes", "miens", "my")),
    Command("answer", ("answer", "repondre", "reponse", "reply")),
    Command("withdraw", ("withdraw", "retirer", "retrait")),
    Command("queue", ("queue", "file", "attente"), PORTFOLIO_ROLES),
    Command("claim", ("claim", "prendre", "assigner"), frozenset({Role.IT})),
    Command("ask", ("ask", "demander", "question"), frozenset({Role.IT})),
    Command("estimate", ("estimate", "estimer", "estimation"), frozenset({Role.IT})),
    Command("role", ("role", "roles"), frozenset({Role.PMO})),
    Command("deliveries", ("deliveries", "envois", "livraisons", "failures", "echecs"), frozenset({Role.PMO})),
    Command("lang", ("lang", "langue", "language")),
    Command("help", ("help", "aide", "?")),
)
_BY_ALIAS = {alias: c for c in COMMANDS for alias in c.aliases}


# What a form may carry back from the platform: anything else is dropped, so a
# crafted submission cannot slip other values into a hook's context.
FORM_CONTEXT_KEYS = ("need", "question", "opening_text")


def _form_context(context: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v)[:4000] for k, v in (context or {}).items() if k in FORM_CONTEXT_KEYS and v is not None}


# Commands that take a need key as their first argument.
_ON_A_NEED = frozenset({"status", "claim", "ask", "answer", "estimate", "withdraw"})
_NEED_KEY = re.compile(r"^need-\d+$", re.IGNORECASE)
_ROLE_WORDS = frozenset({"it", "committee", "pmo", "requester", "+it", "-it", "+committee", "-committee", "+pmo",
                         "-pmo"})


def reads_as_command(text: str) -> bool:
    """Whether text typed without ``/pmo`` is a command rather than a sentence.

    Where commands are typed as plain text (a Teams chat), "mes collègues ont
    besoin d'un outil" must open an intake, not list "mes" needs: a first word
    that names a command counts only when the rest has that command's shape.
    """
    words = text.split()
    if not words:
        return False
    command = _BY_ALIAS.get(fold(words[0]))
    if command is None:
        return False
    if len(words) == 1:
        return True
    rest = words[1:]
    if command.name == "new":
        return True  # "new <sentence>" pre-fills the intake either way
    if command.name in _ON_A_NEED:
        return bool(_NEED_KEY.match(rest[0].rstrip(".,;:!?")))
    if command.name == "lang":
        return len(rest) == 1 and fold(rest[0]) in ("en", "fr")
    if command.name == "help":
        return len(rest) == 1 and fold(rest[0]) in _BY_ALIAS
    if command.name == "role":
        return len(rest) <= 3 and (len(rest) == 1 or fold(rest[1]) in _ROLE_WORDS)
    if command.name == "deliveries":
        return len(rest) == 2 and rest[1].lstrip("#").isdigit()
    return False


def is_command(text: str) -> bool:
    return bool(re.match(r"^\s*/pmo\b", text, re.IGNORECASE))


class Chat:
    def __init__(self, *, core: Core, engine: DialogEngine) -> None:
        self.core = core
        self.engine = engine

    # -- entry points ------------------------------------------------------

    # ``forms``: the platform can show a whole spec as a form (a modal, a card);
    # then ``new``, ``estimate``, ``ask`` and ``answer`` return a FormRequest
    # instead of starting a conversation, once the person is known to be allowed.

    # ``once``: the platform's natural key of this request (an event id, a
    # button press). A repeat delivery of the same key does nothing and gets no
    # messages; the key is stored in the same transaction as the work it
    # guards, so a request is either handled and remembered, or neither.

    async def on_text(self, identity: Identity, conversation_key: str, text: str, *,
                      forms: bool = False, once: str | None = None) -> list[Message]:
        return await self._guarded(identity, conversation_key, text,
                                   lambda s, a: self._text(s, a, conversation_key, text, forms), once=once)

    async def on_command(self, identity: Identity, conversation_key: str, text: str, *,
                         forms: bool = False, once: str | None = None) -> list[Message]:
        """A command typed without the ``/pmo`` prefix (a slash command's text)."""
        return await self._guarded(identity, conversation_key, text,
                                   lambda s, a: self._command(s, a, conversation_key, text, forms), once=once)

    async def on_action(self, identity: Identity, conversation_key: str, action_id: str, value: str, *,
                        forms: bool = False, once: str | None = None) -> list[Message]:
        return await self._guarded(identity, conversation_key, f"[{action_id} {value}]",
                                   lambda s, a: self._action(s, a, conversation_key, action_id, value, forms),
                                   once=once)

    async def open_form(self, identity: Identity, conversation_key: str, spec_id: str, *,
                        opening_text: str | None = None) -> list[Message]:
        """The intake form, pre-filled from a message (a Slack message shortcut)."""

        async def handler(session: AsyncSession, actor: Actor) -> list[Message]:
            if spec_id != "intake":
                raise Invalid("chat.unknown_action")
            return [self.engine.form("intake", locale=actor.locale, opening_text=opening_text)]

        return await self._guarded(identity, conversation_key, opening_text or "", handler)

    async def redraw_form(self, identity: Identity, spec_id: str, values: dict[str, Any],
                          context: dict[str, Any]) -> FormRequest | None:
        """The form again with its conditions applied to what is filled in so far."""
        if spec_id not in self.engine.specs:
            return None
        locale = await self.locale_for(identity)
        return self.engine.redraw_form(spec_id, locale=locale, raw=values, context=_form_context(context))

    async def submit_form(self, identity: Identity, conversation_key: str, spec_id: str, values: dict[str, Any],
                          context: dict[str, Any], *, once: str | None = None) -> tuple[FormRequest | None, list[Message]]:
        """A submitted form: the form again with its errors, or what was done.

        Everything typed is kept in the audit log if handling it fails, as for chat.
        A repeat of ``once`` gives ``(None, [])``.
        """
        refused: list[FormRequest] = []

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
        messages = await self._guarded(identity, conversation_key, typed, handler, once=once)
        return (refused[0] if refused else None), messages

    async def in_conversation(self, identity: Identity, conversation_key: str) -> bool:
        async with self.core.db.session() as session:
            actor = await people.resolve(session, core=self.core, identity=identity)
            return await self.engine.active(session, person_id=actor.id, conversation_key=conversation_key) is not None

    async def resume(self, identity: Identity, conversation_key: str) -> list[Message]:
        """Ask the pending question again, e.g. after a restart; nothing if none is pending."""

        async def handler(session: AsyncSession, actor: Actor) -> list[Message]:
            row = await self.engine.active(session, person_id=actor.id, conversation_key=conversation_key)
            if row is None:
                return []
            return await self.engine.reprompt(session, hc=self._hc(session, actor, conversation_key), row=row)

        return await self._guarded(identity, conversation_key, "", handler)

    async def welcome(self, identity: Identity) -> list[Message]:
        """Who you are here and what waits on you: shown when someone arrives."""

        async def handler(session: AsyncSession, actor: Actor) -> list[Message]:
            lines = [t(actor.locale, "chat.welcome", name=actor.person.display_name,
                       roles=self._roles(actor, actor.roles))]
            lines += await intake.attention(session, core=self.core, actor=actor)
            return [Notice("\n".join(lines))]

        return await self._guarded(identity, "", "", handler)

    async def home(self, identity: Identity) -> list[Message]:
        """A person's overview (a Slack App Home): their needs; for IT and the
        committee the queue; for PMO admins the failed deliveries."""

        async def handler(session: AsyncSession, actor: Actor) -> list[Message]:
            out = await intake.mine(session, core=self.core, actor=actor)
            if actor.sees_portfolio:
                out += await estimation.queue(session, core=self.core, actor=actor)
            if actor.has(Role.PMO):
                out += await deliveries.failed(session, core=self.core, actor=actor)
            return out

        return await self._guarded(identity, "", "", handler)

    async def locale_for(self, identity: Identity) -> str:
        async with self.core.db.session() as session:
            return (await people.resolve(session, core=self.core, identity=identity)).locale

    async def _guarded(
        self, identity: Identity, conversation_key: str, typed: str,
        handler: Callable[[AsyncSession, Actor], Awaitable[list[Message]]],
        *, once: str | None = None,
    ) -> list[Message]:
        locale = self.core.org_locale
        try:
            async with self.core.db.session() as session:
                if once is not None and not await inbound.first_time(
                        session, core=self.core, platform=identity.platform, key=once):
                    return []
                actor = await people.resolve(session, core=self.core, identity=identity)
                locale = actor.locale
                return await handler(session, actor)
        except PmoError as exc:
            return [Notice(exc.message(locale), "warning")]
        except Exception:
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

    def _hc(self, session: AsyncSession, actor: Actor, conversation_key: str, **context: object) -> HookContext:
        return HookContext(session=session, core=self.core, actor=actor, locale=actor.locale,
                           conversation_key=conversation_key, platform=actor.person.platform, context=dict(context))

    # -- routing -----------------------------------------------------------

    async def _text(self, session: AsyncSession, actor: Actor, key: str, text: str, forms: bool) -> list[Message]:
        if is_command(text):
            return await self._command(session, actor, key, _PREFIX.sub("", text, count=1), forms)
        row = await self.engine.active(session, person_id=actor.id, conversation_key=key)
        if row is not None:
            return await self.engine.handle(session, hc=self._hc(session, actor, key), row=row, text=text)
        waiting = await estimation.questions_waiting_on(session, actor=actor)
        if waiting:
            # IT waits on this person: their message may well be the answer. Ask, don't guess.
            need, questions = waiting[-1]
            return await self.engine.start(
                session, hc=self._hc(session, actor, key, need=need.key, text=text,
                                     question=" / ".join(q.text for q in questions)),
                spec_id="reply_or_new",
            )
        if len(text.split()) >= MIN_WORDS_FOR_INTAKE:
            return await self.engine.start(session, hc=self._hc(session, actor, key), spec_id="intake",
                                           opening_text=text)
        return [Notice(t(actor.locale, "chat.hello", name=actor.person.display_name))]

    async def _command(self, session: AsyncSession, actor: Actor, key: str, text: str,
                       forms: bool = False) -> list[Message]:
        words = text.strip().split(maxsplit=1)
        if not words:
            return self._help(actor, None)
        command = _BY_ALIAS.get(fold(words[0]))
        rest = words[1].strip() if len(words) > 1 else ""
        if command is None:
            return [Notice(t(actor.locale, "chat.unknown_command", word=words[0]), "warning"), *self._help(actor, None)]
        out = await self._run(session, actor, key, command.name, rest, forms)
        if command.name not in ("new", "estimate") and out and not isinstance(out[-1], FormRequest):
            row = await self.engine.active(session, person_id=actor.id, conversation_key=key)
            if row is not None:
                out.append(Notice(t(actor.locale, "chat.dialog_waiting")))
        return out

    async def _run(self, session: AsyncSession, actor: Actor, key: str, name: str, rest: str,
                   forms: bool = False) -> list[Message]:
        loc = actor.locale
        core = self.core
        if name == "help":
            return self._help(actor, rest or None)
        if name == "new":
            if forms:
                return [self.engine.form("intake", locale=loc, opening_text=rest or None)]
            return await self.engine.start(session, hc=self._hc(session, actor, key), spec_id="intake",
                                           opening_text=rest or None)
        if name == "mine":
            return await intake.mine(session, core=core, actor=actor)
        if name == "queue":
            return await estimation.queue(session, core=core, actor=actor)
        if name == "lang":
            updated = await people.set_locale(session, core=core, actor=actor, locale=rest)
            return [Notice(t(updated.locale, "chat.lang_set"), "success")]
        if name == "role":
            return await self._role(session, actor, rest)
        if name == "deliveries":
            return await self._deliveries(session, actor, rest)
        need_key, _, tail = rest.partition(" ")
        if not need_key:
            return [Notice(t(loc, f"help.usage.{name}"), "warning")]
        parse_key(need_key)  # refuse a malformed key before anything else
        tail = tail.strip()
        if name == "status":
            return await intake.status(session, core=core, actor=actor, key=need_key)
        if name == "withdraw":
            return await intake.withdraw(session, core=core, actor=actor, key=need_key, reason=tail)
        if name == "claim":
            return await estimation.claim(session, core=core, actor=actor, key=need_key)
        if name == "ask":
            if not tail:
                return await self._start_question(session, actor, key, need_key, forms)
            return await estimation.ask(session, core=core, actor=actor, key=need_key, text=tail)
        if name == "answer":
            if not tail:
                return await self._start_answer(session, actor, key, need_key, forms)
            return await estimation.answer(session, core=core, actor=actor, key=need_key, text=tail)
        if name == "estimate":
            need = await estimation.check_can_estimate(session, actor=actor, key=need_key)
            if forms:
                return [self.engine.form("estimate", locale=loc, context={"need": need.key})]
            return await self.engine.start(session, hc=self._hc(session, actor, key, need=need.key), spec_id="estimate")
        raise Invalid("chat.unknown_command", word=name)

    async def _start_question(self, session: AsyncSession, actor: Actor, key: str, need_key: str,
                              forms: bool = False) -> list[Message]:
        need = await get_visible(session, actor=actor, key=need_key)
        check_step(actor, need, "ask")  # refuse before any typing
        if forms:
            return [self.engine.form("question", locale=actor.locale, context={"need": need.key})]
        return await self.engine.start(session, hc=self._hc(session, actor, key, need=need.key), spec_id="question")

    async def _start_answer(self, session: AsyncSession, actor: Actor, key: str, need_key: str,
                            forms: bool = False) -> list[Message]:
        need = await get_visible(session, actor=actor, key=need_key)
        questions = await estimation.open_questions(session, need=need)
        estimation.check_can_answer(actor, need, questions)
        question = " / ".join(q.text for q in questions)
        if forms:
            return [self.engine.form("answer", locale=actor.locale, context={"need": need.key, "question": question})]
        return await self.engine.start(session, hc=self._hc(session, actor, key, need=need.key, question=question),
                                       spec_id="answer")

    async def _role(self, session: AsyncSession, actor: Actor, rest: str) -> list[Message]:
        parts = rest.split()
        if not parts:
            return [Notice(t(actor.locale, "help.usage.role"), "warning")]
        target = await people.find(session, platform=actor.person.platform, reference=parts[0])
        if len(parts) == 1:
            roles = await people.roles_of(session, person_id=target.id)  # type: ignore[arg-type]
            return [Notice(t(actor.locale, "chat.roles_of", who=target.display_name, roles=self._roles(actor, roles)))]
        role = parts[1]
        grant = True
        if role.startswith("-"):
            role, grant = role[1:], False
        elif role.startswith("+"):
            role = role[1:]
        if len(parts) > 2 and fold(parts[2]) in {"remove", "off", "retirer", "supprimer", "enlever"}:
            grant = False
        roles = await people.set_role(session, core=self.core, admin=actor, target=target, role=role, grant=grant)
        return [Notice(t(actor.locale, "chat.roles_now", who=target.display_name, roles=self._roles(actor, roles)),
                       "success")]

    async def _deliveries(self, session: AsyncSession, actor: Actor, rest: str) -> list[Message]:
        parts = rest.split()
        if not parts:
            return await deliveries.failed(session, core=self.core, actor=actor)
        if fold(parts[0]) in {"retry", "relancer", "reessayer", "renvoyer"} and len(parts) == 2:
            number = parts[1].lstrip("#").removeprefix("n°")
            if number.isdigit():
                return await deliveries.retry(session, core=self.core, actor=actor, row_id=int(number))
        return [Notice(t(actor.locale, "help.usage.deliveries"), "warning")]

    @staticmethod
    def _roles(actor: Actor, roles: frozenset[str]) -> str:
        order = [Role.REQUESTER, Role.IT, Role.COMMITTEE, Role.PMO]
        return ", ".join(t(actor.locale, f"role.{r}") for r in order if r in roles)

    async def _action(self, session: AsyncSession, actor: Actor, key: str, action_id: str, value: str,
                      forms: bool = False) -> list[Message]:
        mapping = {"need.claim": "claim", "need.ask": "ask", "need.estimate": "estimate", "need.status": "status",
                   "need.answer": "answer", "need.withdraw": "withdraw"}
        name = mapping.get(action_id)
        if name is None:
            return [Notice(t(actor.locale, "chat.unknown_action"), "warning")]
        return await self._run(session, actor, key, name, value, forms)

    def _help(self, actor: Actor, topic: str | None) -> list[Message]:
        loc = actor.locale
        if topic:
            command = _BY_ALIAS.get(fold(topic.split()[0]))
            if command:
                return [Text(t(loc, f"help.usage.{command.name}") + "\n" + t(loc, f"help.about.{command.name}"))]
        lines = [t(loc, "help.intro")]
        for command in COMMANDS:
            if command.roles and not (command.roles & actor.roles):
                continue
            lines.append(f"• {t(loc, f'help.usage.{command.name}')} — {t(loc, f'help.about.{command.name}')}")
        lines.append(t(loc, "help.outro"))
        return [Text("\n".join(lines))]
