"""What the platforms share: pacing per target, failures shown to PMO admins,
people marked unreachable, repeated deliveries recognised, the IT channel
chosen in chat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from pmobot.app import App
from pmobot.domain.models import Account, OutboxMessage, Person
from pmobot.messages import Card, Notice
from pmobot.scheduler import Delivery, DeliveryFailed, RateLimit, Unreachable
from pmobot.services import addresses, inbound, outbox, people
from pmobot.services.errors import Forbidden
from pmobot.services.people import Identity

DAN = Identity(platform="console", external_id="dan", display_name="Dan Dupont", handle="dan")
ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")


class Recorder:
    def __init__(self, *failures: Exception, limits: tuple[RateLimit, ...] = ()) -> None:
        self.failures = list(failures)
        self.limits = limits
        self.sent: list[Delivery] = []

    async def deliver(self, delivery: Delivery) -> str | None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(delivery)
        return f"m{len(self.sent)}"


async def _queue(app: App, key: str, *, target: str = "C1", kind: str = "channel") -> None:
    async with app.db.session() as session:
        await outbox.enqueue(session, core=app.core, key=key, platform="test", target_kind=kind, target=target,
                             message=Card(title=key))


async def _row(app: App, key: str) -> OutboxMessage:
    async with app.db.session() as session:
        return (await session.exec(select(OutboxMessage).where(OutboxMessage.key == key))).one()


async def test_sends_to_one_target_are_paced_and_others_are_not_held_up(app: App, clock) -> None:
    recorder = Recorder(limits=(RateLimit(1, 1.0),))
    app.deliverers["test"] = recorder
    worker = app.worker()
    for i in range(3):
        await _queue(app, f"c1-{i}")
    await _queue(app, "c2-0", target="C2")
    assert await worker.run_once(clock.now()) == 2
    assert [d.key for d in recorder.sent] == ["c1-0", "c2-0"]
    waiting = await _row(app, "c1-1")
    assert waiting.status == "pending" and waiting.attempts == 0  # pacing is not a failed attempt
    assert waiting.next_attempt_at == clock.now() + timedelta(seconds=1)
    clock.advance(seconds=1)
    assert await worker.run_once(clock.now()) == 1
    clock.advance(seconds=1)
    assert await worker.run_once(clock.now()) == 1
    assert [d.key for d in recorder.sent][2:] == ["c1-1", "c1-2"]


async def test_a_window_limit_holds_the_rest_until_the_oldest_send_leaves_it(app: App, clock) -> None:
    recorder = Recorder(limits=(RateLimit(7, 1.0), RateLimit(3, 30.0)))
    app.deliverers["test"] = recorder
    worker = app.worker()
    for i in range(5):
        await _queue(app, f"k{i}")
        clock.advance(seconds=2)
        await worker.run_once(clock.now())
    assert len(recorder.sent) == 3
    # The first send was 8 s ago: the fourth may go 30 s after it.
    first_sent = (await _row(app, "k0")).sent_at
    assert (await _row(app, "k3")).next_attempt_at == first_sent + timedelta(seconds=30)


async def test_a_limit_on_the_whole_platform_paces_sends_to_every_target_together(app: App, clock) -> None:
    # Teams' kind of limit: so many a second per app, whatever the conversation; none of these targets
    # gets more than one message, so only the platform's limit holds any of them back.
    recorder = Recorder(limits=(RateLimit(7, 1.0), RateLimit(3, 1.0, per="platform")))
    app.deliverers["test"] = recorder
    worker = app.worker()
    for i in range(7):
        await _queue(app, f"to-{i}", target=f"C{i}")
    assert await worker.run_once(clock.now()) == 3
    held = await _row(app, "to-3")
    assert held.status == "pending" and held.attempts == 0
    assert held.next_attempt_at == clock.now() + timedelta(seconds=1)
    clock.advance(seconds=1)
    assert await worker.run_once(clock.now()) == 3
    clock.advance(seconds=1)
    assert await worker.run_once(clock.now()) == 1
    assert [d.key for d in recorder.sent] == [f"to-{i}" for i in range(7)]


async def test_a_final_failure_is_shown_to_pmo_admins_once(app: App, clock) -> None:
    app.deliverers["test"] = Recorder(DeliveryFailed("channel_not_found"))
    worker = app.worker()
    await _queue(app, "card:NEED-9")
    await worker.run_once(clock.now())
    failed = await _row(app, "card:NEED-9")
    assert failed.status == "failed"
    async with app.db.session() as session:
        notice_rows = select(OutboxMessage).where(col(OutboxMessage.key).startswith("delivery-failed:"))
        notices = (await session.exec(notice_rows)).all()
    assert len(notices) == 1 and notices[0].target == "dan" and notices[0].platform == "console"
    assert "channel_not_found" in notices[0].payload["text"]
    # Listing and retrying is for PMO admins, in their language.
    [card] = await app.chat.on_command(DAN, "dm:dan", "envois")
    assert isinstance(card, Card) and f"n° {failed.id}" in card.fields[0].label
    [refused] = await app.chat.on_command(ALICE, "dm:alice", "deliveries")
    assert refused.level == "warning" and "PMO" in refused.text
    [done] = await app.chat.on_command(DAN, "dm:dan", f"envois relancer {failed.id}")
    assert done.level == "success"
    again = await _row(app, "card:NEED-9")
    assert (again.status, again.attempts) == ("pending", 0)
    [empty] = await app.chat.on_command(DAN, "dm:dan", "deliveries")
    assert isinstance(empty, Notice) and empty.level == "success"


async def test_a_failure_notice_that_fails_is_not_reported_again(app: App, clock) -> None:
    app.deliverers["test"] = Recorder(DeliveryFailed("down"))
    app.deliverers["console"] = Recorder(DeliveryFailed("down too"))
    worker = app.worker()
    await _queue(app, "x")
    await worker.drain(clock.now())
    async with app.db.session() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    assert sorted(r.key for r in rows) == sorted(["x", f"delivery-failed:{rows[0].id}:" + str(
        (await _person(app, "dan")).id)])
    assert all(r.status == "failed" for r in rows)


async def _person(app: App, external_id: str) -> Person:
    async with app.db.session() as session:
        return (await session.exec(select(Person).join(Account, col(Account.person_id) == col(Person.id))
            .where(Account.external_id == external_id))).one()


async def test_an_unreachable_person_is_marked_until_they_write_again(app: App, clock) -> None:
    app.deliverers["test"] = Recorder(Unreachable("403 MessageWritesBlocked"))
    async with app.db.session() as session:
        account = (await session.exec(select(Account).where(Account.external_id == "alice"))).one()
        account.platform = "test"  # Alice is reached on the test platform
        session.add(account)
    await _queue(app, "dm:alice:1", target="alice", kind="person")
    await app.worker().run_once(clock.now())
    marked = await _person(app, "alice")
    assert marked.unreachable_since == clock.now() and "MessageWritesBlocked" in (marked.unreachable_reason or "")
    async with app.db.session() as session:
        notice = (await session.exec(select(OutboxMessage).where(OutboxMessage.target == "dan"))).one()
    assert "n'est plus joignable" in notice.payload["text"]
    async with app.db.session() as session:
        await people.resolve(session, core=app.core,
                             identity=Identity(platform="test", external_id="alice", display_name="Alice Martin"))
    assert (await _person(app, "alice")).unreachable_since is None


async def test_repeated_deliveries_are_recognised_and_forgotten_after_a_day(app: App, clock) -> None:
    async with app.db.session() as session:
        assert await inbound.first_time(session, core=app.core, platform="slack", key="Ev1")
        assert not await inbound.first_time(session, core=app.core, platform="slack", key="Ev1")
        assert await inbound.first_time(session, core=app.core, platform="teams", key="Ev1")
    clock.advance(days=1, seconds=1)
    async with app.db.session() as session:
        assert await inbound.forget_old(session, core=app.core) == 2
        assert await inbound.first_time(session, core=app.core, platform="slack", key="Ev1")


async def test_a_delivery_key_is_kept_only_with_the_work_it_guards(app: App) -> None:
    """The key is the first write of a request's transaction: if the work fails, the key goes too."""

    class WorkFailed(Exception):
        pass

    with pytest.raises(WorkFailed):
        async with app.db.session() as session:
            assert await inbound.first_time(session, core=app.core, platform="teams", key="activity:invoke:1")
            raise WorkFailed
    async with app.db.session() as session:
        assert await inbound.first_time(session, core=app.core, platform="teams", key="activity:invoke:1")
    async with app.db.session() as session:
        assert not await inbound.first_time(session, core=app.core, platform="teams", key="activity:invoke:1")


