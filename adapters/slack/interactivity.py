"""Buttons on messages: a need's actions (claim, estimate, ask...) and the answers to a conversation's question.

Each press is acknowledged at once and handled after; a press delivered twice
is recognised (``once``) and does nothing the second time.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.app.async_app import AsyncApp

from pmobot import payloads as read
from pmobot.adapters.slack import blocks as bk
from pmobot.adapters.slack import payloads
from pmobot.adapters.slack.acks import Incoming, ack_only
from pmobot.adapters.slack.blocks import escape
from pmobot.adapters.slack.clients import CALL_FAILED
from pmobot.adapters.slack.surface import Surface, message_place, user_key
from pmobot.domain import keys
from pmobot.i18n import t
from pmobot.payloads import Malformed

log = logging.getLogger(__name__)

PROMPT_ANSWERS = re.compile(r"^prompt\.(answer|control|select|send)")
# Ticking boxes of a multiple choice: nothing happens until "send" is pressed.
PROMPT_TICK = "prompt.multi"


def prompt_answer(body: dict[str, Any], action: dict[str, Any]) -> tuple[str, str] | None:
    """What was answered (for the core) and how to show it (for people); None when nothing was ticked."""
    kind = read.text(action, "action_id").split("|")[0]
    if kind == "prompt.select":
        option = read.field(action, "selected_option")
        answer = read.text(option, "value")
        return answer, payloads.label(option) or answer
    if kind == "prompt.send":
        state = read.field(read.field(read.field(body, "state"), "values"), "prompt.choices")
        chosen = read.objects(read.field(state, "prompt.multi"), "selected_options")
        if not chosen:
            return None
        return ", ".join(read.text(o, "value") for o in chosen), ", ".join(payloads.label(o) for o in chosen)
    answer = read.text(action, "value")
    return answer, payloads.label(action) or answer


class Buttons(Surface):
    def register(self, app: AsyncApp) -> None:
        # Every card button the command registry declares ("need.claim|0": a suffix keeps ids unique in a message).
        ids = "|".join(re.escape(button.action_id) for button in self.chat.commands.buttons())
        app.action(re.compile(rf"^(?:{ids})(?:\|.*)?$"))(self.acks.queued(self.need_button))
        app.action(PROMPT_ANSWERS)(self.acks.queued(self.prompt))
        app.action(PROMPT_TICK)(ack_only)

    async def need_button(self, request: Incoming) -> None:
        body, action = request.body, request.payload
        caller = await self.directory.caller(body, request.client)
        action_id = read.required_text(action, "action_id", "action").split("|")[0]
        pressed = read.text(action, "action_ts") or read.required_text(body, "trigger_id", "$")
        once = keys.action(caller.user_id, pressed)
        key = user_key(caller.user_id)
        messages = await self.chat.on_action(caller.identity, key, action_id, read.text(action, "value"), once=once)
        await self.replies.show(request.client, request.response_url, caller=caller, key=key,
                                trigger_id=request.trigger_id, messages=messages, fallback_key=once)

    async def prompt(self, request: Incoming) -> None:
        body, client = request.body, request.client
        answered = prompt_answer(body, request.payload)
        if answered is None:
            return  # nothing ticked: the question stays as it is
        answer, shown = answered
        channel, thread_ts, key = message_place(body)
        if not channel:
            raise Malformed("a question's answer without its channel")
        message = read.field(body, "message")
        message_ts = read.text(read.field(body, "container"), "message_ts") or read.text(message, "ts")
        caller = await self.directory.caller(body, client)
        # One answer per question: a second press on the same question does nothing.
        once = keys.prompt(channel, message_ts)
        messages = await self.chat.on_text(caller.identity, key, answer, once=once)
        if not messages:
            return
        original = read.objects(message, "blocks")
        if original and message_ts:
            kept = [b for b in original if b.get("type") != "actions"]
            kept.append(bk.context(escape(t(caller.locale, "slack.answered", answer=shown))))
            try:
                await client.chat_update(channel=channel, ts=message_ts, blocks=kept[: bk.MESSAGE_BLOCKS],
                                         text=read.text(message, "text") or " ")
            except CALL_FAILED as exc:
                # Cosmetic: the answer is recorded anyway; the buttons just stay on the question.
                log.info("slack: could not mark the question answered (%s)", type(exc).__name__)
        await self.replies.post(client, channel=channel, thread_ts=thread_ts, messages=messages, locale=caller.locale,
                                fallback_key=once)
