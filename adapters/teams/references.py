"""Where pmobot can write in Teams later: conversation references in the database.

Teams lets a bot write first only in a conversation it already knows: its
service URL, tenant and conversation id. They are kept, per person (their
personal chat with the bot) and per channel, every time the bot is installed,
added to a team or spoken to, in ``services.addresses``: a restart or another
replica can still write.
"""

from __future__ import annotations

import copy
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.services import addresses
from pmobot.services.core import Core

PLATFORM = "teams"
PERSON = "person"
CHANNEL = "channel"


def conversation_type(activity: Activity) -> str:
    conversation = activity.conversation
    return (getattr(conversation, "conversation_type", None) or "personal") if conversation else "personal"


def channel_address(activity: Activity) -> str | None:
    """The channel (or group chat) a message was posted in, without its thread."""
    data = activity.channel_data or {}
    channel = (data.get("channel") or {}).get("id") if isinstance(data, dict) else None
    if channel:
        return str(channel)
    if activity.conversation and activity.conversation.id:
        return str(activity.conversation.id).split(";messageid=", 1)[0]
    return None


def team_id(activity: Activity) -> str | None:
    data = activity.channel_data or {}
    team = (data.get("team") or {}).get("id") if isinstance(data, dict) else None
    return str(team) if team else None


def tenant_id(activity: Activity) -> str | None:
    data = activity.channel_data or {}
    tenant = (data.get("tenant") or {}).get("id") if isinstance(data, dict) else None
    return tenant or (getattr(activity.conversation, "tenant_id", None) if activity.conversation else None)


def reference_of(activity: Activity, *, conversation_id: str | None = None) -> dict[str, Any]:
    """The reference of the conversation ``activity`` came from, as JSON.

    No activity id: the reference names the conversation, not one message, so
    proactive sends start a new message there.
    """
    ref: dict[str, Any] = TurnContext.get_conversation_reference(activity).serialize()
    ref.pop("activityId", None)
    ref.pop("locale", None)
    conversation = dict(ref.get("conversation") or {})
    if conversation_id:
        conversation["id"] = conversation_id
    tenant = tenant_id(activity)
    if tenant:
        conversation["tenantId"] = tenant
    ref["conversation"] = conversation
    # Who spoke is not part of where to write (it changes with every speaker in a channel).
    if conversation_type(activity) != "personal":
        ref.pop("user", None)
    return ref


async def remember_activity(session: AsyncSession, *, core: Core, activity: Activity) -> None:
    """Keep the references an incoming activity teaches: its person's chat, its channel, its team."""
    kind = conversation_type(activity)
    if kind == "personal":
        if activity.from_property and activity.from_property.id:
            await addresses.remember(session, core=core, platform=PLATFORM, kind=PERSON,
                                     address=activity.from_property.id, reference=reference_of(activity))
        return
    channel = channel_address(activity)
    if channel:
        await addresses.remember(session, core=core, platform=PLATFORM, kind=CHANNEL, address=channel,
                                 reference=reference_of(activity, conversation_id=channel))
    team = team_id(activity)
    if team and team != channel:
        # A team's id is its General channel's conversation id.
        await addresses.remember(session, core=core, platform=PLATFORM, kind=CHANNEL, address=team,
                                 reference=reference_of(activity, conversation_id=team))


async def for_person(session: AsyncSession, *, external_id: str) -> dict[str, Any] | None:
    return await addresses.reference(session, platform=PLATFORM, kind=PERSON, address=external_id)


async def for_channel(session: AsyncSession, *, address: str) -> dict[str, Any] | None:
    """The channel's reference; else one built from another conversation of the bot.

    A channel given by configuration (PMOBOT_TEAMS_IT_CHANNEL) may never have
    spoken to the bot: any reference the bot holds gives the service URL, the
    tenant and the bot's own id, and the channel id is all that differs.
    """
    known = await addresses.reference(session, platform=PLATFORM, kind=CHANNEL, address=address)
    if known is not None:
        return known
    base = await any_reference(session)
    if base is None:
        return None
    built = copy.deepcopy(base)
    built.pop("user", None)
    built["conversation"] = {**(built.get("conversation") or {}), "id": address, "isGroup": True,
                             "conversationType": "channel"}
    return built


async def any_reference(session: AsyncSession) -> dict[str, Any] | None:
    """The most recently refreshed reference, channels first (they outlive people's chats)."""
    return await addresses.latest_reference(session, platform=PLATFORM, kinds=(CHANNEL, PERSON))
