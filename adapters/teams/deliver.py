"""Outbox deliveries to Teams: proactive sends through the Bot Connector.

Each delivery continues a stored conversation (``continue_conversation`` with
pmobot's app id) and sends, replies in a channel thread, or updates a card in
place. Teams' answers become the outbox's outcomes: 429, 412, 502 and 504 (and
other server errors, a network failure, a send that timed out) are retried later, with the
``Retry-After`` Teams gave; a person who blocked the bot or removed the app is
unreachable; any other refusal is a permanent failure, kept for the PMO.

The platform message id is ``<activity id>|<conversation id>``: a later
delivery that threads under or replaces that message knows both.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)

from pmobot.adapters.teams import cards, references
from pmobot.messages import Message
from pmobot.scheduler import Delivery, DeliveryFailed, RateLimit, RetryLater, Unreachable
from pmobot.services import addresses, people
from pmobot.services.core import Core

log = logging.getLogger(__name__)

# Teams' pace per bot and conversation: 7 messages a second, 8 in two seconds, 60 in 30 seconds; and per app
# and tenant, 50 requests a second whatever the conversation (a digest to many channels meets that one).
LIMITS = (RateLimit(7, 1.0), RateLimit(8, 2.0), RateLimit(60, 30.0), RateLimit(50, 1.0, per="platform"))
RETRY_STATUSES = {429, 412, 500, 502, 503, 504}
# What Teams says when it will not deliver to this person any more.
UNREACHABLE_CODES = {"messagewritesblocked", "conversationblockedbyuser", "botnotinconversationroster",
                     "botdisabledbyadmin", "userblocked"}


def card_activity(message: Message, *, locale: str) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        summary=cards.summary(message) or None,
        attachments=[Attachment(content_type=cards.CONTENT_TYPE, content=cards.render(message, locale=locale))],
    )


def encode_id(activity_id: str, conversation_id: str) -> str:
    return f"{activity_id}|{conversation_id}"


def decode_id(platform_id: str) -> tuple[str, str | None]:
    activity_id, _, conversation_id = platform_id.partition("|")
    return activity_id, conversation_id or None


def _status_and_body(exc: BaseException) -> tuple[int | None, dict[str, str], str]:
    response = getattr(exc, "response", None)
    if response is None:
        return None, {}, ""
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    headers = {str(k).lower(): str(v) for k, v in dict(getattr(response, "headers", {}) or {}).items()}
    body = ""
    try:
        text = getattr(response, "text", "")
        body = text() if callable(text) else str(text or "")
    except Exception:  # an unreadable body is no reason to lose the status
        body = ""
    return (int(status) if status else None), headers, body


def _error_code(body: str) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    error = data.get("error") if isinstance(data, dict) else None
    return str(error.get("code", "")) if isinstance(error, dict) else ""


def _retry_after(headers: dict[str, str]) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: let the worker's backoff decide


def translate_error(exc: BaseException, *, target_kind: str) -> Exception:
    """What the outbox should make of a failed call to Teams."""
    status, headers, body = _status_and_body(exc)
    code = _error_code(body)
    reason = f"Teams HTTP {status}" + (f" {code}" if code else "") if status else f"{type(exc).__name__}: {exc}"
    if status is None:
        return RetryLater(reason[:300])  # the network, a timeout: try again
    if status in RETRY_STATUSES:
        return RetryLater(reason, _retry_after(headers), rate_limited=status == 429)
    if status == 403 and target_kind == "person" and (code.lower() in UNREACHABLE_CODES or not code):
        return Unreachable(reason)
    return DeliveryFailed(reason)


class TeamsDeliverer:
    limits = LIMITS

    def __init__(self, *, adapter: Any, app_id: str | None, core: Core, timeout: float = 10) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.core = core
        # A whole proactive send (token, connector calls) gives up after this long: a timeout is transient.
        self.timeout = timeout

    async def _run(self, reference: dict[str, Any], logic: Callable[[TurnContext], Awaitable[str]],
                   target_kind: str) -> str:
        """Continue ``reference`` and run ``logic`` in it; Teams' errors come back out, translated."""
        outcome: dict[str, Any] = {}

        async def turn(context: TurnContext) -> None:
            try:
                outcome["id"] = await logic(context)
            except Exception as exc:  # kept, so the adapter's turn-error handler does not swallow it
                outcome["error"] = exc

        try:
            async with asyncio.timeout(self.timeout):
                await self.adapter.continue_conversation(ConversationReference().deserialize(reference), turn,
                                                         bot_app_id=self.app_id)
        except Exception as exc:  # the connector or the token endpoint failed before the turn
            raise translate_error(exc, target_kind=target_kind) from exc
        if "error" in outcome:
            raise translate_error(outcome["error"], target_kind=target_kind) from outcome["error"]
        return str(outcome.get("id") or "")

    async def deliver(self, delivery: Delivery) -> str | None:
        async with self.core.db.session() as session:
            locale = await people.locale_for_delivery(session, core=self.core, platform=references.PLATFORM,
                                                      target_kind=delivery.target_kind, target=delivery.target)
            if delivery.target_kind == "person":
                reference = await references.for_person(session, external_id=delivery.target)
            else:
                reference = await references.for_channel(session, address=delivery.target)
        activity = card_activity(delivery.message, locale=locale)
        if reference is None and delivery.target_kind == "person":
            return await self._open_personal_chat(delivery, activity)
        if reference is None:
            raise DeliveryFailed(f"no Teams conversation known for {delivery.target}: add pmobot to its team")
        conversation_id = str((reference.get("conversation") or {}).get("id") or delivery.target)

        if delivery.replaces_id:
            activity_id, replaced_in = decode_id(delivery.replaces_id)
            target_ref = _with_conversation(reference, replaced_in or conversation_id)

            async def update(context: TurnContext) -> str:
                _address(activity, target_ref)
                activity.id = activity_id
                await context.adapter.update_activity(context, activity)
                return delivery.replaces_id or ""

            return await self._run(target_ref, update, delivery.target_kind)

        if delivery.thread_id and delivery.target_kind == "channel":
            root, root_conversation = decode_id(delivery.thread_id)
            base = (root_conversation or conversation_id).split(";messageid=", 1)[0]
            thread = f"{base};messageid={root}"
            thread_ref = _with_conversation(reference, thread)

            async def reply(context: TurnContext) -> str:
                return encode_id(await _post(context, activity, thread_ref), thread)

            return await self._run(thread_ref, reply, delivery.target_kind)

        async def send(context: TurnContext) -> str:
            return encode_id(await _post(context, activity, reference), conversation_id)

        return await self._run(reference, send, delivery.target_kind)

    async def _open_personal_chat(self, delivery: Delivery, activity: Activity) -> str:
        """Write first to someone who never opened a chat with pmobot.

        Teams allows it when pmobot is installed in a team they belong to (or
        for them); it refuses with 403 otherwise, and they are unreachable.
        """
        async with self.core.db.session() as session:
            base = await references.any_reference(session)
        if base is None:
            raise Unreachable("no Teams conversation with this person, and pmobot is in no team yet")
        tenant = (base.get("conversation") or {}).get("tenantId")
        bot = base.get("bot") or {}
        parameters = ConversationParameters(
            is_group=False, bot=ChannelAccount(id=bot.get("id"), name=bot.get("name")),
            members=[ChannelAccount(id=delivery.target)], tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}} if tenant else None,
        )
        outcome: dict[str, Any] = {}

        async def first(context: TurnContext) -> None:
            try:
                reference = references.reference_of(context.activity)
                reference["user"] = {"id": delivery.target}
                async with self.core.db.session() as session:
                    await addresses.remember(session, core=self.core, platform=references.PLATFORM,
                                             kind=references.PERSON, address=delivery.target, reference=reference)
                outcome["id"] = encode_id(await _post(context, activity, reference), context.activity.conversation.id)
            except Exception as exc:
                outcome["error"] = exc

        try:
            async with asyncio.timeout(self.timeout):
                await self.adapter.create_conversation(self.app_id, first, parameters,
                                                       base.get("channelId", "msteams"), base.get("serviceUrl"))
        except Exception as exc:
            raise translate_error(exc, target_kind="person") from exc
        if "error" in outcome:
            raise translate_error(outcome["error"], target_kind="person") from outcome["error"]
        return str(outcome.get("id") or "")


def _with_conversation(reference: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    out = copy.deepcopy(reference)
    out["conversation"] = {**(out.get("conversation") or {}), "id": conversation_id}
    return out


def _address(activity: Activity, reference: dict[str, Any]) -> None:
    """Address ``activity`` to the stored conversation, as a new message (not a reply to the continuation)."""
    TurnContext.apply_conversation_reference(activity, ConversationReference().deserialize(reference))
    activity.reply_to_id = None


async def _post(context: TurnContext, activity: Activity, reference: dict[str, Any]) -> str:
    """Send through the adapter directly: ``TurnContext.send_activity`` would make it a reply
    to the proactive turn's made-up activity id."""
    _address(activity, reference)
    responses = await context.adapter.send_activities(context, [activity])
    return str(responses[0].id or "") if responses else ""
