"""The whole loop in Slack: the real bolt app in pmobot's aiohttp server, signed
requests built from Slack's payload samples, a fake Web API that checks every call."""

from __future__ import annotations

from support.slack import SlackHarness
from support.slack_flows import ESTIMATE, INTAKE, block_ids, buttons, make_it, texts


async def test_smoke_help(slack: SlackHarness) -> None:
    response = await slack.command("UALICE", "aide")
    assert response.status == 200
    await slack.settle()
    replies = slack.fake.of("response_url")
    assert replies and "nouveau" in texts(replies[-1]["blocks"])



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
    from support.slack import state_for
    await slack.press("UALICE", "v.yes_no", "yes", view={**view, "state": {"values": state_for(
        view, {"personal_data": "yes", "title": "Suivi des contrats"})}}, hook=None)
    await slack.settle()
    update = fake.of("views.update")[-1]
    assert update["view_id"] == view["id"] and update["hash"] == view["hash"]
    view = slack.opened_view()
    assert "personal_data_details" in block_ids(view)

    # A number below the minimum: the error is shown on its field.
    body = await slack.submitted("UALICE", view, {**INTAKE, "users_affected": "0"})
    assert body["response_action"] == "errors" and set(body["errors"]) == {"users_affected"}

    # Sent: once worked, the modal says so, in French.
    body = await slack.submitted("UALICE", view, INTAKE)
    assert body["response_action"] == "update"
    assert "NEED-1" in texts(body["view"]["blocks"])
    await slack.settle()

    # The card reaches the IT channel with its three buttons.
    posts = [c for c in fake.of("chat.postMessage") if c["channel"] == "C0IT"]
    assert len(posts) == 1
    card = posts[0]
    assert set(buttons(card["blocks"])) == {"need.claim", "need.ask", "need.estimate"}
    card_ts = "1764147600.000001"
    assert next(c for c in fake.calls if c.method == "chat.postMessage").args["channel"] == "C0IT"

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
    assert question_view["title"]["text"] == "Question about a need"  # 24 characters at most
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
    assert answer_view["title"]["text"] == "Réponse sur un besoin"
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
    body = await slack.submitted("UBOB", estimate_view, ESTIMATE)
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
