"""Forms as modals: opened from a button or a shortcut, redrawn as answers change, submitted.

- "New need" (App Home button, global shortcut) and "Turn into a need" (message
  shortcut, pre-filled from the message) open the intake form;
- a form button on a card (estimate, ask, answer a need) opens that form when
  the core allows the person to;
- a change to a field that others depend on redraws the modal;
- a submission is checked before the ack: Slack shows the errors, or the next
  view, in the same modal. A repeat of the same submission is ignored;
- "Next" on a long form shows its next page, carrying the answers so far.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re

from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from pmobot import payloads as read
from pmobot.adapters.slack import modals, payloads
from pmobot.adapters.slack import render as rd
from pmobot.adapters.slack.acks import Incoming, ack_only
from pmobot.adapters.slack.surface import Surface, thread_key, user_key
from pmobot.domain import keys
from pmobot.i18n import t
from pmobot.messages import Card, Message
from pmobot.services.people import Identity

log = logging.getLogger(__name__)

FORM_BUTTON = "form.open"
NEW_NEED_BUTTON = "home.new"
NEW_NEED_SHORTCUT = "pmobot.new_need"
TURN_INTO_NEED_SHORTCUT = "pmobot.turn_into_need"
FIELD_CHANGES = re.compile(rf"^{re.escape(modals.ACTION_PREFIX)}")


class Forms(Surface):
    def register(self, app: AsyncApp) -> None:
        app.action(FORM_BUTTON)(self.acks.queued(self.form_button))
        app.action(NEW_NEED_BUTTON)(self.acks.queued(self.new_need))
        app.shortcut(NEW_NEED_SHORTCUT)(self.acks.queued(self.new_need))
        app.shortcut(TURN_INTO_NEED_SHORTCUT)(self.acks.queued(self.turn_into_need))
        app.action(FIELD_CHANGES)(self.acks.queued(self.field_changed))
        app.view(modals.FORM_CALLBACK)(self.acks.in_ack(self.submit))
        app.view_closed(modals.FORM_CALLBACK)(ack_only)

    async def form_button(self, request: Incoming) -> None:
        # Not a value pmobot wrote (or none): the intake form it is.
        data = payloads.json_object(read.text(request.payload, "value"))
        spec = read.text(data, "s") or "intake"
        need = read.text(read.field(data, "c"), "need")
        # The button that opens this spec for a need (permission checked by the core).
        opener = self.chat.commands.opening(spec)
        if not (opener and opener.buttons and need):
            await self._new_need(request, response_url=request.response_url)
            return
        caller = await self.directory.caller(request.body, request.client)
        key = user_key(caller.user_id)
        messages = await self.chat.on_action(caller.identity, key, opener.buttons[0].action_id, need)
        await self.replies.show(request.client, request.response_url, caller=caller, key=key,
                                trigger_id=request.trigger_id, messages=messages,
                                fallback_key=keys.form(read.required_text(request.body, "trigger_id", "$")))

    async def new_need(self, request: Incoming) -> None:
        # Answered by DM, not by the response URL: a shortcut or an App Home button has none.
        await self._new_need(request, response_url=None)

    async def _new_need(self, request: Incoming, *, response_url: str | None) -> None:
        caller = await self.directory.caller(request.body, request.client)
        key = user_key(caller.user_id)
        messages = await self.chat.on_command(caller.identity, key, "new")
        await self.replies.show(request.client, response_url, caller=caller, key=key, trigger_id=request.trigger_id,
                                messages=messages,
                                fallback_key=keys.new_need(read.required_text(request.body, "trigger_id", "$")))

    async def turn_into_need(self, request: Incoming) -> None:
        body = request.body
        caller = await self.directory.caller(body, request.client)
        message = read.field(body, "message")
        channel = read.required_text(read.field(body, "channel"), "id", "channel")
        key = thread_key(channel, read.text(message, "thread_ts") or read.required_text(message, "ts", "message"))
        messages = await self.chat.open_form(caller.identity, key, "intake", opening_text=read.text(message, "text"))
        await self.replies.show(request.client, request.response_url, caller=caller, key=key,
                                trigger_id=request.trigger_id, messages=messages,
                                fallback_key=keys.shortcut(read.required_text(body, "trigger_id", "$")))

    async def field_changed(self, request: Incoming) -> None:
        view = read.field(request.body, "view")
        sub = modals.submission(view)
        meta = sub.meta
        caller = await self.directory.caller(request.body, request.client)
        form = await self.chat.redraw_form(caller.identity, read.text(meta, "s"), sub.values, read.field(meta, "c"))
        if form is None:
            return
        try:
            await request.client.views_update(view_id=read.required_text(view, "id", "view"),
                                              hash=read.text(view, "hash") or None,
                                              view=modals.form_view(form, locale=caller.locale,
                                                                    key=read.text(meta, "k"),
                                                                    page=sub.page, carried=sub.values))
        except modals.CarriedTooLong:
            log.info("slack: a changed form's answers no longer fit its metadata; left as it is")
        except SlackApiError as exc:
            # hash_conflict: the person changed something else meanwhile; that change re-draws it.
            log.info("slack: views.update: %s", exc.response.get("error"))

    async def submit(self, request: Incoming) -> None:
        view, ack = request.payload, request.ack
        sub = modals.submission(view)
        meta, values = sub.meta, sub.values
        caller = await self.directory.caller(request.body, request.client)
        spec = read.text(meta, "s")
        # The conversation the form was opened from, carried in its metadata.
        key = keys.ConversationKey(read.text(meta, "k")) if read.text(meta, "k") else user_key(caller.user_id)
        if not sub.last:
            # "Next" on a long form: the next page, carrying every answer so far.
            await self._next_page(request, caller.identity, spec, sub, locale=caller.locale, key=key)
            return
        digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:32]
        once = keys.view(read.required_text(view, "id", "view"), digest)
        form, messages = await self.chat.submit_form(caller.identity, key, spec, values, read.field(meta, "c"),
                                                     once=once)
        if form is not None:
            errors = modals.errors_for(view, form)
            if errors:
                await ack(response_action="errors", errors=errors)
            else:
                await ack(response_action="update", view=modals.form_view(
                    form, locale=caller.locale, key=key, page=modals.page_of_first_error(form), carried=values))
            return
        if not messages:
            await ack()  # the same submission again: already handled
            return
        await ack(response_action="update", view=rd.result_view(messages, locale=caller.locale))
        # Buttons cannot act from a modal: a card that asks something more (which of the needs like
        # this one to join) is also posted in the DM, where its buttons work.
        asking: list[Message] = [m for m in messages if isinstance(m, Card) and m.actions]
        await self.replies.post(request.client, channel=caller.user_id, messages=asking, locale=caller.locale,
                                fallback_key=once)

    async def _next_page(self, request: Incoming, identity: Identity, spec: str, sub: modals.Submission, *,
                         locale: str, key: str) -> None:
        form = await self.chat.redraw_form(identity, spec, sub.values, read.field(sub.meta, "c"))
        if form is None:
            await request.ack()
            return
        try:
            view = modals.form_view(form, locale=locale, key=key, page=sub.page + 1, carried=sub.values)
        except modals.CarriedTooLong:
            shown = modals.pages(form)[min(sub.page, len(modals.pages(form)) - 1)]
            await request.ack(response_action="errors",
                              errors={shown[0].id: t(locale, "slack.form_too_long")} if shown else {})
            return
        await request.ack(response_action="update", view=view)
