"""bolt's OAuth installation and state stores, kept in pmobot's database (several workspaces, several replicas).

They implement slack_sdk's async store interfaces by calling
``pmobot.services.installations``: this module only turns rows into
slack_sdk's ``Installation`` and ``Bot`` and back.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from pmobot.services import installations
from pmobot.services.core import Core

log = logging.getLogger(__name__)


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """JSON-friendly: datetimes as UNIX timestamps (the constructors take them back)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, datetime):
            value = value.timestamp()
        elif isinstance(value, dict):
            value = _plain(value)
        out[key] = value
    return out


class DatabaseInstallationStore(AsyncInstallationStore):
    def __init__(self, *, core: Core, client_id: str) -> None:
        self.core = core
        self.client_id = client_id

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        async with self.core.db.session() as session:
            await installations.save(
                session, core=self.core, app_id=self.client_id, enterprise_id=installation.enterprise_id,
                team_id=installation.team_id, user_id=installation.user_id,
                organisation_wide=bool(installation.is_enterprise_install),
                data=_plain(installation.to_dict_for_copying()))

    async def async_save_bot(self, bot: Bot) -> None:
        # The bot is part of each saved installation; nothing else to keep.
        return None

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False) -> Installation | None:
        async with self.core.db.session() as session:
            row = await installations.latest(session, app_id=self.client_id, enterprise_id=enterprise_id,
                                             team_id=team_id, organisation_wide=bool(is_enterprise_install),
                                             user_id=user_id)
            if row is None or user_id is None:
                return Installation(**dict(row.data)) if row else None
            # The latest bot token lives on the latest installation of the team, whoever made it.
            latest = await installations.latest(session, app_id=self.client_id, enterprise_id=enterprise_id,
                                                team_id=team_id, organisation_wide=bool(is_enterprise_install))
        installation = Installation(**dict(row.data))
        if latest is not None and latest.id != row.id:
            fresh = Installation(**dict(latest.data))
            installation.bot_token, installation.bot_id = fresh.bot_token, fresh.bot_id
            installation.bot_user_id, installation.bot_scopes = fresh.bot_user_id, fresh.bot_scopes
        return installation

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        installation = await self.async_find_installation(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install)
        if installation is None or not installation.bot_token:
            return None
        return installation.to_bot()

    async def latest_bot_token(self) -> str | None:
        """The bot token of the latest installation: where pmobot posts when the target's workspace is unknown."""
        async with self.core.db.session() as session:
            return await installations.latest_bot_token(session, app_id=self.client_id)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                        user_id: str | None = None) -> None:
        async with self.core.db.session() as session:
            await installations.remove(session, app_id=self.client_id, enterprise_id=enterprise_id, team_id=team_id,
                                       user_id=user_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)


class DatabaseStateStore(AsyncOAuthStateStore):
    """One-time OAuth ``state`` values, valid ten minutes, consumed once."""

    def __init__(self, *, core: Core) -> None:
        self.core = core

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        async with self.core.db.session() as session:
            return await installations.issue_state(session, core=self.core)

    async def async_consume(self, state: str) -> bool:
        async with self.core.db.session() as session:
            return await installations.consume_state(session, core=self.core, state=state)
