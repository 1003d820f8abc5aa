"""People in Slack whom pmobot has not met: a PMO admin gives them a role by mentioning them."""

from __future__ import annotations

from sqlmodel import col, select
from support.slack import SlackHarness, slack_user
from support.slack_flows import file_need, texts
from support.statements import caller_reads, counted

from pmobot.domain.models import Account, Person
from pmobot.i18n import t

from .test_slack_conversation import say


def _last_reply(slack: SlackHarness) -> str:
    return str(slack.fake.of("response_url")[-1]["text"])


async def _person(slack: SlackHarness, user_id: str) -> Person | None:
    async with slack.app.db.session() as session:
        return (await session.exec(select(Person).join(Account, col(Account.person_id) == col(Person.id))
            .where(Account.external_id == user_id))).first()


async def test_a_role_by_slash_command_for_someone_who_never_wrote(slack: SlackHarness) -> None:
    slack.fake.users["UHUGO"] = slack_user("UHUGO", "Hugo Petit", "fr-FR")
    await slack.command("UDAN", "role <@UHUGO|hugo> it")
    await slack.settle()
    assert "Hugo Petit" in _last_reply(slack) and t("fr", "role.it") in _last_reply(slack)
    # Slack was asked who UHUGO is; the fake checks the call against Slack's OpenAPI description.
    assert [c["user"] for c in slack.fake.of("users.info")].count("UHUGO") == 1
    hugo = await _person(slack, "UHUGO")
    assert hugo is not None and hugo.locale == "fr" and hugo.handle == "hugo"
    # When Hugo writes, he is that person, already IT.
    await slack.command("UHUGO", "file")
    await slack.settle()
    assert "Rien n'attend la DSI pour le moment." in _last_reply(slack)


async def test_a_role_typed_in_the_dm_or_a_mention_for_someone_who_never_wrote(slack: SlackHarness) -> None:
    slack.fake.users["ULEA"] = slack_user("ULEA", "Léa Roux", "fr-FR")
    reply = await say(slack, "UDAN", "/pmo role <@ULEA> committee", channel="DDAN")
    assert "Léa Roux" in reply["text"] and t("fr", "role.committee") in reply["text"]
    slack.fake.users["UMAX"] = slack_user("UMAX", "Max Weber", "en-GB")
    await slack.event({"type": "app_mention", "channel": "C0GEN", "user": "UDAN", "ts": "1764149000.000100",
                       "text": "<@UBOT> /pmo role <@UMAX> it"}, event_id="EvMention1")
    await slack.settle()
    assert await _person(slack, "UMAX") is not None


async def test_a_mention_slack_does_not_know_is_still_refused(slack: SlackHarness) -> None:
    await slack.command("UDAN", "role <@UGHOST|ghost> it")
    await slack.settle()
    assert "Je ne connais personne" in _last_reply(slack)
    assert await _person(slack, "UGHOST") is None
    # A name without a mention is not searched in Slack.
    before = len(slack.fake.of("users.info"))
    await slack.command("UDAN", "role somebody it")
    await slack.settle()
    assert "Je ne connais personne" in _last_reply(slack)
    assert len(slack.fake.of("users.info")) == before


async def test_people_are_asked_about_only_when_a_command_names_them(slack: SlackHarness) -> None:
    slack.fake.users["UZOE"] = slack_user("UZOE", "Zoé Blanc", "fr-FR")
    await slack.command("UDAN", "status NEED-1")
    await slack.settle()
    await say(slack, "UDAN", "Il faudrait un outil de suivi pour <@UZOE> et son équipe", channel="DDAN")
    assert "UZOE" not in [c.get("user") for c in slack.fake.of("users.info")]
    assert await _person(slack, "UZOE") is None


async def test_who_asks_is_read_once_per_request_the_adapter_and_the_core_sharing_it(slack: SlackHarness) -> None:
    # The adapter reads the caller (whether to ask Slack about them, the language to answer in) and hands that
    # reading to the core with their identity: their account, person and roles, one statement per request.
    await file_need(slack, "UALICE")
    await slack.command("UALICE", "status NEED-1")
    await slack.settle()
    with counted(slack.app) as statements:
        await slack.command("UALICE", "status NEED-1", hook="again")
        await slack.settle()
    assert "NEED-1" in texts(slack.fake.of("response_url")[-1]["blocks"])
    callers = caller_reads(statements)
    assert len(callers) == 1 and "role_grant.role" in callers[0], callers

