"""Test support for the Slack adapter: a fake Slack Web API, signed requests, Block Kit checks.

The fake server listens on an ephemeral loopback port. It answers the Web API
methods pmobot calls and ``response_url`` posts, records every call, and
checks each one against the official OpenAPI description in
``tests/refs/slack/web_api_openapi_v2.json`` (method exists, required
arguments present, argument types right) and every message, modal and Home
view against Block Kit's limits. Whatever it finds wrong is kept in
``problems``; the fixtures fail the test if it is not empty.

Requests to pmobot are built from the payload samples in
``tests/refs/slack/payloads`` and signed as Slack signs them.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import itertools
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import WSMsgType, web

from support.refs import REFS as ALL_REFS

REFS = ALL_REFS / "slack"
PAYLOADS = REFS / "payloads"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
# Not a secret: a made-up token the fake Web API accepts. The xoxb- prefix is kept
# because bolt reads it to know a bot token (and so the bot's own user id).
BOT_TOKEN = "xoxb-test-token"
BOT_USER = "UBOT"
TEAM = "T0PMO"


def load_payload(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def sign(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


# -- the Web API description --------------------------------------------------

_SPEC: dict[str, Any] | None = None
_SUPPLEMENT: dict[str, Any] | None = None
# Methods newer than the 2021 OpenAPI file and not in the supplement either (refs README).
KNOWN_NEWER = {"apps.connections.open"}
# Arguments Slack documents as JSON, sent as JSON values in a JSON body.
JSON_ARGS = {"blocks", "attachments", "view", "metadata"}


def spec() -> dict[str, Any]:
    global _SPEC
    if _SPEC is None:
        _SPEC = json.loads((REFS / "web_api_openapi_v2.json").read_text(encoding="utf-8"))
    return _SPEC


def supplement() -> dict[str, Any]:
    """The methods newer than the OpenAPI file (the file upload API), as Slack's reference pages give them."""
    global _SUPPLEMENT
    if _SUPPLEMENT is None:
        _SUPPLEMENT = json.loads((REFS / "web_api_supplement.json").read_text(encoding="utf-8"))["methods"]
    return _SUPPLEMENT


def check_newer_call(method: str, args: dict[str, Any], *, has_auth_header: bool) -> list[str]:
    """A call to a method of the supplement: required arguments there, and no argument it does not list."""
    entry = supplement()[method]
    problems = []
    for name in entry["required"]:
        if name not in args and not (name == "token" and has_auth_header):
            problems.append(f"{method}: required argument {name!r} missing")
    for name in args:
        # slack-bolt's client names the workspace in every call (as tolerated in ``check_call``).
        if name not in entry["required"] and name not in entry["optional"] and name != "team_id":
            problems.append(f"{method}: unknown argument {name!r}")
    if method == "files.getUploadURLExternal":
        if not str(args.get("length", "")).isdigit() or int(args["length"]) <= 0:
            problems.append(f"{method}: length {args.get('length')!r} is not a positive whole number")
        if len(str(args.get("alt_txt", ""))) > 1000:
            problems.append(f"{method}: alt_txt over 1000 characters")
    if method == "files.completeUploadExternal":
        files = args.get("files")
        files = json.loads(files) if isinstance(files, str) else files
        if not isinstance(files, list) or not files or not all(isinstance(f, dict) and f.get("id") for f in files):
            problems.append(f"{method}: files is not a list of {{id, title}}: {files!r:.80}")
        if "thread_ts" in args and "channel_id" not in args:
            problems.append(f"{method}: thread_ts without channel_id")
    return problems


