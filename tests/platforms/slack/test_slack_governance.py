"""The security gate and the channels in Slack: a security reviewer told in a DM reviews a need in a
modal opened from the button; the requester is told, the IT card shows the outcome; the committee
channel is chosen by typing the slash command in it. Every call is checked against Slack's refs."""

from __future__ import annotations

from support.slack import SlackHarness
from support.slack_flows import ESTIMATE, block_ids, file_need, make_it, texts

from pmobot.services import addresses

CHECKLIST = {"dpa": "missing", "hosting": "outside_eu", "sso": "no", "integration": "custom",
             "questionnaire": "not_received", "retention": "Unknown", "outcome": "blocked",
             "reasons": "Data hosted in the US, no DPA"}


def _posted_texts(slack: SlackHarness, channel: str) -> str:
    return "\n".join(texts(c.get("blocks") or []) or str(c.get("text")) for c in slack.fake.of("chat.postMessage")
                     if c.get("channel") == channel)


async def test_review_round_trip_from_the_reviewers_button(slack: SlackHarness) -> None:
    fake = slack.fake
    await make_it(slack)
    await slack.command("UDAN", "role <@UCARLA|carla> security")
    await slack.settle()
    assert "relecteur sécurité et RGPD" in texts(fake.of("response_url")[-1]["blocks"])
    # No personal data, no vendor: the estimate asks for the review (ESTIMATE's security_review is yes).
    await file_need(slack)
    await slack.command("UBOB", "estimate NEED-1")
    await slack.settle()
    body = await slack.submitted("UBOB", slack.opened_view(), ESTIMATE)
    assert body["response_action"] == "update", body
    await slack.settle()

    # Carla (en-GB) is told in a DM why NEED-1 waits on her, with the button that opens the review.
    told = next(c for c in fake.of("chat.postMessage") if "Security review needed: NEED-1" in str(c.get("text")))
    assert "Why: asked for by IT's estimate." in texts(told["blocks"])
    button = next(e for b in told["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert (button["action_id"].split("|")[0], button["value"]) == ("need.review", "NEED-1")
    # The IT channel's thread says it too.
    assert "NEED-1 doit passer une revue de sécurité et RGPD" in _posted_texts(slack, "C0IT")

    # Bob may not review: refused, no modal.
    fake.clear()
    await slack.command("UBOB", "review NEED-1")
    await slack.settle()
    assert not fake.of("views.open")
    assert "Only security reviewers can review a need." in texts(fake.of("response_url")[-1]["blocks"])

    await slack.press("UCARLA", "need.review", "NEED-1", channel="DCARLA")
    await slack.settle()
    view = slack.opened_view()
    assert view["title"]["text"] == "Security and GDPR review"
    assert block_ids(view)[:7] == ["dpa", "hosting", "sso", "integration", "questionnaire", "retention", "outcome"]
    body = await slack.submitted("UCARLA", view, CHECKLIST)
    assert body["response_action"] == "update", body
    assert "Review v1 of NEED-1 is recorded: blocked." in texts(body["view"]["blocks"])
    await slack.settle()
    # The IT card is updated in place with the outcome and its reasons.
    card = texts(fake.of("chat.update")[-1]["blocks"])
    assert "Revue de sécurité" in card and "bloquée · v1 par Carla Rossi" in card
    assert "Data hosted in the US, no DPA" in card
    # Alice is told in French.
    alice = next(c for c in fake.of("chat.postMessage")
                 if "Revue de sécurité de NEED-1 : bloquée" in str(c.get("text")))
    assert "Le comité ne peut pas l'approuver tant qu'elle est bloquée." in texts(alice["blocks"])


async def test_the_committee_channel_is_chosen_by_typing_in_it(slack: SlackHarness) -> None:
    fake = slack.fake
    await slack.command("UDAN", "canal ici comité", channel="D0DAN")
    await slack.settle()
    assert "pas en conversation privée" in texts(fake.of("response_url")[-1]["blocks"])
    await slack.command("UDAN", "channel here committee", channel="C0COMMITTEE")
    await slack.settle()
    assert "Ce canal est désormais le canal du comité sur slack." in texts(fake.of("response_url")[-1]["blocks"])
    await slack.command("UALICE", "channel here roadmap", channel="C0ROADMAP")
    await slack.settle()
    assert "Seuls les administrateurs du PMO" in texts(fake.of("response_url")[-1]["blocks"])
    await slack.command("UBOB", "channels")
    await slack.settle()
    shown = texts(fake.of("response_url")[-1]["blocks"])
    assert "committee channel: C0COMMITTEE" in shown and "IT intake channel: C0IT" in shown
    assert "roadmap channel: not chosen yet" in shown
    async with slack.app.db.session() as session:
        assert await addresses.channel(session, core=slack.app.core, platform="slack",
                                       purpose=addresses.COMMITTEE_CHANNEL) == "C0COMMITTEE"