async def test_the_it_channel_chosen_in_chat_wins_over_the_setting(app: App, clock) -> None:
    app.core.it_channels["test"] = None
    async with app.db.session() as session:
        # Switched on but no channel yet: nothing is queued for it.
        assert await outbox.to_it_channels(session, core=app.core, key="card:NEED-1", message=Card(title="x")) == 0
        dan = await people.resolve(session, core=app.core, identity=DAN)
        alice = await people.resolve(session, core=app.core, identity=ALICE)
        with pytest.raises(Forbidden):
            await addresses.set_it_channel(session, core=app.core, actor=alice, platform="test", address="19:abc")
        await addresses.set_it_channel(session, core=app.core, actor=dan, platform="test", address="19:it",
                                       reference={"serviceUrl": "https://smba.example/"})
    async with app.db.session() as session:
        assert await addresses.it_channel(session, core=app.core, platform="test") == "19:it"
        assert await outbox.to_it_channels(session, core=app.core, key="card:NEED-1", message=Card(title="x")) == 1
    assert (await _row(app, "card:NEED-1@test")).target == "19:it"


async def test_roles_a_platform_vouches_for_add_to_the_granted_ones(app: App) -> None:
    async with app.db.session() as session:
        actor = await people.resolve(session, core=app.core, identity=Identity(
            platform="slack", external_id="U77", display_name="Ivy", implied_roles=frozenset({"it", "superuser"})))
    assert "it" in actor.roles and "superuser" not in actor.roles
