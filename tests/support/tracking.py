"""A project with a status history: PRJ-n owned by bob (IT), and status answers as the check-in gives them."""

from __future__ import annotations

from typing import Any

from pmobot.app import App
from pmobot.domain.models_governance import Project
from pmobot.domain.models_tracking import StatusUpdate
from pmobot.services import projects, status_updates
from tests.support.projects import demo_actor, estimated_need, open_for


def answers(percent: float, spend: str = "10000", **more: Any) -> dict[str, Any]:
    """The check-in's answers: all green unless ``more`` says otherwise."""
    values: dict[str, Any] = {"percent_complete": percent, "spend": {"amount": spend, "currency": "EUR"},
                              "health": "green", "schedule_health": "green", "cost_health": "green",
                              "scope_health": "green"}
    values.update(more)
    return values


async def project(app: App) -> Project:
    """A fresh active project (owner bob, baseline 45 000 EUR)."""
    key = await open_for(app, await estimated_need(app))
    async with app.db.session() as session:
        found, _ = await projects.get(session, actor=await demo_actor(session, app, "dan"), key=key)
        return found


async def record(app: App, project_id: int, values: dict[str, Any], *, login: str = "bob",
                 via: str = "command") -> StatusUpdate:
    async with app.db.session() as session:
        author = await demo_actor(session, app, login)
        return await status_updates.record(session, core=app.core, project_id=project_id, author_id=author.id,
                                           values=values, via=via)
