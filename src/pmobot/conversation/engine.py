"""Runs a dialog spec as a chat conversation: one question per message.

The state (answers, position, history) is saved in the database after every
message, so a conversation interrupted by a restart resumes where it stopped
and nothing the user typed is lost. The engine knows field types, conditions,
validation and locales; it knows nothing of any chat platform.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation import forms, prefill
from pmobot.conversation.expr import parse_expression
from pmobot.conversation.fields import (
    FieldError, ParseContext, check_value, describe_expected, format_value, parse_answer,
)
from pmobot.conversation.spec import DialogSpec, FieldSpec, SpecError
from pmobot.conversation.text import fold
from pmobot.domain.models import ConversationState
from pmobot.i18n import t
from pmobot.messages import Card, CardField, FormRequest, Message, Notice, Option, Prompt

SUMMARY = "@summary"

# Free text beyond this is kept but not read for pre-filling: a need is told in
# a few sentences, and some patterns grow slow on very long input.
PREFILL_MAX_CHARS = 2000
EDIT = "@edit"

# Control words, in both languages whatever the user's locale (compared without accents).
CANCEL = {"cancel", "annuler", "stop", "abandonner", "quit"}
BACK = {"back", "retour", "precedent", "previous"}
SKIP = {"skip", "passer", "suivant", "next", "-"}
HELP = {"help", "aide", "?"}
KEEP = {"keep", "garder", "conserver", "same", "idem"}
SUBMIT = {"1", "submit", "send", "envoyer", "soumettre", "valider", "confirm", "confirmer", "yes", "oui", "ok"}
EDIT_WORDS = {"2", "edit", "modifier", "corriger", "change", "changer"}
CANCEL_AT_SUMMARY = {"3"} | CANCEL


@dataclass
class HookContext:
    """What a hook may use: the services' session and core, and who is talking."""

    session: AsyncSession
    core: Any
    actor: Any
    locale: str
    conversation_key: str
    platform: str
    context: dict[str, Any] = field(default_factory=dict)
    # The engine running the dialog, for a hook that hands over to another dialog.
    engine: Any = None

    def fresh(self, **context: Any) -> "HookContext":
        """The same person and conversation, with a new context (for a new dialog)."""
        return HookContext(session=self.session, core=self.core, actor=self.actor, locale=self.locale,
                           conversation_key=self.conversation_key, platform=self.platform, context=context,
                           engine=self.engine)


Validator = Callable[[Any, dict[str, Any], HookContext], "FieldError | None"]
Check = Callable[[dict[str, Any], HookContext], "tuple[str, FieldError] | None"]
Completion = Callable[[HookContext, dict[str, Any]], Awaitable[list[Message]]]


class Hooks(Protocol):
    VALIDATORS: dict[str, Validator]
    CHECKS: dict[str, Check]
    COMPLETIONS: dict[str, Completion]


def check_hooks(specs: dict[str, DialogSpec], hooks: Hooks) -> None:
    """Every hook a spec names must exist: fail at start-up, not mid-conversation."""
    for spec in specs.values():
        if spec.on_complete not in hooks.COMPLETIONS:
            raise SpecError(f"{spec.source}: unknown on_complete hook {spec.on_complete!r}")
        for name in spec.checks:
            if name not in hooks.CHECKS:
                raise SpecError(f"{spec.source}: unknown check {name!r}")
        for f in spec.fields:
            for name in f.validate:
                if name not in hooks.VALIDATORS:
                    raise SpecError(f"{spec.source} field {f.id}: unknown validator {name!r}")


