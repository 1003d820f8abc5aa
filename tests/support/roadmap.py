"""A small roadmap in the database, solved by hand in tests/services/test_roadmap_service.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pmobot.app import App
from pmobot.domain.models import Estimate, Need, Person
from pmobot.domain.models_governance import Baseline, Capacity, Project


async def seed(app: App) -> dict[str, Need]:
    now = app.core.now()
    async with app.db.session() as session:
        person = Person(handle="pat", display_name="Pat", created_at=now)
        session.add(person)
        await session.flush()
        assert person.id is not None

        def need(number: int, status: str, desired: date) -> Need:
            return Need(number=number, title=f"Need {number}", status=status, requester_id=person.id or 0,
                        desired_date=desired, created_at=now, updated_at=now)

        needs = {"NEED-1": need(1, "estimating", date(2027, 1, 1)),
                 "NEED-2": need(2, "ready_for_decision", date(2026, 12, 4)),
                 "NEED-3": need(3, "approved", date(2026, 12, 18))}
        session.add_all(needs.values())
        await session.flush()
        for key, effort, days in (("NEED-2", 10.0, 5), ("NEED-3", 20.0, 10)):
            session.add(Estimate(need_id=needs[key].id or 0, version=1, effort_low=effort, effort_likely=effort,
                                 effort_high=effort, cost=Decimal(1000), currency="EUR", duration_days=days,
                                 confidence="medium", technical_risk="low", security_review=False,
                                 estimator_id=person.id, created_at=now))
        project = Project(number=1, need_id=needs["NEED-3"].id or 0, status="active", created_at=now, updated_at=now)
        session.add(project)
        await session.flush()
        session.add(Baseline(project_id=project.id or 0, version=1, start=date(2026, 12, 1), end=date(2026, 12, 14),
                             budget=Decimal(1000), currency="EUR", effort=20.0, created_at=now))
        session.add(Capacity(effective_from=date(2026, 11, 1), person_days_per_month=20.0, set_by_id=person.id,
                             set_at=now))
        await session.commit()
        for item in needs.values():
            session.expunge(item)
    return needs
