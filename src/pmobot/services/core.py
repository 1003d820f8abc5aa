"""What every use case needs, handed over by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from pmobot.clock import Clock
from pmobot.config import Settings
from pmobot.conversation.spec import DialogSpec
from pmobot.db import Database
from pmobot.domain.calendar import BusinessCalendar
from pmobot.domain.scoring import Policy

if TYPE_CHECKING:
    from pmobot.services.inbox import Arrivals


def _default_policy() -> Policy:
    # Imported here: the loader reads the shipped file, which a Core built by hand (tests) may not need.
    from pmobot.services.policy import load_default

    return load_default()


@dataclass
class Core:
    db: Database
    clock: Clock
    settings: Settings
    calendar: BusinessCalendar
    # The dialog specs by id (intake, estimate...), loaded once at start-up.
    specs: dict[str, DialogSpec]
    # Where the edge stores each request before acknowledging it (``services.inbox``).
    arrivals: Arrivals
    # Each platform that is switched on -> its configured IT intake channel (None
    # until one is chosen in chat; ``services.addresses.it_channel`` has the final say).
    it_channels: dict[str, str | None] = field(default_factory=dict)
    # The published scoring policy (and the committee's quorum), checked at start-up.
    policy: Policy = field(default_factory=_default_policy)
    # Called when a request was queued (``services.inbox``): the inbound workers of this process wake up.
    wakers: list[Callable[[], None]] = field(default_factory=list)
    # The policy versions stored, by digest (``services.policy.version_of``): a stored version never changes.
    policy_versions: dict[str, int] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock.now()

    def queued(self) -> None:
        """A request was stored in the inbound queue: wake the workers of this process."""
        for wake in self.wakers:
            wake()

    def today(self) -> date:
        return self.calendar.local_day(self.clock.now())

    @property
    def org_locale(self) -> str:
        return self.settings.default_locale
