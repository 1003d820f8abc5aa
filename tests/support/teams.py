"""The network edge of Teams, faked on this machine.

One HTTPS server (a self-signed certificate that ``REQUESTS_CA_BUNDLE``
trusts, on 127.0.0.1, an ephemeral port) plays three Microsoft services:

- the Bot Framework's OpenID metadata and signing keys (``/openid/...``),
  which pmobot reads to check the tokens of incoming requests;
- Entra ID's token endpoint (``/login/<tenant>/...``), where pmobot exchanges
  its client secret for a token;
- the Bot Connector (``/amer/v3/conversations/...``), which records every
  reply, update and proactive send, checks its bearer token, and can be told
  to fail the next calls (429, 403...).

It runs in a thread with its own event loop: the Bot Framework SDK fetches
keys and tokens with blocking ``requests`` calls from pmobot's loop.
Activities sent to pmobot are signed here too (``sign``), or with a key the
metadata does not publish, for the refusal tests.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import datetime as dt
import ipaddress
import json
import re
import secrets
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from pmobot.adapters.teams.auth import Endpoints
from support.refs import REFS as ALL_REFS
from support.refs import strings_under

REFS = ALL_REFS / "teams"
APP_ID = "6f1d2a6e-0000-4000-8000-00000000b07"
APP_SECRET = "test-client-secret"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = f"28:{APP_ID}"
ISSUER = "https://api.botframework.com"
KID = "pmobot-test-key"


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fake-ms.pem", folder / "fake-ms.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class Call:
    method: str
    path: str  # decoded, from /v3 on
    body: Any
    authorization: str
    # The id the fake answered with (the message's id in Teams).
    response_id: str = ""


@dataclass
class Failure:
    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Only calls whose conversation id contains this fail.
    conversation: str = ""
    times: int = 1
    # Never answered until the fake stops: a connector slower than any timeout.
    stall: bool = False


# GET /v3/conversations/{conversationId}/members/{memberId}: one roster entry.
_MEMBER = re.compile(r"^/v3/conversations/[^/]+/members/([^/]+)$")


# The fake Entra ID's signing key. A token is checked by its signature and claims, as the real connector does,
# not against the tokens this one fake issued: the token client is cached per process by app and authority,
# and a later fake on a port used before is the same authority, so it may present a token an earlier fake signed.
_TOKEN_SECRET = "fake-entra-id-signing-secret-of-32-bytes"


def _valid_token(token: str) -> bool:
    try:
        claims = jwt.decode(token, _TOKEN_SECRET, algorithms=["HS256"], audience="https://api.botframework.com")
    except jwt.PyJWTError:
        return False
    return bool(claims.get("appid") == APP_ID)


class FakeMicrosoft:
    def __init__(self, folder: Path) -> None:
        self.cert_path, self.key_path = _self_signed(folder)
        self.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        # The Bot Framework keeps the signing keys it fetched per metadata URL for the whole process: a fake
        # started later on a port an earlier one used would be checked against that one's keys. Each fake
        # publishes its keys under a path of its own.
        self.realm = secrets.token_hex(6)
        self.calls: list[Call] = []
        self.refused: list[Call] = []
        self.token_requests: list[dict[str, str]] = []
        self.failures: list[Failure] = []
        # The tenant's people as the roster (GET .../members/{id}) describes them, by channel account id.
        self.roster: dict[str, dict[str, Any]] = {}
        self._next_id = 1000
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._unstall: asyncio.Event | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._serve())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())  # type: ignore[union-attr]
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-microsoft", daemon=True)
        self._thread.start()
        assert ready.wait(30), "the fake Microsoft services did not start"

    async def _serve(self) -> None:
        self._unstall = asyncio.Event()
        app = web.Application()
        app.router.add_get(f"/openid/{self.realm}/.well-known/openidconfiguration", self._openid)
        app.router.add_get(f"/openid/{self.realm}/keys", self._keys)
        app.router.add_get("/login/{tenant}/v2.0/.well-known/openid-configuration", self._login_metadata)
        app.router.add_post("/login/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_route("*", "/amer/{tail:.*}", self._connector)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, self.key_path)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        if self._loop is not None:
            if self._unstall is not None:
                self._loop.call_soon_threadsafe(self._unstall.set)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        return f"{self.base}/amer/"

    @property
    def endpoints(self) -> Endpoints:
        return Endpoints(login_authority=f"{self.base}/login/{{tenant}}",
                         openid_metadata_url=f"{self.base}/openid/{self.realm}/.well-known/openidconfiguration",
                         emulator_openid_metadata_url=(
                             f"{self.base}/openid/{self.realm}/.well-known/openidconfiguration"))

    # -- tokens for requests sent to pmobot ------------------------------------

    def sign(self, activity: dict[str, Any], *, key: rsa.RSAPrivateKey | None = None, kid: str = KID,
             audience: str = APP_ID, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": audience, "serviceurl": activity.get("serviceUrl"), "nbf": now - 60,
                   "exp": now + 3600, **claims}
        return jwt.encode(payload, key or self.signing_key, algorithm="RS256", headers={"kid": kid})

    # -- the services ------------------------------------------------------------

    async def _openid(self, request: web.Request) -> web.Response:
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.base}/openid/{self.realm}/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _keys(self, request: web.Request) -> web.Response:
        numbers = self.signing_key.public_key().public_numbers()
        return web.json_response({"keys": [{"kty": "RSA", "use": "sig", "kid": KID, "n": _b64(numbers.n),
                                            "e": _b64(numbers.e), "endorsements": ["msteams"]}]})

    async def _login_metadata(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        root = f"{self.base}/login/{tenant}"
        return web.json_response({"issuer": f"{root}/v2.0", "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                                  "token_endpoint": f"{root}/oauth2/v2.0/token"})

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        form["tenant"] = request.match_info["tenant"]
        with self._lock:
            self.token_requests.append({k: str(v) for k, v in form.items()})
        if form.get("client_id") != APP_ID or form.get("client_secret") != APP_SECRET:
            return web.json_response({"error": "invalid_client"}, status=401)
        token = jwt.encode({"aud": "https://api.botframework.com", "appid": APP_ID, "n": len(self.token_requests)},
                           _TOKEN_SECRET, algorithm="HS256")
        return web.json_response({"token_type": "Bearer", "expires_in": 3600, "access_token": token})

    def _new_id(self) -> str:
        with self._lock:
            self._next_id += 1
            return str(self._next_id)

    async def _connector(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body = await request.json() if request.can_read_body else None
        call = Call(request.method, path, body, request.headers.get("Authorization", ""))
        token = call.authorization.removeprefix("Bearer ")
        if not _valid_token(token):
            with self._lock:
                self.refused.append(call)
            return web.json_response({"error": {"code": "Unauthorized", "message": "no valid token"}}, status=401)
        with self._lock:
            failure = next((f for f in self.failures if f.conversation in path and f.times > 0), None)
            if failure is not None:
                failure.times -= 1
            self.calls.append(call)
        if failure is not None and failure.stall:
            assert self._unstall is not None
            await self._unstall.wait()
            return web.json_response({}, status=503)
        if failure is not None:
            return web.json_response(failure.body or {}, status=failure.status, headers=failure.headers)
        if request.method == "GET" and _MEMBER.match(path):
            member = self.roster.get(_MEMBER.match(path).group(1))  # type: ignore[union-attr]
            if member is None:
                return web.json_response({"error": {"code": "MemberNotFoundInConversation",
                                                    "message": "The member was not found"}}, status=404)
            return web.json_response(member)
        if request.method == "POST" and path == "/v3/conversations":
            call.response_id = f"a:created-{self._new_id()}"
            return web.json_response({"id": call.response_id, "serviceUrl": self.service_url})
        call.response_id = path.rsplit("/", 1)[-1] if request.method == "PUT" else self._new_id()
        return web.json_response({"id": call.response_id})

    # -- what tests read ---------------------------------------------------------

    def fail_next(self, status: int, *, code: str = "", headers: dict[str, str] | None = None,
                  conversation: str = "", times: int = 1) -> None:
        body = {"error": {"code": code or f"HTTP{status}", "message": "scripted failure"}}
        with self._lock:
            self.failures.append(Failure(status, body, headers or {}, conversation, times))

    def stall_next(self, *, conversation: str, times: int = 1) -> None:
        """The next calls to that conversation hang, unanswered, until the fake stops."""
        with self._lock:
            self.failures.append(Failure(0, conversation=conversation, times=times, stall=True))

    def sent(self) -> list[Call]:
        with self._lock:
            return list(self.calls)

    def posts_to(self, conversation: str) -> list[Call]:
        """New messages (not replies in a thread, not updates) posted to exactly this conversation."""
        path = f"/v3/conversations/{conversation}/activities"
        return [c for c in self.sent() if c.method == "POST" and c.path == path]

    def cards_to(self, conversation_fragment: str, *, method: str | None = None) -> list[dict[str, Any]]:
        """The Adaptive Cards sent to conversations whose id contains the fragment."""
        out = []
        for call in self.sent():
            if conversation_fragment not in call.path or not isinstance(call.body, dict):
                continue
            if method and call.method != method:
                continue
            for attachment in call.body.get("attachments") or []:
                out.append(attachment["content"])
        return out


def sample(name: str) -> dict[str, Any]:
    """A copy of one of the reference activities."""
    path = REFS / "activities" / name
    if not path.exists():
        path = REFS / "activities" / "recorded_2019_bodies" / name
    return copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))


def card_text(card: dict[str, Any]) -> str:
    """Every text a card shows, in order (for assertions)."""
    return strings_under(card, ("text", "title", "value", "label", "placeholder", "errorMessage"))


# -- a running pmobot with Teams, against the fakes ------------------------------

@dataclass
class Person:
    key: str
    name: str
    locale: str

    @property
    def id(self) -> str:
        return f"29:{self.key}-channel-account"

    @property
    def aad(self) -> str:
        return f"aad-{self.key}"

    @property
    def chat(self) -> str:
        return f"a:personal-{self.key}"

    @property
    def email(self) -> str:
        return f"{self.key}@contoso.example"

    def member(self) -> dict[str, Any]:
        """This person as the Bot Connector's roster (a TeamsChannelAccount) describes them."""
        given, _, surname = self.name.partition(" ")
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad, "email": self.email,
                "userPrincipalName": self.email, "givenName": given, "surname": surname, "tenantId": TENANT,
                "userRole": "user"}


