"""Needs like the one being filed, on both databases: shown before it is sent, joined (co-requester, told
of steps, may see it), said to be different (never put again), sent as it is (IT's card says "possibly
the same as"), merged by the PMO (both requesters and the history kept), with its refusals."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from pmobot.app import App
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import AuditEvent, Need, OutboxMessage
from pmobot.domain.models_governance import NeedLink, NeedRequester, Project
from pmobot.messages import Card, Notice
from pmobot.services import cards, duplicates, estimation, export, intake, merging, people
from pmobot.services.errors import Forbidden, Invalid, NotFound
from pmobot.services.people import Actor, Identity

ALICE_NEED = {"title": "Suivi des contrats fournisseurs", "department": "purchasing",
              "problem": "Les contrats fournisseurs sont dans des fichiers Excel et nous ratons les échéances."}
ZOE_NEED = {"title": "Supplier contract tracker", "department": "purchasing",
             "problem": "Vendor contracts live in spreadsheets and we miss renewal deadlines."}
UNRELATED = {"title": "Demandes de congés en ligne", "department": "hr",
             "problem": "Les salariés demandent leurs congés par courriel au manager."}


async def as_(session: Any, app: App, login: str) -> Actor:
    person = await people.find_by_platform_id(session, platform="console", user_id=login)
    if person is None:  # someone new: met through the console, as "/as zoe" does
        return await people.resolve(session, core=app.core, identity=Identity(
            platform="console", external_id=login, display_name=login.title(), handle=login, locale="en"))
    return await people.actor_for(session, core=app.core, person=person)


async def file(app: App, login: str, answers: dict[str, str]) -> list[Any]:
    async with app.db.session() as session:
        return await duplicates.file_need(session, core=app.core, actor=await as_(session, app, login),
                                          answers=answers, source_platform="console",
                                          source_conversation=f"console:dm:{login}")


async def run(app: App, login: str, call: Any, **kwargs: Any) -> list[Any]:
    async with app.db.session() as session:
        out: list[Any] = await call(session, core=app.core, actor=await as_(session, app, login), **kwargs)
        return out


async def need(app: App, key: str) -> Need:
    async with app.db.session() as session:
        row = (await session.exec(select(Need).where(Need.number == int(key.split("-")[1])))).one()
        return row


async def told(app: App, login: str) -> list[str]:
    async with app.db.session() as session:
        rows = (await session.exec(select(OutboxMessage).where(OutboxMessage.target == login)
                                   .order_by(col(OutboxMessage.id)))).all()
    return [str(r.payload.get("text") or r.payload.get("title")) for r in rows]


async def status(app: App, key: str, login: str) -> Card:
    out = await run(app, login, intake.status, key=key)
    assert isinstance(out[0], Card)
    return out[0]


def value(card: Card, label: str) -> str:
    return next((f.value for f in card.fields if f.label == label), "")


async def test_a_need_unlike_any_other_is_sent_at_once(app: App) -> None:
    out = await file(app, "alice", ALICE_NEED)
    assert isinstance(out[0], Notice) and "NEED-1" in out[0].text
    out = await file(app, "alice", UNRELATED)
    assert isinstance(out[0], Notice) and "NEED-2" in out[0].text
    assert (await need(app, "NEED-2")).status == NeedStatus.SUBMITTED


async def test_a_need_told_in_english_meets_the_french_one_and_waits_as_a_draft(app: App) -> None:
    await file(app, "alice", ALICE_NEED)
    out = await file(app, "zoe", ZOE_NEED)
    card = out[0]
    assert isinstance(card, Card) and len(out) == 1
    assert card.title == "Before NEED-2 is sent: needs like yours"
    line = value(card, "NEED-1 · Suivi des contrats fournisseurs")
    assert "Alice Martin" in line and "contract ↔ contrats" in line and "same department" in line
    assert [(a.id, a.value) for a in card.actions] == [
        ("need.join", "NEED-2 NEED-1"), ("need.different", "NEED-2"), ("need.submit", "NEED-2")]
    draft = await need(app, "NEED-2")
    assert draft.status == NeedStatus.DRAFT and draft.submitted_at is None
    async with app.db.session() as session:
        link = (await session.exec(select(NeedLink).where(NeedLink.need_id == draft.id))).one()
        found = (await session.exec(select(AuditEvent).where(AuditEvent.action == "similar_found"))).one()
    assert link.kind == "possibly_same" and link.similarity is not None and link.similarity >= 0.35
    assert found.subject == "NEED-2" and found.detail["similar"][0]["key"] == "NEED-1"
    # Nothing reached IT yet; Zoe is reminded that it waits for her choice when she comes back.
    assert not [m for m in await told(app, "it-intake") if "NEED-2" in m]
    async with app.db.session() as session:
        reminder = await intake.attention(session, core=app.core, actor=await as_(session, app, "zoe"))
    assert reminder == ["NEED-2 waits for your choice before it is sent, as it looks like other needs: /pmo status "
                        "NEED-2 shows which; /pmo join NEED-2 NEED-n to follow one of them, /pmo different NEED-2 or "
                        "/pmo submit NEED-2 to send it."]


async def test_joining_makes_a_co_requester_who_sees_the_need_and_hears_its_steps(app: App) -> None:
    await file(app, "alice", ALICE_NEED)
    await file(app, "zoe", ZOE_NEED)
    # Zoe cannot see Alice's need before joining it.
    with pytest.raises(NotFound):
        await status(app, "NEED-1", "zoe")
    out = await run(app, "zoe", duplicates.join, key="NEED-2", other="NEED-1")
    assert out[0].text.startswith("You now follow NEED-1 (Suivi des contrats fournisseurs)")
    draft = await need(app, "NEED-2")
    assert (draft.status, draft.merged_into_id) == (NeedStatus.MERGED, (await need(app, "NEED-1")).id)
    assert "Zoe a le même besoin que NEED-1" in (await told(app, "alice"))[-1]
    card = await status(app, "NEED-1", "zoe")
    assert value(card, "Also asked by") == "Zoe"
    # A step someone else takes is told to Alice and to Zoe, each in their language.
    async with app.db.session() as session:
        await estimation.claim(session, core=app.core, actor=await as_(session, app, "bob"), key="NEED-1")
    assert "Bob Smith claimed NEED-1" in (await told(app, "zoe"))[-1]
    # Her own (merged) need, then the one she follows, each section counting what it lists.
    own, followed = await run(app, "zoe", intake.mine)
    assert isinstance(own, Card) and isinstance(followed, Card)
    assert (own.title, [f.label for f in own.fields]) == ("Your needs (1)", ["NEED-2 · Supplier contract tracker"])
    assert (followed.title, [f.label for f in followed.fields]) == (
        "Needs you follow (1)", ["NEED-1 · Suivi des contrats fournisseurs"])


async def test_saying_different_sends_it_and_the_pair_is_never_shown_as_the_same(app: App) -> None:
    await file(app, "alice", ALICE_NEED)
    await file(app, "zoe", ZOE_NEED)
    out = await run(app, "zoe", duplicates.different, key="NEED-2")
    assert out[0].text.startswith("Noted: yours is not the same as NEED-1")
    assert (await need(app, "NEED-2")).status == NeedStatus.SUBMITTED
    card = await status(app, "NEED-2", "bob")
    assert value(card, "Possibly the same as") == "" and value(card, "Not the same as (said by its requester)") \
        == "NEED-1"
    async with app.db.session() as session:
        kinds = sorted(r.kind for r in (await session.exec(select(NeedLink))).all())
    assert kinds == ["different", "possibly_same"]
    # Once sent, it is no longer a draft: nothing more to decide.
    with pytest.raises(Invalid) as refused:
        await run(app, "zoe", duplicates.join, key="NEED-2", other="NEED-1")
    assert "not waiting to be sent" in refused.value.message("en")


async def test_sent_as_it_is_the_it_card_says_possibly_the_same(app: App) -> None:
    await file(app, "alice", ALICE_NEED)
    await file(app, "zoe", ZOE_NEED)
    out = await run(app, "zoe", duplicates.submit, key="NEED-2")
    assert "NEED-2" in out[0].text
    async with app.db.session() as session:
        # The card IT's channels get (the organisation's language, French here).
        card = await cards.load_need_card(session, core=app.core, need=await need(app, "NEED-2"), locale="fr")
    assert value(card, "Peut-être le même que").startswith(
        "NEED-1 · Suivi des contrats fournisseurs (ressemblance ")


async def test_only_needs_shown_may_be_joined_and_only_by_their_requester(app: App) -> None:
    await file(app, "alice", ALICE_NEED)
    await file(app, "alice", UNRELATED)
    await file(app, "zoe", ZOE_NEED)
    with pytest.raises(NotFound) as refused:
        await run(app, "zoe", duplicates.join, key="NEED-3", other="NEED-2")
    assert refused.value.message("en").startswith("NEED-2 was not among the needs shown as like NEED-3")
    with pytest.raises(NotFound):  # someone else's draft reads as not found
        await run(app, "carla", duplicates.join, key="NEED-3", other="NEED-1")
    # A need closed meanwhile can no longer be joined.
    await run(app, "alice", intake.withdraw, key="NEED-1")
    with pytest.raises(Invalid) as closed:
        await run(app, "zoe", duplicates.join, key="NEED-3", other="NEED-1")
    assert "can no longer be joined" in closed.value.message("en")


async def test_closed_needs_are_not_shown_and_running_projects_are(app: App) -> None:
    await file(app, "alice", ALICE_NEED)
    await run(app, "alice", intake.withdraw, key="NEED-1")
    out = await file(app, "zoe", ZOE_NEED)
    assert isinstance(out[0], Notice)  # the withdrawn one is not offered: sent at once
    # An approved need running as a project is offered.
    async with app.db.session() as session:
        first = (await session.exec(select(Need).where(Need.number == 1))).one()
        first.status = NeedStatus.APPROVED
        first.updated_at = app.core.now()
        session.add(first)
        session.add(Project(number=1, need_id=first.id or 0, status="active", created_at=app.core.now(),
                            updated_at=app.core.now()))
    await run(app, "zoe", intake.withdraw, key="NEED-2")
    out = await file(app, "carla", ALICE_NEED)
    assert isinstance(out[0], Card)
    assert "PRJ-1" in value(out[0], "NEED-1 · Suivi des contrats fournisseurs")


async def test_the_pmo_merges_keeping_both_requesters_and_the_history(app: App) -> None:
    await file(app, "alice", ALICE_NEED)
    await file(app, "zoe", ZOE_NEED)
    await run(app, "zoe", duplicates.different, key="NEED-2")
    out = await run(app, "dan", merging.merge, key="NEED-2", into="NEED-1")
    assert out[0].text == "NEED-2 est fusionné dans NEED-1 ; 1 personne de plus suit désormais NEED-1."
    merged = await need(app, "NEED-2")
    assert merged.status == NeedStatus.MERGED
    assert "Dan Dupont merged NEED-2 (Supplier contract tracker) into NEED-1" in (await told(app, "zoe"))[-1]
    card = await status(app, "NEED-2", "zoe")
    assert value(card, "Merged into") == "NEED-1 · Suivi des contrats fournisseurs"
    assert "Merged into another need · Dan Dupont" in value(card, "History")
    target = await status(app, "NEED-1", "zoe")
    assert value(target, "Also asked by") == "Zoe"
    assert value(target, "Merged into this one") == "NEED-2 · Supplier contract tracker"
    # The target's requester is told, in her language, and the merge is a step of the target's history.
    assert "Dan Dupont a fusionné NEED-2 (Supplier contract tracker) dans votre besoin NEED-1" in (
        await told(app, "alice"))[-1]
    assert "NEED-2 fusionné dans celui-ci · Dan Dupont" in value(await status(app, "NEED-1", "alice"), "Historique")
    async with app.db.session() as session:
        audit = [(e.subject, e.action) for e in (await session.exec(
            select(AuditEvent).where(col(AuditEvent.action).in_(["merge", "merged_in"])))).all()]
        via = (await session.exec(select(NeedRequester.via))).all()
    assert audit == [("NEED-2", "merge"), ("NEED-1", "merged_in")] and via == ["merged"]
    async with app.db.session() as session:
        rows = {r["key"]: r for r in await export.needs(session, core=app.core)}
    assert rows["NEED-2"]["merged_into"] == "NEED-1" and rows["NEED-1"]["co_requesters"] == ["Zoe"]
    assert rows["NEED-2"]["different_from"] == ["NEED-1"]


async def test_merges_are_refused_with_reasons(app: App) -> None:
    await file(app, "alice", ALICE_NEED)
    await file(app, "alice", UNRELATED)
    with pytest.raises(Forbidden) as not_pmo:
        await run(app, "bob", merging.merge, key="NEED-2", into="NEED-1")
    assert not_pmo.value.message("en").startswith("Only the PMO can merge two needs")
    with pytest.raises(Invalid) as itself:
        await run(app, "dan", merging.merge, key="NEED-1", into="NEED-1")
    assert itself.value.message("fr").startswith("NEED-1 ne peut pas être fusionné avec lui-même")
    await run(app, "alice", intake.withdraw, key="NEED-1")
    with pytest.raises(Invalid) as closed:
        await run(app, "dan", merging.merge, key="NEED-2", into="NEED-1")
    assert closed.value.message("en") == (
        "NEED-1 is 'Withdrawn': a need can only be merged into one that is still open.")
    assert (await need(app, "NEED-2")).status == NeedStatus.SUBMITTED  # nothing half-written


def test_the_merge_command_reads_both_languages() -> None:
    assert merging.target_of("into NEED-2") == "NEED-2"
    assert merging.target_of("dans NEED-2") == "NEED-2"
    assert merging.target_of("NEED-2") == "NEED-2"
    assert merging.target_of("") is None and merging.target_of("NEED-2 NEED-3") is None
