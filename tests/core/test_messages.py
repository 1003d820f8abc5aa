"""Platform-neutral messages: they survive the outbox (JSON) and render as console text."""

from __future__ import annotations

import json

import pytest

from pmobot.adapters.console import render
from pmobot.messages import Action, Card, CardField, FormRequest, Notice, Option, Prompt, Text, from_dict, to_dict

SAMPLES = [
    Text("Bonjour <@U123> & <!channel>"),
    Notice("NEED-1 est soumis.", "success"),
    Card(title="NEED-1 · Suivi", subtitle="Soumis", body="Tout est dans Excel.",
         fields=(CardField("Budget", "30 000 €"), CardField("Détail", "long\ntext", short=False)),
         actions=(Action("need.claim", "Prendre en charge", "NEED-1", "primary"),), footer="Soumis le 26 nov."),
    Prompt(text="Combien ?", hint="Un nombre entier", options=(Option("a", "A"), Option("b", "B")), multiple=True,
           controls=("retour",), step=3, steps=11),
    FormRequest(spec_id="intake", title="Nouveau besoin", values={"title": "Suivi"}, context={"need": "NEED-1"}),
]


@pytest.mark.parametrize("message", SAMPLES, ids=lambda m: m.kind)
def test_every_message_round_trips_through_json(message) -> None:  # type: ignore[no-untyped-def]
    assert from_dict(json.loads(json.dumps(to_dict(message)))) == message


def test_user_text_stays_as_typed_in_the_message() -> None:
    # Escaping is the renderer's job: the message keeps what the person typed.
    assert to_dict(SAMPLES[0])["text"] == "Bonjour <@U123> & <!channel>"


def test_console_rendering_numbers_buttons_and_options() -> None:
    card = render(SAMPLES[2])
    assert card.splitlines()[0] == "┌─ NEED-1 · Suivi"
    assert "[1] Prendre en charge" in card and "Budget: 30 000 €" in card
    prompt = render(SAMPLES[3])
    assert prompt.startswith("(3/11) Combien\u00a0?")  # never wrapped before the "?"
    assert "1) A  2) B" in prompt and "[retour]" in prompt
    assert render(SAMPLES[1]).startswith("✓ NEED-1")


def test_rendering_an_unknown_object_is_an_error() -> None:
    with pytest.raises(TypeError):
        render(object())  # type: ignore[arg-type]


def test_console_labels_follow_the_readers_typography() -> None:
    card = Card(title="T", fields=(CardField("Titre", "Outil"), CardField("Problème", "long\ntext", short=False)))
    french = render(card, locale="fr")
    assert "Titre\u202f: Outil" in french and "Problème\u202f:" in french
    assert "Title: Tool" in render(Card(title="T", fields=(CardField("Title", "Tool"),)), locale="en")
