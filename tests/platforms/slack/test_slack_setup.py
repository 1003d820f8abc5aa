"""Setting Slack up: the manifest, what `pmobot serve` refuses, OAuth installs in the database."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from sqlmodel import select
from support.slack import REFS, SIGNING_SECRET, FakeSlack, SlackHarness, serving, slack_user

from pmobot.adapters.slack import SlackPlatform
from pmobot.adapters.slack.manifest import bot_scopes, render_manifest
from pmobot.app import attach_platforms, create_app
from pmobot.cli import main
from pmobot.config import Settings
from pmobot.domain.models import SlackInstallation, SlackOAuthState
from pmobot.messages import Notice
from pmobot.platforms import ConfigurationError
from pmobot.scheduler import Delivery

MANIFEST_V1 = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.1.0.0.json"
MANIFEST_V2 = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.2.0.0.json"


def manifest_validator() -> Draft7Validator:
    """Slack's own router schema, its two versions served from tests/refs (no network)."""
    folder = REFS / "app_manifest"
    registry = Registry().with_resources([
        (MANIFEST_V1, Resource.from_contents(json.loads((folder / "manifest.schema.1.0.0.json").read_text()))),
        (MANIFEST_V2, Resource.from_contents(json.loads((folder / "manifest.schema.2.0.0.json").read_text()))),
    ])
    return Draft7Validator(json.loads((REFS / "app_manifest.schema.json").read_text()), registry=registry)


def test_the_schema_check_can_fail() -> None:
    validator = manifest_validator()
    invalid = json.loads((REFS / "app_manifest" / "examples" / "v1.manifest.invalid.json").read_text())
    valid = json.loads((REFS / "app_manifest" / "examples" / "v1.manifest.valid.json").read_text())
    assert list(validator.iter_errors(invalid)) and not list(validator.iter_errors(valid))


def test_manifest_is_valid_with_urls_filled_in() -> None:
    text = render_manifest(url="https://pmobot.example.org/")
    data = yaml.safe_load(text)
    errors = [f"{list(e.path)}: {e.message}" for e in manifest_validator().iter_errors(data)]
    assert errors == []
    assert "__PMOBOT_URL__" not in text
    assert data["features"]["slash_commands"][0]["url"] == "https://pmobot.example.org/slack/events"
    assert data["settings"]["interactivity"]["request_url"] == "https://pmobot.example.org/slack/events"
    assert data["settings"]["event_subscriptions"]["request_url"] == "https://pmobot.example.org/slack/events"
    assert data["oauth_config"]["redirect_urls"] == ["https://pmobot.example.org/slack/oauth_redirect"]
    bot_events = set(data["settings"]["event_subscriptions"]["bot_events"])
    assert bot_events == {"app_home_opened", "app_mention", "message.im"}
    assert {s["callback_id"] for s in data["features"]["shortcuts"]} == {"pmobot.new_need", "pmobot.turn_into_need"}
    assert data["features"]["app_home"]["home_tab_enabled"] is True


def test_every_scope_is_justified_by_a_comment() -> None:
    text = render_manifest(url="https://x.example")
    lines = text.splitlines()
    for scope in bot_scopes():
        index = next(i for i, line in enumerate(lines) if line.strip() == f"- {scope}")
        above = lines[index - 1].strip()
        assert above.startswith("#") or lines[index - 2].strip().startswith("#"), scope
    assert set(bot_scopes()) == {"commands", "chat:write", "im:history", "app_mentions:read", "users:read",
                                 "users:read.email", "channels:read", "groups:read", "files:write"}


@pytest.mark.parametrize("url", ["pmobot.example.org", "ftp://x.example", "https://x.example/?a=1"])
def test_manifest_refuses_a_bad_url(url: str) -> None:
    with pytest.raises(ValueError):
        render_manifest(url=url)


