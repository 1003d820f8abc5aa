"""Installations of pmobot in chat workspaces, and the one-time states of the OAuth flow that makes them.

A workspace (or an organisation) installs pmobot with OAuth; what the platform
returns is kept whole (``data``), newest last, so any replica can authorise a
request from that workspace or finish an installation another one began. The
adapter turns the rows into its SDK's objects: nothing here knows an SDK.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from pmobot.domain.models import SlackInstallation, SlackOAuthState
from pmobot.services.core import Core

# An OAuth state is good for this long after /install handed it out, and once.
STATE_LIFETIME = timedelta(minutes=10)
# Longer states are not ours: refused before any query.
STATE_MAX_LENGTH = 128


def _workspace(*, app_id: str, enterprise_id: str | None, team_id: str | None) -> list[ColumnElement[bool]]:
    """The conditions naming one workspace's installations (no enterprise, no team: NULL, not "any")."""
    return [
        col(SlackInstallation.client_id) == app_id,
        col(SlackInstallation.enterprise_id).is_(None) if enterprise_id is None
        else col(SlackInstallation.enterprise_id) == enterprise_id,
        col(SlackInstallation.team_id).is_(None) if team_id is None else col(SlackInstallation.team_id) == team_id,
    ]


def _newest_first(query: SelectOfScalar[SlackInstallation]) -> SelectOfScalar[SlackInstallation]:
    return query.order_by(col(SlackInstallation.installed_at).desc(), col(SlackInstallation.id).desc())


async def save(session: AsyncSession, *, core: Core, app_id: str, enterprise_id: str | None, team_id: str | None,
               user_id: str | None, organisation_wide: bool, data: dict[str, Any]) -> None:
    """Keep one installation; an organisation-wide one belongs to no team."""
    session.add(SlackInstallation(
        client_id=app_id, enterprise_id=enterprise_id, team_id=None if organisation_wide else team_id,
        user_id=user_id, is_enterprise_install=organisation_wide, data=dict(data), installed_at=core.now(),
    ))


async def latest(session: AsyncSession, *, app_id: str, enterprise_id: str | None, team_id: str | None,
                 organisation_wide: bool = False, user_id: str | None = None) -> SlackInstallation | None:
    """The newest installation of a workspace (by ``user_id`` when given), or None."""
    query = select(SlackInstallation).where(
        *_workspace(app_id=app_id, enterprise_id=enterprise_id, team_id=None if organisation_wide else team_id))
    if user_id is not None:
        query = query.where(SlackInstallation.user_id == user_id)
    return (await session.exec(_newest_first(query))).first()


async def latest_bot_token(session: AsyncSession, *, app_id: str) -> str | None:
    """The bot token of the newest installation anywhere: where to post when the target's workspace is unknown."""
    rows = (await session.exec(_newest_first(
        select(SlackInstallation).where(SlackInstallation.client_id == app_id)))).all()
    for row in rows:
        token = (row.data or {}).get("bot_token")
        if token:
            return str(token)
    return None


async def remove(session: AsyncSession, *, app_id: str, enterprise_id: str | None, team_id: str | None,
                 user_id: str | None = None) -> None:
    """Forget a workspace's installations (only ``user_id``'s when given): pmobot was uninstalled."""
    query = delete(SlackInstallation).where(*_workspace(app_id=app_id, enterprise_id=enterprise_id, team_id=team_id))
    if user_id is not None:
        query = query.where(col(SlackInstallation.user_id) == user_id)
    await session.exec(query)


async def issue_state(session: AsyncSession, *, core: Core) -> str:
    """A new one-time OAuth state; expired ones are cleared on the way."""
    state = secrets.token_urlsafe(32)
    session.add(SlackOAuthState(state=state, expires_at=core.now() + STATE_LIFETIME))
    await session.exec(delete(SlackOAuthState).where(
        col(SlackOAuthState.expires_at) < core.now()))
    return state


async def consume_state(session: AsyncSession, *, core: Core, state: str) -> bool:
    """True once for a state handed out less than STATE_LIFETIME ago; never again."""
    if not state or len(state) > STATE_MAX_LENGTH:
        return False
    result = await session.exec(delete(SlackOAuthState).where(
        col(SlackOAuthState.state) == state, col(SlackOAuthState.expires_at) > core.now()))
    return bool(result.rowcount)
