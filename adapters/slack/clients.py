"""Slack configuration and clients: the settings checked, the bolt app built, the Web API clients chosen.

- ``check``: refuses to start Slack without a way to tell Slack's requests from
  forged ones, or without a token (one workspace) or OAuth credentials (several).
- ``Signatures``: Slack's signature checked on the raw body, on pmobot's clock,
  before bolt reads a byte of it;
- ``build_app``: bolt's ``AsyncApp`` with, with OAuth, installations and states in the database.
- ``Clients``: one HTTP session for the Web API and response URLs, and the
  client to post with (the bot token, or the installing workspace's). Every
  call through it gives up after ``api_timeout_seconds`` (the SDK's own
  timeout applies only to sessions it creates, not to one it is handed).
- ``SocketMode``: the Socket Mode connection, when SLACK_APP_TOKEN is set.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from pydantic import SecretStr
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from pmobot.adapters.slack.manifest import bot_scopes
from pmobot.adapters.slack.stores import DatabaseInstallationStore, DatabaseStateStore
from pmobot.config import Settings
from pmobot.platforms import ConfigurationError
from pmobot.scheduler import Delivery, RetryLater
from pmobot.services import addresses
from pmobot.services.core import Core

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

log = logging.getLogger(__name__)

PLATFORM = "slack"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# What a call to Slack can fail with: Slack's refusal, the network, or the time limit.
CALL_FAILED = (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError, OSError)
# A signed request older (or further ahead) than this is refused, as Slack advises.
SIGNATURE_MAX_AGE = 300
# X-Slack-Request-Timestamp: seconds since the epoch, digits only.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def check(settings: Settings) -> None:
    """ConfigurationError naming the missing setting, when Slack could not run safely."""
    socket_mode = settings.slack_app_token is not None
    oauth = bool(settings.slack_client_id or settings.slack_client_secret)
    if not socket_mode and not secret(settings.slack_signing_secret):
        raise ConfigurationError(
            "Slack is switched on but SLACK_SIGNING_SECRET is not set: without it pmobot cannot tell Slack's "
            "requests from forged ones. Copy it from your app's Basic Information page, "
            "or set SLACK_APP_TOKEN to use Socket Mode.")
    if oauth and not (settings.slack_client_id and secret(settings.slack_client_secret)):
        missing = "SLACK_CLIENT_SECRET" if settings.slack_client_id else "SLACK_CLIENT_ID"
        raise ConfigurationError(f"Slack OAuth needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: {missing} is not set.")
    if not oauth and not secret(settings.slack_bot_token):
        raise ConfigurationError(
            "Slack needs SLACK_BOT_TOKEN (one workspace), or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "(installable in several workspaces).")


def uses_oauth(settings: Settings) -> bool:
    return bool(settings.slack_client_id and settings.slack_client_secret)


class _DropTokenUnused(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


class Signatures:
    """Slack's signature over the raw bytes of a request, checked on pmobot's clock (frozen in tests)
    before anything reads the body: a request that is not Slack's costs one HMAC and gets 401.

    The HMAC is taken over the bytes as received, so a body that is not even UTF-8 is refused
    as forged (401) or, when signed, as unreadable (400), never with a server error.
    """

    def __init__(self, signing_secret: str, core: Core) -> None:
        self._secret = signing_secret.encode()
        self.core = core

    def valid(self, body: bytes, headers: Mapping[str, str]) -> bool:
        timestamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        if not _TIMESTAMP.fullmatch(timestamp) or not signature:
            return False
        if abs(self.core.now().timestamp() - int(timestamp)) > SIGNATURE_MAX_AGE:
            return False
        expected = "v0=" + hmac.new(self._secret, b"v0:" + timestamp.encode() + b":" + body,
                                    hashlib.sha256).hexdigest()
        # Header values may hold any character: compared as bytes, which compare_digest always accepts.
        return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "surrogateescape"))


def build_app(*, settings: Settings, core: Core, client: AsyncWebClient,
              installations: DatabaseInstallationStore | None) -> AsyncApp:
    """bolt's app, with no listener yet; ``installations`` is set when pmobot is installed with OAuth."""
    signing_secret = secret(settings.slack_signing_secret)
    oauth_settings = None
    if installations is not None:
        oauth_settings = AsyncOAuthSettings(
            client_id=installations.client_id, client_secret=secret(settings.slack_client_secret),
            scopes=list(bot_scopes()), installation_store=installations,
            state_store=DatabaseStateStore(core=core), install_path=INSTALL_PATH, redirect_uri_path=REDIRECT_PATH,
        )
    # Bolt reads SLACK_BOT_TOKEN by itself and warns that the client's (the same
    # token) wins: true and harmless, so that one warning is not shown at start.
    bolt_log = logging.getLogger("slack_bolt.AsyncApp")
    quiet = _DropTokenUnused()
    bolt_log.addFilter(quiet)
    try:
        app = AsyncApp(
            name="pmobot", client=client, signing_secret=signing_secret or "socket-mode",
            # Listeners run before the HTTP response; each one acks first and leaves slow work to a task.
            process_before_response=True,
            # Checked before bolt sees the request (Signatures, in SlackPlatform); Socket Mode needs none.
            request_verification_enabled=False,
            oauth_settings=oauth_settings, installation_store=installations,
            # A request no listener takes goes to _failed (a short line) rather than bolt's log of its body.
            raise_error_for_unhandled_request=True,
        )
    finally:
        bolt_log.removeFilter(quiet)
    app.error(_failed)
    return app


