"""How much of an opening sentence the intake understands, field by field.

Each sentence of ``dev.yaml`` and ``heldout.yaml`` (see README.md beside them)
goes through ``pmobot.conversation.prefill.extract`` with a fixed "today", and
every field it should fill (or leave empty, or decline with a reason) is
scored right or wrong. ``dev`` may be tuned on; ``heldout`` never is, and its
figure is the one that counts.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import yaml

from pmobot.conversation.prefill import extract
from pmobot.conversation.text import name_key

HERE = Path(__file__).resolve().parent
TODAY = date(2026, 11, 26)  # the tests' Thursday: every date in the set is relative to it
SETS = ("dev", "heldout")
FIELDS = ("title", "users_affected", "desired_date", "budget", "personal_data")
# Words an expectation may use instead of a value: "no value, and this reason said".
NOT_TAKEN = {"desired_date": ("asap", "past"), "budget": ("negative",)}
BASELINE = HERE / "baseline.json"


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


def load(name: str) -> list[Sentence]:
    """One set, read from its YAML file."""
    entries = yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))
    sentences = []
    for entry in entries:
        title = entry.get("title")
        expected: dict[str, Any] = {
            "title": None if title is None else tuple(name_key(t) for t in ([title] if isinstance(title, str) else title)),
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
    scores = scores or {name: score(load(name)) for name in SETS}
    dev, held = scores["dev"], scores["heldout"]
    baseline = json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else None
    sizes = {name: len(load(name)) for name in SETS}
    langs = {name: sorted({s.lang for s in load(name)}) for name in SETS}

    def row(label: str, key: str | None) -> str:
        pick = (lambda s: s.overall) if key is None else (lambda s: s.fields[key])
        cells = [label, str(pick(dev)), f"**{pick(held)}**"]
        if baseline:
            name = key or "all"
            cells.append(f"{_pct(baseline['dev'][name])} / {_pct(baseline['heldout'][name])}")
        return "| " + " | ".join(cells) + " |"

    head = "| field | dev | **held-out** |" + (" baseline dev / held-out |" if baseline else "")
    lines = [
        "## Understanding opening sentences (intake pre-fill)",
        "",
        f"`make accuracy`: {sizes['dev'] + sizes['heldout']} opening sentences of a need, French and English",
        f"(`bench/understanding/`: {sizes['dev']} `dev` that the parsers may be tuned on, {sizes['heldout']} `heldout`",
        "never tuned on), through `prefill.extract` with today = 2026-11-26. A field is right when the",
        "value is the expected one, or rightly empty, or declined with the expected reason (a past",
        "date, \"as soon as possible\", a negative budget). The held-out figure is the one that counts.",
        "",
        head,
        "| --- | --- | --- |" + (" --- |" if baseline else ""),
        *(row(key, key) for key in FIELDS),
        row("**all fields**", None),
        "",
        "Fields the sentence states (a value or a reason to decline), held-out, by language:",
        "",
        "| field | stated, dev | stated, held-out | " + " | ".join(f"held-out {lang}" for lang in langs["heldout"]) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in langs["heldout"]) + " |",
        *(f"| {key} | {dev.stated[key]} | {held.stated[key]} | "
          + " | ".join(str(held.by_lang[(key, lang)]) for lang in langs["heldout"]) + " |" for key in FIELDS),
        "",
        "By kind of phrase (all fields of the sentences of that kind, dev + held-out):",
        "",
        "| kind | fields right |",
        "| --- | --- |",
    ]
    kinds = sorted(set(dev.kinds) | set(held.kinds))
    for kind in kinds:
        both = Tally(dev.kinds[kind].right + held.kinds[kind].right, dev.kinds[kind].total + held.kinds[kind].total)
        lines.append(f"| {kind} | {both} |")
    lines.append("")
    return "\n".join(lines)


def describe_misses(result: Score) -> str:
    out = []
    for sentence, key, expected, got in result.misses:
        out.append(f"[{sentence.lang}] {key}: expected {expected!r}, got {got!r}\n    {sentence.text}")
    return "\n".join(out)
