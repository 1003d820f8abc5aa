"""Status updates in the export: one row per update, never edited, with the same columns in JSON and CSV."""

from __future__ import annotations

from pmobot.app import App
from pmobot.services import export
from tests.services.test_export import csv_rows, documents
from tests.support.tracking import answers, project, record


async def test_every_status_update_is_a_row(app: App) -> None:
    prj = await project(app)
    assert prj.id is not None
    await record(app, prj.id, answers(20, "9000.5", cost_health="amber", cost_comment="Licences dearer",
                                      risks="=SUM(A1)"))
    await record(app, prj.id, answers(15, "9500", percent_reason="Rework"), login="dan")
    rows, _, as_csv = await documents(app, "status-updates")
    assert [(r["project"], r["number"], r["percent_complete"], r["spend"], r["author"], r["reason"]) for r in rows] == [
        (prj.key, 1, 20.0, "9000.50", "Bob Smith", None), (prj.key, 2, 15.0, "9500.00", "Dan Dupont", "Rework")]
    assert rows[0]["comments"] == ["cost: Licences dearer"] and rows[0]["cost_health"] == "amber"
    header, cells = csv_rows(as_csv)
    assert header == export.TABLES["status-updates"].columns(app.core.specs) and sorted(header) == sorted(rows[0])
    assert cells[0]["risks"] == "'=SUM(A1)"  # a cell that would start a formula is quoted
