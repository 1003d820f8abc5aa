"""The scope sign-off's rules at the service: who may state, agree or ask; an empty scope; an outdated
version; a sponsor named in words, by a handle or not at all; two agreements at the same instant;
the policy's switch; the service-level reminders, once a day."""

from __future__ import annotations

import asyncio
from importlib import resources
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import col, select
from support.committee import actor, estimated_need, seat

from pmobot.app import App
from pmobot.domain.committee import Choice
from pmobot.domain.models import Need, OutboxMessage, Person
from pmobot.domain.models_scope import ScopeAgreement, ScopeVersion
from pmobot.domain.models_tracking import DriftAlert
from pmobot.services import committee, drift, export, scope, scope_changes, scope_record
from pmobot.services.errors import PmoError
from pmobot.services.policy import PolicyError, load_default, parse

SCOPE = {"in_scope": ["Contract list", "Renewal alerts"], "out_of_scope": ["Old contracts"],
         "acceptance": ["No renewal missed"]}


async def _need(app: App, *, sponsor: str | None = None) -> str:
    key = await estimated_need(app, scope_agreed=False)
    if sponsor is not None:
        async with app.db.session() as session:
            need = (await session.exec(select(Need))).one()
            need.sponsor = sponsor
            session.add(need)
    return key


async def _as(app: App, login: str, call: Any, **kw: Any) -> Any:
    async with app.db.session() as session:
        return await call(session, core=app.core, actor=await actor(session, app, login), **kw)


async def _refused(app: App, login: str, call: Any, **kw: Any) -> str:
    with pytest.raises(PmoError) as caught:
        await _as(app, login, call, **kw)
    return caught.value.message("en")


async def test_only_it_states_a_scope_and_an_empty_one_is_not_sent(app: App) -> None:
    key = await _need(app)
    assert "Only IT can state the scope" in await _refused(app, "alice", scope_record.record, key=key, answers=SCOPE)
    empty = await _refused(app, "bob", scope_record.record, key=key,
                           answers={"in_scope": ["  ", "-"], "acceptance": ["x"]})
    assert empty.startswith(f"The scope of {key} has nothing in it")
    async with app.db.session() as session:
        assert (await session.exec(select(ScopeVersion))).all() == []


async def test_only_the_requester_or_the_sponsor_agree_and_an_outdated_version_is_refused(app: App) -> None:
    key = await _need(app, sponsor="@dan")  # a handle names Dan Dupont
    await _as(app, "bob", scope_record.record, key=key, answers=SCOPE)
    assert "Only the requester or the sponsor" in await _refused(app, "carla", scope_record.agree, key=key,
                                                                 version=None)
    await _as(app, "bob", scope_record.record, key=key, answers={**SCOPE, "in_scope": ["Contract list"]})
    shown = await _as(app, "alice", scope_record.agree, key=key, version=1)
    assert "n'est plus la version en cours : c'est la v2" in shown[0].text and shown[0].level == "warning"
    assert shown[1].title == f"Périmètre de {key} · v2"
    async with app.db.session() as session:
        assert (await session.exec(select(ScopeAgreement))).all() == []
    done = await _as(app, "alice", scope_record.agree, key=key, version=2)
    assert "Il attend encore Dan Dupont." in done[0].text
    assert "already agreed" in await _refused(app, "alice", scope_record.agree, key=key, version=2)
    # The committee may not take it yet: Dan's agreement is missing, and said.
    await seat(app)
    why = await _refused(app, "dan", committee.send, key=key)
    assert why == (f"{key} cannot go to the committee yet: Scope v2 awaits the agreement of Dan Dupont (sponsor). "
                   "Agreed so far: Alice Martin (requester). The committee cannot decide on it until the scope "
                   "is agreed.")
    await _as(app, "dan", scope_record.agree, key=key, version=None)
    await _as(app, "dan", committee.send, key=key)


async def test_a_sponsor_who_names_nobody_is_said_so(app: App) -> None:
    key = await _need(app, sponsor="Mme Durand, DAF")
    out = await _as(app, "bob", scope_record.record, key=key, answers=SCOPE)
    assert out[0].text == f"Scope v1 of {key} is sent for agreement to Alice Martin."
    async with app.db.session() as session:
        need = (await session.exec(select(Need))).one()
        gate = await scope.gate(session, core=app.core, need=need)
    assert 'The sponsor "Mme Durand, DAF" names nobody pmobot knows' in scope.explain(gate, "en")