class DialogEngine:
    def __init__(self, *, specs: dict[str, DialogSpec], hooks: Hooks, today: Callable[[], Any],
                 default_currency: str) -> None:
        check_hooks(specs, hooks)
        self.specs = specs
        self.hooks = hooks
        self._today = today
        self.default_currency = default_currency

    # -- persistence -------------------------------------------------------

    async def active(self, session: AsyncSession, *, person_id: int, conversation_key: str) -> ConversationState | None:
        rows = await session.exec(
            select(ConversationState).where(
                ConversationState.person_id == person_id, ConversationState.conversation_key == conversation_key
            )
        )
        return rows.first()

    @staticmethod
    def _save(session: AsyncSession, row: ConversationState, state: dict[str, Any], now: Any) -> None:
        # A new dict, so the JSON column is seen as changed.
        row.state = dict(state)
        row.updated_at = now
        session.add(row)

    # -- entry points ------------------------------------------------------

    async def start(
        self, session: AsyncSession, *, hc: HookContext, spec_id: str, opening_text: str | None = None
    ) -> list[Message]:
        spec = self.specs[spec_id]
        existing = await self.active(session, person_id=hc.actor.id, conversation_key=hc.conversation_key)
        if existing is not None:
            await session.delete(existing)
            await session.flush()
        state: dict[str, Any] = {
            "answers": {}, "prefilled": [], "skipped": [], "history": [], "current": None,
            "editing": False, "context": dict(hc.context),
        }
        out: list[Message] = []
        if spec.intro:
            out.append(Notice(spec.intro.get(hc.locale).format(**{k: v for k, v in hc.context.items()})))
        if opening_text:
            # Kept as typed and handed to the completion hook, whatever was understood of it.
            state["context"]["opening_text"] = opening_text
        if opening_text and spec.prefill:
            found = self._prefill(spec, opening_text, hc.locale)
            state["answers"].update(found)
            state["prefilled"] = list(found)
            if found:
                out.append(Card(
                    title=t(hc.locale, "dialog.understood"),
                    fields=tuple(CardField(spec.field(fid).label.get(hc.locale),
                                           format_value(spec.field(fid), v, hc.locale),
                                           short=spec.field(fid).type != "long_text")
                                 for fid, v in found.items()),
                    footer=t(hc.locale, "dialog.understood_footer"),
                ))
        now = hc.core.now()
        row = ConversationState(conversation_key=hc.conversation_key, person_id=hc.actor.id, spec_id=spec.id,
                                state=state, created_at=now, updated_at=now)
        out += self._advance(spec, state, hc.locale)
        self._save(session, row, state, now)
        return out

    async def reprompt(self, session: AsyncSession, *, hc: HookContext, row: ConversationState) -> list[Message]:
        """Ask the current question again (after a restart, or on request)."""
        loaded = await self._load(session, row, hc.locale)
        if isinstance(loaded, list):
            return loaded
        spec, state = loaded
        self._save(session, row, state, hc.core.now())
        return [Notice(t(hc.locale, "dialog.resuming", title=spec.title.get(hc.locale)))] + self._ask_current(
            spec, state, hc.locale
        )

    async def _load(
        self, session: AsyncSession, row: ConversationState, locale: str
    ) -> tuple[DialogSpec, dict[str, Any]] | list[Message]:
        """The spec and a working copy of the state, or a notice if the spec is gone."""
        spec = self.specs.get(row.spec_id)
        if spec is None:
            # The spec was removed by an upgrade: tell the user rather than fail.
            await session.delete(row)
            return [Notice(t(locale, "dialog.spec_gone"), "warning")]
        state = _copy_state(row.state)
        self._realign(spec, state)
        return spec, state

    def _realign(self, spec: DialogSpec, state: dict[str, Any]) -> None:
        """After a spec edit (a field renamed or removed), move to the next open question
        instead of failing; answers to fields that still exist are kept."""
        known = {f.id for f in spec.fields}
        state["answers"] = {k: v for k, v in state["answers"].items() if k in known}
        for key in ("prefilled", "skipped", "history"):
            state[key] = [k for k in state[key] if k in known]
        if state.get("current") not in known | {SUMMARY, EDIT}:
            nxt = self._next_field(spec, state)
            state["current"] = nxt.id if nxt else SUMMARY

    async def handle(self, session: AsyncSession, *, hc: HookContext, row: ConversationState, text: str) -> list[Message]:
        loaded = await self._load(session, row, hc.locale)
        if isinstance(loaded, list):
            return loaded
        spec, state = loaded
        hc.context = state.get("context", {})
        word = fold(text)
        current = state.get("current")
        out: list[Message]
        if word in CANCEL or (current == SUMMARY and word in CANCEL_AT_SUMMARY):
            await session.delete(row)
            return [Notice(t(hc.locale, "dialog.cancelled", title=spec.title.get(hc.locale)), "warning")]
        if word in HELP:
            out = self._help(spec, state, hc.locale)
        elif word in BACK:
            out = self._back(spec, state, hc.locale)
        elif current == SUMMARY:
            out = await self._at_summary(session, spec, state, hc, text, row)
        elif current == EDIT:
            out = self._choose_edit(spec, state, hc.locale, text)
        else:
            out = self._answer(spec, state, hc, text)
            if state["current"] == SUMMARY and not spec.confirm:
                out = await self._complete(session, spec, state, hc, row)
        if not state.get("finished"):
            self._save(session, row, state, hc.core.now())
        return out

    # -- forms (a whole spec at once: Slack modals, Teams cards) ------------

    def parse_context(self, locale: str) -> ParseContext:
        return ParseContext(locale=locale, today=self._today(), default_currency=self.default_currency)

    def form(self, spec_id: str, *, locale: str, opening_text: str | None = None,
             context: dict[str, Any] | None = None) -> FormRequest:
        """A blank form, pre-filled from free text when the spec allows it."""
        spec = self.specs[spec_id]
        values = self._prefill(spec, opening_text, locale) if opening_text and spec.prefill else {}
        context = dict(context or {})
        if opening_text:
            context["opening_text"] = opening_text[:4000]
        return forms.build(spec, locale=locale, values=values, context=context)

    def redraw_form(self, spec_id: str, *, locale: str, raw: dict[str, Any],
                    context: dict[str, Any] | None = None) -> FormRequest:
        """The form again while it is being filled in, with conditions applied to
        what can be read of it so far; nothing typed is dropped."""
        spec = self.specs[spec_id]
        answers = forms.read_leniently(spec, raw, ctx=self.parse_context(locale))
        typed = {k: v for k, v in raw.items() if isinstance(v, str)}
        return forms.build(spec, locale=locale, values=answers, typed=typed, context=context)

    async def submit_form(self, session: AsyncSession, *, hc: HookContext, spec_id: str,
                          raw: dict[str, Any]) -> tuple[FormRequest | None, list[Message]]:
        """Validate a submitted form like the conversation would, then complete it.

        Returns the form to show again with its errors (and no messages), or
        ``None`` and what the completion hook said.
        """
        spec = self.specs[spec_id]
        reading = forms.read(spec, raw, ctx=self.parse_context(hc.locale), validators=self.hooks.VALIDATORS,
                             hook_context=hc)
        if reading.ok:
            answers = {f.id: reading.answers.get(f.id) for f in self.applicable(spec, reading.answers)}
            for name in spec.checks:
                problem = self.hooks.CHECKS[name](answers, hc)
                if problem is not None:
                    field_id, error = problem
                    reading.errors[field_id] = error.message(hc.locale)
                    break
        if not reading.ok:
            return forms.build(spec, locale=hc.locale, values=reading.answers, typed=reading.typed,
                               errors=reading.errors, context=hc.context), []
        hc.engine = self
        return None, await self.hooks.COMPLETIONS[spec.on_complete](hc, answers)

    # -- steps -------------------------------------------------------------

    def _prefill(self, spec: DialogSpec, text: str, locale: str) -> dict[str, Any]:
        ctx = ParseContext(locale=locale, today=self._today(), default_currency=self.default_currency)
        found = prefill.extract(text[:PREFILL_MAX_CHARS], locale=locale, today=ctx.today,
                                default_currency=self.default_currency)
        out: dict[str, Any] = {}
        for f in spec.fields:
            if f.prefill and found.get(f.prefill) is not None:
                try:
                    check_value(f, found[f.prefill], ctx)
                except FieldError:
                    continue  # out of the field's limits: the question will be asked instead
                out[f.id] = found[f.prefill]
        return out

    def applicable(self, spec: DialogSpec, answers: dict[str, Any]) -> list[FieldSpec]:
        return [f for f in spec.fields if not f.when or parse_expression(f.when).evaluate(answers)]

    def _next_field(self, spec: DialogSpec, state: dict[str, Any]) -> FieldSpec | None:
        answers, skipped = state["answers"], set(state["skipped"])
        for f in self.applicable(spec, answers):
            if f.id not in answers and f.id not in skipped:
                return f
        return None

    def _advance(self, spec: DialogSpec, state: dict[str, Any], locale: str) -> list[Message]:
        nxt = self._next_field(spec, state)
        state["current"] = nxt.id if nxt else SUMMARY
        if nxt is None:
            state["editing"] = False
            if not spec.confirm:
                return []  # the caller completes the dialog at once
        return self._ask_current(spec, state, locale)

    def _ask_current(self, spec: DialogSpec, state: dict[str, Any], locale: str) -> list[Message]:
        current = state["current"]
        if current == SUMMARY:
            return self._summary(spec, state, locale)
        if current == EDIT:
            return [self._edit_prompt(spec, state, locale)]
        f = spec.field(current)
        fields = self.applicable(spec, state["answers"])
        position = next((i for i, g in enumerate(fields) if g.id == f.id), 0) + 1
        hint = describe_expected(f, locale)
        if not f.required:
            hint = " · ".join(part for part in (hint, t(locale, "dialog.hint_optional")) if part)
        text = f.prompt.get(locale)
        if f.id in state["answers"] and state["answers"][f.id] is not None:
            current_value = t(locale, "dialog.current_value", value=format_value(f, state["answers"][f.id], locale))
            hint = " · ".join(part for part in (current_value, hint) if part)
        options = tuple(Option(c.value, c.label.get(locale)) for c in f.choices)
        if f.type == "yes_no":
            options = (Option("yes", t(locale, "dialog.word_yes")), Option("no", t(locale, "dialog.word_no")))
        controls = [t(locale, "dialog.ctl_back"), t(locale, "dialog.ctl_cancel")]
        if not f.required:
            controls.insert(0, t(locale, "dialog.ctl_skip"))
        return [Prompt(text=text, hint=hint, options=options, multiple=f.type == "multi_choice",
                       controls=tuple(controls), step=position, steps=len(fields))]

    def _answer(self, spec: DialogSpec, state: dict[str, Any], hc: HookContext, text: str) -> list[Message]:
        f = spec.field(state["current"])
        word = fold(text)
        if word in SKIP:
            if f.required:
                return [Notice(t(hc.locale, "dialog.required"), "warning")] + self._ask_current(spec, state, hc.locale)
            state["answers"].pop(f.id, None)
            if f.id not in state["skipped"]:
                state["skipped"].append(f.id)
            self._remember(state, f.id)
            return self._advance(spec, state, hc.locale)
        if word in KEEP and state["answers"].get(f.id) is not None:
            self._remember(state, f.id)
            return self._advance(spec, state, hc.locale)
        ctx = ParseContext(locale=hc.locale, today=self._today(), default_currency=self.default_currency)
        try:
            value = parse_answer(f, text, ctx)
            for name in f.validate:
                error = self.hooks.VALIDATORS[name](value, state["answers"], hc)
                if error is not None:
                    raise error
        except FieldError as exc:
            # Keep what was typed: the user can copy it back, and it is on record.
            state.setdefault("rejected", {})[f.id] = text[:4000]
            return [Notice(exc.message(hc.locale), "warning")] + self._ask_current(spec, state, hc.locale)
        state["answers"][f.id] = value
        state.get("rejected", {}).pop(f.id, None)
        if f.id in state["skipped"]:
            state["skipped"].remove(f.id)
        if f.id in state["prefilled"]:
            state["prefilled"].remove(f.id)
        self._remember(state, f.id)
        return self._advance(spec, state, hc.locale)

    @staticmethod
    def _remember(state: dict[str, Any], field_id: str) -> None:
        if field_id in state["history"]:
            state["history"].remove(field_id)
        state["history"].append(field_id)

    def _back(self, spec: DialogSpec, state: dict[str, Any], locale: str) -> list[Message]:
        current = state["current"]
        history = state["history"]
        if current in history:
            history.remove(current)
        if current == EDIT:
            state["current"] = SUMMARY
            return self._ask_current(spec, state, locale)
        applicable = {f.id for f in self.applicable(spec, state["answers"])}
        while history and history[-1] not in applicable:
            history.pop()
        if not history:
            return [Notice(t(locale, "dialog.at_start"))] + self._ask_current(spec, state, locale)
        previous = history.pop()
        state["current"] = previous
        state["editing"] = True
        if previous in state["skipped"]:
            state["skipped"].remove(previous)
        return self._ask_current(spec, state, locale)

    def _help(self, spec: DialogSpec, state: dict[str, Any], locale: str) -> list[Message]:
        current = state["current"]
        lines = []
        if current not in (SUMMARY, EDIT):
            f = spec.field(current)
            if f.help:
                lines.append(f.help.get(locale))
            lines.append(describe_expected(f, locale))
        lines.append(t(locale, "dialog.help_controls"))
        return [Notice("\n".join(lines))] + self._ask_current(spec, state, locale)

    def _summary(self, spec: DialogSpec, state: dict[str, Any], locale: str) -> list[Message]:
        answers = state["answers"]
        fields = []
        for f in self.applicable(spec, answers):
            value = answers.get(f.id)
            shown = format_value(f, value, locale) if value is not None else t(locale, "dialog.not_given")
            if f.id in state["prefilled"]:
                shown = f"{shown} {t(locale, 'dialog.from_message')}"
            fields.append(CardField(f.label.get(locale), shown, short=f.type != "long_text"))
        return [
            Card(title=t(locale, "dialog.summary_title", title=spec.title.get(locale)), fields=tuple(fields)),
            Prompt(
                text=t(locale, "dialog.summary_prompt"),
                options=(Option("submit", t(locale, "dialog.opt_submit")), Option("edit", t(locale, "dialog.opt_edit")),
                         Option("cancel", t(locale, "dialog.opt_cancel"))),
            ),
        ]

    def _edit_prompt(self, spec: DialogSpec, state: dict[str, Any], locale: str) -> Prompt:
        fields = self.applicable(spec, state["answers"])
        return Prompt(
            text=t(locale, "dialog.edit_prompt"),
            options=tuple(Option(f.id, f.label.get(locale)) for f in fields),
            controls=(t(locale, "dialog.ctl_back"),),
        )

    def _choose_edit(self, spec: DialogSpec, state: dict[str, Any], locale: str, text: str) -> list[Message]:
        target = self._pick_field(spec, state, text, locale)
        if target is None:
            return [Notice(t(locale, "dialog.edit_unknown"), "warning"), self._edit_prompt(spec, state, locale)]
        state["current"] = target.id
        state["editing"] = True
        return self._ask_current(spec, state, locale)

    def _pick_field(self, spec: DialogSpec, state: dict[str, Any], text: str, locale: str) -> FieldSpec | None:
        fields = self.applicable(spec, state["answers"])
        word = fold(text)
        if word.isdigit() and 1 <= int(word) <= len(fields):
            return fields[int(word) - 1]
        for f in fields:
            if word in (fold(f.id), *(fold(v) for v in f.label.values.values())):
                return f
        return None

    async def _at_summary(self, session: AsyncSession, spec: DialogSpec, state: dict[str, Any], hc: HookContext,
                          text: str, row: ConversationState) -> list[Message]:
        word = fold(text)
        parts = word.split()
        if parts and parts[0] in EDIT_WORDS - {"2"} and len(parts) > 1:
            target = self._pick_field(spec, state, " ".join(parts[1:]), hc.locale)
            if target is not None:
                state["current"], state["editing"] = target.id, True
                return self._ask_current(spec, state, hc.locale)
        if word in EDIT_WORDS:
            state["current"] = EDIT
            return [self._edit_prompt(spec, state, hc.locale)]
        if word not in SUBMIT:
            return [Notice(t(hc.locale, "dialog.summary_unknown"), "warning")] + self._summary(spec, state, hc.locale)
        return await self._complete(session, spec, state, hc, row)

    async def _complete(self, session: AsyncSession, spec: DialogSpec, state: dict[str, Any], hc: HookContext,
                        row: ConversationState) -> list[Message]:
        """Run the cross-field checks, then the completion hook, which ends the dialog."""
        answers = {f.id: state["answers"].get(f.id) for f in self.applicable(spec, state["answers"])}
        for name in spec.checks:
            problem = self.hooks.CHECKS[name](answers, hc)
            if problem is not None:
                field_id, error = problem
                state["current"], state["editing"] = field_id, True
                return [Notice(error.message(hc.locale), "warning")] + self._ask_current(spec, state, hc.locale)
        # The row goes first, so that a hook may open the next dialog in this conversation;
        # if the hook fails, the whole unit of work is rolled back and nothing is lost.
        await session.delete(row)
        await session.flush()
        state["finished"] = True
        hc.engine = self
        return await self.hooks.COMPLETIONS[spec.on_complete](hc, answers)



def _copy_state(state: dict[str, Any]) -> dict[str, Any]:
    out = dict(state)
    out["answers"] = dict(state.get("answers", {}))
    for key in ("prefilled", "skipped", "history"):
        out[key] = list(state.get(key, []))
    out["context"] = dict(state.get("context", {}))
    if "rejected" in state:
        out["rejected"] = dict(state["rejected"])
    return out
