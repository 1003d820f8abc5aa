"""Switching Teams on: what `pmobot serve` refuses, what it says, and the insecure local mode."""

from __future__ import annotations

import pytest
from aiohttp import web
from support.teams import APP_ID, TENANT, TeamsHarness
from support.teams_flows import ALICE

from pmobot.adapters.teams import TeamsPlatform
from pmobot.adapters.teams.auth import MANAGED_IDENTITY, SINGLE_TENANT, CredentialsFactory
from pmobot.adapters.teams.deliver import LIMITS, translate_error
from pmobot.app import attach_platforms
from pmobot.config import Settings
from pmobot.platforms import ConfigurationError
from pmobot.scheduler import DeliveryFailed, RateLimit, RetryLater, Unreachable
from pmobot.server import build_web_app


def _settings(database_url: str, **values: object) -> Settings:
    return Settings(_env_file=None, database_url=database_url, **values)


@pytest.mark.parametrize(("values", "named"), [
    ({}, "MICROSOFT_APP_ID"),
    ({"microsoft_app_id": APP_ID}, "MICROSOFT_APP_PASSWORD"),
    ({"microsoft_app_id": APP_ID, "microsoft_app_password": "s"}, "MICROSOFT_APP_TENANT_ID"),
    ({"microsoft_app_id": APP_ID, "microsoft_app_type": "UserAssignedMSI"}, "MICROSOFT_APP_TENANT_ID"),
    ({"microsoft_app_id": APP_ID, "microsoft_app_password": "s", "microsoft_app_type": "Anything"},
     "MICROSOFT_APP_TYPE"),
])
async def test_teams_is_refused_without_what_it_needs(app, values: dict, named: str) -> None:  # type: ignore[no-untyped-def]
    settings = _settings(app.settings.database_url, **values)
    with pytest.raises(ConfigurationError, match=named):
        TeamsPlatform.create(chat=app.chat, core=app.core, settings=settings)


async def test_attach_platforms_refuses_teams_without_a_password(app) -> None:  # type: ignore[no-untyped-def]
    app.settings = _settings(app.settings.database_url, microsoft_app_id=APP_ID)
    with pytest.raises(ConfigurationError, match="MICROSOFT_APP_PASSWORD"):
        attach_platforms(app)


