"""Slack reliability: retried and repeated deliveries handled once, 429 and outages
survived through the outbox, nothing a person typed lost."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import col, func, select
from support.slack import SlackHarness, interactive_body, state_for, view_submission
from support.slack_flows import INTAKE, file_need, make_it, texts

from pmobot.domain.models import Account, Need, OutboxMessage


async def count_needs(slack: SlackHarness) -> int:
    async with slack.app.db.session() as session:
        return (await session.exec(select(func.count()).select_from(Need))).one()


async def outbox_rows(slack: SlackHarness) -> list[OutboxMessage]:
    async with slack.app.db.session() as session:
        return list((await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())


SENTENCE = "Il nous faut un outil de suivi des contrats fournisseurs pour 20 personnes avant le 15 mars 2027"


async def test_event_retries_and_repeats_make_one_need_conversation(slack: SlackHarness) -> None:
    event = {"type": "message", "channel_type": "im", "channel": "DALICE", "user": "UALICE", "text": SENTENCE,
             "ts": "1764147601.000100"}
    first = await slack.event(event, event_id="Ev0001")
    # Slack did not hear back in time and retries; and the same event arrives again without a retry header.
    retry = await slack.event(event, event_id="Ev0001", retry=1)
    again = await slack.event(event, event_id="Ev0001")
    assert (first.status, retry.status, again.status) == (200, 200, 200)
    await slack.settle()
    replies = [c for c in slack.fake.of("chat.postMessage") if c["channel"] == "DALICE"]
    assert len(replies) == 1  # one conversation started, one reply


async def test_concurrent_duplicate_submissions_store_one_need(slack: SlackHarness) -> None:
    await slack.command("UALICE", "nouveau")
    await slack.settle()
    view = slack.opened_view()
    payload = view_submission(user="UALICE", view=view, values=state_for(view, {**INTAKE, "personal_data": "no"}))
    body = interactive_body(payload)
    responses = await asyncio.gather(*(slack.send(body) for _ in range(3)))
    assert all(r.status == 200 for r in responses)
    # Each is told it was received; the one request they are is stored once and worked once.
    assert [(await r.json())["response_action"] for r in responses] == ["update"] * 3
    await slack.settle()
    assert await count_needs(slack) == 1
    assert sum("NEED-1" in texts(c["view"]["blocks"]) for c in slack.fake.of("views.update")) == 1
    assert len([c for c in slack.fake.of("chat.postMessage") if c["channel"] == "C0IT"]) == 1


async def test_a_refused_submission_can_be_sent_again(slack: SlackHarness) -> None:
    await slack.command("UALICE", "nouveau")
    await slack.settle()
    view = slack.opened_view()
    wrong = {**INTAKE, "personal_data": "no", "title": "xxx"}
    for _ in range(2):  # the same mistake twice: the errors are shown twice, not swallowed as a repeat
        body = await slack.submitted("UALICE", view, wrong)
        assert body["response_action"] == "errors" and "title" in body["errors"]
    assert await count_needs(slack) == 0


async def test_a_double_press_claims_once(slack: SlackHarness) -> None:
    await make_it(slack)
    await file_need(slack)
    await slack.settle()
    slack.fake.clear()
    # The same press delivered twice (same action_ts), then a second press.
    await asyncio.gather(slack.press("UBOB", "need.claim|0", "NEED-1", action_ts="1764147700.000001"),
                         slack.press("UBOB", "need.claim|0", "NEED-1", action_ts="1764147700.000001"))
    await slack.settle()
    assert len(slack.fake.of("response_url")) == 1
    await slack.press("UBOB", "need.claim|0", "NEED-1", action_ts="1764147701.000001")
    await slack.settle()
    replies = slack.fake.of("response_url")
    assert len(replies) == 2 and "NEED-1" in replies[1]["text"]  # the core says it is already claimed
    claimed = [c for c in slack.fake.of("chat.postMessage") if c["channel"] == "UALICE"]
    assert len(claimed) == 1


async def test_429_retry_after_is_honoured(slack: SlackHarness) -> None:
    slack.fake.fail("chat.postMessage", 429, "ratelimited", {"Retry-After": "30"})
    await file_need(slack)
    await slack.settle(deliver=False)
    start = slack.clock.now()
    await slack.worker.run_once(start)
    card = next(r for r in await outbox_rows(slack) if r.target == "C0IT")
    # A rate limit is waited out, not counted as a failed attempt.
    assert card.status == "pending" and card.attempts == 0
    assert card.next_attempt_at == start + timedelta(seconds=30)
    assert "rate limited" in (card.last_error or "")
    # Not before Slack said.
    slack.clock.advance(seconds=29)
    assert await slack.worker.run_once(slack.clock.now()) == 0
    slack.clock.advance(seconds=1)
    assert await slack.worker.run_once(slack.clock.now()) == 1
    posts = [c for c in slack.fake.of("chat.postMessage") if c["channel"] == "C0IT"]
    assert len(posts) == 2  # the refused call, then the one that went through


async def test_web_api_down_then_back(slack: SlackHarness) -> None:
    await make_it(slack)
    slack.fake.down = True
    # Alice submits while Slack's Web API is unreachable: the need is stored and the modal says so.
    await slack.command("UALICE", "nouveau")
    await slack.settle(deliver=False)
    assert slack.fake.of("views.open") == []  # the modal could not open: Slack is down
    slack.fake.down = False
    await slack.command("UALICE", "nouveau")
    # The first command was kept and tried again later: once it is due, both are worked, in order.
    slack.clock.advance(seconds=5)
    await slack.settle(deliver=False)
    assert len(slack.fake.of("views.open")) == 2
    view = slack.opened_view()
    slack.fake.down = True
    body = await slack.submitted("UALICE", view, {**INTAKE, "personal_data": "no"})
    # Received, and worked: the need is stored though the modal cannot show it (its answer waits for her DM).
    assert body["response_action"] == "update" and await count_needs(slack) == 1
    # IT claims from the command line meanwhile: the card update and the DM wait too.
    await slack.command("UBOB", "claim NEED-1")
    await slack.settle()
    rows = await outbox_rows(slack)
    assert rows and all(r.status == "pending" for r in rows)
    assert all("unreachable" in (r.last_error or "") for r in rows if r.attempts)
    # Slack comes back: the card is posted once, then updated in place, and Alice is told.
    slack.fake.down = False
    slack.fake.clear()
    for _ in range(10):
        slack.clock.advance(minutes=1)
        await slack.settle()
    posts = [c for c in slack.fake.of("chat.postMessage") if c["channel"] == "C0IT"]
    assert len(posts) == 1
    updates = slack.fake.of("chat.update")
    assert updates and "Bob Smith" in texts(updates[-1]["blocks"])
    assert [c for c in slack.fake.of("chat.postMessage") if c["channel"] == "UALICE"]
    assert all(r.status == "sent" for r in await outbox_rows(slack))


async def test_permanent_failures_are_recorded_and_shown_to_pmo(slack: SlackHarness) -> None:
    await slack.command("UDAN", "aide")  # Dan, PMO admin, has met pmobot
    await slack.settle()
    slack.fake.fail("chat.postMessage", 200, "channel_not_found")
    await file_need(slack)
    await slack.settle()
    card = next(r for r in await outbox_rows(slack) if r.target == "C0IT")
    assert card.status == "failed" and "channel_not_found" in (card.last_error or "")
    notice = [c for c in slack.fake.of("chat.postMessage") if c["channel"] == "UDAN"]
    assert notice and "channel_not_found" in notice[-1]["text"]
    slack.fake.clear()
    await slack.command("UDAN", "deliveries")
    await slack.settle()
    assert "C0IT" in texts(slack.fake.of("response_url")[-1]["blocks"])


async def test_a_person_who_left_is_marked_unreachable(slack: SlackHarness) -> None:
    await make_it(slack)
    await file_need(slack)
    await slack.settle()
    slack.fake.fail("chat.postMessage", 200, "user_not_found")
    await slack.command("UBOB", "claim NEED-1")
    await slack.settle()
    from pmobot.domain.models import Person

    async with slack.app.db.session() as session:
        alice = (await session.exec(select(Person).join(Account, col(Account.person_id) == col(Person.id))
            .where(Account.external_id == "UALICE"))).one()
    assert alice.unreachable_since is not None


async def test_an_update_never_overtakes_its_card(slack: SlackHarness) -> None:
    await make_it(slack)
    slack.fake.fail("chat.postMessage", 429, "ratelimited", {"Retry-After": "120"})
    await file_need(slack)
    await slack.settle(deliver=False)
    await slack.worker.run_once(slack.clock.now())  # the card: 429, back in two minutes
    await slack.command("UBOB", "claim NEED-1")  # queues an update of the card, due now
    await slack.settle()
    assert slack.fake.of("chat.update") == []
    assert len([c for c in slack.fake.of("chat.postMessage") if c["channel"] == "C0IT"]) == 1  # the refused one
    slack.clock.advance(seconds=120)
    await slack.settle()
    posts = [c for c in slack.fake.of("chat.postMessage") if c["channel"] == "C0IT"]
    assert len(posts) == 2  # the refused call and the card: no second card
    assert len(slack.fake.of("chat.update")) == 1
