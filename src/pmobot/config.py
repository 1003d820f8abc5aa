"""Settings, from ``PMOBOT_*`` environment variables or an optional ``.env`` file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pmobot.i18n import LOCALES


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PMOBOT_", env_file=".env", extra="ignore")

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
    # Outbox: how many times a message is tried before it is marked failed.
    outbox_max_attempts: int = Field(default=8, ge=1)

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
