"""Slack's edge: the signature is checked before the body is read, and a body bolt or a listener
cannot read is refused (400) or dropped with one short log line: never a 500, never a traceback,
never a person made up from a request that names nobody."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

import pytest
from support.slack import SIGNING_SECRET, SlackHarness, interactive_body, load_payload, slash_body, view_submission

from pmobot.services import people

# Unreadable bodies, as bytes: what a scanner, a fuzzer or a broken proxy sends.
JUNK = [
    ("application/json", b"{not json"),
    ("application/json", b"[1]"),
    ("application/json", b"null"),
    ("application/json", b'"text"'),
    ("application/x-www-form-urlencoded", b"payload=null"),
    ("application/x-www-form-urlencoded", b"payload=%5B1%5D"),
    ("application/x-www-form-urlencoded", b"payload=%7Bnot+json"),
    ("application/json", b'{"type": "event_callback", "event": "\xff\xfe"}'),
    ("application/json", b"[" * 5000 + b"]" * 5000),
    ("application/json", b'{"a":' * 200 + b"1" + b"}" * 200),
]


def _signed(body: bytes, timestamp: int) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()


async def _post(slack: SlackHarness, body: bytes, content_type: str, *, signed: bool,
                timestamp: str | None = None) -> int:
    now = int(slack.clock.now().timestamp())
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp or str(now),
               "X-Slack-Signature": _signed(body, now) if signed else "v0=" + "0" * 64}
    response = await slack.client.post("/slack/events", data=body, headers=headers)
    return int(response.status)


def _quiet(caplog: pytest.LogCaptureFixture, requests: int) -> None:
    """No error, no traceback; at most one short warning per request, without the body in it."""
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not any(r.exc_info for r in caplog.records)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) <= requests
    assert all(len(w) < 160 and "\\x" not in w and "[[" not in w for w in warnings), warnings


async def test_unsigned_junk_is_refused_before_it_is_read(slack: SlackHarness, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    statuses = [await _post(slack, body, kind, signed=False) for kind, body in JUNK]
    # A timestamp that is not a number, on an otherwise valid request.
    body = slash_body(user="UALICE", text="aide", response_url=slack.fake.hook_url()).encode()
    statuses.append(await _post(slack, body, "application/x-www-form-urlencoded", signed=True, timestamp="soon"))
    assert statuses == [401] * (len(JUNK) + 1)
    _quiet(caplog, len(statuses))


async def test_signed_junk_is_refused_as_unreadable(slack: SlackHarness, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    statuses = [await _post(slack, body, kind, signed=True) for kind, body in JUNK]
    assert statuses == [400] * len(JUNK)
    _quiet(caplog, len(statuses))
    # Slack checking the certificate is still answered, signed or not.
    assert await _post(slack, b"ssl_check=1&token=x", "application/x-www-form-urlencoded", signed=False) == 200


def _envelope(event: dict[str, Any], event_id: str, sample: str) -> bytes:
    from support.slack import event_envelope

    return json.dumps(event_envelope(sample, event, event_id)).encode()


async def test_signed_events_missing_what_they_need_are_dropped_quietly(slack: SlackHarness, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    home = _envelope({"type": "app_home_opened", "channel": "DALICE", "tab": "home"}, "EvNoUser",
                     "java-slack-sdk-shapes/AppHomeOpenedPayload.json")
    mention = _envelope({"type": "app_mention", "user": "UALICE", "text": "<@UBOT> bonjour", "ts": "1764148000.1"},
                        "EvNoChannel", "java-slack-sdk-shapes/AppMentionPayload.json")
    dm = _envelope({"type": "message", "channel_type": "im", "user": "UALICE", "ts": "1764148000.2",
                    "text": "il nous faut un outil"}, "EvNoDmChannel", "java-slack-sdk-shapes/MessagePayload.json")
    statuses = [await _post(slack, body, "application/json", signed=True) for body in (home, mention, dm)]
    await slack.settle(deliver=False)
    assert statuses == [200, 200, 200]
    assert slack.fake.of("views.publish") == [] and slack.fake.of("chat.postMessage") == []
    _quiet(caplog, len(statuses))
    assert sum("dropped a request" in r.getMessage() for r in caplog.records) == 3


async def test_signed_fields_of_the_wrong_type_are_refused(slack: SlackHarness, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    text_not_a_string = _envelope({"type": "message", "channel_type": "im", "channel": "DALICE", "user": "UALICE",
                                   "ts": "1764148000.3", "text": 42}, "EvOdd",
                                  "java-slack-sdk-shapes/MessagePayload.json")
    submission = view_submission(user="UALICE", view={"id": "V1", "callback_id": "pmobot.form"}, values={})
    submission["view"]["state"] = "not an object"
    no_actions = load_payload("block_actions.org_install.json")
    no_actions["actions"] = []
    statuses = [
        await _post(slack, text_not_a_string, "application/json", signed=True),
        await _post(slack, interactive_body(submission).encode(), "application/x-www-form-urlencoded", signed=True),
        await _post(slack, interactive_body(no_actions).encode(), "application/x-www-form-urlencoded", signed=True),
    ]
    assert statuses == [400, 400, 400]
    _quiet(caplog, len(statuses))


async def test_a_request_without_a_user_makes_up_nobody(slack: SlackHarness, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    body = slash_body(user="", text="statut", response_url=slack.fake.hook_url()).encode()
    assert await _post(slack, body, "application/x-www-form-urlencoded", signed=True) == 200
    await slack.settle(deliver=False)
    _quiet(caplog, 1)
    async with slack.app.db.session() as session:
        for made_up in ("None", ""):
            assert await people.find_by_platform_id(session, platform="slack", user_id=made_up) is None
    # pmobot still answers someone who says who they are.
    response = await slack.command("UALICE", "aide")
    await slack.settle()
    assert response.status == 200 and slack.fake.of("response_url")