async def test_asking_for_changes_names_an_item_and_reopens_nothing_agreed(app: App) -> None:
    key = await _need(app)
    await _as(app, "bob", scope_record.record, key=key, answers=SCOPE)
    assert "There is no item 9: the scope has items 1 to 4" in await _refused(
        app, "alice", scope_record.ask_changes, key=key, version=1, item=9, comment="x")
    assert "Please say what should change." in await _refused(
        app, "alice", scope_record.ask_changes, key=key, version=1, item=2, comment=" ")
    await _as(app, "alice", scope_record.ask_changes, key=key, version=1, item=2, comment="Alerts 90 days ahead")
    await _as(app, "alice", scope_record.agree, key=key, version=1)
    assert "is already agreed" in await _refused(app, "alice", scope_record.ask_changes, key=key, version=1,
                                                 item=0, comment="More")


async def test_two_people_agreeing_at_once_record_one_agreement_each(app: App) -> None:
    key = await _need(app, sponsor="Dan Dupont")
    await _as(app, "bob", scope_record.record, key=key, answers=SCOPE)
    results = await asyncio.gather(*(_as(app, login, scope_record.agree, key=key, version=1)
                                     for login in ("alice", "dan")), return_exceptions=True)
    assert not [r for r in results if isinstance(r, BaseException)], results
    async with app.db.session() as session:
        rows = (await session.exec(select(ScopeAgreement).order_by(col(ScopeAgreement.person_id)))).all()
        version = (await session.exec(select(ScopeVersion))).one()
    assert sorted(r.capacity for r in rows) == ["requester", "sponsor"]
    assert version.status == "agreed" and version.agreed_at is not None


def test_the_policy_may_let_the_committee_decide_without_an_agreed_scope() -> None:
    shipped = resources.files("pmobot").joinpath("policy.yaml").read_text(encoding="utf-8")
    assert "  require_agreed_scope: true\n" in shipped and load_default().require_agreed_scope is True
    assert parse(shipped.replace("  require_agreed_scope: true\n", ""), "p.yaml").require_agreed_scope is True
    off = shipped.replace("require_agreed_scope: true", "require_agreed_scope: false")
    assert parse(off, "p.yaml").require_agreed_scope is False
    with pytest.raises(PolicyError, match=r"p.yaml, line \d+: committee require_agreed_scope must be true or false"):
        parse(shipped.replace("require_agreed_scope: true", "require_agreed_scope: sometimes"), "p.yaml")


async def test_a_sign_off_past_its_service_level_reminds_whom_it_waits_on_once(app: App, clock: Any) -> None:
    """The scope's wait follows the service levels of estimates and decisions (``drift.check_service_levels``)."""
    key = await _need(app)
    await _as(app, "bob", scope_record.record, key=key, answers=SCOPE)

    async def check() -> dict[str, int]:
        async with app.db.session() as session:
            return await drift.check_service_levels(session, core=app.core, now=app.core.now())

    async def reminders() -> list[OutboxMessage]:
        async with app.db.session() as session:
            alerts = (await session.exec(select(DriftAlert).where(DriftAlert.rule == "wait_scope_agreement"))).all()
            keys = [f"alert:{a.number}:" for a in alerts]
            rows = (await session.exec(select(OutboxMessage).where(OutboxMessage.target_kind == "person"))).all()
        return [r for r in rows if any(r.key.startswith(k) for k in keys)]

    assert (await check())["opened"] == 0  # within the 5 business days of scope_agreement
    clock.advance(days=8)  # 6 business days later
    assert (await check())["opened"] == 1
    assert (await check())["opened"] == 0  # once: the alert stays open, nobody is told again
    told = await reminders()
    async with app.db.session() as session:
        awaiting = await scope.awaiting_agreement(session, core=app.core)
    assert len(told) == 1 and "6 jours ouvrés" in str(told[0].payload)
    assert [(n, people) for n, _, people in awaiting] == [(1, (1,))]
    await _as(app, "alice", scope_record.agree, key=key, version=None)
    clock.advance(days=1)
    assert (await check())["closed"] == 1  # agreed: no longer waiting


async def test_every_version_is_exported_with_who_agreed_and_the_changes_asked(app: App) -> None:
    key = await _need(app)
    await _as(app, "bob", scope_record.record, key=key, answers=SCOPE)
    await _as(app, "alice", scope_record.ask_changes, key=key, version=1, item=2, comment="=90 days ahead")
    await _as(app, "bob", scope_record.record, key=key, answers={**SCOPE, "in_scope": ["Contract list", "Alerts"]})
    await _as(app, "alice", scope_record.agree, key=key, version=2)
    async with app.db.session() as session:
        rows = await export.TABLES["scope"].rows(session, core=app.core)
        as_csv = await export.document(session, core=app.core, what="scope", format="csv")
    assert [(r["version"], r["status"], r["in_scope"]) for r in rows] == [
        (1, "superseded", ["Contract list", "Renewal alerts"]), (2, "agreed", ["Contract list", "Alerts"])]
    assert rows[0]["changes_asked"] == ["Alice Martin on item 2: =90 days ahead"] and rows[0]["agreed_by"] is None
    assert rows[1]["agreed_by"] == ["Alice Martin (requester) 2026-11-26T09:00:00+00:00"]
    header, *lines = as_csv.text.removeprefix("\ufeff").splitlines()
    assert header.split(",")[:5] == ["need", "title", "version", "status", "in_scope"]
    assert "Contract list; Renewal alerts" in lines[0] and "Alice Martin on item 2: =90 days ahead" in lines[0]


