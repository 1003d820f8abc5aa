"""Dialog specs: the YAML files of ``pmobot.dialogs`` loaded into plain objects.

A spec is data a PMO can edit: fields, prompts and labels in every locale,
limits, choices, conditions. Loading checks it thoroughly, so a typo in a
YAML file fails at start-up with the file and field named, not in front of
a user half-way through a conversation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from pmobot.i18n import LOCALES, normalize_locale


class SpecError(ValueError):
    """A dialog spec that cannot be used, with where and why."""


@dataclass(frozen=True)
class Localized:
    """One piece of text in every supported locale."""

    values: dict[str, str]

    def get(self, locale: str) -> str:
        loc = normalize_locale(locale)
        return self.values.get(loc) or self.values.get("en") or next(iter(self.values.values()), "")

    @classmethod
    def parse(cls, raw: Any, where: str) -> Localized:
        if raw is None:
            raise SpecError(f"{where}: missing text")
        if isinstance(raw, str):
            raise SpecError(f"{where}: give the text in every locale ({', '.join(LOCALES)}), not one string")
        if not isinstance(raw, dict):
            raise SpecError(f"{where}: expected a mapping of locale to text")
        missing = [loc for loc in LOCALES if not raw.get(loc)]
        if missing:
            raise SpecError(f"{where}: missing locale(s) {', '.join(missing)}")
        return cls({str(k): str(v).strip() for k, v in raw.items()})

    @classmethod
    def optional(cls, raw: Any, where: str) -> Localized | None:
        return None if raw is None else cls.parse(raw, where)


@dataclass(frozen=True)
class Choice:
    value: str
    label: Localized
    # Extra words a user may type for this choice, in any locale.
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldSpec:
    id: str
    type: str
    prompt: Localized
    label: Localized
    required: bool = True
    help: Localized | None = None
    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()
    when: str | None = None
    # Names of validation hooks in ``pmobot.dialogs.hooks`` (see ``VALIDATORS`` there).
    validate: tuple[str, ...] = ()
    # What free text may pre-fill this field: a key known to the prefill module.
    prefill: str | None = None
    # Where the answer is stored: a column of the target model or ``extra``.
    target: str | None = None
    # Only for ``money``: the currency when the user types none.
    currency: str | None = None
    # Only for ``date``: refuse dates in the past.
    future: bool = False
    # Only for ``integer`` and ``number``: what the answer counts ("business_days"), so that
    # an answer in another unit ("3 weeks") is converted or refused rather than misread.
    unit: str | None = None

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)


@dataclass(frozen=True)
class DialogSpec:
    id: str
    title: Localized
    intro: Localized | None
    fields: tuple[FieldSpec, ...]
    # Name of the completion hook in ``pmobot.dialogs.hooks`` (see ``COMPLETIONS`` there).
    on_complete: str
    # Names of cross-field checks (see ``CHECKS`` there), run on the summary and after each answer or skip on
    # what is settled so far: a check reads a field not asked yet as missing, and says nothing until it can tell.
    checks: tuple[str, ...] = ()
    prefill: bool = False
    # Show the answers for confirmation before completing (off for one-question dialogs).
    confirm: bool = True
    source: str = ""
    # The intro shown above the whole form (modal, card), when the chat intro
    # speaks of typing 'back' or 'skip'; else the chat intro serves both.
    form_intro: Localized | None = None

    def field(self, field_id: str) -> FieldSpec:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)

    def index(self, field_id: str) -> int:
        return next(i for i, f in enumerate(self.fields) if f.id == field_id)


_FIELD_KEYS = {
    "id", "type", "prompt", "label", "required", "help", "min", "max", "min_length",
    "max_length", "choices", "when", "validate", "prefill", "target", "currency", "future", "unit",
}


def _parse_field(raw: Any, where: str) -> FieldSpec:
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: a field is a mapping")
    unknown = set(raw) - _FIELD_KEYS
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    fid = raw.get("id")
    if not isinstance(fid, str) or not fid.isidentifier():
        raise SpecError(f"{where}: 'id' must be a name made of letters, digits and _")
    where = f"{where} ({fid})"
    # Imported here: the field types import this module for FieldSpec.
    from pmobot.conversation.fieldtypes import FIELD_TYPES

    ftype = raw.get("type")
    kind = FIELD_TYPES.get(ftype) if isinstance(ftype, str) else None
    if kind is None:
        raise SpecError(f"{where}: type must be one of {', '.join(FIELD_TYPES)}")
    choices: list[Choice] = []
    if kind.has_choices:
        raw_choices = raw.get("choices")
        if not isinstance(raw_choices, list) or not raw_choices:
            raise SpecError(f"{where}: a {ftype} field needs a list of choices")
        seen: set[str] = set()
        for i, rc in enumerate(raw_choices):
            if not isinstance(rc, dict) or "value" not in rc:
                raise SpecError(f"{where}: choice {i + 1} needs a value and a label")
            value = str(rc["value"])
            if value in seen:
                raise SpecError(f"{where}: choice value {value!r} appears twice")
            seen.add(value)
            synonyms = tuple(str(s) for s in rc.get("synonyms", ()) or ())
            choices.append(Choice(value, Localized.parse(rc.get("label"), f"{where} choice {value}"), synonyms))
    elif "choices" in raw:
        kinds = ", ".join(name for name, k in FIELD_TYPES.items() if k.has_choices)
        raise SpecError(f"{where}: only fields of type {kinds} have choices")
    validate = raw.get("validate") or ()
    if isinstance(validate, str):
        validate = (validate,)
    max_length = raw.get("max_length", kind.default_max_length)
    lo, hi = raw.get("min"), raw.get("max")
    if lo is not None and hi is not None and lo > hi:
        raise SpecError(f"{where}: min is above max")
    unit = raw.get("unit")
    if unit is not None:
        from pmobot.conversation.fieldtypes.numeric import UNITS

        if ftype not in ("integer", "number") or unit not in UNITS:
            raise SpecError(f"{where}: unit is for integer and number fields, one of {', '.join(UNITS)}")
    return FieldSpec(
        id=fid,
        type=kind.name,
        prompt=Localized.parse(raw.get("prompt"), f"{where} prompt"),
        label=Localized.parse(raw.get("label"), f"{where} label"),
        required=bool(raw.get("required", True)),
        help=Localized.optional(raw.get("help"), f"{where} help"),
        min=lo,
        max=hi,
        min_length=raw.get("min_length"),
        max_length=max_length,
        choices=tuple(choices),
        when=raw.get("when"),
        validate=tuple(validate),
        prefill=raw.get("prefill"),
        target=raw.get("target"),
        currency=raw.get("currency"),
        future=bool(raw.get("future", False)),
        unit=unit,
    )


def parse_spec(raw: Any, source: str = "<spec>") -> DialogSpec:
    """Build a spec from parsed YAML, checking names, types and conditions."""
    # Imported here: expressions and hooks import this module for its types.
    from pmobot.conversation.expr import ExpressionError, parse_expression

    if not isinstance(raw, dict):
        raise SpecError(f"{source}: a spec is a mapping")
    sid = raw.get("id")
    if not isinstance(sid, str) or not sid.isidentifier():
        raise SpecError(f"{source}: 'id' must be a name")
    raw_fields = raw.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise SpecError(f"{source}: 'fields' must be a non-empty list")
    fields: list[FieldSpec] = []
    for i, rf in enumerate(raw_fields):
        f = _parse_field(rf, f"{source} field {i + 1}")
        if any(prev.id == f.id for prev in fields):
            raise SpecError(f"{source}: field id {f.id!r} appears twice")
        if f.when:
            try:
                names = parse_expression(f.when).names()
            except ExpressionError as exc:
                raise SpecError(f"{source} field {f.id}: bad condition {f.when!r}: {exc}") from exc
            earlier = {p.id for p in fields}
            unknown = names - earlier
            if unknown:
                raise SpecError(
                    f"{source} field {f.id}: condition refers to {', '.join(sorted(unknown))}, "
                    "which is not an earlier field"
                )
        fields.append(f)
    on_complete = raw.get("on_complete")
    if not isinstance(on_complete, str):
        raise SpecError(f"{source}: 'on_complete' names the hook that runs at the end")
    checks = raw.get("checks") or ()
    if isinstance(checks, str):
        checks = (checks,)
    return DialogSpec(
        id=sid,
        title=Localized.parse(raw.get("title"), f"{source} title"),
        intro=Localized.optional(raw.get("intro"), f"{source} intro"),
        fields=tuple(fields),
        on_complete=on_complete,
        checks=tuple(checks),
        prefill=bool(raw.get("prefill", False)),
        confirm=bool(raw.get("confirm", True)),
        source=source,
        form_intro=Localized.optional(raw.get("form_intro"), f"{source} form_intro"),
    )


def load_spec_text(text: str, source: str = "<spec>") -> DialogSpec:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"{source}: not valid YAML: {exc}") from exc
    return parse_spec(raw, source)


def load_builtin_specs() -> dict[str, DialogSpec]:
    """Every spec shipped in ``pmobot.dialogs``, keyed by id."""
    return _load_all(resources.files("pmobot.dialogs").iterdir())


def load_specs(folder: Path) -> dict[str, DialogSpec]:
    """Every spec in a folder of YAML files, keyed by id: a PMO's edited copies of the shipped ones."""
    if not folder.is_dir():
        raise SpecError(f"{folder}: no such folder of dialog specs")
    return _load_all(folder.iterdir())


def _load_all(entries: Iterable[Traversable]) -> dict[str, DialogSpec]:
    specs: dict[str, DialogSpec] = {}
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            spec = load_spec_text(entry.read_text(encoding="utf-8"), entry.name)
            if spec.id in specs:
                raise SpecError(f"{entry.name}: spec id {spec.id!r} is already used")
            specs[spec.id] = spec
    return specs
