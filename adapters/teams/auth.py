"""Bot Framework authentication, built from pmobot's settings.

Incoming: every request to ``/api/messages`` must carry a token that the Bot
Framework signed (keys from its OpenID metadata), for our app id, naming the
activity's service URL; anything else is refused with 401. Outgoing: calls to
the Bot Connector carry a token for our app, from Entra ID (client secret, or
a user-assigned managed identity).

The endpoints are the public cloud's unless told otherwise: tests point them
at local fakes, and a sovereign cloud would too. One code path serves both,
``botframework-connector``'s parameterized authentication, so what runs in
tests is what runs in production.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import Any, ClassVar

import msal
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    ManagedIdentityAppCredentials,
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
    UserTokenClient,
)
from msrest.authentication import Authentication

log = logging.getLogger(__name__)

SINGLE_TENANT = "singletenant"
MULTI_TENANT = "multitenant"
MANAGED_IDENTITY = "userassignedmsi"
APP_TYPES = {SINGLE_TENANT: "SingleTenant", MULTI_TENANT: "MultiTenant", MANAGED_IDENTITY: "UserAssignedMSI"}


@dataclass(frozen=True)
class Endpoints:
    """Where tokens come from and how incoming tokens are checked."""

    # Entra ID authority (the token endpoint's base); ``{tenant}`` is replaced.
    login_authority: str = "https://login.microsoftonline.com/{tenant}"
    # The audience of the tokens pmobot asks for (the Bot Connector service).
    oauth_scope: str = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
    # Who signs the tokens of incoming requests, and where its keys are published.
    channel_token_issuer: str = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
    openid_metadata_url: str = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    emulator_openid_metadata_url: str = AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL


@dataclass(frozen=True)
class Credentials:
    app_id: str | None
    password: str | None
    tenant_id: str | None
    app_type: str  # one of APP_TYPES' keys

    @property
    def disabled(self) -> bool:
        return not self.app_id


class _SecretCredentials(MicrosoftAppCredentials):
    """A client secret exchanged for a token with MSAL, the token cached across turns.

    The SDK's own class asks MSAL for instance discovery on hosts it does not
    know (a private cloud, a test) and builds a new MSAL client per turn; this
    one names the authority as configured and keeps one client per app.
    """

    _apps: ClassVar[dict[tuple[str, str], msal.ConfidentialClientApplication]] = {}
    _lock = threading.Lock()

    def __init__(self, app_id: str, password: str, authority: str, oauth_scope: str) -> None:
        super().__init__(app_id, password, oauth_scope=oauth_scope)
        self.oauth_endpoint = authority

    def _msal(self) -> msal.ConfidentialClientApplication:
        key = (self.microsoft_app_id, self.oauth_endpoint)
        with self._lock:
            app = self._apps.get(key)
            if app is None:
                app = msal.ConfidentialClientApplication(
                    client_id=self.microsoft_app_id, client_credential=self.microsoft_app_password,
                    authority=self.oauth_endpoint, instance_discovery=False,
                )
                self._apps[key] = app
            return app

    def get_access_token(self, force_refresh: bool = False) -> str:
        scope = self.oauth_scope if self.oauth_scope.endswith("/.default") else self.oauth_scope + "/.default"
        result = self._msal().acquire_token_for_client(scopes=[scope])
        if "access_token" in result:
            return str(result["access_token"])
        # The error code, never the secret, goes to the log.
        raise PermissionError(f"no Bot Framework token: {result.get('error', 'unknown error')}")


class CredentialsFactory(ServiceClientCredentialsFactory):
    """Outgoing credentials for pmobot's one app id."""

    def __init__(self, credentials: Credentials, endpoints: Endpoints) -> None:
        self.credentials = credentials
        self.endpoints = endpoints

    async def is_valid_app_id(self, app_id: str) -> bool:
        return bool(app_id) and app_id == self.credentials.app_id

    async def is_authentication_disabled(self) -> bool:
        return self.credentials.disabled

    def authority(self) -> str:
        c = self.credentials
        tenant = c.tenant_id if c.app_type == SINGLE_TENANT and c.tenant_id else \
            AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT
        return self.endpoints.login_authority.format(tenant=tenant)

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str,
                                 validate_authority: bool) -> Authentication:
        c = self.credentials
        if c.disabled:
            return MicrosoftAppCredentials.empty()
        if not await self.is_valid_app_id(app_id):
            raise PermissionError("a token was asked for another app id")
        scope = oauth_scope or self.endpoints.oauth_scope
        credentials: MicrosoftAppCredentials
        if c.app_type == MANAGED_IDENTITY:
            credentials = ManagedIdentityAppCredentials(app_id, scope)
        else:
            credentials = _SecretCredentials(app_id, c.password or "", self.authority(), scope)
        # The SDK asks for the token later with a blocking HTTP call on the event
        # loop, which would hold up every request of every platform meanwhile
        # (Slack's acknowledgements included). Fetched here in a thread, it is in
        # the client's cache when the SDK asks, so the SDK's call does no I/O.
        try:
            await asyncio.get_running_loop().run_in_executor(None, credentials.get_access_token)
        except Exception as exc:  # the SDK's own call will meet the same problem and report it
            log.warning("teams: no token fetched ahead (%s)", type(exc).__name__)
        return credentials


