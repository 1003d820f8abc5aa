"""The composition root: the one place that wires adapters to the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from pmobot.chat import Chat
from pmobot.clock import Clock, FrozenClock, SystemClock
from pmobot.config import Settings
from pmobot.conversation.engine import DialogEngine
from pmobot.conversation.spec import load_builtin_specs
from pmobot.db import Database
from pmobot.domain.calendar import BusinessCalendar
from pmobot.scheduler import Deliverer, OutboxWorker
from pmobot.services import demo
from pmobot.services.core import Core


@dataclass
class App:
    settings: Settings
    db: Database
    core: Core
    engine: DialogEngine
    chat: Chat
    deliverers: dict[str, Deliverer] = field(default_factory=dict)

    def worker(self) -> OutboxWorker:
        return OutboxWorker(db=self.db, deliverers=self.deliverers, max_attempts=self.settings.outbox_max_attempts)

    async def prepare(self, *, migrate: bool, seed_demo: bool) -> None:
        if migrate:
            await self.db.upgrade()
        else:
            await self.db.require_current()
        if seed_demo:
            async with self.db.session() as session:
                await demo.seed(session, core=self.core)

    async def close(self) -> None:
        await self.db.dispose()


def create_app(settings: Settings, *, clock: Clock | None = None) -> App:
    # Imported here so that importing pmobot.app has no side effects and the
    # hooks (which import services) load only when an app is built.
    from pmobot.dialogs import hooks

    db = Database(settings.database_url)
    if clock is None:
        clock = FrozenClock(settings.now) if settings.now else SystemClock()
    specs = load_builtin_specs()
    calendar = BusinessCalendar(timezone=settings.timezone, country=settings.holidays_country)
    core = Core(db=db, clock=clock, settings=settings, calendar=calendar, specs=specs)
    engine = DialogEngine(specs=specs, hooks=hooks, today=core.today, default_currency=settings.default_currency)
    return App(settings=settings, db=db, core=core, engine=engine, chat=Chat(core=core, engine=engine))


def attach_console(app: App, *, start_as: str, people: dict[str, str], out: IO[str] | None = None):  # type: ignore[no-untyped-def]
    """Switch the console platform on: its IT channel and its deliverer."""
    from pmobot.adapters.console import ConsoleChat

    console = ConsoleChat(chat=app.chat, clock=app.core.clock, people=people, start_as=start_as, out=out)
    app.core.it_channels["console"] = app.settings.it_channel
    app.deliverers["console"] = console.deliverer
    console.worker = app.worker()
    return console
