"""Teams when things go wrong or twice: restarts, repeats, refusals, Teams' errors.

The same real server and fake Microsoft services as the loop test.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import col, select
from support.faults import FailsOnce
from support.teams import (
    IT_CHANNEL,
    FakeMicrosoft,
    Person,
    TeamsHarness,
    card_text,
    thread_conversation,
)
from support.teams_flows import (
    ALICE,
    BOB,
    DAN,
    assert_accepted_by_microsoft,
    claim_ask_answer,
    estimate,
    file_need_in_chat,
    need_card_post,
    set_up_team,
    texts_to,
)

from pmobot.domain.models import Account, AuditEvent, ConversationRef, InboundDelivery, OutboxMessage
from pmobot.domain.models import Person as PersonRow
from pmobot.i18n import t
from pmobot.messages import Notice
from pmobot.services import estimation, outbox
from pmobot.services.people import Identity

SENTENCE = "Il nous faut un outil de suivi des contrats fournisseurs"


async def _need_filed(teams: TeamsHarness, fake: FakeMicrosoft) -> None:
    await set_up_team(teams, fake, BOB)
    await file_need_in_chat(teams, fake, ALICE, SENTENCE)
    await teams.deliver()


async def test_a_restart_between_intake_and_estimate_keeps_every_conversation(teams, fake) -> None:  # type: ignore[no-untyped-def]
    await _need_filed(teams, fake)
    card_id = await claim_ask_answer(teams, fake, ALICE, BOB)
    restarted = await teams.restart()
    try:
        async with restarted.app.db.session() as session:
            refs = {(r.kind, r.address) for r in (await session.exec(select(ConversationRef))).all()}
        assert ("person", ALICE.id) in refs and ("channel", IT_CHANNEL) in refs
        await estimate(restarted, fake, ALICE, BOB, card_id)
        # The card in the IT channel was updated in place by the new process, with the estimate.
        updates = [c for c in fake.sent() if c.method == "PUT" and c.path.endswith(f"/activities/{card_id}")]
        assert "Bob Smith" in card_text(updates[-1].body)
        assert t("fr", "card.estimate", version=1) in card_text(updates[-1].body)
        assert_accepted_by_microsoft(fake)
    finally:
        await restarted.stop()


async def test_an_invoke_delivered_twice_is_handled_once(teams, fake) -> None:  # type: ignore[no-untyped-def]
    await _need_filed(teams, fake)
    post = need_card_post(fake)
    card = post.body["attachments"][0]["content"]
    press = teams.press(BOB, card, t("fr", "button.claim"), conversation=thread_conversation(post.response_id),
                        reply_to=post.response_id)
    first = await teams.post(press)
    again = await teams.post(press)
    assert first[0] == again[0] == 200
    assert "NEED-1" in first[1]["value"] and "NEED-1" not in again[1]["value"]
    async with teams.app.db.session() as session:
        claims = (await session.exec(select(AuditEvent).where(AuditEvent.subject == "NEED-1",
                                                              AuditEvent.action == "claim"))).all()
        notices = (await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).startswith("claimed:")))).all()
        key = f"teams:activity:invoke:{press['id']}"
        seen = (await session.exec(select(InboundDelivery).where(InboundDelivery.key == key))).all()
    assert len(notices) == 1 and len(seen) == 1
    assert len(claims) == 1


async def test_a_message_delivered_twice_is_answered_once(teams, fake) -> None:  # type: ignore[no-untyped-def]
    message = teams.personal(ALICE, "aide")
    await teams.post(message)
    count = len(fake.cards_to(ALICE.chat))
    await teams.post(message)
    assert count >= 1 and len(fake.cards_to(ALICE.chat)) == count


async def _claims(teams: TeamsHarness) -> int:
    async with teams.app.db.session() as session:
        return len((await session.exec(select(AuditEvent).where(AuditEvent.subject == "NEED-1",
                                                                 AuditEvent.action == "claim"))).all())


async def test_an_invoke_whose_handling_failed_is_handled_when_delivered_again(teams, fake, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    await _need_filed(teams, fake)
    post = need_card_post(fake)
    press = teams.press(BOB, post.body["attachments"][0]["content"], t("fr", "button.claim"),
                        conversation=thread_conversation(post.response_id), reply_to=post.response_id)
    claim = FailsOnce(estimation.claim)
    monkeypatch.setattr(estimation, "claim", claim)
    status, failed = await teams.post(press)
    assert status == 200 and "NEED-1" not in failed["value"]
    assert await _claims(teams) == 0
    # The Bot Connector delivers it again: this time the work is done, once.
    status, done = await teams.post(press)
    assert status == 200 and "NEED-1" in done["value"] and await _claims(teams) == 1
    status, again = await teams.post(press)
    assert status == 200 and "NEED-1" not in again["value"]
    assert claim.calls == 2 and await _claims(teams) == 1


async def _queue_notice_to(teams: TeamsHarness, who: Person, key: str = "test:notice") -> None:
    async with teams.app.db.session() as session:
        person = (await session.exec(select(PersonRow).join(Account, col(Account.person_id) == col(PersonRow.id))
            .where(Account.external_id == who.id))).one()
        await outbox.to_person(session, core=teams.app.core, key=key, person=person, message=Notice("Avis de test 42"))


async def _row(teams: TeamsHarness, key: str) -> OutboxMessage:
    async with teams.app.db.session() as session:
        return (await session.exec(select(OutboxMessage).where(OutboxMessage.key == key))).one()


async def test_429_is_retried_after_the_delay_teams_asks_for(teams, fake, clock) -> None:  # type: ignore[no-untyped-def]
    await teams.post(teams.personal(ALICE, "bonjour"))
    await _queue_notice_to(teams, ALICE)
    fake.fail_next(429, code="Throttled", headers={"Retry-After": "7"}, conversation=ALICE.chat)
    worker = teams.app.worker()
    assert await worker.run_once(clock.now()) == 0
    row = await _row(teams, "test:notice")
    # Waited out, not counted as a failed attempt.
    assert row.status == "pending" and row.attempts == 0 and "429" in (row.last_error or "")
    assert row.next_attempt_at == clock.now() + timedelta(seconds=7)
    assert await worker.run_once(clock.now() + timedelta(seconds=6)) == 0
    assert await worker.run_once(clock.now() + timedelta(seconds=7)) == 1
    assert (await _row(teams, "test:notice")).status == "sent"
    assert len([c for c in fake.sent() if ALICE.chat in c.path and "Avis de test 42" in card_text(c.body)]) == 2


async def test_a_connector_slower_than_the_timeout_is_retried_later(fake, teams_settings, clock) -> None:  # type: ignore[no-untyped-def]
    settings = teams_settings.model_copy(update={"api_timeout_seconds": 0.3})
    teams = await TeamsHarness(fake=fake, settings=settings, clock=clock).start()
    try:
        await teams.post(teams.personal(ALICE, "bonjour"))
        await _queue_notice_to(teams, ALICE)
        fake.stall_next(conversation=ALICE.chat)
        worker = teams.app.worker()
        # Bounded, so that a send without a timeout fails the test instead of hanging it.
        assert await asyncio.wait_for(worker.run_once(clock.now()), timeout=20) == 0
        row = await _row(teams, "test:notice")
        assert row.status == "pending" and row.attempts == 1 and "Timeout" in (row.last_error or "")
        assert await worker.run_once(row.next_attempt_at) == 1
        assert len([c for c in fake.sent() if ALICE.chat in c.path and "Avis de test 42" in card_text(c.body)]) == 2
    finally:
        await teams.stop()


@pytest.mark.parametrize("status", [412, 502, 504])
async def test_transient_errors_are_retried_with_backoff(teams, fake, clock, status: int) -> None:  # type: ignore[no-untyped-def]
    await teams.post(teams.personal(ALICE, "bonjour"))
    await _queue_notice_to(teams, ALICE)
    fake.fail_next(status, conversation=ALICE.chat)
    worker = teams.app.worker()
    await worker.run_once(clock.now())
    row = await _row(teams, "test:notice")
    assert row.status == "pending" and str(status) in (row.last_error or "")
    # Jittered exponential backoff: between half and all of the first step (5 s).
    assert clock.now() + timedelta(seconds=2.5) <= row.next_attempt_at <= clock.now() + timedelta(seconds=5)
    assert await worker.run_once(clock.now() + timedelta(seconds=5)) == 1


async def test_a_person_who_blocked_pmobot_is_unreachable_and_the_pmo_is_told(teams, fake, clock) -> None:  # type: ignore[no-untyped-def]
    await teams.post(teams.personal(DAN, "bonjour"))
    await teams.post(teams.personal(ALICE, "bonjour"))
    await _queue_notice_to(teams, ALICE)
    fake.fail_next(403, code="MessageWritesBlocked", conversation=ALICE.chat, times=5)
    await teams.deliver()
    row = await _row(teams, "test:notice")
    assert row.status == "failed" and row.attempts == 1 and "MessageWritesBlocked" in (row.last_error or "")
    async with teams.app.db.session() as session:
        alice = (await session.exec(select(PersonRow).join(Account, col(Account.person_id) == col(PersonRow.id))
            .where(Account.external_id == ALICE.id))).one()
    assert alice.unreachable_since is not None
    told = texts_to(fake, DAN.chat)
    assert "Alice Martin" in told and "MessageWritesBlocked" in told
    # Writing to pmobot again makes her reachable.
    await teams.post(teams.personal(ALICE, "bonjour"))
    async with teams.app.db.session() as session:
        alice = (await session.exec(select(PersonRow).join(Account, col(Account.person_id) == col(PersonRow.id))
            .where(Account.external_id == ALICE.id))).one()
    assert alice.unreachable_since is None


async def test_a_refused_channel_post_fails_without_marking_anyone(teams, fake, clock) -> None:  # type: ignore[no-untyped-def]
    await _need_filed(teams, fake)
    async with teams.app.db.session() as session:
        await outbox.to_it_channels(session, core=teams.app.core, key="test:channel", message=Notice("x"))
    fake.fail_next(404, code="ConversationNotFound", conversation=IT_CHANNEL)
    await teams.deliver()
    row = await _row(teams, "test:channel@teams")
    assert row.status == "failed" and "404" in (row.last_error or "")
    async with teams.app.db.session() as session:
        marked = (await session.exec(select(PersonRow).where(col(PersonRow.unreachable_since).is_not(None)))).all()
    assert marked == []


async def test_requests_without_a_valid_bot_framework_token_get_401(teams, fake) -> None:  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.asymmetric import rsa

    activity = teams.personal(ALICE, "Il nous faut un outil de suivi des contrats")
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = [
        None,  # no Authorization header
        fake.sign(activity, key=stranger),  # right key id, wrong key
        fake.sign(activity, key=stranger, kid="someone-else"),  # a key the metadata does not publish
        fake.sign(activity, audience="another-app"),  # signed by the Bot Framework, for another bot
        fake.sign({**activity, "serviceUrl": "https://evil.example/"}),  # for another service URL
        fake.sign(activity, iss="https://sts.windows.net/evil/"),  # another issuer
        "not-a-jwt",
    ]
    for token in forged:
        status, _ = await teams.post(activity, token=token)
        assert status == 401, token
    async with teams.app.db.session() as session:
        assert (await session.exec(select(PersonRow))).all() == []
    assert fake.sent() == []
    # The genuine one goes through.
    status, _ = await teams.post(activity)
    assert status == 202 and fake.cards_to(ALICE.chat)


async def test_a_configured_it_channel_is_reached_through_the_teams_reference(fake, teams_settings, clock) -> None:  # type: ignore[no-untyped-def]
    settings = teams_settings.model_copy(update={"teams_it_channel": IT_CHANNEL})
    teams = await TeamsHarness(fake=fake, settings=settings, clock=clock).start()
    try:
        # Installed in the team (whose General channel is not the IT channel); nobody runs set it-channel.
        await teams.post(teams.installed_in_team(DAN))
        await file_need_in_chat(teams, fake, ALICE, SENTENCE)
        await teams.deliver()
        post = need_card_post(fake)
        assert post.path == f"/v3/conversations/{IT_CHANNEL}/activities"
        assert_accepted_by_microsoft(fake)
    finally:
        await teams.stop()


async def test_someone_who_never_opened_a_chat_is_written_to_first(teams, fake) -> None:  # type: ignore[no-untyped-def]
    await teams.post(teams.installed_in_team(DAN))
    # Bob speaks only in the channel.
    await teams.post(teams.channel(BOB, "aide"))
    await _queue_notice_to(teams, BOB)
    await teams.deliver()
    created = [c for c in fake.sent() if c.method == "POST" and c.path == "/v3/conversations"]
    assert len(created) == 1 and created[0].body["members"] == [{"id": BOB.id}]
    assert (await _row(teams, "test:notice")).status == "sent"
    assert "Avis de test 42" in texts_to(fake, created[0].response_id)
    assert_accepted_by_microsoft(fake)
    # The new chat is remembered: the next message goes straight there.
    await _queue_notice_to(teams, BOB, key="test:again")
    await teams.deliver()
    assert len([c for c in fake.sent() if c.method == "POST" and c.path == "/v3/conversations"]) == 1


async def test_only_a_pmo_admin_sets_the_it_channel_and_channels_are_answered_only_when_mentioned(teams, fake) -> None:  # type: ignore[no-untyped-def]
    await teams.post(teams.installed_in_team(DAN))
    before = len(fake.sent())
    await teams.post(teams.channel(BOB, "aide", mention_bot=False))
    assert len(fake.sent()) == before
    await teams.post(teams.channel(BOB, "set it-channel"))
    refusal = texts_to(fake, IT_CHANNEL)
    assert t("en", "people.error.only_pmo_it_channel") in refusal
    async with teams.app.db.session() as session:
        assert (await session.exec(select(ConversationRef).where(ConversationRef.kind == "it-channel"))).all() == []


async def test_a_need_filed_in_teams_is_in_the_shared_portfolio(teams, fake) -> None:  # type: ignore[no-untyped-def]
    await _need_filed(teams, fake)
    # Dan is PMO on the console too (PMOBOT_ADMINS names both his ids).
    dan_console = Identity(platform="console", external_id="dan", display_name="Dan Dupont")
    status = await teams.app.chat.on_command(dan_console, "console:dm:dan", "status NEED-1")
    text = "\n".join(getattr(m, "title", "") + getattr(m, "body", "") + str(getattr(m, "fields", "")) for m in status)
    assert "Outil de suivi des contrats fournisseurs" in text and "Alice Martin" in text
    queue = await teams.app.chat.on_command(dan_console, "console:dm:dan", "queue")
    assert "NEED-1" in str(queue)
