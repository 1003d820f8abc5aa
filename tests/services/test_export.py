"""The export: one schema for JSON and CSV, with questions, answers and withdrawals, ready for Excel."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import datetime
from importlib import resources

import yaml

from pmobot.app import App
from pmobot.conversation.spec import load_builtin_specs, parse_spec
from pmobot.services import estimation, export, intake, people
from pmobot.services.people import Identity

ANSWERS = {
    "title": "Supplier contract tracker",
    "problem": "Contracts live in spreadsheets.",
    "benefits": "No missed renewals.",
    "department": "purchasing",
    "sponsor": "Marie Dupont",
    "users_affected": 20,
    "desired_date": "2027-03-15",
    "budget": {"amount": "30000", "currency": "EUR"},
    "systems": ["erp"],
    "personal_data": False,
    "external_vendor": False,
}
ESTIMATE = {"effort_low": 5, "effort_likely": 8, "effort_high": 13, "cost": {"amount": "9000.5", "currency": "EUR"},
            "duration_days": 20, "confidence": "high", "technical_risk": "low", "security_review": True,
            "notes": None}


def who(login: str) -> Identity:
    return Identity(platform="console", external_id=login, display_name=login.title(), handle=login)


async def portfolio(app: App) -> None:
    """NEED-1 estimated after one question answered; NEED-2 without budget nor sponsor,
    withdrawn with a reason; NEED-3 with a question still open."""
    async with app.db.session() as session:
        alice = await people.resolve(session, core=app.core, identity=who("alice"))
        bob = await people.resolve(session, core=app.core, identity=who("bob"))
        for changes in ({}, {"title": "Vendor portal", "budget": None, "sponsor": None, "systems": []},
                        {"title": "Café booking"}):
            await intake.submit_need(session, core=app.core, actor=alice, answers={**ANSWERS, **changes},
                                     source_platform="console", source_conversation="console:dm:alice")
    steps = [
        lambda s, a, b: estimation.claim(s, core=app.core, actor=b, key="NEED-1"),
        lambda s, a, b: estimation.ask(s, core=app.core, actor=b, key="NEED-1", text="How many contracts?"),
        lambda s, a, b: estimation.answer(s, core=app.core, actor=a, key="NEED-1", text="About 400, in Excel."),
        lambda s, a, b: estimation.record_estimate(s, core=app.core, actor=b, key="NEED-1", answers=ESTIMATE),
        lambda s, a, b: intake.withdraw(s, core=app.core, actor=a, key="NEED-2", reason="Bought a licence"),
        lambda s, a, b: estimation.claim(s, core=app.core, actor=b, key="NEED-3"),
        lambda s, a, b: estimation.ask(s, core=app.core, actor=b, key="NEED-3", text="=1+1 which café?"),
    ]
    for step in steps:
        async with app.db.session() as session:
            alice = await people.resolve(session, core=app.core, identity=who("alice"))
            bob = await people.resolve(session, core=app.core, identity=who("bob"))
            await step(session, alice, bob)


async def documents(app: App, what: str) -> tuple[list[dict[str, object]], export.Document, export.Document]:
    async with app.db.session() as session:
        rows = await export.TABLES[what].rows(session, core=app.core)
        as_json = await export.document(session, core=app.core, what=what, format="json")
        as_csv = await export.document(session, core=app.core, what=what, format="csv")
    return rows, as_json, as_csv


def csv_rows(document: export.Document) -> tuple[list[str], list[dict[str, str]]]:
    data = document.text.encode(document.encoding)
    assert data.startswith(codecs.BOM_UTF8)  # Excel reads accents right only with it
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return list(reader.fieldnames or []), list(reader)


def empties(value: object) -> list[object]:
    """Every empty-looking value other than null, anywhere in ``value``."""
    if isinstance(value, dict):
        return [e for v in value.values() for e in empties(v)]
    if isinstance(value, list):
        return [[]] if not value else [e for v in value for e in empties(v)]
    return [value] if value == "" else []


async def test_amounts_are_two_decimal_strings_beside_their_currency(app: App) -> None:
    await portfolio(app)
    rows, _, as_csv = await documents(app, "needs")
    first, second, _ = rows
    assert (first["budget"], first["budget_currency"]) == ("30000.00", "EUR")
    estimate = first["estimate"]
    assert isinstance(estimate, dict)
    assert (estimate["cost"], estimate["cost_currency"]) == ("9000.50", "EUR")
    assert (second["budget"], second["budget_currency"]) == (None, None)
    _, (csv_first, csv_second, _) = csv_rows(as_csv)
    assert (csv_first["budget"], csv_first["budget_currency"]) == ("30000.00", "EUR")
    assert (csv_first["estimate_cost"], csv_first["estimate_cost_currency"]) == ("9000.50", "EUR")
    assert (csv_second["budget"], csv_second["budget_currency"], csv_second["estimate_cost"]) == ("", "", "")


async def test_an_empty_value_is_null_in_json_and_an_empty_cell_in_csv(app: App) -> None:
    await portfolio(app)
    rows, _, as_csv = await documents(app, "needs")
    # No "" nor [] beside null for the same kind of empty; the questions are a list, empty when none was asked.
    assert empties([{k: v for k, v in row.items() if k != "questions"} for row in rows]) == []
    assert rows[1]["questions"] == []
    second = rows[1]
    assert second["sponsor"] is None and second["systems"] is None and second["estimate"] is None
    estimate = rows[0]["estimate"]
    assert isinstance(estimate, dict) and estimate["notes"] is None
    _, csv_needs = csv_rows(as_csv)
    assert csv_needs[1]["sponsor"] == "" and csv_needs[1]["systems"] == "" and csv_needs[0]["estimate_notes"] == ""


async def test_csv_columns_are_the_json_fields_flattened(app: App) -> None:
    await portfolio(app)
    rows, as_json, as_csv = await documents(app, "needs")
    header, csv_needs = csv_rows(as_csv)
    assert header == export.need_columns(app.core.specs)
    assert as_json.encoding == "utf-8" and not as_json.text.startswith("\ufeff")
    for row, cells in zip(rows, csv_needs, strict=True):
        # Each nested object (the estimate, the security review) as prefixed columns.
        flat = {**row, **{f"{name}_{k}": v for name, inner in row.items() if isinstance(inner, dict)
                          for k, v in inner.items()}}
        for column in header:
            assert cells[column] == shown(flat.get(column)), column


def shown(value: object) -> str:
    """How a JSON value reads in a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


