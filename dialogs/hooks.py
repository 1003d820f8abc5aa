"""Named hooks that the specs in this folder refer to.

A spec names a validator (``validate:``), a cross-field check (``checks:``)
or a completion (``on_complete:``); the engine looks them up in the three
tables at the end of this file. Hooks call services, never a platform SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pmobot.conversation.errors import FieldError, Localizable, number_param
from pmobot.conversation.hooks import Check, Completion, HookContext, Validator
from pmobot.messages import Message
from pmobot.services import (
    assessment,
    changes,
    committee,
    committee_questions,
    duplicates,
    estimation,
    questions,
    review_record,
    scope_record,
    status_flow,
    status_values,
)
from pmobot.services.errors import Refusal, Refused, shown


def meaningful_text(value: Any, answers: dict[str, Any], hc: HookContext) -> FieldError | None:
    """Refuse placeholders such as 'test', '???' or 'xxx' for a title."""
    letters = [c for c in str(value) if c.isalpha()]
    if len(set(c.lower() for c in letters)) < 3 or str(value).strip().lower() in {"test", "todo", "tbd", "xxx", "n/a"}:
        return FieldError("dialogs.not_meaningful")
    return None


def effort_order(answers: dict[str, Any], hc: HookContext) -> tuple[str, FieldError] | None:
    """Optimistic ≤ likely ≤ pessimistic, else re-ask the likely figure."""
    # The fields are found by the Estimate attribute they fill, as the record reads them.
    spec = hc.core.specs["estimate"]
    low_id, likely_id, high_id = (estimation.estimate_field(spec, c).id
                                  for c in ("effort_low", "effort_likely", "effort_high"))
    low, likely, high = answers.get(low_id), answers.get(likely_id), answers.get(high_id)
    if low is None or likely is None or high is None:
        return None
    if low > likely:
        return likely_id, FieldError("dialogs.effort_below_low", {"low": number_param(low)})
    if likely > high:
        return high_id, FieldError("dialogs.effort_above_high", {"likely": number_param(likely)})
    return None


_CHANGES = ("new_end", "new_budget", "scope_add", "scope_remove", "scope_note")


def one_change(answers: dict[str, Any], hc: HookContext) -> tuple[str, FieldError] | None:
    """A change request changes something: the end date, the budget or the scope. Known as soon as
    the last of them is answered or skipped (the engine checks what is settled after each skip),
    so the person is told then, on that question, with the way out."""
    if any(name not in answers for name in _CHANGES):
        return None  # not every change asked yet
    if (answers.get("new_end") or answers.get("new_budget") or answers.get("scope_add") or answers.get("scope_remove")
            or str(answers.get("scope_note") or "").strip()):
        return None
    return "new_end", FieldError("dialogs.one_change")


@dataclass(frozen=True)
class _Shown(Localizable):
    """A refusal's parameter (a day, a number, an amount), written the reader's way."""

    value: Any

    def render(self, locale: str) -> str:
        return shown(self.value, locale)


def _field_error(refusal: Refusal) -> FieldError:
    """A service's refusal said on the form's field, in the same words as the service would."""
    return FieldError(refusal.key, {k: _Shown(v) for k, v in refusal.params.items()})


def change_end(value: Any, answers: dict[str, Any], hc: HookContext) -> FieldError | None:
    """A new end the baseline could hold (``changes.end_refusal``), against the project as it
    was when the form opened; the change is checked again when it is sent."""
    start = hc.context.get("start")
    if start is None:
        return None
    marks = [(str(name), date.fromisoformat(due)) for name, due in hc.context.get("marks", [])]
    if str(value) == hc.context.get("end"):
        return None  # the same end: nothing moves, and nothing to check
    refusal = changes.end_refusal(date.fromisoformat(str(value)), start=date.fromisoformat(start),
                                  today=hc.core.today(), marks=marks, calendar=hc.core.calendar)
    return _field_error(refusal) if refusal else None


def change_budget(value: Any, answers: dict[str, Any], hc: HookContext) -> FieldError | None:
    """A new budget in the project's own currency (``changes.budget_refusal``)."""
    currency = hc.context.get("currency")
    if not currency or not isinstance(value, dict):
        return None
    refusal = changes.budget_refusal(str(value.get("currency") or ""), project_currency=str(currency))
    return _field_error(refusal) if refusal else None


def checkin_percent_reason(answers: dict[str, Any], hc: HookContext) -> tuple[str, FieldError] | None:
    """A percent below the last update's needs a reason (the form carries the last one in its context);
    said as soon as the reason is skipped."""
    if "percent_reason" not in answers or answers.get("percent_complete") is None:
        return None  # not asked yet
    last = str(hc.context.get("last_percent") or "")
    refusal = status_values.percent_refusal(float(answers["percent_complete"]), last=float(last) if last else None,
                                            reason=str(answers.get("percent_reason") or ""))
    return ("percent_reason", _field_error(refusal)) if refusal else None


def checkin_spend(value: Any, answers: dict[str, Any], hc: HookContext) -> FieldError | None:
    """Spend to date in the baseline's currency (``status_values.spend_refusal``)."""
    currency = str(hc.context.get("currency") or "")
    if not currency or not isinstance(value, dict):
        return None
    refusal = status_values.spend_refusal(Decimal(str(value.get("amount") or 0)), str(value.get("currency") or ""),
                                          project_currency=currency)
    return _field_error(refusal) if refusal else None


