"""The composition root: the one place that wires adapters to the core."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import IO, TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from pmobot import i18n
from pmobot.chat import Chat, PlatformTraits
from pmobot.clock import Clock, FrozenClock, SystemClock
from pmobot.commands.builtin import builtin_commands
from pmobot.config import Settings
from pmobot.conversation.engine import DialogEngine
from pmobot.conversation.spec import load_builtin_specs, load_specs
from pmobot.db import Database
from pmobot.domain.calendar import BusinessCalendar
from pmobot.domain.models import OutboxMessage
from pmobot.jobs.registry import builtin_jobs
from pmobot.jobs.runner import JOBS_TICK, JobRunner
from pmobot.messages import Message
from pmobot.platforms import ConfigurationError, Platform
from pmobot.scheduler import Deliverer, OutboxWorker, build_scheduler
from pmobot.server import Leadership
from pmobot.services import deliveries, demo, duplicates, estimation, inbox, policy_changes
from pmobot.services.assessment import assess_spec
from pmobot.services.core import Core
from pmobot.services.policy import load as load_policy
from pmobot.workers import Acknowledging, Handler, InboundWorker

if TYPE_CHECKING:
    # Only named in signatures: an adapter is imported when it is switched on.
    from pmobot.adapters.console import ConsoleChat
    from pmobot.adapters.teams.auth import Endpoints


@dataclass
class App:
    settings: Settings
    db: Database
    core: Core
    engine: DialogEngine
    chat: Chat
    deliverers: dict[str, Deliverer] = field(default_factory=dict)
    # Each platform's handler of its stored requests (the inbound queue), by platform name.
    inbound_handlers: dict[str, Handler] = field(default_factory=dict)
    # Set by ``prepare`` when the scoring policy is a new version: what moved in the ranking.
    policy_change: policy_changes.Change | None = None
    # The requests the web endpoints of this process are acknowledging: its inbound workers let them go first.
    acknowledging: Acknowledging = field(default_factory=Acknowledging)

    def worker(self) -> OutboxWorker:
        return OutboxWorker(db=self.db, deliverers=self.deliverers, max_attempts=self.settings.outbox_max_attempts,
                            on_failure=self._delivery_failed, clock=self.core.clock,
                            time_budget=timedelta(seconds=self.settings.outbox_time_budget_seconds))

    def inbound_worker(self) -> InboundWorker:
        """A worker of the inbound queue, woken when a request is stored in this process."""
        worker = InboundWorker(db=self.db, clock=self.core.clock, handlers=self.inbound_handlers,
                               acknowledging=self.acknowledging)
        self.core.wakers.append(worker.wake)
        return worker

    async def _delivery_failed(self, row: OutboxMessage, reason: str, unreachable: bool) -> None:
        async with self.db.session() as session:
            await deliveries.record_failure(session, core=self.core, row=row, reason=reason, unreachable=unreachable)

    def warm_ups(self) -> list[Callable[[], object]]:
        """What a serving process loads in a thread at start beside the language models (``LanguageModels``),
        not in the event loop at a first request or job: the message catalogs, this year's holidays."""
        return [*(partial(i18n.catalog, locale) for locale in i18n.LOCALES),
                partial(self.core.calendar.warm_up, self.core.today())]

    def jobs(self) -> JobRunner:
        """The declared scheduled jobs, each run once per period (``pmobot serve``, ``pmobot jobs``)."""
        return JobRunner(core=self.core, jobs=builtin_jobs())

    def scheduler(self, *, leadership: Leadership, outbox_every: float = 1.0,
                  jobs_every: timedelta = JOBS_TICK) -> AsyncIOScheduler:
        """The jobs of a serving process: the outbox on every replica; on the leader, a tick that runs the
        scheduled jobs whose slot has come (leadership re-checked before each), a missed one once, late."""
        scheduler = build_scheduler(worker=self.worker(), clock=self.core.clock, every_seconds=outbox_every)
        scheduler.add_job(self.jobs().run_due, "interval", seconds=jobs_every.total_seconds(), id="jobs",
                          kwargs={"leading": leadership.try_acquire}, max_instances=1, coalesce=True,
                          next_run_time=self.core.clock.now())
        return scheduler

    async def prepare(self, *, migrate: bool, seed_demo: bool) -> None:
        if migrate:
            await self.db.upgrade()
        else:
            await self.db.require_current()
        if seed_demo:
            async with self.db.session() as session:
                await demo.seed(session, core=self.core)
        # The scoring policy in force: a new version is recorded, and the PMO told what moved.
        async with self.db.session() as session:
            self.policy_change = await policy_changes.publish(session, core=self.core)
        # Built now, so that no requester waits for it at their first intake, nor a request for its storing.
        await duplicates.index_of(core=self.core)
        self.core.arrivals.prepare()

    def policy_notice(self) -> str | None:
        """One line for the operator at start when the scoring policy is a new version."""
        change = self.policy_change
        if change is None or change.previous is None:
            return None
        return (f"scoring policy v{change.version.version} ({change.version.method}) from {self.core.policy.source}: "
                f"{len(change.moves)} need(s) moved in the ranking since v{change.previous.version}; "
                "the PMO admins are told, /pmo policy shows it")

    async def close(self) -> None:
        await self.db.dispose()


