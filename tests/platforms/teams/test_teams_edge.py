"""Teams' edge: the bearer token is checked before the body is trusted, an authenticated activity
pmobot cannot read is refused (400) with one short log line, and no reply ever goes to a service
URL outside the Bot Framework's hosts."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlmodel import select
from support.teams_flows import ALICE

from pmobot.adapters.teams.payloads import ServiceUrls
from pmobot.config import Settings
from pmobot.domain.models import OutboxMessage
from pmobot.domain.models import Person as PersonRow


async def _raw(teams: Any, body: bytes, token: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with teams._session.post(teams.url, data=body, headers=headers) as response:
        return int(response.status)


def _quiet(caplog: pytest.LogCaptureFixture, requests: int) -> None:
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not any(r.exc_info for r in caplog.records)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) <= requests and all(len(w) < 160 for w in warnings), warnings


async def _nobody(teams: Any) -> bool:
    async with teams.app.db.session() as session:
        return (await session.exec(select(PersonRow))).all() == []


async def test_unauthenticated_junk_gets_401_and_one_short_line(teams, fake, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    valid = teams.personal(ALICE, "bonjour")
    bodies = [b"[]", b"null", b"{not json", b"\xff\xfe", b"[" * 5000, json.dumps({**valid, "from": "x"}).encode(),
              json.dumps({**valid, "conversation": [1]}).encode(), json.dumps({**valid, "type": 5}).encode()]
    statuses = [await _raw(teams, body, token) for body in bodies for token in (None, "not-a-jwt")]
    assert statuses == [401] * len(statuses)
    _quiet(caplog, len(statuses))
    assert await _nobody(teams) and fake.sent() == []


async def test_authenticated_activities_pmobot_cannot_read_get_400(teams, fake, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    valid = teams.personal(ALICE, "bonjour")
    odd: list[dict[str, Any]] = [
        {**valid, "from": "alice"},
        {**valid, "from": {"name": "Alice"}},  # nobody: no user id
        {**valid, "conversation": [1]},
        {**valid, "text": {"oops": 1}},
        {**valid, "entities": [{"type": "mention", "mentioned": "bob", "text": "<at>Bob</at>"}]},
        {**valid, "channelData": {"channel": "19:x"}},
        {**valid, "timestamp": "not a time"},
        {k: v for k, v in valid.items() if k != "type"},
        # Ids longer than any Teams gives, which no column or key could hold (a 500 on PostgreSQL before).
        {**valid, "from": {**valid["from"], "id": "29:" + "x" * 300}},
        {**valid, "conversation": {**valid["conversation"], "id": "a:" + "y" * 300}},
        {**valid, "id": "z" * 500},
        {**valid, "type": "message" * 10},
    ]
    statuses = [(await teams.post(activity))[0] for activity in odd]
    assert statuses == [400] * len(odd)
    _quiet(caplog, len(odd))
    assert await _nobody(teams) and fake.sent() == []
    # The same activity, well formed, is answered.
    status, _ = await teams.post(valid)
    assert status == 202 and fake.cards_to(ALICE.chat)


async def test_replies_never_go_to_a_service_url_off_the_list(teams, fake, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    valid = teams.personal(ALICE, "bonjour")
    elsewhere = {**valid, "serviceUrl": "https://evil.example/amer/"}
    missing = {k: v for k, v in valid.items() if k != "serviceUrl"}
    # Tokens the Bot Framework would sign for those service URLs (or for none).
    assert (await teams.post(elsewhere))[0] == 400
    assert (await teams.post(missing))[0] == 400
    _quiet(caplog, 2)
    assert any("evil.example" in r.getMessage() for r in caplog.records)
    assert fake.sent() == [] and await _nobody(teams)
    async with teams.app.db.session() as session:
        assert (await session.exec(select(OutboxMessage))).all() == []


def test_the_default_allow_list_is_the_bot_framework() -> None:
    hosts = Settings(_env_file=None).teams_service_hosts.split(",")
    urls = ServiceUrls(hosts)
    assert urls.allows("https://smba.trafficmanager.net/amer/")
    assert urls.allows("https://webchat.botframework.com/")
    for refused in ("http://smba.trafficmanager.net/amer/", "https://smba.trafficmanager.net.evil.example/",
                    "https://evilbotframework.com/", "https://botframework.com.evil.example/", "", None,
                    "https://[::1/", "http://localhost:3978/", "file:///etc/passwd"):
        assert not urls.allows(refused), refused
    # The Bot Framework Emulator, only when Teams runs without authentication on one's own machine.
    emulator = ServiceUrls(hosts, loopback=True)
    assert emulator.allows("http://localhost:3978/") and emulator.allows("http://127.0.0.1:3978/")
    assert not emulator.allows("http://10.0.0.1:3978/")
