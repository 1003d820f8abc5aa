"""What every group of listeners shares: the core's front door, who is talking, how to answer,
and the conversation keys of Slack's places (a DM, a thread, a person's own forms and buttons).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from slack_bolt.app.async_app import AsyncApp

from pmobot import payloads as read
from pmobot.adapters.slack.acks import FollowUps
from pmobot.adapters.slack.clients import PLATFORM
from pmobot.adapters.slack.identity import Directory
from pmobot.adapters.slack.replies import Replies
from pmobot.chat import Chat, PlatformTraits
from pmobot.domain import keys

# Slack shows a whole dialog spec as a modal: the core answers "new", "estimate", "ask" and
# "answer" with a form rather than a conversation. A modal opens only with an interaction's
# trigger (a command, a button), so a "/pmo new" typed in a message still converses.
TRAITS = PlatformTraits(forms=True)


# The formats live in pmobot.domain.keys, with the other keys rows are stored under.

def dm_key(channel: str) -> keys.ConversationKey:
    return keys.direct(PLATFORM, channel)


def thread_key(channel: str, thread_ts: str | None) -> keys.ConversationKey:
    return keys.thread(PLATFORM, channel, str(thread_ts))


def user_key(user_id: str) -> keys.ConversationKey:
    """A person's conversation outside any channel: their slash commands, buttons and forms."""
    return keys.user(PLATFORM, user_id)


def message_place(body: dict[str, Any]) -> tuple[str, str | None, keys.ConversationKey]:
    """The channel, thread and conversation key of the message a button is on."""
    channel = read.text(read.field(body, "channel"), "id") or read.text(read.field(body, "container"), "channel_id")
    thread_ts = read.text(read.field(body, "message"), "thread_ts")
    if thread_ts:
        return channel, thread_ts, thread_key(channel, thread_ts)
    return channel, None, dm_key(channel)


class Surface(ABC):
    """One surface of Slack (commands, events, buttons, forms, the App Home) and its listeners."""

    def __init__(self, *, chat: Chat, directory: Directory, replies: Replies, acks: FollowUps) -> None:
        self.chat = chat
        self.directory = directory
        self.replies = replies
        self.acks = acks

    @abstractmethod
    def register(self, app: AsyncApp) -> None:
        """Declare this surface's listeners on ``app``, each with how it is acknowledged."""