def check_call(method: str, args: dict[str, Any], *, has_auth_header: bool) -> list[str]:
    """What the real Web API would reject in this call, per the OpenAPI description (and its supplement)."""
    path = spec()["paths"].get(f"/{method}")
    if path is None and method in supplement():
        return check_newer_call(method, args, has_auth_header=has_auth_header)
    if path is None:
        return [] if method in KNOWN_NEWER else [f"{method}: no such Web API method"]
    problems = []
    operation = next(iter(path.values()))
    for param in operation.get("parameters", []):
        name, typ = param["name"], param.get("type")
        present = name in args or (name == "token" and has_auth_header)
        if param.get("required") and not present:
            problems.append(f"{method}: required argument {name!r} missing")
        if name not in args:
            continue
        value = args[name]
        if typ == "string":
            ok = isinstance(value, str) or (name in JSON_ARGS and isinstance(value, (dict, list)))
        elif typ == "boolean":
            ok = isinstance(value, bool) or str(value).lower() in ("true", "false", "1", "0")
        elif typ == "integer":
            ok = (isinstance(value, int) and not isinstance(value, bool)) or str(value).isdigit()
        elif typ == "number":
            try:
                float(value)
                ok = not isinstance(value, bool)
            except (TypeError, ValueError):
                ok = False
        else:
            ok = True
        if not ok:
            problems.append(f"{method}: argument {name!r} should be {typ}, got {type(value).__name__} {value!r:.60}")
    known = {p["name"] for p in operation.get("parameters", [])}
    # The 2021 file predates a few arguments the SDK sends (views.* JSON bodies, unfurl flags).
    tolerated = {"unfurl_links", "unfurl_media", "include_locale", "trigger_id", "view", "hash", "view_id",
                 "user_id", "cursor", "limit", "team_id"}
    for name in args:
        if name not in known and name not in tolerated:
            problems.append(f"{method}: unknown argument {name!r}")
    return problems


# -- Block Kit limits ------------------------------------------------------------

def _text_obj(obj: Any, where: str, limit: int, problems: list[str], *, kinds=("plain_text", "mrkdwn")) -> None:
    if not isinstance(obj, dict) or obj.get("type") not in kinds:
        problems.append(f"{where}: not a text object of type {kinds}: {obj!r:.80}")
        return
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        problems.append(f"{where}: empty text")
        return
    if len(text) > limit:
        problems.append(f"{where}: {len(text)} characters > {limit}")
    if obj["type"] == "mrkdwn" and "<" in text:
        # pmobot never writes Slack links or mentions itself: any "<" is unescaped user text.
        problems.append(f"{where}: unescaped '<' in mrkdwn: {text[:80]!r}")


def _options(options: Any, where: str, problems: list[str], limit: int = 100) -> set[str]:
    if not isinstance(options, list) or not options:
        problems.append(f"{where}: options missing")
        return set()
    if len(options) > limit:
        problems.append(f"{where}: {len(options)} options > {limit}")
    values = set()
    for i, o in enumerate(options):
        _text_obj(o.get("text"), f"{where}.options[{i}].text", 75, problems)
        value = o.get("value")
        if not isinstance(value, str) or not value or len(value) > 150:
            problems.append(f"{where}.options[{i}].value: bad value {value!r:.60}")
        values.add(value)
    return values


def _unique_id(value: Any, seen: set[str], where: str, name: str, problems: list[str]) -> None:
    """An action_id or block_id: at most 255 characters, unique where Slack wants it so."""
    if value is None:
        return
    if len(value) > 255:
        problems.append(f"{where}: {name} longer than 255")
    if value in seen:
        problems.append(f"{where}: duplicate {name} {value!r}")
    seen.add(value)


def _element(el: dict[str, Any], where: str, problems: list[str], action_ids: set[str]) -> None:
    kind = el.get("type")
    _unique_id(el.get("action_id"), action_ids, where, "action_id", problems)
    if kind == "button":
        _text_obj(el.get("text"), f"{where}.text", 75, problems, kinds=("plain_text",))
        if len(el.get("value", "")) > 2000:
            problems.append(f"{where}: button value longer than 2000")
        if el.get("style") not in (None, "primary", "danger"):
            problems.append(f"{where}: bad style {el.get('style')!r}")
    elif kind in ("static_select", "multi_static_select", "radio_buttons", "checkboxes"):
        limit = 10 if kind in ("radio_buttons", "checkboxes") else 100
        values = _options(el.get("options"), where, problems, limit)
        if "initial_option" in el and el["initial_option"].get("value") not in values:
            problems.append(f"{where}: initial_option not among options")
        for o in el.get("initial_options", []):
            if o.get("value") not in values:
                problems.append(f"{where}: initial_options not among options")
        if kind.endswith("select"):
            _text_obj(el.get("placeholder"), f"{where}.placeholder", 150, problems, kinds=("plain_text",))
    elif kind == "plain_text_input":
        max_length = el.get("max_length", 3000)
        if not isinstance(max_length, int) or not 1 <= max_length <= 3000:
            problems.append(f"{where}: max_length {max_length!r} out of 1..3000")
        if len(el.get("initial_value", "")) > max_length:
            problems.append(f"{where}: initial_value longer than max_length")
        if "placeholder" in el:
            _text_obj(el["placeholder"], f"{where}.placeholder", 150, problems, kinds=("plain_text",))
    elif kind == "number_input":
        if not isinstance(el.get("is_decimal_allowed"), bool):
            problems.append(f"{where}: is_decimal_allowed missing")
        for key in ("initial_value", "min_value", "max_value"):
            if key in el:
                try:
                    float(el[key])
                except (TypeError, ValueError):
                    problems.append(f"{where}: {key} {el[key]!r} is not a number")
                if not el["is_decimal_allowed"] and "." in str(el[key]):
                    problems.append(f"{where}: {key} {el[key]!r} has decimals")
    elif kind == "datepicker":
        if "initial_date" in el and len(str(el["initial_date"])) != 10:
            problems.append(f"{where}: initial_date not YYYY-MM-DD")
    elif kind == "users_select":
        pass
    else:
        problems.append(f"{where}: unexpected element type {kind!r}")


