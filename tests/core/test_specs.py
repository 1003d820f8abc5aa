"""Dialog specs: the shipped ones load, and broken ones fail loudly at start-up."""

from __future__ import annotations

import pytest

from pmobot.conversation.engine import DialogEngine
from pmobot.conversation.hooks import check_hooks
from pmobot.conversation.spec import SpecError, load_builtin_specs, load_spec_text
from pmobot.dialogs import hooks

GOOD = """
id: sample
title: {en: Sample, fr: Exemple}
on_complete: submit_need
fields:
  - id: a
    type: yes_no
    label: {en: A, fr: A}
    prompt: {en: "A?", fr: "A ?"}
  - id: b
    type: text
    when: a == yes
    label: {en: B, fr: B}
    prompt: {en: "B?", fr: "B ?"}
"""


def test_shipped_specs_load_and_name_existing_hooks() -> None:
    specs = load_builtin_specs()
    assert {"intake", "estimate", "question", "answer"} <= set(specs)
    check_hooks(specs, hooks)


def test_a_good_spec_parses() -> None:
    spec = load_spec_text(GOOD)
    assert [f.id for f in spec.fields] == ["a", "b"] and spec.field("b").when == "a == yes"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("type: text\n    when", "type: banana\n    when"), "type must be one of"),
        (("label: {en: B, fr: B}", "label: {en: B}"), "missing locale"),
        (("when: a == yes", "when: c == yes"), "not an earlier field"),
        (("when: a == yes", "when: a ==="), "bad condition"),
        (("  - id: b", "  - id: a"), "appears twice"),
        (("    type: yes_no", "    type: yes_no\n    colour: red"), "unknown key"),
        (("label: {en: A, fr: A}", "label: Just one string"), "every locale"),
    ],
)
def test_broken_specs_say_where_and_why(change: tuple[str, str], message: str) -> None:
    with pytest.raises(SpecError, match=message):
        load_spec_text(GOOD.replace(*change), "sample.yaml")


def test_an_unknown_hook_stops_the_engine_from_starting() -> None:
    spec = load_spec_text(GOOD.replace("on_complete: submit_need", "on_complete: launch_rockets"))
    with pytest.raises(SpecError, match="launch_rockets"):
        DialogEngine(specs={"sample": spec}, hooks=hooks, today=lambda: None, default_currency="EUR")


def test_a_yaml_syntax_error_is_a_spec_error_naming_the_file() -> None:
    with pytest.raises(SpecError, match=r"broken\.yaml"):
        load_spec_text("id: x\nfields: [", "broken.yaml")


def test_a_choice_field_needs_choices() -> None:
    with pytest.raises(SpecError, match="needs a list of choices"):
        load_spec_text(GOOD.replace("type: yes_no", "type: choice"))


def test_the_intake_asks_about_personal_data_details_only_when_there_are_some() -> None:
    from pmobot.conversation.expr import parse_expression

    intake = load_builtin_specs()["intake"]
    condition = parse_expression(intake.field("personal_data_details").when or "")
    assert condition.evaluate({"personal_data": True}) is True
    assert condition.evaluate({"personal_data": False}) is False
    assert condition.evaluate({}) is False
