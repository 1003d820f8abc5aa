"""Both languages are first-class: the catalogs match, every key the code uses
exists, every dialog spec speaks both, and amounts and dates read naturally."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from pmobot.commands.builtin import builtin_commands
from pmobot.conversation import prefill
from pmobot.conversation.fieldtypes import FIELD_TYPES
from pmobot.conversation.spec import DialogSpec, Localized, load_builtin_specs
from pmobot.domain import committee as committee_rule
from pmobot.domain import drift, lifecycle, scoring
from pmobot.domain import scope as scope_rules
from pmobot.domain.lifecycle import NeedStatus, ProjectStatus
from pmobot.domain.reviews import Outcome, Trigger
from pmobot.domain.roles import Role, Side
from pmobot.i18n import LOCALES, catalog, format_day, format_money, placeholders, plural_form, sentences, t
from pmobot.services import alert_notices, projects, status_values
from pmobot.services.addresses import CHANNEL_PURPOSES

REPO = Path(__file__).resolve().parents[2]
SOURCE_FOLDERS = ("src/pmobot", "adapters", "dialogs")

# Calls whose first argument is a catalog key: refusals and answer errors.
KEY_FIRST = {"FieldError", "PmoError", "NotFound", "Forbidden", "Invalid"}


def _normalise_spaces(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


# -- the catalogs ---------------------------------------------------------


def test_both_locales_are_supported() -> None:
    assert set(LOCALES) == {"en", "fr"}


def test_en_and_fr_have_the_same_keys() -> None:
    en, fr = set(catalog("en")), set(catalog("fr"))
    assert sorted(en - fr) == [], "keys missing in French"
    assert sorted(fr - en) == [], "keys missing in English"
    assert len(en) > 100  # the whole catalog was loaded, not one area


def test_each_key_has_the_same_placeholders_in_en_and_fr() -> None:
    en, fr = catalog("en"), catalog("fr")
    differing = {key: (sorted(placeholders(en[key])), sorted(placeholders(fr[key])))
                 for key in en.keys() & fr.keys() if placeholders(en[key]) != placeholders(fr[key])}
    assert differing == {}


@pytest.mark.parametrize("locale", LOCALES)
def test_no_message_is_empty(locale: str) -> None:
    empty = sorted(key for key, text in catalog(locale).items() if not text.strip())
    assert empty == []


def _leaves(node: object, prefix: str) -> Iterator[tuple[str, object, object]]:
    if isinstance(node, dict):
        for key, child in node.items():
            if isinstance(child, dict):
                yield from _leaves(child, f"{prefix}.{key}")
            else:
                yield f"{prefix}.{key}", key, child


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_files_hold_only_text(locale: str) -> None:
    """YAML reads `key:` as null and unquoted yes/no/on/off as booleans: both would show up as
    'None' or 'True' in chat, or as a key named True."""
    bad = []
    for path in sorted((REPO / "src/pmobot/i18n" / locale).glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        assert isinstance(raw, dict), path.name
        for where, key, value in _leaves(raw, path.stem):
            if not isinstance(key, str) or not isinstance(value, str) or not value.strip():
                bad.append(f"{path.name}: {where} = {value!r}")
    assert bad == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_a_valid_format_template(locale: str) -> None:
    """A stray brace would make ``t`` fall back to the raw template with its {names}."""
    broken = []
    for key, text in catalog(locale).items():
        try:
            text.format(**{name: "x" for name in placeholders(text)})
        except (ValueError, IndexError, KeyError) as exc:
            broken.append(f"{key}: {exc}")
    assert broken == []


# -- plurals ----------------------------------------------------------------


@pytest.mark.parametrize(
    "locale, count, expected",
    [("en", 0, "0 needs wait on IT: /pmo queue"), ("en", 1, "1 need waits on IT: /pmo queue"),
     ("en", 2, "2 needs wait on IT: /pmo queue"),
     ("fr", 0, "0 besoin attend la DSI : /pmo file"), ("fr", 1, "1 besoin attend la DSI : /pmo file"),
     ("fr", 2, "2 besoins attendent la DSI : /pmo file")],
)
def test_a_count_picks_the_plural_form_of_its_language(locale: str, count: int, expected: str) -> None:
    assert _normalise_spaces(t(locale, "intake.attention_it", count=count)) == expected


@pytest.mark.parametrize("locale, one, other", [("en", [1], [0, 2, 1.5, 10]), ("fr", [0, 1, 1.5], [2, 10, 100])])
def test_plural_rule_per_language(locale: str, one: list[float], other: list[float]) -> None:
    assert [plural_form(locale, n) for n in one] == ["one"] * len(one)
    assert [plural_form(locale, n) for n in other] == ["other"] * len(other)


@pytest.mark.parametrize("locale", LOCALES)
def test_plural_forms_come_in_pairs(locale: str) -> None:
    keys = catalog(locale)
    half = sorted(k for k in keys if k.endswith((".one", ".other"))
                  and not {k.rsplit(".", 1)[0] + ".one", k.rsplit(".", 1)[0] + ".other"} <= keys.keys())
    assert half == []


@pytest.mark.parametrize("locale", LOCALES)
def test_no_message_hedges_its_plural_with_parentheses(locale: str) -> None:
    """"1 need(s)" reads as a machine talking: a number picks its form instead."""
    hedged = sorted(key for key, text in catalog(locale).items() if re.search(r"\w\(s\)", text))
    assert hedged == []


def test_sentences_start_with_a_capital_and_end_with_a_stop() -> None:
    assert sentences("NEED-3 irait en mars", "rien d'engagé ne bougerait", "") == (
        "NEED-3 irait en mars. Rien d'engagé ne bougerait.")
    assert sentences("déjà fini.", "vraiment ?") == "Déjà fini. Vraiment ?"


@pytest.mark.parametrize("locale", LOCALES)
def test_one_unit_for_effort(locale: str) -> None:
    """Estimates, projects and capacity speak of the same unit."""
    words = {"en": ("man-day", "jours-homme"), "fr": ("jours-homme", "jours-personnes", "jour-homme")}[locale]
    odd = sorted(key for key, text in catalog(locale).items() if any(w in text for w in words))
    assert odd == []


# -- keys used in the code ----------------------------------------------------


@dataclass(frozen=True)
class KeyUse:
    where: str
    key: str  # the literal key, or the static prefix of an f-string key
    dynamic: bool


def _sources() -> Iterator[tuple[str, ast.Module]]:
    for folder in SOURCE_FOLDERS:
        for path in sorted((REPO / folder).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            yield rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel)


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _keys_in(node: ast.expr, where: str) -> Iterator[KeyUse]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield KeyUse(where, node.value, False)
    elif isinstance(node, ast.IfExp):  # "field.yes" if value else "field.no"
        yield from _keys_in(node.body, where)
        yield from _keys_in(node.orelse, where)
    elif isinstance(node, ast.JoinedStr):
        prefix = ""
        for part in node.values:
            if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                break
            prefix += part.value
        yield KeyUse(where, prefix, True)
    # Names and attributes (a key passed along) are checked where the literal is written.


def key_uses() -> list[KeyUse]:
    uses: list[KeyUse] = []
    for rel, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{rel}:{node.lineno}"
            name = _call_name(node)
            # t(locale, "chat.hello"); Button("need.claim", "button.claim")
            if name in ("t", "Button") and len(node.args) >= 2:
                uses += _keys_in(node.args[1], where)
            elif name in KEY_FIRST and node.args:
                uses += _keys_in(node.args[0], where)
            # Parse helpers take the key of the error they raise: error="field.error.integer".
            uses += [u for kw in node.keywords if kw.arg == "error" for u in _keys_in(kw.value, where)]
    return uses


def _what_values() -> set[str]:
    """The ``what=`` given to estimation's ``_clean``, which raises ``estimation.error.{what}_empty``."""
    values = set()
    for _, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) == "_clean":
                values |= {kw.value.value for kw in node.keywords
                           if kw.arg == "what" and isinstance(kw.value, ast.Constant)}
    return values


