"""One spec, three platforms, the same stored answers.

Each test runs one dialog spec in the console's chat (one question per
message), in a Slack modal and in a Teams card, on one server with the real
slack-bolt and botbuilder code, and compares what was stored. Forms are
submitted the way each client submits them: Slack sends what each input
holds (nothing for an untouched radio), Teams sends every input's value as
the card shows it (a toggle's "off" value when untouched).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select
from support.cross import Both
from support.teams import card_errors, card_text, personal_conversation
from support.teams_flows import ALICE

from pmobot.adapters.slack import modals as slack_modals
from pmobot.conversation.spec import DialogSpec, parse_spec
from pmobot.dialogs import hooks
from pmobot.domain.models import Need
from pmobot.i18n import t
from pmobot.messages import Message, Notice, Prompt
from pmobot.services.people import Identity

CARLA = "UCARLA"  # Slack, English
CONSOLE = Identity(platform="console", external_id="erin", display_name="Erin Leroy", handle="erin", locale="en")


def client_inputs(card: dict[str, Any], typed: dict[str, Any]) -> dict[str, Any]:
    """What a Teams client sends for a form card: every input's value as it stands, then what was typed."""
    values: dict[str, Any] = {}
    for element in card.get("body", []):
        if not str(element.get("type", "")).startswith("Input."):
            continue
        if element["type"] == "Input.Toggle":
            values[element["id"]] = element.get("value", element.get("valueOff", "false"))
        elif "value" in element:
            values[element["id"]] = element["value"]
    return {**values, **{f"field:{k}": v for k, v in typed.items()}}


async def chat_through(both: Both, spec: DialogSpec, answers: dict[str, str], *, first: list[Message],
                       stop_at: str | None = None) -> list[Message]:
    """Answer a console conversation question by question, by field id (the prompt names the field),
    until a prompt that is no question (the summary, the end) or the question ``stop_at``."""
    by_prompt = {f.prompt.get("en"): f.id for f in spec.fields}
    out = first
    for _ in range(len(spec.fields) + 5):
        prompts = [m for m in out if isinstance(m, Prompt)]
        if not prompts or prompts[-1].text not in by_prompt or by_prompt[prompts[-1].text] == stop_at:
            return out
        out = await both.slack.app.chat.on_text(CONSOLE, "console:erin", answers[by_prompt[prompts[-1].text]])
    raise AssertionError("the conversation did not end")


# -- a required yes/no is an explicit answer everywhere ----------------------------------------------

INTAKE = {
    "title": "Supplier contract tracker", "problem": "Contracts live in spreadsheets and renewals are missed.",
    "benefits": "Fewer missed renewals", "department": "sales", "users_affected": "20", "external_vendor": "no",
}
CHAT_SKIPS = {"sponsor": "skip", "desired_date": "skip", "budget": "skip", "systems": "skip"}


async def stored_needs(both: Both) -> list[Need]:
    async with both.slack.app.db.session() as session:
        return list((await session.exec(select(Need).order_by(Need.number))).all())


def _answers(need: Need) -> dict[str, Any]:
    """What the person answered, as stored (not who, where or when)."""
    return need.model_dump(include={"title", "problem", "benefits", "department", "sponsor", "users_affected",
                                    "desired_date", "budget", "currency", "systems", "personal_data",
                                    "external_vendor", "extra"})


async def test_a_required_yes_no_left_alone_is_refused_on_every_platform(both: Both) -> None:
    slack, teams, ms = both.slack, both.teams, both.microsoft
    spec = slack.app.engine.specs["intake"]

    # Console: "skip" on the GDPR question is refused; "no" is an answer.
    answers = {**INTAKE, **CHAT_SKIPS, "personal_data": "no"}
    first = await slack.app.chat.on_command(CONSOLE, "console:erin", "new")
    await chat_through(both, spec, answers, first=first, stop_at="personal_data")
    out = await slack.app.chat.on_text(CONSOLE, "console:erin", "skip")
    assert t("en", "dialog.required") in [m.text for m in out if isinstance(m, Notice)]
    out = await chat_through(both, spec, answers, first=out)
    assert await stored_needs(both) == []
    await slack.app.chat.on_text(CONSOLE, "console:erin", "submit")
    assert len(await stored_needs(both)) == 1

    # Slack: nothing is pre-selected; left alone, the modal is refused under the question.
    await slack.command(CARLA, "new")
    await slack.settle(deliver=False)
    view = slack.opened_view()
    gdpr = next(b for b in view["blocks"] if b.get("block_id") == "personal_data")
    assert gdpr["optional"] is False and "initial_option" not in gdpr["element"]
    body = await slack.submitted(CARLA, view, INTAKE)
    assert body["response_action"] == "errors" and set(body["errors"]) == {"personal_data"}
    assert len(await stored_needs(both)) == 1
    body = await slack.submitted(CARLA, view, {**INTAKE, "personal_data": "no"})
    assert body["response_action"] == "update" and "NEED-2" in str(body["view"]["blocks"])

    # Teams: an explicit choice with nothing chosen, never a toggle that sends "no" untouched.
    await teams.post(teams.personal(ALICE, "/pmo new"))
    form = ms.cards_to(ALICE.chat)[-1]
    gdpr = next(e for e in form["body"] if e.get("id") == "field:personal_data")
    assert gdpr["type"] == "Input.ChoiceSet" and gdpr["isRequired"] is True and "value" not in gdpr
    send = t("fr", "dialog.form_submit")
    status, body = await teams.post(teams.press(ALICE, form, send, inputs=client_inputs(form, INTAKE),
                                                conversation=personal_conversation(ALICE)))
    assert status == 200 and t("fr", "dialog.form_required") in card_text(body["value"])
    assert len(await stored_needs(both)) == 2
    refused = body["value"]
    status, body = await teams.post(teams.press(
        ALICE, refused, send, inputs=client_inputs(refused, {**INTAKE, "personal_data": "no"}),
        conversation=personal_conversation(ALICE)))
    assert status == 200 and card_errors(body["value"]) == []

    # The same answers were stored, whichever platform they were given on.
    needs = await stored_needs(both)
    assert len(needs) == 3
    assert _answers(needs[0]) == _answers(needs[1]) == _answers(needs[2])
    assert needs[0].personal_data is False


