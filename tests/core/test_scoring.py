"""The scoring rule: each method against figures worked out by hand, the breakdown in plain words,
and a policy file refused at start with the line of each mistake."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from textwrap import dedent

import pytest

from pmobot.domain.scoring import (
    EstimateFacts,
    Inputs,
    Method,
    Quorum,
    Rating,
    evaluate,
    moves,
)
from pmobot.services.policy import PolicyError, load_default, parse
from pmobot.services.scoring import ScoreView, explain

TODAY = date(2026, 11, 26)
BOB_V2 = EstimateFacts(effort_likely=20, technical_risk="low", confidence="low", version=2, by="Bob Smith")


def _view(policy, inputs: Inputs) -> ScoreView:  # type: ignore[no-untyped-def]
    result = evaluate(policy, inputs)
    return ScoreView(need_key="NEED-3", value=result.value, breakdown=result.breakdown, missing=result.missing,
                     policy_version=1, labels={c.id: dict(c.label) for c in policy.criteria})


def _full(**changes) -> Inputs:  # type: ignore[no-untyped-def]
    values = dict(
        today=TODAY,
        ratings={"business_value": Rating(8, "saves two days a month"), "risk_reduction": Rating(3, "audit finding")},
        assessed_by="Dan Dupont", assessment_version=1,
        desired_date=date(2027, 1, 5),  # 40 days away
        users_affected=250, estimate=BOB_V2,
    )
    values.update(changes)
    return Inputs(**values)  # type: ignore[arg-type]


def test_wsjf_with_the_default_policy_by_hand() -> None:
    # value 8 + urgency 5 (40 days: the band up to 90) + risk 3 + users 3 (250: up to 1000)
    # over size 20 person-days / 20 = 1, × 1.2 for a low confidence, × 1.0 for a low risk: 19 / 1.2.
    policy = load_default()
    result = evaluate(policy, _full())
    assert result.missing == ()
    assert result.value == 15.83
    assert result.breakdown is not None
    assert [(f.criterion, f.points) for f in result.breakdown.factors] == [
        ("business_value", 8), ("time_criticality", 5), ("risk_reduction", 3), ("reach", 3), ("job_size", 1.2)]


def test_wsjf_size_follows_risk_and_confidence_and_the_bands_edges() -> None:
    policy = load_default()
    # 30 days is still in the first band (up to 30 inclusive): 8; no users given: 0 (reach has no "missing:").
    # High risk × 1.25, high confidence × 1.0: size 40 / 20 × 1.25 = 2.5; (8 + 8 + 3 + 0) / 2.5 = 7.6.
    facts = EstimateFacts(effort_likely=40, technical_risk="high", confidence="high", version=1, by="Bob")
    result = evaluate(policy, _full(desired_date=date(2026, 12, 26), users_affected=None, estimate=facts))
    assert result.value == 7.6
    # No desired date: the policy's 'missing: 1'; a desired date already passed: the first band.
    assert evaluate(policy, _full(desired_date=None)).value == round((8 + 1 + 3 + 3) / 1.2, 2)
    assert evaluate(policy, _full(desired_date=date(2026, 11, 1))).value == round((8 + 8 + 3 + 3) / 1.2, 2)


def test_a_zero_effort_is_floored_not_divided_by() -> None:
    facts = EstimateFacts(effort_likely=0, technical_risk="low", confidence="high", version=1, by="Bob")
    assert evaluate(load_default(), _full(estimate=facts)).value == 190.0  # 19 / 0.1


WEIGHTED = dedent("""\
    method: weighted
    criteria:
      value:
        from: assessment
        weight: 3
        label: {en: value, fr: valeur}
        question: {en: "What value?", fr: "Quelle valeur ?"}
      urgency:
        from: intake.desired_date
        weight: 2
        label: {en: urgency, fr: urgence}
        bands: [{up_to: 30, points: 9}, {up_to: 120, points: 6}, {points: 2}]
      smallness:
        from: estimate.effort_likely
        label: {en: small job, fr: petit chantier}
        bands: [{up_to: 10, points: 10}, {up_to: 40, points: 5}, {points: 1}]
      safety:
        from: estimate.technical_risk
        label: {en: safety, fr: sûreté}
        points: {low: 8, medium: 5, high: 2}
    """)


def test_weighted_by_hand() -> None:
    # (3 × value 6 + 2 × urgency 6 (100 days) + 1 × 5 (25 person-days) + 1 × 5 (medium risk)) / (3 + 2 + 1 + 1)
    # = 40 / 7 = 5.714...
    policy = parse(WEIGHTED, "weighted.yaml")
    facts = EstimateFacts(effort_likely=25, technical_risk="medium", confidence="high", version=1, by="Bob")
    inputs = Inputs(today=TODAY, ratings={"value": Rating(6, "some")}, assessed_by="Dan", assessment_version=1,
                    desired_date=date(2027, 3, 6), estimate=facts)
    result = evaluate(policy, inputs)
    assert policy.method == Method.WEIGHTED and result.value == 5.71
    assert explain(_view(policy, inputs), "en").splitlines()[0] == (
        "score 5.7 = (3 × value 6 + 2 × urgency 6 + 1 × small job 5 + 1 × safety 5) / 7")


def test_the_breakdown_in_plain_words_in_both_languages() -> None:
    view = _view(load_default(), _full())
    assert explain(view, "en").splitlines() == [
        "score 15.8 = (value 8 + urgency 5 + risk reduction 3 + users 3) / size 1.2",
        "· value 8: Dan Dupont's assessment v1 (“saves two days a month”)",
        "· urgency 5: desired date in 40 days",
        "· risk reduction 3: Dan Dupont's assessment v1 (“audit finding”)",
        "· users 3: 250 users affected",
        "· size 1.2: Bob Smith's estimate v2, 20 person-days, low confidence (× 1.2), low technical risk",
        "policy v1 (wsjf)",
    ]
    french = explain(view, "fr")
    assert french.startswith(
        "score 15,8 = (valeur 8 + urgence 5 + réduction de risque 3 + utilisateurs 3) / taille 1,2")
    assert ("taille 1,2 : estimation v2 de Bob Smith, 20 jours-personne, confiance faible (× 1,2), "
            "risque technique faible") in french


def test_what_is_missing_is_said_instead_of_a_score() -> None:
    policy = load_default()
    nothing = _view(policy, _full(ratings=None, estimate=None))
    assert nothing.value is None and nothing.missing == ("assessment", "estimate")
    assert explain(nothing, "en") == ("No score yet: waiting for an assessment (/pmo assess NEED-3) "
                                      "and an estimate from IT.")
    assert explain(nothing, "fr").startswith("Pas encore de score : il manque une évaluation (/pmo evaluer NEED-3)")
    # A criterion the PMO added after the assessment: its rating is what is missing.
    partial = _view(policy, _full(ratings={"business_value": Rating(8)}))
    assert partial.missing == ("rating:risk_reduction",)
    assert "a rating of risk reduction" in explain(partial, "en")


def test_the_quorum_by_default_and_from_the_file() -> None:
    assert load_default().quorum == Quorum(business_approvals=1, it_approvals=1, rejection_blocks=True)
    q = Quorum()
    assert q.approves(business_approvals=1, it_approvals=1, rejections=0)
    assert not q.approves(business_approvals=2, it_approvals=0, rejections=0)
    assert not q.approves(business_approvals=1, it_approvals=1, rejections=1)
    text = WEIGHTED + "committee:\n  quorum: {business_approvals: 2, it_approvals: 1, rejection_blocks: false}\n"
    two = parse(text, "p.yaml").quorum
    assert two == Quorum(2, 1, False) and two.approves(business_approvals=2, it_approvals=1, rejections=1)


def test_moves_put_the_biggest_first() -> None:
    before = {"NEED-1": 10.0, "NEED-2": 8.0, "NEED-3": 5.0, "NEED-4": None}
    after = {"NEED-1": 4.0, "NEED-2": 8.0, "NEED-3": 9.0, "NEED-4": 7.0}
    found = moves(before, after)
    assert [(m.key, m.before, m.after) for m in found] == [
        ("NEED-4", None, 3), ("NEED-1", 1, 4), ("NEED-3", 3, 1)]


# -- the policy file, refused with the line --------------------------------------------------


def _refused(text: str) -> str:
    with pytest.raises(PolicyError) as caught:
        parse(dedent(text), "org-policy.yaml")
    return str(caught.value)


def test_an_unknown_criterion_source_names_its_line() -> None:
    message = _refused("""\
        method: wsjf
        criteria:
          value:
            from: assessment
            label: {en: value, fr: valeur}
            question: {en: "What value?", fr: "Quelle valeur ?"}
          strategy:
            from: strategic_fit
            label: {en: strategy, fr: stratégie}
        """)
    assert message.startswith("org-policy.yaml, line 8: criterion 'strategy' comes from 'strategic_fit', "
                              "an unknown criterion source")
    assert "intake.desired_date" in message


def test_a_weight_that_is_not_a_number_names_its_line() -> None:
    message = _refused("""\
        method: weighted
        criteria:
          value:
            from: assessment
            label: {en: value, fr: valeur}
            question: {en: "What value?", fr: "Quelle valeur ?"}
            weight: high
        """)
    assert message == "org-policy.yaml, line 7: criterion 'value': weight must be a number, not 'high'"
    assert "line 7: criterion 'value': weight must be above 0" in _refused("""\
        method: weighted
        criteria:
          value:
            from: assessment
            label: {en: value, fr: valeur}
            question: {en: "What value?", fr: "Quelle valeur ?"}
            weight: -2
        """)


def test_an_unknown_method_names_its_line() -> None:
    assert _refused("# the PMO's rule\nmethod: moscow\ncriteria: {}\n") == (
        "org-policy.yaml, line 2: unknown method 'moscow': use wsjf or weighted")


@pytest.mark.parametrize(("text", "expected"), [
    ("method: wsjf\ncriteria:\n  v:\n    from: assessment\n    wieght: 2\n",
     "line 5: unknown key 'wieght' in criterion 'v'"),
    ("method: wsjf\ncriteria:\n  v:\n    from: assessment\n    label: {en: v}\n",
     "line 5: criterion 'v' label needs a text in fr too"),
    ("method: wsjf\ncriteria:\n  v:\n    from: assessment\n    label: {en: v, fr: v}\n",
     "line 4: criterion 'v' is rated in the assessment: give it a question"),
    ("method: wsjf\ncriteria:\n  v:\n    from: assessment\n    label: {en: v, fr: v}\n    question: {en: q, fr: q}\n",
     "line 3: wsjf divides by one size"),
    ("method: wsjf\ncriteria:\n  s:\n    from: intake.users_affected\n    label: {en: s, fr: s}\n"
     "    bands: [{up_to: 10, points: 1}, {points: 2}, {up_to: 20, points: 3}]\n",
     "line 6: criterion 's' band 3 follows a band without up_to"),
    ("method: wsjf\ncriteria:\n  r:\n    from: estimate.technical_risk\n    label: {en: r, fr: r}\n"
     "    points: {low: 1, high: 3}\n", "line 6: criterion 'r' points needs a figure for medium too"),
    ("method: wsjf\nscale: {min: 1, max: 10}\ncriteria: [\n", "line 4: not valid YAML"),
    ("method: wsjf\ncriterias: {}\n", "line 2: unknown key 'criterias' in the policy"),
])
def test_other_mistakes_name_their_line(text: str, expected: str) -> None:
    assert expected in _refused(text)


def test_the_same_content_is_the_same_digest_and_a_change_is_another(tmp_path: Path) -> None:
    base = parse(WEIGHTED, "a.yaml")
    assert parse("# a comment\n" + WEIGHTED, "b.yaml").digest == base.digest
    assert parse(WEIGHTED.replace("weight: 3", "weight: 4"), "a.yaml").digest != base.digest


def test_an_organisation_policy_file_is_refused_at_start(tmp_path: Path) -> None:
    from pmobot.app import create_app
    from pmobot.config import Settings

    path = tmp_path / "policy.yaml"
    path.write_text("method: wsjf\ncriteria:\n  v:\n    from: nowhere\n", encoding="utf-8")
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/x.db", policy_file=path)
    with pytest.raises(PolicyError, match=r"policy.yaml, line 4: criterion 'v' comes from 'nowhere'"):
        create_app(settings)
    path.write_text(WEIGHTED, encoding="utf-8")
    app = create_app(settings)
    assert app.core.policy.method == Method.WEIGHTED
    # The assessment asks what this policy rates: one rating and one reason for 'value'.
    assert [f.id for f in app.core.specs["assess"].fields] == ["value", "value_reason"]