def _console_says() -> set[str]:
    """The console prints its own lines with ``say("key")``: every such key."""
    source = (REPO / "adapters" / "console" / "chat.py").read_text(encoding="utf-8")
    return {f"console.{k}" for k in re.findall(r'\bsay\(\s*"(\w+)"', source)} | {"console.anyone"}


# Keys built at run time, by the static prefix of the f-string that builds them,
# with every key each family may produce.
# How a project ends: every status but active.
_ENDED = tuple(s for s in ProjectStatus if s != ProjectStatus.ACTIVE)

DYNAMIC_FAMILIES: dict[str, Callable[[], set[str]]] = {
    "status.": lambda: {f"status.{s.value}" for s in NeedStatus},
    "action.": lambda: {f"action.{a}" for a in lifecycle.ACTIONS},
    "need.done.": lambda: {f"need.done.{a}" for a in lifecycle.ACTIONS},
    "actor.": lambda: {f"actor.{x}" for x in (lifecycle.OWNER, *(r.value for r in Role))},
    "role.": lambda: {f"role.{r.value}" for r in Role},
    "help.usage.": lambda: {f"help.usage.{c.name}" for c in builtin_commands()},
    "help.about.": lambda: {f"help.about.{c.name}" for c in builtin_commands()},
    "field.hint.": lambda: {f"field.hint.{kind}" for kind in FIELD_TYPES},
    "console.": _console_says,
    "estimation.error.": lambda: {f"estimation.error.{what}_empty" for what in _what_values()},
    "scoring.level.": lambda: {f"scoring.level.{s}.{c}" for s, cs in scoring.CHOICE_SOURCES.items() for c in cs},
    "scoring.phrase.": lambda: {f"scoring.phrase.{s}" for s in scoring.CHOICE_SOURCES},
    "scoring.from.": lambda: {f"scoring.from.{s}" for s in scoring.SOURCES},
    "scoring.policy_": lambda: {f"scoring.policy_{m.value}" for m in scoring.Method},
    "dialog.not_taken_": lambda: {f"dialog.not_taken_{reason}" for reason in prefill.NOT_TAKEN_REASONS},
    "review.trigger.": lambda: {f"review.trigger.{x.value}" for x in Trigger},
    "review.outcome.": lambda: {f"review.outcome.{x.value}" for x in Outcome},
    "sides.": lambda: {f"sides.{x.value}" for x in Side},
    "channel.purpose.": lambda: {f"channel.purpose.{p.replace('-', '_')}" for p in CHANNEL_PURPOSES},
    "drift.rule.": lambda: {f"drift.rule.{r}" for r in drift.rule_ids()},
    "drift.alert.": lambda: {f"drift.alert.{r}" for r in drift.rule_ids()},
    "drift.level.": lambda: {f"drift.level.{x}" for x in drift.LEVELS},
    "drift.event.": lambda: {f"drift.event.{x}" for x in drift.EVENTS},
    "drift.notice.": lambda: {"drift.notice.opened", "drift.notice.raised"},
    "drift.group.subtitle.": lambda: {f"drift.group.subtitle.{e}" for e in alert_notices.GROUP_EVENTS},
    "committee.choice.": lambda: {f"committee.choice.{c.value}" for c in committee_rule.Choice},
    "committee.outcome.": lambda: {f"committee.outcome.{o.value}" for o in committee_rule.Outcome},
    "committee.error.decided_": lambda: {f"committee.error.decided_{o.value}" for o in committee_rule.Outcome},
    "committee.told.": lambda: {f"committee.told.{o.value}" for o in committee_rule.Outcome},
    "committee.told_footer.": lambda: {f"committee.told_footer.{o.value}" for o in committee_rule.Outcome},
    "committee.side.": lambda: {f"committee.side.{s.value}" for s in Side},
    "committee.missing.": lambda: {f"committee.missing.{s.value}" for s in Side},
    "projects.error.": lambda: {f"projects.error.{s.value}" for s in _ENDED},
    "projects.no_more.": lambda: {f"projects.no_more.{step}" for step in projects.STEPS_REFUSED},
    "closing.done.": lambda: {f"closing.done.{s.value}" for s in _ENDED},
    "closing.reason.": lambda: {f"closing.reason.{s.value}" for s in _ENDED},
    "closing.told.": lambda: {f"closing.told.{s.value}" for s in _ENDED},
    "digest.closed.": lambda: {f"digest.closed.{s.value}" for s in _ENDED},
    "closing.error.already_": lambda: {f"closing.error.already_{s.value}" for s in _ENDED},
    "drift.notice.closed_because.": lambda: {f"drift.notice.closed_because.project_{s.value}" for s in _ENDED},
    "checkin.error.comment_missing_": lambda: {f"checkin.error.comment_missing_{d}" for d in status_values.DIMENSIONS},
    "checkin.health.": lambda: {f"checkin.health.{h}" for h in status_values.HEALTHS},
    "checkin.dimension.": lambda: {f"checkin.dimension.{d}" for d in status_values.DIMENSIONS},
    "checkin.field.": lambda: {f"checkin.field.{n}" for n in ("risks", "blockers", "decisions_needed")},
    "scope.part.": lambda: {f"scope.part.{p.value}" for p in scope_rules.Part},
    "scope.capacity.": lambda: {f"scope.capacity.{c.value}" for c in scope_rules.Capacity},
}


