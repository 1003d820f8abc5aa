"""Slack and Teams on one server share one portfolio.

``pmobot serve`` with both platforms switched on: the real slack-bolt app and
the real botbuilder CloudAdapter mounted on one aiohttp server by
``attach_platforms`` and ``build_web_app``, one database, one outbox. A need
filed on one platform reaches the IT channel of both; IT acts from the other
platform; each person is told on the platform they use, in their language.
The fake Slack Web API checks every call against Slack's OpenAPI description
and Block Kit's limits, the fake Bot Connector every call against its Swagger
description and the Adaptive Card schema; the outbox is drained explicitly
and time comes from the frozen clock.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from support.cross import SLACK_IT, Both
from support.slack import slack_user
from support.slack_flows import ESTIMATE, buttons, file_need, make_it, texts
from support.teams import (
    IT_CHANNEL,
    FakeMicrosoft,
    card_errors,
    card_text,
    personal_conversation,
    thread_conversation,
)
from support.teams import (
    Person as TeamsPerson,
)
from support.teams_flows import DAN, file_need_in_chat, latest_it_card, need_card_post, set_up_team, texts_to

from pmobot.domain.models import Need, OutboxMessage, Person
from pmobot.i18n import t
from pmobot.services import people
from pmobot.services.needs import status_label

# Teams people.
ALICE = TeamsPerson("alice", "Alice Martin", "fr-FR")
FLO = TeamsPerson("flo", "Florence Petit", "fr-CA")


async def need_title(both: Both, key: str) -> str:
    async with both.slack.app.db.session() as session:
        need = (await session.exec(select(Need).where(Need.number == int(key.split("-")[1])))).one()
        return need.title


def the_slack_it_card(both: Both, key: str) -> dict[str, Any]:
    posts = [c for c in both.slack.fake.of("chat.postMessage")
             if c["channel"] == SLACK_IT and not c.get("thread_ts") and key in c["text"]]
    assert len(posts) == 1, "the need card is posted once to the Slack IT channel"
    return posts[0]


def slack_card_message(post: dict[str, Any]) -> dict[str, Any]:
    """The card as Slack sends it back in a button's payload."""
    return {"ts": post["_ts"], "text": post["text"], "blocks": post["blocks"]}


def slack_dms(both: Both, user: str) -> list[dict[str, Any]]:
    return [c for c in both.slack.fake.of("chat.postMessage") if c["channel"] == user]


def slack_thread(both: Both, ts: str) -> str:
    return "\n".join(c["text"] for c in both.slack.fake.of("chat.postMessage")
                     if c["channel"] == SLACK_IT and c.get("thread_ts") == ts)


def proactive_to(ms: FakeMicrosoft, who: TeamsPerson) -> str:
    """What pmobot wrote to someone's Teams personal chat on its own (new messages, not answers to a turn)."""
    return "\n".join(card_text(a["content"]) for call in ms.posts_to(who.chat)
                     for a in call.body.get("attachments") or [])


def teams_actions(card: dict[str, Any]) -> list[str]:
    return [a["title"] for a in card.get("actions", [])]


async def everything_sent(both: Both) -> list[OutboxMessage]:
    async with both.slack.app.db.session() as session:
        rows = list((await session.exec(select(OutboxMessage))).all())
    assert rows and {r.status for r in rows} == {"sent"}, [(r.key, r.status, r.last_error) for r in rows
                                                          if r.status != "sent"]
    return rows


