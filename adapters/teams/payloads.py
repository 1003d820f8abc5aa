"""What an incoming Teams activity must look like, and where pmobot may answer it: one home for both.

``/api/messages`` reads a request in this order (``TeamsPlatform.handle``):

1. a bearer token must be there (401 otherwise, before the body is read);
2. the body is parsed without ever raising anything but ``Malformed``;
3. the token is checked by the Bot Framework SDK against the activity's
   channel and service URL, read here with typed readers (``probe``): 401;
4. only then is the activity's shape checked (``ACTIVITY``) and turned into
   the SDK's ``Activity``: an authenticated request pmobot cannot read gets 400;
5. its ``serviceUrl``, where every reply of the turn goes, must be on the
   allow-list (``ServiceUrls``): 400 otherwise, and no call leaves pmobot.
"""

from __future__ import annotations

import fnmatch
import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from azure.core.exceptions import DeserializationError
from botbuilder.schema import Activity

from pmobot.payloads import Malformed, Req, Shape, Short, check, text

# Ids are kept in columns of 255 characters (a person's account, a conversation) or in a repeated-delivery
# key; Teams' own are far shorter, so a longer one is not Teams' and is refused before anything stores it.
_ID_CHARS = Short(255)
_ACCOUNT: dict[str, Shape] = {"id": _ID_CHARS, "name": str, "aadObjectId": str, "role": str}
_WHO: Shape = Req({**_ACCOUNT, "id": Req(_ID_CHARS)})
_ID: Shape = {"id": _ID_CHARS}
# Every field pmobot or the SDK reads, of the type they read it as.
ACTIVITY: Shape = {
    "type": Req(Short(40)), "id": Short(200), "name": str, "text": str, "locale": str, "replyToId": str, "action": str,
    "channelId": Req(str), "serviceUrl": Req(str), "textFormat": str, "timestamp": str, "localTimestamp": str,
    # Who wrote, to whom, where: a request without them names nobody and nowhere.
    "from": _WHO, "recipient": _WHO,
    "conversation": Req({"id": Req(_ID_CHARS), "name": str, "conversationType": str, "tenantId": str, "isGroup": bool}),
    "channelData": {"channel": _ID, "team": _ID, "tenant": _ID, "eventType": str},
    "entities": [{"type": str, "text": str, "mentioned": _ACCOUNT}],
    "attachments": [{"contentType": str, "contentUrl": str, "name": str}],
    "membersAdded": [_ACCOUNT], "membersRemoved": [_ACCOUNT],
}


def probe(value: object) -> Activity:
    """What the token is checked against (the channel and service URL it must name), read from
    whatever was sent: nothing in it is trusted, nor needed to be well formed, yet."""
    return Activity(channel_id=text(value, "channelId") or None, service_url=text(value, "serviceUrl") or None)


def activity(value: object) -> Activity:
    """The SDK's activity for a JSON value of ``ACTIVITY``'s shape; Malformed otherwise."""
    if not isinstance(value, dict):
        raise Malformed("not an object")
    check(value, ACTIVITY)
    try:
        read = Activity().deserialize(value)
    except (DeserializationError, ValueError, TypeError, AttributeError) as exc:
        raise Malformed(f"not an activity ({type(exc).__name__})") from None
    if not isinstance(read, Activity) or not read.type:
        raise Malformed("not an activity")
    return read


class ServiceUrls:
    """The hosts pmobot may send a turn's replies to (the activity's ``serviceUrl``).

    A forged or misdirected activity must not make pmobot call a host it names:
    only the Bot Framework's own hosts (PMOBOT_TEAMS_SERVICE_HOSTS: its public ones by default),
    over HTTPS, plus those configured for a private cloud or a test; loopback
    addresses over HTTP only for the Bot Framework Emulator (``--teams-insecure-local``).
    """

    def __init__(self, patterns: Iterable[str], *, loopback: bool = False) -> None:
        self.patterns = tuple(p.strip().lower() for p in patterns if p.strip())
        self.loopback = loopback

    def allows(self, url: str | None) -> bool:
        try:
            parts = urlsplit(url or "")
            host = (parts.hostname or "").lower()
        except ValueError:
            return False
        if not host:
            return False
        if self.loopback and parts.scheme in ("http", "https") and _is_loopback(host):
            return True
        return parts.scheme == "https" and any(fnmatch.fnmatchcase(host, pattern) for pattern in self.patterns)

    @staticmethod
    def host(url: str | None) -> str:
        """The host of ``url``, for a log line (never the whole URL)."""
        try:
            return (urlsplit(url or "").hostname or "none")[:100]
        except ValueError:
            return "unreadable"


def hosts_of(*urls: str) -> list[str]:
    """The hosts of configured endpoint URLs (a test's or a private cloud's Bot Framework)."""
    out = []
    for url in urls:
        host = urlsplit(url).hostname
        if host:
            out.append(host.lower())
    return out


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