def test_scan_finds_keys_in_every_kind_of_call() -> None:
    """Guards against a scan that silently finds nothing."""
    literal = {u.key for u in key_uses() if not u.dynamic}
    for expected in ("chat.hello", "need.error.not_found", "field.error.integer", "field.yes", "field.no",
                     "dialogs.not_meaningful", "dialog.summary_prompt"):
        assert expected in literal


def _defined(key: str, keys: dict[str, str]) -> bool:
    """A key is a message, or a message with plural forms (``key.one``, ``key.other``)."""
    return key in keys or (f"{key}.one" in keys and f"{key}.other" in keys)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_literal_key_used_in_the_code_exists(locale: str) -> None:
    keys = catalog(locale)
    missing = sorted(f"{u.where}: {u.key}" for u in key_uses() if not u.dynamic and not _defined(u.key, keys))
    assert missing == []


def test_every_key_built_at_run_time_belongs_to_a_checked_family() -> None:
    unknown = sorted(f"{u.where}: {u.key}..." for u in key_uses() if u.dynamic and u.key not in DYNAMIC_FAMILIES)
    assert unknown == [], "a key is built with an f-string: add its family to DYNAMIC_FAMILIES"


@pytest.mark.parametrize("prefix", sorted(DYNAMIC_FAMILIES))
@pytest.mark.parametrize("locale", LOCALES)
def test_every_key_of_a_dynamic_family_exists(prefix: str, locale: str) -> None:
    expected = DYNAMIC_FAMILIES[prefix]()
    assert expected, f"the family {prefix} produced no key"
    keys = catalog(locale)
    assert sorted(k for k in expected if not _defined(k, keys)) == []


