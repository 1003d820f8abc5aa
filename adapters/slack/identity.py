"""Who is talking: a Slack user id turned into pmobot's ``Identity``, with the language to answer in.

``users.info`` is asked only on first contact (or while the person's language
is unknown); members of the IT intake channel may be IT by that alone
(PMOBOT_SLACK_IT_CHANNEL_MEMBERS_ARE_IT), the member list cached in the
database so every replica shares it. People and references are reached
through ``pmobot.services``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from pmobot.adapters.slack import payloads
from pmobot.adapters.slack.clients import CALL_FAILED, PLATFORM
from pmobot.chat import Chat
from pmobot.config import Settings
from pmobot.domain import keys
from pmobot.payloads import Malformed
from pmobot.services import addresses, people
from pmobot.services.core import Core
from pmobot.services.people import Identity

log = logging.getLogger(__name__)

# users.info on first contact must not eat the ack budget when Slack is slow.
USERS_INFO_TIMEOUT = 1.0
# users.info is not asked again for this long about someone it told no time zone: asked at each of their
# messages, it cost a Web API call and a second reading of the person per request.
ASKED_TTL = timedelta(hours=1)
# At most this many people remembered as asked (the oldest forgotten first).
ASKED_MOST = 10_000
# Membership of the IT channel is read again after this long.
MEMBERS_TTL = timedelta(minutes=10)
MEMBERS_PAGES = 10
MEMBERS_PAGE_SIZE = 200
# A Slack user id, as a mention carries it ("<@U0123ABC|bob>"): anything else is not asked of Slack.
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


@dataclass(frozen=True)
class Caller:
    """The person behind a request and the language to answer them in."""

    identity: Identity
    locale: str

    @property
    def user_id(self) -> str:
        return self.identity.external_id


class Directory:
    def __init__(self, *, chat: Chat, core: Core, settings: Settings, client: AsyncWebClient,
                 oauth: bool) -> None:
        self.chat = chat
        self.core = core
        # Read at each request: the IT-channel option may change while pmobot runs (tests do).
        self.settings = settings
        self.client = client
        self.oauth = oauth
        # Whom users.info gave no time zone, and when (this process): not asked again within ASKED_TTL.
        self._asked: dict[str, datetime] = {}

    async def caller(self, body: dict[str, Any], client: AsyncWebClient | None) -> Caller:
        """Whoever sent ``body`` (an event, a command, an interaction), and the workspace they are in.

        Malformed when it does not say who: nobody is made up (no person named "None").
        """
        user_id = payloads.user_id(body)
        if user_id is None:
            raise Malformed("no user id")
        team_id, enterprise_id = payloads.workspace(body)
        return await self.lookup(user_id, client=client, team_id=team_id, enterprise_id=enterprise_id)

    def mentions(self, body: dict[str, Any], client: AsyncWebClient | None) -> Mentions:
        """The people this request's mentions name, for the core to ask about (``people.Directory``)."""
        team_id, enterprise_id = payloads.workspace(body)
        return Mentions(self, client or self.client, team_id, enterprise_id)

    async def describe(self, user_id: str, client: AsyncWebClient) -> Identity | None:
        """A Slack user as ``users.info`` describes them; None for nobody, a bot, or when Slack cannot say."""
        try:
            info = await asyncio.wait_for(client.users_info(user=user_id, include_locale=True), USERS_INFO_TIMEOUT)
        except CALL_FAILED as exc:
            # user_not_found among them: the command then says it knows nobody by that name.
            log.info("slack: users.info for mentioned %s failed (%s)", user_id, type(exc).__name__)
            return None
        user = info.get("user") or {}
        if not user or user.get("is_bot") or user.get("deleted"):
            return None
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user_id
        return Identity(PLATFORM, user_id, name, user.get("name") or user_id, locale=user.get("locale"),
                        email=profile.get("email"), timezone=user.get("tz"))

    async def lookup(self, user_id: str, *, client: AsyncWebClient | None = None, team_id: str | None = None,
                     enterprise_id: str | None = None) -> Caller:
        """The person behind a Slack user id.

        ``users.info`` is asked on first contact only, or while their language or time zone is unknown
        (people known before time zones were kept get theirs at their next message; someone Slack gives
        no time zone is asked again after ASKED_TTL). What it says about someone already met is recorded
        by the core with the work (``people.resolve``), not here.
        """
        client = client or self.client
        implied = await self._implied_roles(user_id, client)
        known = await people.look_up(self.core, platform=PLATFORM, user_id=user_id)
        person = known.person if known else None
        if person is not None and person.locale and (person.timezone or self._asked_lately(user_id)):
            # The stored language travels as the platform's hint: replies are rendered without another lookup.
            identity = Identity(PLATFORM, user_id, person.display_name, person.handle, locale=person.locale,
                                implied_roles=implied, known=known)
            return Caller(identity, people.locale_of(person, self.core, identity.locale))
        name = person.display_name if person else user_id
        handle = person.handle if person else user_id
        locale = email = zone = None
        try:
            info = await asyncio.wait_for(client.users_info(user=user_id, include_locale=True), USERS_INFO_TIMEOUT)
            user = info.get("user") or {}
            profile = user.get("profile") or {}
            name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or name
            handle = user.get("name") or handle
            locale = user.get("locale")
            email = profile.get("email")  # verified by Slack (users:read.email): links accounts across platforms
            zone = user.get("tz")  # the owner's weekly check-in comes at their own hour
            if not zone:
                self._remember_asked(user_id)  # Slack gives none: not asked again at every message
        except CALL_FAILED as exc:
            # The org default will do for now; the name and language are asked again next time.
            log.info("slack: users.info for %s failed (%s); trying again next time", user_id, type(exc).__name__)
        identity = Identity(PLATFORM, user_id, name, handle, locale=locale, email=email, implied_roles=implied,
                            timezone=zone, known=known)
        if locale or (self.oauth and team_id):
            if person is None:
                # Creates the person on first contact, keeping the language users.info gave:
                # users.info is not called for them again.
                await self.chat.locale_for(identity)
            await self.remember_workspace(user_id, team_id, enterprise_id)
        return Caller(identity, people.locale_of(person, self.core, locale))

    def _asked_lately(self, user_id: str) -> bool:
        asked = self._asked.get(user_id)
        return asked is not None and self.core.now() - asked < ASKED_TTL

    def _remember_asked(self, user_id: str) -> None:
        self._asked.pop(user_id, None)
        if len(self._asked) >= ASKED_MOST:
            del self._asked[next(iter(self._asked))]  # the oldest (a dict keeps its order)
        self._asked[user_id] = self.core.now()

    async def remember_workspace(self, user_id: str, team_id: str | None, enterprise_id: str | None) -> None:
        """Where to reach a person when pmobot is installed in several workspaces."""
        if self.oauth and team_id:
            async with self.core.db.session() as session:
                await addresses.remember(session, core=self.core, platform=PLATFORM, kind="person", address=user_id,
                                         reference={"team_id": team_id, "enterprise_id": enterprise_id})

    async def _implied_roles(self, user_id: str, client: AsyncWebClient) -> frozenset[str]:
        """IT for members of the IT intake channel, when PMOBOT_SLACK_IT_CHANNEL_MEMBERS_ARE_IT is on."""
        channel = self.settings.it_channel
        if not self.settings.slack_it_channel_members_are_it or not channel:
            return frozenset()
        members = await self._channel_members(channel, client)
        return frozenset({"it"}) if user_id in members else frozenset()

    async def _channel_members(self, channel: str, client: AsyncWebClient) -> set[str]:
        """Members of ``channel``, cached in the database for MEMBERS_TTL (shared by replicas)."""
        address = keys.channel_members(channel)
        now = self.core.now()
        async with self.core.db.session() as session:
            cached = await addresses.reference(session, platform=PLATFORM, kind="channel", address=address)
        if cached and cached.get("at"):
            try:
                if now - datetime.fromisoformat(cached["at"]) < MEMBERS_TTL:
                    return set(cached.get("members") or [])
            except ValueError:
                pass  # a cache entry pmobot cannot read is read again from Slack
        members: list[str] = []
        cursor: str | None = None
        try:
            for _ in range(MEMBERS_PAGES):
                # No cursor on the first page: None, which the client leaves out of the call.
                page = await client.conversations_members(channel=channel, limit=MEMBERS_PAGE_SIZE, cursor=cursor)
                members += page.get("members") or []
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except CALL_FAILED as exc:
            # The last known members (or none) until Slack answers again.
            log.warning("slack: members of the IT channel unknown (%s)", type(exc).__name__)
            return set(cached.get("members") or []) if cached else set()
        async with self.core.db.session() as session:
            await addresses.remember(session, core=self.core, platform=PLATFORM, kind="channel", address=address,
                                     reference={"members": members, "at": now.isoformat()})
        return set(members)


class Mentions:
    """Who the mentions of one request name, as Slack says (a ``people.Directory`` for the core).

    Bound to the request's workspace client. The core asks only about people it
    has not met; their workspace is remembered once the request is handled
    (``settle``), outside the core's transaction.
    """

    def __init__(self, directory: Directory, client: AsyncWebClient, team_id: str | None,
                 enterprise_id: str | None) -> None:
        self.directory = directory
        self.client = client
        self.team_id = team_id
        self.enterprise_id = enterprise_id
        self.described: list[str] = []

    async def identify(self, reference: str) -> Identity | None:
        if not _USER_ID.match(reference):
            return None  # a name typed without a mention: Slack is not searched by name
        identity = await self.directory.describe(reference, self.client)
        if identity is not None:
            self.described.append(identity.external_id)
        return identity

    async def settle(self) -> None:
        for user_id in self.described:
            await self.directory.remember_workspace(user_id, self.team_id, self.enterprise_id)

