"""One person, several platforms: accounts linked by a verified e-mail or by a PMO admin, and where
their notifications go. Also the migration that moved platform ids into accounts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import select

from pmobot.app import App
from pmobot.db import Database, _alembic_config
from pmobot.domain.models import Account, AuditEvent, Need, OutboxMessage, Person, RoleGrant
from pmobot.messages import Notice
from pmobot.services import outbox, people
from pmobot.services.errors import Forbidden, Invalid
from pmobot.services.people import Identity
from tests.support.statements import caller_reads, counted

from .test_services import actor, file_need


def slack(uid: str, name: str, email: str | None = None) -> Identity:
    return Identity("slack", uid, name, uid.lower(), locale="en-US", email=email)


def teams(uid: str, name: str, email: str | None = None) -> Identity:
    return Identity("teams", uid, name, locale="fr-FR", email=email)


async def test_the_same_verified_email_on_two_platforms_is_one_person(app: App) -> None:
    async with app.db.session() as session:
        on_slack = await people.resolve(session, core=app.core, identity=slack("U1", "Zoé Blanc", "zoe@corp.example"))
        dan = await actor(session, app, "dan")
        await people.set_role(session, core=app.core, admin=dan, target=on_slack.person, role="it", grant=True)
    async with app.db.session() as session:
        on_teams = await people.resolve(session, core=app.core,
                                        identity=teams("29:zoe", "Zoé Blanc", " Zoe@Corp.example "))
        assert on_teams.id == on_slack.id and on_teams.platform == "teams" and "it" in on_teams.roles
        assert {a.platform for a in await people.accounts_of(session, person_id=on_teams.id)} == {"slack", "teams"}
        linked = (await session.exec(select(AuditEvent).where(AuditEvent.action == "account_linked"))).all()
        assert [e.reason for e in linked] == ["email"]
    async with app.db.session() as session:
        # Without an e-mail, the platform vouches for nothing: another person.
        stranger = await people.resolve(session, core=app.core, identity=teams("29:other", "Zoé Blanc"))
        assert stranger.id != on_slack.id


async def test_who_is_asking_as_the_adapter_read_them_is_taken_once_by_the_core(app: App) -> None:
    async with app.db.session() as session:
        zoe = await people.resolve(session, core=app.core, identity=slack("U1", "Zoé Blanc"))
        await people.set_role(session, core=app.core, admin=await actor(session, app, "dan"), target=zoe.person,
                              role="it", grant=True)
    known = await people.look_up(app.core, platform="slack", user_id="U1")
    assert known is not None and "it" in known.roles and known.person.locale == "en"
    identity = replace(slack("U1", "Zoé B."), known=known)
    with counted(app) as statements:
        async with app.db.session() as session:
            taken = await people.resolve(session, core=app.core, identity=identity)
            assert taken.id == zoe.id and "it" in taken.roles
            await people.set_locale(session, core=app.core, actor=taken, locale="fr")
    assert caller_reads(statements) == [], statements  # not read again
    async with app.db.session() as session:
        stored = await session.get(Person, zoe.id)
        # What the unit of work changed on the person it took is written as if it had read them.
        assert stored is not None and stored.display_name == "Zoé B." and stored.locale == "fr"
    # A later unit of work of the same request reads them again: the language just chosen, not the one read first.
    with counted(app) as statements:
        async with app.db.session() as session:
            again = await people.resolve(session, core=app.core, identity=identity)
    assert again.locale == "fr" and len(caller_reads(statements)) == 1


async def test_a_notification_goes_where_the_person_last_wrote_or_where_they_chose(app: App) -> None:
    async def notify(key: str) -> OutboxMessage:
        async with app.db.session() as session:
            person = await session.get(Person, zoe_id)
            assert person is not None
            await outbox.to_person(session, core=app.core, key=key, person=person, message=Notice("hi"))
        async with app.db.session() as session:
            return (await session.exec(select(OutboxMessage).where(OutboxMessage.key == key))).one()

    async with app.db.session() as session:
        zoe_id = (await people.resolve(session, core=app.core, identity=slack("U1", "Zoé", "zoe@corp.example"))).id
    assert (await notify("n1")).platform == "slack"
    async with app.db.session() as session:
        on_teams = await people.resolve(session, core=app.core, identity=teams("29:zoe", "Zoé", "zoe@corp.example"))
    row = await notify("n2")
    assert (row.platform, row.target) == ("teams", "29:zoe")
    async with app.db.session() as session:
        on_teams = await people.resolve(session, core=app.core, identity=teams("29:zoe", "Zoé"))
        assert await people.set_notify_platform(session, actor=on_teams, platform="Slack") == "slack"
        with pytest.raises(Invalid):
            await people.set_notify_platform(session, actor=on_teams, platform="console")
    async with app.db.session() as session:
        await people.resolve(session, core=app.core, identity=teams("29:zoe", "Zoé"))  # writes from Teams again
    assert (await notify("n3")).platform == "slack"  # her choice holds
    async with app.db.session() as session:
        on_teams = await people.resolve(session, core=app.core, identity=teams("29:zoe", "Zoé"))
        assert await people.set_notify_platform(session, actor=on_teams, platform="auto") is None
    assert (await notify("n4")).platform == "teams"


async def test_an_admin_links_two_people_and_everything_follows(app: App) -> None:
    key = await file_need(app, "alice")
    async with app.db.session() as session:
        on_teams = await people.resolve(session, core=app.core, identity=teams("29:alice", "Alice M."))
        dan = await actor(session, app, "dan")
        await people.set_role(session, core=app.core, admin=dan, target=on_teams.person, role="committee", grant=True)
        alice = await actor(session, app, "alice")
        with pytest.raises(Forbidden):
            await people.link(session, core=app.core, admin=alice, first=alice.person, second=on_teams.person)
        with pytest.raises(Invalid):
            await people.link(session, core=app.core, admin=dan, first=alice.person, second=alice.person)
        one = await people.link(session, core=app.core, admin=dan, first=on_teams.person, second=alice.person)
        assert one.id == alice.id  # kept under the first one met
    async with app.db.session() as session:
        again = await people.resolve(session, core=app.core, identity=teams("29:alice", "Alice M."))
        assert again.id == alice.id and "committee" in again.roles
        need = (await session.exec(select(Need).where(Need.number == int(key.split("-")[1])))).one()
        assert need.requester_id == alice.id
        assert await session.get(Person, on_teams.id) is None
        assert len((await session.exec(select(RoleGrant).where(RoleGrant.person_id == alice.id))).all()) == 1


async def test_the_migration_gives_everyone_the_account_they_had(database_url: str) -> None:
    db = Database(database_url)
    try:
        def to(revision: str):  # type: ignore[no-untyped-def]
            def run(conn: sa.Connection) -> None:
                cfg = _alembic_config()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
            return run

        async with db.engine.begin() as conn:
            await conn.run_sync(to("0002"))
            now = datetime(2026, 11, 1, tzinfo=UTC)
            for platform, external_id in (("slack", "U1"), ("teams", "29:x"), ("console", "bob")):
                await conn.execute(sa.text(
                    "INSERT INTO person (platform, external_id, handle, display_name, created_at) "
                    "VALUES (:p, :e, :e, :e, :t)"), {"p": platform, "e": external_id, "t": now})
        await db.upgrade()
        async with db.session() as session:
            for platform, external_id in (("slack", "U1"), ("teams", "29:x"), ("console", "bob")):
                person = await people.find_by_platform_id(session, platform=platform, user_id=external_id)
                assert person is not None and person.last_platform == platform
            assert len((await session.exec(select(Account))).all()) == 3
    finally:
        await db.dispose()