async def _failed(error: Exception, body: dict[str, Any]) -> None:
    """What bolt could not hand to a listener, or a listener that raised: logged once, never with the body."""
    if isinstance(error, BoltUnhandledRequestError):
        # Answered 404, as bolt does: a request of a kind pmobot does not subscribe to.
        log.warning("slack: no listener for a request of type %.40r", body.get("type") or body.get("command"))
        return
    log.error("slack: a listener failed (%s)", type(error).__name__, exc_info=error)


class Clients:
    """The Web API clients, sharing one HTTP session (connections reused) that the web app opens and closes."""

    def __init__(self, *, settings: Settings, core: Core) -> None:
        self.core = core
        self.bot_token = secret(settings.slack_bot_token)
        self.api_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
        # Every call gives up after this long (the outbox retries later).
        self.timeout = settings.api_timeout_seconds
        # No retry inside the client: the outbox retries, with backoff, from the database.
        self.default = AsyncWebClient(token=self.bot_token, base_url=self.api_url, retry_handlers=[],
                                      timeout=max(1, round(self.timeout)))
        self.installations = (DatabaseInstallationStore(core=core, client_id=settings.slack_client_id or "")
                              if uses_oauth(settings) else None)
        self._by_token: dict[str, AsyncWebClient] = {}
        self._session: aiohttp.ClientSession | None = None

    def http(self) -> aiohttp.ClientSession:
        """The one HTTP session, opened on first use (again after a close)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            self.default.session = self._session
            for client in self._by_token.values():
                client.session = self._session
        return self._session

    async def open(self, _app: web.Application | None = None) -> None:
        self.http()

    async def close(self, _app: web.Application | None = None) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
        self.default.session = None

    async def for_team(self, *, team_id: str | None, enterprise_id: str | None) -> AsyncWebClient:
        """The client of the workspace a stored request came from (the bot token's, without OAuth)."""
        self.http()
        if self.bot_token or self.installations is None:
            return self.default
        bot = await self.installations.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        token = bot.bot_token if bot else None
        if not token:
            raise RetryLater(f"slack: no installation for team {team_id}")
        return self._client(token)

    def _client(self, token: str) -> AsyncWebClient:
        if token not in self._by_token:
            self._by_token[token] = AsyncWebClient(token=token, base_url=self.api_url, retry_handlers=[],
                                                   timeout=max(1, round(self.timeout)), session=self.http())
        return self._by_token[token]

    async def for_delivery(self, delivery: Delivery) -> AsyncWebClient:
        """The bot token's client; with OAuth, the client of the workspace the target person is in."""
        self.http()  # the session that carries the timeout, whoever sends first
        if self.bot_token or self.installations is None:
            return self.default
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
        return self._client(token)


class SocketMode:
    """The Socket Mode connection (no public HTTP endpoint), when SLACK_APP_TOKEN is set."""

    def __init__(self, app: AsyncApp, app_token: str | None) -> None:
        self.app = app
        self.app_token = app_token
        self.handler: AsyncSocketModeHandler | None = None

    async def connect(self) -> None:
        # Imported here: most deployments receive HTTP requests and never load the Socket Mode client.
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        self.handler = AsyncSocketModeHandler(self.app, self.app_token)
        await self.handler.connect_async()
        log.info("slack: connected in Socket Mode")

    async def close(self) -> None:
        if self.handler is not None:
            await self.handler.close_async()
            self.handler = None