async def test_a_need_filed_in_teams_is_claimed_questioned_and_estimated_from_slack(both: Both) -> None:
    slack, teams, ms = both.slack, both.teams, both.microsoft
    await set_up_team(teams, ms, None)  # the Teams IT channel; IT works from Slack
    await make_it(slack, "UBOB")

    # Alice files a need in her Teams personal chat, in French, one question at a time.
    await file_need_in_chat(teams, ms, ALICE, "Il nous faut un outil de suivi des contrats fournisseurs")
    assert t("fr", "intake.submitted", key="NEED-1").split(".")[0] in texts_to(ms, ALICE.chat)
    title = await need_title(both, "NEED-1")
    await both.deliver()

    # The IT card reaches both IT channels, once each, in the organisation's language, with IT's buttons.
    slack_post = the_slack_it_card(both, "NEED-1")
    card_ts = slack_post["_ts"]
    assert set(buttons(slack_post["blocks"])) == {"need.claim", "need.ask", "need.estimate"}
    assert "Alice Martin" in texts(slack_post["blocks"]) and title in texts(slack_post["blocks"])
    assert t("fr", "button.claim") in texts(slack_post["blocks"])
    teams_post = need_card_post(ms)
    card_id = teams_post.response_id
    teams_card = teams_post.body["attachments"][0]["content"]
    assert "Alice Martin" in card_text(teams_card) and title in card_text(teams_card)
    assert teams_actions(teams_card) == [t("fr", "button.claim"), t("fr", "button.ask"), t("fr", "button.estimate")]
    card = slack_card_message(slack_post)

    # One portfolio: IT's queue in Slack, in Bob's English, lists the need filed in Teams.
    await slack.command("UBOB", "queue")
    await slack.settle(deliver=False)
    queue = texts(slack.fake.of("response_url")[-1]["blocks"])
    assert t("en", "estimation.queue_title", count=1) in queue and f"NEED-1 · {title}" in queue

    # Bob claims it in Slack: told in English there; Alice is told in Teams, in French; both cards change in place.
    await slack.press("UBOB", buttons(slack_post["blocks"])["need.claim"]["action_id"], "NEED-1", message=card)
    await both.deliver()
    confirmation = slack.fake.of("response_url")[-1]
    assert confirmation["response_type"] == "ephemeral"
    assert t("en", "estimation.claimed", key="NEED-1") in texts(confirmation["blocks"])
    claimed = {"who": "Bob Smith", "key": "NEED-1", "title": title}
    assert t("fr", "estimation.claimed_notice", **claimed) in proactive_to(ms, ALICE)
    assert t("en", "estimation.claimed_notice", **claimed) not in texts_to(ms, ALICE.chat)
    update = slack.fake.of("chat.update")[-1]
    assert update["channel"] == SLACK_IT and update["ts"] == card_ts
    assert "Bob Smith" in texts(update["blocks"]) and "need.claim" not in buttons(update["blocks"])
    teams_card = latest_it_card(ms, card_id)
    assert "Bob Smith" in card_text(teams_card) and t("fr", "button.claim") not in teams_actions(teams_card)

    # Bob asks a question with the modal, in English.
    await slack.press("UBOB", buttons(update["blocks"])["need.ask"]["action_id"], "NEED-1", message=card)
    await slack.settle(deliver=False)
    view = slack.opened_view()
    assert view["title"]["text"] == "Question about a need"
    body = await slack.submitted("UBOB", view, {"text": "How many active contracts?"})
    assert body["response_action"] == "update"
    assert t("en", "estimation.asked", key="NEED-1", who="Alice Martin") in texts(body["view"]["blocks"])
    await both.deliver()
    # Alice gets it in Teams, proactively, in French, with a button to answer.
    question = next(a["content"] for call in ms.posts_to(ALICE.chat) for a in call.body["attachments"]
                    if "How many active contracts?" in card_text(a["content"]))
    assert t("fr", "estimation.question_title", who="Bob Smith", key="NEED-1") in card_text(question)
    assert teams_actions(question) == [t("fr", "button.answer")]
    # The question is in the card's thread on both platforms, in the organisation's language.
    in_thread = t("fr", "estimation.question_thread", key="NEED-1", who="Bob Smith", text="How many active contracts?")
    assert in_thread in slack_thread(both, card_ts)
    assert in_thread in texts_to(ms, f"{IT_CHANNEL};messageid={card_id}")
    teams_card = latest_it_card(ms, card_id)
    assert "How many active contracts?" in card_text(teams_card)

    # Alice answers in Teams: the button brings the answer form in French, she sends it.
    status, body = await teams.post(teams.press(ALICE, question, t("fr", "button.answer"),
                                                conversation=personal_conversation(ALICE)))
    assert status == 200
    form = ms.cards_to(ALICE.chat)[-1]
    assert card_errors(form) == []
    send = t("fr", "dialog.form_submit")
    assert send in teams_actions(form)
    status, body = await teams.post(teams.press(
        ALICE, form, send, inputs={"field:text": "Environ 350 contrats actifs."},
        conversation=personal_conversation(ALICE),
    ))
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert card_errors(body["value"]) == []
    assert t("fr", "estimation.answered", key="NEED-1") in card_text(body["value"])
    await both.deliver()
    # Bob reads the answer in a Slack DM, in English.
    to_bob = slack_dms(both, "UBOB")
    assert to_bob, "Bob is told of the answer in Slack"
    assert t("en", "estimation.answer_title", who="Alice Martin", key="NEED-1") in texts(to_bob[-1]["blocks"])
    assert "Environ 350 contrats actifs." in texts(to_bob[-1]["blocks"])
    answered = t("fr", "estimation.answer_thread", key="NEED-1", who="Alice Martin",
                 text="Environ 350 contrats actifs.")
    assert answered in slack_thread(both, card_ts)
    assert answered in texts_to(ms, f"{IT_CHANNEL};messageid={card_id}")

    # Bob estimates through the estimate modal, in English.
    update = slack.fake.of("chat.update")[-1]
    await slack.press("UBOB", buttons(update["blocks"])["need.estimate"]["action_id"], "NEED-1", message=card)
    await slack.settle(deliver=False)
    view = slack.opened_view()
    assert view["title"]["text"] == "Estimate"
    body = await slack.submitted("UBOB", view, ESTIMATE)
    assert body["response_action"] == "update", body
    assert t("en", "estimation.recorded", version=1, key="NEED-1", who="Alice Martin") in texts(body["view"]["blocks"])
    await both.deliver()
    # Alice gets the estimate in Teams, in French.
    notice = t("fr", "estimation.estimate_notice", who="Bob Smith", key="NEED-1")
    estimate_card = next(a["content"] for call in ms.posts_to(ALICE.chat) for a in call.body["attachments"]
                         if notice in card_text(a["content"]))
    assert t("fr", "card.estimate", version=1) in card_text(estimate_card)
    assert t("en", "card.estimate", version=1) not in card_text(estimate_card)
    # Both IT cards show the estimate, updated in place.
    estimated = status_label("estimated", "fr")
    update = slack.fake.of("chat.update")[-1]
    assert update["channel"] == SLACK_IT and update["ts"] == card_ts
    assert estimated in texts(update["blocks"]) and t("fr", "card.estimate", version=1) in texts(update["blocks"])
    teams_card = latest_it_card(ms, card_id)
    assert estimated in card_text(teams_card) and t("fr", "card.estimate", version=1) in card_text(teams_card)
    # Still one card in each IT channel: every change was an update, never a new post.
    assert need_card_post(ms).response_id == card_id and the_slack_it_card(both, "NEED-1")["_ts"] == card_ts

    # Each person was written to on their own platform only.
    assert both.slack_channels_written() == {SLACK_IT, "UBOB"}
    assert both.teams_personal_chats_written() == {ALICE.chat}
    rows = await everything_sent(both)
    to_people = {(r.platform, r.target) for r in rows if r.target_kind == "person"}
    assert to_people == {("slack", "UBOB"), ("teams", ALICE.id)}


