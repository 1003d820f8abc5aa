"""The read side of drift alerts: worst first, in plain words with the numbers and the forecast."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from pmobot.app import App
from pmobot.domain.calendar import BusinessCalendar
from pmobot.domain.drift import ProjectFacts, evaluate
from pmobot.domain.evm import Plan, measure
from pmobot.domain.models_tracking import DriftAlert
from pmobot.domain.tracking_policy import TrackingPolicy
from pmobot.services import alerts

PARIS = BusinessCalendar(timezone="Europe/Paris", country="FR")


def _issue_example() -> dict[str, object]:
    """62 % of a 50 000 € budget spent for 40 % of the work, on 20 March 2026, with an April 30 end."""
    plan = Plan(start=date(2026, 2, 2), end=date(2026, 4, 30), budget=Decimal("50000"))
    f = measure(plan, day=date(2026, 3, 20), percent=40, spend=Decimal("31000"), days=PARIS)
    facts = ProjectFacts(key="PRJ-3", need_key="NEED-12", currency="EUR", baseline_end=plan.end, figures=f,
                         series=(f,), owner_end=date(2026, 6, 12))
    verdict = next(v for v in evaluate(facts, policy=TrackingPolicy(), days=PARIS, open_levels={})
                   if v.rule.id == "burn_ahead")
    return dict(verdict.figures)


def _alert(number: int, level: str, opened_days_ago: int, app: App, rule: str = "burn_ahead") -> DriftAlert:
    return DriftAlert(number=number, subject="PRJ-3", rule=rule, level=level, open_key=f"PRJ-3:{rule}:{number}",
                      status="open", figures=_issue_example(),
                      opened_at=app.core.now() - timedelta(days=opened_days_ago))


async def test_the_issue_example_in_plain_words(app: App) -> None:
    alert = _alert(1, "warning", 0, app)
    en = alerts.alert_text(alert, locale="en", core=app.core)
    assert en == ("PRJ-3 (NEED-12) has spent 62% of its budget for 40% of the work. At this rate it will cost "
                  "€77,500 instead of €50,000 and end on 12 June instead of 30 April.")
    fr = alerts.alert_text(alert, locale="fr", core=app.core)
    assert "PRJ-3 (NEED-12) a consommé 62 % de son budget pour 40 % du travail" in fr
    assert "77\u202f500\u00a0€ au lieu de 50\u202f000\u00a0€" in fr
    assert "12 juin au lieu du 30 avril" in fr


async def test_open_alerts_worst_first_and_history(app: App) -> None:
    async with app.db.session() as session:
        for alert in (_alert(1, "warning", 5, app), _alert(2, "critical", 1, app), _alert(3, "critical", 3, app),
                      _alert(4, "warning", 9, app, rule="cpi")):
            session.add(alert)
        closed = _alert(5, "critical", 10, app, rule="spi")
        closed.status, closed.open_key = "closed", None
        session.add(closed)
        await session.commit()
    async with app.db.session() as session:
        worst = await alerts.open_alerts(session, core=app.core)
        assert [a.number for a in worst] == [3, 2, 4, 1]
        assert [a.number for a in await alerts.open_alerts(session, core=app.core, limit=2)] == [3, 2]
