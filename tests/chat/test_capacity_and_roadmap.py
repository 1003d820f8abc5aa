"""/pmo capacity and /pmo roadmap in chat and on the console, in French and English.

The demo organisation's PMO is dan (French); alice is a requester. Today is
Thursday 26 November 2026.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select
from support.roadmap import seed

from pmobot.adapters.console import ConsoleChat
from pmobot.app import App
from pmobot.domain.models import AuditEvent
from pmobot.domain.models_governance import Capacity
from pmobot.messages import Chart, Message, Notice, Text
from pmobot.services.people import Identity

DAN = Identity(platform="console", external_id="dan", display_name="Dan Dupont", handle="dan")
ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")


def said(messages: list[Message]) -> str:
    return "\n".join(m.text for m in messages if isinstance(m, Text | Notice))


async def run(app: App, who: Identity, text: str) -> list[Message]:
    return await app.chat.on_command(who, f"console:dm:{who.external_id}", text)  # type: ignore[arg-type]


async def test_the_pmo_sets_capacity_now_and_from_a_later_month(app: App) -> None:
    out = said(await run(app, DAN, "capacite 40"))
    assert "40 jours-personne par mois à partir de novembre 2026" in out
    out = said(await run(app, DAN, "capacity 30,5 à partir de 2027-03"))
    assert "30,5 jours-personne par mois à partir de mars 2027" in out and "Elle était de 40" in out
    await run(app, ALICE, "lang en")
    out = said(await run(app, ALICE, "capacity"))
    assert out == "IT's capacity is 40 person-days a month; 30.5 from March 2027."
    async with app.db.session() as session:
        rows = (await session.exec(select(Capacity).order_by(col(Capacity.id)))).all()
        audit = (await session.exec(select(AuditEvent).where(AuditEvent.subject == "capacity"))).all()
    assert [(str(r.effective_from), r.person_days_per_month) for r in rows] == [
        ("2026-11-01", 40.0), ("2027-03-01", 30.5)]
    assert [a.detail["person_days_per_month"] for a in audit] == [40.0, 30.5]


@pytest.mark.parametrize(("text", "expected"), [
    ("capacity 0", "must be more than zero"),
    ("capacity -5", "more than zero person-days a month (you wrote -5)"),
    ("capacity 40 from soon", "could not read \"soon\" as a month"),
    ("capacity 40 from 2026-01", "from this month (November 2026) on"),
    ("capacity 1000000", "more than any IT department"),
])
async def test_bad_capacity_is_refused_politely_and_nothing_is_written(app: App, text: str, expected: str) -> None:
    await run(app, DAN, "lang en")
    out = said(await run(app, DAN, text))
    assert expected in out
    async with app.db.session() as session:
        assert (await session.exec(select(Capacity))).all() == []


async def test_only_the_pmo_sets_capacity(app: App) -> None:
    await run(app, ALICE, "lang en")
    out = said(await run(app, ALICE, "capacity 40"))
    assert "Only a PMO sets IT's capacity" in out


async def test_an_empty_roadmap_says_so_without_a_chart(app: App) -> None:
    await run(app, ALICE, "lang en")
    messages = await run(app, ALICE, "roadmap")
    assert not any(isinstance(m, Chart) for m in messages)
    assert "Nothing is on the roadmap yet" in said(messages)


async def test_the_console_saves_the_chart_and_names_the_file(console: ConsoleChat, app: App, tmp_path: Path) -> None:
    await seed(app)
    console.charts_dir = tmp_path / "charts"
    console.current = "dan"
    await console.handle_line("/pmo feuille-de-route")
    transcript = console.out.getvalue()  # type: ignore[attr-defined]
    # Lines wrapped at the terminal's width, French no-break spaces: read as plain words.
    flat = " ".join(transcript.replace("\u00a0", " ").split())
    (saved,) = (tmp_path / "charts").glob("roadmap-2026-11-26-fr-*.png")
    assert saved.read_bytes().startswith(b"\x89PNG")
    assert f"→ {saved}" in transcript
    assert "PRJ-1 Need 3 : 1 décembre → 14 décembre 2026, 20 jours-personne · engagé" in flat
    assert "NEED-2 Need 2 : 4 janvier → 8 janvier 2027, 10 jours-personne · si approuvé" in flat
    assert "Chronologie de 2 éléments, de décembre 2026 à janvier 2027." in flat
    assert ("Charge par mois (jours-personne pris / capacité) : novembre 2026 0/20, décembre 2026 20/20, "
            "janvier 2027 10/20") in flat


async def test_two_readers_charts_are_saved_side_by_side(console: ConsoleChat, app: App, tmp_path: Path) -> None:
    """Dan reads French, Alice English: on the console, neither chart overwrites the other."""
    await seed(app)
    await run(app, ALICE, "lang en")
    console.charts_dir = tmp_path / "charts"
    for who in ("dan", "alice"):
        console.current = who
        await console.handle_line("/pmo roadmap")
    names = sorted(p.name for p in (tmp_path / "charts").glob("*.png"))
    assert len(names) == 2 and names[0].startswith("roadmap-2026-11-26-en-") and "-fr-" in names[1]


@pytest.mark.parametrize("failure", ["no matplotlib", "drawing fails"])
async def test_without_a_chart_the_roadmap_is_still_told(app: App, monkeypatch: pytest.MonkeyPatch,
                                                         failure: str) -> None:
    import sys

    import pmobot.services
    from pmobot.services import charts

    await seed(app)
    if failure == "no matplotlib":
        monkeypatch.delattr(pmobot.services, "charts")
        monkeypatch.setitem(sys.modules, "pmobot.services.charts", None)  # importing it now raises ImportError
    else:
        def broken(*args: object, **kwargs: object) -> bytes:
            raise RuntimeError("no font")
        monkeypatch.setattr(charts, "timeline_png", broken)
    messages = await run(app, DAN, "feuille-de-route")
    assert not any(isinstance(m, Chart) for m in messages)
    out = " ".join(said(messages).replace("\u00a0", " ").split())
    assert "PRJ-1 Need 3 : 1 décembre → 14 décembre 2026" in out
    assert "Le graphique n'a pas pu être dessiné" in out
