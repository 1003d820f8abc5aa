"""What the composition root expects of a chat platform's adapter.

An adapter (``pmobot.adapters.slack``, ``pmobot.adapters.teams``) builds one
object of this shape from the core it is given; ``pmobot serve`` mounts its
routes on the one aiohttp server, registers its deliverer with the outbox
worker and its IT channel with the core, and starts and stops it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from aiohttp import web

from pmobot.scheduler import Deliverer

if TYPE_CHECKING:
    from pmobot.chat import PlatformTraits


class Platform(Protocol):
    # Read-only, so that an adapter may hold its own deliverer class.
    @property
    def name(self) -> str:
        """The platform's name in the database (Account.platform, OutboxMessage.platform)."""

    @property
    def deliverer(self) -> Deliverer:
        """What the outbox worker hands this platform's messages to."""

    @property
    def traits(self) -> PlatformTraits:
        """What it can show (forms or not), registered with Chat by the composition root."""

    def it_channel(self) -> str | None:
        """The IT intake channel's address on this platform, if known yet."""

    def mount(self, web_app: web.Application) -> None:
        """Add this platform's routes (e.g. /slack/events, /api/messages)."""

    async def start(self) -> None:
        """Open connections that run beside the HTTP server (e.g. Slack Socket Mode)."""

    async def stop(self) -> None:
        """Close them; called once at shutdown."""


class ConfigurationError(Exception):
    """A platform is switched on but cannot run safely: the message names the setting."""
