"""The whole loop in Slack: the real bolt app in pmobot's aiohttp server, signed
requests built from Slack's payload samples, a fake Web API that checks every call."""

from __future__ import annotations

import json

import pytest

from pmobot.config import Settings
from slack_support import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackHarness, serving, slack_user
from refs import strings_under


@pytest.fixture
async def slack(database_url, clock):  # type: ignore[no-untyped-def]
    fake = FakeSlack()
    await fake.start()
    fake.users.update({
        "UALICE": slack_user("UALICE", "Alice Martin", "fr-FR"),
        "UBOB": slack_user("UBOB", "Bob Smith", "en-US"),
        "UDAN": slack_user("UDAN", "Dan Dupont", "fr-FR"),
        "UCARLA": slack_user("UCARLA", "Carla Rossi", "en-GB"),
    })
    settings = Settings(_env_file=None, database_url=database_url, default_locale="fr", admins="UDAN",
                        it_channel="C0IT", slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                        slack_api_url=fake.api_url)
    async with serving(settings, fake=fake, clock=clock) as harness:
        yield harness


def texts(blocks) -> str:  # type: ignore[no-untyped-def]
    """Every piece of text in some blocks, joined: what a reader sees."""
    return strings_under(blocks, ("text",))


async def test_smoke_help(slack: SlackHarness) -> None:
    response = await slack.command("UALICE", "aide")
    assert response.status == 200
    await slack.settle()
    replies = slack.fake.of("response_url")
    assert replies and "nouveau" in texts(replies[-1]["blocks"])


def buttons(blocks) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """The buttons of some blocks by what they do (action id without its position)."""
    out = {}
    for block in blocks:
        for el in block.get("elements", []) if block.get("type") == "actions" else []:
            if el.get("type") == "button":
                out[el["action_id"].split("|")[0]] = el
    return out


def block_ids(view) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["block_id"] for b in view["blocks"] if b["type"] == "input"]


INTAKE = {
    "title": "Suivi des contrats fournisseurs",
    "problem": "Les contrats sont dans des fichiers Excel et nous ratons des renouvellements.",
    "benefits": "Moins de reconductions tacites",
    "department": "sales",
    "users_affected": "20",
    "desired_date": "2027-03-15",
    "budget": "30 k€",
    "systems": ["crm", "erp"],
    "personal_data": "yes",
    "personal_data_details": "Noms et e-mails des contacts fournisseurs",
    "external_vendor": "no",
}


# An estimate as IT fills the modal in.
ESTIMATE = {
    "effort_low": "10", "effort_likely": "15", "effort_high": "25", "cost": "12 000 €",
    "duration_days": "30", "confidence": "medium", "technical_risk": "low", "security_review": "yes",
    "notes": "SaaS possible",
}


async def make_it(slack: SlackHarness, user: str = "UBOB") -> None:
    await slack.command("UDAN", f"role <@{user}|bob> it")
    await slack.settle()
    assert "DSI" in texts(slack.fake.of("response_url")[-1]["blocks"])


async def file_need(slack: SlackHarness, user: str = "UALICE", **answers: str) -> dict:
    """File a need through the modal (no personal data, so no extra question)."""
    await slack.command(user, "nouveau")
    await slack.settle()
    view = slack.opened_view()
    response = await slack.submit(user, view, {**INTAKE, "personal_data": "no", **answers})
    body = await response.json()
    assert body["response_action"] == "update" and "NEED-" in texts(body["view"]["blocks"]), body
    return body


