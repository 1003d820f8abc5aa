"""How much of an opening sentence the intake understands, field by field.

Each sentence of the sets registered in ``SETS`` (see README.md beside them)
goes through ``pmobot.conversation.prefill.extract`` with a fixed "today", and
every field it should fill (or leave empty, or decline with a reason) is scored
right or wrong. The dev sets are tuned on (``dev2`` to ``dev9`` were blind sets
until their misses were fixed; their one blind scoring is kept); ``heldout``
never is; a blind set is written by someone who did not read the rules, and is
never tuned on: it is the fairest figure.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from pmobot.conversation.prefill import extract
from pmobot.conversation.text import name_key

HERE = Path(__file__).resolve().parent
TODAY = date(2026, 11, 26)  # the tests' Thursday: every date in the set is relative to it
FIELDS = ("title", "users_affected", "desired_date", "budget", "personal_data")
# Words an expectation may use instead of a value: "no value, and this reason said".
NOT_TAKEN = {"desired_date": ("asap", "past"), "budget": ("negative",)}
BASELINE = HERE / "baseline.json"

# What a set is for: tuned on, written with the dev set but never tuned on, or blind (never tuned on,
# written by someone who never read the rules: the fairest figure).
DEV, HELDOUT, BLIND = "dev", "heldout", "blind"


@dataclass(frozen=True)
class SetOf:
    """One set of sentences: its file is ``<name>.yaml`` beside this module."""

    name: str
    role: str
    today: date = TODAY  # a set written for another "today" (its header says so) is read from that day


# Every set, in the order they are shown. A blind set is added here by whoever scores it, once it is written
# (one line: ``SetOf("blind9", BLIND, date(...))``): until then no run made while tuning can read it, even
# by accident. A blind set tuned on is renamed to the next dev set, its blind scoring kept (when_blind).
SETS = (
    SetOf("dev", DEV),
    SetOf("dev2", DEV),
    SetOf("dev3", DEV),
    SetOf("dev4", DEV),
    SetOf("dev5", DEV, today=date(2026, 11, 30)),  # was blind4, written for Monday 30 November 2026
    SetOf("dev6", DEV, today=date(2026, 11, 30)),  # was blind5, written for Monday 30 November 2026
    # was blind6, written for Monday 30 November 2026; tuned on since 2026-11-30
    SetOf("dev7", DEV, today=date(2026, 11, 30)),
    # was blind7, written for Monday 30 November 2026; tuned on since 2026-11-30
    SetOf("dev8", DEV, today=date(2026, 11, 30)),
    # was blind8, written for Monday 30 November 2026; tuned on since 2026-11-30
    SetOf("dev9", DEV, today=date(2026, 11, 30)),
    SetOf("heldout", HELDOUT),
    SetOf("blind9", BLIND, today=date(2026, 11, 30)),  # written for Monday 30 November 2026, scored once
)
ALL_SETS = tuple(s.name for s in SETS)
TUNED = tuple(s.name for s in SETS if s.role == DEV)
BLIND_SETS = tuple(s.name for s in SETS if s.role == BLIND)
TODAY_OF = {s.name: s.today for s in SETS if s.today != TODAY}


# A set's one scoring while it was still blind, before its misses were tuned on.
def when_blind(name: str) -> Path:
    return HERE / f"{name}_when_blind.json"


def available_sets() -> tuple[str, ...]:
    """The sets written so far (the blind one may not be yet)."""
    return tuple(name for name in ALL_SETS if (HERE / f"{name}.yaml").exists())


@dataclass(frozen=True)
class Sentence:
    text: str
    lang: str
    kinds: tuple[str, ...]
    expected: dict[str, Any]  # field -> value, None (empty) or ("not_taken", reason)


def _expected_budget(raw: str) -> Any:
    if raw in NOT_TAKEN["budget"]:
        return ("not_taken", raw)
    amount, currency = raw.split()
    return (Decimal(amount), currency)


def _expected_date(raw: Any) -> Any:
    if raw in NOT_TAKEN["desired_date"]:
        return ("not_taken", raw)
    return raw.isoformat() if isinstance(raw, date) else str(raw)


def _titles(raw: str | list[str]) -> tuple[str, ...]:
    """The acceptable titles, folded for comparison."""
    return tuple(name_key(title) for title in ([raw] if isinstance(raw, str) else raw))


def load(name: str) -> list[Sentence]:
    """One set, read from its YAML file."""
    entries = yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))
    sentences = []
    for entry in entries:
        title = entry.get("title")
        expected: dict[str, Any] = {
            "title": None if title is None else _titles(title),
            "users_affected": entry.get("users"),
            "desired_date": None if entry.get("date") is None else _expected_date(entry["date"]),
            "budget": None if entry.get("budget") is None else _expected_budget(str(entry["budget"])),
            "personal_data": True if entry.get("personal_data") else None,
        }
        sentences.append(Sentence(entry["text"], entry["lang"], tuple(entry.get("kinds", ())), expected))
    return sentences


def _reason(found: dict[str, Any], key: str) -> tuple[str, str] | None:
    note = (found.get("not_taken") or {}).get(key)
    return ("not_taken", note["reason"]) if note else None


def observed(found: dict[str, Any]) -> dict[str, Any]:
    """What ``extract`` gave, in the shape of an expectation."""
    budget = found.get("budget")
    title = found.get("title")
    return {
        "title": name_key(title) if title else None,
        "users_affected": found.get("users_affected"),
        "desired_date": found.get("desired_date") or _reason(found, "desired_date"),
        "budget": (Decimal(budget["amount"]), budget["currency"]) if budget else _reason(found, "budget"),
        "personal_data": True if found.get("personal_data") else None,
    }


def is_right(key: str, expected: Any, got: Any) -> bool:
    if key == "title" and expected is not None:
        return got in expected
    return bool(expected == got)


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.right}/{self.total} ({100 * self.share:.1f} %)" if self.total else "—"


@dataclass
class Score:
    """Tallies of one set: per field, per field and language, per kind; and the misses."""

    fields: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    stated: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_lang: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    kinds: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    overall: Tally = field(default_factory=Tally)
    misses: list[tuple[Sentence, str, Any, Any]] = field(default_factory=list)


Understand = Callable[[str, str], dict[str, Any]]


def understand(text: str, lang: str) -> dict[str, Any]:
    return extract(text, locale=lang, today=TODAY)


def reader_for(name: str) -> Understand:
    """How a set is read: from its own "today" when it was written for another day."""
    today = TODAY_OF.get(name, TODAY)
    return lambda text, lang: extract(text, locale=lang, today=today)


def score(sentences: list[Sentence], reader: Understand = understand) -> Score:
    result = Score()
    for sentence in sentences:
        got = observed(reader(sentence.text, sentence.lang))
        for key in FIELDS:
            expected = sentence.expected[key]
            ok = is_right(key, expected, got[key])
            result.fields[key].add(ok)
            if expected is not None:
                result.stated[key].add(ok)
            result.by_lang[(key, sentence.lang)].add(ok)
            result.overall.add(ok)
            for kind in sentence.kinds:
                result.kinds[kind].add(ok)
            if not ok:
                result.misses.append((sentence, key, expected, got[key]))
    return result


def figures(result: Score) -> dict[str, float]:
    """Shares per field and overall, as the baseline file keeps them."""
    return {**{key: round(result.fields[key].share, 4) for key in FIELDS}, "all": round(result.overall.share, 4)}


def _pct(share: float) -> str:
    return f"{100 * share:.1f} %"


def section(scores: dict[str, Score] | None = None) -> str:
    """The "Understanding" section of bench/RESULTS.md."""
    scores = scores or {name: score(load(name), reader_for(name)) for name in available_sets()}
    shown = tuple(scores)
    baseline = json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}
    sets = {name: load(name) for name in shown}
    unseen = [name for name in shown if name not in TUNED]
    blind = {name: json.loads(when_blind(name).read_text(encoding="utf-8"))
             for name in shown if when_blind(name).exists()}

    def cells(key: str | None) -> list[str]:
        out = []
        for name in shown:
            tally = scores[name].overall if key is None else scores[name].fields[key]
            out.append(f"**{tally}**" if name not in TUNED else str(tally))
        return out

    def was(key: str | None) -> str:
        return " / ".join(_pct(baseline[name][key or "all"]) if name in baseline else "—" for name in shown)

    lines = [
        "## Understanding opening sentences (intake pre-fill)",
        "",
        f"`make accuracy`: {sum(len(v) for v in sets.values())} opening sentences of a need, half French, half",
        "English, in `bench/understanding/`, through `prefill.extract` with today = 2026-11-26"
        + _later_todays(shown) + ":",
        *_described(sets, blind),
        "A field is right when its value is the expected one,",
        "or it is rightly empty, or it is declined with the expected reason (a past date, \"as soon as possible\", a",
        "negative budget).",
        "",
        "| field | " + " | ".join(shown) + " | baseline " + " / ".join(shown) + " |",
        "| --- | " + " | ".join("---" for _ in shown) + " | --- |",
        *("| " + " | ".join([key, *cells(key), was(key)]) + " |" for key in FIELDS),
        "| " + " | ".join(["**all fields**", *cells(None), was(None)]) + " |",
        "",
        *(f"`{name}` scored {_pct(blind[name]['all'])} of fields "
          "the one time it was run while still blind; its misses were then fixed by kind of phrase,"
          " so its figure now is a tuned one." for name in blind),
        "",
        "The sets that were blind once, per field: when blind → now.",
        "",
        "| field | " + " | ".join(f"{name} when blind → now" for name in blind) + " |",
        "| --- | " + " | ".join("---" for _ in blind) + " |",
        *("| " + " | ".join([key or "**all fields**",
                             *(f"{_pct(blind[name][key or 'all'])} → "
                               f"{_pct(scores[name].overall.share if key is None else scores[name].fields[key].share)}"
                               for name in blind)]) + " |" for key in (*FIELDS, None)),
        "",
        "Fields the sentence states (a value, or a reason to decline), and by language:",
        "",
        "| field | " + " | ".join(f"stated, {name}" for name in shown)
        + " | " + " | ".join(f"{name} {lang}" for name in unseen for lang in ("en", "fr")) + " |",
        "| --- | " + " | ".join("---" for _ in shown) + " | " + " | ".join("---" for _ in unseen for _ in "ef") + " |",
        *("| " + " | ".join([key, *(str(scores[name].stated[key]) for name in shown),
                             *(str(scores[name].by_lang[(key, lang)]) for name in unseen for lang in ("en", "fr"))])
          + " |" for key in FIELDS),
        "",
        "By kind of phrase (all fields of the sentences of that kind, all sets):",
        "",
        "| kind | fields right |",
        "| --- | --- |",
    ]
    kinds = sorted({kind for result in scores.values() for kind in result.kinds})
    for kind in kinds:
        both = Tally(sum(r.kinds[kind].right for r in scores.values()),
                     sum(r.kinds[kind].total for r in scores.values()))
        lines.append(f"| {kind} | {both} |")
    lines.append("")
    return "\n".join(lines)


def _counted(sets: dict[str, list[Sentence]], names: list[str]) -> str:
    """ "70 `dev2`, 100 `dev3` and 100 `dev4`" """
    said = [f"{len(sets[name])} `{name}`" for name in names]
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]


def _later_todays(shown: Sequence[str]) -> str:
    """The sets read on another day than TODAY (the day they were written for), grouped by that day."""
    by_day: dict[date, list[str]] = {}
    for name in shown:
        if name in TODAY_OF:
            by_day.setdefault(TODAY_OF[name], []).append(name)
    return "".join(
        f" ({day.isoformat()} for {', '.join(names[:-1]) + ' and ' if len(names) > 1 else ''}{names[-1]},"
        f" the day {'they were' if len(names) > 1 else 'it was'} written for)" for day, names in sorted(by_day.items()))


def _described(sets: dict[str, list[Sentence]], blind: dict[str, Any]) -> list[str]:
    """What each group of sets is, from the registry, for the section's opening lines."""
    roles = {s.name: s.role for s in SETS}
    groups = [
        ([n for n in sets if roles[n] == DEV and n not in blind], "(tuned on)"),
        ([n for n in sets if roles[n] == DEV and n in blind],
         "(blind sets once: written after the rules, scored once while blind, then tuned on their misses,"
         " so no longer blind)"),
        ([n for n in sets if roles[n] == HELDOUT],
         "(written with dev, never tuned on, but read while the rules were written)"),
        ([n for n in sets if roles[n] == BLIND],
         "(written by someone who never read the rules, run once after the rules were finished, never tuned"
         " on: the fairest figure)"),
    ]
    said = [f"{_counted(sets, names)} {what}" for names, what in groups if names]
    if not any(roles[n] == BLIND for n in sets):
        said.append("no blind set for now (the next one is registered in `SETS` once it is written)")
    last = len(said) - 1
    return [("and " if i and i == last else "") + line + ("." if i == last else ",") for i, line in enumerate(said)]


def describe_misses(result: Score) -> str:
    out = []
    for sentence, key, expected, got in result.misses:
        out.append(f"[{sentence.lang}] {key}: expected {expected!r}, got {got!r}\n    {sentence.text}")
    return "\n".join(out)
