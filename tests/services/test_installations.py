"""The services adapters reach people and installations through (they never query tables themselves)."""

from __future__ import annotations

from datetime import timedelta

from pmobot.app import App
from pmobot.services import installations, people
from pmobot.services.people import Identity


async def test_a_person_is_found_by_platform_id_and_written_to_in_their_language(app: App) -> None:
    # The organisation writes French (conftest); Alice chose English when she met pmobot.
    async with app.db.session() as session:
        await people.resolve(session, core=app.core, identity=Identity("slack", "UALICE", "Alice", locale="en-GB"))
        await people.resolve(session, core=app.core, identity=Identity("slack", "UBOB", "Bob"))
    async with app.db.session() as session:
        alice = await people.find_by_platform_id(session, platform="slack", user_id="UALICE")
        assert alice is not None and alice.display_name == "Alice"
        assert await people.find_by_platform_id(session, platform="teams", user_id="UALICE") is None
        assert await people.locale_of_user(session, core=app.core, platform="slack", user_id="UALICE") == "en"
        # Bob never said; a stranger was never met: the organisation's language for both.
        assert await people.locale_of_user(session, core=app.core, platform="slack", user_id="UBOB") == "fr"
        assert await people.locale_of_user(session, core=app.core, platform="slack", user_id="UNOBODY") == "fr"
    # Someone not met yet: what the platform says, else the organisation's.
    assert people.locale_of(None, app.core, "en-US") == "en"
    assert people.locale_of(None, app.core) == "fr"


async def test_a_delivery_is_written_in_its_readers_language(app: App) -> None:
    # Both deliverers ask this: a message to Alice in hers; a channel, even one named like her, in the organisation's.
    async with app.db.session() as session:
        await people.resolve(session, core=app.core, identity=Identity("teams", "29:alice", "Alice", locale="en"))
    async with app.db.session() as session:
        assert await people.locale_for_delivery(session, core=app.core, platform="teams", target_kind="person",
                                                target="29:alice") == "en"
        assert await people.locale_for_delivery(session, core=app.core, platform="teams", target_kind="channel",
                                                target="29:alice") == "fr"
        assert await people.locale_for_delivery(session, core=app.core, platform="slack", target_kind="person",
                                                target="29:alice") == "fr"


async def test_the_newest_installation_of_a_workspace_wins_and_can_be_removed(app: App, clock) -> None:  # type: ignore[no-untyped-def]
    async with app.db.session() as session:
        await installations.save(session, core=app.core, app_id="A1", enterprise_id=None, team_id="T1",
                                 user_id="U1", organisation_wide=False, data={"bot_token": "xoxb-old"})
    clock.advance(seconds=60)
    async with app.db.session() as session:
        await installations.save(session, core=app.core, app_id="A1", enterprise_id=None, team_id="T1",
                                 user_id="U2", organisation_wide=False, data={"bot_token": "xoxb-new"})
        await installations.save(session, core=app.core, app_id="A1", enterprise_id="E1", team_id="T9",
                                 user_id="U3", organisation_wide=True, data={})
    async with app.db.session() as session:
        newest = await installations.latest(session, app_id="A1", enterprise_id=None, team_id="T1")
        by_u1 = await installations.latest(session, app_id="A1", enterprise_id=None, team_id="T1", user_id="U1")
        org = await installations.latest(session, app_id="A1", enterprise_id="E1", team_id="T9",
                                         organisation_wide=True)
        assert newest is not None and newest.data["bot_token"] == "xoxb-new"
        assert by_u1 is not None and by_u1.data["bot_token"] == "xoxb-old"
        # An organisation-wide installation belongs to no team.
        assert org is not None and org.team_id is None and org.is_enterprise_install
        assert await installations.latest(session, app_id="A2", enterprise_id=None, team_id="T1") is None
        # The newest with a token anywhere: the organisation's has none.
        assert await installations.latest_bot_token(session, app_id="A1") == "xoxb-new"
    async with app.db.session() as session:
        await installations.remove(session, app_id="A1", enterprise_id=None, team_id="T1", user_id="U2")
    async with app.db.session() as session:
        assert await installations.latest_bot_token(session, app_id="A1") == "xoxb-old"
        await installations.remove(session, app_id="A1", enterprise_id=None, team_id="T1")
    async with app.db.session() as session:
        assert await installations.latest(session, app_id="A1", enterprise_id=None, team_id="T1") is None
        assert await installations.latest_bot_token(session, app_id="A1") is None


async def test_an_oauth_state_is_good_once_and_only_while_fresh(app: App, clock) -> None:  # type: ignore[no-untyped-def]
    async with app.db.session() as session:
        fresh = await installations.issue_state(session, core=app.core)
        stale = await installations.issue_state(session, core=app.core)
    async with app.db.session() as session:
        assert await installations.consume_state(session, core=app.core, state=fresh)
    async with app.db.session() as session:
        assert not await installations.consume_state(session, core=app.core, state=fresh)
        assert not await installations.consume_state(session, core=app.core, state="x" * 200)
        assert not await installations.consume_state(session, core=app.core, state="")
    clock.advance(seconds=int((installations.STATE_LIFETIME + timedelta(seconds=1)).total_seconds()))
    async with app.db.session() as session:
        assert not await installations.consume_state(session, core=app.core, state=stale)