def check_blocks(blocks: Any, where: str, *, limit: int, surface: str) -> list[str]:
    problems: list[str] = []
    if not isinstance(blocks, list):
        return [f"{where}: blocks is not a list"]
    if len(blocks) > limit:
        problems.append(f"{where}: {len(blocks)} blocks > {limit}")
    block_ids: set[str] = set()
    action_ids: set[str] = set()
    for i, b in enumerate(blocks):
        here = f"{where}[{i}]({b.get('type')})"
        _unique_id(b.get("block_id"), block_ids, here, "block_id", problems)
        kind = b.get("type")
        if kind == "section":
            if "text" not in b and "fields" not in b:
                problems.append(f"{here}: section without text or fields")
            if "text" in b:
                _text_obj(b["text"], f"{here}.text", 3000, problems)
            fields = b.get("fields", [])
            if len(fields) > 10:
                problems.append(f"{here}: {len(fields)} fields > 10")
            for j, f in enumerate(fields):
                _text_obj(f, f"{here}.fields[{j}]", 2000, problems)
        elif kind == "header":
            _text_obj(b.get("text"), f"{here}.text", 150, problems, kinds=("plain_text",))
        elif kind == "context":
            elements = b.get("elements", [])
            if not elements or len(elements) > 10:
                problems.append(f"{here}: {len(elements)} context elements (1..10)")
            for j, e in enumerate(elements):
                _text_obj(e, f"{here}.elements[{j}]", 3000, problems)
        elif kind == "actions":
            elements = b.get("elements", [])
            if not elements or len(elements) > 25:
                problems.append(f"{here}: {len(elements)} action elements (1..25)")
            for j, e in enumerate(elements):
                _element(e, f"{here}.elements[{j}]", problems, action_ids)
        elif kind == "input":
            if surface != "modal":
                problems.append(f"{here}: input blocks only in modals")
            _text_obj(b.get("label"), f"{here}.label", 2000, problems, kinds=("plain_text",))
            if "hint" in b:
                _text_obj(b["hint"], f"{here}.hint", 2000, problems, kinds=("plain_text",))
            _element(b.get("element") or {}, f"{here}.element", problems, set())
        elif kind == "divider":
            pass
        else:
            problems.append(f"{here}: unexpected block type {kind!r}")
    return problems


def check_view(view: Any, where: str) -> list[str]:
    if isinstance(view, str):
        view = json.loads(view)
    problems: list[str] = []
    kind = view.get("type")
    if kind == "modal":
        _text_obj(view.get("title"), f"{where}.title", 24, problems, kinds=("plain_text",))
        for key in ("submit", "close"):
            if key in view:
                _text_obj(view[key], f"{where}.{key}", 24, problems, kinds=("plain_text",))
        if any(b.get("type") == "input" for b in view.get("blocks", [])) and "submit" not in view:
            problems.append(f"{where}: a modal with inputs needs a submit button")
    elif kind != "home":
        problems.append(f"{where}: unexpected view type {kind!r}")
    if len(view.get("private_metadata", "")) > 3000:
        problems.append(f"{where}: private_metadata longer than 3000")
    if len(view.get("callback_id", "")) > 255:
        problems.append(f"{where}: callback_id longer than 255")
    return problems + check_blocks(view.get("blocks"), f"{where}.blocks", limit=100, surface=kind or "?")


