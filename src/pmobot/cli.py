"""The ``pmobot`` command: console chat, the bot server, database migrations, export."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

from pmobot.config import Settings


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's message names the variable
        sys.exit(f"pmobot: bad configuration: {exc}")


async def _console(args: argparse.Namespace) -> int:
    from pmobot.app import attach_console, create_app
    from pmobot.services import demo, demo_history

    settings = _settings()
    app = create_app(settings)
    try:
        await app.prepare(migrate=True, seed_demo=args.demo or args.history)
        if args.history:
            # Weeks of status updates on a few projects, one drifting: drift shows at once.
            async with app.db.session() as session:
                await demo_history.seed_history(session, core=app.core)
        if notice := app.policy_notice():
            print(f"pmobot: {notice}", file=sys.stderr)
        async with app.db.session() as session:
            people = await demo.console_people(session)
        console = attach_console(app, start_as=args.as_, people=people)
        await console.run()
    finally:
        await app.close()
    return 0


async def _serve(args: argparse.Namespace) -> int:
    from pmobot.app import attach_platforms, create_app
    from pmobot.platforms import ConfigurationError
    from pmobot.server import LanguageModels, Leadership, build_web_app, serve_forever

    settings = _settings()
    host = args.host or settings.host
    port = args.port if args.port is not None else settings.port
    app = create_app(settings)
    try:
        await app.prepare(migrate=False, seed_demo=False)
        if notice := app.policy_notice():
            print(f"pmobot: {notice}", file=sys.stderr)
        try:
            platforms = attach_platforms(app, teams_insecure_local=args.teams_insecure_local)
        except ConfigurationError as exc:
            print(f"pmobot: {exc}", file=sys.stderr)
            return 2
        leadership = Leadership(app.db)
        models = LanguageModels(also=app.warm_ups())
        web_app = build_web_app(db=app.db, platforms=platforms, models=models, clock=app.core.clock,
                                acknowledging=app.acknowledging)
        workers = [app.inbound_worker() for _ in range(args.workers)]
        print(f"pmobot serving {', '.join(p.name for p in platforms)} on http://{host}:{port} (health: /healthz), "
              f"{len(workers)} inbound worker(s)", file=sys.stderr)
        await serve_forever(web_app=web_app, host=host, port=port, platforms=platforms,
                            scheduler=app.scheduler(leadership=leadership), leadership=leadership,
                            models=models, workers=workers)
    finally:
        await app.close()
    return 0


async def _worker(args: argparse.Namespace) -> int:
    from pmobot.app import attach_platforms, create_app
    from pmobot.platforms import ConfigurationError
    from pmobot.server import LanguageModels, Leadership, work_forever

    app = create_app(_settings())
    try:
        if app.db.is_sqlite:
            print("pmobot: 'pmobot worker' is for PostgreSQL; on SQLite 'pmobot serve' runs the workers itself",
                  file=sys.stderr)
            return 2
        await app.prepare(migrate=False, seed_demo=False)
        try:
            platforms = attach_platforms(app)
        except ConfigurationError as exc:
            print(f"pmobot: {exc}", file=sys.stderr)
            return 2
        leadership = Leadership(app.db)
        workers = [app.inbound_worker() for _ in range(max(1, args.workers))]
        print(f"pmobot working for {', '.join(p.name for p in platforms)}: {len(workers)} inbound worker(s)",
              file=sys.stderr)
        await work_forever(workers=workers, scheduler=app.scheduler(leadership=leadership), leadership=leadership,
                           models=LanguageModels(also=app.warm_ups()))
        for platform in platforms:
            await platform.stop()
    finally:
        await app.close()
    return 0


async def _manifest(args: argparse.Namespace) -> int:
    from pmobot import app

    if args.platform == "slack":
        if not args.url:
            print("pmobot: 'manifest slack' needs --url, the public HTTPS address of 'pmobot serve'", file=sys.stderr)
            return 2
        sys.stdout.write(app.slack_manifest(url=args.url))
        return 0
    if not args.app_id or not args.domain:
        print("pmobot: 'manifest teams' needs --app-id (the bot's Microsoft app id) and --domain "
              "(the host name of 'pmobot serve')", file=sys.stderr)
        return 2
    try:
        path = app.teams_package(app_id=args.app_id, domain=args.domain, out=args.out or "pmobot-teams.zip")
    except ValueError as exc:
        print(f"pmobot: {exc}", file=sys.stderr)
        return 2
    print(f"Teams app package written to {path}", file=sys.stderr)
    return 0


async def _db(args: argparse.Namespace) -> int:
    from pmobot.db import Database

    db = Database(_settings().database_url)
    try:
        if args.action == "upgrade":
            await db.upgrade()
            print("database is up to date")
        else:
            pending = await db.pending_migrations()
            print("up to date" if not pending else f"{len(pending)} migration(s) to apply: run 'pmobot db upgrade'")
            return 1 if pending else 0
    finally:
        await db.dispose()
    return 0


async def _export(args: argparse.Namespace) -> int:
    from pmobot.app import create_app
    from pmobot.services import export

    app = create_app(_settings())
    try:
        await app.db.require_current()
        async with app.db.session() as session:
            document = await export.document(session, core=app.core, what=args.what, format=args.format)
    finally:
        await app.close()
    data = document.text.encode(document.encoding)
    if args.out in (None, "-"):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    out = Path(args.out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)  # a folder for the exports is created, as a person expects
        out.write_bytes(data)
    except OSError as exc:  # a file where a folder should be, no permission, a full disk
        print(f"pmobot: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    noun = export.TABLES[args.what].noun
    print(f"{document.count} {noun}{'' if document.count == 1 else 's'} written to {out}", file=sys.stderr)
    return 0


def _instant(value: str) -> datetime:
    """``--at``: an ISO date and time; without an offset, in the organisation's time zone."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date and time: write it as 2026-12-07T09:00 (or 2026-12-07T09:00+01:00)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(_settings().timezone))
    return parsed.astimezone(UTC)