async def test_a_need_filed_in_slack_is_claimed_from_teams(both: Both) -> None:
    slack, teams, ms = both.slack, both.teams, both.microsoft
    await set_up_team(teams, ms, FLO)  # Florence, IT, works in Teams (in French)

    # Carla files a need with the Slack modal, in English.
    body = await file_need(slack, "UCARLA")
    assert t("en", "intake.submitted", key="NEED-1").split(".")[0] in texts(body["view"]["blocks"])
    title = await need_title(both, "NEED-1")
    await both.deliver()
    slack_post = the_slack_it_card(both, "NEED-1")
    teams_post = need_card_post(ms)
    card_id = teams_post.response_id
    teams_card = teams_post.body["attachments"][0]["content"]
    assert "Carla Rossi" in card_text(teams_card) and title in card_text(teams_card)

    # One portfolio: IT's queue in Teams, in Florence's French, lists the need filed in Slack.
    await teams.post(teams.personal(FLO, "file"))
    queue = texts_to(ms, FLO.chat)
    assert t("fr", "estimation.queue_title", count=1) in queue and f"NEED-1 · {title}" in queue

    # Florence claims it from the Teams card (Action.Execute invoke), answered in French.
    status, body = await teams.post(teams.press(FLO, teams_card, t("fr", "button.claim"),
                                                conversation=thread_conversation(card_id), reply_to=card_id))
    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"] == t("fr", "estimation.claimed", key="NEED-1")
    await both.deliver()

    # Carla is told in a Slack DM, in English.
    claimed = {"who": "Florence Petit", "key": "NEED-1", "title": title}
    to_carla = slack_dms(both, "UCARLA")
    assert len(to_carla) == 1 and t("en", "estimation.claimed_notice", **claimed) in to_carla[0]["text"]
    # Both IT cards name Florence and lose the Claim button, in place.
    update = slack.fake.of("chat.update")[-1]
    assert update["channel"] == SLACK_IT and update["ts"] == slack_post["_ts"]
    assert "Florence Petit" in texts(update["blocks"]) and "need.claim" not in buttons(update["blocks"])
    teams_card = latest_it_card(ms, card_id)
    assert "Florence Petit" in card_text(teams_card) and t("fr", "button.claim") not in teams_actions(teams_card)

    assert both.slack_channels_written() == {SLACK_IT, "UCARLA"}
    assert both.teams_personal_chats_written() == set()
    async with slack.app.db.session() as session:
        florence = await people.find_by_platform_id(session, platform="teams", user_id=FLO.id)
        assert florence is not None and florence.locale == "fr"
    await everything_sent(both)


