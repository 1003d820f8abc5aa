"""Drift alerts in the console: the owner is told with the card's buttons, the PMO room too, and
/pmo alertes, /pmo alerte ALERT-n vu and /pmo statut PRJ-n show and act on them, in French."""

from __future__ import annotations

from typing import Any

from pmobot.app import App
from tests.support.drift import DRIFT_DAY, drifting
from tests.support.projects import estimated_need, open_for


def flat(text: str) -> str:
    return " ".join(text.split())


async def test_an_alert_in_the_console(app: App, console: Any, clock: Any) -> None:
    await console.handle_line("/as dan")
    await console.handle_line("/room pmo")
    await console.handle_line("/pmo canal ici pmo")
    assert "Ce canal est désormais le canal du PMO sur console." in flat(console.out.getvalue())
    key = await open_for(app, await estimated_need(app))
    clock.set(DRIFT_DAY)
    await drifting(app, key)
    await console.deliver()
    out = flat(console.out.getvalue())
    # Bob, the owner, in English; the PMO room in French; each card with its buttons.
    assert f"{key} (NEED-1) has done 40% of the work where 55% was planned" in out
    assert f"{key} (NEED-1) a réalisé 40 % du travail alors que 55 % étaient prévus" in out
    assert "See the status" in out and "Prendre en compte" in out
    # Bob's card is set in his language's typography, not in that of Dan, who is typing (no "plan :").
    assert "ALERT-1 · critical · PRJ-1: schedule behind plan: │" in out and "behind plan :" not in out

    await console.handle_line("/room")
    await console.handle_line("/pmo alertes")
    out = flat(console.out.getvalue())
    assert "alertes de dérive ouvertes" in out and "ALERT-1 · critique · PRJ-1 : planning en retard" in out
    # A list says how to act on one of its alerts, not "acknowledge it" as a single alert's card does.
    assert "Ouvrez-en une avec /pmo alerte ALERT-n" in out
    await console.handle_line("/pmo alerte ALERT-1 vu")
    assert "ALERT-1 est prise en compte." in flat(console.out.getvalue())
    await console.handle_line("/pmo alerte ALERT-99 vu")
    assert "Il n'y a pas d'alerte ALERT-99." in flat(console.out.getvalue())
    await console.handle_line(f"/pmo statut {key}")
    out = flat(console.out.getvalue())
    assert "Alertes de dérive" in out and "ALERT-1 prise en compte (critique)" in out
