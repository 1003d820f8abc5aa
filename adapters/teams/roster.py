"""Who a Teams mention names: the mention entity's id and name, completed from the team roster.

"role <at>Bob</at> it" reaches pmobot with Bob's channel account id and name in
the activity's mention entity; in a team or a group chat, the roster
(``TeamsInfo.get_member``, the Bot Connector's conversation member) adds his
Entra object id and e-mail. The core asks (``people.Directory``) only about
people it has not met; someone writing to pmobot for the first time is
completed from the roster the same way (``completed``), so that the same
verified e-mail on Slack and Teams makes one person.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from aiohttp import ClientError
from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from msrest.exceptions import ClientRequestError, HttpOperationError

from pmobot.adapters.teams import references
from pmobot.services.people import Identity

log = logging.getLogger(__name__)

PLATFORM = references.PLATFORM


def entities(activity: Any) -> list[dict[str, Any]]:
    """The activity's entities (mentions, quoted replies...), as plain dictionaries."""
    out = []
    for entity in activity.entities or []:
        if isinstance(entity, dict):
            out.append(dict(entity))
        else:  # an Entity model keeps what it does not declare in additional_properties
            extra = getattr(entity, "additional_properties", None) or {}
            out.append({**extra, "type": getattr(entity, "type", None)})
    return out


def mentions(activity: Any) -> list[dict[str, Any]]:
    """The activity's mention entities, as plain dictionaries."""
    return [e for e in entities(activity) if e.get("type") == "mention"]


class Roster:
    """The people one activity's mentions name (a ``people.Directory`` for the core)."""

    def __init__(self, turn_context: TurnContext) -> None:
        self.turn_context = turn_context

    async def identify(self, reference: str) -> Identity | None:
        activity = self.turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        named = next((m.get("mentioned") or {} for m in mentions(activity)
                      if (m.get("mentioned") or {}).get("id") == reference and reference != bot_id), None)
        if not named:
            return None  # not a mention in this message: a name alone is not looked up
        name = str(named.get("name") or reference)
        return await self.completed(Identity(PLATFORM, reference, name))

    async def completed(self, identity: Identity) -> Identity:
        """``identity`` with the roster's name, Entra id and verified e-mail, when the roster knows them."""
        member = await self._member(identity.external_id)
        if member is None:
            return identity
        aad = getattr(member, "aad_object_id", None)
        email = getattr(member, "email", None) or getattr(member, "user_principal_name", None)
        return replace(identity, display_name=getattr(member, "name", None) or identity.display_name,
                       email=email or identity.email, aliases=tuple({*identity.aliases, *([aad] if aad else [])}))

    async def _member(self, member_id: str) -> Any:
        """The roster's entry for ``member_id`` in this conversation; None when Teams cannot say."""
        try:
            return await TeamsInfo.get_member(self.turn_context, member_id)
        except (HttpOperationError, ClientRequestError, ClientError) as exc:
            # The mention's own id and name are enough to meet the person.
            log.info("teams: roster entry for %s unavailable (%s)", member_id, type(exc).__name__)
            return None
