"""Acknowledge, then work: how every Slack listener answers within Slack's three seconds.

A listener is written once, as ``async def work(request: Incoming) -> None``,
and declared with the way it is acknowledged:

- ``FollowUps.queued(work)``: the request is stored in the inbound queue
  (``services.inbox``) under its repeated-delivery key, then acknowledged;
  an inbound worker runs ``work`` on it after (``FollowUps.run``), exactly
  once, in order per person (commands, buttons, shortcuts, the App Home).
  Commands, buttons and shortcuts, whose every listener is ``queued``, are
  stored as they came, before bolt (``takes_as_it_came``, ``store_as_it_came``):
  the edge then does nothing but check, store and acknowledge, and the worker
  dispatches the stored request through bolt, whose listener runs ``work``
  (``run_as_it_came``);
- ``FollowUps.checked(check, work)``: ``check`` runs before the ack and acks
  itself with what Slack must show at once (a modal's errors, its next page);
  or it accepts the request (``Accepted``: its key, its ack), which is then
  stored and acknowledged as ``queued`` does, and ``work`` runs after (a
  modal's submission);
- ``FollowUps.after_ack(work)``: ack at once; ``work`` runs after, in one of
  FOLLOW_UP_SLOTS, in memory (lost if the process dies: kept for tests);
- ``FollowUps.within_budget(work)``: ``work`` runs before bolt's automatic ack
  of an event when it takes less than ACK_BUDGET (nearly always), so a message
  is stored before Slack hears "OK"; else it finishes after;
- ``ack_only``: nothing to do but say "received".

Work after the ack never dies silently: a failure is logged with its listener's name.
A request whose shape a listener cannot read (``payloads.Malformed``: a signed
event without its user or channel) is dropped with one short warning, never a traceback.
``settle()`` waits for all of it (shutdown, tests).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from pmobot import payloads as read
from pmobot.adapters.slack.clients import PLATFORM
from pmobot.adapters.slack.payloads import bolt_request as read_request
from pmobot.domain import keys
from pmobot.domain.models_inbound import InboundRequest
from pmobot.payloads import Malformed
from pmobot.services import inbox
from pmobot.services.core import Core

log = logging.getLogger(__name__)

# Work done before acknowledging an event, at most (Slack waits 3 s).
ACK_BUDGET = 2.0
# Work after the ack runs at most this many at a time: a burst of follow-ups
# cannot crowd out the acknowledgements Slack needs within three seconds.
FOLLOW_UP_SLOTS = 4


@dataclass(frozen=True)
class Incoming:
    """One request from Slack, as a listener's work sees it."""

    body: dict[str, Any]
    # The event, action, command, shortcut or view the request is about.
    payload: dict[str, Any]
    client: AsyncWebClient
    context: AsyncBoltContext
    ack: AsyncAck

    @property
    def response_url(self) -> str | None:
        return read.text(self.body, "response_url") or None

    @property
    def trigger_id(self) -> str | None:
        return read.text(self.body, "trigger_id") or None


Work = Callable[[Incoming], Awaitable[None]]


@dataclass(frozen=True)
class Accepted:
    """A request ``check`` let through: stored under ``key``, acknowledged with ``ack`` (what Slack shows)."""

    key: keys.DeliveryKey
    ack: dict[str, Any]


# The kind of a row stored as it came (``store_as_it_came``): the worker dispatches it through bolt.
AS_IT_CAME = "request"
# The request types whose every listener is ``queued`` (or only acknowledges), with slash commands: nothing
# is needed in their ack, so they are stored before bolt sees them. A listener of these types that must
# answer in its ack (``checked``) would have to go through bolt at the edge: take its type out of here.
_STORED_AS_THEY_CAME = ("block_actions", "shortcut", "message_action")


@dataclass
class _Replay:
    """A stored request's run through bolt in a worker: whether a queued listener took it, what it raised."""

    ran: bool = False
    error: Exception | None = None


# Where bolt's context carries the ``_Replay`` of a stored request run by a worker.
_REPLAY = "pmobot_replay"


# Acks the request itself and returns None, or accepts it for a worker.
Check = Callable[[Incoming], Awaitable[Accepted | None]]
# The client of the workspace a stored request came from (team id, enterprise id).
ClientFor = Callable[[str | None, str | None], Awaitable[AsyncWebClient]]
# bolt's dispatch of a request (a worker replays a stored one through it).
Dispatch = Callable[[AsyncBoltRequest], Awaitable[BoltResponse]]
# What bolt calls: its arguments are injected by name.
Listener = Callable[[AsyncAck, dict[str, Any], dict[str, Any], AsyncWebClient, AsyncBoltContext], Awaitable[None]]


