"""pmobot as a Slack app: a slack-bolt ``AsyncApp`` on pmobot's aiohttp server.

Every request Slack sends lands on ``/slack/events`` (events, the ``/pmo``
command, buttons, modals, shortcuts). Signatures are checked first (with
pmobot's clock, so tests can age a request), then each listener acknowledges
within Slack's three seconds and does the slow work after the ack:

* slash commands, buttons and shortcuts are acknowledged at once; the work
  (and the modal, the ephemeral answer) follows;
* events and modal submissions are handled before the ack when that takes
  less than ``ACK_BUDGET`` (nearly always), so a need is stored before Slack
  hears "OK"; a repeat delivery of the same event or submission is
  recognised in the same transaction (``Chat(..., once=KEY)``) and ignored.

The adapter holds no state another replica would need: people, their
language, installations, OAuth states, dedup keys and the outbox are in the
database; the only thing in memory is the set of tasks still running.
"""

from __future__ import annotations

import asyncio
import hashlib

import json
import logging
import re
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.middleware.request_verification.async_request_verification import AsyncRequestVerification
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import Clock as SlackClock
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from pmobot.adapters.slack import render as rd
from pmobot.adapters.slack.deliver import SlackDeliverer, classify
from pmobot.adapters.slack.manifest import bot_scopes
from pmobot.adapters.slack.stores import DatabaseInstallationStore, DatabaseStateStore
from pmobot.chat import Chat
from pmobot.config import Settings
from pmobot.conversation.text import fold
from pmobot.domain.models import Person
from pmobot.i18n import normalize_locale, t
from pmobot.messages import FormRequest, Message, Notice
from pmobot.platforms import ConfigurationError
from pmobot.scheduler import Delivery, RetryLater
from pmobot.services import addresses, outbox
from pmobot.services.core import Core
from pmobot.services.people import Identity

log = logging.getLogger(__name__)

PLATFORM = "slack"
# Work done before acknowledging an event or a submission, at most (Slack waits 3 s).
ACK_BUDGET = 2.0
# users.info on first contact must not eat the ack budget when Slack is slow.
USERS_INFO_TIMEOUT = 1.0
# Work after the ack runs at most this many at a time: a burst of follow-ups
# cannot crowd out the acknowledgements Slack needs within three seconds.
FOLLOW_UP_SLOTS = 4
# Membership of the IT channel is read again after this long.
MEMBERS_TTL = timedelta(minutes=10)
MEMBERS_PAGES = 10
# "/pmo status NEED-3 share": the answer is shown to the channel, not only to the asker.
SHARE_WORDS = frozenset({"share", "partager", "partage", "public"})
QUERY_COMMANDS = frozenset({"status", "statut", "etat", "mine", "mes", "miens", "my", "queue", "file", "attente",
                            "help", "aide", "?"})
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# A modal spec -> the button that opens it for a need (permission checked by the core).
_FORM_ACTIONS = {"estimate": "need.estimate", "question": "need.ask", "answer": "need.answer"}