def check_message(args: dict[str, Any], where: str) -> list[str]:
    problems = []
    text = args.get("text")
    if isinstance(text, str) and "<" in text:
        problems.append(f"{where}.text: unescaped '<' in the message text: {text[:80]!r}")
    if isinstance(text, str) and len(text) > 40000:
        problems.append(f"{where}.text: longer than 40000")
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if blocks is not None:
        problems += check_blocks(blocks, f"{where}.blocks", limit=50, surface="message")
    elif not text:
        problems.append(f"{where}: neither text nor blocks")
    return problems


# -- the fake server ----------------------------------------------------------------

@dataclass
class Call:
    method: str
    args: dict[str, Any]


@dataclass
class FakeSlack:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=lambda: {"it-intake": "C0IT"})
    members: dict[str, list[str]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # method -> list of (status, json body, headers) served before the normal answer
    failures: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = field(default_factory=dict)
    down: bool = False
    # Fault injection: channel -> how many calls posting to it hang, unanswered, until the fake stops
    # (a Web API slower than any timeout); and a coroutine awaited on each call before it is answered
    # (a test moves its clock there: a slow API without sleeping).
    stalled: dict[str, int] = field(default_factory=dict)
    on_call: Callable[[Call], Awaitable[None]] | None = None
    _unstall: Any = field(default_factory=asyncio.Event)
    url: str = ""
    # Socket Mode: envelopes to send once pmobot connects, and what it answers.
    envelopes: list[dict[str, Any]] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    all_acked: Any = field(default_factory=asyncio.Event)
    socket_open: bool = False
    # Files: the length announced for each upload URL, the bytes sent to it, the files shared.
    announced: dict[str, int] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    _ts: Any = field(default_factory=lambda: itertools.count(1))
    _views: Any = field(default_factory=lambda: itertools.count(1))
    _runner: Any = None
    # How many answers each response URL got, by its name (``hook_url(name)``).
    hooks: Counter[str] = field(default_factory=Counter)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/hooks/{name}", self._hook)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        self._unstall.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def hook_url(self, name: str = "r") -> str:
        return f"{self.url}/hooks/{name}"

    def fail(self, method: str, status: int, error: str, headers: dict[str, str] | None = None, times: int = 1) -> None:
        self.failures.setdefault(method, []).extend([(status, {"ok": False, "error": error}, headers or {})] * times)

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method == method]

    def posted(self) -> list[dict[str, Any]]:
        """The messages Slack took (answered with their ts), not the calls it refused or never answered."""
        return [args for args in self.of("chat.postMessage") if "_ts" in args]

    def clear(self) -> None:
        self.calls.clear()

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            raw = await request.text()
            if ctype == "application/json":
                args.update(json.loads(raw or "{}"))
            elif ctype == "application/x-www-form-urlencoded":
                args.update(dict(parse_qsl(raw, keep_blank_values=True)))
            elif raw:
                self.problems.append(f"unexpected content type {ctype}")
        return args

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if self.down:
            # The Web API is unreachable: the connection drops without an answer.
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=503)
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        self.problems += check_call(method, args, has_auth_header=auth.startswith("Bearer "))
        args["_token"] = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            self.problems += check_message(args, method)
        if method in ("views.open", "views.update", "views.publish", "views.push"):
            view = args.get("view")
            self.problems += check_view(view if isinstance(view, (dict, str)) else {}, method)
            if isinstance(view, str):
                args["view"] = json.loads(view)
        if isinstance(args.get("blocks"), str):
            args["blocks"] = json.loads(args["blocks"])
        self.calls.append(Call(method, args))
        if self.on_call is not None:
            await self.on_call(Call(method, args))
        if self.stalled.get(str(args.get("channel"))):
            self.stalled[str(args.get("channel"))] -= 1
            await self._unstall.wait()
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=503)
        queued = self.failures.get(method)
        if queued:
            status, body, headers = queued.pop(0)
            return web.json_response(body, status=status, headers=headers)
        answer = self._answer(method, args)
        if "view" in answer:
            args["_view"] = answer["view"]  # the view as Slack now holds it, with its id and hash
        if method == "chat.postMessage" and "ts" in answer:
            args["_ts"] = answer["ts"]  # the message's id in Slack, for pressing its buttons later
        return web.json_response(answer)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, send the queued envelopes, keep the acks pmobot sends back."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.socket_open = True
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0PMO"}})
        for envelope in self.envelopes:
            await ws.send_json(envelope)
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.acks.append(json.loads(message.data))
                if len(self.acks) >= len(self.envelopes):
                    self.all_acked.set()
        self.socket_open = False
        return ws

    async def _hook(self, request: web.Request) -> web.Response:
        if self.down:
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=503)
        body = await request.json()
        self.problems += check_message(body, "response_url")
        self.calls.append(Call("response_url", body))
        self.hooks[request.match_info["name"]] += 1
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal handed out: the file's bytes, as announced."""
        file_id = request.match_info["file_id"]
        data = await request.read()
        if file_id not in self.announced:
            self.problems.append(f"upload to {file_id}: no such upload URL was handed out")
        elif len(data) != self.announced[file_id]:
            self.problems.append(f"upload to {file_id}: {len(data)} bytes, {self.announced[file_id]} announced")
        self.uploads[file_id] = data
        self.calls.append(Call("upload", {"file_id": file_id, "length": len(data)}))
        return web.Response(text="OK - " + str(len(data)))

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://pmo.slack.com/", "team": "PMO", "user": "pmobot", "team_id": TEAM,
                    "user_id": BOT_USER, "bot_id": "B0PMO", "is_enterprise_install": False}
        if method in ("chat.postMessage", "chat.postEphemeral"):
            channel = str(args.get("channel"))
            channel = self.channels.get(channel.lstrip("#"), channel)
            if channel.startswith(("U", "W")):
                channel = "D" + channel[1:]  # a DM with that user
            ts = f"1764147600.{next(self._ts):06d}"
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": args.get("text"), "ts": ts}}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method in ("views.open", "views.update", "views.publish", "views.push"):
            view = dict(args.get("view") or {})
            view_id = args.get("view_id") or f"V{next(self._views):04d}"
            view.update({"id": view_id, "hash": f"h{next(self._views)}"})
            return {"ok": True, "view": view}
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": user}
        if method == "conversations.members":
            return {"ok": True, "members": self.members.get(str(args.get("channel")), []),
                    "response_metadata": {"next_cursor": ""}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            self.announced[file_id] = int(args.get("length") or 0)
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = args.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            for f in files:
                if f.get("id") not in self.uploads:
                    self.problems.append(f"files.completeUploadExternal: {f.get('id')} was never uploaded")
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title") or ""} for f in files]}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http://", "ws://") + "/link"}
        if method == "oauth.v2.access":
            return {"ok": True, "access_token": "xoxb-installed", "token_type": "bot", "scope": "commands,chat:write",
                    "bot_user_id": BOT_USER, "app_id": "A0PMO", "team": {"id": "T0NEW", "name": "New"},
                    "enterprise": None, "is_enterprise_install": False, "authed_user": {"id": "UINSTALL"}}
        return {"ok": False, "error": "unknown_method"}


