"""The intake as a conversation in Slack (the bot's DM, a thread where it is
mentioned), shortcuts, languages and roles."""

from __future__ import annotations

import itertools

from sqlmodel import col, select
from support.slack import SlackHarness, block_actions, slack_user
from support.slack_flows import make_it, texts

from pmobot.adapters.slack import identity
from pmobot.domain.models import Account, Need, Person

_ids = itertools.count(1)


async def say(slack: SlackHarness, user: str, text: str, *, channel: str) -> dict:
    """``user`` writes ``text`` in their DM with pmobot; returns pmobot's reply."""
    before = len(slack.fake.of("chat.postMessage"))
    await slack.event({"type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text,
                       "ts": f"1764147700.{next(_ids):06d}"}, event_id=f"EvDM{next(_ids)}")
    await slack.settle()
    replies = [c for c in slack.fake.of("chat.postMessage")[before:] if c["channel"] == channel]
    assert replies, f"no reply to {text!r}"
    return replies[-1]


async def press_prompt(slack: SlackHarness, user: str, reply: dict, value: str, *, channel: str) -> dict:
    """Press the option button of a question whose value is ``value``."""
    ts = f"1764147800.{next(_ids):06d}"
    option = next(el for b in reply["blocks"] if b["type"] == "actions" for el in b["elements"]
                  if el.get("value") == value)
    before = len(slack.fake.of("chat.postMessage"))
    await slack.press(user, option["action_id"], value, channel=channel, hook=None,
                      message={"ts": ts, "text": reply["text"], "blocks": reply["blocks"]})
    await slack.settle()
    return [c for c in slack.fake.of("chat.postMessage")[before:] if c["channel"] == channel][-1]


async def tick_and_send(slack: SlackHarness, user: str, reply: dict, values: list[str], *, channel: str) -> dict:
    """Tick some boxes of a several-answers question, then press its Send button."""
    choices = next(b for b in reply["blocks"] if b.get("block_id") == "prompt.choices")
    boxes = next(el for el in choices["elements"] if el["action_id"] == "prompt.multi")
    send = next(el for el in choices["elements"] if el["action_id"] == "prompt.send")
    state = {"prompt.choices": {"prompt.multi": {
        "type": boxes["type"], "selected_options": [o for o in boxes["options"] if o["value"] in values]}}}
    before = len(slack.fake.of("chat.postMessage"))
    await slack.press(user, send["action_id"], "", channel=channel, hook=None, state=state,
                      message={"ts": f"1764147800.{next(_ids):06d}", "text": reply["text"], "blocks": reply["blocks"]})
    await slack.settle()
    return [c for c in slack.fake.of("chat.postMessage")[before:] if c["channel"] == channel][-1]


async def test_dm_intake_in_french(slack: SlackHarness) -> None:
    reply = await say(slack, "UALICE", "Il nous faut un outil de suivi des contrats fournisseurs pour 20 personnes "
                      "avant le 15 mars 2027, budget 30 000 €", channel="DALICE")
    shown = texts(reply["blocks"])
    # What was understood, and the first question still open, in French.
    assert "20" in shown and "2027" in shown
    answers = {
        "problem": "Les contrats sont dans des fichiers Excel et nous ratons des renouvellements.",
        "benefits": "Moins de reconductions tacites",
    }
    for _ in range(30):
        shown = texts(reply["blocks"])
        if "NEED-1" in shown:
            break
        values = [el.get("value") for b in reply["blocks"] if b["type"] == "actions" and b.get("block_id") ==
                  "prompt.choices" for el in b["elements"] if el.get("type") == "button"]
        if any(el.get("action_id") == "prompt.send" for b in reply["blocks"] if b["type"] == "actions"
               for el in b["elements"]):
            reply = await tick_and_send(slack, "UALICE", reply, ["crm", "erp"], channel="DALICE")
        elif values:
            # A question with buttons: "no" when offered (fewer questions), else the first option (send).
            choice = "no" if "no" in values else values[0]
            reply = await press_prompt(slack, "UALICE", reply, choice, channel="DALICE")
        elif "Quel problème" in shown:
            reply = await say(slack, "UALICE", answers["problem"], channel="DALICE")
        elif "bénéfices" in shown:
            reply = await say(slack, "UALICE", answers["benefits"], channel="DALICE")
        elif "Titre" in shown or "quelques mots" in shown:
            reply = await say(slack, "UALICE", "Suivi des contrats fournisseurs", channel="DALICE")
        elif "direction" in shown.lower():
            reply = await say(slack, "UALICE", "ventes", channel="DALICE")
        else:
            skip = next((el["value"] for b in reply["blocks"] if b.get("block_id") == "prompt.controls"
                         for el in b["elements"] if el["value"] == "passer"), None)
            reply = await say(slack, "UALICE", skip or "1", channel="DALICE")
    assert "NEED-1" in texts(reply["blocks"])
    async with slack.app.db.session() as session:
        need = (await session.exec(select(Need))).one()
    assert need.users_affected == 20 and need.source_conversation == "slack:dm:DALICE"
    assert need.systems == ["crm", "erp"]
    # A pressed question shows its answer and loses its buttons.
    assert slack.fake.of("chat.update")
    assert all(b["type"] != "actions" for b in slack.fake.of("chat.update")[-1]["blocks"])


