"""Scoring in chat: the assessment as a conversation, one question per criterion the policy rates,
then the score with its breakdown in the status, the ranking and the policy."""

from __future__ import annotations

from support.dialogs import answer_dialog

from pmobot.app import App
from pmobot.messages import Card, Message, Notice, Prompt, Text
from pmobot.services import estimation, people
from pmobot.services.people import Identity

ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")
BOB = Identity(platform="console", external_id="bob", display_name="Bob Smith", handle="bob")
DAN = Identity(platform="console", external_id="dan", display_name="Dan Dupont", handle="dan")
ESTIMATE = {"effort_low": 10, "effort_likely": 20, "effort_high": 30, "cost": {"amount": "9000", "currency": "EUR"},
            "duration_days": 20, "confidence": "high", "technical_risk": "medium", "security_review": False}


def text_of(messages: list[Message]) -> str:
    out = []
    for m in messages:
        if isinstance(m, Text | Notice | Prompt):
            out.append(m.text)
        elif isinstance(m, Card):
            out += [m.title, m.body, *(f"{f.label}: {f.value}" for f in m.fields), m.footer]
    return "\n".join(out)


async def _file_and_estimate(app: App) -> None:
    async def say(text: str) -> None:
        await app.chat.on_text(ALICE, "a", text)

    await say("/pmo new")
    await answer_dialog(app, platform="console", external_id="alice", say=say, answers={
        "title": "Suivi des contrats", "problem": "Tout est dans Excel, on perd des contrats.",
        "benefits": "Moins d'oublis", "department": "1", "users_affected": "150", "desired_date": "2027-01-05",
        "personal_data": "non", "external_vendor": "non",
    })
    await say("1")
    async with app.db.session() as session:
        bob = await people.resolve(session, core=app.core, identity=BOB)
        await estimation.record_estimate(session, core=app.core, actor=bob, key="NEED-1", answers=ESTIMATE)


async def test_the_assessment_as_a_conversation_then_the_score_everywhere(app: App) -> None:
    await _file_and_estimate(app)
    # Before the assessment, the status says what the score waits for.
    status = text_of(await app.chat.on_text(DAN, "d", "/pmo statut NEED-1"))
    assert "Pas encore de score : il manque une évaluation (/pmo evaluer NEED-1)." in status

    async def say(text: str) -> list[Message]:
        return await app.chat.on_text(DAN, "d", text)

    opened = text_of(await say("/pmo evaluer NEED-1"))
    assert "Évaluation de NEED-1 : notez chaque critère de la politique de notation de 1 à 10" in opened
    assert "Valeur métier : qu'apporte-t-il à l'organisation ? Votre note, de 1 (la plus basse) à 10" in opened
    # A rating off the scale is asked again, saying why.
    refused = text_of(await say("11"))
    assert "10" in refused
    await answer_dialog(app, platform="console", external_id="dan", say=say, answers={
        "business_value": "7", "business_value_reason": "moins d'oublis de renouvellement",
        "risk_reduction": "4", "risk_reduction_reason": "exigence d'audit",
    })
    done = text_of(await say("1"))
    # (7 + urgency 5 (40 days) + 4 + users 3 (150)) / (20 / 20 × 1.0 × 1.1) = 19 / 1.1 = 17.27.
    assert "L'évaluation v1 de NEED-1 est enregistrée." in done
    assert "score 17,3 = (valeur 7 + urgence 5 + réduction de risque 4 + utilisateurs 3) / taille 1,1" in done
    assert "valeur 7 : évaluation v1 de Dan Dupont (« moins d'oublis de renouvellement »)" in done
    assert ("taille 1,1 : estimation v1 de Bob Smith, 20 jours-personne, confiance élevée, "
            "risque technique moyen (× 1,1)") in done
    # The status shows it too, to the requester as well (the rule is published).
    assert "score 17,3" in text_of(await app.chat.on_text(ALICE, "a", "/pmo statut NEED-1"))
    ranking = text_of(await app.chat.on_text(BOB, "b", "/pmo ranking"))
    assert "Open needs by score (1)" in ranking and "#1 · Estimated" in ranking
    assert "Policy v1 (wsjf)" in ranking
    # A requester is told what the ranking is for, politely.
    assert "/pmo mes" in text_of(await app.chat.on_text(ALICE, "a", "/pmo classement"))
    policy = text_of(await app.chat.on_text(DAN, "d", "/pmo politique"))
    assert "Politique de notation v1 (wsjf)" in policy
    assert "Quorum du comité : 1 approbation métier et 1 approbation DSI, tout rejet bloque." in policy
