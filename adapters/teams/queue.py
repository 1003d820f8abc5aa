"""Teams activities through the inbound queue: stored before Teams hears "OK", worked after.

``/api/messages`` checks the token and the activity's shape first (``payloads``),
then, for anything but an invoke, stores the activity as it came, with who the
token said sent it, under its repeated-delivery key (the activity id) and
answers 202 at once (``store``). An inbound worker rebuilds the turn from the
stored row (``restore``) and runs it through the same bot as a live request,
in order per conversation, exactly once (``services.inbox``). A redelivered
activity finds its key taken and is only acknowledged.

Invokes stay in their request: Teams shows their response (a card in place of
the one pressed, a form's errors), so it must be computed before answering.
"""

from __future__ import annotations

import uuid
from typing import Any

from botbuilder.schema import Activity, ActivityTypes
from botframework.connector.auth import AuthenticateRequestResult, BotFrameworkAuthentication, ClaimsIdentity

from pmobot import payloads as read
from pmobot.adapters.teams import payloads
from pmobot.adapters.teams.references import PLATFORM
from pmobot.domain import keys
from pmobot.domain.models_inbound import InboundRequest
from pmobot.services import inbox
from pmobot.services.core import Core


def answered_in_request(activity: Activity) -> bool:
    """Whether the request's response carries the work's outcome (an invoke): worked before answering."""
    return bool(activity.type == ActivityTypes.invoke)


def request_key(activity: Activity) -> keys.DeliveryKey:
    """The key a redelivery of ``activity`` is recognised by: its type and id."""
    # Without an id (never seen from Teams) nothing tells a repeat apart: stored once, as it came.
    return keys.activity(str(activity.type), activity.id or uuid.uuid4().hex)


def order_key(activity: Activity) -> str:
    """Activities of one conversation (a personal chat, a channel thread) are worked in the order they came."""
    return inbox.conversation_of(PLATFORM, activity.conversation.id if activity.conversation else "")


async def store(core: Core, *, value: dict[str, Any], activity: Activity,
                authenticated: AuthenticateRequestResult) -> bool:
    """Queue an authenticated activity, committed when this returns; False for a repeat delivery."""
    identity = authenticated.claims_identity
    body = {"activity": value, "audience": authenticated.audience, "caller_id": authenticated.caller_id,
            # The token's claims (never the token): what the connector's credentials are chosen by.
            "claims": dict(identity.claims or {}) if identity else {},
            "authenticated": bool(identity.is_authenticated) if identity else False}
    stored = await core.arrivals.receive(platform=PLATFORM, kind=str(activity.type), key=request_key(activity),
                                         conversation=order_key(activity), body=body, now=core.now())
    core.queued()
    return stored


def restore(row: InboundRequest,
            authentication: BotFrameworkAuthentication) -> tuple[AuthenticateRequestResult, Activity]:
    """The turn a stored activity was received as: the activity and its authentication, with a connector
    factory built afresh from the stored claims (as the SDK builds it from a token)."""
    stored = row.body
    activity = payloads.activity(read.field(stored, "activity"))
    claims = ClaimsIdentity(read.field(stored, "claims"), stored.get("authenticated") is True)
    result = AuthenticateRequestResult()
    result.claims_identity = claims
    result.audience = read.text(stored, "audience") or None
    result.caller_id = read.text(stored, "caller_id") or None
    result.connector_factory = authentication.create_connector_factory(claims)
    return result, activity