IT_CHANNEL = "19:it-intake-channel@thread.tacv2"
TEAM = "19:team-general@thread.tacv2"


class TeamsHarness:
    """pmobot serving /api/messages on an ephemeral port; activities built from the samples.

    ``start`` builds a process of its own (Teams alone); ``beside`` talks to the
    Teams platform of a server that is already running, with other platforms.
    """

    def __init__(self, *, fake: FakeMicrosoft, settings: Any, clock: Any) -> None:
        self.fake = fake
        self.settings = settings
        self.clock = clock
        self.app: Any = None
        self.platform: Any = None
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._session: Any = None
        self._n = 0
        # Whether stop() shuts the app and its server down (not when they belong to another harness).
        self._owns_app = True

    async def start(self) -> TeamsHarness:
        from pmobot.app import attach_platforms, create_app
        from pmobot.server import build_web_app

        self.app = create_app(self.settings, clock=self.clock)
        await self.app.prepare(migrate=True, seed_demo=False)
        # As pmobot serve does, with the fake Microsoft endpoints.
        platforms = attach_platforms(self.app, teams_endpoints=self.fake.endpoints)
        self.platform = next(p for p in platforms if p.name == "teams")
        web_app = build_web_app(db=self.app.db, platforms=platforms)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._open(f"http://127.0.0.1:{port}/api/messages")
        return self

    @classmethod
    def beside(cls, *, fake: FakeMicrosoft, app: Any, platforms: list[Any], base_url: str,
               clock: Any) -> TeamsHarness:
        """Talk to the Teams platform among ``platforms``, served at ``base_url`` by another harness,
        which starts and stops the app (``restart`` is not available then)."""
        harness = cls(fake=fake, settings=app.settings, clock=clock)
        harness.app = app
        harness.platform = next(p for p in platforms if p.name == "teams")
        harness._owns_app = False
        harness._open(base_url.rstrip("/") + "/api/messages")
        return harness

    def _open(self, url: str) -> None:
        import aiohttp

        self.url = url
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        """Shut this process down (safe to call twice); only the HTTP session when ``beside``."""
        session, runner, app = self._session, self._runner, self.app
        self._session = self._runner = self.app = None
        if session is not None:
            await session.close()
        if not self._owns_app:
            return
        if runner is not None:
            await runner.cleanup()
        if app is not None:
            await app.close()

    async def restart(self) -> TeamsHarness:
        """A new pmobot process on the same database; nothing kept in memory survives."""
        assert self._owns_app, "restart needs a harness that started its own process"
        await self.stop()
        fresh = TeamsHarness(fake=self.fake, settings=self.settings, clock=self.clock)
        fresh._n = self._n
        return await fresh.start()

    async def post(self, activity: dict[str, Any], *, token: str | None = "sign",
                   work: bool = True) -> tuple[int, Any]:
        """Send ``activity`` as the Bot Connector does; then, unless ``work`` is False, let an inbound
        worker work what it stored (as ``pmobot serve``'s does right after the answer)."""
        headers = {"Content-Type": "application/json"}
        if token == "sign":
            token = self.fake.sign(activity)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with self._session.post(self.url, data=json.dumps(activity), headers=headers) as response:
            status, text = response.status, await response.text()
        if work:
            await self.work()
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text

    async def work(self) -> int:
        """Work the stored activities that are due, as an inbound worker does; how many were taken."""
        from pmobot.workers import InboundWorker

        worker = InboundWorker(db=self.app.db, clock=self.clock, handlers={"teams": self.platform.work_on})
        return await worker.drain()

    async def deliver(self) -> int:
        """Run the outbox as the scheduler would, the clock moving past Teams' pace."""
        worker = self.app.worker()
        total = 0
        for _ in range(6):
            self.clock.advance(seconds=31)
            total += await worker.drain(self.clock.now())
        return total

    # -- activities ------------------------------------------------------------

    def _id(self) -> str:
        self._n += 1
        return f"17000000{self._n:05d}"

    def _base(self, sample_name: str, who: Person, conversation: dict[str, Any]) -> dict[str, Any]:
        activity = sample(sample_name)
        activity["id"] = self._id()
        activity["serviceUrl"] = self.fake.service_url
        activity["from"] = {"id": who.id, "name": who.name, "aadObjectId": who.aad}
        activity["recipient"] = {"id": BOT_ID, "name": "pmobot"}
        activity["conversation"] = {**conversation, "tenantId": TENANT}
        activity["locale"] = who.locale
        activity.setdefault("channelData", {})["tenant"] = {"id": TENANT}
        return activity

    def personal(self, who: Person, text: str) -> dict[str, Any]:
        activity = self._base("20191021205338231.message.personal.activity.json", who,
                              {"conversationType": "personal", "id": who.chat})
        activity["text"] = text
        return activity

    def channel(self, who: Person, text: str, *, mentions: tuple[Person, ...] = (), mention_bot: bool = True,
                channel: str = IT_CHANNEL, thread: str = "1700000000001") -> dict[str, Any]:
        activity = self._base("message.channel_mention.2025.json", who, {
            "conversationType": "channel", "isGroup": True, "id": f"{channel};messageid={thread}"})
        activity["channelData"].update({"teamsChannelId": channel, "teamsTeamId": TEAM, "channel": {"id": channel},
                                        "team": {"id": TEAM}})
        entities = [e for e in activity["entities"] if e["type"] != "mention"]
        parts = []
        if mention_bot:
            parts.append("<at>pmobot</at>")
            entities.append(
                {"type": "mention", "text": "<at>pmobot</at>", "mentioned": {"id": BOT_ID, "name": "pmobot"}}
            )
        parts.append(text)
        for other in mentions:
            tag = f"<at>{other.name}</at>"
            entities.append({"type": "mention", "text": tag, "mentioned": {"id": other.id, "name": other.name}})
        activity["text"] = " ".join(parts)
        activity["entities"] = entities
        activity.pop("attachments", None)
        return activity

    def invoke(self, who: Person, data: dict[str, Any], *, conversation: dict[str, Any],
               reply_to: str | None = None) -> dict[str, Any]:
        activity = self._base("invoke.adaptiveCard_action.personal.json", who, conversation)
        activity["id"] = f"f:{self._id()}"
        activity["value"] = {"action": {"type": "Action.Execute", "verb": str(data.get("pmobot", "")),
                                        "data": data}, "trigger": "manual"}
        if reply_to:
            activity["replyToId"] = reply_to
        return activity

    def press(self, who: Person, card: dict[str, Any], title: str, *, inputs: dict[str, Any] | None = None,
              conversation: dict[str, Any], reply_to: str | None = None) -> dict[str, Any]:
        """Press the card's button titled ``title``, with ``inputs`` typed into the card."""
        actions = [a for a in _all_actions(card) if a.get("title") == title]
        assert actions, f"no button {title!r} on the card: {[a.get('title') for a in _all_actions(card)]}"
        data = dict(actions[0].get("data") or {})
        data.update(inputs or {})
        return self.invoke(who, data, conversation=conversation, reply_to=reply_to)

    def installed_in_team(self, who: Person) -> dict[str, Any]:
        activity = self._base("20191019181214767.conversationUpdate.teamMemberAdded.activity.json", who, {
            "conversationType": "channel", "isGroup": True, "id": TEAM})
        activity["membersAdded"] = [{"id": BOT_ID}]
        activity["channelData"].update({"team": {"id": TEAM, "name": "Company"}, "eventType": "teamMemberAdded"})
        return activity


