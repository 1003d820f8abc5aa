"""Fixtures for the platform tests: pmobot served to a fake Slack and to fake Microsoft
services, each with its own database. They live here, above slack/ and teams/, because the
cross-platform tests need both."""

from __future__ import annotations

import pytest
from support.cross import SLACK_IT, SLACK_PEOPLE, Both
from support.slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, serving, slack_user
from support.teams import APP_ID, APP_SECRET, TENANT, FakeMicrosoft, TeamsHarness, connector_errors

from pmobot.config import Settings


@pytest.fixture
async def fake_slack():  # type: ignore[no-untyped-def]
    fake = FakeSlack()
    await fake.start()
    fake.users.update({
        "UALICE": slack_user("UALICE", "Alice Martin", "fr-FR"),
        "UBOB": slack_user("UBOB", "Bob Smith", "en-US"),
        "UDAN": slack_user("UDAN", "Dan Dupont", "fr-FR"),
        "UCARLA": slack_user("UCARLA", "Carla Rossi", "en-GB"),
    })
    return fake


@pytest.fixture
def slack_settings(database_url: str, fake_slack: FakeSlack) -> Settings:
    return Settings(_env_file=None, database_url=database_url, default_locale="fr", admins="UDAN",
                    it_channel="C0IT", slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                    slack_api_url=fake_slack.api_url)


@pytest.fixture
async def slack(slack_settings, fake_slack, clock):  # type: ignore[no-untyped-def]
    async with serving(slack_settings, fake=fake_slack, clock=clock) as harness:
        yield harness


@pytest.fixture
def fake(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    server = FakeMicrosoft(tmp_path)
    server.start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.cert_path))
    yield server
    server.stop()


@pytest.fixture
def teams_settings(database_url: str) -> Settings:
    return Settings(_env_file=None, database_url=database_url, default_locale="fr", admins="aad-dan,dan",
                    microsoft_app_id=APP_ID, microsoft_app_password=APP_SECRET, microsoft_app_tenant_id=TENANT)


@pytest.fixture
async def teams(fake, teams_settings, clock):  # type: ignore[no-untyped-def]
    harness = await TeamsHarness(fake=fake, settings=teams_settings, clock=clock).start()
    yield harness
    await harness.stop()


@pytest.fixture
async def both(fake, database_url, clock):  # type: ignore[no-untyped-def]
    slack_fake = FakeSlack()
    await slack_fake.start()
    slack_fake.users.update(SLACK_PEOPLE)
    settings = Settings(
        _env_file=None, database_url=database_url, default_locale="fr", admins="UDAN,aad-dan",
        it_channel=SLACK_IT, slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack_fake.api_url,
        microsoft_app_id=APP_ID, microsoft_app_password=APP_SECRET, microsoft_app_tenant_id=TENANT,
    )
    # The server pmobot serve builds: attach_platforms switches both on from the settings.
    async with serving(settings, fake=slack_fake, clock=clock, teams_endpoints=fake.endpoints) as slack:
        assert [p.name for p in slack.platforms] == ["slack", "teams"]
        teams = TeamsHarness.beside(fake=fake, app=slack.app, platforms=slack.platforms,
                                    base_url=str(slack.client.make_url("/")), clock=clock)
        try:
            yield Both(slack=slack, teams=teams, microsoft=fake)
        finally:
            await teams.stop()
    # (serving has failed the test if Slack would have refused a call.) What Teams would refuse:
    assert [p for call in fake.sent() for p in connector_errors(call)] == []
    assert fake.refused == []
