"""What a Slack request must look like before bolt or a listener reads it: one home for Slack's shapes.

A request reaches bolt only once its signature is right (``clients.Signatures``)
and its body reads as bolt reads it: UTF-8, a JSON object (or a form whose
``payload`` is one), no deeper than ``MAX_DEPTH``, and with the fields bolt's
context and listener matchers read of the types they expect (``REQUEST``, and
per request type ``BY_TYPE``). Anything else is refused with 400 and one short
log line; real Slack never sends it, so it is someone who holds the signing
secret or a bug, and neither deserves a traceback.

Listeners then read fields through the typed readers of ``pmobot.payloads``
(``text``, ``field``, ``objects``, ``required_text``): a field missing where it
is needed (an ``app_mention`` without its channel) raises ``Malformed``, which
the acknowledgement wrappers (``acks``) log once and drop.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body

from pmobot.payloads import Malformed, Req, Shape, Some, check, field, obj, parse_json, text, unreadable

# Every field bolt or pmobot reads, at whatever depth it appears (events nest messages,
# messages nest previous messages, ...): one recursive shape, checked as deep as the body goes.
_TEXT_OBJECT: Shape = {"type": str, "text": str}
_ORG: Shape = (str, {"id": str, "enterprise_id": str, "name": str, "domain": str})
_USER: Shape = (str, {"id": str, "team_id": str, "name": str, "username": str})
_CHANNEL: Shape = (str, {"id": str, "name": str})
NODE: dict[str, Shape] = {
    "type": str, "subtype": str, "id": str, "name": str, "token": str, "api_app_id": str, "challenge": str,
    "enterprise": _ORG, "team": _ORG, "user": _USER, "channel": _CHANNEL,
    "enterprise_id": str, "team_id": str, "user_id": str, "channel_id": str, "user_team": str,
    "context_team_id": str, "context_enterprise_id": str, "app_installed_team_id": str,
    "is_enterprise_install": (bool, str), "is_ext_shared_channel": (bool, str),
    "event_id": str, "event_ts": str, "ts": str, "thread_ts": str, "message_ts": str, "client_msg_id": str,
    "channel_type": str, "bot_id": str, "tab": str, "text": (str, _TEXT_OBJECT), "command": str,
    "trigger_id": str, "response_url": str, "callback_id": str, "view_id": str, "hash": str,
    "private_metadata": str, "action_id": str, "block_id": str, "action_ts": str, "value": str,
    "selected_date": str, "function_execution_id": str, "execution_id": str, "bot_access_token": str,
    "inputs": dict, "workflow_step": dict, "blocks": [dict],
}
NODE.update({
    "event": NODE, "message": NODE, "previous_message": NODE, "item": NODE, "assistant_thread": NODE,
    "function_data": NODE, "view": NODE, "container": NODE, "state": NODE, "selected_option": NODE,
    "authorizations": [NODE], "response_urls": [NODE], "actions": [NODE], "selected_options": [NODE],
    # A view's state: block id -> action id -> what was entered.
    "values": {"*": {"*": NODE}},
})
REQUEST: Shape = NODE

# What bolt takes for granted once it knows the request's type (its matchers index these).
_CALLBACK: Shape = {"callback_id": Req(str)}
BY_TYPE: dict[str, Shape] = {
    "event_callback": {"event": Req({"type": Req(str)})},
    "block_actions": {"actions": Req(Some({"action_id": Req(str)}))},
    "block_suggestion": {"action_id": Req(str)},
    "view_submission": {"view": Req({"callback_id": Req(str), "type": Req(str)})},
    "view_closed": {"view": Req({"callback_id": Req(str), "type": Req(str)})},
    "shortcut": _CALLBACK, "message_action": _CALLBACK,
    "dialog_submission": _CALLBACK, "dialog_cancellation": _CALLBACK, "dialog_suggestion": _CALLBACK,
    "interactive_message": {"callback_id": Req(str), "actions": Req(Some(dict))},
    "workflow_step_edit": _CALLBACK,
    "url_verification": {"challenge": Req(str)},
}
# A slash command is recognised by its "command" field, whatever the type says.
_COMMAND: Shape = {"command": Req(str)}


def parse(raw: bytes, *, content_type: str | None) -> tuple[str, dict[str, Any]]:
    """A signed body as text, and as bolt reads it (JSON, a form, or a form carrying a JSON payload) once its
    shape is checked (``read``); Malformed when it cannot be read."""
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("not UTF-8") from None
    with _unreadable():
        parsed = _parse_body(body, content_type)
    return body, read(parsed)


def _parse_body(body: str, content_type: str | None) -> Any:
    """What bolt's ``parse_body`` makes of a body, the same to the last character (a test compares them), with
    forms decoded by ``form``: a button press's payload is JSON in a form, nearly every character escaped, and
    the standard library's decoding, a loop in Python over each escape, was the largest cost of its ack."""
    if not body or content_type == "application/json" or body.startswith("{"):
        return parse_body(body, content_type)
    fields = dict(form(body))
    if "payload" not in body:
        return fields
    payload = fields.get("payload")
    return {} if payload is None else json.loads(payload)


