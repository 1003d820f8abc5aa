"""The ``pmobot`` command: console chat, the bot server, database migrations, export."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path

from pmobot.config import Settings


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's message names the variable
        sys.exit(f"pmobot: bad configuration: {exc}")


async def _console(args: argparse.Namespace) -> int:
    from pmobot.app import attach_console, create_app
    from pmobot.services import demo

    settings = _settings()
    app = create_app(settings)
    try:
        await app.prepare(migrate=True, seed_demo=args.demo)
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
        try:
            platforms = attach_platforms(app, teams_insecure_local=args.teams_insecure_local)
        except ConfigurationError as exc:
            print(f"pmobot: {exc}", file=sys.stderr)
            return 2
        leadership = Leadership(app.db)
        models = LanguageModels()
        web_app = build_web_app(db=app.db, platforms=platforms, models=models)
        print(f"pmobot serving {', '.join(p.name for p in platforms)} on http://{host}:{port} (health: /healthz)",
              file=sys.stderr)
        await serve_forever(web_app=web_app, host=host, port=port, platforms=platforms,
                            scheduler=app.scheduler(leadership=leadership), leadership=leadership,
                            models=models)
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
            data = await export.rows(session, core=app.core)
        if args.format == "json":
            text = export.to_json(data)
        else:
            text = export.to_csv(data, intake_fields=[f.id for f in app.core.specs["intake"].fields])
    finally:
        await app.close()
    if args.out and args.out != "-":
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"{len(data)} need(s) written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pmobot", description="The PMO liaison bot between business and IT.")
    sub = parser.add_subparsers(dest="command", required=True)

    console = sub.add_parser("console", help="chat with pmobot in this terminal (SQLite, no account needed)")
    console.add_argument("--demo", action="store_true", help="add the demo organisation (alice, bob, carla, dan)")
    console.add_argument("--as", dest="as_", default="alice", help="who types first (default: alice)")
    console.set_defaults(run=_console)

    serve = sub.add_parser("serve", help="run the Slack and Teams bot server (one aiohttp server for both)")
    serve.add_argument("--host", help="address to listen on (default: PMOBOT_HOST or 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (default: PMOBOT_PORT or 3000)")
    serve.add_argument("--teams-insecure-local", action="store_true",
                       help="host Teams without app credentials, for the Bot Framework Emulator only: "
                            "anyone who can reach the port can talk to the bot")
    serve.set_defaults(run=_serve)

    manifest = sub.add_parser("manifest", help="print the Slack app manifest, or build the Teams app package")
    manifest.add_argument("platform", choices=["slack", "teams"])
    manifest.add_argument("--url", help="Slack: the public base URL of 'pmobot serve', e.g. https://bot.example.org")
    manifest.add_argument("--app-id", help="Teams: the bot's Microsoft app id")
    manifest.add_argument("--domain", help="Teams: the host name of 'pmobot serve', e.g. bot.example.org")
    manifest.add_argument("--out", help="Teams: the zip to write (default: pmobot-teams.zip)")
    manifest.set_defaults(run=_manifest)

    db = sub.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade", "status"])
    db.set_defaults(run=_db)

    export = sub.add_parser("export", help="write every need with its status and latest estimate")
    export.add_argument("--format", choices=["json", "csv"], default="json")
    export.add_argument("--out", help="file to write (default: standard output)")
    export.set_defaults(run=_export)
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
    except Exception as exc:
        from pmobot.db import DatabaseNotMigrated

        if isinstance(exc, DatabaseNotMigrated):
            print(f"pmobot: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
