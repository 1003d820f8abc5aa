"""Runs a dialog spec as a chat conversation: one question per message.

The state (answers, position, history) is saved in the database after every
message, so a conversation interrupted by a restart resumes where it stopped
and nothing the user typed is lost. The engine knows field types, conditions,
validation and locales; it knows nothing of any chat platform.

(Past our usual 400 lines: the steps of one conversation, from what its opening
text pre-fills to its completion, read in order in one class; the state, the
control words, the dialogs put aside, the hooks' context and the forms live
beside it.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation import aside, forms, prefill
from pmobot.conversation.controls import BACK, CANCEL, CANCEL_AT_SUMMARY, EDIT_WORDS, HELP, KEEP, SKIP, SUBMIT, YES
from pmobot.conversation.errors import FieldError
from pmobot.conversation.fieldtypes import (
    Answer,
    ParseContext,
    RawValue,
    check_value,
    describe_expected,
    field_type,
    format_value,
    nothing_said,
    parse_answer,
)
from pmobot.conversation.hooks import HookContext, Hooks, check_hooks
from pmobot.conversation.spec import DialogSpec, FieldSpec
from pmobot.conversation.state import EDIT, SUMMARY, DialogState
from pmobot.conversation.text import fold
from pmobot.domain.keys import ConversationKey
from pmobot.domain.models import ConversationState
from pmobot.i18n import t
from pmobot.messages import (
    Card,
    CardField,
    FormRequest,
    Message,
    Notice,
    Option,
    Prompt,
    Widget,
)

# Free text beyond this is kept but not read for pre-filling: a need is told in
# a few sentences, and some patterns grow slow on very long input.
PREFILL_MAX_CHARS = 2000

# "cancel" drops the dialog at once when the person typed at most this many answers
# themselves; with more to lose, it asks first.
CANCEL_WITHOUT_ASKING = 2


@dataclass(frozen=True)
class Prefilled:
    """Answers read from an opening text, and lines saying what was understood but not taken."""

    values: dict[str, Answer]
    notes: tuple[str, ...] = ()


class DialogEngine:
    """Starts, resumes and completes dialogs, turn by turn or as a whole form.

    (29 methods, past our usual 25 methods: each private one is one step of the
    conversation — answer, back, help, summary, edit, cancel, complete — and
    splitting them across classes would pass the same spec and state back and
    forth; the moves between dialogs put aside are in ``aside.Aside``.)
    """

    def __init__(self, *, specs: dict[str, DialogSpec], hooks: Hooks, today: Callable[[], date],
                 default_currency: str) -> None:
        check_hooks(specs, hooks)
        self.specs = specs
        self.hooks = hooks
        self._today = today
        self.default_currency = default_currency
        # The dialogs put aside for another, and bringing them back.
        self.aside = aside.Aside(self)

    # -- persistence -------------------------------------------------------

    async def active(self, session: AsyncSession, *, person_id: int,
                     conversation_key: ConversationKey) -> ConversationState | None:
        """The dialog in front: the one the person's next message answers (others may wait, put aside)."""
        return await aside.in_front(session, person_id=person_id, conversation_key=conversation_key)

    @staticmethod
    def _save(session: AsyncSession, row: ConversationState, state: DialogState, now: datetime) -> None:
        row.state = state.to_json()
        row.updated_at = now
        session.add(row)

    # -- entry points ------------------------------------------------------

    async def start(
        self, session: AsyncSession, *, hc: HookContext, spec_id: str, opening_text: str | None = None,
        defaults: Mapping[str, Answer] | None = None,
        values: Mapping[str, Answer] | None = None,
    ) -> list[Message]:
        """Start ``spec_id``. ``defaults`` are offered at each question (the last status update's);
        ``values`` are answers drafted beforehand (a scope from its need, a revision from the version it
        revises), asked no more and shown on the summary to be changed there."""
        spec = self.specs[spec_id]
        out: list[Message] = []
        existing = await self.active(session, person_id=hc.actor.id, conversation_key=hc.conversation_key)
        if existing is not None:
            if not opening_text and aside.same_dialog(existing.spec_id, existing.state.get("context") or {},
                                                      spec_id, hc.context):
                return await self.show_again(session, hc, existing, "dialog.aside_already")
            out += await self.aside.make_room(session, hc, existing)
        if not opening_text:
            same = await self.aside.same_put_aside(session, hc, spec_id)
            if same is not None:
                return out + await self.aside.bring_back(session, hc=hc, row=same)
        state = DialogState(context=dict(hc.context),
                            defaults={k: v for k, v in (defaults or {}).items() if v is not None})
        state.answers.update({k: v for k, v in (values or {}).items() if k in {f.id for f in spec.fields}})
        if spec.intro:
            out.append(Notice(spec.intro.get(hc.locale).format(**{k: v for k, v in hc.context.items()})))
        if opening_text:
            # Kept as typed and handed to the completion hook, whatever was understood of it.
            state.context["opening_text"] = opening_text
        if opening_text and spec.prefill:
            prefilled = self._prefill(spec, opening_text, hc.locale, hc)
            found = prefilled.values
            state.answers.update(found)
            state.prefilled = list(found)
            if found or prefilled.notes:
                # What was understood, and what was understood but not taken, with the reason.
                out.append(Card(
                    title=t(hc.locale, "dialog.understood"),
                    fields=tuple(CardField(spec.field(fid).label.get(hc.locale),
                                           format_value(spec.field(fid), v, hc.locale),
                                           short=not field_type(spec.field(fid)).wide)
                                 for fid, v in found.items()),
                    body="\n".join(prefilled.notes),
                    footer=t(hc.locale, "dialog.understood_footer"),
                ))
        now = hc.core.now()
        row = ConversationState(conversation_key=hc.conversation_key, person_id=hc.actor.id, spec_id=spec.id,
                                state=state.to_json(), created_at=now, updated_at=now)
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

    async def show_again(self, session: AsyncSession, hc: HookContext, row: ConversationState,
                         key: str) -> list[Message]:
        """A dialog brought (back) to the front: say which (``key``) and where it stands, then ask on."""
        loaded = await self._load(session, row, hc.locale)
        if isinstance(loaded, list):
            return loaded
        spec, state = loaded
        self._save(session, row, state, hc.core.now())
        done, total = aside.progress(spec, state)
        return [Notice(t(hc.locale, key, title=aside.label(spec, state, hc.locale), answered=done, total=total))
                ] + self._ask_current(spec, state, hc.locale)

    async def _load(
        self, session: AsyncSession, row: ConversationState, locale: str
    ) -> tuple[DialogSpec, DialogState] | list[Message]:
        """The spec and a working copy of the state, or a notice if the spec is gone."""
        spec = self.specs.get(row.spec_id)
        if spec is None:
            # The spec was removed by an upgrade: tell the user rather than fail.
            await session.delete(row)
            return [Notice(t(locale, "dialog.spec_gone"), "warning")]
        state = DialogState.from_json(row.state)
        self._realign(spec, state)
        return spec, state

    def _realign(self, spec: DialogSpec, state: DialogState) -> None:
        """After a spec edit (a field renamed or removed), move to the next open question
        instead of failing; answers to fields that still exist are kept."""
        known = {f.id for f in spec.fields}
        state.forget_unknown(known)
        if state.current not in known | {SUMMARY, EDIT}:
            nxt = self._next_field(spec, state)
            state.current = nxt.id if nxt else SUMMARY

    async def handle(self, session: AsyncSession, *, hc: HookContext, row: ConversationState,
                     text: str) -> list[Message]:
        loaded = await self._load(session, row, hc.locale)
        if isinstance(loaded, list):
            return loaded
        spec, state = loaded
        hc.context = state.context
        word = fold(text)
        out: list[Message]
        if state.cancelling:
            state.cancelling = False
            if word in YES | CANCEL | {"1"}:
                return await self._cancel(session, spec, hc, row)
            out = [Notice(t(hc.locale, "dialog.cancel_kept"))] + self._ask_current(spec, state, hc.locale)
        elif word in CANCEL or (state.at_summary and word in CANCEL_AT_SUMMARY):
            if aside.typed_answers(state) <= CANCEL_WITHOUT_ASKING:
                return await self._cancel(session, spec, hc, row)
            state.cancelling = True
            out = self._ask_current(spec, state, hc.locale)
        elif word in HELP:
            out = self._help(spec, state, hc.locale)
        elif word in BACK:
            out = self._back(spec, state, hc.locale)
        elif state.at_summary:
            out = await self._at_summary(session, spec, state, hc, text, row)
        elif state.at_edit:
            out = self._choose_edit(spec, state, hc.locale, text)
        else:
            out = self._answer(spec, state, hc, text)
            if state.at_summary and not spec.confirm:
                out = await self._complete(session, spec, state, hc, row)
        if not state.finished:
            self._save(session, row, state, hc.core.now())
        else:
            out += await self.aside.after_end(session, hc)
        return out

    async def _cancel(self, session: AsyncSession, spec: DialogSpec, hc: HookContext,
                      row: ConversationState) -> list[Message]:
        await session.delete(row)
        await session.flush()
        return [Notice(t(hc.locale, "dialog.cancelled", title=spec.title.get(hc.locale)), "warning"),
                *await self.aside.after_end(session, hc)]

    # -- forms (a whole spec at once: Slack modals, Teams cards) ------------

    def parse_context(self, locale: str) -> ParseContext:
        return ParseContext(locale=locale, today=self._today(), default_currency=self.default_currency)

    def form(self, spec_id: str, *, locale: str, opening_text: str | None = None,
             context: Mapping[str, Any] | None = None, defaults: Mapping[str, Answer] | None = None,
             values: Mapping[str, Answer] | None = None) -> FormRequest:
        """A blank form, pre-filled from free text when the spec allows it, else from ``defaults``; drafted
        ``values`` on top."""
        spec = self.specs[spec_id]
        values = {**(defaults or {}), **(values or {})}
        if opening_text and spec.prefill:
            values.update(self._prefill(spec, opening_text, locale).values)
        context = dict(context or {})
        if opening_text:
            context["opening_text"] = opening_text[:4000]
        return forms.build(spec, locale=locale, values=values, context=context)

    def redraw_form(self, spec_id: str, *, locale: str, raw: Mapping[str, RawValue],
                    context: dict[str, Any] | None = None) -> FormRequest:
        """The form again while it is being filled in, with conditions applied to
        what can be read of it so far; nothing typed is dropped."""
        spec = self.specs[spec_id]
        answers = forms.read_leniently(spec, raw, ctx=self.parse_context(locale))
        typed = {k: v for k, v in raw.items() if isinstance(v, str)}
        return forms.build(spec, locale=locale, values=answers, typed=typed, context=context)

    async def submit_form(self, session: AsyncSession, *, hc: HookContext, spec_id: str,
                          raw: Mapping[str, RawValue]) -> tuple[FormRequest | None, list[Message]]:
        """Validate a submitted form like the conversation would, then complete it.

        Returns the form to show again with its errors (and no messages), or
        ``None`` and what the completion hook said.
        """
        spec = self.specs[spec_id]
        refused, answers = self._read_form(spec, raw, hc)
        if refused is not None:
            return refused, []
        hc.engine = self
        return None, await self.hooks.COMPLETIONS[spec.on_complete](hc, answers)

    def check_form(self, *, hc: HookContext, spec_id: str, raw: Mapping[str, RawValue]) -> FormRequest | None:
        """The form again with its errors when ``submit_form`` would refuse it, else None; completes nothing
        (a platform shows the errors in its answer to the submission, and has the work done after)."""
        return self._read_form(self.specs[spec_id], raw, hc)[0]

    def _read_form(self, spec: DialogSpec, raw: Mapping[str, RawValue],
                   hc: HookContext) -> tuple[FormRequest | None, dict[str, Answer]]:
        reading = forms.read(spec, raw, ctx=self.parse_context(hc.locale), validators=self.hooks.VALIDATORS,
                             hook_context=hc)
        answers: dict[str, Answer] = {}
        if reading.ok:
            answers = {f.id: reading.answers.get(f.id) for f in self.applicable(spec, reading.answers)}
            problem = self._cross_check(spec, answers, hc)
            if problem is not None:
                field_id, error = problem
                reading.errors[field_id] = error.message(hc.locale)
        if not reading.ok:
            return forms.build(spec, locale=hc.locale, values=reading.answers, typed=reading.typed,
                               errors=reading.errors, context=hc.context), answers
        return None, answers

    # -- steps -------------------------------------------------------------

    def _prefill(self, spec: DialogSpec, text: str, locale: str, hc: HookContext | None = None) -> Prefilled:
        """What the opening text answers, checked as typed answers are (limits, and the field's
        validators when there is someone to validate for), and a line for each thing understood
        but not taken."""
        ctx = self.parse_context(locale)
        found = prefill.extract(text[:PREFILL_MAX_CHARS], locale=locale, today=ctx.today,
                                default_currency=self.default_currency)
        declined: dict[str, dict[str, Any]] = found.get("not_taken", {})
        values: dict[str, Answer] = {}
        notes: list[str] = []
        for f in spec.fields:
            if not f.prefill:
                continue
            label = f.label.get(locale)
            why = declined.get(f.prefill)
            if why is not None:
                shown = format_value(f, why["value"], locale) if "value" in why else ""
                notes.append(t(locale, f"dialog.not_taken_{why['reason']}", field=label, value=shown))
                continue
            value = found.get(f.prefill)
            if value is None:
                continue
            try:
                check_value(f, value, ctx)
                # A form checks its fields when submitted; a conversation has someone to check for now.
                if hc is not None:
                    self._validate(f, value, values, hc)
            except FieldError as exc:
                # The question will be asked instead; say why.
                notes.append(t(locale, "dialog.not_taken_refused", field=label,
                               value=format_value(f, value, locale), reason=exc.message(locale)))
                continue
            values[f.id] = value
        return Prefilled(values, tuple(notes))

    def _validate(self, f: FieldSpec, value: Answer, answers: dict[str, Answer], hc: HookContext) -> None:
        """The field's validation hooks, typed answer or pre-filled alike; raises FieldError."""
        for name in f.validate:
            error = self.hooks.VALIDATORS[name](value, answers, hc)
            if error is not None:
                raise error

    def applicable(self, spec: DialogSpec, answers: dict[str, Answer]) -> list[FieldSpec]:
        return [f for f in spec.fields if forms.visible(f, answers)]

    def _next_field(self, spec: DialogSpec, state: DialogState) -> FieldSpec | None:
        answers, skipped = state.answers, set(state.skipped)
        for f in self.applicable(spec, answers):
            if f.id not in answers and f.id not in skipped:
                return f
        return None

    def _advance(self, spec: DialogSpec, state: DialogState, locale: str) -> list[Message]:
        nxt = self._next_field(spec, state)
        state.current = nxt.id if nxt else SUMMARY
        if nxt is None:
            state.editing = False
            if not spec.confirm:
                return []  # the caller completes the dialog at once
        return self._ask_current(spec, state, locale)

    def _ask_current(self, spec: DialogSpec, state: DialogState, locale: str) -> list[Message]:
        if state.cancelling:  # "cancel" with answers to lose: confirm first
            return [Prompt(text=t(locale, "dialog.cancel_confirm", title=spec.title.get(locale),
                                  count=aside.typed_answers(state)),
                           options=(Option("yes", t(locale, "dialog.cancel_yes")),
                                    Option("no", t(locale, "dialog.cancel_no"))))]
        if state.at_summary or state.current is None:
            return self._summary(spec, state, locale)
        if state.at_edit:
            return [self._edit_prompt(spec, state, locale)]
        f = spec.field(state.current)
        kind = field_type(f)
        fields = self.applicable(spec, state.answers)
        position = next((i for i, g in enumerate(fields) if g.id == f.id), 0) + 1
        hint = describe_expected(f, locale)
        if not f.required:
            hint = " · ".join(part for part in (hint, t(locale, "dialog.hint_optional")) if part)
        text = f.prompt.get(locale)
        if state.answers.get(f.id) is not None:
            current_value = t(locale, "dialog.current_value", value=format_value(f, state.answers[f.id], locale))
            hint = " · ".join(part for part in (current_value, hint) if part)
        elif state.defaults.get(f.id) is not None:
            offered = t(locale, "defaults.last_value", value=format_value(f, state.defaults[f.id], locale))
            hint = " · ".join(part for part in (offered, hint) if part)
        controls = [t(locale, "dialog.ctl_back"), t(locale, "dialog.ctl_cancel")]
        if not f.required:
            controls.insert(0, t(locale, "dialog.ctl_skip"))
        return [Prompt(text=text, hint=hint, options=kind.options(f, locale),
                       multiple=kind.widget == Widget.MULTIPLE_CHOICE,
                       controls=tuple(controls), step=position, steps=len(fields))]

    def _answer(self, spec: DialogSpec, state: DialogState, hc: HookContext, text: str) -> list[Message]:
        assert state.current is not None  # called only while a field is being asked
        f = spec.field(state.current)
        word = fold(text)
        if word in SKIP or nothing_said(f, text, self.parse_context(hc.locale)):
            if f.required:
                return [Notice(t(hc.locale, "dialog.required"), "warning")] + self._ask_current(spec, state, hc.locale)
            state.answers.pop(f.id, None)
            if f.id not in state.skipped:
                state.skipped.append(f.id)
            # A cross-field check that can already tell (e.g. nothing at all is changed) says so now,
            # on this question, rather than at the summary.
            problem = self._cross_check(spec, self._settled(spec, state), hc)
            if problem is not None:
                state.skipped.remove(f.id)
                return [Notice(problem[1].message(hc.locale), "warning")] + self._ask_current(spec, state, hc.locale)
            state.remember(f.id)
            return self._advance(spec, state, hc.locale)
        if word in KEEP and state.answers.get(f.id) is None and state.defaults.get(f.id) is not None:
            # The answer offered (last time's) taken as it is: still checked as a typed one would be.
            try:
                self._validate(f, state.defaults[f.id], state.answers, hc)
            except FieldError as exc:
                return [Notice(exc.message(hc.locale), "warning")] + self._ask_current(spec, state, hc.locale)
            state.answers[f.id] = state.defaults[f.id]
        if word in KEEP and state.answers.get(f.id) is not None:
            state.remember(f.id)
            return self._advance(spec, state, hc.locale)
        ctx = self.parse_context(hc.locale)
        try:
            value = parse_answer(f, text, ctx)
            self._validate(f, value, state.answers, hc)
        except FieldError as exc:
            # Keep what was typed: the user can copy it back, and it is on record.
            state.rejected[f.id] = text[:4000]
            return [Notice(exc.message(hc.locale), "warning")] + self._ask_current(spec, state, hc.locale)
        state.answers[f.id] = value
        state.rejected.pop(f.id, None)
        if f.id in state.skipped:
            state.skipped.remove(f.id)
        if f.id in state.prefilled:
            state.prefilled.remove(f.id)
        state.remember(f.id)
        # A cross-field check that can tell now (the three efforts given, out of order) says so on this
        # turn, not once the person has answered everything and pressed Send.
        if (problem := self._cross_check(spec, self._settled(spec, state), hc)) is not None:
            return self._ask_again(spec, state, hc, problem)
        return self._advance(spec, state, hc.locale)

    def _settled(self, spec: DialogSpec, state: DialogState) -> dict[str, Answer]:
        """The answers given or skipped so far: a check reads a missing name as 'not asked yet'."""
        return {f.id: state.answers.get(f.id) for f in self.applicable(spec, state.answers)
                if f.id in state.answers or f.id in state.skipped}

    def _back(self, spec: DialogSpec, state: DialogState, locale: str) -> list[Message]:
        current = state.current
        history = state.history
        if current in history:
            history.remove(current)
        if state.at_edit:
            state.current = SUMMARY
            return self._ask_current(spec, state, locale)
        applicable = {f.id for f in self.applicable(spec, state.answers)}
        while history and history[-1] not in applicable:
            history.pop()
        if not history:
            return [Notice(t(locale, "dialog.at_start"))] + self._ask_current(spec, state, locale)
        previous = history.pop()
        state.current = previous
        state.editing = True
        if previous in state.skipped:
            state.skipped.remove(previous)
        return self._ask_current(spec, state, locale)

    def _help(self, spec: DialogSpec, state: DialogState, locale: str) -> list[Message]:
        lines = []
        if state.current is not None and not (state.at_summary or state.at_edit):
            f = spec.field(state.current)
            if f.help:
                lines.append(f.help.get(locale))
            lines.append(describe_expected(f, locale))
        lines.append(t(locale, "dialog.help_controls"))
        return [Notice("\n".join(lines))] + self._ask_current(spec, state, locale)

    def _summary(self, spec: DialogSpec, state: DialogState, locale: str) -> list[Message]:
        answers = state.answers
        fields = []
        for f in self.applicable(spec, answers):
            value = answers.get(f.id)
            shown = format_value(f, value, locale) if value is not None else t(locale, "dialog.not_given")
            if f.id in state.prefilled:
                shown = f"{shown} {t(locale, 'dialog.from_message')}"
            fields.append(CardField(f.label.get(locale), shown, short=not field_type(f).wide))
        return [
            Card(title=t(locale, "dialog.summary_title", title=spec.title.get(locale)), fields=tuple(fields)),
            Prompt(
                text=t(locale, "dialog.summary_prompt"),
                options=(Option("submit", t(locale, "dialog.opt_submit")), Option("edit", t(locale, "dialog.opt_edit")),
                         Option("cancel", t(locale, "dialog.opt_cancel"))),
            ),
        ]

    def _edit_prompt(self, spec: DialogSpec, state: DialogState, locale: str) -> Prompt:
        fields = self.applicable(spec, state.answers)
        return Prompt(
            text=t(locale, "dialog.edit_prompt"),
            options=tuple(Option(f.id, f.label.get(locale)) for f in fields),
            controls=(t(locale, "dialog.ctl_back"),),
        )

    def _choose_edit(self, spec: DialogSpec, state: DialogState, locale: str, text: str) -> list[Message]:
        target = self._pick_field(spec, state, text, locale)
        if target is None:
            return [Notice(t(locale, "dialog.edit_unknown"), "warning"), self._edit_prompt(spec, state, locale)]
        state.current = target.id
        state.editing = True
        return self._ask_current(spec, state, locale)

    def _pick_field(self, spec: DialogSpec, state: DialogState, text: str, locale: str) -> FieldSpec | None:
        fields = self.applicable(spec, state.answers)
        word = fold(text)
        if word.isdigit() and 1 <= int(word) <= len(fields):
            return fields[int(word) - 1]
        for f in fields:
            if word in (fold(f.id), *(fold(v) for v in f.label.values.values())):
                return f
        return None

    async def _at_summary(self, session: AsyncSession, spec: DialogSpec, state: DialogState, hc: HookContext,
                          text: str, row: ConversationState) -> list[Message]:
        word = fold(text)
        parts = word.split()
        if parts and parts[0] in EDIT_WORDS - {"2"} and len(parts) > 1:
            target = self._pick_field(spec, state, " ".join(parts[1:]), hc.locale)
            if target is not None:
                state.current, state.editing = target.id, True
                return self._ask_current(spec, state, hc.locale)
        if word in EDIT_WORDS:
            state.current = EDIT
            return [self._edit_prompt(spec, state, hc.locale)]
        if word not in SUBMIT:
            return [Notice(t(hc.locale, "dialog.summary_unknown"), "warning")] + self._summary(spec, state, hc.locale)
        return await self._complete(session, spec, state, hc, row)

    async def _complete(self, session: AsyncSession, spec: DialogSpec, state: DialogState, hc: HookContext,
                        row: ConversationState) -> list[Message]:
        """Run the cross-field checks, then the completion hook, which ends the dialog."""
        answers = {f.id: state.answers.get(f.id) for f in self.applicable(spec, state.answers)}
        problem = self._cross_check(spec, answers, hc)
        if problem is not None:
            return self._ask_again(spec, state, hc, problem)
        # The row goes first, so that a hook may open the next dialog in this conversation;
        # if the hook fails, the whole unit of work is rolled back and nothing is lost.
        await session.delete(row)
        await session.flush()
        state.finished = True
        hc.engine = self
        return await self.hooks.COMPLETIONS[spec.on_complete](hc, answers)

    def _ask_again(self, spec: DialogSpec, state: DialogState, hc: HookContext,
                   problem: tuple[str, FieldError]) -> list[Message]:
        """A cross-field check failed: say why, and ask again the field it names."""
        field_id, error = problem
        state.current, state.editing = field_id, True
        return [Notice(error.message(hc.locale), "warning")] + self._ask_current(spec, state, hc.locale)

    def _cross_check(self, spec: DialogSpec, answers: dict[str, Answer],
                     hc: HookContext) -> tuple[str, FieldError] | None:
        """The first cross-field check that fails, the same for a conversation and a form."""
        for name in spec.checks:
            problem = self.hooks.CHECKS[name](answers, hc)
            if problem is not None:
                return problem
        return None
