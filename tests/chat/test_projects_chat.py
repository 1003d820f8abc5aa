"""Projects in chat, typed as people type: status, list, owner, a milestone, a change request through
its dialog, and the committee's votes on it, in French and English."""

from __future__ import annotations

from sqlmodel import col, select
from support.dialogs import answer_dialog

from pmobot.app import App
from pmobot.domain.models_governance import Baseline
from pmobot.messages import Card, Message, Notice
from pmobot.services.people import Identity
from tests.support.projects import estimated_need, open_for

BOB = Identity(platform="console", external_id="bob", display_name="Bob Smith", handle="bob")
CARLA = Identity(platform="console", external_id="carla", display_name="Carla Rossi", handle="carla")
DAN = Identity(platform="console", external_id="dan", display_name="Dan Dupont", handle="dan")
ERIN = Identity(platform="console", external_id="erin", display_name="Erin Walsh", handle="erin")
ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")


def texts(messages: list[Message]) -> list[str]:
    return [m.text if isinstance(m, Notice) else m.title if isinstance(m, Card) else "" for m in messages]


def fields(message: Message) -> dict[str, str]:
    assert isinstance(message, Card)
    return {f.label: f.value for f in message.fields}


async def test_a_project_from_status_to_an_approved_change(app: App) -> None:
    await open_for(app, await estimated_need(app))
    [card] = await app.chat.on_text(BOB, "b", "/pmo status PRJ-1")
    assert isinstance(card, Card) and card.title == "PRJ-1 · Supplier contract tracker"
    assert fields(card)["Owner"] == "Bob Smith" and fields(card)["Milestones"] == "none yet"
    assert texts(await app.chat.on_text(BOB, "b", "/pmo project prj-1")) == [card.title]
    [listed] = await app.chat.on_text(DAN, "d", "/pmo projets")
    assert isinstance(listed, Card) and listed.title == "Projets actifs (1)"
    # The need's status says which project it became.
    [need] = await app.chat.on_text(ALICE, "a", "/pmo statut NEED-1")
    assert fields(need)["Projet"].startswith("PRJ-1 · v1 : du 26 novembre 2026 au 23 décembre 2026")

    said = await app.chat.on_text(BOB, "b", "/pmo milestone PRJ-1 Pilot live 11/12/2026 40")
    assert texts(said) == ['Milestone "Pilot live" on 11 December 2026 added to PRJ-1 (baseline v1).']
    late = await app.chat.on_text(BOB, "b", "/pmo milestone PRJ-1 Go-live 15 January 2027")
    assert texts(late)[0].startswith('"Go-live" would fall after the end of baseline v1 (2026-12-23).')
    assert texts(await app.chat.on_text(ALICE, "a", "/pmo jalon PRJ-1 Pilote 11/12/2026")) == [
        "Seul le responsable de PRJ-1 ou le PMO peut ajouter un jalon."]

    async def bob_says(text: str) -> None:
        await app.chat.on_text(BOB, "b", text)

    await bob_says("/pmo change PRJ-1")
    await answer_dialog(app, platform="console", external_id="bob", say=bob_says,
                        answers={"new_end": "29/01/2027", "reason": "The vendor ships in January"})
    sent = texts(await app.chat.on_text(BOB, "b", "1"))
    assert sent == ["PRJ-1/CR-1 is sent to the committee: end 23 December 2026 → 29 January 2027. "
                    "You'll be told when it is decided."]
    [pending] = await app.chat.on_text(DAN, "d", "/pmo statut PRJ-1")
    assert "PRJ-1/CR-1 (en attente du comité)" in fields(pending)["Changements en attente du comité"]

    assert texts(await app.chat.on_text(CARLA, "c", "/pmo decider-changement PRJ-1 CR-1 approuver D'accord")) == [
        "Votre vote sur PRJ-1/CR-1 est enregistré : approbation."]
    assert texts(await app.chat.on_text(ERIN, "e", "/pmo change-decide PRJ-1 cr-1 approve Worth it")) == [
        "Your vote on PRJ-1/CR-1 is recorded: approve.",
        "PRJ-1/CR-1 is approved: the project has a new baseline version."]
    [after] = await app.chat.on_text(BOB, "b", "/pmo project PRJ-1")
    assert fields(after)["Baseline in force (v2)"].startswith("v2: 26 November 2026 to 29 January 2027")
    assert fields(after)["Every version"].splitlines()[0].startswith("v1: 26 November 2026 to 23 December 2026")
    async with app.db.session() as session:
        versions = (await session.exec(select(Baseline).order_by(col(Baseline.version)))).all()
    assert [b.version for b in versions] == [1, 2]


async def test_owner_changes_by_the_pmo_only_and_bad_input_is_explained(app: App) -> None:
    await open_for(app, await estimated_need(app))
    assert texts(await app.chat.on_text(BOB, "b", "/pmo owner PRJ-1 @erin")) == [
        "Only the PMO can change the owner of PRJ-1."]
    assert texts(await app.chat.on_text(DAN, "d", "/pmo responsable PRJ-1 @erin")) == [
        "Erin Walsh est désormais responsable de PRJ-1."]
    assert texts(await app.chat.on_text(BOB, "b", "/pmo project PRJ-9")) == [
        "I can't find PRJ-9, or it isn't one of yours. /pmo projects lists the active projects."]
    assert texts(await app.chat.on_text(ERIN, "e", "/pmo milestone PRJ-1 sometime")) == [
        "Write the milestone's name, then its date, then a weight if you like, e.g. "
        "/pmo milestone PRJ-3 Pilot live 15/03/2027 30."]
    assert texts(await app.chat.on_text(ERIN, "e", "/pmo change-decide PRJ-1 CR-4 approve ok")) == [
        "There is no change request PRJ-1/CR-4. /pmo project lists the ones waiting."]