async def test_a_question_answers_once_even_if_pressed_twice(slack: SlackHarness) -> None:
    reply = await say(slack, "UBOB", "We need a tool to track supplier contracts for 20 people", channel="DBOB")
    assert "?" in texts(reply["blocks"])  # English, from Bob's Slack locale
    controls = {el["value"]: el for b in reply["blocks"] if b.get("block_id") == "prompt.controls"
                for el in b["elements"]}
    assert "cancel" in controls
    message = {"ts": "1764147900.000001", "text": reply["text"], "blocks": reply["blocks"]}
    before = len(slack.fake.of("chat.postMessage"))
    for _ in range(2):
        await slack.press("UBOB", controls["cancel"]["action_id"], "cancel", channel="DBOB", hook=None,
                          message=message)
    await slack.settle()
    after = [c for c in slack.fake.of("chat.postMessage")[before:] if c["channel"] == "DBOB"]
    assert len(after) == 1 and "cancel" in after[0]["text"].lower()


async def test_intake_in_a_thread_where_pmobot_is_mentioned(slack: SlackHarness) -> None:
    await slack.event({"type": "app_mention", "channel": "C0SALES", "user": "UALICE", "ts": "1764148000.000100",
                       "text": "<@UBOT> il nous faut un tableau de bord des ventes pour 12 personnes"},
                      event_id="EvMENTION1", sample="java-slack-sdk-shapes/AppMentionPayload.json")
    await slack.settle()
    reply = [c for c in slack.fake.of("chat.postMessage") if c["channel"] == "C0SALES"][-1]
    assert reply["thread_ts"] == "1764148000.000100"
    assert "12" in texts(reply["blocks"])
    # The answer comes with a mention, in the thread: same conversation.
    await slack.event({"type": "app_mention", "channel": "C0SALES", "user": "UALICE", "ts": "1764148001.000100",
                       "thread_ts": "1764148000.000100", "text": "<@UBOT> annuler"},
                      event_id="EvMENTION2", sample="java-slack-sdk-shapes/AppMentionPayload.json")
    await slack.settle()
    reply = [c for c in slack.fake.of("chat.postMessage") if c["channel"] == "C0SALES"][-1]
    assert reply["thread_ts"] == "1764148000.000100" and "annulé" in reply["text"]


async def test_language_read_once_from_slack(slack: SlackHarness) -> None:
    await say(slack, "UCARLA", "hello", channel="DCARLA")
    await say(slack, "UCARLA", "hello again", channel="DCARLA")
    assert len([c for c in slack.fake.of("users.info") if c["user"] == "UCARLA"]) == 1
    async with slack.app.db.session() as session:
        carla = (await session.exec(select(Person).join(Account, col(Account.person_id) == col(Person.id))
            .where(Account.external_id == "UCARLA"))).one()
    assert carla.locale == "en" and carla.display_name == "Carla Rossi"


async def test_unknown_locale_falls_back_to_the_org_default(slack: SlackHarness) -> None:
    from support.slack import slack_user

    slack.fake.users["UHANS"] = slack_user("UHANS", "Hans Meier", "de-DE")
    reply = await say(slack, "UHANS", "/pmo help", channel="DHANS")
    assert "nouveau" in texts(reply["blocks"])  # French, the org default


