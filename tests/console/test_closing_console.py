"""Ending a project in the console, in French: the PMO cancels a drifting project; its open alert is
closed with a short notice to the owner and the PMO room, the owner is told why, and its status says
since when, by whom and why."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pmobot.app import App
from tests.support.drift import DRIFT_DAY, drifting
from tests.support.projects import estimated_need, open_for


def flat(text: str) -> str:
    return " ".join(text.split())


async def test_the_pmo_cancels_a_drifting_project_in_the_console(app: App, console: Any, clock: Any) -> None:
    await console.handle_line("/as dan")
    await console.handle_line("/room pmo")
    await console.handle_line("/pmo canal ici pmo")
    key = await open_for(app, await estimated_need(app))
    clock.set(DRIFT_DAY)
    await drifting(app, key)
    await console.deliver()
    clock.set(datetime(2026, 12, 11, 10, 0, tzinfo=UTC))
    await console.handle_line("/room")
    await console.handle_line(f"/pmo annuler-projet {key} Le fournisseur arrête le produit")
    out = flat(console.out.getvalue())
    assert f"{key} · Supplier contract tracker est annulé le 11 décembre 2026." in out
    assert "Alertes de dérive ouvertes closes : ALERT-1" in out
    await console.deliver()
    out = flat(console.out.getvalue())
    # The PMO room in French, Bob (the owner) in English: the alert closed, and why.
    assert f"ALERT-1 est close : {key} a été annulé, l'alerte « planning en retard sur le prévu » n'a plus " \
           "lieu d'être." in out
    assert f"ALERT-1 is closed: {key} was cancelled, so the alert on schedule behind plan no longer applies." in out
    assert "is cancelled: Dan Dupont cancelled it. Reason: Le fournisseur arrête le produit" in out
    await console.handle_line(f"/pmo statut {key}")
    out = flat(console.out.getvalue())
    status = out[out.rindex("┌─ PRJ-1"):]
    assert "Statut : │ Annulé le 11 décembre 2026, par Dan Dupont. │ Motif : Le fournisseur arrête le produit" in status
    assert "annulé · Dan Dupont" in status  # its history
