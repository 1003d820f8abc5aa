"""A seeded fuzz of both edges: a few thousand malformed requests, signed and unsigned, sent to one
real aiohttp server carrying slack-bolt and botbuilder, as ``pmobot serve`` runs them.

Each request starts from a genuine one (a slash command, a button, a modal submission, events; a
Teams message, a card invoke, a team installation) and is damaged: fields removed or given
another type, bodies cut, bytes that are not UTF-8, deep nesting, headers forged or missing.
None may get a 5xx, none may log an error (or a traceback), and pmobot must still answer a
genuine request afterwards. The seed is fixed: a failure is reproduced by running it again.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import json
import logging
import random
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl, urlencode

from support.cross import Both
from support.slack import SIGNING_SECRET, block_actions, event_envelope, slash_body, view_submission
from support.teams import personal_conversation, thread_conversation
from support.teams_flows import ALICE, BOB

from pmobot.adapters.slack.modals import private_metadata

SEED = 20261129
SLACK_REQUESTS = 1800
TEAMS_REQUESTS = 900
# Requests in flight at once (as Slack and Teams send them: concurrently).
BATCH = 12
# Kept as they are: where pmobot answers a genuine request (a damaged one may go nowhere else).
PROTECTED = {"response_url", "response_urls", "serviceUrl"}

ODD_VALUES: list[Any] = [
    None, 0, -1, 2**63, 1.5, True, False, "", " ", "None", "x" * 3000, "\x00\ud800", "<@UALICE>", "🙂",
    [], [1], [None], ["a", {"b": None}], {}, {"a": 1}, {"id": None}, {"type": 5},
]


def _nest(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value} if depth % 2 else [value]
    return value


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value that can be damaged (the protected fields left alone)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in PROTECTED:
                found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def damage(rng: random.Random, value: Any) -> Any:
    """``value`` with one to three fields removed or replaced by a value of another kind."""
    value = copy.deepcopy(value)
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in _paths(value) if p]
        if not paths:
            return rng.choice(ODD_VALUES)
        path = rng.choice(paths)
        parent = value
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        roll = rng.random()
        if roll < 0.3 and isinstance(parent, dict):
            del parent[last]
        elif roll < 0.35:
            parent[last] = _nest(rng.randint(20, 80))
        else:
            parent[last] = copy.deepcopy(rng.choice(ODD_VALUES))
    return value


def mangle_bytes(rng: random.Random, raw: bytes) -> bytes:
    """Bytes no JSON nor form parser reads as meant: cut, spliced with invalid UTF-8, replaced."""
    roll = rng.random()
    if roll < 0.3:
        return raw[: rng.randint(0, max(0, len(raw) - 1))]
    if roll < 0.55:
        at = rng.randint(0, len(raw))
        return raw[:at] + rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x00"]) + raw[at:]
    if roll < 0.7:
        return rng.choice([b"[1]", b"null", b"true", b'"x"', b"{}", b"[]", b"payload=null", b"payload=%5B1%5D",
                           b"payload=", b"payload=%7B", b"[" * 3000, b"{" * 3000, b"=&=&"])
    return bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))


# -- Slack -------------------------------------------------------------------------------


def _slack_templates(hook: str) -> list[tuple[str, Any]]:
    """Genuine requests, as (kind, JSON value or form fields)."""
    meta = private_metadata("intake", {}, "slack:user:UALICE")
    view = {"id": "V0042", "hash": "h1", "callback_id": "pmobot.form", "private_metadata": meta, "blocks": []}
    message = {"ts": "1764147600.000001", "text": "NEED-1", "blocks": [{"type": "actions", "elements": []}]}
    return [
        ("form", dict(parse_qsl(slash_body(user="UALICE", text="statut",
                                                                            response_url=hook)))),
        ("payload", block_actions(user="UBOB", action_id="need.claim|0", value="NEED-1", response_url=hook)),
        ("payload", block_actions(user="UALICE", action_id="prompt.answer|0", value="yes", message=message,
                                  channel="DALICE", response_url=hook)),
        ("payload", block_actions(user="UALICE", action_id="prompt.send", value="", message=message,
                                  channel="DALICE", response_url=hook,
                                  state={"prompt.choices": {"prompt.multi": {"selected_options": [
                                      {"value": "crm", "text": {"type": "plain_text", "text": "CRM"}}]}}})),
        ("payload", block_actions(user="UALICE", action_id="form.open", value='{"s": "intake", "c": {}}',
                                  response_url=hook)),
        ("payload", view_submission(user="UALICE", view=view, values={"title": {
            "pmobot.field|title": {"type": "plain_text_input", "value": "Suivi des contrats"}}})),
        ("payload", {"type": "shortcut", "callback_id": "pmobot.new_need", "trigger_id": "1.2.3",
                     "user": {"id": "UALICE", "team_id": "T0PMO"}, "team": {"id": "T0PMO"}}),
        ("payload", {"type": "message_action", "callback_id": "pmobot.turn_into_need", "trigger_id": "1.2.4",
                     "user": {"id": "UALICE", "team_id": "T0PMO"}, "team": {"id": "T0PMO"},
                     "channel": {"id": "C0GEN"}, "message": {"ts": "1764147600.000009", "text": "Un outil"},
                     "response_url": hook}),
        ("json", event_envelope("java-slack-sdk-shapes/MessagePayload.json",
                                {"type": "message", "channel_type": "im", "channel": "DALICE", "user": "UALICE",
                                 "text": "il nous faut un outil de suivi", "ts": "1764147700.000001"}, "EvF1")),
        ("json", event_envelope("java-slack-sdk-shapes/AppMentionPayload.json",
                                {"type": "app_mention", "channel": "C0GEN", "user": "UALICE",
                                 "text": "<@UBOT> aide", "ts": "1764147700.000002"}, "EvF2")),
        ("json", event_envelope("java-slack-sdk-shapes/AppHomeOpenedPayload.json",
                                {"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"},
                                "EvF3")),
        ("json", {"token": "legacy", "challenge": "abc", "type": "url_verification"}),
    ]


def _slack_body(rng: random.Random, kind: str, value: Any, n: int) -> tuple[bytes, str]:
    damaged = damage(rng, value)
    if kind == "json" and isinstance(damaged, dict) and "event_id" in damaged:
        damaged["event_id"] = f"EvFuzz{n}"  # a new event each time, as Slack would send it
    if kind == "form":
        fields = damaged if isinstance(damaged, dict) else {"junk": damaged}
        body = urlencode({str(k): v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()},
                         errors="surrogatepass")
        raw, content_type = body.encode(), "application/x-www-form-urlencoded"
    elif kind == "payload":
        raw = urlencode({"payload": json.dumps(damaged)}).encode()
        content_type = "application/x-www-form-urlencoded"
    else:
        raw, content_type = json.dumps(damaged).encode("utf-8", "surrogatepass"), "application/json"
    if rng.random() < 0.2:
        raw = mangle_bytes(rng, raw)
    return raw, content_type


def _slack_headers(rng: random.Random, raw: bytes, content_type: str, now: int) -> dict[str, str]:
    timestamp = str(now)
    signature = "v0=" + hmac.new(SIGNING_SECRET.encode(), b"v0:" + timestamp.encode() + b":" + raw,
                                 hashlib.sha256).hexdigest()
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
    roll = rng.random()
    if roll < 0.6:
        return headers  # signed: the damage is Slack's own (or a secret holder's)
    if roll < 0.7:
        headers["X-Slack-Request-Timestamp"] = rng.choice(["", "soon", "1e9", "-1", "١٢٣", " 1", str(now - 600)])
    elif roll < 0.8:
        del headers["X-Slack-Signature"]
    elif roll < 0.9:
        headers["X-Slack-Signature"] = rng.choice(["", "v0=", "v0=" + "0" * 64, "v1=abc", "\u00e9t\u00e9"])
    else:
        headers["Content-Type"] = rng.choice(["text/plain", "application/json", "multipart/form-data", ""])
        headers["X-Slack-Signature"] = "v0=" + "1" * 64
    return headers


# -- Teams -------------------------------------------------------------------------------


def _teams_templates(both: Both) -> list[dict[str, Any]]:
    teams = both.teams
    card = {"type": "AdaptiveCard", "body": [], "actions": []}
    press = teams.invoke(BOB, {"pmobot": "action", "id": "need.claim", "value": "NEED-1"},
                         conversation=thread_conversation("1700000000001"))
    form = teams.invoke(ALICE, {"pmobot": "form", "op": "submit", "spec": "intake", "context": {},
                                "field:title": "Suivi des contrats"}, conversation=personal_conversation(ALICE))
    submit = teams.personal(ALICE, "")
    submit["value"] = {"pmobot": "answer", "value": "yes"}
    return [teams.personal(ALICE, "il nous faut un outil de suivi"), teams.channel(BOB, "aide"), press, form,
            submit, teams.installed_in_team(ALICE), {**teams.personal(ALICE, "x"), "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]}]


async def _teams_post(both: Both, rng: random.Random, template: dict[str, Any]) -> int:
    teams, fake = both.teams, both.microsoft
    damaged = damage(rng, template)
    raw = json.dumps(damaged).encode("utf-8", "surrogatepass")
    if rng.random() < 0.15:
        raw = mangle_bytes(rng, raw)
    headers = {"Content-Type": "application/json"}
    roll = rng.random()
    if roll < 0.6:
        claims = damaged if isinstance(damaged, dict) else {"serviceUrl": fake.service_url}
        headers["Authorization"] = f"Bearer {fake.sign(claims)}"  # authenticated: the Bot Framework's own token
    elif roll < 0.75:
        headers["Authorization"] = rng.choice(["Bearer ", "Bearer not-a-jwt", "Basic abc", "bearer x.y.z"])
    elif roll < 0.85:
        headers["Content-Type"] = rng.choice(["text/plain", "application/x-www-form-urlencoded"])
    async with teams._session.post(teams.url, data=raw, headers=headers) as response:
        await response.read()
        return int(response.status)


# -- the test ------------------------------------------------------------------------------


async def test_thousands_of_malformed_requests_never_get_a_server_error(both: Both, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    rng = random.Random(SEED)
    slack = both.slack
    now = int(slack.clock.now().timestamp())
    slack_templates = _slack_templates(slack.fake.hook_url("fuzz"))
    statuses: Counter[int] = Counter()

    async def one_slack(n: int) -> int:
        kind, value = rng.choice(slack_templates)
        raw, content_type = _slack_body(rng, kind, value, n)
        headers = _slack_headers(rng, raw, content_type, now)
        response = await slack.client.post("/slack/events", data=raw, headers=headers)
        await response.read()
        return int(response.status)

    for start in range(0, SLACK_REQUESTS, BATCH):
        statuses.update(await asyncio.gather(*(one_slack(n) for n in range(start, start + BATCH))))
    teams_templates = _teams_templates(both)
    for _ in range(0, TEAMS_REQUESTS, BATCH):
        statuses.update(await asyncio.gather(*(_teams_post(both, rng, rng.choice(teams_templates))
                                               for _ in range(BATCH))))
    await slack.platform.settle()

    assert sum(statuses.values()) >= SLACK_REQUESTS + TEAMS_REQUESTS
    assert {s for s in statuses if s >= 500} == set(), statuses
    # The damage reached both sides of each edge: refused as forged, refused as unreadable, and handled.
    assert statuses[401] and statuses[400] and statuses[200], statuses
    print(f"fuzz: {sum(statuses.values())} requests, by status: {dict(sorted(statuses.items()))}")
    errors = [f"{r.name}: {r.getMessage()[:200]}" for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], "\n".join(sorted(set(errors))[:20])
    # What is logged is one short line a request, never the body.
    long = [r.getMessage()[:300] for r in caplog.records if len(r.getMessage()) > 200 or "\n" in r.getMessage()]
    assert long == [], long[:3]

    # pmobot still answers genuine requests on both platforms.
    slack.fake.clear()
    response = await slack.command("UCARLA", "aide", hook="after")
    await slack.settle(deliver=False)
    assert response.status == 200 and slack.fake.of("response_url")
    status, _ = await both.teams.post(both.teams.personal(ALICE, "aide"))
    assert status == 202
