"""Text normalisation: the one home for folding and cleaning what people type.

Every comparison of words (commands, control words, choices, names) folds
both sides with ``fold``; every piece of text that is stored is cleaned with
``clean_text``. Nothing here knows a field, a dialog or a platform.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})


def fold_keep(text: str) -> str:
    """Lower-case, accent-free text of exactly the same length as ``text``.

    Keeping positions lets callers find a span in the folded text and cut the
    original at the same place.
    """
    out = []
    for ch in text.translate(_APOSTROPHES):
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
        out.append(base if len(base) == 1 else (ch.lower() if len(ch.lower()) == 1 else ch))
    return "".join(out)


def fold(text: str) -> str:
    """Text for matching words: no accents, lower case, typographic apostrophes
    made plain, single spaces, no surrounding space."""
    return re.sub(r"\s+", " ", fold_keep(unicodedata.normalize("NFC", text))).strip()


def name_key(text: str) -> str:
    """Looser than fold, for names: punctuation and underscores count as spaces."""
    return re.sub(r"[\W_]+", " ", fold(text)).strip()


# Terminal escape sequences (ANSI / VT100, 7- and 8-bit), removed whole so that no
# "[31m" is left behind: a control string (OSC, DCS, SOS, PM, APC) up to its
# terminator, a CSI with its parameters and final byte, or ESC and what it introduces.
# An unterminated control string loses only its introducer, never the text after it.
_ESCAPE_SEQUENCES = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|\x1b[ -/]*[0-~]"
)
# Explicit bidirectional embeddings, overrides and isolates: they make text read
# differently from what it holds ("invoice\u202egnp.exe"), so they go.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SURROGATE_PAIR = re.compile("([\ud800-\udbff])([\udc00-\udfff])")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 control characters other than newline and tab (NUL, DEL, a lone ESC...).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]+")
_LINE_SEPARATORS = str.maketrans({"\u2028": "\n", "\u2029": "\n"})


def _pair(m: re.Match[str]) -> str:
    high, low = ord(m.group(1)), ord(m.group(2))
    return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


def clean_text(text: str) -> str:
    """Text as it may be stored and shown: what a person or a platform sent, without
    what cannot be stored (NUL, lone surrogates) or could spoof a reader (terminal
    escapes, bidi overrides); newlines and tabs kept, surrounding space dropped.

    A control character between two letters becomes a space ("Outil\x01de" is
    "Outil de"), one next to a space or punctuation just goes, so words are never
    glued together and no double space is made.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_SEPARATORS)
    text = _ESCAPE_SEQUENCES.sub("", text)
    # Two halves of one character (e.g. from a JSON "\\ud83d\\ude00") make it again; a half alone goes.
    text = _LONE_SURROGATE.sub("", _SURROGATE_PAIR.sub(_pair, text))
    text = _BIDI_CONTROLS.sub("", text)
    text = _CONTROLS.sub(lambda m: _separator(m.string, m.start(), m.end()), text)
    return unicodedata.normalize("NFC", text).strip()


def _separator(text: str, start: int, end: int) -> str:
    """What replaces the control characters in ``text[start:end]``: a space between two
    letters or digits (they were two words), nothing beside a space or punctuation."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return " " if before.isalnum() and after.isalnum() else ""


def clean_line(text: str) -> str:
    """``clean_text`` for a one-line value (a name, a handle): any run of space,
    newline or tab becomes one space."""
    return re.sub(r"\s+", " ", clean_text(text))


def clip(text: str, most: int) -> str:
    """``text`` on one line and at most ``most`` characters, cut at a word with "…" when longer."""
    line = " ".join(text.split())
    if len(line) <= most:
        return line
    cut = line[: most - 1].rsplit(" ", 1)[0] if " " in line[: most - 1] else line[: most - 1]
    return cut.rstrip(" ,;:.-") + "…"
