"""Outbox deliveries to Slack, and what Slack's errors mean for a retry.

A platform message id is ``CHANNEL:TS``: enough to reply in a card's thread
(``thread_ts``) and to update the card in place (``chat.update``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from pmobot.adapters.slack.clients import CALL_FAILED, PLATFORM
from pmobot.adapters.slack.files import upload_chart
from pmobot.adapters.slack.render import render
from pmobot.messages import Chart
from pmobot.scheduler import Delivery, DeliveryFailed, RateLimit, RetryLater, Unreachable
from pmobot.services import people
from pmobot.services.core import Core

log = logging.getLogger(__name__)

# Slack says so itself: the call may work later.
TRANSIENT = frozenset({
    "ratelimited", "rate_limited", "service_unavailable", "fatal_error", "internal_error", "request_timeout",
    "team_added_to_org", "timeout",
})
# The person cannot be reached any more: pmobot stops trying until they write again.
PERSON_GONE = frozenset({
    "user_not_found", "user_disabled", "cannot_dm_bot", "user_not_visible", "messages_tab_disabled",
})
# The message will never go as it is (ops must act: channel, token, scopes); seen by PMO admins.
# Everything Slack names and that is not transient is permanent.
UPDATE_LOST = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})


def message_id(channel: str, ts: str) -> str:
    """A Slack message as pmobot stores it ("CHANNEL:TS"): what a later message threads under or replaces."""
    return f"{channel}:{ts}"


def split_id(platform_id: str) -> tuple[str, str]:
    """The channel and timestamp of a :func:`message_id` (the timestamp empty for a bare channel)."""
    channel, _, ts = platform_id.partition(":")
    return channel, ts


def classify(exc: BaseException, *, person: bool) -> Exception:
    """The outbox exception for a failed Web API call."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = getattr(response, "status_code", 200)
        error = str((response.data or {}).get("error", "")) if isinstance(response.data, dict) else ""
        if status == 429 or error in ("ratelimited", "rate_limited"):
            retry_after = None
            raw = (response.headers or {}).get("Retry-After") or (response.headers or {}).get("retry-after")
            try:
                retry_after = float(raw) if raw is not None else None
            except (TypeError, ValueError):
                retry_after = None
            return RetryLater(f"slack: rate limited ({error or status})", retry_after=retry_after, rate_limited=True)
        if status >= 500 or error in TRANSIENT:
            return RetryLater(f"slack: {error or status}")
        if person and (error in PERSON_GONE or error == "channel_not_found"):
            return Unreachable(f"slack: {error}")
        return DeliveryFailed(f"slack: {error or status}")
    if isinstance(exc, (aiohttp.ClientError, asyncio.TimeoutError, OSError)):
        return RetryLater(f"slack unreachable: {type(exc).__name__}")
    return exc if isinstance(exc, Exception) else RuntimeError(str(exc))


class SlackDeliverer:
    """Sends outbox rows: a new message, a reply in a thread, or an update in place."""

    # Slack allows about one message per second per channel.
    limits = (RateLimit(1, 1.0),)

    def __init__(self, *, client_for: Callable[[Delivery], Awaitable[AsyncWebClient]], core: Core) -> None:
        self._client_for = client_for
        self.core = core

    async def deliver(self, delivery: Delivery) -> str | None:
        person = delivery.target_kind == "person"
        try:
            client = await self._client_for(delivery)
            async with self.core.db.session() as session:
                locale = await people.locale_for_delivery(session, core=self.core, platform=PLATFORM,
                                                          target_kind=delivery.target_kind, target=delivery.target)
            if isinstance(delivery.message, Chart) and not person:
                # A picture is a file shared in the channel (or the thread) it is for; to a person (whose
                # user id is no channel for a file), its title and text alternative as a message.
                channel, thread_ts = split_id(delivery.thread_id or delivery.target)
                await upload_chart(client, delivery.message, channel=channel, thread_ts=thread_ts or None)
                return None
            payload = render(delivery.message, locale=locale)
            if delivery.replaces_id:
                channel, ts = split_id(delivery.replaces_id)
                try:
                    await client.chat_update(channel=channel, ts=ts, text=payload.text, blocks=payload.blocks)
                    return delivery.replaces_id
                except SlackApiError as exc:
                    if (exc.response.data or {}).get("error") not in UPDATE_LOST:
                        raise
                    log.info("card %s could not be updated (%s): posting it again", delivery.key,
                             exc.response.data.get("error"))
            # A target "CHANNEL:TS" is a reply queued for a thread (see Replies.post).
            channel, thread_ts = split_id(delivery.thread_id or delivery.target)
            # No thread: None, which the client leaves out of the call.
            response = await client.chat_postMessage(channel=channel, text=payload.text, blocks=payload.blocks,
                                                     thread_ts=thread_ts or None, unfurl_links=False,
                                                     unfurl_media=False)
            return message_id(response["channel"], response["ts"])
        except CALL_FAILED as exc:
            raise classify(exc, person=person) from exc