# -- a long spec loses no field ------------------------------------------------------------------

LONG_FIELDS = 120
_KINDS = ("text", "integer", "choice", "yes_no", "date", "multi_choice")


def long_spec() -> DialogSpec:
    """120 questions of every kind: more than a Slack modal's 100 blocks."""
    choices = [{"value": v, "label": {"en": v.title(), "fr": v.title()}} for v in ("red", "green", "blue")]
    fields = []
    for i in range(LONG_FIELDS):
        kind = _KINDS[i % len(_KINDS)]
        raw: dict[str, Any] = {"id": f"q{i}", "type": kind, "prompt": {"en": f"Question {i}?", "fr": f"Question {i} ?"},
                               "label": {"en": f"Q{i}", "fr": f"Q{i}"}}
        if kind in ("choice", "multi_choice"):
            raw["choices"] = choices
        fields.append(raw)
    return parse_spec({"id": "intake", "title": {"en": "Long", "fr": "Long"}, "on_complete": "record_long",
                       "confirm": False, "fields": fields}, "long.yaml")


def typed_answer(i: int) -> str:
    return {"text": f"Answer {i}", "integer": str(i), "choice": "green", "yes_no": "yes" if i % 2 else "no",
            "date": "2027-03-15", "multi_choice": "red, blue"}[_KINDS[i % len(_KINDS)]]


def form_answer(i: int) -> Any:
    """The same answer as a form input holds it (a picked option, a list of them)."""
    return ["red", "blue"] if _KINDS[i % len(_KINDS)] == "multi_choice" else typed_answer(i)


@pytest.fixture
def recorded(both: Both, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """The long spec in place of the intake, its answers recorded by platform."""
    out: list[tuple[str, dict[str, Any]]] = []

    async def record_long(hc: hooks.HookContext, answers: dict[str, Any]) -> list[Message]:
        out.append((hc.platform, answers))
        return [Notice("Recorded", "success")]

    monkeypatch.setitem(hooks.COMPLETIONS, "record_long", record_long)
    monkeypatch.setitem(both.slack.app.engine.specs, "intake", long_spec())
    return out


async def test_a_spec_longer_than_a_slack_modal_is_paged_without_losing_a_field(
        both: Both, recorded: list[tuple[str, dict[str, Any]]]) -> None:
    slack, teams, ms = both.slack, both.teams, both.microsoft
    spec = slack.app.engine.specs["intake"]

    # Console: one question per message.
    first = await slack.app.chat.on_command(CONSOLE, "console:erin", "new")
    await chat_through(both, spec, {f"q{i}": typed_answer(i) for i in range(LONG_FIELDS)}, first=first)

    # Slack: page after page ("Next"), every answer carried to the last one.
    await slack.command(CARLA, "new")
    await slack.settle(deliver=False)
    view = slack.opened_view()
    seen: list[str] = []
    for _ in range(10):
        assert len(view["blocks"]) <= 100
        on_page = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
        seen += on_page
        answers = {fid: form_answer(int(fid[1:])) for fid in on_page}
        body = await slack.submitted(CARLA, view, answers)
        assert body["response_action"] == "update", body
        if body["view"]["callback_id"] != slack_modals.FORM_CALLBACK:
            break  # done: the result
        assert body["view"]["submit"]["text"] in (t("en", "slack.form_next"), t("en", "dialog.form_submit"))
        view = {**body["view"], "id": view.get("id"), "hash": view.get("hash")}
    assert seen == [f"q{i}" for i in range(LONG_FIELDS)]
    assert "Recorded" in str(body["view"]["blocks"])

    # Teams: one card holds them all.
    await teams.post(teams.personal(ALICE, "/pmo new"))
    form = ms.cards_to(ALICE.chat)[-1]
    answers = {f"q{i}": ",".join(a) if isinstance(a := form_answer(i), list) else a for i in range(LONG_FIELDS)}
    status, body = await teams.post(teams.press(ALICE, form, t("fr", "dialog.form_submit"),
                                                inputs=client_inputs(form, answers),
                                                conversation=personal_conversation(ALICE)))
    assert status == 200 and "Recorded" in card_text(body["value"])

    assert [platform for platform, _ in recorded] == ["console", "slack", "teams"]
    console, slack_answers, teams_answers = (answers for _, answers in recorded)
    assert len(console) == LONG_FIELDS and None not in console.values()
    assert console == slack_answers == teams_answers