async def test_single_tenant_and_managed_identity_are_accepted(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from botframework.connector.auth import ManagedIdentityAppCredentials

    # No Azure instance here to hand out a managed identity's token.
    monkeypatch.setattr(ManagedIdentityAppCredentials, "get_access_token", lambda self, force_refresh=False: "t")
    single = TeamsPlatform.create(chat=app.chat, core=app.core, settings=_settings(
        app.settings.database_url, microsoft_app_id=APP_ID, microsoft_app_password="s", microsoft_app_tenant_id=TENANT))
    assert single.credentials.app_type == SINGLE_TENANT and single.describe()["authenticated"]
    msi = TeamsPlatform.create(chat=app.chat, core=app.core, settings=_settings(
        app.settings.database_url, microsoft_app_id=APP_ID, microsoft_app_type="UserAssignedMSI",
        microsoft_app_tenant_id=TENANT))
    assert msi.credentials.app_type == MANAGED_IDENTITY
    credentials = await CredentialsFactory(msi.credentials, single_endpoints()).create_credentials(
        APP_ID, "https://api.botframework.com", "", True)
    assert type(credentials).__name__ == "ManagedIdentityAppCredentials"
    # The secret is read for the token exchange only, never shown.
    assert repr(single.settings.microsoft_app_password) != "s" and "**" in repr(single.settings.microsoft_app_password)


def single_endpoints():  # type: ignore[no-untyped-def]
    from pmobot.adapters.teams.auth import Endpoints

    return Endpoints()


def test_the_single_tenant_authority_is_the_tenant() -> None:
    from pmobot.adapters.teams.auth import Credentials, Endpoints

    factory = CredentialsFactory(Credentials(APP_ID, "s", TENANT, SINGLE_TENANT), Endpoints())
    assert factory.authority() == f"https://login.microsoftonline.com/{TENANT}"
    multi = CredentialsFactory(Credentials(APP_ID, "s", None, "multitenant"), Endpoints())
    assert multi.authority() == "https://login.microsoftonline.com/botframework.com"


async def test_insecure_local_mode_says_so_loudly_and_accepts_anyone(app, fake, clock, capsys) -> None:  # type: ignore[no-untyped-def]
    settings = _settings(app.settings.database_url)
    attached = attach_platforms(app, teams_insecure_local=True)
    assert [p.name for p in attached] == ["teams"]
    assert "WITHOUT authentication" in capsys.readouterr().err
    harness = TeamsHarness(fake=fake, settings=settings, clock=clock)
    harness.app = app
    runner = web.AppRunner(build_web_app(db=app.db, platforms=attached))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        import aiohttp

        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        async with aiohttp.ClientSession() as session:
            activity = harness.personal(ALICE, "aide")
            async with session.post(f"http://127.0.0.1:{port}/api/messages", json=activity) as response:
                # No token, yet accepted: exactly what the warning says.
                assert response.status == 202
            harness.platform = attached[0]
            assert await harness.work() == 1  # worked after the answer, its reply sent without a token
            async with session.post(f"http://127.0.0.1:{port}/api/messages", data="x",
                                    headers={"Content-Type": "text/plain"}) as response:
                assert response.status == 415
    finally:
        await runner.cleanup()
    # The reply went out without a token (the Emulator takes it; the real Bot Connector would not).
    assert [c.authorization for c in fake.refused if ALICE.chat in c.path and c.method == "POST"] == [""]


def test_teams_pace_is_the_documented_one() -> None:
    # Per bot and conversation, and per app and tenant (https://learn.microsoft.com/microsoftteams/platform/
    # bots/how-to/rate-limit).
    assert (RateLimit(7, 1.0), RateLimit(8, 2.0), RateLimit(60, 30.0), RateLimit(50, 1.0, per="platform")) == LIMITS


class _Response:
    def __init__(self, status: int, body: str = "", headers: dict | None = None) -> None:
        self.status_code, self._body, self.headers = status, body, headers or {}

    def text(self) -> str:
        return self._body


class _Failed(Exception):
    def __init__(self, response: _Response) -> None:
        super().__init__("failed")
        self.response = response


@pytest.mark.parametrize(("status", "code", "kind", "expected"), [
    (429, "", "person", RetryLater), (412, "", "channel", RetryLater), (502, "", "person", RetryLater),
    (504, "", "channel", RetryLater), (403, "MessageWritesBlocked", "person", Unreachable),
    (403, "ConversationBlockedByUser", "person", Unreachable), (403, "MessageWritesBlocked", "channel", DeliveryFailed),
    (404, "ConversationNotFound", "person", DeliveryFailed), (400, "BadArgument", "channel", DeliveryFailed),
])
def test_teams_answers_become_outbox_outcomes(status: int, code: str, kind: str, expected: type) -> None:
    body = f'{{"error": {{"code": "{code}", "message": "m"}}}}' if code else ""
    outcome = translate_error(_Failed(_Response(status, body)), target_kind=kind)
    assert type(outcome) is expected
    assert str(status) in str(outcome)


def test_retry_after_is_passed_on_and_network_errors_are_retried() -> None:
    outcome = translate_error(_Failed(_Response(429, "", {"Retry-After": "12"})), target_kind="person")
    assert isinstance(outcome, RetryLater) and outcome.retry_after == 12
    assert isinstance(translate_error(ConnectionError("reset"), target_kind="person"), RetryLater)


async def test_the_token_is_fetched_off_the_event_loop_before_the_sdk_asks(fake) -> None:  # type: ignore[no-untyped-def]
    from support.teams import APP_SECRET

    from pmobot.adapters.teams.auth import Credentials

    factory = CredentialsFactory(Credentials(APP_ID, APP_SECRET, TENANT, SINGLE_TENANT), fake.endpoints)
    before = len(fake.token_requests)
    credentials = await factory.create_credentials(APP_ID, "https://api.botframework.com", "", True)
    assert len(fake.token_requests) == before + 1  # fetched in a thread, ahead
    # The SDK's own, blocking call then finds it cached: no request on the event loop.
    assert credentials.get_access_token()
    assert len(fake.token_requests) == before + 1