def create_app(settings: Settings, *, clock: Clock | None = None) -> App:
    # Imported here so that importing pmobot.app has no side effects and the
    # hooks (which import services) load only when an app is built.
    from pmobot.dialogs import hooks

    db = Database(settings.database_url)
    if clock is None:
        clock = FrozenClock(settings.now) if settings.now else SystemClock()
    specs = load_specs(settings.dialogs_dir) if settings.dialogs_dir else load_builtin_specs()
    estimation.check_specs(specs)
    calendar = BusinessCalendar(timezone=settings.timezone, country=settings.holidays_country)
    policy = load_policy(settings.policy_file)
    specs = {**specs, "assess": assess_spec(specs, policy)}
    core = Core(db=db, clock=clock, settings=settings, calendar=calendar, specs=specs, policy=policy,
                arrivals=inbox.Arrivals(db))
    engine = DialogEngine(specs=specs, hooks=hooks, today=core.today, default_currency=settings.default_currency)
    chat = Chat(core=core, engine=engine, commands=builtin_commands())
    return App(settings=settings, db=db, core=core, engine=engine, chat=chat)


def attach_console(app: App, *, start_as: str, people: dict[str, str], out: IO[str] | None = None) -> ConsoleChat:
    """Switch the console platform on: its IT channel and its deliverer."""
    from pmobot.adapters.console import ConsoleChat

    console = ConsoleChat(chat=app.chat, clock=app.core.clock, people=people, start_as=start_as, out=out)
    # A terminal shows no forms: every spec runs as a conversation.
    app.chat.add_platform("console", PlatformTraits())
    app.core.it_channels["console"] = app.settings.it_channel
    app.deliverers["console"] = console.deliverer
    console.worker = app.worker()
    return console


def attach_platforms(
    app: App, *, teams_insecure_local: bool = False, teams_endpoints: Endpoints | None = None,
) -> list[Platform]:
    """Switch on every chat platform the settings configure, for ``pmobot serve``.

    ``teams_endpoints`` replaces the public cloud's Microsoft token and key endpoints (tests, sovereign clouds).
    Raises ConfigurationError, naming the missing setting, when a platform is
    switched on but could not run safely.
    """
    settings = app.settings
    platforms: list[Platform] = []
    if settings.slack_enabled:
        from pmobot.adapters.slack import SlackPlatform

        platforms.append(SlackPlatform.create(chat=app.chat, core=app.core, settings=settings))
    if settings.teams_enabled or teams_insecure_local:
        from pmobot.adapters.teams import TeamsPlatform

        platforms.append(TeamsPlatform.create(chat=app.chat, core=app.core, settings=settings,
                                              insecure_local=teams_insecure_local, endpoints=teams_endpoints))
    if not platforms:
        raise ConfigurationError(
            "no chat platform is configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (Slack), "
            "MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (Teams), or use 'pmobot console'"
        )
    for platform in platforms:
        app.chat.add_platform(platform.name, platform.traits)
        app.deliverers[platform.name] = platform.deliverer
        # Each platform works the requests it stored (Slack, Teams) through its own handler.
        handler: Handler | None = getattr(platform, "work_on", None)
        if handler is not None:
            app.inbound_handlers[platform.name] = handler
        app.core.it_channels[platform.name] = platform.it_channel()
    return platforms


def console_text(messages: list[Message], *, locale: str) -> str:
    """Messages as the console shows them (``pmobot digest --preview``)."""
    from pmobot.adapters.console.render import render

    return "\n\n".join(render(message, locale=locale) for message in messages)


def slack_manifest(*, url: str) -> str:
    """The Slack app manifest (YAML) with its request URLs under ``url``."""
    from pmobot.adapters.slack.manifest import render_manifest

    return render_manifest(url=url)


def teams_package(*, app_id: str, domain: str, out: str) -> str:
    """Build the Teams app package (zip) a Teams admin uploads; returns its path."""
    from pmobot.adapters.teams.manifest import build_package

    return str(build_package(app_id=app_id, domain=domain, out=out))