def _all_actions(node: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Action."):
            out.append(node)
        for value in node.values():
            out += _all_actions(value)
    elif isinstance(node, list):
        for item in node:
            out += _all_actions(item)
    return out


def personal_conversation(who: Person) -> dict[str, Any]:
    return {"conversationType": "personal", "id": who.chat}


def thread_conversation(root: str, channel: str = IT_CHANNEL) -> dict[str, Any]:
    return {"conversationType": "channel", "isGroup": True, "id": f"{channel};messageid={root}"}


# -- what Microsoft would accept ------------------------------------------------------

_card_validator: Any = None
_swagger: Any = None


def card_errors(card: dict[str, Any]) -> list[str]:
    """Why the Adaptive Card 1.5 schema refuses ``card`` (empty when it accepts it)."""
    global _card_validator
    import jsonschema

    if _card_validator is None:
        schema = json.loads((REFS / "adaptive-card-1.5.schema.json").read_text(encoding="utf-8"))
        _card_validator = jsonschema.Draft6Validator(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in _card_validator.iter_errors(card)]
    size = len(json.dumps(card, ensure_ascii=False).encode("utf-8"))
    if size > 80 * 1024:
        errors.append(f"card of {size} bytes, over Teams' 80 KB")
    if card.get("version") not in ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5"):
        errors.append(f"version {card.get('version')!r} is above 1.5")
    return errors


def connector_errors(call: Call) -> list[str]:
    """Why the Bot Connector's Swagger description would refuse this call."""
    global _swagger
    import re as _re

    import jsonschema

    if _swagger is None:
        _swagger = json.loads((REFS / "botframework-connector-v3.swagger.json").read_text(encoding="utf-8"))
    path = call.path.split("?", 1)[0]
    for template, operations in _swagger["paths"].items():
        pattern = "^" + _re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if _re.match(pattern, path) and call.method.lower() in operations:
            operation = operations[call.method.lower()]
            break
    else:
        return [f"{call.method} {path}: no such operation in the Bot Connector API"]
    errors: list[str] = []
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "body":
            schema = {**parameter["schema"], "definitions": _swagger["definitions"]}
            validator = jsonschema.Draft4Validator(schema)
            errors += [f"{call.method} {path}: {e.message[:200]}" for e in validator.iter_errors(call.body)]
            if parameter.get("required") and call.body is None:
                errors.append(f"{call.method} {path}: body required")
    for attachment in (call.body or {}).get("attachments") or [] if isinstance(call.body, dict) else []:
        if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
            errors += [f"card: {e}" for e in card_errors(attachment["content"])]
    return errors