async def ack_only(ack: AsyncAck) -> None:
    await ack()


class FollowUps:
    """The tasks started by listeners, the bounded pool they wait in, and the wrappers that start them."""

    def __init__(self, *, slots: int = FOLLOW_UP_SLOTS, core: Core | None = None) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(slots)
        self.core = core
        # The queued listeners' work by name (an inbound row's ``kind``).
        self.works: dict[str, Work] = {}

    def queued(self, work: Work, *, keep: Callable[[dict[str, Any]], bool] | None = None) -> Listener:
        """Store the request, then acknowledge it: an inbound worker runs ``work`` on it (``run``).
        ``keep``: whether a request carries work at all (its payload); one that does not is only acknowledged."""
        core = self.core
        if core is None:
            return self.after_ack(work)
        kind = _name(work)
        self.works[kind] = work

        async def listener(ack: AsyncAck, body: dict[str, Any], payload: dict[str, Any], client: AsyncWebClient,
                           context: AsyncBoltContext) -> None:
            if keep is not None and not keep(payload or {}):
                await ack()  # pmobot's own messages, edits, joins: nothing to do
                return
            replay = context.get(_REPLAY)
            if isinstance(replay, _Replay):
                # Stored as it came, now dispatched by a worker: the work itself, its failure raised to the
                # worker (``run_as_it_came``) rather than to bolt's error handler.
                await ack()
                replay.ran = True
                try:
                    await work(Incoming(body, payload or {}, client, context, ack))
                except Exception as exc:
                    replay.error = exc
                return
            await _store(core, kind, _stored(body, payload or {}, context), body=body, payload=payload or {}, key=None)
            await ack()

        return listener

    def checked(self, check: Check, work: Work) -> Listener:
        """``check`` before the ack (it acks, or accepts the request); an accepted request is stored, then
        acknowledged as ``check`` said, and an inbound worker runs ``work`` on it."""
        core = self.core
        kind = _name(work)
        self.works[kind] = work

        async def listener(ack: AsyncAck, body: dict[str, Any], payload: dict[str, Any], client: AsyncWebClient,
                           context: AsyncBoltContext) -> None:
            try:
                accepted = await check(Incoming(body, payload or {}, client, context, ack))
            except Malformed as exc:
                _dropped(kind, exc)
                if ack.response is None:
                    await ack()
                return
            if accepted is None:
                return  # acknowledged by ``check`` (errors to show, a next page)
            if core is None:
                await ack(**accepted.ack)
                self.spawn(work(Incoming(body, payload or {}, client, context, ack)), name=kind)
                return
            await _store(core, kind, _stored(body, payload or {}, context), body=body, payload=payload or {},
                         key=accepted.key)
            await ack(**accepted.ack)

        return listener

    async def run(self, row: InboundRequest, client_for: ClientFor) -> None:
        """Run the work of a stored request, as its listener would have (an inbound worker calls this)."""
        work = self.works.get(row.kind)
        if work is None:
            log.warning("slack: a stored request of an unknown kind %.40r is dropped", row.kind)
            return
        stored = row.body
        context = read.field(stored, "context")
        team_id, enterprise_id = read.text(context, "team_id") or None, read.text(context, "enterprise_id") or None
        bolt_context = AsyncBoltContext({"bot_user_id": read.text(context, "bot_user_id") or None,
                                         "team_id": team_id, "enterprise_id": enterprise_id})
        client = await client_for(team_id, enterprise_id)
        try:
            await work(Incoming(read.field(stored, "body"), read.field(stored, "payload"), client, bolt_context,
                                AsyncAck()))  # type: ignore[no-untyped-call]  # nobody waits for this ack
        except Malformed as exc:
            _dropped(row.kind, exc)

    def takes_as_it_came(self, body: dict[str, Any]) -> bool:
        """Whether a request (read and shape-checked) is stored as it came, bolt left to the worker."""
        return self.core is not None and ("command" in body or read.text(body, "type") in _STORED_AS_THEY_CAME)

    async def store_as_it_came(self, body: dict[str, Any], text: str, *, content_type: str | None) -> None:
        """Store a request ``takes_as_it_came`` took, under its repeated-delivery key, before its ack."""
        assert self.core is not None
        await _store(self.core, AS_IT_CAME, {"raw": text, "content_type": content_type}, body=body,
                     payload=_payload_of(body), key=None)

    async def run_as_it_came(self, row: InboundRequest, dispatch: Dispatch) -> None:
        """Dispatch a request stored as it came through bolt: its listener runs its work (an inbound worker
        calls this); what the work raised is raised here, for the worker to try again."""
        replay = _Replay()
        content_type = read.text(row.body, "content_type")
        request = read_request(read.text(row.body, "raw"), query="",
                               headers={"content-type": content_type} if content_type else {},
                               context={_REPLAY: replay})
        await dispatch(request)
        if replay.error is None:
            if not replay.ran:
                log.debug("slack: a stored request no queued listener works on was acknowledged only")
            return
        if isinstance(replay.error, Malformed):
            _dropped(row.kind, replay.error)
            return
        raise replay.error

    def after_ack(self, work: Work) -> Listener:
        async def listener(ack: AsyncAck, body: dict[str, Any], payload: dict[str, Any], client: AsyncWebClient,
                           context: AsyncBoltContext) -> None:
            await ack()
            self.spawn(work(Incoming(body, payload or {}, client, context, ack)), name=_name(work))

        return listener

    def within_budget(self, work: Work) -> Listener:
        async def listener(ack: AsyncAck, body: dict[str, Any], payload: dict[str, Any], client: AsyncWebClient,
                           context: AsyncBoltContext) -> None:
            # Not queued: a pool full of follow-ups must not hold back the work an ack waits for.
            task = self.spawn(work(Incoming(body, payload or {}, client, context, ack)), name=_name(work),
                              queued=False)
            await asyncio.wait({task}, timeout=ACK_BUDGET)

        return listener

    def spawn(self, work: Awaitable[None], *, name: str, queued: bool = True) -> asyncio.Task[None]:
        """Run ``work`` in the background; ``queued`` work waits for one of the slots."""

        async def run() -> None:
            try:
                await work
            except Malformed as exc:
                _dropped(name, exc)
            except Exception:
                # Catch-all on purpose: nobody awaits this task, so anything it raises
                # would vanish; log it once, with the listener it came from.
                log.exception("slack: %s failed after the ack", name)

        async def guarded() -> None:
            if not queued:
                await run()
                return
            async with self._slots:
                await run()

        task = asyncio.get_running_loop().create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def settle(self) -> None:
        """Wait for the work started after acknowledgements, including work it starts in turn."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


async def _store(core: Core, kind: str, stored: dict[str, Any], *, body: dict[str, Any], payload: dict[str, Any],
                 key: keys.DeliveryKey | None) -> None:
    """Queue a request (``body``, ``payload``) as ``stored``, what its work needs to run later; committed
    before the ack, so a crash after it loses nothing (a failure here is no ack: Slack retries). ``key``: its
    repeated-delivery key, else the request's natural one."""
    who = _user_id(body, payload) or "anyone"
    await core.arrivals.receive(platform=PLATFORM, kind=kind, key=key or _request_key(body, payload, who),
                                conversation=inbox.conversation_of(PLATFORM, who), body=stored, now=core.now())
    core.queued()


