"""Two people taking a step on the same need at the same instant: exactly one
step is written, the other is told who was first, and nothing of theirs stays.

Each racer has its own session (its own connection); both read the need, meet
at a barrier, then write at once. On SQLite the second writer waits for the
first one's lock; on PostgreSQL for its row lock; either way the loser's
compare-and-set then finds the need moved on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlmodel import col, select

from pmobot.app import App
from pmobot.domain import lifecycle
from pmobot.domain.lifecycle import OWNER, NeedStatus
from pmobot.domain.models import Account, AuditEvent, Need, OutboxMessage, Person, Question, RoleGrant
from pmobot.domain.roles import Role
from pmobot.services import estimation, intake, needs, people
from pmobot.services.errors import Overtaken
from pmobot.services.people import Actor

STEPS = [
    pytest.param(step, source, id=f"{step.action}-from-{source}")
    for step in lifecycle.TRANSITIONS for source in sorted(step.sources)
]

# For each role, the demo person who has it and a second person given it here.
SECOND = {Role.IT: ("ines", "Ines Blanc", "fr"), Role.COMMITTEE: ("femi", "Femi Ade", "en"),
          Role.PMO: ("gus", "Gus Lenoir", "en")}
DEMO = {Role.IT: "bob", Role.COMMITTEE: "carla", Role.PMO: "dan"}


async def _person(session: Any, login: str) -> Person:
    found = await people.find_by_platform_id(session, platform="console", user_id=login)
    assert isinstance(found, Person)
    return found


async def _make_need(app: App, status: NeedStatus) -> str:
    """A need of alice's, put straight at ``status``, with a question open when IT waits on her."""
    async with app.db.session() as session:
        alice = await _person(session, "alice")
        assert alice.id is not None
        now = app.core.now()
        need = Need(number=await needs.next_number(session, prefix="NEED"), title="Contract tracker",
                    status=status, requester_id=alice.id, created_at=now, updated_at=now, submitted_at=now)
        session.add(need)
        await session.flush()
        if status == NeedStatus.NEEDS_INFO:
            bob = await _person(session, "bob")
            assert need.id is not None and bob.id is not None
            session.add(Question(need_id=need.id, asked_by_id=bob.id, text="How many?", asked_at=now))
        return need.key


async def _racers(app: App, step: lifecycle.Transition) -> tuple[str, str]:
    """Two people allowed to take ``step``: two people of its role, or the requester in two windows."""
    roles = sorted(step.actors - {OWNER})
    if not roles:
        return "alice", "alice"
    role = Role(roles[0])
    login, name, locale = SECOND[role]
    async with app.db.session() as session:
        other = Person(handle=login, display_name=name, locale=locale, created_at=app.core.now())
        session.add(other)
        await session.flush()
        assert other.id is not None
        session.add(Account(person_id=other.id, platform="console", external_id=login, created_at=app.core.now()))
        session.add(RoleGrant(person_id=other.id, role=role, granted_at=app.core.now()))
    # The requester against the PMO, when both may withdraw: the race that matters most there.
    return ("alice" if OWNER in step.actors else DEMO[role]), login


Step = Callable[[Any, Actor, Need], Awaitable[object]]


async def race(app: App, key: str, logins: tuple[str, str], take: Step) -> list[object]:
    """Both racers read the need, wait for each other, then take their step at once."""
    barrier = asyncio.Barrier(2)

    async def racer(login: str) -> object:
        async with app.db.session() as session:
            actor = await people.actor_for(session, core=app.core, person=await _person(session, login))
            need = await needs.get_visible(session, actor=actor, key=key)
            await barrier.wait()
            return await take(session, actor, need)

    return list(await asyncio.gather(*(racer(login) for login in logins), return_exceptions=True))