def slack_user(uid: str, name: str, locale: str, tz: str = "Europe/Paris") -> dict[str, Any]:
    # users.info gives every person's time zone (tz), as Slack's references show.
    return {"id": uid, "team_id": TEAM, "name": name.lower().split()[0], "real_name": name, "locale": locale,
            "tz": tz, "profile": {"real_name": name, "display_name": name}}


# -- requests Slack sends ---------------------------------------------------------------

_trigger = itertools.count(1)


def trigger_id() -> str:
    return f"{next(_trigger)}.4744562.test{next(_trigger)}"


def slash_body(*, user: str, text: str, channel: str = "C0GEN", response_url: str) -> str:
    sample = dict(parse_qsl((PAYLOADS / "slash_command.form_body.txt").read_text().strip(), keep_blank_values=True))
    sample.update({"team_id": TEAM, "channel_id": channel, "channel_name": "general", "user_id": user,
                   "user_name": user.lower(), "command": "/pmo", "text": text, "response_url": response_url,
                   "trigger_id": trigger_id()})
    return urlencode(sample)


def interactive_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def block_actions(*, user: str, action_id: str, value: str, message: dict[str, Any] | None = None,
                  channel: str = "C0IT", response_url: str | None = None, state: dict[str, Any] | None = None,
                  view: dict[str, Any] | None = None, action_ts: str | None = None) -> dict[str, Any]:
    payload = copy.deepcopy(load_payload("block_actions.org_install.json"))
    payload.update({"user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
                    "team": {"id": TEAM, "domain": "pmo"}, "enterprise": None, "is_enterprise_install": False,
                    "trigger_id": trigger_id(), "state": {"values": state or {}}})
    action = dict(payload["actions"][0])
    action.update({"action_id": action_id, "value": value, "block_id": "actions0",
                   "action_ts": action_ts or f"{time.time():.6f}{next(_trigger)}"})
    payload["actions"] = [action]
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id")}
        payload["view"] = view
        payload.pop("channel", None)
        payload.pop("response_url", None)
    else:
        ts = (message or {}).get("ts", "1764147600.000001")
        payload["container"] = {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False}
        payload["channel"] = {"id": channel, "name": "it-intake"}
        payload["message"] = message or {"ts": ts, "text": "", "blocks": []}
        if response_url:
            payload["response_url"] = response_url
        else:
            payload.pop("response_url", None)
    return payload