def _stored(body: dict[str, Any], payload: dict[str, Any], context: AsyncBoltContext) -> dict[str, Any]:
    """What a queued listener stores of a request bolt dispatched: its body, payload and workspace."""
    return {"body": body, "payload": payload,
            "context": {"bot_user_id": context.bot_user_id, "team_id": context.team_id,
                        "enterprise_id": context.enterprise_id}}


def _payload_of(body: dict[str, Any]) -> dict[str, Any]:
    """What bolt hands a listener as its payload: a button press's action, else the body itself."""
    if read.text(body, "type") == "block_actions":
        actions = body.get("actions")
        if isinstance(actions, list) and actions and isinstance(actions[0], dict):
            return actions[0]
    return body


def _dropped(name: str, exc: Malformed) -> None:
    # Signed by Slack yet missing what the listener needs (a user, a channel): one line, no body.
    log.warning("slack: %s dropped a request it cannot read (%s)", name, exc)


def _user_id(body: dict[str, Any], payload: dict[str, Any]) -> str:
    """Who sent a request: a command's ``user_id``, an interaction's ``user.id``, an event's ``user``."""
    return (read.text(body, "user_id") or read.text(read.field(body, "user"), "id")
            or read.text(payload, "user"))


def _request_key(body: dict[str, Any], payload: dict[str, Any], who: str) -> keys.DeliveryKey:
    """The repeated-delivery key of a request: its event id, its button press, its trigger."""
    if event_id := read.text(body, "event_id"):
        return keys.event(event_id)
    if pressed := read.text(payload, "action_ts"):
        return keys.action(who, pressed)
    if trigger := read.text(body, "trigger_id"):
        return keys.command(trigger) if read.text(body, "command") else keys.shortcut(trigger)
    # Nothing natural to recognise a repeat by (never seen from Slack): stored once, as it came.
    return keys.command(uuid.uuid4().hex)


def _name(work: Work) -> str:
    return getattr(work, "__qualname__", None) or repr(work)
