"""The Teams platform for ``pmobot serve``: ``/api/messages``, the worker of its stored activities, the deliverer.

An invoke is worked within its request (its response is what Teams shows); any other activity is
stored and acknowledged, then worked by an inbound worker through ``work_on`` (``queue``).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from aiohttp import web
from botbuilder.core import TurnContext, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter

from pmobot.adapters.teams import payloads, queue
from pmobot.adapters.teams.auth import (
    APP_TYPES,
    MANAGED_IDENTITY,
    SINGLE_TENANT,
    Credentials,
    Endpoints,
    build_authentication,
)
from pmobot.adapters.teams.bot import PmoBot
from pmobot.adapters.teams.deliver import TeamsDeliverer
from pmobot.adapters.teams.references import PLATFORM
from pmobot.chat import Chat, PlatformTraits
from pmobot.config import Settings
from pmobot.domain.models_inbound import InboundRequest
from pmobot.payloads import Malformed, parse_json
from pmobot.platforms import ConfigurationError
from pmobot.services import inbox
from pmobot.services.core import Core
from pmobot.workers import InboundWorker

log = logging.getLogger(__name__)

ROUTE = "/api/messages"

INSECURE_WARNING = (
    "WARNING: Teams runs WITHOUT authentication (--teams-insecure-local): anyone who can reach "
    "{route} can talk to pmobot as anyone. Use it only on your own machine with the Bot Framework "
    "Emulator; set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD for anything else."
)


def credentials_from(settings: Settings, *, insecure_local: bool) -> Credentials:
    """The app's credentials, or ConfigurationError naming what is missing."""
    app_type = (settings.microsoft_app_type or "SingleTenant").replace("-", "").replace("_", "").lower()
    if app_type not in APP_TYPES:
        raise ConfigurationError(
            f"MICROSOFT_APP_TYPE must be one of {', '.join(APP_TYPES.values())} (got {settings.microsoft_app_type!r})")
    app_id = settings.microsoft_app_id or None
    password = settings.microsoft_app_password.get_secret_value() if settings.microsoft_app_password else None
    tenant = settings.microsoft_app_tenant_id or None
    if not app_id:
        if insecure_local:
            return Credentials(app_id=None, password=None, tenant_id=None, app_type=app_type)
        raise ConfigurationError(
            "MICROSOFT_APP_ID is not set: without it anyone could talk to the Teams bot. Set MICROSOFT_APP_ID "
            "(and MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID), or pass --teams-insecure-local on your own machine")
    if app_type != MANAGED_IDENTITY and not password:
        raise ConfigurationError("MICROSOFT_APP_PASSWORD is not set: the Teams bot needs its client secret "
                                 "(or MICROSOFT_APP_TYPE=UserAssignedMSI)")
    if app_type in (SINGLE_TENANT, MANAGED_IDENTITY) and not tenant:
        raise ConfigurationError(
            f"MICROSOFT_APP_TENANT_ID is not set: a {APP_TYPES[app_type]} Teams bot needs its Entra tenant id")
    return Credentials(app_id=app_id, password=password, tenant_id=tenant, app_type=app_type)