async def test_one_person_linked_by_email_acts_on_both_platforms(both: Both) -> None:
    """Alice has the same verified e-mail in Slack (profile.email) and in Teams (the roster): one person,
    whose needs, roles and notifications follow her from one platform to the other."""
    slack, teams, ms = both.slack, both.teams, both.microsoft
    alice_in_slack = slack_user("UALICE", "Alice Martin", "fr-FR")
    alice_in_slack["profile"]["email"] = ALICE.email.upper()  # the case differs: still her
    slack.fake.users["UALICE"] = alice_in_slack
    ms.roster[ALICE.id] = ALICE.member()
    await set_up_team(teams, ms, None)
    await make_it(slack, "UBOB")

    # Alice files a need in Teams; in Slack, her needs are the same.
    await file_need_in_chat(teams, ms, ALICE, "Il nous faut un outil de suivi des contrats fournisseurs")
    await slack.command("UALICE", "mes")
    await slack.settle(deliver=False)
    assert "NEED-1" in texts(slack.fake.of("response_url")[-1]["blocks"])

    # Who she is: one person with two accounts; told on Slack, the platform she last wrote from.
    await slack.command("UALICE", "whois moi")
    await slack.settle(deliver=False)
    about = texts(slack.fake.of("response_url")[-1]["blocks"])
    assert "slack" in about and "teams" in about and t("fr", "people.notified_last", platform="slack") in about

    # Bob claims it in Slack: Alice is told in Slack, where she last wrote, not in Teams.
    title = await need_title(both, "NEED-1")
    await slack.command("UBOB", "claim NEED-1")
    await both.deliver()
    claimed = t("fr", "estimation.claimed_notice", who="Bob Smith", key="NEED-1", title=title)
    assert claimed in "\n".join(texts(c["blocks"]) for c in slack_dms(both, "UALICE"))
    assert claimed not in proactive_to(ms, ALICE)

    # She prefers Teams: Bob's question reaches her there.
    await slack.command("UALICE", "notify teams")
    await slack.settle(deliver=False)
    assert t("fr", "people.notified_chosen", platform="teams") in texts(slack.fake.of("response_url")[-1]["blocks"])
    await slack.command("UBOB", "ask NEED-1 How many active contracts?")
    await both.deliver()
    assert "How many active contracts?" in proactive_to(ms, ALICE)
    assert "How many active contracts?" not in "\n".join(texts(c["blocks"]) for c in slack_dms(both, "UALICE"))
    async with slack.app.db.session() as session:
        assert len((await session.exec(select(Person))).all()) == 4  # Dan, Bob, Alice on two platforms, the bot's


async def test_an_admin_on_teams_gives_a_role_to_someone_on_slack(both: Both) -> None:
    slack, teams, ms = both.slack, both.teams, both.microsoft
    await set_up_team(teams, ms, None)
    await slack.command("UCARLA", "mine")
    await slack.settle(deliver=False)
    # Dan is an admin in Teams; Carla is only in Slack: he names her by her handle.
    await teams.post(teams.channel(DAN, "role carla it"))
    granted = texts_to(ms, IT_CHANNEL).split("\n")[-1]
    assert "Carla Rossi" in granted and t("fr", "role.it") in granted
    await slack.command("UCARLA", "queue")
    await slack.settle(deliver=False)
    assert t("en", "estimation.queue_empty") in texts(slack.fake.of("response_url")[-1]["blocks"])


async def test_an_admin_links_two_accounts_the_platforms_cannot_match(both: Both) -> None:
    slack, teams, ms = both.slack, both.teams, both.microsoft
    await set_up_team(teams, ms, None)
    await make_it(slack, "UBOB")
    await teams.post(teams.personal(FLO, "bonjour"))  # Florence in Teams, with no e-mail from the roster
    await slack.command("UCARLA", "mine")  # Carla in Slack, with none from Slack
    await slack.settle(deliver=False)
    await slack.command("UCARLA", "link carla carla")
    await slack.settle(deliver=False)
    assert t("en", "people.error.not_admin") in texts(slack.fake.of("response_url")[-1]["blocks"])
    # Dan, an admin in Teams, mentions Florence there and names Carla by her Slack handle.
    await teams.post(teams.channel(DAN, f"link <at>{FLO.name}</at> carla", mentions=(FLO,)))
    linked = texts_to(ms, IT_CHANNEL)
    assert t("fr", "people.linked", who=FLO.name) in linked and "slack" in linked.split("\n")[-2]
    # One person now: a role given in Slack holds in Teams.
    await slack.command("UDAN", "role <@UCARLA|carla> it")
    await slack.settle(deliver=False)
    await teams.post(teams.personal(FLO, "file"))
    assert t("fr", "estimation.queue_empty") in texts_to(ms, FLO.chat)