async def test_message_shortcut_prefills_the_modal(slack: SlackHarness) -> None:
    from support.slack import load_payload, trigger_id

    payload = load_payload("java-slack-sdk-shapes/MessageShortcutPayload.json")
    payload.update({"type": "message_action", "callback_id": "pmobot.turn_into_need", "trigger_id": trigger_id(),
                    "user": {"id": "UALICE", "name": "alice", "team_id": "T0PMO"}, "team": {"id": "T0PMO"},
                    "channel": {"id": "C0SALES", "name": "ventes"}, "enterprise": None,
                    "response_url": slack.fake.hook_url("shortcut"), "is_enterprise_install": False})
    payload["message"] = {**payload["message"], "type": "message", "user": "UCARLA", "ts": "1764148100.000100",
                          "text": "Il faudrait un portail fournisseurs pour 35 personnes, budget 40 000 €"}
    response = await slack.interact(payload)
    assert response.status == 200
    await slack.settle()
    view = slack.opened_view()
    users = next(b for b in view["blocks"] if b.get("block_id") == "users_affected")
    assert users["element"]["initial_value"] == "35"
    budget = next(b for b in view["blocks"] if b.get("block_id") == "budget")
    assert "40" in budget["element"]["initial_value"]


async def test_global_shortcut_and_home_button_open_the_intake(slack: SlackHarness) -> None:
    from support.slack import load_payload

    envelope = load_payload("socket_mode_envelope.interactive_shortcut_global.json")
    payload = {**envelope["payload"], "callback_id": "pmobot.new_need", "trigger_id": "77.88.global",
               "user": {"id": "UBOB", "username": "bob", "team_id": "T0PMO"}, "team": {"id": "T0PMO"},
               "enterprise": None, "is_enterprise_install": False}
    await slack.interact(payload)
    await slack.settle()
    assert slack.opened_view()["title"]["text"] == "New need"
    home = block_actions(user="UALICE", action_id="home.new", value="intake", view={"id": "VHOME", "type": "home"})
    await slack.interact(home)
    await slack.settle()
    assert slack.opened_view()["title"]["text"] == "Nouveau besoin"


async def test_roles_by_mention_and_it_channel_members(slack: SlackHarness) -> None:
    def last_reply() -> str:
        return slack.fake.of("response_url")[-1]["text"]

    # A requester cannot grant roles; the refusal says who can.
    await slack.command("UALICE", "role <@UBOB|bob> it")
    await slack.settle()
    assert "Seuls les administrateurs PMO peuvent changer les rôles." in last_reply()
    # Carla never wrote to pmobot: Dan can still make her IT by mentioning her.
    await slack.command("UCARLA", "queue")
    await slack.settle()
    assert "The queue is for IT" in last_reply()
    await make_it(slack, "UCARLA")
    await slack.command("UCARLA", "queue")
    await slack.settle()
    assert "Nothing waits on IT right now." in last_reply()
    # With the option on, members of the IT channel count as IT without a grant.
    from support.slack import slack_user

    slack.fake.users["UHUGO"] = slack_user("UHUGO", "Hugo Petit", "fr-FR")
    slack.fake.users["ULEA"] = slack_user("ULEA", "Léa Roux", "fr-FR")
    slack.fake.members["C0IT"] = ["UHUGO", "UCARLA"]
    slack.platform.settings.slack_it_channel_members_are_it = True
    await slack.command("UHUGO", "file")
    await slack.settle()
    assert "Rien n'attend la DSI pour le moment." in last_reply()
    await slack.command("ULEA", "file")
    await slack.settle()
    assert "réservée à la DSI" in last_reply()
    assert len(slack.fake.of("conversations.members")) == 1  # cached in the database, not asked each time


async def test_someone_slack_gives_no_time_zone_is_not_asked_about_at_every_message(slack: SlackHarness) -> None:
    slack.fake.users["UNOTZ"] = {**slack_user("UNOTZ", "Nora Tz", "en-US"), "tz": None}
    for _ in range(3):
        await say(slack, "UNOTZ", "hello", channel="DNOTZ")
    assert len([c for c in slack.fake.of("users.info") if c["user"] == "UNOTZ"]) == 1
    slack.clock.advance(seconds=identity.ASKED_TTL.total_seconds() + 1)
    await say(slack, "UNOTZ", "hello", channel="DNOTZ")
    # Asked again after a while: Slack may know it by then.
    assert len([c for c in slack.fake.of("users.info") if c["user"] == "UNOTZ"]) == 2