async def _jobs(args: argparse.Namespace) -> int:
    from pmobot.app import create_app
    from pmobot.jobs import report

    app = create_app(_settings())
    try:
        await app.db.require_current()
        runner = app.jobs()
        now = app.core.clock.now()
        if args.action == "list":
            sys.stdout.write(report.render_overview(await report.overview(runner, now=now), runner))
            return 0
        if args.name not in runner.jobs:
            print(f"pmobot: no job is called {args.name!r}; 'pmobot jobs list' shows them: "
                  f"{', '.join(runner.jobs)}", file=sys.stderr)
            return 2
        if args.at is not None and args.at > now:
            print(f"pmobot: --at {args.at.isoformat()} is in the future: a run as of a time to come would stand in "
                  "for that period's own run", file=sys.stderr)
            return 2
        outcome = await runner.run(args.name, now=args.at or now)
        print(report.render_outcome(outcome, runner))
        return 1 if outcome.status in ("failed", "busy") else 0
    finally:
        await app.close()


async def _digest(args: argparse.Namespace) -> int:
    from pmobot.app import console_text, create_app
    from pmobot.i18n import t
    from pmobot.jobs.digest import DIGEST
    from pmobot.services import digest
    from pmobot.services.errors import PmoError

    settings = _settings()
    if not args.preview:
        print(f"pmobot: {t(settings.default_locale, 'digest.cli.preview_only')}", file=sys.stderr)
        return 2
    app = create_app(settings)
    try:
        await app.db.require_current()
        slot = DIGEST.schedule.latest(args.at or app.core.now(), core=app.core)
        async with app.db.session() as session:
            try:
                said = await digest.preview(session, core=app.core, channel=args.channel, slot=slot)
            except PmoError as refused:
                print(f"pmobot: {refused.message(settings.default_locale)}", file=sys.stderr)
                return 1
    finally:
        await app.close()
    print(console_text(said, locale=settings.default_locale))
    return 0


