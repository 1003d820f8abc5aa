"""Adaptive Cards that Teams accepts: every message kind, validated against the 1.5 schema;
text people typed never read as markup; long texts cut with a way to see the rest;
the intake form over HTTP with its conditional fields and errors."""

from __future__ import annotations

import json

import pytest
from support.teams import (
    IT_CHANNEL,
    card_errors,
    card_text,
    personal_conversation,
)
from support.teams_flows import ALICE, BOB, assert_accepted_by_microsoft, set_up_team, texts_to

from pmobot.adapters.teams import cards
from pmobot.conversation.forms import build
from pmobot.conversation.spec import load_builtin_specs
from pmobot.i18n import t
from pmobot.messages import Action, Card, CardField, FormRequest, Notice, Option, Prompt, Text

MARKUP = "**gras** _it_ [lien](https://evil.example) <b>html</b> {{DATE(2017-02-14T06:08:39Z, SHORT)}}\n- item\n# titre"
SPECS = load_builtin_specs()


def samples() -> list:  # type: ignore[type-arg]
    card = Card(title="NEED-7 · " + MARKUP, subtitle="Soumis", body=MARKUP,
                fields=(CardField("Demandeur", "Alice *Martin*"), CardField("Notes", MARKUP, short=False)),
                actions=(Action("need.claim", "Prendre", "NEED-7", "primary"),
                         Action("need.ask", "Demander", "NEED-7")),
                footer="Soumis le 26 nov.")
    forms = [build(spec, locale=locale, context={"need": "NEED-7", "question": "Combien ?"})
             for spec in SPECS.values() for locale in ("fr", "en")]
    refused = build(SPECS["estimate"], locale="en", values={"effort_low": 10}, typed={"cost": "lots"},
                    errors={"cost": "An amount, please", "effort_likely": "Below the optimistic one"},
                    error="Something is off", context={"need": "NEED-7"})
    return [
        Text(MARKUP), Notice(MARKUP, "warning"), Notice("ok", "success"), Notice("x", "error"), card,
        Prompt("Quelle direction ?", hint="Un numéro", options=(Option("sales", "Ventes"), Option("hr", "RH")),
               controls=("retour", "annuler"), step=4, steps=11),
        Prompt("Quels systèmes ?", options=(Option("crm", "CRM"), Option("erp", "ERP")), multiple=True),
        Text("x" * 200_000), Card(title="Big", fields=tuple(CardField(f"f{i}", "v" * 250) for i in range(800))),
        *forms, refused,
    ]


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_card_the_renderer_makes_passes_the_adaptive_card_1_5_schema(locale: str) -> None:
    for message in samples():
        card = cards.render(message, locale=locale)
        assert card_errors(card) == [], type(message).__name__
        assert card["version"] == "1.5"


def test_the_schema_check_can_fail() -> None:
    assert card_errors({"type": "AdaptiveCard", "version": "1.6", "body": [{"type": "Input.Rating"}]})


def test_typed_text_is_never_read_as_markup() -> None:
    card = cards.render(Card(title="T", body=MARKUP, fields=(CardField("Label *x*", "[a](b) _y_"),)), locale="fr")
    runs = [i for b in card["body"] if b["type"] == "RichTextBlock" for i in b["inlines"]]
    shown = "\n".join(r["text"] for r in runs)
    # TextRuns are never markdown: the text is there as typed, only date functions broken up.
    assert "**gras** _it_ [lien](https://evil.example) <b>html</b>" in shown
    assert "{{DATE" not in json.dumps(card) and "{\u200b{DATE" in shown
    assert not any(b["type"] == "TextBlock" for b in card["body"])
    fact = next(b for b in card["body"] if b["type"] == "FactSet")["facts"][0]
    assert fact == {"title": "Label \\*x\\*", "value": "\\[a\\](b) \\_y\\_"}


def test_markdown_escape_covers_line_starts() -> None:
    assert cards.markdown_escape("- a\n1. b\n# c\n> d") == "\\- a\n\\1. b\n\\# c\n\\> d"


def test_a_long_text_is_cut_with_a_button_that_shows_the_rest() -> None:
    words = " ".join(f"mot{i}" for i in range(2000))
    card = cards.render(Text(words), locale="fr")
    shown = " ".join(i["text"] for b in card["body"] if b["type"] == "RichTextBlock" for i in b["inlines"])
    assert len(shown) <= cards.SHOWN + 10 and shown.endswith("…")
    show = card["body"][-1]["actions"][0]
    assert show["type"] == "Action.ShowCard" and show["title"] == t("fr", "teams.show_rest")
    rest = " ".join(i["text"] for b in show["card"]["body"] for i in b["inlines"])
    assert (shown.removesuffix(" …") + " " + rest).split() == words.split()


def test_a_huge_text_keeps_the_card_under_80_kb_and_says_it_is_cut() -> None:
    card = cards.render(Text("é" * 300_000), locale="en")
    assert cards.size_of(card) <= 80 * 1024
    assert t("en", "teams.text_cut") in card_text(card)