async def test_dates_and_times_are_iso(app: App) -> None:
    await portfolio(app)
    rows, _, _ = await documents(app, "needs")
    first, second, _ = rows
    assert first["desired_date"] == "2027-03-15"
    for value in (first["created_at"], first["submitted_at"], second["withdrawn_at"]):
        assert isinstance(value, str) and datetime.fromisoformat(value).utcoffset() is not None, value
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", value), value


async def test_a_withdrawal_shows_who_when_and_why(app: App) -> None:
    await portfolio(app)
    rows, _, as_csv = await documents(app, "needs")
    first, second, _ = rows
    assert second["status"] == "withdrawn"
    assert second["withdrawn_by"] == second["requester"] and second["withdrawal_reason"] == "Bought a licence"
    assert first["withdrawn_at"] is first["withdrawn_by"] is first["withdrawal_reason"] is None
    _, csv_needs = csv_rows(as_csv)
    assert csv_needs[1]["withdrawal_reason"] == "Bought a licence" and csv_needs[0]["withdrawal_reason"] == ""


async def test_questions_and_answers_are_exported(app: App) -> None:
    await portfolio(app)
    rows, _, _ = await documents(app, "needs")
    first, second, third = rows
    assert (first["questions_asked"], first["questions_open"]) == (1, 0)
    assert (second["questions_asked"], second["questions_open"]) == (0, 0)
    assert (third["questions_asked"], third["questions_open"]) == (1, 1)
    asked = first["questions"]
    assert isinstance(asked, list) and len(asked) == 1
    assert asked[0]["question"] == "How many contracts?" and asked[0]["answer"] == "About 400, in Excel."
    assert asked[0]["asked_by"] == first["claimed_by"] and asked[0]["answered_by"] == first["requester"]

    table, as_json, as_csv = await documents(app, "questions")
    assert [(q["need"], q["question"], q["answer"]) for q in table] == [
        ("NEED-1", "How many contracts?", "About 400, in Excel."), ("NEED-3", "=1+1 which café?", None)]
    assert as_json.count == 2
    header, cells = csv_rows(as_csv)
    assert header == ["need", "title", *export.QUESTION_FIELDS]
    assert cells[1]["title"] == "Café booking" and cells[1]["answer"] == "" and cells[1]["answered_at"] == ""
    # Typed text never runs as a formula in a spreadsheet.
    assert cells[1]["question"] == "'=1+1 which café?"