async def test_the_whole_loop(slack: SlackHarness) -> None:
    fake = slack.fake
    await make_it(slack)

    # Alice opens the intake modal: in French, from her Slack locale.
    assert (await slack.command("UALICE", "nouveau")).status == 200
    await slack.settle()
    view = slack.opened_view()
    assert view["title"]["text"] == "Nouveau besoin"
    assert "personal_data_details" not in block_ids(view)
    controlling = next(b for b in view["blocks"] if b.get("block_id") == "personal_data")
    assert controlling["dispatch_action"] is True
    assert controlling["element"]["type"] == "radio_buttons"
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"}
    assert kinds["problem"] == "plain_text_input" and kinds["users_affected"] == "number_input"
    assert kinds["desired_date"] == "datepicker" and kinds["department"] == "static_select"
    assert kinds["systems"] == "checkboxes"

    # Ticking "personal data: yes" shows the question that depends on it (views.update).
    from slack_support import state_for
    await slack.press("UALICE", "v.yes_no", "yes", view={**view, "state": {"values": state_for(
        view, {"personal_data": "yes", "title": "Suivi des contrats"})}}, hook=None)
    await slack.settle()
    update = fake.of("views.update")[-1]
    assert update["view_id"] == view["id"] and update["hash"] == view["hash"]
    view = slack.opened_view()
    assert "personal_data_details" in block_ids(view)

    # A number below the minimum: the error is shown on its field.
    response = await slack.submit("UALICE", view, {**INTAKE, "users_affected": "0"})
    body = await response.json()
    assert body["response_action"] == "errors" and set(body["errors"]) == {"users_affected"}

    # Sent: the modal says so at once, in French.
    response = await slack.submit("UALICE", view, INTAKE)
    body = await response.json()
    assert body["response_action"] == "update"
    assert "NEED-1" in texts(body["view"]["blocks"])
    await slack.settle()

    # The card reaches the IT channel with its three buttons.
    posts = [c for c in fake.of("chat.postMessage") if c["channel"] == "C0IT"]
    assert len(posts) == 1
    card = posts[0]
    assert set(buttons(card["blocks"])) == {"need.claim", "need.ask", "need.estimate"}
    card_ts = "1764147600.000001"
    assert [c for c in fake.calls if c.method == "chat.postMessage"][0].args["channel"] == "C0IT"

    # Bob claims it: an ephemeral confirmation, the card updated in place, Alice told by DM in French.
    fake.clear()
    card_message = {"ts": card_ts, "text": card["text"], "blocks": card["blocks"]}
    await slack.press("UBOB", "need.claim|0", "NEED-1", message=card_message)
    await slack.settle()
    assert "NEED-1" in texts(fake.of("response_url")[-1]["blocks"])
    assert fake.of("response_url")[-1]["response_type"] == "ephemeral"
    update = fake.of("chat.update")[-1]
    assert update["channel"] == "C0IT" and update["ts"] == card_ts
    assert "Bob Smith" in texts(update["blocks"])
    assert "need.claim" not in buttons(update["blocks"])
    dm = [c for c in fake.of("chat.postMessage") if c["channel"] == "UALICE"]
    assert dm and "Bob Smith" in dm[-1]["text"]

    # Bob asks a question through the modal (in English, his Slack locale).
    fake.clear()
    await slack.press("UBOB", "need.ask|1", "NEED-1", message=card_message)
    await slack.settle()
    question_view = slack.opened_view()
    assert question_view["title"]["text"] == "Question to the request…"  # 24 characters at most
    response = await slack.submit("UBOB", question_view, {"text": "How many active contracts?"})
    assert (await response.json())["response_action"] == "update"
    await slack.settle()
    thread = [c for c in fake.of("chat.postMessage") if c.get("thread_ts") == card_ts]
    assert thread and thread[0]["channel"] == "C0IT" and "How many active contracts?" in thread[0]["text"]
    to_alice = [c for c in fake.of("chat.postMessage") if c["channel"] == "UALICE"][-1]
    assert "How many active contracts?" in texts(to_alice["blocks"])
    answer_button = buttons(to_alice["blocks"])["need.answer"]

    # Alice answers from her DM.
    fake.clear()
    await slack.press("UALICE", answer_button["action_id"], answer_button["value"], channel="DALICE",
                      message={"ts": "1764147600.000009", "text": to_alice["text"], "blocks": to_alice["blocks"]})
    await slack.settle()
    answer_view = slack.opened_view()
    assert answer_view["title"]["text"] == "Réponse à la DSI"
    await slack.submit("UALICE", answer_view, {"text": "Environ 350."})
    await slack.settle()
    thread = [c for c in fake.of("chat.postMessage") if c.get("thread_ts") == card_ts]
    assert thread and "Environ 350." in thread[0]["text"]
    to_bob = [c for c in fake.of("chat.postMessage") if c["channel"] == "UBOB"]
    assert to_bob and "Environ 350." in texts(to_bob[-1]["blocks"])

    # Bob estimates: modal, then Alice gets the estimate and the card shows it.
    fake.clear()
    await slack.press("UBOB", "need.estimate|1", "NEED-1", message=card_message)
    await slack.settle()
    estimate_view = slack.opened_view()
    assert estimate_view["title"]["text"] == "Estimate"
    response = await slack.submit("UBOB", estimate_view, ESTIMATE)
    body = await response.json()
    assert body["response_action"] == "update", body
    await slack.settle()
    to_alice = [c for c in fake.of("chat.postMessage") if c["channel"] == "UALICE"]
    assert to_alice and "NEED-1" in to_alice[-1]["text"]
    assert "15" in texts(to_alice[-1]["blocks"])
    update = fake.of("chat.update")[-1]
    assert update["ts"] == card_ts and "12" in texts(update["blocks"])

    # App Home: Alice sees her need and its status; Bob sees IT's queue.
    fake.clear()
    await slack.event({"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"},
                      event_id="EvHOME1", sample="java-slack-sdk-shapes/AppHomeOpenedPayload.json")
    await slack.settle()
    home = fake.of("views.publish")[-1]
    assert home["user_id"] == "UALICE"
    assert "NEED-1" in texts(home["view"]["blocks"]) and "Estimé" in texts(home["view"]["blocks"])
