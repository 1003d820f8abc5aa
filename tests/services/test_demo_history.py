"""The demo's past: three projects with weeks of updates, one clearly drifting (spend far ahead of
progress, forecast end past its baseline), one on track; seeding twice adds nothing, and nothing is sent."""

from __future__ import annotations

import json

from sqlmodel import select

from pmobot.app import App
from pmobot.domain.models import OutboxMessage
from pmobot.services import alerts, baselines, demo_history, status_updates


async def test_the_demo_history_has_one_drifting_project_and_one_on_track(app: App) -> None:
    async with app.db.session() as session:
        assert await demo_history.seed_history(session, core=app.core) == 3
    async with app.db.session() as session:
        assert await demo_history.seed_history(session, core=app.core) == 0
        runs = await status_updates.series(session, project_ids=[1, 2, 3], limit_per_project=10)
        ends = {pid: (await baselines.in_force(session, project_id=pid)) for pid in (1, 2)}
        sent = (await session.exec(select(OutboxMessage))).all()
        opened = await alerts.open_alerts(session, core=app.core)
    assert [len(runs[pid]) for pid in (1, 2, 3)] == [6, 6, 1]
    # Measured at once: the drifting project has its alerts, told once, together; the one on track has none.
    assert {a.subject for a in opened} == {"PRJ-901"} and any(a.rule == "burn_ahead" for a in opened)
    told = [m for m in sent if m.key.startswith("alerts:PRJ-901:")]
    assert len(sent) == len({m.key for m in sent}) and told
    assert all(a.key in json.dumps(m.payload) for m in told for a in opened)
    drifting, steady = runs[1][-1], runs[2][-1]
    budget = {pid: float(b.budget) for pid, b in ends.items() if b}
    assert float(drifting.spend) / budget[1] * 100 - drifting.percent_complete >= 30  # 75 % spent for 25 % done
    assert drifting.forecast_end and ends[1] and drifting.forecast_end > ends[1].end and drifting.health == "red"
    assert abs(float(steady.spend) / budget[2] * 100 - steady.percent_complete) < 1 and steady.health == "green"
    assert [u.created_at for u in runs[1]] == sorted(u.created_at for u in runs[1])
    assert runs[1][-1].created_at <= app.core.now()