def test_csv_cells_never_start_a_formula() -> None:
    texts = ["=HYPERLINK(\"x\")", "+1", "-1", "@A1", "\t=1", "\r=1", "a=1"]
    rows: list[dict[str, object]] = [{"key": "NEED-1", "title": text} for text in texts]
    cells = [row[1] for row in list(csv.reader(io.StringIO(export.to_csv(rows, columns=["key", "title"]))))[1:]]
    assert cells == ["'" + text for text in texts[:-1]] + ["a=1"]


def test_the_estimate_columns_keep_their_names_and_order() -> None:
    # Spreadsheets already read these columns: derived from estimation.ESTIMATE_COLUMNS, they must not move.
    specs = load_builtin_specs()
    estimate_columns = [c for c in export.need_columns(specs) if c.startswith("estimate_")]
    assert estimate_columns == [f"estimate_{name}" for name in (
        "version", "effort_low", "effort_likely", "effort_high", "cost", "cost_currency", "duration_days",
        "confidence", "technical_risk", "security_review", "notes", "estimator", "estimated_at")]


async def test_an_estimate_field_added_by_the_pmo_is_exported_by_its_id(app: App) -> None:
    # Two fields no Estimate attribute reads: kept in Estimate.extra, exported after the attributes.
    raw = yaml.safe_load(resources.files("pmobot.dialogs").joinpath("estimate.yaml").read_text(encoding="utf-8"))
    raw["fields"] += [
        {"id": "hosting", "type": "text", "required": False, "label": {"en": "Hosting", "fr": "Hébergement"},
         "prompt": {"en": "Where will it run?", "fr": "Où sera-t-il hébergé ?"}},
        {"id": "run_cost", "type": "money", "required": False, "label": {"en": "Run cost", "fr": "Coût de run"},
         "prompt": {"en": "Yearly run cost?", "fr": "Coût annuel de run ?"}},
    ]
    app.core.specs["estimate"] = parse_spec(raw, "estimate.yaml")
    async with app.db.session() as session:
        alice = await people.resolve(session, core=app.core, identity=who("alice"))
        bob = await people.resolve(session, core=app.core, identity=who("bob"))
        need, _ = await intake.submit_need(session, core=app.core, actor=alice, answers=ANSWERS,
                                           source_platform="console", source_conversation="console:dm:alice")
        await estimation.record_estimate(session, core=app.core, actor=bob, key=need.key, answers={
            **ESTIMATE, "hosting": "on premises", "run_cost": {"amount": "1200", "currency": "EUR"}})
    rows, _, as_csv = await documents(app, "needs")
    estimate = rows[0]["estimate"]
    assert isinstance(estimate, dict)
    assert (estimate["hosting"], estimate["run_cost"], estimate["run_cost_currency"]) == ("on premises", "1200.00",
                                                                                        "EUR")
    header, (cells,) = csv_rows(as_csv)
    assert [h for h in header if h.startswith("estimate_")][-5:] == [
        "estimate_hosting", "estimate_run_cost", "estimate_run_cost_currency", "estimate_estimator",
        "estimate_estimated_at"]
    assert (cells["estimate_hosting"], cells["estimate_run_cost"]) == ("on premises", "1200.00")
