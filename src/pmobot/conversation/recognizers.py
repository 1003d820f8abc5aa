"""recognizers-text, the fallback reader of number words and odd date phrasing.

Our own rules run first; recognizers-text is slow to load (a few seconds per
culture), so its models are built on first use, once per process, or ahead
of time by ``warm_up`` in a thread while a person reads.
"""

from __future__ import annotations

import re
import threading
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pmobot.i18n import normalize_locale

# recognizers-text takes seconds on a long text; a chat answer worth reading is short.
RECOGNIZER_MAX_CHARS = 80

# The recognizers-text models are untyped objects of the package.
_models: dict[tuple[str, str], Any] = {}
_models_lock = threading.Lock()
_CULTURES = {"en": "en-us", "fr": "fr-fr"}


def locales(locale: str) -> tuple[str, str]:
    """The reader's locale first, then the other one: people write in either."""
    loc = normalize_locale(locale)
    return loc, "fr" if loc == "en" else "en"


def _model(kind: str, locale: str) -> Any:
    """A recognizers-text model, built on first use and kept for the process."""
    key = (kind, locale)
    model = _models.get(key)
    if model is not None:
        return model
    with _models_lock:
        if key not in _models:
            culture = _CULTURES[normalize_locale(locale)]
            # Imported here: loading the package alone takes a noticeable moment.
            if kind == "number":
                from recognizers_number import NumberRecognizer

                _models[key] = NumberRecognizer(culture).get_number_model(culture, False)
            elif kind == "datetime":
                from recognizers_date_time import DateTimeRecognizer

                _models[key] = DateTimeRecognizer(culture).get_datetime_model(culture, False)
            else:
                raise ValueError(kind)
        return _models[key]


def warm_up() -> None:
    """Build every recognizer model now (seconds), e.g. in a thread while a person reads."""
    for kind in ("number", "datetime"):
        for locale in _CULTURES:
            _model(kind, locale)


# "cents" after a number ("deux cents", "cinq cents k€") and "quatre-vingts".
_FRENCH_PLURAL_TENS = re.compile(r"(?<=[a-z][\s-])(cent|vingt)s(?![\w])")


# A thousand said alone, "mille cinq cents", which the French model reads as 100 500: it reads "un mille
# cinq cents" right. Not after another number word ("deux mille", "cent mille").
_BARE_MILLE = re.compile(
    r"(?<![\w-])(?<!un )(?<!une )(?<!deux )(?<!trois )(?<!quatre )(?<!cinq )(?<!six )(?<!sept )(?<!huit )"
    r"(?<!neuf )(?<!dix )(?<!onze )(?<!douze )(?<!treize )(?<!quatorze )(?<!quinze )(?<!seize )(?<!vingt )"
    r"(?<!trente )(?<!quarante )(?<!cinquante )(?<!soixante )(?<!cent )(?<!-)mille(?=[\s-]+[a-z])"
)
_UN = "un "
# "half a million", "a quarter of a million": the English model reads the fraction and the multiple apart.
_FRACTION_GAP = re.compile(r"\s+(?:of\s+)?")
_MULTIPLES = (Decimal(1000), Decimal(1_000_000), Decimal(1_000_000_000))


def recognize_numbers(text: str, locale: str) -> list[tuple[int, int, Decimal]]:
    """Numbers written in words or digits: (start, end, value), per recognizers-text, with the
    few readings it gets wrong put right (spans always in ``text`` as given)."""
    inserted: list[int] = []
    if normalize_locale(locale) == "fr":
        # The French model reads "deux cents" as 2 and only knows "deux cent": same length, same spans.
        text = _FRENCH_PLURAL_TENS.sub(lambda m: m[1] + " ", text)
        inserted = [m.start() for m in _BARE_MILLE.finditer(text)]
        for at in reversed(inserted):
            text = text[:at] + _UN + text[at:]
    found = _parse_numbers(text, locale)
    if inserted:
        return [(_unshift(start, inserted, start=True), _unshift(end, inserted), value) for start, end, value in found]
    return _join_fractions(text, found)


def _unshift(position: int, inserted: list[int], *, start: bool = False) -> int:
    """A position in the text with "un " inserted before each of ``inserted``, back in the original."""
    shifted = 0
    for original in inserted:
        at = original + shifted
        if position > at or (position == at and not start):
            shifted += len(_UN)
            position = max(position - len(_UN), original)
        else:
            break
    return position


def _join_fractions(text: str, found: list[tuple[int, int, Decimal]]) -> list[tuple[int, int, Decimal]]:
    out: list[tuple[int, int, Decimal]] = []
    for start, end, value in found:
        if out and value in _MULTIPLES and 0 < out[-1][2] < 1 and _FRACTION_GAP.fullmatch(text[out[-1][1]:start]):
            out[-1] = (out[-1][0], end, out[-1][2] * value)
        else:
            out.append((start, end, value))
    return out


def _parse_numbers(text: str, locale: str) -> list[tuple[int, int, Decimal]]:
    found = []
    for result in _model("number", locale).parse(text):
        raw = (result.resolution or {}).get("value")
        if raw is None:
            continue
        try:
            # The French model writes decimals with a comma ("2,5").
            value = Decimal(str(raw).replace(",", "."))
        except InvalidOperation:
            continue
        found.append((result.start, result.end + 1, value))
    return found


def recognize_dates(text: str, locale: str, today: date) -> list[tuple[int, int, str, list[dict[str, Any]]]]:
    """Date mentions per recognizers-text: (start, end, type, resolution values)."""
    reference = datetime(today.year, today.month, today.day, 12, 0)
    found = []
    for result in _model("datetime", locale).parse(text, reference):
        values = (result.resolution or {}).get("values") or []
        kind = result.type_name.rsplit(".", 1)[-1]
        found.append((result.start, result.end + 1, kind, values))
    return found
