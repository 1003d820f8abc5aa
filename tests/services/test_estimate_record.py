"""The estimate record reads answers by the spec: which field fills which Estimate attribute
is declared once (``estimation.ESTIMATE_COLUMNS``, and ``target:`` in the YAML), checked at start."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml
from sqlmodel import select

from pmobot.app import App
from pmobot.conversation.spec import DialogSpec, SpecError, load_builtin_specs, parse_spec
from pmobot.domain.models import Estimate
from pmobot.services import estimation, intake, people
from pmobot.services.people import Identity

ESTIMATE = {"effort_low": 5, "effort_likely": 8, "effort_high": 13, "cost": {"amount": "9000", "currency": "EUR"},
            "duration_days": 20, "confidence": "high", "technical_risk": "low", "security_review": True,
            "notes": "Two options"}
NEED = {"title": "Supplier contract tracker", "problem": "Contracts live in spreadsheets.",
        "benefits": "No missed renewals.", "department": "purchasing", "users_affected": 20,
        "budget": {"amount": "30000", "currency": "EUR"}, "personal_data": False, "external_vendor": False}


def _raw_estimate_spec() -> dict[str, Any]:
    text = resources.files("pmobot.dialogs").joinpath("estimate.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    assert isinstance(raw, dict)
    return raw


def _field(raw: dict[str, Any], field_id: str) -> dict[str, Any]:
    return next(f for f in raw["fields"] if f["id"] == field_id)


def _with_extra_field(raw: dict[str, Any]) -> dict[str, Any]:
    raw["fields"].append({"id": "hosting", "type": "text", "required": False,
                          "label": {"en": "Hosting", "fr": "Hébergement"},
                          "prompt": {"en": "Where will it run?", "fr": "Où sera-t-il hébergé ?"}})
    return raw


def test_the_shipped_estimate_spec_fills_every_attribute() -> None:
    estimation.check_estimate_spec(load_builtin_specs()["estimate"])
    for column in estimation.ESTIMATE_COLUMNS:
        assert column in Estimate.model_fields


def test_a_folder_of_specs_without_an_estimate_spec_is_refused_at_start() -> None:
    specs = load_builtin_specs()
    estimation.check_specs(specs)
    del specs["estimate"]
    with pytest.raises(SpecError, match="estimate"):
        estimation.check_specs(specs)


def test_an_extra_field_passes_the_check() -> None:
    estimation.check_estimate_spec(parse_spec(_with_extra_field(_raw_estimate_spec()), "estimate.yaml"))


def test_a_renamed_field_is_refused_at_start_naming_the_attribute_it_no_longer_fills() -> None:
    raw = _raw_estimate_spec()
    _field(raw, "effort_low")["id"] = "effort_min"
    with pytest.raises(SpecError, match="effort_low"):
        estimation.check_estimate_spec(parse_spec(raw, "estimate.yaml"))
    # Saying which attribute it fills makes the new name fine.
    _field(raw, "effort_min")["target"] = "effort_low"
    estimation.check_estimate_spec(parse_spec(raw, "estimate.yaml"))


def test_a_field_of_the_wrong_type_or_optional_is_refused_at_start() -> None:
    raw = _raw_estimate_spec()
    _field(raw, "duration_days")["type"] = "text"
    with pytest.raises(SpecError, match=r"duration_days.*integer"):
        estimation.check_estimate_spec(parse_spec(raw, "estimate.yaml"))
    raw = _raw_estimate_spec()
    _field(raw, "cost")["required"] = False
    with pytest.raises(SpecError, match="cost"):
        estimation.check_estimate_spec(parse_spec(raw, "estimate.yaml"))
    raw = _raw_estimate_spec()
    _field(raw, "notes")["target"] = "confidence"
    with pytest.raises(SpecError, match="confidence"):
        estimation.check_estimate_spec(parse_spec(raw, "estimate.yaml"))


async def _estimate_with(app: App, spec: DialogSpec, answers: dict[str, Any]) -> Estimate:
    app.core.specs["estimate"] = spec
    async with app.db.session() as session:
        alice = await people.resolve(session, core=app.core, identity=Identity("console", "alice", "Alice"))
        need, _ = await intake.submit_need(session, core=app.core, actor=alice, answers=NEED,
                                           source_platform="console", source_conversation="console:dm:alice")
        bob = await people.resolve(session, core=app.core, identity=Identity("console", "bob", "Bob"))
        await estimation.record_estimate(session, core=app.core, actor=bob, key=need.key, answers=answers)
    async with app.db.session() as session:
        return (await session.exec(select(Estimate))).one()


async def test_an_extra_field_is_kept_beside_the_columns(app: App) -> None:
    spec = parse_spec(_with_extra_field(_raw_estimate_spec()), "estimate.yaml")
    row = await _estimate_with(app, spec, {**ESTIMATE, "hosting": "on premises"})
    assert (row.effort_low, row.effort_likely, row.effort_high) == (5.0, 8.0, 13.0)
    assert (str(row.cost), row.currency, row.duration_days) == ("9000.00", "EUR", 20)
    assert (row.confidence, row.technical_risk, row.security_review, row.notes) == ("high", "low", True, "Two options")
    assert row.extra == {"hosting": "on premises"}


async def test_a_renamed_field_with_its_target_fills_the_same_attribute(app: App) -> None:
    raw = _raw_estimate_spec()
    _field(raw, "effort_low").update(id="effort_min", target="effort_low")
    answers = {("effort_min" if k == "effort_low" else k): v for k, v in ESTIMATE.items()}
    row = await _estimate_with(app, parse_spec(raw, "estimate.yaml"), answers)
    assert row.effort_low == 5.0 and row.extra == {}