def test_cli_prints_the_manifest(capsys, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert main(["manifest", "slack", "--url", "https://bot.example.org"]) == 0
    assert "https://bot.example.org/slack/events" in capsys.readouterr().out


def test_serve_refuses_without_signing_secret(capsys, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET",
                 "MICROSOFT_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PMOBOT_DATABASE_URL", f"sqlite:///{tmp_path}/serve.db")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["serve", "--host", "127.0.0.1", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_SIGNING_SECRET" in err and "xoxb-1" not in err


def _settings(tmp_path, **overrides) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/s.db", **overrides)


def test_create_names_what_is_missing(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    cases = [
        ({"slack_bot_token": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"slack_signing_secret": "s"}, "SLACK_BOT_TOKEN"),
        ({"slack_client_id": "1.2", "slack_signing_secret": "s"}, "SLACK_CLIENT_SECRET"),
    ]
    for overrides, variable in cases:
        app = create_app(_settings(tmp_path, **overrides), clock=clock)
        with pytest.raises(ConfigurationError, match=variable):
            attach_platforms(app)
    # Socket Mode needs no signing secret (no public HTTP endpoint).
    app = create_app(_settings(tmp_path, slack_bot_token="xoxb-1", slack_app_token="xapp-1"), clock=clock)
    platform = SlackPlatform.create(chat=app.chat, core=app.core, settings=app.settings)
    assert platform.socket_mode


@pytest.fixture
async def oauth(database_url, clock):  # type: ignore[no-untyped-def]
    fake = FakeSlack()
    await fake.start()
    fake.users["UINSTALL"] = slack_user("UINSTALL", "Ines Stall", "en-US")
    settings = Settings(_env_file=None, database_url=database_url, default_locale="fr", it_channel="C0IT",
                        slack_client_id="111.222", slack_client_secret="client-secret",
                        slack_signing_secret=SIGNING_SECRET, slack_api_url=fake.api_url)
    async with serving(settings, fake=fake, clock=clock) as harness:
        yield harness


async def test_oauth_install_stores_the_workspace_in_the_database(oauth: SlackHarness) -> None:
    page = await oauth.client.get("/slack/install", allow_redirects=False)
    assert page.status in (200, 302)
    html = await page.text()
    link = re.search(r'href="(https://slack.com/oauth[^"]+)"', html)
    target = page.headers.get("Location") or link.group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(target).query)
    assert query["client_id"] == ["111.222"] and "chat:write" in query["scope"][0]
    state = query["state"][0]
    async with oauth.app.db.session() as session:
        assert (await session.get(SlackOAuthState, state)) is not None

    # The browser sends back the state cookie set on the install page (Secure: over HTTPS in real life).
    cookie = {"Cookie": f"slack-app-oauth-state={state}"}
    done = await oauth.client.get(f"/slack/oauth_redirect?code=the-code&state={state}", headers=cookie)
    assert done.status == 200
    access = oauth.fake.of("oauth.v2.access")
    assert access and access[0]["code"] == "the-code"
    async with oauth.app.db.session() as session:
        rows = (await session.exec(select(SlackInstallation))).all()
        assert len(rows) == 1 and rows[0].team_id == "T0NEW" and rows[0].data["bot_token"] == "xoxb-installed"
        assert (await session.get(SlackOAuthState, state)) is None  # a state is good once

    # The state cannot be replayed.
    again = await oauth.client.get(f"/slack/oauth_redirect?code=the-code&state={state}", headers=cookie)
    assert again.status >= 400

    # A request from that workspace is authorised with the stored token, and answered.
    from support.slack import slash_body

    body = slash_body(user="UINSTALL", text="help", response_url=oauth.fake.hook_url()).replace(
        "team_id=T0PMO", "team_id=T0NEW")
    response = await oauth.send(body)
    assert response.status == 200
    await oauth.settle()
    assert "new" in oauth.fake.of("response_url")[-1]["text"]
    assert {c["_token"] for c in oauth.fake.of("users.info")} == {"xoxb-installed"}

    # The outbox posts to that person with their workspace's token.
    platform_id = await oauth.platform.deliverer.deliver(
        Delivery(key="k", target_kind="person", target="UINSTALL", message=Notice("Hello <!here>")))
    assert platform_id and oauth.fake.of("chat.postMessage")[-1]["_token"] == "xoxb-installed"


async def test_a_request_from_an_unknown_workspace_is_not_served(oauth: SlackHarness) -> None:
    from support.slack import slash_body

    response = await oauth.send(slash_body(user="UX", text="help", response_url=oauth.fake.hook_url()))
    await oauth.settle()
    assert oauth.fake.of("users.info") == []  # pmobot never saw it: bolt stopped it before any listener
    assert response.status == 200
    assert all("reinstall" in r["text"] for r in oauth.fake.of("response_url"))  # bolt's own polite message


async def test_socket_mode_receives_and_acknowledges(database_url, clock) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from support.slack import BOT_TOKEN, load_payload, slash_body

    fake = FakeSlack()
    await fake.start()
    fake.users["UALICE"] = slack_user("UALICE", "Alice Martin", "fr-FR")
    envelope = load_payload("socket_mode_envelope.slash_commands.json")
    envelope["payload"].update({"team_id": "T0PMO", "user_id": "UALICE", "user_name": "alice", "command": "/pmo",
                                "text": "aide", "channel_id": "C0GEN", "response_url": fake.hook_url("socket")})
    fake.envelopes.append(envelope)
    settings = Settings(_env_file=None, database_url=database_url, default_locale="fr", it_channel="C0IT",
                        slack_bot_token=BOT_TOKEN, slack_app_token="xapp-1-test", slack_api_url=fake.api_url)
    async with serving(settings, fake=fake, clock=clock) as slack:
        assert slack.platform.socket_mode
        # No HTTP endpoint in Socket Mode: nothing to forge.
        assert (await slack.client.post("/slack/events", data=slash_body(
            user="UALICE", text="aide", response_url=fake.hook_url()))).status == 404
        await slack.platform.start()
        await asyncio.wait_for(fake.all_acked.wait(), timeout=10)
        assert fake.acks[0]["envelope_id"] == envelope["envelope_id"]
        await slack.settle()
        assert "nouveau" in fake.of("response_url")[-1]["text"]
        assert fake.of("apps.connections.open")[0]["_token"] == "xapp-1-test"
        await slack.platform.stop()
        assert slack.platform._socket is None