async def test_a_scope_revised_while_on_the_agenda_holds_the_approval_back(app: App) -> None:
    key = await _need(app)
    await seat(app)
    await _as(app, "bob", scope_record.record, key=key, answers=SCOPE)
    await _as(app, "alice", scope_record.agree, key=key, version=1)
    await _as(app, "dan", committee.send, key=key)
    await _as(app, "bob", scope_record.record, key=key, answers={**SCOPE, "in_scope": ["Contract list"]})
    why = await _refused(app, "carla", committee.vote, key=key, choice=Choice.APPROVE, reason="Useful")
    assert why == (f"{key} cannot be approved yet: Scope v2 awaits the agreement of Alice Martin (requester). "
                   "The committee cannot decide on it until the scope is agreed. You may still defer or reject it, "
                   f"or ask with /pmo info {key}.")
    await _as(app, "carla", committee.vote, key=key, choice=Choice.DEFER, reason="Scope moved")


async def _waiting(app: App, extra: int) -> tuple[list[tuple[str, tuple[str, ...]]], int]:
    """Needs whose scope waits on agreement, with whom they wait on, and the queries it took."""
    for n in range(extra):
        key = await estimated_need(app, scope_agreed=False, title=f"Tool {n}")
        await _as(app, "bob", scope_record.record, key=key, answers=SCOPE)
        async with app.db.session() as session:
            need = (await session.exec(select(Need).where(Need.number == int(key.split("-")[1])))).one()
            need.sponsor = "@dan" if n % 2 else "nobody-known"
            session.add(need)
    statements: list[str] = []

    def count(*_args: object) -> None:
        statements.append("q")

    engine = app.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        async with app.db.session() as session:
            awaiting = await scope.awaiting_agreement(session, core=app.core)
            named = {p.id: p.handle for p in (await session.exec(select(Person))).all()}
            keys = {n.id: n.key for n in (await session.exec(select(Need))).all()}
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return [(keys[n], tuple(named[p] for p in ids)) for n, _, ids in awaiting], len(statements) - 2


async def test_whom_each_scope_waits_on_is_read_in_the_same_few_queries_however_many_wait(app: App) -> None:
    agreed = await _need(app, sponsor="dan")  # NEED-1: the requester agrees, the sponsor not yet
    await _as(app, "bob", scope_record.record, key=agreed, answers=SCOPE)
    await _as(app, "alice", scope_record.agree, key=agreed, version=1)
    few, few_queries = await _waiting(app, 1)
    # A newer version supersedes the one agreed; changes asked move the wait to IT.
    await _as(app, "bob", scope_record.record, key="NEED-2", answers={**SCOPE, "in_scope": ["Contract list"]})
    many, many_queries = await _waiting(app, 5)
    await _as(app, "alice", scope_record.ask_changes, key="NEED-3", version=1, item=1, comment="Too small")
    after, _ = await _waiting(app, 0)
    assert few == [("NEED-1", ("dan",)), ("NEED-2", ("alice",))]
    assert many[:3] == [("NEED-1", ("dan",)), ("NEED-2", ("alice",)), ("NEED-3", ("alice",))]
    assert many[3:] == [("NEED-4", ("alice", "dan")), ("NEED-5", ("alice",)), ("NEED-6", ("alice", "dan")),
                        ("NEED-7", ("alice",))]
    assert "NEED-3" not in dict(after)
    assert many_queries == few_queries <= 5


def test_an_approved_change_is_one_entry_of_the_scope_log_with_its_note_and_its_items() -> None:
    scope = {"version": 1, "in_scope": ["Contract list", "Renewal alerts"], "changes": []}
    proposed = {"scope": "Alerts by SMS too", "scope_add": ["SMS alerts"], "scope_remove": ["Renewal alerts"]}
    after = scope_changes.applied(scope, proposed, change=3)
    assert after["in_scope"] == ["Contract list", "SMS alerts"]
    assert after["changes"] == [{"change": 3, "note": "Alerts by SMS too", "added": ["SMS alerts"],
                                 "removed": ["Renewal alerts"]}]
    assert scope_changes.applied(scope, {"scope": "Wording only"}, change=4)["changes"] == [
        {"change": 4, "note": "Wording only"}]
    assert scope_changes.applied(scope, {"end": "2027-03-31"}, change=5) is scope