def _version() -> str:
    """The installed distribution's version: pyproject.toml is its one home."""
    try:
        return metadata.version("pmobot")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pmobot", description="The PMO liaison bot between business and IT.",
        epilog="Run 'pmobot COMMAND --help' for the options of a command. "
               "Settings come from PMOBOT_* environment variables (see the README).")
    parser.add_argument("--version", action="version", version=f"pmobot {_version()}",
                        help="print pmobot's version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")

    def command(name: str, summary: str, run: Callable[[argparse.Namespace], Coroutine[None, None, int]],
                details: str = "") -> argparse.ArgumentParser:
        # The summary is the line in 'pmobot --help' and opens 'pmobot NAME --help'.
        found = sub.add_parser(name, help=summary, description=f"{summary[0].upper()}{summary[1:]}. {details}".strip())
        found.set_defaults(run=run)
        return found

    console = command("console", "chat with pmobot in this terminal (SQLite, no account needed)", _console,
                      "Ctrl-C, Ctrl-D or /quit leaves. Run one console per database: a second one would "
                      "print the first one's deliveries. For several people at once, use 'pmobot serve' "
                      "with Slack or Teams.")
    console.add_argument("--demo", action="store_true", help="add the demo organisation (alice, bob, carla, dan)")
    console.add_argument("--history", action="store_true",
                         help="with the demo organisation, a few projects with weeks of status updates, one drifting "
                              "(what make run starts with)")
    console.add_argument("--as", dest="as_", metavar="NAME", default="alice",
                         help="the login of who types first (default: alice)")

    serve = command("serve", "run the Slack and Teams bot server (one aiohttp server for both)", _serve)
    serve.add_argument("--host", metavar="ADDRESS", help="address to listen on (default: PMOBOT_HOST or 0.0.0.0)")
    serve.add_argument("--port", type=int, metavar="PORT", help="port to listen on (default: PMOBOT_PORT or 3000)")
    serve.add_argument("--teams-insecure-local", action="store_true",
                       help="host Teams without app credentials, for the Bot Framework Emulator only: "
                            "anyone who can reach the port can talk to the bot")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="inbound workers in this process (default: 1; 0: web endpoints only, "
                            "with 'pmobot worker' processes beside it on PostgreSQL)")

    worker = command("worker", "work the queued Slack and Teams requests and the outbox, without web endpoints",
                     _worker, "For PostgreSQL: run as many as the load needs beside 'pmobot serve'. On SQLite, "
                              "'pmobot serve' alone does it all (one process).")
    worker.add_argument("--workers", type=int, default=1, metavar="N",
                        help="inbound workers in this process (default: 1)")

    manifest = command("manifest", "print the Slack app manifest, or build the Teams app package", _manifest)
    manifest.add_argument("platform", choices=["slack", "teams"], help="which platform's manifest")
    manifest.add_argument("--url", metavar="URL",
                          help="Slack: the public base URL of 'pmobot serve', e.g. https://bot.example.org")
    manifest.add_argument("--app-id", metavar="ID", help="Teams: the bot's Microsoft app id")
    manifest.add_argument("--domain", metavar="HOST",
                          help="Teams: the host name of 'pmobot serve', e.g. bot.example.org")
    manifest.add_argument("--out", metavar="FILE", help="Teams: the zip to write (default: pmobot-teams.zip)")

    db = command("db", "apply or check database migrations", _db)
    db.add_argument("action", choices=["upgrade", "status"],
                    help="upgrade: apply pending migrations; status: say whether any is pending (exit code 1 if so)")

    export = command("export", "write the portfolio for a spreadsheet", _export,
                     "'needs': one row per need with its status, intake answers, withdrawal, question counts and "
                     "latest estimate. 'questions': one row per question asked on a need, with its answer. "
                     "'scores': one row per need with its score under the policy in force and its breakdown. "
                     "'projects', 'baselines' (every version), 'milestones', 'changes' (change requests). "
                     "'decisions': one row per committee decision, with its votes and reasons. "
                     "'reviews': one row per security review version, with its checklist and outcome. "
                     "'scope': one row per version of a need's scope, with who agreed to it and the changes asked. "
                     "'roadmap': each piece of work where the roadmap places it; 'capacity': every capacity set. "
                     "'status-updates': every status update of every project. "
                     "'alerts': every drift alert with its figures; 'alert-history': every step of each. "
                     "Amounts have two decimals and a currency column; dates are ISO 8601.")
    export.add_argument("what", nargs="?", choices=["needs", "questions", "scores", "projects",
                                                     "baselines", "milestones", "changes", "decisions", "reviews",
                                                     "scope", "roadmap", "capacity", "status-updates", "alerts",
                                                     "alert-history"],
                        default="needs",
                        help="what to export (default: needs)")
    export.add_argument("--format", choices=["json", "csv"], default="json",
                        help="json (default), or csv: UTF-8 with a byte-order mark, so that Excel shows accents, "
                             "and cells that would start a formula quoted")
    export.add_argument("--out", metavar="FILE",
                        help="file to write, its folder created if missing (default, or '-': standard output)")

    jobs = command("jobs", "list the scheduled jobs, or run one now", _jobs,
                   "'pmobot serve' runs every job on its schedule, on the one replica that leads. 'run' is for cron "
                   "or a Kubernetes CronJob (with --at the time it was meant for) and for a PMO who wants it now. "
                   "Each job runs once per period: a second run for the same period says it already ran, and a "
                   "failed run is tried again. Its messages go through the outbox, which 'pmobot serve' delivers.")
    jobs_sub = jobs.add_subparsers(dest="action", required=True, metavar="ACTION", title="actions")
    jobs_sub.add_parser("list", help="each job, its schedule, last run and next run",
                        description="Each job, its schedule in words, its last run (status, late or not, "
                                    "what it did) and its next run, in the organisation's time zone.")
    run = jobs_sub.add_parser("run", help="run one job for its current period, once",
                              description="Run one job for the period of its latest slot, now or as of --at.")
    run.add_argument("name", metavar="NAME", help="the job's name, as 'pmobot jobs list' shows it")
    run.add_argument("--at", metavar="DATETIME", type=_instant,
                     help="run as of this time instead of now (ISO 8601, e.g. 2026-12-07T09:00; without an "
                          "offset, in the organisation's time zone), e.g. the time a CronJob was scheduled for")


    digest = command("digest", "print the weekly digest a channel gets", _digest,
                     "The digest of the latest Monday slot (or of --at), as the digest job would post it.")
    digest.add_argument("--channel", required=True, metavar="X",
                        help="pmo, it, committee, a department's name, or a platform channel id")
    digest.add_argument("--preview", action="store_true", help="print it here; nothing is posted")
    digest.add_argument("--at", metavar="DATETIME", type=_instant,
                        help="ISO date and time of the digest (default: now)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = _settings()
    log_file = settings.log_file or ("var/pmobot.log" if args.command == "console" else None)
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=settings.log_level.upper(), filename=log_file,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        # Every subcommand sets ``run`` (set_defaults above); argparse hands it back untyped.
        command: Callable[[argparse.Namespace], Coroutine[None, None, int]] = args.run
        return asyncio.run(command(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Whoever read the output left (``pmobot export | head``): nothing failed here. Standard
        # output now points nowhere, so the interpreter's last flush has nothing to complain about.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        from pmobot.db import DatabaseNotMigrated
        from pmobot.services.policy import PolicyError

        if isinstance(exc, DatabaseNotMigrated | PolicyError):
            print(f"pmobot: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