def view_submission(*, user: str, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    payload = copy.deepcopy(load_payload("view_submission.org_install.json"))
    submitted = copy.deepcopy(payload["view"])
    submitted.update({k: view[k] for k in ("blocks", "private_metadata", "callback_id", "title", "submit", "close")
                      if k in view})
    submitted.update({"id": view.get("id", "V0001"), "hash": view.get("hash", "h1"), "team_id": TEAM,
                      "state": {"values": values}})
    payload.update({"user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
                    "team": {"id": TEAM, "domain": "pmo"}, "enterprise": None, "is_enterprise_install": False,
                    "view": submitted, "trigger_id": trigger_id()})
    return payload


def event_envelope(sample: str, event: dict[str, Any], event_id: str) -> dict[str, Any]:
    payload = copy.deepcopy(load_payload(sample))
    inner = {k: v for k, v in payload["event"].items() if k in ("type", "client_msg_id", "ts", "event_ts")}
    inner.update(event)
    payload.update({"token": "legacy", "team_id": TEAM, "enterprise_id": None, "api_app_id": "A0PMO",
                    "type": "event_callback", "event_id": event_id, "event_time": 1764147600,
                    "authorizations": [{"enterprise_id": None, "team_id": TEAM, "user_id": BOT_USER,
                                        "is_bot": True, "is_enterprise_install": False}],
                    "event": inner})
    return payload


def state_for(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """What Slack would send back for a modal filled in with ``answers`` (field id -> value)."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        el = block["element"]
        action_id = el["action_id"]
        answer = answers.get(block["block_id"])
        kind = el["type"]
        if kind in ("plain_text_input", "number_input"):
            value = answer if answer is not None else el.get("initial_value")
            state = {"type": kind, "value": value}
        elif kind == "datepicker":
            state = {"type": kind, "selected_date": answer if answer is not None else el.get("initial_date")}
        elif kind in ("radio_buttons", "static_select"):
            chosen = next((o for o in el["options"] if o["value"] == answer), el.get("initial_option"))
            state = {"type": kind, "selected_option": chosen}
        elif kind in ("checkboxes", "multi_static_select"):
            if answer is None:
                chosen = el.get("initial_options", [])
            else:
                chosen = [o for o in el["options"] if o["value"] in answer]
            state = {"type": kind, "selected_options": chosen}
        else:
            raise AssertionError(f"unexpected element {kind}")
        values[block["block_id"]] = {action_id: state}
    return values


# -- pmobot with Slack switched on, on a real aiohttp server ---------------------------

@asynccontextmanager
async def serving(settings: Any, *, fake: FakeSlack, clock: Any, **attach: Any) -> AsyncIterator[SlackHarness]:
    """pmobot built from ``settings`` (Slack on, with any other platform they switch on; ``attach``
    goes to ``attach_platforms``), migrated, served on an ephemeral port as ``pmobot serve`` does;
    at the end, whatever the fake Slack found wrong in pmobot's calls fails the test."""
    from aiohttp.test_utils import TestClient, TestServer

    from pmobot.app import attach_platforms, create_app
    from pmobot.server import build_web_app

    app = create_app(settings, clock=clock)
    await app.prepare(migrate=True, seed_demo=False)
    platforms = attach_platforms(app, **attach)
    slack = next(p for p in platforms if p.name == "slack")
    client = TestClient(TestServer(build_web_app(db=app.db, platforms=platforms), host="127.0.0.1"))
    await client.start_server()
    try:
        yield SlackHarness(app=app, platform=slack, fake=fake, client=client, clock=clock, platforms=platforms)
    finally:
        await client.close()
        for platform in reversed(platforms):
            await platform.stop()
        await app.close()
        await fake.stop()
    assert fake.problems == [], "\n".join(fake.problems)


class SlackHarness:
    """pmobot's server (the real bolt app) on an ephemeral port, talking to a FakeSlack."""

    def __init__(self, *, app: Any, platform: Any, fake: FakeSlack, client: Any, clock: Any,
                 platforms: list[Any] | None = None) -> None:
        self.app = app
        self.platform = platform
        # Every platform the server carries (Slack alone, or Slack beside Teams).
        self.platforms = platforms or [platform]
        self.fake = fake
        self.client = client
        self.clock = clock
        self.worker = app.worker()

    async def send(self, body: str, *, content_type: str = "application/x-www-form-urlencoded",
                   timestamp: int | None = None, signature: str | None = None,
                   headers: dict[str, str] | None = None) -> Any:
        ts = int(self.clock.now().timestamp()) if timestamp is None else timestamp
        sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts),
                "X-Slack-Signature": signature if signature is not None else sign(body, ts)}
        sent.update(headers or {})
        return await self.client.post("/slack/events", data=body.encode(), headers=sent)

    async def command(self, user: str, text: str, *, channel: str = "C0GEN", hook: str = "cmd") -> Any:
        return await self.send(slash_body(user=user, text=text, channel=channel, response_url=self.fake.hook_url(hook)))

    async def interact(self, payload: dict[str, Any]) -> Any:
        return await self.send(interactive_body(payload))

    async def press(self, user: str, action_id: str, value: str, *, message: dict[str, Any] | None = None,
                    channel: str = "C0IT", hook: str | None = "btn", **kwargs: Any) -> Any:
        return await self.interact(block_actions(user=user, action_id=action_id, value=value, message=message,
                                                 channel=channel,
                                                 response_url=self.fake.hook_url(hook) if hook else None, **kwargs))

    async def submit(self, user: str, view: dict[str, Any], answers: dict[str, Any]) -> Any:
        return await self.interact(view_submission(user=user, view=view, values=state_for(view, answers)))

    async def submitted(self, user: str, view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
        """Submit a modal; what it shows once its work is done: the ack's errors or next page as they came,
        else, the submission worked by an inbound worker, the view the worker put in the modal's place."""
        response = await self.submit(user, view, answers)
        assert response.status == 200, response.status
        text = await response.text()
        body: dict[str, Any] = json.loads(text) if text else {}
        if body.get("response_action") != "update" or body["view"].get("callback_id") != "pmobot.done":
            return body
        updates = len(self.fake.of("views.update"))
        await self.platform.settle()
        if len(self.fake.of("views.update")) == updates:
            return body  # nothing put in its place (a repeat; the modal gone)
        return {"response_action": "update", "view": self.opened_view()}

    async def event(self, event: dict[str, Any], *, event_id: str,
                    sample: str = "java-slack-sdk-shapes/MessagePayload.json", retry: int | None = None) -> Any:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return await self.send(json.dumps(event_envelope(sample, event, event_id)), content_type="application/json",
                               headers=headers)

    async def settle(self, *, deliver: bool = True, rounds: int = 20) -> None:
        """Finish the work started after acks, then deliver the outbox, moving the clock one
        second at a time when Slack's pace (one message per second per channel) holds rows back."""
        await self.platform.settle()
        if not deliver:
            return
        for _ in range(rounds):
            await self.worker.drain(self.clock.now())
            if not await self.pending_due_soon():
                break
            self.clock.advance(seconds=1)

    async def pending_due_soon(self) -> bool:
        from datetime import timedelta

        from sqlmodel import col, select

        from pmobot.domain.models import OutboxMessage

        async with self.app.db.session() as session:
            row = (await session.exec(select(OutboxMessage).where(
                OutboxMessage.status == "pending",
                col(OutboxMessage.next_attempt_at) <= self.clock.now() + timedelta(seconds=2)))).first()
        return row is not None

    def opened_view(self) -> dict[str, Any]:
        """The last modal pmobot opened or updated, as Slack would hold it (with its id and hash)."""
        for call in reversed(self.fake.calls):
            if call.method in ("views.open", "views.update"):
                return dict(call.args["_view"])
        raise AssertionError("no modal was opened")
