"""Field types are objects in one registry; the engine's state is a typed object.

A new field type is a class and one entry in FIELD_TYPES: specs accept it, the
conversation asks it, and both platforms' form renderers draw it from its
widget, with no platform code of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from pmobot.adapters.slack.modals import form_view, read_state
from pmobot.adapters.teams import cards
from pmobot.app import App
from pmobot.conversation import fieldtypes, forms
from pmobot.conversation.errors import FieldError, Num
from pmobot.conversation.fieldtypes import FIELD_TYPES, ParseContext, parse_answer
from pmobot.conversation.fieldtypes.base import Answer, FieldType, check_range
from pmobot.conversation.numbers import parse_quantity
from pmobot.conversation.spec import FieldSpec, SpecError, parse_spec
from pmobot.conversation.state import SUMMARY, DialogState
from pmobot.domain.models import ConversationState
from pmobot.messages import Widget
from pmobot.services.people import Identity

ERIN = Identity(platform="console", external_id="erin", display_name="Erin Leroy", handle="erin", locale="en")


def spec_of(*fields: dict[str, Any]) -> Any:
    return parse_spec({"id": "t", "title": {"en": "T", "fr": "T"}, "on_complete": "noop", "fields": [
        {"prompt": {"en": "Q?", "fr": "Q ?"}, "label": {"en": "Q", "fr": "Q"}, **f} for f in fields]})


def test_every_type_a_spec_may_name_is_in_the_registry_with_a_widget() -> None:
    assert set(FIELD_TYPES) == {"text", "long_text", "integer", "number", "money", "date", "choice",
                                "multi_choice", "yes_no", "user", "lines"}
    assert {kind.widget for kind in FIELD_TYPES.values()} <= set(Widget)
    assert FIELD_TYPES["yes_no"].widget == Widget.SINGLE_CHOICE  # an explicit choice, never a toggle


def test_specs_are_checked_against_the_registry() -> None:
    with pytest.raises(SpecError, match="type must be one of text, long_text"):
        spec_of({"id": "a", "type": "colour"})
    with pytest.raises(SpecError, match="only fields of type choice, multi_choice have choices"):
        spec_of({"id": "a", "type": "text", "choices": [{"value": "x", "label": {"en": "X", "fr": "X"}}]})
    assert spec_of({"id": "a", "type": "long_text"}).fields[0].max_length == 3000


class PercentType(FieldType):
    """What a later issue's ``percentage`` could look like: a class, nothing else."""

    name = "percent_test"
    widget = Widget.WHOLE_NUMBER

    def parse(self, field: FieldSpec, text: str, ctx: ParseContext) -> Answer:
        value = parse_quantity(text.replace("%", ""), locale=ctx.locale, style="locale", error="field.error.integer")
        check_range(field, value, Num)
        return int(value)

    def hint(self, field: FieldSpec, locale: str) -> str:
        return "0 to 100"


def test_a_new_field_type_is_one_class_in_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FIELD_TYPES, "percent_test", PercentType())
    spec = spec_of({"id": "done", "type": "percent_test", "min": 0, "max": 100})
    ctx = ParseContext("en", datetime(2026, 11, 26).date())
    assert parse_answer(spec.fields[0], "40 %", ctx) == 40
    with pytest.raises(FieldError):
        parse_answer(spec.fields[0], "140", ctx)
    # Both platforms draw it from its widget, and hand back what was typed, raw.
    form = forms.build(spec, locale="en", values={"done": 40})
    view = form_view(form, locale="en", key="k")
    element = view["blocks"][0]["element"]
    assert element["type"] == "number_input" and element["initial_value"] == "40"
    assert read_state({"state": {"values": {"done": {element["action_id"]: {"type": "number_input",
                                                                              "value": "55"}}}}}) == {"done": "55"}
    card = cards.render(form, locale="en")
    assert next(e for e in card["body"] if e.get("id") == "field:done")["type"] == "Input.Number"
    reading = forms.read(spec, {"done": "55"}, ctx=ctx, validators={}, hook_context=None)  # type: ignore[arg-type]
    assert reading.answers == {"done": 55}


def test_money_reads_back_and_shows_in_the_readers_way() -> None:
    spec = spec_of({"id": "budget", "type": "money", "max": 100000})
    f = spec.fields[0]
    ctx = ParseContext("fr", datetime(2026, 11, 26).date())
    assert FIELD_TYPES["money"].read(f, "30 k€", ctx) == {"amount": "30000", "currency": "EUR"}
    assert fieldtypes.format_value(f, {"amount": "30000", "currency": "EUR"}, "fr").startswith("30")
    with pytest.raises(FieldError):
        FIELD_TYPES["money"].check(f, {"amount": str(Decimal(200000)), "currency": "EUR"}, ctx)


# -- the engine's state ------------------------------------------------------------------------


OLD_ROW = {  # a state saved before DialogState existed: no "rejected", no "finished"
    "answers": {"title": "Suivi des contrats"}, "prefilled": [], "skipped": [], "history": ["title"],
    "current": "problem", "editing": False, "context": {"opening_text": "x"},
}


def test_the_state_reads_rows_of_the_old_shape_and_writes_the_same_keys() -> None:
    state = DialogState.from_json(OLD_ROW)
    assert state.current == "problem" and state.rejected == {} and state.finished is False
    assert state.to_json() == {**OLD_ROW, "rejected": {}, "finished": False, "cancelling": False}
    assert DialogState.from_json(state.to_json()) == state
    assert DialogState(current=SUMMARY).at_summary


async def test_a_conversation_saved_in_the_old_shape_goes_on(app: App) -> None:
    await app.chat.on_command(ERIN, "console:erin", "new")
    now = datetime(2026, 11, 26, 9, tzinfo=UTC)
    async with app.db.session() as session:
        row = (await session.exec(select(ConversationState))).one()
        row.state = dict(OLD_ROW)
        row.updated_at = now
        session.add(row)
    await app.chat.on_text(ERIN, "console:erin", "Contracts live in spreadsheets and renewals are missed.")
    async with app.db.session() as session:
        row = (await session.exec(select(ConversationState))).one()
    assert row.state["answers"] == {"title": "Suivi des contrats",
                                    "problem": "Contracts live in spreadsheets and renewals are missed."}
    assert row.state["current"] == "benefits" and row.state["history"] == ["title", "problem"]


def test_a_list_item_loses_its_mark_but_keeps_a_figure_it_starts_with() -> None:
    from pmobot.domain.scope import clean_items

    typed = ["- Contract list", "2. Renewal alerts", "b) Export", "2FA for all staff", "30% fewer calls",
             "A. Martin signs off", "• Contract list"]
    assert clean_items(typed) == ("Contract list", "Renewal alerts", "Export", "2FA for all staff",
                                  "30% fewer calls", "A. Martin signs off")
