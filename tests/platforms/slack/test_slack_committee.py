"""The committee in Slack: the agenda card in the committee channel, a vote from its button (a reason
modal) and one by command, the card updated in place, the requester told, the App Home's section."""

from __future__ import annotations

from support.committee import estimated_need, meet, seat
from support.slack import SlackHarness, slack_user
from support.slack_flows import buttons, texts

from pmobot.domain.roles import Side
from pmobot.i18n import t
from pmobot.services import addresses, people

COMMITTEE = "C0COMM"


async def _set_up(slack: SlackHarness) -> None:
    app = slack.app
    slack.fake.users["UERIN"] = slack_user("UERIN", "Erin Blanc", "fr-FR")
    await meet(app, "slack", "UALICE", "Alice Martin", "fr")
    await meet(app, "slack", "UBOB", "Bob Smith", "en")
    await seat(app, "slack", {"UCARLA": ("Carla Rossi", "en", Side.BUSINESS), "UERIN": ("Erin Blanc", "fr", Side.IT)})
    await slack.command("UDAN", "aide")  # Dan, a PMO admin, meets pmobot
    await slack.settle()
    async with app.db.session() as session:
        dan = await people.actor_for(session, core=app.core, platform="slack",
                                     person=await people.find_by_platform_id(session, platform="slack",
                                                                             user_id="UDAN"))
        await addresses.set_channel(session, core=app.core, actor=dan, platform="slack",
                                    purpose=addresses.COMMITTEE_CHANNEL, address=COMMITTEE)
    await estimated_need(app, requester="UALICE", estimator="UBOB", platform="slack")


async def test_a_need_is_sent_voted_on_a_card_and_by_command_and_decided(slack: SlackHarness) -> None:
    fake = slack.fake
    await _set_up(slack)

    # Dan sends NEED-1 to the committee, in French.
    await slack.command("UDAN", "envoyer NEED-1")
    await slack.settle()
    assert "NEED-1" in texts(fake.of("response_url")[-1]["blocks"])
    posts = [c for c in fake.of("chat.postMessage") if c["channel"] == COMMITTEE]
    assert len(posts) == 1
    card = posts[0]
    assert set(buttons(card["blocks"])) == {"committee.approve", "committee.defer", "committee.reject",
                                            "committee.request_info"}
    assert t("fr", "button.approve") in texts(card["blocks"]) and "Alice Martin" in texts(card["blocks"])
    card_message = {"ts": card["_ts"], "text": card["text"], "blocks": card["blocks"]}

    # Erin's App Home: NEED-1 awaits her vote, with the buttons.
    await slack.event({"type": "app_home_opened", "user": "UERIN", "channel": "DERIN", "tab": "home"},
                      event_id="EvHOMEC1", sample="java-slack-sdk-shapes/AppHomeOpenedPayload.json")
    await slack.settle()
    home = fake.of("views.publish")[-1]["view"]["blocks"]
    assert t("fr", "committee.agenda_mine_title", count=1) in texts(home)
    assert "committee.approve" in buttons(home)

    # Carla approves from the card: the button opens the reason modal, in her English.
    fake.clear()
    approve = buttons(card["blocks"])["committee.approve"]
    await slack.press("UCARLA", approve["action_id"], approve["value"], message=card_message, channel=COMMITTEE)
    await slack.settle()
    view = slack.opened_view()
    assert view["title"]["text"] == "Committee vote"
    assert "approve" in texts(view["blocks"])
    body = await slack.submitted("UCARLA", view, {"reason": "Saves two days a month in purchasing"})
    assert body["response_action"] == "update" and "NEED-1" in texts(body["view"]["blocks"]), body
    await slack.settle()
    update = fake.of("chat.update")[-1]
    assert update["channel"] == COMMITTEE and update["ts"] == card["_ts"]
    assert "Carla Rossi" in texts(update["blocks"]) and "Saves two days" in texts(update["blocks"])
    assert "committee.approve" in buttons(update["blocks"])  # IT has not voted yet

    # Erin approves by command, in French: the quorum is reached, once.
    fake.clear()
    await slack.command("UERIN", "voter NEED-1 approuver Compatible avec l'ERP")
    await slack.settle()
    said = texts(fake.of("response_url")[-1]["blocks"])
    assert t("fr", "committee.decided", key="NEED-1", outcome=t("fr", "committee.outcome.approved").lower()) in said
    update = fake.of("chat.update")[-1]
    assert update["ts"] == card["_ts"] and buttons(update["blocks"]) == {}
    assert t("fr", "committee.outcome.approved") in texts(update["blocks"])
    to_alice = [c for c in fake.of("chat.postMessage") if c["channel"] == "UALICE"]
    assert to_alice and t("fr", "committee.told.approved", key="NEED-1") in to_alice[-1]["text"]
    assert "Saves two days" in texts(to_alice[-1]["blocks"])

    # Carla presses Approve again on the old card: refused before any modal, saying why.
    fake.clear()
    await slack.press("UCARLA", approve["action_id"], approve["value"], message=card_message, channel=COMMITTEE)
    await slack.settle()
    assert fake.of("views.open") == []
    assert "already decided" in texts(fake.of("response_url")[-1]["blocks"])


async def test_a_vote_by_someone_off_the_committee_is_refused_politely(slack: SlackHarness) -> None:
    await _set_up(slack)
    await slack.command("UDAN", "envoyer NEED-1")
    await slack.settle()
    # Alice, the requester, sees her need but does not sit on the committee.
    await slack.command("UALICE", "voter NEED-1 approuver c'est urgent")
    await slack.settle()
    said = texts(slack.fake.of("response_url")[-1]["blocks"])
    assert t("fr", "committee.error.not_member", key="NEED-1") in said


async def test_a_member_asks_the_requester_from_the_card_and_her_answer_brings_it_back(slack: SlackHarness) -> None:
    fake = slack.fake
    await _set_up(slack)
    await slack.command("UDAN", "envoyer NEED-1")
    await slack.settle()
    card = next(c for c in fake.of("chat.postMessage") if c["channel"] == COMMITTEE)
    ask = buttons(card["blocks"])["committee.request_info"]
    await slack.press("UCARLA", ask["action_id"], ask["value"], channel=COMMITTEE,
                      message={"ts": card["_ts"], "text": card["text"], "blocks": card["blocks"]})
    await slack.settle()
    view = slack.opened_view()
    assert view["title"]["text"] == "Committee question"
    body = await slack.submitted("UCARLA", view, {"to": "requester", "text": "How many suppliers?"})
    assert body["response_action"] == "update" and "Alice Martin" in texts(body["view"]["blocks"]), body
    await slack.settle()
    to_alice = [c for c in fake.of("chat.postMessage") if c["channel"] == "UALICE"]
    assert to_alice and "How many suppliers?" in texts(to_alice[-1]["blocks"])
    update = fake.of("chat.update")[-1]
    assert update["ts"] == card["_ts"] and buttons(update["blocks"]) == {}  # paused: no vote while she answers

    # Alice answers by command: NEED-1 is back before the committee, its buttons back, Carla told.
    fake.clear()
    await slack.command("UALICE", "repondre NEED-1 Environ 120")
    await slack.settle()
    update = fake.of("chat.update")[-1]
    assert "committee.approve" in buttons(update["blocks"])
    to_carla = [c for c in fake.of("chat.postMessage") if c["channel"] == "UCARLA"]
    assert to_carla and "Environ 120" in texts(to_carla[-1]["blocks"])