class TeamsPlatform:
    name = PLATFORM
    # A card can carry a whole form in answer to anything, a typed "/pmo new" included.
    traits = PlatformTraits(forms=True, forms_in_messages=True)

    def __init__(self, *, chat: Chat, core: Core, settings: Settings, credentials: Credentials,
                 endpoints: Endpoints) -> None:
        self.chat = chat
        self.core = core
        self.settings = settings
        self.credentials = credentials
        self.adapter = CloudAdapter(build_authentication(credentials, endpoints,
                                                         timeout=settings.api_timeout_seconds))
        self.adapter.on_turn_error = self._on_turn_error
        self.bot = PmoBot(chat=chat)
        self.deliverer = TeamsDeliverer(adapter=self.adapter, app_id=credentials.app_id, core=core,
                                        timeout=settings.api_timeout_seconds)
        # The Bot Framework's hosts; with endpoints other than the public cloud's (a test, a private
        # cloud), theirs too; loopback for the Emulator when Teams runs without authentication.
        configured = payloads.hosts_of(endpoints.login_authority, endpoints.openid_metadata_url) \
            if endpoints != Endpoints() else []
        self.service_urls = payloads.ServiceUrls([*settings.teams_service_hosts.split(","), *configured],
                                                 loopback=credentials.disabled)

    @classmethod
    def create(cls, *, chat: Chat, core: Core, settings: Settings, insecure_local: bool = False,
               endpoints: Endpoints | None = None) -> TeamsPlatform:
        """The platform, or ConfigurationError when it could not run safely.

        ``endpoints`` replaces the public cloud's token and key endpoints (tests, sovereign clouds).
        """
        credentials = credentials_from(settings, insecure_local=insecure_local)
        if credentials.disabled:
            message = INSECURE_WARNING.format(route=ROUTE)
            log.warning(message)
            print(message, file=sys.stderr, flush=True)
        return cls(chat=chat, core=core, settings=settings, credentials=credentials, endpoints=endpoints or Endpoints())

    def it_channel(self) -> str | None:
        return self.settings.teams_it_channel or None

    def mount(self, web_app: web.Application) -> None:
        web_app.router.add_post(ROUTE, self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The token first, then the activity's shape, then where its replies would go (``payloads``)."""
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415)
        header = request.headers.get("Authorization", "")
        if not self.credentials.disabled and not header.startswith("Bearer "):
            log.warning("teams: refused a request without a bearer token")
            return web.Response(status=401)
        raw = await request.read()
        value: object = None
        unreadable: Malformed | None = None
        try:
            value = parse_json(raw)
        except Malformed as exc:
            unreadable = exc
        try:
            authenticated = await self.adapter.bot_framework_authentication.authenticate_request(
                payloads.probe(value), header)
        except PermissionError as exc:
            log.warning("teams: refused a request without a valid token (%.100s)", exc)
            return web.Response(status=401)
        try:
            if unreadable is not None:
                raise unreadable
            activity = payloads.activity(value)
        except Malformed as exc:
            log.warning("teams: refused an authenticated request that cannot be read (%s)", exc)
            return web.Response(status=400)
        if not self.service_urls.allows(activity.service_url):
            log.warning("teams: refused an activity whose replies would go to %s",
                        payloads.ServiceUrls.host(activity.service_url))
            return web.Response(status=400)
        if not queue.answered_in_request(activity):
            # Committed before the answer: a crash after it loses nothing (a failure here is a 500: Teams retries).
            assert isinstance(value, dict)  # payloads.activity read it as one
            await queue.store(self.core, value=value, activity=activity, authenticated=authenticated)
            return web.Response(status=202)
        invoke = await self.adapter.process_activity(authenticated, activity, self.bot.on_turn)
        if invoke is not None:
            return web.json_response(data=serializer_helper(invoke.body), status=invoke.status)
        return web.Response(status=201)

    async def work_on(self, row: InboundRequest) -> None:
        """A stored activity, run by an inbound worker as the turn it came in as."""
        try:
            authenticated, activity = queue.restore(row, self.adapter.bot_framework_authentication)
        except Malformed as exc:  # read when it was stored: only a row written by something else
            log.warning("teams: a stored activity that cannot be read is dropped (%s)", exc)
            return
        await self.adapter.process_activity(authenticated, activity, self.bot.on_turn)

    async def settle(self) -> None:
        """Work the stored activities now (tests, shutdown)."""
        await InboundWorker(db=self.core.db, clock=self.core.clock, handlers={PLATFORM: self.work_on}).drain()

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        if inbox.in_worker():
            raise error  # the inbound worker tries the activity again later, or gives it up and says so
        # Chat already answers its own failures politely; this is for the adapter's.
        log.error("Teams turn failed: %s", error, exc_info=(type(error), error, error.__traceback__))

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def describe(self) -> dict[str, Any]:
        return {"route": ROUTE, "authenticated": not self.credentials.disabled}