def form(body: str) -> list[tuple[str, str]]:
    """A form's fields as ``urllib.parse.parse_qsl(body, keep_blank_values=True)`` reads them, faster."""
    fields = []
    for pair in body.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            fields.append((_unescape(name.replace("+", " ")), _unescape(value.replace("+", " "))))
    return fields


# An escape that is not '%' and two hex digits (``unquote`` keeps it as it is).
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _unescape(text: str) -> str:
    """``urllib.parse.unquote(text)``. Where every '%' starts an escape and nothing else could read as one
    (ASCII, no '=' of its own), the escapes are decoded in C: as quoted-printable, once each '%' is '='.
    Anything else is left to ``unquote``."""
    if "%" not in text:
        return text
    if not text.isascii() or "=" in text or _LONE_PERCENT.search(text):
        return unquote(text)
    return binascii.a2b_qp(text.replace("%", "=")).decode("utf-8", "replace")


def bolt_request(body: str, *, query: str, headers: Mapping[str, str],
                 context: dict[str, Any] | None = None) -> AsyncBoltRequest:
    """bolt's request for a body ``parse`` read; Malformed when bolt could not read its context."""
    with _unreadable():
        return AsyncBoltRequest(body=body, query=query, headers=dict(headers), context=context)


@contextmanager
def _unreadable() -> Iterator[None]:
    """What bolt's reading of a body raises when it is not what Slack sends, as Malformed."""
    try:
        yield
    except RecursionError:
        raise Malformed("nested too deep") from None
    except ValueError:
        raise Malformed("not JSON") from None
    except (TypeError, AttributeError, KeyError, IndexError):
        # bolt reads its context from the body as from an object of Slack's shape.
        raise Malformed("not an object of Slack's shape") from None


def ssl_check(raw: bytes) -> bool:
    """Slack checking the server's certificate (``ssl_check=1``): answered 200 as bolt does, signed or not."""
    return b"ssl_check=1" in raw and dict(form(raw.decode("utf-8", "replace"))).get("ssl_check") == "1"


def read(body: object) -> dict[str, Any]:
    """``body`` if it has the shape bolt and pmobot's listeners expect; else Malformed."""
    if not isinstance(body, dict):
        raise Malformed("not an object")
    reason = unreadable(body)
    if reason:
        raise Malformed(reason)
    check(body, REQUEST)
    if "command" in body:
        check(body, _COMMAND)
    kind = text(body, "type")
    if kind in BY_TYPE:
        check(body, BY_TYPE[kind])
    return body


def user_id(body: Mapping[str, Any]) -> str | None:
    """Who sent a request (an event, a command, an interaction); None when it does not say."""
    user = body.get("user")
    found = user if isinstance(user, str) else text(user, "id")
    return found or text(body, "user_id") or text(field(body, "event"), "user") or None


def workspace(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The team and enterprise a request comes from."""
    team = body.get("team")
    team_id = (team if isinstance(team, str) else text(team, "id")) or text(body, "team_id") or text(
        field(body, "user"), "team_id")
    enterprise = body.get("enterprise")
    enterprise_id = (enterprise if isinstance(enterprise, str) else text(enterprise, "id")) or text(
        body, "enterprise_id")
    return team_id or None, enterprise_id or None


def label(element: object) -> str:
    """The shown text of a button or an option (its ``text`` object's text)."""
    return text(field(element, "text"), "text")


def json_object(raw: str) -> dict[str, Any]:
    """A JSON object pmobot wrote into a button value or a modal's metadata; empty when it is anything else."""
    try:
        return obj(parse_json(raw)) if raw else {}
    except Malformed:
        return {}