def test_a_milestone_is_read_as_name_date_and_optional_weight_in_either_language() -> None:
    from datetime import date

    import pytest

    from pmobot.commands.projects import read_milestone
    from pmobot.services.errors import Invalid

    today = date(2026, 11, 26)
    # The year is part of the date, not a weight: the longer date wins.
    assert read_milestone("Go-live 15 mars 2027", today) == ("Go-live", date(2027, 3, 15), None)
    assert read_milestone("Mise en service 15 mars 2027 30", today) == ("Mise en service", date(2027, 3, 15), 30.0)
    assert read_milestone("Pilot 2027-03-15 30", today) == ("Pilot", date(2027, 3, 15), 30.0)
    assert read_milestone("Pilot live 15/01/2027", today) == ("Pilot live", date(2027, 1, 15), None)
    # A year-less date looks ahead: 15 January after 26 November is next year's.
    assert read_milestone("Recette 15 January", today) == ("Recette", date(2027, 1, 15), None)
    with pytest.raises(Invalid):
        read_milestone("sometime soon", today)


async def test_a_change_the_baseline_could_not_hold_is_refused_at_the_question(app: App) -> None:
    """An end before a milestone, on a Sunday, or a budget in another currency: refused as typed, with
    what to give instead; the same checks hold when the change is sent another way (the service)."""
    await open_for(app, await estimated_need(app))
    await app.chat.on_text(BOB, "b", "/pmo milestone PRJ-1 Pilot live 11/12/2026")
    await app.chat.on_text(BOB, "b", "/pmo change PRJ-1")
    said = texts(await app.chat.on_text(BOB, "b", "10/12/2026"))
    assert said[0] == ('The new end date (10 December 2026) would be before milestones the baseline keeps: '
                       '"Pilot live". Give a date on or after 11 December 2026: a baseline can\'t end before '
                       "its milestones.")
    said = texts(await app.chat.on_text(BOB, "b", "20/12/2026"))
    assert said[0] == ("20 December 2026 is not a business day. The business day before it is 18 December 2026: "
                       "give that one, or another business day.")
    await app.chat.on_text(BOB, "b", "18/12/2026")
    said = texts(await app.chat.on_text(BOB, "b", "US$55,000"))
    assert said[0] == ("The budget of this project is kept in EUR; a budget in USD would change its currency. "
                       "Give the amount in EUR.")


async def test_an_empty_change_is_refused_when_the_last_change_is_skipped_and_there_is_a_way_out(app: App) -> None:
    await open_for(app, await estimated_need(app))
    await app.chat.on_text(BOB, "b", "/pmo change PRJ-1")
    for _ in range(4):  # the end, the budget, the items to add, the items to remove
        await app.chat.on_text(BOB, "b", "skip")
    said = texts(await app.chat.on_text(BOB, "b", "skip"))
    assert said[0] == ("A change request must change something: a new end date, a new budget, scope items to add "
                       "or remove, or a scope change, and all are skipped. Give one here, type back to change an "
                       "earlier answer, or cancel to stop.")
    # Still on the scope question: an answer there goes on to the reason.
    await app.chat.on_text(BOB, "b", "Add SSO")
    await app.chat.on_text(BOB, "b", "Asked by the auditors")
    sent = texts(await app.chat.on_text(BOB, "b", "1"))
    assert sent[0].startswith("PRJ-1/CR-1 is sent to the committee: scope: Add SSO.")


async def test_milestone_mistakes_are_named_and_a_weekend_day_gets_the_business_day_before(app: App) -> None:
    await open_for(app, await estimated_need(app))
    assert texts(await app.chat.on_text(BOB, "b", "/pmo milestone PRJ-1 Pilot 31/02/2027")) == [
        '"31/02/2027" is not a real date. Check the day and the month, e.g. /pmo milestone PRJ-3 Pilot live '
        "26/02/2027."]
    assert texts(await app.chat.on_text(BOB, "b", "/pmo milestone PRJ-1 Pilot 11/12/2026 -3")) == [
        "A milestone's weight is a number above 0 and at most 100, not -3."]
    # 12 December 2026 is a Saturday; Friday 11 December is the business day before.
    assert texts(await app.chat.on_text(BOB, "b", "/pmo milestone PRJ-1 Pilot 12/12/2026")) == [
        '"Pilot" would fall on 12 December 2026, which is not a business day. The business day before it is '
        "11 December 2026: add the milestone on that day, or on another business day."]


async def test_hints_and_lists_say_what_this_reader_may_do(app: App) -> None:
    await open_for(app, await estimated_need(app))
    [card] = await app.chat.on_text(ALICE, "a", "/pmo projet PRJ-1")
    assert isinstance(card, Card) and card.footer == "Le besoin dont il est issu : /pmo statut NEED-1."
    [owned] = await app.chat.on_text(BOB, "b", "/pmo project PRJ-1")
    assert isinstance(owned, Card) and owned.footer.startswith("Milestones: /pmo milestone PRJ-1")
    # Alice filed the need: she sees its project in the list.
    [listed] = await app.chat.on_text(ALICE, "a", "/pmo projets")
    assert isinstance(listed, Card) and listed.title == "Projets actifs (1)"
    newcomer = Identity(platform="console", external_id="gina", display_name="Gina Roy", handle="gina")
    assert texts(await app.chat.on_text(newcomer, "g", "/pmo projects")) == [
        "Aucun des projets actifs n'est le vôtre : vous voyez les projets issus de vos besoins et ceux dont vous "
        "êtes responsable. La liste complète est réservée à l'informatique, au comité et au PMO. Vos besoins : "
        "/pmo mes."]
