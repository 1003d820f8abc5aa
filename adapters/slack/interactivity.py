"""Buttons on messages: a need's actions (claim, estimate, ask...) and the answers to a conversation's question.

Each press is acknowledged at once and handled after; a press delivered twice
is recognised (``once``) and does nothing the second time.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.app.async_app import AsyncApp

from pmobot.adapters.slack import blocks as bk
from pmobot.adapters.slack.acks import Incoming, ack_only
from pmobot.adapters.slack.blocks import escape
from pmobot.adapters.slack.clients import CALL_FAILED
from pmobot.adapters.slack.surface import Surface, message_place, user_key
from pmobot.domain import keys
from pmobot.i18n import t

log = logging.getLogger(__name__)

PROMPT_ANSWERS = re.compile(r"^prompt\.(answer|control|select|send)")
# Ticking boxes of a multiple choice: nothing happens until "send" is pressed.
PROMPT_TICK = "prompt.multi"


def _text(element: dict[str, Any] | None) -> str:
    return str(((element or {}).get("text") or {}).get("text") or "")


def prompt_answer(body: dict[str, Any], action: dict[str, Any]) -> tuple[str, str] | None:
    """What was answered (for the core) and how to show it (for people); None when nothing was ticked."""
    kind = action["action_id"].split("|")[0]
    if kind == "prompt.select":
        answer = str((action.get("selected_option") or {}).get("value") or "")
        return answer, _text(action.get("selected_option")) or answer
    if kind == "prompt.send":
        state = ((body.get("state") or {}).get("values") or {}).get("prompt.choices") or {}
        chosen = (state.get("prompt.multi") or {}).get("selected_options") or []
        if not chosen:
            return None
        return ", ".join(o.get("value", "") for o in chosen), ", ".join(_text(o) for o in chosen)
    answer = str(action.get("value") or "")
    return answer, _text(action) or answer


class Buttons(Surface):
    def register(self, app: AsyncApp) -> None:
        # Every card button the command registry declares ("need.claim|0": a suffix keeps ids unique in a message).
        ids = "|".join(re.escape(button.action_id) for button in self.chat.commands.buttons())
        app.action(re.compile(rf"^(?:{ids})(?:\|.*)?$"))(self.acks.after_ack(self.need_button))
        app.action(PROMPT_ANSWERS)(self.acks.after_ack(self.prompt))
        app.action(PROMPT_TICK)(ack_only)

    async def need_button(self, request: Incoming) -> None:
        body, action = request.body, request.payload
        caller = await self.directory.caller(body, request.client)
        action_id = action["action_id"].split("|")[0]
        once = keys.action(caller.user_id, str(action.get("action_ts") or body.get("trigger_id")))
        key = user_key(caller.user_id)
        messages = await self.chat.on_action(caller.identity, key, action_id, action.get("value") or "", once=once)
        await self.replies.show(request.client, request.response_url, caller=caller, key=key,
                                trigger_id=body.get("trigger_id"), messages=messages, fallback_key=once)

    async def prompt(self, request: Incoming) -> None:
        body, client = request.body, request.client
        answered = prompt_answer(body, request.payload)
        if answered is None:
            return  # nothing ticked: the question stays as it is
        answer, shown = answered
        channel, thread_ts, key = message_place(body)
        message = body.get("message") or {}
        message_ts = (body.get("container") or {}).get("message_ts") or message.get("ts") or ""
        caller = await self.directory.caller(body, client)
        # One answer per question: a second press on the same question does nothing.
        once = keys.prompt(channel, message_ts)
        messages = await self.chat.on_text(caller.identity, key, answer, once=once)
        if not messages:
            return
        original = message.get("blocks") or []
        if original and message_ts:
            kept = [b for b in original if b.get("type") != "actions"]
            kept.append(bk.context(escape(t(caller.locale, "slack.answered", answer=shown))))
            try:
                await client.chat_update(channel=channel, ts=message_ts, blocks=kept[: bk.MESSAGE_BLOCKS],
                                         text=message.get("text") or " ")
            except CALL_FAILED as exc:
                # Cosmetic: the answer is recorded anyway; the buttons just stay on the question.
                log.info("slack: could not mark the question answered (%s)", type(exc).__name__)
        await self.replies.post(client, channel=channel, thread_ts=thread_ts, messages=messages, locale=caller.locale,
                                fallback_key=once)