def test_the_families_cover_the_lifecycle_and_the_commands() -> None:
    assert "status.needs_info" in DYNAMIC_FAMILIES["status."]()
    assert "actor.owner" in DYNAMIC_FAMILIES["actor."]()
    assert "action.send_to_committee" in DYNAMIC_FAMILIES["action."]()
    assert {"help.usage.estimate", "help.usage.lang"} <= DYNAMIC_FAMILIES["help.usage."]()
    assert DYNAMIC_FAMILIES["estimation.error."]() == {"estimation.error.question_empty",
                                                       "estimation.error.answer_empty"}


# -- dialog specs ------------------------------------------------------------------


def _texts(spec: DialogSpec) -> Iterator[tuple[str, str, Localized]]:
    """(where, kind, text) for every piece of text of a spec."""
    yield f"{spec.id}.title", "title", spec.title
    if spec.intro:
        yield f"{spec.id}.intro", "sentence", spec.intro
    for f in spec.fields:
        yield f"{spec.id}.{f.id}.prompt", "sentence", f.prompt
        yield f"{spec.id}.{f.id}.label", "label", f.label
        if f.help:
            yield f"{spec.id}.{f.id}.help", "sentence", f.help
        for c in f.choices:
            yield f"{spec.id}.{f.id}.{c.value}", "label", c.label


SPECS = load_builtin_specs()


def test_builtin_specs_are_loaded() -> None:
    assert {"intake", "estimate", "question", "answer"} <= set(SPECS)


@pytest.mark.parametrize("spec_id", sorted(SPECS))
def test_spec_has_every_text_in_en_and_fr(spec_id: str) -> None:
    missing = [f"{where} ({loc})" for where, _, text in _texts(SPECS[spec_id])
               for loc in LOCALES if not (text.values.get(loc) or "").strip()]
    assert missing == []


@pytest.mark.parametrize("spec_id", sorted(SPECS))
def test_spec_sentences_are_translated(spec_id: str) -> None:
    """Prompts, intros and help must differ between en and fr; a label such as 'CRM' may not."""
    same = [where for where, kind, text in _texts(SPECS[spec_id])
            if kind == "sentence" and text.values["en"].strip().casefold() == text.values["fr"].strip().casefold()]
    assert same == []


@pytest.mark.parametrize("spec_id", sorted(SPECS))
def test_spec_texts_have_the_same_placeholders_in_en_and_fr(spec_id: str) -> None:
    differing = [where for where, _, text in _texts(SPECS[spec_id])
                 if placeholders(text.values["en"]) != placeholders(text.values["fr"])]
    assert differing == []


# -- formatting ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (30000, "EUR", "fr", "30 000 €"),
        (30000, "EUR", "en", "€30,000"),
        (Decimal("1234.5"), "EUR", "fr", "1 234,50 €"),
        (Decimal("1234.5"), "EUR", "en", "€1,234.50"),
        ("42000.00", "EUR", "fr", "42 000 €"),
        (0, "EUR", "en", "€0"),
    ],
)
def test_format_money(amount: object, currency: str, locale: str, expected: str) -> None:
    assert _normalise_spaces(format_money(amount, currency, locale)) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", [30000, Decimal("1234.5")])
def test_french_amount_never_breaks_before_the_currency_sign(amount: object) -> None:
    """French puts a no-break space before '€': wrapped text must not leave '€' alone on a line."""
    text = format_money(amount, "EUR", "fr")  # type: ignore[arg-type]
    assert " " not in text, repr(text)


@pytest.mark.parametrize(
    ("day", "locale", "expected"),
    [
        (date(2027, 3, 15), "fr", "15 mars 2027"),
        (date(2027, 3, 15), "en", "15 March 2027"),
        (date(2026, 12, 1), "fr", "1 décembre 2026"),
        (date(2026, 12, 1), "en", "1 December 2026"),
    ],
)
def test_format_day(day: date, locale: str, expected: str) -> None:
    assert _normalise_spaces(format_day(day, locale)) == expected
