"""Forms as modals: opened from a button or a shortcut, redrawn as answers change, submitted.

- "New need" (App Home button, global shortcut) and "Turn into a need" (message
  shortcut, pre-filled from the message) open the intake form;
- a form button on a card (estimate, ask, answer a need) opens that form when
  the core allows the person to;
- a change to a field that others depend on redraws the modal;
- a submission is checked before the ack: Slack shows the errors, or the next
  view, in the same modal; a valid one is stored in the inbound queue and
  acknowledged with a "received" view, and an inbound worker does what it
  asks, then puts what was done in the modal's place (or in the person's DM
  when the modal is gone). A repeat of the same submission is stored once;
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
from pmobot.adapters.slack.acks import Accepted, Incoming, ack_only
from pmobot.adapters.slack.clients import CALL_FAILED
from pmobot.adapters.slack.surface import Surface, thread_key, user_key
from pmobot.domain import keys
from pmobot.i18n import t
from pmobot.messages import Card, FormRequest, Message
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
        app.view(modals.FORM_CALLBACK)(self.acks.checked(self.check_submission, self.submit))
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

    async def check_submission(self, request: Incoming) -> Accepted | None:
        """Before the ack: the next page of a long form, or the errors to show; else the submission is
        accepted, to be stored and worked after (``submit``), the modal saying it was received."""
        view, ack = request.payload, request.ack
        sub = modals.submission(view)
        caller = await self.directory.caller(request.body, request.client)
        spec, key = read.text(sub.meta, "s"), self._key_of(sub, caller.user_id)
        if not sub.last:
            # "Next" on a long form: the next page, carrying every answer so far.
            await self._next_page(request, caller.identity, spec, sub, locale=caller.locale, key=key)
            return None
        form = await self.chat.check_form(caller.identity, key, spec, sub.values, read.field(sub.meta, "c"))
        if form is not None:
            errors = modals.errors_for(view, form)
            if errors:
                await ack(response_action="errors", errors=errors)
            else:
                await ack(response_action="update", view=self._refused_view(form, sub, locale=caller.locale, key=key))
            return None
        return Accepted(key=_submission_key(view, sub), ack={"response_action": "update",
                                                            "view": rd.working_view(locale=caller.locale)})

    async def submit(self, request: Incoming) -> None:
        """In an inbound worker: what the accepted submission asks, then what was done in the modal's place."""
        view, client = request.payload, request.client
        sub = modals.submission(view)
        caller = await self.directory.caller(request.body, client)
        key = self._key_of(sub, caller.user_id)
        once = _submission_key(view, sub)
        form, messages = await self.chat.submit_form(caller.identity, key, read.text(sub.meta, "s"), sub.values,
                                                     read.field(sub.meta, "c"), once=once)
        view_id = read.required_text(view, "id", "view")
        if form is not None:
            # Refused now though it passed at the ack (something changed meanwhile): the form again.
            await self._in_modal(request, view_id, self._refused_view(form, sub, locale=caller.locale, key=key),
                                 messages=[], locale=caller.locale, once=once)
            return
        if not messages:
            return  # the same submission again: already handled
        # Buttons cannot act from a modal: a card that asks something more (which of the needs like
        # this one to join) is also posted in the DM, where its buttons work.
        asking: list[Message] = [m for m in messages if isinstance(m, Card) and m.actions]
        if await self._in_modal(request, view_id, rd.result_view(messages, locale=caller.locale),
                                messages=messages, locale=caller.locale, once=once):
            await self.replies.post(client, channel=caller.user_id, messages=asking, locale=caller.locale,
                                    fallback_key=once)

    async def _in_modal(self, request: Incoming, view_id: str, view: dict[str, object], *, messages: list[Message],
                        locale: str, once: keys.DeliveryKey) -> bool:
        """Show ``view`` in the submitted modal; when it is gone (closed), ``messages`` go to the DM instead."""
        try:
            await request.client.views_update(view_id=view_id, view=view)
            return True
        except CALL_FAILED as exc:
            log.info("slack: the submitted modal could not show its result (%s): told by DM", type(exc).__name__)
            caller = read.text(read.field(request.body, "user"), "id")
            await self.replies.post(request.client, channel=caller, messages=messages, locale=locale,
                                    fallback_key=once)
            return False

    @staticmethod
    def _key_of(sub: modals.Submission, user_id: str) -> keys.ConversationKey:
        # The conversation the form was opened from, carried in its metadata.
        return keys.ConversationKey(read.text(sub.meta, "k")) if read.text(sub.meta, "k") else user_key(user_id)

    @staticmethod
    def _refused_view(form: FormRequest, sub: modals.Submission, *, locale: str, key: str) -> dict[str, object]:
        return modals.form_view(form, locale=locale, key=key, page=modals.page_of_first_error(form),
                                carried=sub.values)

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


def _submission_key(view: dict[str, object], sub: modals.Submission) -> keys.DeliveryKey:
    """A submission is recognised by its modal and what it held: sent twice, it is the same request."""
    digest = hashlib.sha256(json.dumps(sub.values, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return keys.view(read.required_text(view, "id", "view"), digest)
