"""Projects in the export: the projects, every baseline version, milestones and change requests,
with the same schema in JSON and CSV."""

from __future__ import annotations

from datetime import date

from pmobot.app import App
from pmobot.services import changes, export, projects
from tests.services.test_export import csv_rows, documents, shown
from tests.support.projects import demo_actor, estimated_need, open_for


async def _history(app: App) -> str:
    key = await open_for(app, await estimated_need(app))
    async with app.db.session() as session:
        bob = await demo_actor(session, app, "bob")
        await projects.add_milestone(session, core=app.core, actor=bob, key=key, name="=Pilot", due=date(2026, 12, 11),
                                     weight=40)
        await changes.request_change(session, core=app.core, actor=bob, key=key, answers={
            "new_end": "2027-01-29", "new_budget": {"amount": "52000.5", "currency": "EUR"},
            "reason": "Vendor late"})
    for login, vote in (("carla", "approve"), ("erin", "approve")):
        async with app.db.session() as session:
            member = await demo_actor(session, app, login)
            await changes.decide(session, core=app.core, actor=member, key=key, number="CR-1", choice=vote,
                                 reason="ok")
    return key


async def test_projects_baselines_milestones_and_changes_are_exported(app: App) -> None:
    key = await _history(app)
    [project], _, _ = await documents(app, "projects")
    assert {k: project[k] for k in ("key", "need", "owner", "baseline_version", "end", "budget",
                                    "budget_currency")} == {
        "key": key, "need": "NEED-1", "owner": "Bob Smith", "baseline_version": 2, "end": "2027-01-29",
        "budget": "52000.50", "budget_currency": "EUR"}
    versions, _, _ = await documents(app, "baselines")
    assert [(v["version"], v["end"], v["budget"], v["change_request"]) for v in versions] == [
        (1, "2026-12-23", "45000.00", None), (2, "2027-01-29", "52000.50", f"{key}/CR-1")]
    assert versions[1]["milestones"] == ["=Pilot (2026-12-11)"]
    [milestone], _, _ = await documents(app, "milestones")
    assert (milestone["name"], milestone["due"], milestone["weight"], milestone["created_by"]) == (
        "=Pilot", "2026-12-11", 40, "Bob Smith")
    [change], _, _ = await documents(app, "changes")
    assert (change["change_request"], change["status"], change["new_end"], change["new_budget"],
            change["scope_note"]) == (f"{key}/CR-1", "approved", "2027-01-29", "52000.50", None)


async def test_each_project_table_has_the_same_columns_in_csv_and_json(app: App) -> None:
    await _history(app)
    for what in ("projects", "baselines", "milestones", "changes"):
        rows, _, as_csv = await documents(app, what)
        header, cells = csv_rows(as_csv)
        assert header == export.TABLES[what].columns(app.core.specs)
        assert sorted(header) == sorted(rows[0])
        for row, line in zip(rows, cells, strict=True):
            for column in header:
                value = line[column]
                # A cell that would start a formula is quoted with an apostrophe.
                assert value == shown(row[column]) or value == "'" + shown(row[column]), (what, column)