class _DropTokenUnused(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


class _PmobotClock(SlackClock):
    """Signature age measured on pmobot's clock (frozen in tests)."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def now(self) -> float:
        return self.core.now().timestamp()


class _Verification(AsyncRequestVerification):
    """bolt's signature check (401 on a bad, missing or over five-minute-old signature) on pmobot's clock."""

    def __init__(self, signing_secret: str, core: Core) -> None:
        super().__init__(signing_secret)
        self._verifier = SignatureVerifier(signing_secret=signing_secret, clock=_PmobotClock(core))


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


class SlackPlatform:
    name = PLATFORM

    @classmethod
    def create(cls, *, chat: Chat, core: Core, settings: Settings) -> "SlackPlatform":
        socket_mode = settings.slack_app_token is not None
        oauth = bool(settings.slack_client_id or settings.slack_client_secret)
        if not socket_mode and not _secret(settings.slack_signing_secret):
            raise ConfigurationError(
                "Slack is switched on but SLACK_SIGNING_SECRET is not set: without it pmobot cannot tell Slack's "
                "requests from forged ones. Copy it from your app's Basic Information page, "
                "or set SLACK_APP_TOKEN to use Socket Mode.")
        if oauth and not (settings.slack_client_id and _secret(settings.slack_client_secret)):
            missing = "SLACK_CLIENT_SECRET" if settings.slack_client_id else "SLACK_CLIENT_ID"
            raise ConfigurationError(f"Slack OAuth needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: {missing} is not set.")
        if not oauth and not _secret(settings.slack_bot_token):
            raise ConfigurationError(
                "Slack needs SLACK_BOT_TOKEN (one workspace), or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
                "(installable in several workspaces).")
        return cls(chat=chat, core=core, settings=settings)

    def __init__(self, *, chat: Chat, core: Core, settings: Settings) -> None:
        self.chat = chat
        self.core = core
        self.settings = settings
        self.socket_mode = settings.slack_app_token is not None
        self.oauth = bool(settings.slack_client_id and settings.slack_client_secret)
        self.bot_token = _secret(settings.slack_bot_token)
        self.api_url = settings.slack_api_url
        if not self.api_url.endswith("/"):
            self.api_url += "/"
        # No retry inside the client: the outbox retries, with backoff, from the database.
        self.client = AsyncWebClient(token=self.bot_token, base_url=self.api_url, retry_handlers=[], timeout=10)
        self.installations: DatabaseInstallationStore | None = None
        self._clients: dict[str, AsyncWebClient] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._slots = asyncio.Semaphore(FOLLOW_UP_SLOTS)
        self._session: aiohttp.ClientSession | None = None
        self._socket: Any = None
        self.app = self._build_app()
        self.deliverer = SlackDeliverer(client_for=self._client_for_delivery, locale_for=self._locale_for_delivery)

    # -- the bolt app --------------------------------------------------------

    def _build_app(self) -> AsyncApp:
        signing_secret = _secret(self.settings.slack_signing_secret)
        kwargs: dict[str, Any] = {}
        if self.oauth:
            assert self.settings.slack_client_id is not None
            self.installations = DatabaseInstallationStore(core=self.core, client_id=self.settings.slack_client_id)
            kwargs["oauth_settings"] = AsyncOAuthSettings(
                client_id=self.settings.slack_client_id,
                client_secret=_secret(self.settings.slack_client_secret),
                scopes=list(bot_scopes()), installation_store=self.installations,
                state_store=DatabaseStateStore(core=self.core),
                install_path="/slack/install", redirect_uri_path="/slack/oauth_redirect",
            )
            kwargs["installation_store"] = self.installations
        # Bolt reads SLACK_BOT_TOKEN by itself and warns that the client's (the same
        # token) wins: true and harmless, so that one warning is not shown at start.
        bolt_log = logging.getLogger("slack_bolt.AsyncApp")
        quiet = _DropTokenUnused()
        bolt_log.addFilter(quiet)
        try:
            app = AsyncApp(
                name="pmobot", client=self.client, signing_secret=signing_secret or "socket-mode",
                # Listeners run before the HTTP response; each one acks first and leaves slow work to a task.
                process_before_response=True,
                request_verification_enabled=False,
                before_authorize=_Verification(signing_secret, self.core) if signing_secret else None,
                **kwargs,
            )
        finally:
            bolt_log.removeFilter(quiet)
        app.command("/pmo")(self._on_command)
        app.event("message")(self._on_message)
        app.event("app_mention")(self._on_mention)
        app.event("app_home_opened")(self._on_home_opened)
        app.action(re.compile(r"^need\."))(self._on_need_button)
        app.action(re.compile(r"^prompt\.(answer|control|select|send)"))(self._on_prompt)
        app.action("prompt.multi")(self._ack_only)
        app.action("form.open")(self._on_form_button)
        app.action("home.new")(self._on_new_need)
        app.action(re.compile(r"^v\."))(self._on_form_change)
        app.view(rd.FORM_CALLBACK)(self._on_submit)
        app.view_closed(rd.FORM_CALLBACK)(self._ack_only)
        app.shortcut("pmobot.new_need")(self._on_new_need)
        app.shortcut("pmobot.turn_into_need")(self._on_turn_into_need)
        return app

    # -- Platform protocol ---------------------------------------------------

    def it_channel(self) -> str | None:
        return self.settings.it_channel or None

    def _http(self) -> aiohttp.ClientSession:
        """One HTTP session for the Web API and response URLs (connections reused)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self.client.session = self._session
            for client in self._clients.values():
                client.session = self._session
        return self._session

    async def _close_http(self, _app: web.Application | None = None) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
        self.client.session = None

    async def _open_http(self, _app: web.Application) -> None:
        self._http()

    def mount(self, web_app: web.Application) -> None:
        web_app.on_startup.append(self._open_http)
        web_app.on_cleanup.append(self._close_http)
        if not self.socket_mode:
            web_app.router.add_post("/slack/events", self._events)
        if self.oauth:
            web_app.router.add_get("/slack/install", self._http_install)
            web_app.router.add_get("/slack/oauth_redirect", self._http_redirect)

    async def start(self) -> None:
        self._http()
        if self.socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(self.app, _secret(self.settings.slack_app_token))
            await self._socket.connect_async()
            log.info("slack: connected in Socket Mode")

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        await self.settle()
        await self._close_http()

    async def settle(self) -> None:
        """Wait for the work started after acknowledgements (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- HTTP ------------------------------------------------------------------

    async def _events(self, request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    async def _http_install(self, request: web.Request) -> web.Response:
        assert self.app.oauth_flow is not None
        return await to_aiohttp_response(await self.app.oauth_flow.handle_installation(await to_bolt_request(request)))

    async def _http_redirect(self, request: web.Request) -> web.Response:
        assert self.app.oauth_flow is not None
        return await to_aiohttp_response(await self.app.oauth_flow.handle_callback(await to_bolt_request(request)))

    # -- background work -------------------------------------------------------

    def _spawn(self, work: Awaitable[Any], *, queued: bool = True) -> asyncio.Task[Any]:
        """Run ``work`` after the ack; ``queued`` work waits for one of FOLLOW_UP_SLOTS."""

        async def run() -> None:
            try:
                await work
            except Exception:
                log.exception("slack: work after the ack failed")

        async def guarded() -> None:
            if not queued:
                await run()
                return
            async with self._slots:
                await run()

        task = asyncio.get_running_loop().create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _within_budget(self, work: Awaitable[Any]) -> None:
        """Do ``work`` before the ack if it takes less than ACK_BUDGET, else let it finish after."""
        task = self._spawn(work, queued=False)
        await asyncio.wait({task}, timeout=ACK_BUDGET)

    async def _ack_only(self, ack: Any) -> None:
        await ack()

    # -- who is talking ----------------------------------------------------------

    async def _person(self, user_id: str) -> Person | None:
        async with self.core.db.session() as session:
            return (await session.exec(select(Person).where(
                Person.platform == PLATFORM, Person.external_id == user_id))).first()

    async def identity(self, user_id: str, *, client: AsyncWebClient | None = None, team_id: str | None = None,
                       enterprise_id: str | None = None) -> Identity:
        """The person behind a Slack user id; ``users.info`` only on first contact (or while their language is unknown)."""
        implied = await self._implied_roles(user_id, client or self.client)
        person = await self._person(user_id)
        if person is not None and person.locale:
            # The stored language travels as the platform's hint: replies are rendered without another lookup.
            return Identity(PLATFORM, user_id, person.display_name, person.handle, locale=person.locale,
                            implied_roles=implied)
        name = person.display_name if person else user_id
        handle = person.handle if person else user_id
        locale = None
        try:
            info = await asyncio.wait_for((client or self.client).users_info(user=user_id, include_locale=True),
                                          USERS_INFO_TIMEOUT)
            user = info.get("user") or {}
            profile = user.get("profile") or {}
            name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or name
            handle = user.get("name") or handle
            locale = user.get("locale")
        except (SlackApiError, asyncio.TimeoutError, OSError, Exception) as exc:  # the org default will do for now
            log.info("slack: users.info for %s failed (%s); trying again next time", user_id, type(exc).__name__)
        identity = Identity(PLATFORM, user_id, name, handle, locale=locale, implied_roles=implied)
        if locale or (self.oauth and team_id):
            await self._first_contact(identity, team_id, enterprise_id)
        return identity

    async def _first_contact(self, identity: Identity, team_id: str | None, enterprise_id: str | None) -> None:
        # Creates the person on first contact, keeping the language users.info gave:
        # users.info is not called for them again.
        await self.chat.locale_for(identity)
        if self.oauth and team_id:
            async with self.core.db.session() as session:
                await addresses.remember(session, core=self.core, platform=PLATFORM, kind="person",
                                         address=identity.external_id,
                                         reference={"team_id": team_id, "enterprise_id": enterprise_id})

    async def _implied_roles(self, user_id: str, client: AsyncWebClient) -> frozenset[str]:
        """IT for members of the IT intake channel, when PMOBOT_SLACK_IT_CHANNEL_MEMBERS_ARE_IT is on."""
        channel = self.it_channel()
        if not self.settings.slack_it_channel_members_are_it or not channel:
            return frozenset()
        members = await self._channel_members(channel, client)
        return frozenset({"it"}) if user_id in members else frozenset()

    async def _channel_members(self, channel: str, client: AsyncWebClient) -> set[str]:
        """Members of ``channel``, cached in the database for MEMBERS_TTL (shared by replicas)."""
        address = f"members:{channel}"
        now = self.core.now()
        async with self.core.db.session() as session:
            cached = await addresses.reference(session, platform=PLATFORM, kind="channel", address=address)
        if cached and cached.get("at"):
            try:
                if now - datetime.fromisoformat(cached["at"]) < MEMBERS_TTL:
                    return set(cached.get("members") or [])
            except ValueError:
                pass
        members: list[str] = []
        cursor = None
        try:
            for _ in range(MEMBERS_PAGES):
                kwargs = {"cursor": cursor} if cursor else {}
                page = await client.conversations_members(channel=channel, limit=200, **kwargs)
                members += page.get("members") or []
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except (SlackApiError, OSError, asyncio.TimeoutError, Exception) as exc:
            log.warning("slack: members of the IT channel unknown (%s)", type(exc).__name__)
            return set(cached.get("members") or []) if cached else set()
        async with self.core.db.session() as session:
            await addresses.remember(session, core=self.core, platform=PLATFORM, kind="channel", address=address,
                                     reference={"members": members, "at": now.isoformat()})
        return set(members)

    def _locale(self, identity: Identity) -> str:
        """The language of a reply: the person's (from the identity), else the org's."""
        return normalize_locale(identity.locale, self.core.org_locale) if identity.locale else self.core.org_locale

    async def _identity_from(self, body: dict[str, Any], client: AsyncWebClient | None) -> Identity:
        user = body.get("user") or {}
        user_id = user.get("id") if isinstance(user, dict) else None
        user_id = user_id or body.get("user_id") or (body.get("event") or {}).get("user")
        team = body.get("team") or {}
        team_id = (team.get("id") if isinstance(team, dict) else None) or body.get("team_id") or (
            user.get("team_id") if isinstance(user, dict) else None)
        enterprise = body.get("enterprise") or {}
        enterprise_id = (enterprise.get("id") if isinstance(enterprise, dict) else None) or body.get("enterprise_id")
        return await self.identity(str(user_id), client=client, team_id=team_id, enterprise_id=enterprise_id)

    # -- replies -------------------------------------------------------------------

    async def _post(self, client: AsyncWebClient, *, channel: str, messages: list[Message], locale: str,
                    thread_ts: str | None = None, fallback_key: str) -> None:
        """Post a reply; if Slack cannot take it now, the outbox delivers it later."""
        if not messages:
            return
        payload = rd.render_many(messages, locale=locale)
        try:
            kwargs = {"thread_ts": thread_ts} if thread_ts else {}
            await client.chat_postMessage(channel=channel, text=payload.text, blocks=payload.blocks,
                                          unfurl_links=False, unfurl_media=False, **kwargs)
        except Exception as exc:
            problem = classify(exc, person=False)
            log.warning("slack: reply to %s not posted now (%s): queued", channel, problem)
            target = f"{channel}:{thread_ts}" if thread_ts else channel
            async with self.core.db.session() as session:
                for i, message in enumerate(messages):
                    await outbox.enqueue(session, core=self.core, key=f"reply:{fallback_key}:{i}", platform=PLATFORM,
                                         target_kind="channel", target=target, message=message)

    async def _tell(self, client: AsyncWebClient, response_url: str | None, *, user_id: str, messages: list[Message],
                    locale: str, share: bool = False, fallback_key: str) -> None:
        """Answer the person who acted: ephemeral where they are, else in their DM."""
        if not messages:
            return
        if response_url:
            payload = rd.render_many(messages, locale=locale)
            body = {"text": payload.text, "blocks": payload.blocks, "replace_original": False,
                    "response_type": "in_channel" if share else "ephemeral"}
            try:
                async with self._http().post(response_url, json=body, timeout=aiohttp.ClientTimeout(total=10)) as r:
                    if r.status < 300:
                        return
                    raise RuntimeError(f"HTTP {r.status}")
            except Exception as exc:
                log.warning("slack: response_url failed (%s): answering by DM", type(exc).__name__)
        await self._post(client, channel=user_id, messages=messages, locale=locale, fallback_key=fallback_key)

    async def _open_form(self, client: AsyncWebClient, response_url: str | None, *, trigger_id: str, form: FormRequest,
                         identity: Identity, key: str, fallback_key: str) -> None:
        locale = self._locale(identity)
        try:
            await client.views_open(trigger_id=trigger_id, view=rd.form_view(form, locale=locale, key=key))
        except SlackApiError as exc:
            log.warning("slack: views.open failed: %s", exc.response.get("error"))
            await self._tell(client, response_url, user_id=identity.external_id, locale=locale, fallback_key=fallback_key,
                             messages=[Notice(t(locale, "slack.form_too_slow"), "warning")])

    async def _show(self, client: AsyncWebClient, response_url: str | None, *, identity: Identity, key: str, trigger_id: str | None,
                    messages: list[Message], share: bool = False, fallback_key: str) -> None:
        """Messages from the core: a form opens as a modal, the rest is told to the person."""
        forms = [m for m in messages if isinstance(m, FormRequest)]
        others = [m for m in messages if not isinstance(m, FormRequest)]
        if forms and trigger_id:
            await self._open_form(client, response_url, trigger_id=trigger_id, form=forms[0], identity=identity, key=key,
                                  fallback_key=fallback_key)
        elif forms:
            others += forms  # rendered as a button that opens the form
        if others:
            locale = self._locale(identity)
            await self._tell(client, response_url, user_id=identity.external_id, messages=others, locale=locale,
                             share=share, fallback_key=fallback_key)

    # -- the /pmo command ------------------------------------------------------------

    async def _on_command(self, ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        self._spawn(self._command(body, body.get("response_url"), client))

    async def _command(self, body: dict[str, Any], response_url: str | None, client: AsyncWebClient) -> None:
        text = (body.get("text") or "").strip()
        words = text.split()
        share = len(words) > 1 and fold(words[-1]) in SHARE_WORDS and fold(words[0]) in QUERY_COMMANDS
        if share:
            text = " ".join(words[:-1])
        identity = await self._identity_from(body, client)
        for mentioned in _MENTION.findall(text):
            # "/pmo role @bob it": Bob may never have written to pmobot yet.
            if mentioned != identity.external_id:
                await self.chat.locale_for(await self.identity(mentioned, client=client))
        channel = body.get("channel_id") or ""
        key = f"slack:dm:{channel}" if channel.startswith("D") else f"slack:user:{identity.external_id}"
        trigger = body.get("trigger_id") or ""
        # Slack never re-sends a slash command (no retries for commands): no dedup row to write.
        messages = await self.chat.on_command(identity, key, text, forms=True)
        await self._show(client, response_url, identity=identity, key=key, trigger_id=trigger, messages=messages,
                         share=share, fallback_key=f"command:{trigger}")

    # -- messages: the bot's DM and threads where it is mentioned ---------------------

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        channel = event["channel"]
        await self._within_budget(self._converse(body, client, text=event.get("text") or "", channel=channel,
                                                 thread_ts=None, key=f"slack:dm:{channel}"))

    async def _on_mention(self, body: dict[str, Any], event: dict[str, Any], context: Any,
                          client: AsyncWebClient) -> None:
        if event.get("bot_id") or not event.get("user"):
            return
        bot_user = getattr(context, "bot_user_id", None) or (context.get("bot_user_id") if hasattr(context, "get") else None)
        text = event.get("text") or ""
        if bot_user:
            text = re.sub(rf"<@{re.escape(bot_user)}(?:\|[^>]*)?>", " ", text)
        text = re.sub(r"\s+", " ", text).strip()
        channel = event["channel"]
        thread_ts = event.get("thread_ts") or event.get("ts")
        await self._within_budget(self._converse(body, client, text=text, channel=channel, thread_ts=thread_ts,
                                                 key=f"slack:thread:{channel}:{thread_ts}"))

    async def _converse(self, body: dict[str, Any], client: AsyncWebClient, *, text: str, channel: str,
                        thread_ts: str | None, key: str) -> None:
        event_id = body.get("event_id") or (body.get("event") or {}).get("client_msg_id") or ""
        identity = await self._identity_from(body, client)
        messages = await self.chat.on_text(identity, key, text, once=f"event:{event_id}" if event_id else None)
        if messages:
            locale = self._locale(identity)
            await self._post(client, channel=channel, thread_ts=thread_ts, messages=messages, locale=locale,
                             fallback_key=f"event:{event_id}")

    # -- buttons ---------------------------------------------------------------------

    async def _on_need_button(self, ack: Any, body: dict[str, Any], action: dict[str, Any],
                              client: AsyncWebClient) -> None:
        await ack()
        self._spawn(self._need_button(body, action, body.get("response_url"), client))

    async def _need_button(self, body: dict[str, Any], action: dict[str, Any], response_url: str | None,
                           client: AsyncWebClient) -> None:
        identity = await self._identity_from(body, client)
        action_id = action["action_id"].split("|")[0]
        once = f"action:{identity.external_id}:{action.get('action_ts') or body.get('trigger_id')}"
        key = f"slack:user:{identity.external_id}"
        messages = await self.chat.on_action(identity, key, action_id, action.get("value") or "", forms=True, once=once)
        await self._show(client, response_url, identity=identity, key=key, trigger_id=body.get("trigger_id"),
                         messages=messages, fallback_key=once)

    def _where(self, body: dict[str, Any]) -> tuple[str, str | None, str]:
        """The channel, thread and conversation key of a message's button."""
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        message = body.get("message") or {}
        thread_ts = message.get("thread_ts")
        if thread_ts:
            return channel, thread_ts, f"slack:thread:{channel}:{thread_ts}"
        return channel, None, f"slack:dm:{channel}"

    async def _on_prompt(self, ack: Any, body: dict[str, Any], action: dict[str, Any],
                         client: AsyncWebClient) -> None:
        await ack()
        self._spawn(self._prompt(body, action, client))

    async def _prompt(self, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        kind = action["action_id"].split("|")[0]
        if kind == "prompt.select":
            answer = (action.get("selected_option") or {}).get("value") or ""
            shown = ((action.get("selected_option") or {}).get("text") or {}).get("text") or answer
        elif kind == "prompt.send":
            state = ((body.get("state") or {}).get("values") or {}).get("prompt.choices") or {}
            chosen = (state.get("prompt.multi") or {}).get("selected_options") or []
            answer = ", ".join(o.get("value", "") for o in chosen)
            shown = ", ".join((o.get("text") or {}).get("text", "") for o in chosen)
            if not chosen:
                return  # nothing ticked: the question stays as it is
        else:
            answer = action.get("value") or ""
            shown = (action.get("text") or {}).get("text") or answer
        channel, thread_ts, key = self._where(body)
        message_ts = (body.get("container") or {}).get("message_ts") or (body.get("message") or {}).get("ts") or ""
        identity = await self._identity_from(body, client)
        # One answer per question: a second press on the same question does nothing.
        once = f"prompt:{channel}:{message_ts}"
        messages = await self.chat.on_text(identity, key, answer, once=once)
        if not messages:
            return
        locale = self._locale(identity)
        original = (body.get("message") or {}).get("blocks") or []
        if original and message_ts:
            kept = [b for b in original if b.get("type") != "actions"]
            kept.append(rd.bk.context(rd.escape(t(locale, "slack.answered", answer=shown))))
            try:
                await client.chat_update(channel=channel, ts=message_ts, blocks=kept[: rd.bk.MESSAGE_BLOCKS],
                                         text=(body.get("message") or {}).get("text") or " ")
            except Exception as exc:  # cosmetic: the answer is recorded anyway
                log.info("slack: could not mark the question answered (%s)", type(exc).__name__)
        await self._post(client, channel=channel, thread_ts=thread_ts, messages=messages, locale=locale,
                         fallback_key=once)

    async def _on_form_button(self, ack: Any, body: dict[str, Any], action: dict[str, Any],
                              client: AsyncWebClient) -> None:
        await ack()
        self._spawn(self._form_button(body, action, body.get("response_url"), client))

    async def _form_button(self, body: dict[str, Any], action: dict[str, Any], response_url: str | None,
                           client: AsyncWebClient) -> None:
        try:
            data = json.loads(action.get("value") or "{}")
        except ValueError:
            data = {}
        spec = str(data.get("s") or "intake")
        need = str((data.get("c") or {}).get("need") or "")
        identity = await self._identity_from(body, client)
        key = f"slack:user:{identity.external_id}"
        if not (spec in _FORM_ACTIONS and need):
            await self._new_need(body, client, response_url)
            return
        messages = await self.chat.on_action(identity, key, _FORM_ACTIONS[spec], need, forms=True)
        await self._show(client, response_url, identity=identity, key=key, trigger_id=body.get("trigger_id"),
                         messages=messages, fallback_key=f"form:{body.get('trigger_id')}")

    # -- shortcuts ---------------------------------------------------------------------

    async def _on_new_need(self, ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        self._spawn(self._new_need(body, client))

    async def _new_need(self, body: dict[str, Any], client: AsyncWebClient, response_url: str | None = None) -> None:
        identity = await self._identity_from(body, client)
        key = f"slack:user:{identity.external_id}"
        messages = await self.chat.on_command(identity, key, "new", forms=True)
        await self._show(client, response_url, identity=identity, key=key, trigger_id=body.get("trigger_id"),
                         messages=messages, fallback_key=f"new:{body.get('trigger_id')}")

    async def _on_turn_into_need(self, ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        self._spawn(self._turn_into_need(body, body.get("response_url"), client))

    async def _turn_into_need(self, body: dict[str, Any], response_url: str | None, client: AsyncWebClient) -> None:
        identity = await self._identity_from(body, client)
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or ""
        key = f"slack:thread:{channel}:{message.get('thread_ts') or message.get('ts')}"
        messages = await self.chat.open_form(identity, key, "intake", opening_text=message.get("text") or "")
        await self._show(client, response_url, identity=identity, key=key, trigger_id=body.get("trigger_id"),
                         messages=messages, fallback_key=f"shortcut:{body.get('trigger_id')}")

    # -- modals -------------------------------------------------------------------------

    async def _on_form_change(self, ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        self._spawn(self._form_change(body, client))

    async def _form_change(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        view = body.get("view") or {}
        meta = rd.read_metadata(view.get("private_metadata") or "")
        identity = await self._identity_from(body, client)
        form = await self.chat.redraw_form(identity, str(meta.get("s") or ""), rd.read_state(view), meta.get("c") or {})
        if form is None:
            return
        locale = self._locale(identity)
        try:
            await client.views_update(view_id=view.get("id"), hash=view.get("hash"),
                                      view=rd.form_view(form, locale=locale, key=str(meta.get("k") or "")))
        except SlackApiError as exc:
            # hash_conflict: the person changed something else meanwhile; that change re-draws it.
            log.info("slack: views.update: %s", exc.response.get("error"))

    async def _on_submit(self, ack: Any, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        meta = rd.read_metadata(view.get("private_metadata") or "")
        values = rd.read_state(view)
        identity = await self._identity_from(body, client)
        locale = self._locale(identity)
        spec = str(meta.get("s") or "")
        key = str(meta.get("k") or f"slack:user:{identity.external_id}")
        digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:32]
        once = f"view:{view.get('id')}:{digest}"
        form, messages = await self.chat.submit_form(identity, key, spec, values, meta.get("c") or {}, once=once)
        if form is not None:
            errors = rd.errors_for(view, form)
            if errors:
                await ack(response_action="errors", errors=errors)
            else:
                await ack(response_action="update", view=rd.form_view(form, locale=locale, key=key))
            return
        if not messages:
            await ack()  # the same submission again: already handled
            return
        await ack(response_action="update", view=rd.result_view(messages, locale=locale))

    # -- App Home -----------------------------------------------------------------------

    async def _on_home_opened(self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab") not in (None, "home"):
            return
        self._spawn(self.publish_home(event["user"], client=client, body=body))

    async def publish_home(self, user_id: str, *, client: AsyncWebClient, body: dict[str, Any] | None = None) -> None:
        identity = await self._identity_from(body or {"user": {"id": user_id}}, client)
        messages = await self.chat.home(identity)
        locale = self._locale(identity)
        await client.views_publish(user_id=user_id, view=rd.home_view(messages, locale=locale,
                                                                       name=identity.display_name))

    # -- outbox ---------------------------------------------------------------------------

    async def _client_for_delivery(self, delivery: Delivery) -> AsyncWebClient:
        if self.bot_token or self.installations is None:
            return self.client
        token = None
        if delivery.target_kind == "person":
            async with self.core.db.session() as session:
                ref = await addresses.reference(session, platform=PLATFORM, kind="person", address=delivery.target)
            if ref and ref.get("team_id"):
                bot = await self.installations.async_find_bot(enterprise_id=ref.get("enterprise_id"),
                                                              team_id=ref.get("team_id"))
                token = bot.bot_token if bot else None
        token = token or await self.installations.latest_bot_token()
        if not token:
            raise RetryLater("slack: no workspace has installed pmobot yet")
        if token not in self._clients:
            self._clients[token] = AsyncWebClient(token=token, base_url=self.api_url, retry_handlers=[], timeout=10,
                                                  session=self._http())
        return self._clients[token]

    async def _locale_for_delivery(self, delivery: Delivery) -> str:
        if delivery.target_kind != "person":
            return self.core.org_locale
        person = await self._person(delivery.target)
        return normalize_locale(person.locale, self.core.org_locale) if person and person.locale else self.core.org_locale
