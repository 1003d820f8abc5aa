"""OAuth installations and states in pmobot's database (several workspaces, several replicas).

They implement slack_sdk's async store interfaces on the tables
``slack_installation`` and ``slack_o_auth_state`` (migration 0002), so any
replica can authorise a request or finish an installation another one began.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, Optional

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import delete
from sqlmodel import col, select

from pmobot.domain.models import SlackInstallation, SlackOAuthState
from pmobot.services.core import Core

STATE_LIFETIME = timedelta(minutes=10)


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
    def logger(self):  # type: ignore[no-untyped-def]
        import logging

        return logging.getLogger(__name__)

    async def async_save(self, installation: Installation) -> None:
        team_id = None if installation.is_enterprise_install else installation.team_id
        async with self.core.db.session() as session:
            session.add(SlackInstallation(
                client_id=self.client_id, enterprise_id=installation.enterprise_id, team_id=team_id,
                user_id=installation.user_id, is_enterprise_install=bool(installation.is_enterprise_install),
                data=_plain(installation.to_dict_for_copying()), installed_at=self.core.now(),
            ))

    async def async_save_bot(self, bot: Bot) -> None:
        # The bot is part of each saved installation; nothing else to keep.
        return None

    def _query(self, enterprise_id: Optional[str], team_id: Optional[str], is_enterprise_install: Optional[bool]):  # type: ignore[no-untyped-def]
        query = select(SlackInstallation).where(SlackInstallation.client_id == self.client_id)
        query = query.where(col(SlackInstallation.enterprise_id).is_(None) if enterprise_id is None
                            else SlackInstallation.enterprise_id == enterprise_id)
        if is_enterprise_install or team_id is None:
            query = query.where(col(SlackInstallation.team_id).is_(None))
        else:
            query = query.where(SlackInstallation.team_id == team_id)
        return query.order_by(col(SlackInstallation.installed_at).desc(), col(SlackInstallation.id).desc())

    async def async_find_installation(self, *, enterprise_id: Optional[str], team_id: Optional[str],
                                      user_id: Optional[str] = None,
                                      is_enterprise_install: Optional[bool] = False) -> Optional[Installation]:
        query = self._query(enterprise_id, team_id, is_enterprise_install)
        if user_id is not None:
            query = query.where(SlackInstallation.user_id == user_id)
        async with self.core.db.session() as session:
            row = (await session.exec(query)).first()
            if row is None:
                return None
            data = dict(row.data)
            if user_id is None:
                return Installation(**data)
            # The latest bot token lives on the latest installation of the team, whoever made it.
            latest = (await session.exec(self._query(enterprise_id, team_id, is_enterprise_install))).first()
        installation = Installation(**data)
        if latest is not None and latest.id != row.id:
            fresh = Installation(**dict(latest.data))
            installation.bot_token, installation.bot_id = fresh.bot_token, fresh.bot_id
            installation.bot_user_id, installation.bot_scopes = fresh.bot_user_id, fresh.bot_scopes
        return installation

    async def async_find_bot(self, *, enterprise_id: Optional[str], team_id: Optional[str],
                             is_enterprise_install: Optional[bool] = False) -> Optional[Bot]:
        installation = await self.async_find_installation(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install)
        if installation is None or not installation.bot_token:
            return None
        return installation.to_bot()

    async def latest_bot_token(self) -> str | None:
        """The bot token of the latest installation: where pmobot posts when the target's workspace is unknown."""
        async with self.core.db.session() as session:
            rows = (await session.exec(
                select(SlackInstallation).where(SlackInstallation.client_id == self.client_id)
                .order_by(col(SlackInstallation.installed_at).desc(), col(SlackInstallation.id).desc())
            )).all()
        for row in rows:
            token = (row.data or {}).get("bot_token")
            if token:
                return str(token)
        return None

    async def async_delete_bot(self, *, enterprise_id: Optional[str], team_id: Optional[str]) -> None:
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(self, *, enterprise_id: Optional[str], team_id: Optional[str],
                                        user_id: Optional[str] = None) -> None:
        query = delete(SlackInstallation).where(col(SlackInstallation.client_id) == self.client_id)
        query = query.where(col(SlackInstallation.enterprise_id).is_(None) if enterprise_id is None
                            else col(SlackInstallation.enterprise_id) == enterprise_id)
        query = query.where(col(SlackInstallation.team_id).is_(None) if team_id is None
                            else col(SlackInstallation.team_id) == team_id)
        if user_id is not None:
            query = query.where(col(SlackInstallation.user_id) == user_id)
        async with self.core.db.session() as session:
            await session.exec(query)  # type: ignore[call-overload]

    async def async_delete_all(self, *, enterprise_id: Optional[str], team_id: Optional[str]) -> None:
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)


class DatabaseStateStore(AsyncOAuthStateStore):
    """One-time OAuth ``state`` values, valid ten minutes, consumed once."""

    def __init__(self, *, core: Core) -> None:
        self.core = core

    @property
    def logger(self):  # type: ignore[no-untyped-def]
        import logging

        return logging.getLogger(__name__)

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        async with self.core.db.session() as session:
            session.add(SlackOAuthState(state=state, expires_at=self.core.now() + STATE_LIFETIME))
            await session.exec(delete(SlackOAuthState).where(  # type: ignore[call-overload]
                col(SlackOAuthState.expires_at) < self.core.now()))
        return state

    async def async_consume(self, state: str) -> bool:
        if not state or len(state) > 128:
            return False
        async with self.core.db.session() as session:
            result = await session.exec(delete(SlackOAuthState).where(  # type: ignore[call-overload]
                col(SlackOAuthState.state) == state, col(SlackOAuthState.expires_at) > self.core.now()))
            return bool(result.rowcount)
