"""Use cases: permissions, visibility, refusals that explain, roles, the IT queue."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from pmobot.app import App
from pmobot.domain import keys
from pmobot.domain.models import Account, AuditEvent, Need, OutboxMessage, Person
from pmobot.messages import Card, Notice
from pmobot.services import estimation, intake, people
from pmobot.services.errors import Forbidden, Invalid, NotFound
from pmobot.services.people import Identity

ANSWERS = {
    "title": "Supplier contract tracker",
    "problem": "Contracts live in spreadsheets.",
    "benefits": "No missed renewals.",
    "department": "purchasing",
    "sponsor": None,
    "users_affected": 20,
    "desired_date": "2027-03-15",
    "budget": {"amount": "30000", "currency": "EUR"},
    "systems": ["erp"],
    "personal_data": False,
    "external_vendor": True,
    "vendor_name": "ContractHub",
}


def who(login: str, platform: str = "console") -> Identity:
    return Identity(platform=platform, external_id=login, display_name=login.title(), handle=login)


async def actor(session, app: App, login: str):  # type: ignore[no-untyped-def]
    return await people.resolve(session, core=app.core, identity=who(login))


async def file_need(app: App, login: str = "alice", **changes) -> str:  # type: ignore[no-untyped-def]
    async with app.db.session() as session:
        need, _ = await intake.submit_need(
            session, core=app.core, actor=await actor(session, app, login), answers={**ANSWERS, **changes},
            source_platform="console", source_conversation=f"console:dm:{login}",
        )
        return need.key


async def test_submitting_stores_the_need_posts_to_it_and_confirms(app: App) -> None:
    app.core.it_channels["console"] = "it-intake"
    key = await file_need(app)
    assert key == "NEED-1"
    async with app.db.session() as session:
        stored = (await session.exec(select(Need))).one()
        posts = (await session.exec(select(OutboxMessage))).all()
    assert stored.status == "submitted" and stored.extra == {"vendor_name": "ContractHub"}
    assert [(p.key, p.target_kind, p.target) for p in posts] == [("card:NEED-1@console", "channel", "it-intake")]
    card = posts[0].payload
    assert card["kind"] == "card" and card["title"] == "NEED-1 · Supplier contract tracker"
    assert [a["id"] for a in card["actions"]] == ["need.claim", "need.ask", "need.estimate"]


async def test_keys_are_numbered_in_order(app: App) -> None:
    assert [await file_need(app) for _ in range(3)] == ["NEED-1", "NEED-2", "NEED-3"]


async def test_another_requesters_need_reads_as_not_found(app: App) -> None:
    key = await file_need(app, "alice")
    async with app.db.session() as session:
        eve = await actor(session, app, "eve")
        with pytest.raises(NotFound) as foreign:
            await intake.status(session, core=app.core, actor=eve, key=key)
        with pytest.raises(NotFound) as missing:
            await intake.status(session, core=app.core, actor=eve, key="NEED-99")
    # Same words whether it exists or not: nothing leaks about other people's needs.
    assert foreign.value.message("en").replace("NEED-1", "X") == missing.value.message("en").replace("NEED-99", "X")
    assert "NEED-1" in foreign.value.message("fr")


async def test_it_and_committee_see_the_portfolio(app: App) -> None:
    key = await file_need(app, "alice")
    async with app.db.session() as session:
        for login in ("bob", "carla", "dan"):
            messages = await intake.status(session, core=app.core, actor=await actor(session, app, login), key=key)
            assert isinstance(messages[0], Card) and messages[0].title.startswith(key)


async def test_a_requester_pressing_claim_is_told_who_can(app: App) -> None:
    key = await file_need(app, "alice")
    async with app.db.session() as session:
        alice = await actor(session, app, "alice")
        with pytest.raises(Forbidden) as refused:
            await estimation.claim(session, core=app.core, actor=alice, key=key)
    assert refused.value.message("fr") == "Vous ne pouvez pas prendre en charge NEED-1 : cela revient à la DSI."
    assert refused.value.message("en") == "You can't claim NEED-1: only IT can."


async def test_a_step_from_the_wrong_status_says_what_is_possible(app: App) -> None:
    key = await file_need(app)
    async with app.db.session() as session:
        bob = await actor(session, app, "bob")
        await estimation.claim(session, core=app.core, actor=bob, key=key)
    async with app.db.session() as session:
        bob = await actor(session, app, "bob")
        with pytest.raises(Forbidden) as refused:
            await estimation.claim(session, core=app.core, actor=bob, key=key)
    text = refused.value.message("en")
    assert "Being estimated by IT" in text and "ask a question about, estimate" in text


async def test_refused_steps_leave_no_trace(app: App) -> None:
    key = await file_need(app)
    with pytest.raises(Forbidden):
        async with app.db.session() as session:
            await estimation.claim(session, core=app.core, actor=await actor(session, app, "alice"), key=key)
    async with app.db.session() as session:
        assert (await session.exec(select(Need))).one().status == "submitted"
        actions = [e.action for e in (await session.exec(select(AuditEvent).where(AuditEvent.subject == key))).all()]
    assert actions == ["created", "submit"]


async def test_only_the_requester_answers_and_only_open_questions(app: App) -> None:
    key = await file_need(app)
    async with app.db.session() as session:
        with pytest.raises(Invalid):
            alice = await actor(session, app, "alice")
            await estimation.answer(session, core=app.core, actor=alice, key=key, text="hi")
    async with app.db.session() as session:
        await estimation.ask(session, core=app.core, actor=await actor(session, app, "bob"), key=key, text="How many?")
    async with app.db.session() as session:
        with pytest.raises(Forbidden):
            await estimation.answer(session, core=app.core, actor=await actor(session, app, "bob"), key=key, text="20")
    async with app.db.session() as session:
        replies = await estimation.answer(session, core=app.core, actor=await actor(session, app, "alice"),
                                          key=key, text="Twenty.")
    assert isinstance(replies[0], Notice) and replies[0].level == "success"
    async with app.db.session() as session:
        stored = (await session.exec(select(Need))).one()
    # Asking engaged bob: he owns the need now, and it is back with IT.
    assert stored.status == "estimating"
    assert stored.claimed_by_id is not None


async def test_empty_and_overlong_questions_are_refused_with_the_limit(app: App) -> None:
    key = await file_need(app)
    async with app.db.session() as session:
        bob = await actor(session, app, "bob")
        with pytest.raises(Invalid) as empty:
            await estimation.ask(session, core=app.core, actor=bob, key=key, text="   ")
        with pytest.raises(Invalid) as long:
            await estimation.ask(session, core=app.core, actor=bob, key=key, text="x" * 2001)
    assert "/pmo ask NEED-12" in empty.value.message("en")
    assert "2001" in long.value.message("en") and "2000" in long.value.message("en")


async def test_the_queue_lists_what_waits_on_it_oldest_first_with_business_day_age(app: App, clock) -> None:
    first = await file_need(app, title="Oldest need")
    clock.advance(days=4)  # Thursday -> Monday: two business days later
    second = await file_need(app, title="Newer need")
    clock.advance(hours=1)
    async with app.db.session() as session:
        bob = await actor(session, app, "bob")
        await estimation.ask(session, core=app.core, actor=bob, key=second, text="Which suppliers?")
        card = (await estimation.queue(session, core=app.core, actor=bob))[0]
    assert isinstance(card, Card)
    assert [f.label for f in card.fields] == [f"{first} · Oldest need"]
    assert "waiting 2 business days" in card.fields[0].value
    assert "1 more waits for an answer from its requester" in card.footer


async def test_the_queue_is_not_for_requesters(app: App) -> None:
    async with app.db.session() as session:
        with pytest.raises(Forbidden) as refused:
            await estimation.queue(session, core=app.core, actor=await actor(session, app, "alice"))
    assert "/pmo mes" in refused.value.message("fr")


async def test_a_re_estimate_is_a_new_version_and_the_requester_is_told_each_time(app: App) -> None:
    key = await file_need(app)
    estimate = {"effort_low": 5, "effort_likely": 8, "effort_high": 13, "cost": {"amount": "9000", "currency": "EUR"},
                "duration_days": 20, "confidence": "high", "technical_risk": "low", "security_review": True,
                "notes": None}
    for cost in ("9000", "12000"):
        async with app.db.session() as session:
            await estimation.record_estimate(session, core=app.core, actor=await actor(session, app, "bob"), key=key,
                                             answers={**estimate, "cost": {"amount": cost, "currency": "EUR"}})
    async with app.db.session() as session:
        notices = (await session.exec(select(OutboxMessage).where(OutboxMessage.target_kind == "person"))).all()
    # The estimate asks for a security review: the demo's reviewer is told once, beside Alice's two notices.
    assert sorted(n.key for n in notices if n.target != "sam") == ["estimate:NEED-1:v1", "estimate:NEED-1:v2"]
    assert [n.key for n in notices if n.target == "sam"] == [keys.review_needed("NEED-1", 6)]
    notices = [n for n in notices if n.target == "alice"]
    # Alice reads French: the notice is written in her language.
    assert "a estimé NEED-1" in notices[0].payload["title"]


async def test_pmobot_admins_become_pmo_on_first_contact(app: App) -> None:
    app.core.settings.admins = "U_ADMIN"
    async with app.db.session() as session:
        admin = await people.resolve(session, core=app.core, identity=who("U_ADMIN", "slack"))
        other = await people.resolve(session, core=app.core, identity=who("U_OTHER", "slack"))
    assert "pmo" in admin.roles and "pmo" not in other.roles


async def test_roles_are_granted_and_removed_by_pmo_admins_only(app: App) -> None:
    async with app.db.session() as session:
        dan, alice = await actor(session, app, "dan"), await actor(session, app, "alice")
        eve = await actor(session, app, "eve")
        with pytest.raises(Forbidden):
            await people.set_role(session, core=app.core, admin=alice, target=eve.person, role="it", grant=True)
        assert "it" in await people.set_role(session, core=app.core, admin=dan, target=eve.person, role="it",
                                             grant=True)
        assert "it" not in await people.set_role(session, core=app.core, admin=dan, target=eve.person, role="it",
                                                 grant=False)
        with pytest.raises(Invalid):
            await people.set_role(session, core=app.core, admin=dan, target=eve.person, role="boss", grant=True)
        with pytest.raises(Forbidden) as last:
            await people.set_role(session, core=app.core, admin=dan, target=dan.person, role="pmo", grant=False)
    assert "aucun administrateur" in last.value.message("fr")


async def test_requester_role_resets_to_a_plain_requester(app: App) -> None:
    async with app.db.session() as session:
        dan, bob = await actor(session, app, "dan"), await actor(session, app, "bob")
        roles = await people.set_role(session, core=app.core, admin=dan, target=bob.person, role="requester",
                                      grant=True)
    assert roles == {"requester"}


async def test_people_are_found_by_mention_handle_or_name(app: App) -> None:
    async with app.db.session() as session:
        bob = (await session.exec(select(Person).join(Account, col(Account.person_id) == col(Person.id))
            .where(Account.external_id == "bob"))).one()
        for reference in ("bob", "@bob", "<@bob>", "Bob Smith", "BOB"):
            assert (await people.find(session, core=app.core, platform="console", reference=reference)).id == bob.id
        with pytest.raises(NotFound):
            await people.find(session, core=app.core, platform="console", reference="nobody")


async def test_withdrawal_tells_the_it_person_working_on_it(app: App) -> None:
    key = await file_need(app)
    async with app.db.session() as session:
        await estimation.claim(session, core=app.core, actor=await actor(session, app, "bob"), key=key)
    async with app.db.session() as session:
        await intake.withdraw(session, core=app.core, actor=await actor(session, app, "alice"), key=key,
                              reason="Bought a licence")
    async with app.db.session() as session:
        to_bob = (await session.exec(select(OutboxMessage).where(OutboxMessage.target == "bob"))).all()
        reason = (await session.exec(select(AuditEvent).where(AuditEvent.action == "withdraw"))).one().reason
    assert [m.key for m in to_bob] == ["withdrawn:NEED-1:3"] or len(to_bob) == 1
    assert "withdrew NEED-1" in to_bob[0].payload["text"]
    assert reason == "Bought a licence"


async def test_export_has_every_need_with_its_latest_estimate(app: App, clock) -> None:
    from pmobot.services import export

    await file_need(app)
    await file_need(app, title="Second", budget=None)
    async with app.db.session() as session:
        rows = await export.needs(session, core=app.core)
    assert [r["key"] for r in rows] == ["NEED-1", "NEED-2"]
    assert (rows[0]["budget"], rows[0]["budget_currency"]) == ("30000.00", "EUR") and rows[1]["budget"] is None
    assert rows[0]["estimate"] is None
    text = export.to_csv(rows, columns=export.need_columns(app.core.specs))
    lines = text.strip().splitlines()
    assert lines[0].startswith("key,status,requester") and len(lines) == 3


async def test_the_channel_card_keeps_only_the_buttons_it_may_still_press(app: App) -> None:
    app.core.it_channels["console"] = "it-intake"
    key = await file_need(app)
    async with app.db.session() as session:
        await estimation.claim(session, core=app.core, actor=await actor(session, app, "bob"), key=key)
    async with app.db.session() as session:
        await intake.withdraw(session, core=app.core, actor=await actor(session, app, "alice"), key=key)
    async with app.db.session() as session:
        cards = (await session.exec(select(OutboxMessage).where(OutboxMessage.target_kind == "channel")
                                    .order_by(OutboxMessage.id))).all()
    buttons = [[a["id"] for a in c.payload["actions"]] for c in cards]
    assert buttons == [["need.claim", "need.ask", "need.estimate"], ["need.ask", "need.estimate"], []]
    assert [c.replaces_key for c in cards] == [None, "card:NEED-1@console", "card:NEED-1@console"]
