"""Settings, from ``PMOBOT_*`` environment variables or an optional ``.env`` file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pmobot.i18n import LOCALES


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PMOBOT_", env_file=".env", extra="ignore", populate_by_name=True)

    # SQLite file under ./var by default; a postgresql:// URL for several replicas.
    database_url: str = "sqlite:///./var/pmobot.db"
    default_locale: str = "fr"
    timezone: str = "Europe/Paris"
    holidays_country: str = "FR"
    default_currency: str = "EUR"
    # Platform user ids (comma-separated) who are PMO admins from the start.
    admins: str = ""
    # The IT intake channel, per platform; the console's is a named room.
    it_channel: str = "it-intake"
    # Frozen start instant (ISO 8601) for reproducible demos and end-to-end tests.
    now: datetime | None = None
    log_level: str = "WARNING"
    # Where logs go; the console defaults to var/pmobot.log so logs don't mix with the chat.
    log_file: str | None = None
    # A folder of dialog specs (*.yaml) used instead of the shipped ones: where a PMO
    # keeps edited copies of them. Every spec the app uses must be in it.
    dialogs_dir: Path | None = None
    # The organisation's scoring policy (YAML); the default shipped in the package otherwise.
    # Checked at start: a wrong criterion, weight or method is refused with its line.
    policy_file: Path | None = None
    # Outbox: how long a message is tried (rate limits waited out, errors retried) before it is marked failed.
    outbox_time_budget_seconds: float = Field(default=86400, gt=0)
    # Outbox: an optional cap on the attempts that failed with an error (rate limits never count);
    # unset, only the time budget ends the tries.
    outbox_max_attempts: int | None = Field(default=None, ge=1)
    # Every call to a platform's API (Slack's Web API, Teams' Bot Connector) gives up after this long;
    # the outbox tries again later.
    api_timeout_seconds: float = Field(default=10, gt=0)

    # --- pmobot serve: one aiohttp server for every platform ---------------
    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=0, le=65535)

    # --- Slack (names as Slack's own tools use them; secrets never logged) -
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "PMOBOT_SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "PMOBOT_SLACK_SIGNING_SECRET"))
    # Set: Socket Mode (no public URL needed) instead of HTTP.
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "PMOBOT_SLACK_APP_TOKEN"))
    # Both set: installable in several workspaces through OAuth (/slack/install).
    slack_client_id: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_CLIENT_ID", "PMOBOT_SLACK_CLIENT_ID"))
    slack_client_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_CLIENT_SECRET", "PMOBOT_SLACK_CLIENT_SECRET"))
    # The Web API base URL; tests point it at a fake server.
    slack_api_url: str = "https://slack.com/api/"
    # Members of the Slack IT intake channel count as IT without a grant.
    slack_it_channel_members_are_it: bool = False

    # --- Microsoft Teams (Bot Framework) -----------------------------------
    microsoft_app_id: str | None = Field(
        default=None, validation_alias=AliasChoices("MICROSOFT_APP_ID", "PMOBOT_MICROSOFT_APP_ID"))
    microsoft_app_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("MICROSOFT_APP_PASSWORD", "PMOBOT_MICROSOFT_APP_PASSWORD"))
    microsoft_app_tenant_id: str | None = Field(
        default=None, validation_alias=AliasChoices("MICROSOFT_APP_TENANT_ID", "PMOBOT_MICROSOFT_APP_TENANT_ID"))
    microsoft_app_type: str = Field(
        default="SingleTenant", validation_alias=AliasChoices("MICROSOFT_APP_TYPE", "PMOBOT_MICROSOFT_APP_TYPE"))
    # The Teams IT channel's conversation id; else learned with 'set it-channel'.
    teams_it_channel: str | None = None
    # Hosts an activity's serviceUrl may name (comma-separated, "*." for any subdomain): replies go
    # there, so anything else is refused. The Bot Framework's public hosts by default.
    teams_service_hosts: str = "*.botframework.com,smba.trafficmanager.net"

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        value = value.lower()
        if value not in LOCALES:
            raise ValueError(f"default_locale must be one of {', '.join(LOCALES)}")
        return value

    @field_validator("now")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("PMOBOT_NOW needs a time zone, e.g. 2026-11-26T09:00:00+00:00")
        return value

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token or self.slack_client_id or self.slack_app_token)

    @property
    def teams_enabled(self) -> bool:
        return bool(self.microsoft_app_id)

    def admin_ids(self) -> set[str]:
        return {part.strip() for part in self.admins.split(",") if part.strip()}

    def sqlite_path(self) -> Path | None:
        """The database file when the URL is a SQLite file, so its folder can be created."""
        url = self.database_url
        if url.startswith("sqlite") and ":///" in url:
            path = url.split(":///", 1)[1]
            if path and path != ":memory:":
                return Path(path)
        return None
