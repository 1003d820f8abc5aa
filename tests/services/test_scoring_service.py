"""Scores on both databases: recorded with their policy version, ranked, and what moved when the policy changed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from pmobot.app import App
from pmobot.domain.models import AuditEvent, Need, OutboxMessage
from pmobot.domain.models_governance import Assessment, PolicyVersion, Score
from pmobot.services import assessment, estimation, intake, people, policy_changes, scoring
from pmobot.services.errors import Forbidden, Invalid
from pmobot.services.people import Identity
from pmobot.services.policy import load_default, parse

NEED: dict[str, Any] = {
    "title": "Supplier contract tracker", "problem": "Contracts live in spreadsheets.",
    "benefits": "No missed renewals.", "department": "purchasing", "users_affected": 250,
    # 2026-11-26 + 40 days: urgency 5 under the default policy.
    "desired_date": "2027-01-05",
    "budget": {"amount": "30000", "currency": "EUR"}, "personal_data": False, "external_vendor": False,
}
ESTIMATE: dict[str, Any] = {
    "effort_low": 10, "effort_likely": 20, "effort_high": 30, "cost": {"amount": "9000", "currency": "EUR"},
    "duration_days": 20, "confidence": "low", "technical_risk": "low", "security_review": False,
}


async def _actor(session, app: App, login: str):  # type: ignore[no-untyped-def]
    names = {"alice": "Alice Martin", "bob": "Bob Smith", "carla": "Carla Rossi", "dan": "Dan Dupont"}
    return await people.resolve(session, core=app.core, identity=Identity("console", login, names[login], login))


async def _file(app: App, **changes: Any) -> str:
    async with app.db.session() as session:
        need, _ = await intake.submit_need(session, core=app.core, actor=await _actor(session, app, "alice"),
                                           answers={**NEED, **changes}, source_platform="console",
                                           source_conversation="console:dm:alice")
        return need.key


async def _estimate(app: App, key: str, **changes: Any) -> None:
    async with app.db.session() as session:
        await estimation.record_estimate(session, core=app.core, actor=await _actor(session, app, "bob"), key=key,
                                         answers={**ESTIMATE, **changes})


async def _assess(app: App, key: str, value: float, risk: float, login: str = "dan") -> str:
    async with app.db.session() as session:
        [notice] = await assessment.record_assessment(
            session, core=app.core, actor=await _actor(session, app, login), key=key,
            answers={"business_value": value, "business_value_reason": "saves two days a month",
                     "risk_reduction": risk, "risk_reduction_reason": "audit finding"})
        return notice.text  # type: ignore[attr-defined, no-any-return]


async def _view(app: App, key: str) -> scoring.ScoreView:
    async with app.db.session() as session:
        need = (await session.exec(select(Need).where(Need.number == int(key.split("-")[1])))).one()
        return await scoring.score_of(session, core=app.core, need=need)


async def test_a_score_waits_for_the_assessment_and_the_estimate_then_is_kept_with_its_version(app: App) -> None:
    key = await _file(app)
    view = await _view(app, key)
    assert view.value is None and view.missing == ("assessment", "estimate") and view.policy_version == 1
    await _estimate(app, key)
    assert (await _view(app, key)).missing == ("assessment",)
    reply = await _assess(app, key, 8, 3)
    # (8 + 5 + 3 + 3) / (20 / 20 × 1.2) = 15.83
    assert reply.splitlines()[:2] == ["L'évaluation v1 de NEED-1 est enregistrée.",
                                      "score 15,8 = (valeur 8 + urgence 5 + réduction de risque 3 + utilisateurs 3) "
                                      "/ taille 1,2"]
    view = await _view(app, key)
    assert view.value == 15.83 and view.breakdown is not None and view.breakdown.estimate is not None
    assert view.breakdown.estimate.by == "Bob Smith" and view.breakdown.assessed_by == "Dan Dupont"
    # A re-estimate (effort 40: size 2.4) is a new score row, under the same version.
    await _estimate(app, key, effort_likely=40, effort_high=50)
    async with app.db.session() as session:
        rows = (await session.exec(select(Score).order_by(col(Score.id)))).all()
        kept = (await session.exec(select(Assessment))).one()
        audit = (await session.exec(select(AuditEvent).where(AuditEvent.action == "assess"))).one()
    assert [(r.value, r.policy_version) for r in rows] == [(15.83, 1), (7.92, 1)]
    assert rows[0].breakdown["factors"][0]["reason"] == "saves two days a month"
    assert kept.ratings == {"business_value": {"value": 8.0, "reason": "saves two days a month"},
                            "risk_reduction": {"value": 3.0, "reason": "audit finding"}}
    assert audit.detail["score"] == 15.83 and audit.detail["policy_version"] == 1


async def test_who_may_assess_and_what(app: App) -> None:
    key = await _file(app)
    async with app.db.session() as session:
        for login in ("alice", "bob"):
            with pytest.raises(Forbidden) as refused:
                await assessment.check_can_assess(session, core=app.core, actor=await _actor(session, app, login),
                                                  key=key)
            assert "PMO" in refused.value.message("en")
        # The committee may assess too.
        need = await assessment.check_can_assess(session, core=app.core, actor=await _actor(session, app, "carla"),
                                                 key=key)
        assert need.key == key
    async with app.db.session() as session:
        await intake.withdraw(session, core=app.core, actor=await _actor(session, app, "alice"), key=key)
    async with app.db.session() as session:
        with pytest.raises(Invalid) as closed:
            await assessment.check_can_assess(session, core=app.core, actor=await _actor(session, app, "dan"), key=key)
    assert closed.value.message("en") == "NEED-1 is Withdrawn: it is no longer assessed."


async def test_the_ranking_puts_the_highest_score_first_and_the_unscored_last(app: App) -> None:
    first, second, third = await _file(app), await _file(app, title="Expense app"), await _file(app, title="Wiki")
    for key in (first, second):
        await _estimate(app, key)
    await _assess(app, first, 4, 1)
    await _assess(app, second, 9, 6)
    async with app.db.session() as session:
        ranked = await scoring.ranking(session, core=app.core, needs=await scoring.open_needs(session))
        card = (await scoring.show_ranking(session, core=app.core, actor=await _actor(session, app, "carla")))[0]
        with pytest.raises(Forbidden):
            await scoring.show_ranking(session, core=app.core, actor=await _actor(session, app, "alice"))
    assert [(n.key, v.value) for n, v in ranked] == [(second, 19.17), (first, 10.83), (third, None)]
    assert [f.label for f in card.fields] == ["NEED-2 · Expense app", "NEED-1 · Supplier contract tracker",  # type: ignore[attr-defined]
                                              "NEED-3 · Wiki"]
    assert card.fields[0].value.startswith("n°1 · ")  # type: ignore[attr-defined]
    assert "Pas encore de score" in card.fields[2].value  # type: ignore[attr-defined]


async def test_a_changed_policy_is_a_new_version_and_the_pmo_is_told_what_moved(app: App) -> None:
    first, second = await _file(app), await _file(app, title="Expense app", users_affected=5)
    for key in (first, second):
        await _estimate(app, key)
    await _assess(app, first, 8, 1)  # (8 + 5 + 1 + 3) / 1.2 = 14.17
    await _assess(app, second, 5, 9)  # (5 + 5 + 9 + 1) / 1.2 = 16.67: first under v1
    async with app.db.session() as session:
        assert await policy_changes.publish(session, core=app.core) is None  # the same file: nothing new
    # The PMO now counts business value three times.
    text = load_default().document
    changed = dict(text)
    changed["criteria"] = {**text["criteria"], "business_value": {**text["criteria"]["business_value"], "weight": 3}}
    import yaml

    app.core.policy = parse(yaml.safe_dump(changed, allow_unicode=True), "org-policy.yaml")
    async with app.db.session() as session:
        change = await policy_changes.publish(session, core=app.core)
    assert change is not None and change.version.version == 2 and change.previous is not None
    # v2: NEED-1 (24 + 5 + 1 + 3) / 1.2 = 27.5, NEED-2 (15 + 5 + 9 + 1) / 1.2 = 25.
    assert [(m.key, m.before, m.after) for m in change.moves] == [("NEED-1", 2, 1), ("NEED-2", 1, 2)]
    async with app.db.session() as session:
        versions = (await session.exec(select(PolicyVersion).order_by(col(PolicyVersion.version)))).all()
        latest = (await session.exec(select(Score).where(Score.policy_version == 2).order_by(col(Score.need_id)))).all()
        notices = (await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).startswith("policy:")))).all()
        again = await policy_changes.publish(session, core=app.core)
        shown = (await policy_changes.show(session, core=app.core, actor=await _actor(session, app, "dan")))[0]
    assert [(v.version, v.source) for v in versions] == [(1, "pmobot/policy.yaml (the default)"),
                                                         (2, "org-policy.yaml")]
    assert [s.value for s in latest] == [27.5, 25.0]
    assert again is None
    [notice] = notices  # one per PMO admin and version, however many times it starts
    assert notice.key.startswith("policy:v2:")
    body = notice.payload["body"]
    assert body.splitlines() == ["Depuis la v1, ce qui a bougé dans le classement :",
                                 "· NEED-1 Supplier contract tracker : n°2 → n°1 (score 14,2 → 27,5)",
                                 "· NEED-2 Expense app : n°1 → n°2 (score 16,7 → 25)"]
    assert shown.title == "Politique de notation v2 (wsjf)"  # type: ignore[attr-defined]
    assert shown.body == body  # type: ignore[attr-defined]


async def test_the_scores_sheet_of_the_export(app: App) -> None:
    import csv
    import io
    import json

    from pmobot.services import export

    scored, waiting = await _file(app), await _file(app, title="Expense app")
    await _estimate(app, scored)
    await _assess(app, scored, 8, 3)
    async with app.db.session() as session:
        as_json = await export.document(session, core=app.core, what="scores", format="json")
        as_csv = await export.document(session, core=app.core, what="scores", format="csv")
    rows = json.loads(as_json.text)
    assert as_json.count == 2
    assert rows[0]["key"] == scored and rows[0]["score"] == 15.83 and rows[0]["policy_version"] == 1
    assert rows[0]["factors"] == ["business_value=8", "time_criticality=5", "risk_reduction=3", "reach=3",
                                  "job_size=1.2"]
    assert rows[0]["reasons"] == ["business_value: saves two days a month", "risk_reduction: audit finding"]
    assert rows[0]["breakdown"].startswith("score 15,8 = (valeur 8 + urgence 5")
    assert rows[0]["estimated_by"] == "Bob Smith" and rows[0]["assessed_by"] == "Dan Dupont"
    assert rows[1]["key"] == waiting and rows[1]["score"] is None
    assert rows[1]["waiting_for"] == ["assessment", "estimate"] and rows[1]["breakdown"] is None
    table = list(csv.reader(io.StringIO(as_csv.text)))
    assert table[0] == list(export.TABLES["scores"].columns(app.core.specs))
    assert set(rows[0]) == set(table[0])
    assert table[1][table[0].index("factors")] == ("business_value=8; time_criticality=5; risk_reduction=3; "
                                                   "reach=3; job_size=1.2")
    assert table[2][table[0].index("waiting_for")] == "assessment; estimate"


async def test_the_operator_is_told_at_start_when_the_policy_is_a_new_version(settings, clock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pmobot.app import create_app

    first = create_app(settings, clock=clock)
    await first.prepare(migrate=True, seed_demo=True)
    assert first.policy_notice() is None  # the first version: nothing moved
    await first.close()
    path = tmp_path / "org-policy.yaml"
    default = resources_text()
    path.write_text(default.replace("per: 20", "per: 10"), encoding="utf-8")
    again = create_app(settings.model_copy(update={"policy_file": path}), clock=clock)
    await again.prepare(migrate=True, seed_demo=True)
    notice = again.policy_notice()
    await again.close()
    assert notice is not None and notice.startswith(f"scoring policy v2 (wsjf) from {path}: 0 need(s) moved")


def resources_text() -> str:
    from importlib import resources

    return resources.files("pmobot").joinpath("policy.yaml").read_text(encoding="utf-8")


async def test_a_previous_version_that_no_longer_reads_does_not_stop_the_start(app: App) -> None:
    key = await _file(app)
    await _estimate(app, key)
    await _assess(app, key, 8, 3)
    async with app.db.session() as session:
        row = (await session.exec(select(PolicyVersion))).one()
        row.document = {"method": "moscow"}
        session.add(row)
    app.core.policy = parse(WEIGHTED_ONLY_VALUE, "org-policy.yaml")
    async with app.db.session() as session:
        change = await policy_changes.publish(session, core=app.core)
    assert change is not None and change.version.version == 2
    # (3 × value 8) / 3 = 8: ranked first, "now ranked" since nothing could be compared.
    assert [(m.key, m.before, m.after, m.score_after) for m in change.moves] == [(key, None, 1, 8.0)]


WEIGHTED_ONLY_VALUE = """\
method: weighted
criteria:
  business_value:
    from: assessment
    weight: 3
    label: {en: value, fr: valeur}
    question: {en: "What value?", fr: "Quelle valeur ?"}
"""


async def test_a_policy_version_is_remembered_only_once_committed(app: App) -> None:
    import yaml

    from pmobot.services import policy as policies

    def weighting_value(weight: int) -> Any:
        text = load_default().document
        changed = {**text, "criteria": {**text["criteria"], "business_value": {
            **text["criteria"]["business_value"], "weight": weight}}}
        return parse(yaml.safe_dump(changed, allow_unicode=True), "org-policy.yaml")

    thrice, four_times = weighting_value(3), weighting_value(4)
    app.core.policy = thrice
    with pytest.raises(RuntimeError):
        async with app.db.session() as session:
            assert await policies.version_of(session, core=app.core) == 2
            assert await policies.version_of(session, core=app.core) == 2  # found again: made by this unit of work
            raise RuntimeError("the unit of work rolls back")
    app.core.policy = four_times
    async with app.db.session() as session:
        assert await policies.version_of(session, core=app.core) == 2  # the number the rolled-back one had
    app.core.policy = thrice
    for _ in range(2):  # made, then remembered
        async with app.db.session() as session:
            assert await policies.version_of(session, core=app.core) == 3
