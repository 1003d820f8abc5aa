"""Events and messages: what people write to pmobot in its DM, and in threads where they mention it.

Stored in the inbound queue before bolt acknowledges the event, then worked
by an inbound worker, in order per person; a repeat delivery of the same event
is recognised by its event id (the queue's key, and the work's ``once``).
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from pmobot import payloads as read
from pmobot.adapters.slack.acks import Incoming
from pmobot.adapters.slack.surface import Surface, dm_key, thread_key
from pmobot.commands.registry import Place
from pmobot.domain import keys

_SPACES = re.compile(r"\s+")


def without_mention(text: str, bot_user_id: str | None) -> str:
    """The text of a mention without pmobot's own name in it."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return _SPACES.sub(" ", text).strip()


def written_by_someone(event: dict[str, Any]) -> bool:
    """A person wrote it (not a bot: pmobot's own messages come back as events too)."""
    return not event.get("bot_id") and bool(event.get("user"))


def written_in_dm(event: dict[str, Any]) -> bool:
    """A person writing in pmobot's DM (not an edit, a join, nor a bot)."""
    return event.get("channel_type") == "im" and not event.get("subtype") and written_by_someone(event)


class Events(Surface):
    def register(self, app: AsyncApp) -> None:
        app.event("message")(self.acks.queued(self.direct_message, keep=written_in_dm))
        app.event("app_mention")(self.acks.queued(self.mention, keep=written_by_someone))

    async def direct_message(self, request: Incoming) -> None:
        event = request.payload
        if not written_in_dm(event):
            return
        channel = read.required_text(event, "channel", "event")
        # A reply in the thread of one of pmobot's messages in the DM (a notification about a need):
        # the core sends it to that need, and the answer goes in the same thread.
        thread_ts = read.text(event, "thread_ts") if read.text(event, "thread_ts") != read.text(event, "ts") else ""
        await self._converse(request, text=read.text(event, "text"), channel=channel, thread_ts=thread_ts or None,
                             key=dm_key(channel), reply_to=f"{channel}:{thread_ts}" if thread_ts else None)

    async def mention(self, request: Incoming) -> None:
        event = request.payload
        if not written_by_someone(event):
            return
        channel = read.required_text(event, "channel", "event")
        thread_ts = read.text(event, "thread_ts") or read.required_text(event, "ts", "event")
        await self._converse(request, text=without_mention(read.text(event, "text"), request.context.bot_user_id),
                             channel=channel, thread_ts=thread_ts, key=thread_key(channel, thread_ts))

    async def _converse(self, request: Incoming, *, text: str, channel: str, thread_ts: str | None,
                        key: keys.ConversationKey, reply_to: str | None = None, place: Place | None = None) -> None:
        body = request.body
        client: AsyncWebClient = request.client
        event_id = read.text(body, "event_id") or read.text(read.field(body, "event"), "client_msg_id")
        caller = await self.directory.caller(body, client)
        mentions = self.directory.mentions(body, client)
        messages = await self.chat.on_text(caller.identity, key, text, once=keys.event(event_id) if event_id else None,
                                           directory=mentions, reply_to=reply_to, place=place)
        await mentions.settle()
        if messages:
            await self.replies.post(client, channel=channel, thread_ts=thread_ts, messages=messages,
                                    locale=caller.locale, fallback_key=keys.event(event_id))