def checkin_forecasts(value: Any, answers: dict[str, Any], hc: HookContext) -> FieldError | None:
    """Each line a milestone of the project and a date (``status_values.read_forecasts``)."""
    names = [n for n in str(hc.context.get("milestones") or "").split("\n") if n.strip()]
    try:
        status_values.read_forecasts(str(value), today=hc.core.today(),
                                     milestones=[(i, n) for i, n in enumerate(names)])
    except Refused as exc:
        return _field_error(exc.refusal)
    return None


async def submit_need(hc: HookContext, answers: dict[str, Any]) -> list[Message]:
    """Send the need, or first show the needs like it (``services.duplicates``)."""
    return await duplicates.file_need(
        hc.session, core=hc.core, actor=hc.actor, answers=answers,
        source_platform=hc.platform, source_conversation=hc.conversation_key,
        opening_message=str(hc.context.get("opening_text") or ""),
    )


async def record_estimate(hc: HookContext, answers: dict[str, Any]) -> list[Message]:
    return await estimation.record_estimate(
        hc.session, core=hc.core, actor=hc.actor, key=str(hc.context["need"]), answers=answers
    )


async def record_assessment(hc: HookContext, answers: dict[str, Any]) -> list[Message]:
    return await assessment.record_assessment(hc.session, core=hc.core, actor=hc.actor, key=str(hc.context["need"]),
                                              answers=answers)


async def record_review(hc: HookContext, answers: dict[str, Any]) -> list[Message]:
    return await review_record.record(hc.session, core=hc.core, actor=hc.actor, key=str(hc.context["need"]),
                                      answers=answers)


async def record_scope(hc: HookContext, answers: dict[str, Any]) -> list[Message]:
    return await scope_record.record(hc.session, core=hc.core, actor=hc.actor, key=str(hc.context["need"]),
                                     answers=answers)


async def ask_scope_changes(hc: HookContext, answers: dict[str, Any]) -> list[Message]:
    return await scope_record.ask_changes(hc.session, core=hc.core, actor=hc.actor, key=str(hc.context["need"]),
                                          version=int(str(hc.context.get("version") or 0)) or None,
                                          item=int(answers.get("item") or 0), comment=str(answers.get("comment") or ""))


def scope_item(value: Any, answers: dict[str, Any], hc: HookContext) -> FieldError | None:
    """An item the version has (its number on the card), or 0 for the scope as a whole."""
    count = int(str(hc.context.get("items") or 0))
    if count and int(value) > count:
        return FieldError("scope.error.no_item", {"item": int(value), "count": count})
    return None


async def ask_question(hc: HookContext, answers: dict[str, Any]) -> list[Message]:
    return await questions.ask(hc.session, core=hc.core, actor=hc.actor, key=str(hc.context["need"]),
                               text=answers["text"])


async def answer_question(hc: HookContext, answers: dict[str, Any]) -> list[Message]:
    return await questions.answer(hc.session, core=hc.core, actor=hc.actor, key=str(hc.context["need"]),
                                  text=answers["text"])


async def route_free_text(hc: HookContext, answers: dict[str, Any]) -> list[Message]:
    """Send the message that was typed about the need (as the answer to IT, or as a reply about
    it: ``questions.reply`` picks the direction), or open an intake with it."""
    text = str(hc.context["text"])
    if answers["intent"] == "answer":
        return await questions.answer(hc.session, core=hc.core, actor=hc.actor, key=str(hc.context["need"]),
                                      text=text)
    if answers["intent"] == "about":
        return await questions.reply(hc.session, core=hc.core, actor=hc.actor, key=str(hc.context["need"]),
                                     text=text)
    assert hc.engine is not None  # the engine hands itself to every completion it runs
    return await hc.engine.start(hc.session, hc=hc.fresh(), spec_id="intake", opening_text=text)


async def request_change(hc: HookContext, answers: dict[str, Any]) -> list[Message]:
    return list(await changes.request_change(hc.session, core=hc.core, actor=hc.actor, key=str(hc.context["project"]),
                                             answers=answers))


async def record_status(hc: HookContext, answers: dict[str, Any]) -> list[Message]:
    return await status_flow.record_answers(hc.session, core=hc.core, actor=hc.actor,
                                            key=str(hc.context.get("project") or ""), answers=answers)


async def cast_vote(hc: HookContext, answers: dict[str, Any]) -> list[Message]:
    return await committee.vote(hc.session, core=hc.core, actor=hc.actor, key=str(hc.context["need"]),
                                choice=committee.choice_of(str(hc.context.get("choice", ""))),
                                reason=answers["reason"])


async def request_info(hc: HookContext, answers: dict[str, Any]) -> list[Message]:
    return await committee_questions.request_info(hc.session, core=hc.core, actor=hc.actor,
                                                  key=str(hc.context["need"]), text=answers["text"],
                                                  to=str(answers["to"]))


VALIDATORS: dict[str, Validator] = {"meaningful_text": meaningful_text, "change_end": change_end,
                                    "change_budget": change_budget, "checkin_spend": checkin_spend,
                                    "checkin_forecasts": checkin_forecasts, "scope_item": scope_item}
CHECKS: dict[str, Check] = {"effort_order": effort_order, "one_change": one_change,
                            "checkin_percent_reason": checkin_percent_reason}
COMPLETIONS: dict[str, Completion] = {
    "submit_need": submit_need,
    "record_estimate": record_estimate,
    "record_assessment": record_assessment,
    "record_review": record_review,
    "ask_question": ask_question,
    "answer_question": answer_question,
    "route_free_text": route_free_text,
    "request_change": request_change,
    "cast_vote": cast_vote,
    "request_info": request_info,
    "record_status": record_status,
    "record_scope": record_scope,
    "ask_scope_changes": ask_scope_changes,
}
