"""The ``/pmo`` slash command: acknowledged at once, answered ephemerally (or to the channel with ``share``)."""

from __future__ import annotations

from slack_bolt.app.async_app import AsyncApp

from pmobot import payloads as read
from pmobot.adapters.slack.acks import Incoming
from pmobot.adapters.slack.surface import Surface, dm_key, user_key
from pmobot.commands.registry import Commands as CommandRegistry
from pmobot.commands.registry import Place
from pmobot.conversation.text import fold
from pmobot.domain import keys

COMMAND = "/pmo"
# "/pmo status NEED-3 share": the answer is shown to the channel, not only to the asker.
SHARE_WORDS = frozenset({"share", "partager", "partage", "public"})


def shared(text: str, commands: CommandRegistry) -> tuple[str, bool]:
    """The command without a trailing share word, and whether it was there (on a command declared shareable)."""
    words = text.split()
    asked = commands.find(words[0]) if words else None
    if len(words) > 1 and fold(words[-1]) in SHARE_WORDS and asked is not None and asked.shareable:
        return " ".join(words[:-1]), True
    return text, False


class Commands(Surface):
    def register(self, app: AsyncApp) -> None:
        app.command(COMMAND)(self.acks.queued(self.command))

    async def command(self, request: Incoming) -> None:
        text, share = shared(read.text(request.body, "text").strip(), self.chat.commands)
        caller = await self.directory.caller(request.body, request.client)
        # "/pmo role @bob it": Bob may never have written to pmobot; the core asks Slack about him.
        mentions = self.directory.mentions(request.body, request.client)
        channel = read.text(request.body, "channel_id")
        key = dm_key(channel) if channel.startswith("D") else user_key(caller.user_id)
        trigger = request.trigger_id or ""
        # Slack never re-sends a slash command (no retries for commands): no dedup row to write.
        # Typed in a channel (not the DM): "/pmo channel here committee" chooses that channel.
        place = Place(channel) if channel and not channel.startswith("D") else None
        messages = await self.chat.on_command(caller.identity, key, text, directory=mentions, place=place)
        await mentions.settle()
        await self.replies.show(request.client, request.response_url, caller=caller, key=key, trigger_id=trigger,
                                messages=messages, share=share, fallback_key=keys.command(trigger),
                                channel=channel or None)
