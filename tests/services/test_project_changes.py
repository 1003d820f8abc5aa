"""A project's milestones, owner and change requests: who may, what is refused and why, and how an
approved change makes baseline v2 while v1 is kept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, select

from pmobot.app import App
from pmobot.domain.models import AuditEvent, OutboxMessage
from pmobot.domain.models_governance import Baseline, ChangeRequest, Decision, Milestone, Project, Vote
from pmobot.services import addresses, changes, people, project_view, projects
from pmobot.services.errors import Forbidden, Invalid
from tests.support.projects import demo_actor, estimated_need, open_for

# Baseline v1 of every project here: 26 November to 23 December 2026, 45 000 EUR, 20 person-days.
END = date(2026, 12, 23)


async def _project(app: App, *, committee_channel: bool = False) -> str:
    app.core.it_channels["console"] = "it-intake"
    key = await open_for(app, await estimated_need(app))
    if committee_channel:
        async with app.db.session() as session:
            dan = await demo_actor(session, app, "dan")
            await addresses.set_channel(session, core=app.core, actor=dan, platform="console",
                                        purpose=addresses.COMMITTEE_CHANNEL, address="committee")
    return key


async def _milestone(app: App, login: str, key: str, name: str, due: date, weight: float | None = None) -> str:
    async with app.db.session() as session:
        actor = await demo_actor(session, app, login)
        said = await projects.add_milestone(session, core=app.core, actor=actor, key=key, name=name, due=due,
                                            weight=weight)
    return str(said[0].text)  # type: ignore[union-attr]


async def test_the_owner_adds_milestones_inside_the_baseline_and_it_lists_them(app: App) -> None:
    key = await _project(app)
    said = await _milestone(app, "bob", key, "Pilot live", date(2026, 12, 11), 40)
    assert said == f"Milestone \"Pilot live\" on 11 December 2026 added to {key} (baseline v1)."
    await _milestone(app, "dan", key, "Kick-off", date(2026, 11, 30))
    async with app.db.session() as session:
        rows = (await session.exec(select(Milestone).order_by(col(Milestone.due)))).all()
        baseline = (await session.exec(select(Baseline))).one()
        events = (await session.exec(select(AuditEvent).where(AuditEvent.action == "milestone_added"))).all()
    assert [(m.name, m.weight, m.baseline_version) for m in rows] == [("Kick-off", None, 1), ("Pilot live", 40, 1)]
    assert baseline.milestones == [{"name": "Kick-off", "due": "2026-11-30", "weight": None},
                                   {"name": "Pilot live", "due": "2026-12-11", "weight": 40}]
    assert len(events) == 2


async def test_a_milestone_after_the_baseline_end_or_by_someone_else_is_refused_politely(app: App) -> None:
    key = await _project(app)
    with pytest.raises(Invalid) as late:
        await _milestone(app, "bob", key, "Go-live", date(2027, 1, 15))
    assert late.value.message("en") == ('"Go-live" would fall after the end of baseline v1 (2026-12-23). Pick a date '
                                        'on or before it, or ask for a later end with /pmo change.')
    assert late.value.message("fr").startswith("« Go-live » tomberait après la fin de la référence v1")
    with pytest.raises(Forbidden) as stranger:
        await _milestone(app, "alice", key, "Go-live", date(2026, 12, 1))
    assert stranger.value.message("en") == f"Only the owner of {key} or the PMO can add a milestone."
    assert stranger.value.message("fr") == f"Seul le responsable de {key} ou le PMO peut ajouter un jalon."
    with pytest.raises(Invalid):
        await _milestone(app, "bob", key, "Go-live", date(2026, 12, 1), 0)


async def test_the_pmo_hands_the_project_to_another_owner(app: App) -> None:
    key = await _project(app)
    async with app.db.session() as session:
        dan, bob, erin = [await demo_actor(session, app, login) for login in ("dan", "bob", "erin")]
        project, _ = await projects.get(session, actor=dan, key=key)
        with pytest.raises(Forbidden):
            await projects.set_owner(session, core=app.core, actor=bob, project=project, owner=erin.person)
        await projects.set_owner(session, core=app.core, actor=dan, project=project, owner=erin.person)
    async with app.db.session() as session:
        stored = (await session.exec(select(Project))).one()
        told = (await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).startswith("project-owner")))
                ).all()
    assert stored.owner_id == erin.id and stored.version == 1
    assert [m.target for m in told] == ["bob", "erin"]


async def _ask_change(app: App, key: str, login: str = "bob", **answers: object) -> str:
    async with app.db.session() as session:
        actor = await demo_actor(session, app, login)
        said = await changes.request_change(session, core=app.core, actor=actor, key=key,
                                            answers={"reason": "The vendor is late", **answers})
    return str(said[0].text)  # type: ignore[union-attr]


async def _vote(app: App, login: str, key: str, choice: str, reason: str = "Fine") -> list[str]:
    async with app.db.session() as session:
        actor = await demo_actor(session, app, login)
        said = await changes.decide(session, core=app.core, actor=actor, key=key, number="CR-1", choice=choice,
                                    reason=reason)
    return [str(m.text) for m in said]  # type: ignore[union-attr]


async def test_an_approved_change_makes_baseline_v2_and_keeps_v1(app: App) -> None:
    key = await _project(app)
    said = await _ask_change(app, key, new_end="2027-01-29", new_budget={"amount": "52000", "currency": "EUR"},
                             scope_note="Add the supplier portal")
    assert said == (f"{key}/CR-1 is sent to the committee: end 23 December 2026 → 29 January 2027; budget €45,000 → "
                    "€52,000; scope: Add the supplier portal. You'll be told when it is decided.")
    # Carla sits for the business side: one side is not the quorum.
    assert await _vote(app, "carla", key, "approuver") == [f"Votre vote sur {key}/CR-1 est enregistré : approbation."]
    with pytest.raises(Forbidden):
        await _vote(app, "bob", key, "approve")  # IT, but no committee seat
    said = await _vote(app, "erin", key, "approve", "Two more weeks are worth it")
    assert said[1] == f"{key}/CR-1 is approved: the project has a new baseline version."
    async with app.db.session() as session:
        versions = (await session.exec(select(Baseline).order_by(col(Baseline.version)))).all()
        change = (await session.exec(select(ChangeRequest))).one()
        decision = (await session.exec(select(Decision).where(Decision.subject == f"{key}/CR-1"))).one()
        votes = (await session.exec(select(Vote))).all()
        dan = await demo_actor(session, app, "dan")
        card = (await project_view.show(session, core=app.core, actor=dan, key=key))[0]
    assert [(b.version, b.end, b.budget) for b in versions] == [(1, END, Decimal("45000")),
                                                                (2, date(2027, 1, 29), Decimal("52000"))]
    assert versions[1].start == versions[0].start and versions[1].change_request_id == change.id
    assert versions[1].scope["changes"] == [{"change": 1, "note": "Add the supplier portal"}]
    assert versions[1].decision_id == decision.id and decision.change_request_id == change.id
    assert (change.status, decision.outcome, len(votes)) == ("approved", "approved", 2)
    fields = {f.label: f.value for f in card.fields}  # type: ignore[union-attr]
    assert fields["Référence en vigueur (v2)"].startswith(
        "v2 : du 26 novembre 2026 au 29 janvier 2027, budget 52\u202f000\xa0€, 20 jours")
    assert fields["Toutes les versions"].count("\n") == 1
    with pytest.raises(Invalid):
        await _vote(app, "carla", key, "reject")


async def test_one_rejection_rejects_the_change_and_the_baseline_stays(app: App) -> None:
    key = await _project(app)
    await _ask_change(app, key, login="dan", new_end="2027-01-29")
    said = await _vote(app, "carla", key, "rejeter", "Not this quarter")
    assert said[1] == f"{key}/CR-1 est rejeté : la référence en vigueur reste inchangée."
    async with app.db.session() as session:
        assert len((await session.exec(select(Baseline))).all()) == 1
        told = (await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).startswith("change-decided"))
                                   )).all()
    # Dan asked, Bob owns it: both told.
    assert sorted(m.target for m in told) == ["bob", "dan"]


async def test_a_change_is_announced_in_the_committee_channel_and_so_is_its_outcome(app: App) -> None:
    key = await _project(app, committee_channel=True)
    await _ask_change(app, key, new_end="2027-01-29")
    await _vote(app, "carla", key, "reject", "Not now")
    async with app.db.session() as session:
        posted = (await session.exec(select(OutboxMessage).where(OutboxMessage.target == "committee")
                                     .order_by(col(OutboxMessage.id)))).all()
    assert [m.key for m in posted] == [f"change:{key}/CR-1@console", f"change-decided:{key}/CR-1:0@console"]
    assert "/pmo decider-changement PRJ-1 CR-1 approuver|rejeter" in posted[0].payload["text"]
    assert posted[1].payload["text"].startswith(f"Le comité a rejeté {key}/CR-1")


async def test_a_change_that_changes_nothing_or_from_a_stranger_is_refused(app: App) -> None:
    key = await _project(app)
    with pytest.raises(Invalid) as nothing:
        await _ask_change(app, key, new_end=END.isoformat())
    assert "changes nothing" in nothing.value.message("en") and "ne change rien" in nothing.value.message("fr")
    with pytest.raises(Invalid):
        await _ask_change(app, key, new_end="2026-11-01")
    with pytest.raises(Forbidden):
        await _ask_change(app, key, login="carla", new_end="2027-01-29")
    async with app.db.session() as session:
        alice = await people.find_by_platform_id(session, platform="console", user_id="alice")
        assert alice is not None
        assert (await session.exec(select(ChangeRequest))).all() == []


async def test_the_two_votes_that_make_the_quorum_at_the_same_instant_decide_once(app: App) -> None:
    import asyncio

    key = await _project(app)
    await _ask_change(app, key, new_end="2027-01-29")
    barrier = asyncio.Barrier(2)

    async def vote(login: str) -> list[str]:
        async with app.db.session() as session:
            member = await demo_actor(session, app, login)
            await barrier.wait()
            said = await changes.decide(session, core=app.core, actor=member, key=key, number="CR-1",
                                        choice="approve", reason="ok")
        return [str(m.text) for m in said]  # type: ignore[union-attr]

    results = await asyncio.gather(vote("carla"), vote("erin"))
    async with app.db.session() as session:
        decisions = (await session.exec(select(Decision).where(col(Decision.change_request_id).is_not(None)))).all()
        versions = (await session.exec(select(Baseline))).all()
        votes = (await session.exec(select(Vote))).all()
    # (The need's own approval is the other decision.)
    assert len(decisions) == 1 and len(versions) == 2 and len(votes) == 2
    assert decisions[0].subject == f"{key}/CR-1" and decisions[0].outcome == "approved"
    # The first vote counted waits for the other side; the second completes the quorum.
    assert sorted(len(r) for r in results) == [1, 2]


async def test_the_committees_agenda_lists_the_changes_waiting_and_a_members_own_list_drops_voted_ones(
    app: App,
) -> None:
    from pmobot.messages import Card
    from pmobot.services import committee

    key = await _project(app)
    await _ask_change(app, key, new_end="2027-01-29")
    async with app.db.session() as session:
        carla = await demo_actor(session, app, "carla")
        [listed] = await committee.agenda(session, core=app.core, actor=carla)
    assert isinstance(listed, Card) and listed.title == "Changements de projets en attente du comité (1)"
    assert [f.label for f in listed.fields] == [f"{key}/CR-1"]
    assert listed.fields[0].value.startswith(f"{key}/CR-1 (en attente du comité) : fin 23 décembre 2026 → 29 janvier")
    await _vote(app, "carla", key, "approve")
    async with app.db.session() as session:
        carla = await demo_actor(session, app, "carla")
        erin = await demo_actor(session, app, "erin")
        mine = await committee.agenda(session, core=app.core, actor=carla, mine_only=True)
        theirs = await committee.agenda(session, core=app.core, actor=erin, mine_only=True)
    assert not any(isinstance(m, Card) for m in mine)
    assert [m.title for m in theirs if isinstance(m, Card)] == ["Changes to projects waiting for the committee (1)"]


async def test_a_change_the_baseline_could_not_hold_is_refused_with_what_to_give(app: App) -> None:
    """Today is 26 November 2026; the project runs from 26 November to 23 December with a milestone
    on 11 December: an end in the past, on a Sunday, before that milestone, or a budget in dollars for a
    project in euros would each make a baseline that contradicts itself."""
    key = await _project(app)
    await _milestone(app, "bob", key, "Pilot live", date(2026, 12, 11))
    refused = {}
    for name, answers in {"past": {"new_end": "2026-11-02"}, "sunday": {"new_end": "2026-12-20"},
                          "milestone": {"new_end": "2026-12-10"},
                          "currency": {"new_budget": {"amount": "55000", "currency": "USD"}}}.items():
        with pytest.raises(Invalid) as caught:
            await _ask_change(app, key, **answers)
        refused[name] = caught.value
    assert refused["past"].message("en") == ("The new end date (2 November 2026) is in the past. "
                                             "Give today (26 November 2026) or a later date.")
    # 20 December 2026 is a Sunday: the business day before it is Friday 18 December.
    assert refused["sunday"].message("fr") == ("Le 20 décembre 2026 n'est pas un jour ouvré. Le jour ouvré précédent "
                                               "est le 18 décembre 2026 : indiquez celui-ci, ou un autre jour ouvré.")
    assert '"Pilot live"' in refused["milestone"].message("en")
    assert "on or after 11 December 2026" in refused["milestone"].message("en")
    assert refused["currency"].message("en") == ("The budget of this project is kept in EUR; a budget in USD would "
                                                 "change its currency. Give the amount in EUR.")
    async with app.db.session() as session:
        assert (await session.exec(select(ChangeRequest))).all() == []
    # The Friday before is fine.
    assert (await _ask_change(app, key, new_end="2026-12-18")).startswith(f"{key}/CR-1 is sent")


async def test_an_approved_change_tells_the_requester_and_co_requesters_what_moved_and_why(app: App) -> None:
    from pmobot.domain.models_governance import NeedRequester

    key = await _project(app)
    async with app.db.session() as session:
        frank = await demo_actor(session, app, "frank")
        project = (await session.exec(select(Project))).one()
        session.add(NeedRequester(need_id=project.need_id, person_id=frank.id, via="joined", joined_at=app.core.now()))
    await _ask_change(app, key, new_end="2027-01-29")
    await _vote(app, "carla", key, "approve")
    await _vote(app, "erin", key, "approve")
    async with app.db.session() as session:
        told = (await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).startswith("change-decided"))
                                   .order_by(col(OutboxMessage.target)))).all()
    by = {m.target: m.payload["text"] for m in told}
    assert sorted(by) == ["alice", "bob", "frank"]
    # Frank is new here: he is told in the organisation's language.
    assert by["frank"] == (f"{key}, le projet issu de votre besoin NEED-1 (Supplier contract tracker), a changé : le "
                           f"comité a approuvé {key}/CR-1, et la référence v2 est désormais en vigueur. "
                           "Ce qui change : fin 23 décembre 2026 → 29 janvier 2027. Pourquoi : The vendor is late")
    assert "29" in by["alice"] and "The vendor is late" in by["alice"]


async def test_with_no_committee_channel_the_members_are_told_of_a_change_by_direct_message(app: App) -> None:
    key = await _project(app)
    await _ask_change(app, key, new_end="2027-01-29")
    async with app.db.session() as session:
        told = (await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).contains(":member:"))
                                   .order_by(col(OutboxMessage.target)))).all()
    # Carla (business) and Erin (IT) sit on the committee.
    assert [m.target for m in told] == ["carla", "erin"]
    assert "/pmo change-decide PRJ-1 CR-1 approve|reject" in told[1].payload["text"]


async def test_the_agenda_shows_the_milestones_a_waiting_change_would_leave_after_its_end(app: App) -> None:
    from pmobot.messages import Card
    from pmobot.services import committee

    key = await _project(app)
    await _ask_change(app, key, new_end="2026-12-18")
    # Added after the change was asked, inside v1 (which ends on 23 December): the change would drop it.
    await _milestone(app, "bob", key, "Training", date(2026, 12, 21))
    async with app.db.session() as session:
        carla = await demo_actor(session, app, "carla")
        [listed] = await committee.agenda(session, core=app.core, actor=carla)
    assert isinstance(listed, Card)
    assert listed.fields[0].value.endswith("\nJalons en vigueur après la nouvelle fin : Training (21 décembre 2026).")
