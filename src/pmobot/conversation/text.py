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


def clean_text(text: str) -> str:
    """Drop control characters (keeping newlines and tabs) and surrounding space."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()