class TimedConnectors(ConnectorFactory):
    """Bot Connector clients whose every call gives up after ``timeout`` seconds (the SDK's own is 100)."""

    def __init__(self, inner: ConnectorFactory, timeout: float) -> None:
        self._inner = inner
        self.timeout = timeout

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        client = await self._inner.create(service_url, audience)
        client.config.connection.timeout = self.timeout
        return client


class StrictAuthentication(BotFrameworkAuthentication):
    """Every way an incoming token can be wrong ends as PermissionError (HTTP 401).

    The SDK lets some through as other errors (a bad signature, an unknown key
    id), which its aiohttp adapter would answer with 500.
    """

    def __init__(self, inner: BotFrameworkAuthentication, *, timeout: float = 10) -> None:
        self._inner = inner
        self.timeout = timeout

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        try:
            # The aiohttp adapter passes "" for a missing header; the SDK only reads None as "none given".
            result = await self._inner.authenticate_request(activity, auth_header or None)
            if result.connector_factory is not None:
                result.connector_factory = TimedConnectors(result.connector_factory, self.timeout)
            return result
        except PermissionError:
            raise
        except Exception as exc:  # jwt errors, a missing key, malformed headers
            # Logged once, by whoever answers 401 (TeamsPlatform), with this reason.
            raise PermissionError(f"invalid token ({type(exc).__name__})") from exc

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str,
    ) -> AuthenticateRequestResult:
        try:
            return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)
        except PermissionError:
            raise
        except Exception as exc:
            raise PermissionError("invalid token") from exc

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return TimedConnectors(self._inner.create_connector_factory(claims_identity), self.timeout)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return await self._inner.create_user_token_client(claims_identity)

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)


class _Configuration:
    """The attribute bag ConfigurationBotFrameworkAuthentication reads."""

    def __init__(self, credentials: Credentials, endpoints: Endpoints, authority: str) -> None:
        self.APP_ID = credentials.app_id
        self.APP_TYPE = APP_TYPES.get(credentials.app_type, "SingleTenant")
        self.APP_TENANTID = credentials.tenant_id
        self.VALIDATE_AUTHORITY = True
        self.TO_CHANNEL_FROM_BOT_LOGIN_URL = authority
        self.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = endpoints.oauth_scope
        self.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = endpoints.channel_token_issuer
        self.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = endpoints.openid_metadata_url
        self.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL = endpoints.emulator_openid_metadata_url
        self.CALLER_ID = CallerIdConstants.public_azure_channel


def build_authentication(credentials: Credentials, endpoints: Endpoints, *,
                         timeout: float = 10) -> BotFrameworkAuthentication:
    """``timeout``: seconds after which every call to the Bot Connector gives up."""
    factory = CredentialsFactory(credentials, endpoints)
    inner = ConfigurationBotFrameworkAuthentication(
        _Configuration(credentials, endpoints, factory.authority()), credentials_factory=factory)
    return StrictAuthentication(inner, timeout=timeout)
