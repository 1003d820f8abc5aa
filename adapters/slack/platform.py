"""pmobot as a Slack app: a slack-bolt ``AsyncApp`` on pmobot's aiohttp server.

Every request Slack sends lands on ``/slack/events`` (events, the ``/pmo``
command, buttons, modals, shortcuts), or comes through Socket Mode. Signatures
are checked first, on the raw bytes (with pmobot's clock, so tests can age a
request): a forged request gets 401 before its body is read; a signed one that
bolt could not read gets 400 (``payloads``). Then each listener acknowledges
within Slack's three seconds (``acks``):

* slash commands, buttons, shortcuts, the App Home and events (messages,
  mentions) are stored in the inbound queue, then acknowledged; an inbound
  worker (``pmobot.workers``, through ``work_on``) does the work after,
  exactly once and in order per person; a repeat delivery is not stored twice;
* modal submissions are checked before the ack, which carries the modal's
  errors or its next view; a valid one is stored like the rest and its ack
  says it was received: the worker does its work and shows the result in
  the modal. A repeat of the same submission is stored once.

This class only wires the parts together; each concern has its module
(clients, identity, replies, one module per surface, deliver). The adapter
holds no state another replica would need: people, their language,
installations, OAuth states, dedup keys and the outbox are in the database;
the only thing in memory is the set of tasks still running.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_sdk.web.async_client import AsyncWebClient

from pmobot.adapters.slack import payloads
from pmobot.adapters.slack.acks import AS_IT_CAME, FollowUps
from pmobot.adapters.slack.clients import (
    INSTALL_PATH,
    PLATFORM,
    REDIRECT_PATH,
    Clients,
    Signatures,
    SocketMode,
    build_app,
    check,
    secret,
    uses_oauth,
)
from pmobot.adapters.slack.commands import Commands
from pmobot.adapters.slack.deliver import SlackDeliverer
from pmobot.adapters.slack.events import Events
from pmobot.adapters.slack.forms import Forms
from pmobot.adapters.slack.home import Home
from pmobot.adapters.slack.identity import Directory
from pmobot.adapters.slack.interactivity import Buttons
from pmobot.adapters.slack.replies import Replies
from pmobot.adapters.slack.surface import TRAITS
from pmobot.chat import Chat
from pmobot.config import Settings
from pmobot.domain.models_inbound import InboundRequest
from pmobot.payloads import Malformed
from pmobot.services.core import Core
from pmobot.workers import InboundWorker

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


class SlackPlatform:
    name = PLATFORM
    traits = TRAITS

    @classmethod
    def create(cls, *, chat: Chat, core: Core, settings: Settings) -> SlackPlatform:
        """The platform, or ConfigurationError when it could not run safely."""
        check(settings)
        return cls(chat=chat, core=core, settings=settings)

    def __init__(self, *, chat: Chat, core: Core, settings: Settings) -> None:
        self.chat = chat
        self.core = core
        self.settings = settings
        self.socket_mode = settings.slack_app_token is not None
        self.oauth = uses_oauth(settings)
        self.clients = Clients(settings=settings, core=core)
        self.app = build_app(settings=settings, core=core, client=self.clients.default,
                             installations=self.clients.installations)
        self.follow_ups = FollowUps(core=core)
        directory = Directory(chat=chat, core=core, settings=settings, client=self.clients.default, oauth=self.oauth)
        replies = Replies(core=core, clients=self.clients)
        self.home = Home(chat=chat, directory=directory, replies=replies, acks=self.follow_ups)
        self.home.register(self.app)
        for surface in (Commands, Events, Buttons, Forms):
            surface(chat=chat, directory=directory, replies=replies, acks=self.follow_ups).register(self.app)
        self.deliverer = SlackDeliverer(client_for=self.clients.for_delivery, core=core)
        signing_secret = secret(settings.slack_signing_secret)
        self.signatures = Signatures(signing_secret, core) if signing_secret else None
        self._socket: SocketMode | None = None

    # -- Platform protocol ---------------------------------------------------

    def it_channel(self) -> str | None:
        return self.settings.it_channel or None

    def mount(self, web_app: web.Application) -> None:
        web_app.on_startup.append(self.clients.open)
        web_app.on_cleanup.append(self.clients.close)
        if not self.socket_mode:
            web_app.router.add_post(EVENTS_PATH, self._events)
        if self.oauth:
            web_app.router.add_get(INSTALL_PATH, self._install)
            web_app.router.add_get(REDIRECT_PATH, self._redirect)

    async def start(self) -> None:
        self.clients.http()
        if self.socket_mode:
            self._socket = SocketMode(self.app, secret(self.settings.slack_app_token))
            await self._socket.connect()

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None
        await self.settle()
        await self.clients.close()

    async def settle(self) -> None:
        """Wait for the work started after acknowledgements, and work the queued requests (shutdown, tests)."""
        await self.follow_ups.settle()
        await InboundWorker(db=self.core.db, clock=self.core.clock, handlers={PLATFORM: self.work_on}).drain()
        await self.follow_ups.settle()

    async def work_on(self, row: InboundRequest) -> None:
        """A stored request, run by an inbound worker through its listener: bolt dispatches one stored as it
        came; one a listener stored runs its work directly."""
        if row.kind == AS_IT_CAME:
            await self.follow_ups.run_as_it_came(row, self.app.async_dispatch)
            return
        await self.follow_ups.run(row, self._client_for)

    async def _client_for(self, team_id: str | None, enterprise_id: str | None) -> AsyncWebClient:
        return await self.clients.for_team(team_id=team_id, enterprise_id=enterprise_id)

    async def publish_home(self, user_id: str, *, client: AsyncWebClient, body: dict[str, Any] | None = None) -> None:
        await self.home.publish(user_id, client=client, body=body)

    # -- HTTP ------------------------------------------------------------------

    async def _events(self, request: web.Request) -> web.Response:
        """Signature first, on the raw bytes; then the body's shape; then a command, a button or a shortcut is
        stored and acknowledged (bolt runs in the worker), anything else goes through bolt."""
        raw = await request.read()
        if self.signatures is None or not self.signatures.valid(raw, request.headers):
            if payloads.ssl_check(raw):
                return web.Response(status=200)  # Slack checking the certificate: nothing is read, nothing done
            log.warning("slack: refused a request without a valid signature")
            return web.Response(status=401)
        try:
            text, body = payloads.parse(raw, content_type=request.content_type)
            if self.follow_ups.takes_as_it_came(body):
                await self.follow_ups.store_as_it_came(body, text, content_type=request.content_type)
                return web.Response(status=200)
            bolt_request = payloads.bolt_request(text, query=request.query_string, headers=request.headers)
        except Malformed as exc:
            log.warning("slack: refused a signed request that cannot be read (%s)", exc)
            return web.Response(status=400)
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    async def _install(self, request: web.Request) -> web.Response:
        assert self.app.oauth_flow is not None  # routed only with OAuth
        return await to_aiohttp_response(await self.app.oauth_flow.handle_installation(await to_bolt_request(request)))

    async def _redirect(self, request: web.Request) -> web.Response:
        assert self.app.oauth_flow is not None  # routed only with OAuth
        return await to_aiohttp_response(await self.app.oauth_flow.handle_callback(await to_bolt_request(request)))