async def _state(app: App, key: str) -> tuple[Need, list[AuditEvent], list[OutboxMessage]]:
    async with app.db.session() as session:
        need = (await session.exec(select(Need).where(Need.number == needs.parse_key(key)))).one()
        events = list((await session.exec(select(AuditEvent).where(AuditEvent.subject == key)
                                          .order_by(col(AuditEvent.id)))).all())
        sent = list((await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())
    return need, events, sent


@pytest.mark.parametrize(("step", "source"), STEPS)
async def test_of_two_simultaneous_steps_exactly_one_is_written(
    app: App, step: lifecycle.Transition, source: NeedStatus
) -> None:
    key = await _make_need(app, source)
    logins = await _racers(app, step)

    async def take(session: Any, actor: Actor, need: Need) -> object:
        return await needs.transition(session, core=app.core, actor=actor, need=need, action=step.action,
                                      reason="race")

    results = await race(app, key, logins, take)
    won = [r for r in results if r == step.target]
    lost = [r for r in results if isinstance(r, Overtaken)]
    assert (len(won), len(lost)) == (1, 1), results
    need, events, sent = await _state(app, key)
    assert (need.status, need.version) == (step.target, 1)
    assert [e.action for e in events if e.action == step.action] == [step.action]
    # At most the winner's notice to the requester; none for the loser.
    assert len([m for m in sent if m.key.startswith(f"step:{key}:")]) <= 1
    said = {loc: lost[0].message(loc) for loc in ("en", "fr")}
    if logins[0] == logins[1]:  # the same person in two windows
        assert said["en"].startswith(f"You already moved {key} a moment ago")
        assert said["fr"].startswith(f"Vous venez déjà de faire avancer {key}")
    else:
        winner = next(e for e in events if e.action == step.action).actor_id
        async with app.db.session() as session:
            first = await session.get(Person, winner)
        assert first is not None
        assert said["en"].startswith(first.display_name) and " a moment ago. " in said["en"]
        assert said["fr"].startswith(first.display_name) and " à l'instant. " in said["fr"]


async def test_two_it_people_claiming_at_once_one_claims_the_other_is_told_politely(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await intake_need(app)
    await _racers(app, lifecycle.check("claim", NeedStatus.SUBMITTED, frozenset({Role.IT})))
    barrier = asyncio.Barrier(2)
    read = estimation.get_visible

    async def read_then_wait(session: Any, *, actor: Actor, key: str) -> Need:
        need = await read(session, actor=actor, key=key)
        await barrier.wait()
        return need

    # The real service, from its own read to its own write: the barrier sits between the two.
    monkeypatch.setattr(estimation, "get_visible", read_then_wait)

    async def claim(login: str) -> object:
        async with app.db.session() as session:
            actor = await people.actor_for(session, core=app.core, person=await _person(session, login))
            return await estimation.claim(session, core=app.core, actor=actor, key=key)

    results = await asyncio.gather(claim("bob"), claim("ines"), return_exceptions=True)
    lost = [r for r in results if isinstance(r, Overtaken)]
    assert len(lost) == 1, results
    need, events, sent = await _state(app, key)
    async with app.db.session() as session:
        claimer = await session.get(Person, need.claimed_by_id)
    assert claimer is not None
    winner = claimer.display_name
    assert lost[0].message("en").startswith(f"{winner} claimed {key} a moment ago.")
    assert lost[0].message("fr").startswith(f"{winner} a pris {key} à l'instant.")
    assert [e.action for e in events] == ["created", "submit", "claim"]
    to_alice = [m for m in sent if m.target == "alice"]
    assert len(to_alice) == 1 and winner in to_alice[0].payload["text"]


async def intake_need(app: App) -> str:
    async with app.db.session() as session:
        alice = await people.actor_for(session, core=app.core, person=await _person(session, "alice"))
        need, _ = await intake.submit_need(
            session, core=app.core, actor=alice, answers={"title": "Contract tracker", "problem": "Spreadsheets."},
            source_platform="console", source_conversation="console:dm:alice",
        )
        return need.key


async def test_a_step_on_a_need_read_before_someone_moved_it_is_refused_even_without_a_race(app: App) -> None:
    """The compare-and-set holds for a stale read too, not only for a simultaneous one."""
    key = await intake_need(app)
    async with app.db.session() as stale:
        bob = await people.actor_for(stale, core=app.core, person=await _person(stale, "bob"))
        old = await needs.get_visible(stale, actor=bob, key=key)
        async with app.db.session() as session:
            dan = await people.actor_for(session, core=app.core, person=await _person(session, "dan"))
            await intake.withdraw(session, core=app.core, actor=dan, key=key, reason="duplicate of NEED-0")
        with pytest.raises(Overtaken) as told:
            await needs.transition(stale, core=app.core, actor=bob, need=old, action="claim")
    assert told.value.message("en").startswith(f"Dan Dupont withdrew {key} a moment ago.")
    assert "Withdrawn" in told.value.message("en")