def test_form_inputs_follow_the_field_types() -> None:
    form = build(SPECS["intake"], locale="fr", values={"personal_data": True})
    card = cards.render(form, locale="fr")
    inputs = {e["id"].removeprefix("field:"): e for e in card["body"] if e.get("id", "").startswith("field:")}
    assert inputs["title"]["type"] == "Input.Text" and not inputs["title"].get("isMultiline")
    assert inputs["problem"]["isMultiline"] is True and inputs["problem"]["isRequired"] is True
    assert inputs["problem"]["errorMessage"] == t("fr", "dialog.form_required")
    assert inputs["users_affected"]["type"] == "Input.Number"
    assert inputs["desired_date"]["type"] == "Input.Date"
    assert inputs["department"]["type"] == "Input.ChoiceSet" and inputs["department"]["style"] == "compact"
    assert inputs["systems"]["isMultiSelect"] is True and inputs["systems"]["style"] == "expanded"
    # Yes or no is an explicit choice (never a toggle that answers "no" untouched), here already made.
    assert inputs["personal_data"]["type"] == "Input.ChoiceSet" and inputs["personal_data"]["value"] == "yes"
    # The condition holds: its field is shown; the other one's does not.
    assert "personal_data_details" in inputs and "vendor_name" not in inputs
    verbs = [a["data"]["op"] for a in card["actions"]]
    assert verbs == ["submit", "redraw", "cancel"]
    estimate = cards.render(build(SPECS["estimate"], locale="en", context={"need": "NEED-1"}), locale="en")
    confidence = next(e for e in estimate["body"] if e.get("id") == "field:confidence")
    assert confidence["style"] == "expanded"


def test_a_form_keeps_its_context_in_every_button() -> None:
    form = FormRequest(spec_id="answer", title="Réponse", context={"need": "NEED-3", "question": "Combien ?"})
    card = cards.render(form, locale="fr")
    assert all(a["data"]["context"] == {"need": "NEED-3", "question": "Combien ?"} for a in card["actions"])


async def test_the_intake_form_in_teams_with_its_conditional_fields(teams, fake) -> None:  # type: ignore[no-untyped-def]
    await set_up_team(teams, fake, BOB)
    # "nouveau" typed in a personal chat, without /pmo, brings the intake form, pre-filled.
    await teams.post(teams.personal(ALICE, "nouveau suivi des contrats fournisseurs pour 20 personnes"))
    form = fake.cards_to(ALICE.chat)[-1]
    assert card_errors(form) == []
    ids = [e.get("id") for e in form["body"]]
    assert "field:personal_data" in ids and "field:personal_data_details" not in ids
    assert next(e for e in form["body"] if e.get("id") == "field:users_affected").get("value") == 20
    conversation = personal_conversation(ALICE)
    typed = {"field:title": "Suivi des contrats", "field:problem": "Tout est dans Excel, on perd des contrats.",
             "field:benefits": "Moins d'oublis", "field:department": "sales", "field:users_affected": "20",
             "field:personal_data": "true", "field:external_vendor": "false", "field:systems": "crm,erp"}
    status, body = await teams.post(teams.press(ALICE, form, t("fr", "teams.form_refresh"), inputs=typed,
                                                conversation=conversation))
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    redrawn = body["value"]
    assert card_errors(redrawn) == []
    ids = [e.get("id") for e in redrawn["body"]]
    assert "field:personal_data_details" in ids
    assert next(e for e in redrawn["body"] if e.get("id") == "field:problem")["value"] == typed["field:problem"]
    # Sent without the details now asked for: refused on the card, nothing filed.
    status, body = await teams.post(teams.press(ALICE, redrawn, t("fr", "dialog.form_submit"), inputs=typed,
                                                conversation=conversation))
    refused = body["value"]
    at = next(i for i, e in enumerate(refused["body"]) if e.get("id") == "field:personal_data_details")
    assert refused["body"][at + 1]["inlines"][0]["text"] == t("fr", "dialog.form_required")
    typed["field:personal_data_details"] = "Noms et e-mails des fournisseurs"
    status, body = await teams.post(teams.press(ALICE, refused, t("fr", "dialog.form_submit"), inputs=typed,
                                                conversation=conversation))
    done = card_text(body["value"])
    assert "NEED-1" in done
    await teams.deliver()
    it_card = texts_to(fake, IT_CHANNEL)
    assert "Suivi des contrats" in it_card and "Noms et e-mails des fournisseurs" in it_card
    assert_accepted_by_microsoft(fake)


async def test_cancelling_a_form_says_nothing_was_sent(teams, fake) -> None:  # type: ignore[no-untyped-def]
    await teams.post(teams.personal(ALICE, "/pmo nouveau"))
    form = fake.cards_to(ALICE.chat)[-1]
    status, body = await teams.post(teams.press(ALICE, form, t("fr", "dialog.form_cancel"),
                                                conversation=personal_conversation(ALICE)))
    assert status == 200 and t("fr", "teams.form_cancelled") in card_text(body["value"])
