"""The scope sign-off in Teams, the whole round trip: IT states the scope in an Adaptive Card form drafted
from the need, the requester asks for a change from the card's button, IT revises, the outdated card's
"agree" is refused with the current version shown, the requester agrees (no sponsor: hers is the only
agreement asked), the committee decides, a later change request removes an item. Every card is checked
against the Adaptive Card schema and every call against the Bot Connector's."""

from __future__ import annotations

from sqlmodel import col, select
from support.teams import FakeMicrosoft, Person, TeamsHarness, card_errors, card_text, personal_conversation
from support.teams_flows import ALICE, BOB, DAN, assert_accepted_by_microsoft, file_need_in_chat, set_up_team, texts_to

from pmobot.domain.models import RoleGrant
from pmobot.domain.models_governance import Baseline
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.services import estimation, people
from pmobot.services.people import Identity

CARLA = Person("carla", "Carla Rossi", "fr-FR")
ERIN = Person("erin", "Erin Walsh", "en-GB")
ESTIMATE = {"effort_low": 10, "effort_likely": 15, "effort_high": 25, "cost": {"amount": "12000", "currency": "EUR"},
            "duration_days": 30, "confidence": "medium", "technical_risk": "low", "security_review": False}
SEND_EN, SEND_FR = t("en", "dialog.form_submit"), t("fr", "dialog.form_submit")


def _fields(card: dict) -> list[str]:
    return [e["id"] for e in card["body"] if str(e.get("id", "")).startswith("field:")]


async def _committee(teams: TeamsHarness) -> None:
    for member, side in ((CARLA, "business"), (ERIN, "it")):
        await teams.post(teams.personal(member, "hello"))
        async with teams.app.db.session() as session:
            seat = await people.resolve(session, core=teams.app.core,
                                        identity=Identity("teams", member.id, member.name))
            session.add(RoleGrant(person_id=seat.id, role=Role.COMMITTEE, side=side, granted_at=teams.app.core.now()))


