"""clean_text: the one cleaning of text that comes in, whatever the platform."""

from __future__ import annotations

import pytest

from pmobot.conversation.text import clean_line, clean_text


@pytest.mark.parametrize(("typed", "kept"), [
    ("Outil\x01de suivi", "Outil de suivi"),  # a control character between words is a space
    ("Outil\x00\x01\x02de", "Outil de"),  # a run of them, one space
    ("Outil \x00de", "Outil de"),  # beside a space it just goes: no double space
    ("\x00Outil de\x00", "Outil de"),
    ("a\x7fb\x85c", "a b c"),  # DEL and C1 controls too
    ("un\ttab\net une ligne\r\npuis\rune autre", "un\ttab\net une ligne\npuis\nune autre"),
    ("ligne\u2028suivante", "ligne\nsuivante"),
])
def test_control_characters_never_glue_words_together(typed: str, kept: str) -> None:
    assert clean_text(typed) == kept


@pytest.mark.parametrize(("typed", "kept"), [
    ("\x1b[31mrouge\x1b[0m vif", "rouge vif"),  # colours (CSI), removed whole
    ("efface\x1b[2J\x1b[H tout", "efface tout"),
    ("\x1b[38;5;208morange", "orange"),
    ("titre \x1b]0;pwned\x07ok", "titre ok"),  # a window title (OSC ended by BEL)
    ("lien \x1b]8;;https://x.example\x1b\\ici\x1b]8;;\x1b\\ fin", "lien ici fin"),  # OSC ended by ST
    ("reset\x1bc ici", "reset ici"),  # a two-character escape
    ("x\x9b1;2my", "xy"),  # the 8-bit CSI
    ("a\x1b]non terminé", "anon terminé"),  # an unterminated string loses its introducer only
])
def test_terminal_escape_sequences_go_whole(typed: str, kept: str) -> None:
    assert clean_text(typed) == kept


def test_bidi_overrides_and_isolates_go() -> None:
    assert clean_text("facture\u202egnp.exe") == "facturegnp.exe"
    assert clean_text("\u2066a\u2067b\u2068c\u2069\u202a\u202b\u202c\u202d") == "abc"
    assert clean_text("مرحبا hello") == "مرحبا hello"  # right-to-left text itself stays


def test_lone_surrogates_go_and_pairs_make_their_character() -> None:
    assert clean_text("demi\ud800caractère") == "demicaractère"
    assert clean_text("merci \ud83d\ude00") == "merci 😀"
    assert clean_text("fin\udc00") == "fin"


def test_clean_text_keeps_what_people_write() -> None:
    text = "Budget : 30 k€ — « urgent » 😀\n\tdétail"
    assert clean_text(text) == text
    assert clean_text("cafe\u0301") == "café"  # one form for the same letters


def test_clean_line_puts_a_name_on_one_line() -> None:
    assert clean_line(" Alice\n\tMartin\x00\u202e ") == "Alice Martin"
    assert clean_line("Bob\x01Smith") == "Bob Smith"


def test_a_control_character_beside_punctuation_leaves_no_space() -> None:
    assert clean_text("Excel\x07, on perd\x00.") == "Excel, on perd."
    assert clean_text("(\x00CRM\x00)") == "(CRM)"
