"""Answers to the person who acted: posted, told where they are, or opened as a modal.

An answer Slack cannot take now is not lost: it goes to the outbox, which
delivers it later (``fallback_key`` makes that delivery happen once).
"""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from pmobot.adapters.slack import modals
from pmobot.adapters.slack import render as rd
from pmobot.adapters.slack.clients import CALL_FAILED, PLATFORM, Clients
from pmobot.adapters.slack.deliver import classify, message_id
from pmobot.adapters.slack.files import upload_chart
from pmobot.adapters.slack.identity import Caller
from pmobot.domain import keys
from pmobot.i18n import t
from pmobot.messages import Chart, FormRequest, Message, Notice
from pmobot.services import outbox
from pmobot.services.core import Core

log = logging.getLogger(__name__)

# A response URL that does not answer within this long is given up for a DM.
RESPONSE_URL_TIMEOUT = 10


class Replies:
    def __init__(self, *, core: Core, clients: Clients) -> None:
        self.core = core
        self.clients = clients

    async def post(self, client: AsyncWebClient, *, channel: str, messages: list[Message], locale: str,
                   thread_ts: str | None = None, fallback_key: keys.DeliveryKey) -> None:
        """Post a reply; if Slack cannot take it now, the outbox delivers it later."""
        if not messages:
            return
        payload = rd.render_many(messages, locale=locale)
        try:
            # No thread: None, which the client leaves out of the call.
            await client.chat_postMessage(channel=channel, text=payload.text, blocks=payload.blocks,
                                          thread_ts=thread_ts or None, unfurl_links=False, unfurl_media=False)
        except CALL_FAILED as exc:
            problem = classify(exc, person=False)
            log.warning("slack: reply to %s not posted now (%s): queued", channel, problem)
            # Queued for the thread it answers: the deliverer reads the thread back from the target.
            target = message_id(channel, thread_ts) if thread_ts else channel
            async with self.core.db.session() as session:
                for i, message in enumerate(messages):
                    await outbox.enqueue(session, core=self.core, key=keys.reply(fallback_key, i), platform=PLATFORM,
                                         target_kind="channel", target=target, message=message)

    async def tell(self, client: AsyncWebClient, response_url: str | None, *, user_id: str, messages: list[Message],
                   locale: str, share: bool = False, fallback_key: keys.DeliveryKey) -> None:
        """Answer the person who acted: ephemeral where they are (or to all there, ``share``), else in their DM."""
        if not messages:
            return
        if response_url and await self._respond(response_url, messages, locale=locale, share=share):
            return
        await self.post(client, channel=user_id, messages=messages, locale=locale, fallback_key=fallback_key)

    async def _respond(self, response_url: str, messages: list[Message], *, locale: str, share: bool) -> bool:
        payload = rd.render_many(messages, locale=locale)
        body = {"text": payload.text, "blocks": payload.blocks, "replace_original": False,
                "response_type": "in_channel" if share else "ephemeral"}
        try:
            async with self.clients.http().post(response_url, json=body,
                                                timeout=aiohttp.ClientTimeout(total=RESPONSE_URL_TIMEOUT)) as r:
                if r.status < 300:
                    return True
                problem = f"HTTP {r.status}"
        except (TimeoutError, aiohttp.ClientError) as exc:
            # The URL expired or Slack is unreachable: the DM (or the outbox) still gets it there.
            problem = type(exc).__name__
        log.warning("slack: response_url failed (%s): answering by DM", problem)
        return False

    async def show(self, client: AsyncWebClient, response_url: str | None, *, caller: Caller,
                   key: keys.ConversationKey, trigger_id: str | None, messages: list[Message], share: bool = False,
                   fallback_key: keys.DeliveryKey, channel: str | None = None) -> None:
        """Messages from the core: a form opens as a modal, a chart is shared in ``channel`` (where it was
        asked for), the rest is told to the person."""
        if channel:
            charts = [m for m in messages if isinstance(m, Chart)]
            messages = [m for m in messages if not isinstance(m, Chart)]
            for chart in charts:
                messages.append(await self._share_chart(client, chart, channel=channel, locale=caller.locale))
        forms: list[Message] = [m for m in messages if isinstance(m, FormRequest)]
        others: list[Message] = [m for m in messages if not isinstance(m, FormRequest)]
        if forms and trigger_id:
            form = forms[0]
            assert isinstance(form, FormRequest)
            await self._open_form(client, response_url, trigger_id=trigger_id, form=form, caller=caller, key=key,
                                  fallback_key=fallback_key)
        elif forms:
            others += forms  # rendered as a button that opens the form
        if others:
            await self.tell(client, response_url, user_id=caller.user_id, messages=others, locale=caller.locale,
                            share=share, fallback_key=fallback_key)

    async def _share_chart(self, client: AsyncWebClient, chart: Chart, *, channel: str, locale: str) -> Message:
        """Upload ``chart`` where it was asked for; what to tell the person about it."""
        try:
            await upload_chart(client, chart, channel=channel)
            return Notice(t(locale, "slack.chart_shared", title=chart.title))
        except CALL_FAILED as exc:
            problem = classify(exc, person=False)
            log.warning("slack: chart not shared in %s (%s)", channel, problem)
            # Not lost: its text alternative comes with the answer instead.
            return Notice(t(locale, "slack.chart_not_shared", title=chart.title, text=chart.alt_text), "warning")

    async def _open_form(self, client: AsyncWebClient, response_url: str | None, *, trigger_id: str,
                         form: FormRequest, caller: Caller, key: keys.ConversationKey,
                         fallback_key: keys.DeliveryKey) -> None:
        try:
            await client.views_open(trigger_id=trigger_id, view=modals.form_view(form, locale=caller.locale, key=key))
        except SlackApiError as exc:
            # Mostly an expired trigger (over three seconds): say so rather than fail in silence.
            log.warning("slack: views.open failed: %s", exc.response.get("error"))
            await self.tell(client, response_url, user_id=caller.user_id, locale=caller.locale,
                            fallback_key=fallback_key,
                            messages=[Notice(t(caller.locale, "slack.form_too_slow"), "warning")])