async def test_the_scope_round_trip_in_teams(teams: TeamsHarness, fake: FakeMicrosoft) -> None:
    await set_up_team(teams, fake, BOB)
    await _committee(teams)
    await file_need_in_chat(teams, fake, ALICE, "Il nous faut un outil de suivi des contrats fournisseurs")
    async with teams.app.db.session() as session:
        bob = await people.resolve(session, core=teams.app.core, identity=Identity("teams", BOB.id, BOB.name))
        await estimation.record_estimate(session, core=teams.app.core, actor=bob, key="NEED-1", answers=ESTIMATE)

    # Bob opens the statement of scope: an Adaptive Card form, drafted.
    await teams.post(teams.personal(BOB, "scope NEED-1"))
    form = fake.cards_to(BOB.chat)[-1]
    assert card_errors(form) == []
    assert _fields(form) == ["field:in_scope", "field:out_of_scope", "field:assumptions", "field:acceptance"]
    drafted = {e["id"]: e.get("value") for e in form["body"] if str(e.get("id", "")).startswith("field:")}
    assert drafted["field:acceptance"] == "Moins d'oublis" and "15 person-days" in drafted["field:assumptions"]
    typed = {"field:in_scope": "Suivi des contrats\nAlertes de renouvellement", "field:out_of_scope": "",
             "field:assumptions": drafted["field:assumptions"], "field:acceptance": "Aucun renouvellement manqué"}
    status, body = await teams.post(teams.press(BOB, form, SEND_EN, inputs=typed,
                                                conversation=personal_conversation(BOB)))
    assert status == 200 and card_errors(body["value"]) == []
    assert "Scope v1 of NEED-1 is sent for agreement to Alice Martin." in card_text(body["value"])
    await teams.deliver()

    # Alice's card, in French; she asks for a change on item 2 from its button.
    card = fake.cards_to(ALICE.chat)[-1]
    assert card_errors(card) == [] and "Périmètre de NEED-1 · v1" in card_text(card)
    assert "2. Alertes de renouvellement" in card_text(card)
    first = card
    await teams.post(teams.press(ALICE, card, t("fr", "scope.button.changes"),
                                 conversation=personal_conversation(ALICE)))
    form = fake.cards_to(ALICE.chat)[-1]
    assert card_errors(form) == [] and _fields(form) == ["field:item", "field:comment"]
    status, body = await teams.post(teams.press(ALICE, form, SEND_FR, inputs={
        "field:item": "2", "field:comment": "Prévenir 90 jours avant, pas 30"},
        conversation=personal_conversation(ALICE)))
    assert status == 200 and "est transmise à la DSI" in card_text(body["value"])
    await teams.deliver()
    told = fake.cards_to(BOB.chat)[-1]
    assert card_errors(told) == [] and "on item 2 (\"Alertes de renouvellement\")" in card_text(told)

    # Bob revises from that card's button: the form starts from v1.
    await teams.post(teams.press(BOB, told, t("en", "scope.button.write"), conversation=personal_conversation(BOB)))
    form = fake.cards_to(BOB.chat)[-1]
    revised = {e["id"]: e.get("value") for e in form["body"] if str(e.get("id", "")).startswith("field:")}
    assert revised["field:in_scope"] == "Suivi des contrats\nAlertes de renouvellement"
    revised["field:in_scope"] = "Suivi des contrats\nAlertes de renouvellement à 90 jours"
    revised["field:out_of_scope"] = ""
    status, body = await teams.post(teams.press(BOB, form, SEND_EN, inputs=revised,
                                                conversation=personal_conversation(BOB)))
    assert "Scope v2 of NEED-1 is sent" in card_text(body["value"])
    await teams.deliver()

    # "Agree" on the v1 card is refused and v2 shown; v2 is agreed from its own card.
    await teams.post(teams.press(ALICE, first, t("fr", "scope.button.agree"),
                                 conversation=personal_conversation(ALICE)))
    shown = texts_to(fake, ALICE.chat)
    assert "n'est plus la version en cours : c'est la v2" in shown and "à 90 jours" in shown
    current = next(c for c in reversed(fake.cards_to(ALICE.chat)) if "Périmètre de NEED-1 · v2" in card_text(c))
    await teams.post(teams.press(ALICE, current, t("fr", "scope.button.agree"),
                                 conversation=personal_conversation(ALICE)))
    assert "le périmètre est validé" in texts_to(fake, ALICE.chat)

    # The committee decides; the baseline keeps the agreed scope; a change request removes an item.
    await teams.post(teams.personal(DAN, "envoyer NEED-1"))
    assert "NEED-1" in texts_to(fake, DAN.chat) and "ne peut pas" not in texts_to(fake, DAN.chat)
    await teams.post(teams.personal(CARLA, "voter NEED-1 approuver Utile"))
    await teams.post(teams.personal(ERIN, "vote NEED-1 approve Doable"))
    await teams.post(teams.personal(BOB, "change PRJ-1"))
    form = fake.cards_to(BOB.chat)[-1]
    assert card_errors(form) == []
    assert _fields(form) == ["field:new_end", "field:new_budget", "field:scope_add", "field:scope_remove",
                             "field:scope_note", "field:reason"]
    status, body = await teams.post(teams.press(BOB, form, SEND_EN, inputs={
        "field:new_end": "", "field:new_budget": "", "field:scope_add": "", "field:scope_remove": "2",
        "field:scope_note": "", "field:reason": "Alerts come with the ERP"}, conversation=personal_conversation(BOB)))
    assert 'scope − "Alertes de renouvellement à 90 jours"' in card_text(body["value"]), card_text(body["value"])
    await teams.post(teams.personal(CARLA, "decider-changement PRJ-1 CR-1 approuver OK"))
    await teams.post(teams.personal(ERIN, "change-decide PRJ-1 CR-1 approve OK"))
    async with teams.app.db.session() as session:
        versions = (await session.exec(select(Baseline).order_by(col(Baseline.version)))).all()
    assert [b.scope["in_scope"] for b in versions] == [
        ["Suivi des contrats", "Alertes de renouvellement à 90 jours"], ["Suivi des contrats"]]
    await teams.deliver()
    assert_accepted_by_microsoft(fake)
