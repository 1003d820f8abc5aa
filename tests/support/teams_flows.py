"""Steps of the Teams loop that several test modules take: the people, setting up a team,
filing a need in a personal chat, claiming, asking and estimating from the IT channel."""

from __future__ import annotations

from pmobot.i18n import t
from support.dialogs import answer_dialog
from support.teams import (
    IT_CHANNEL,
    FakeMicrosoft,
    Person,
    TeamsHarness,
    card_errors,
    card_text,
    connector_errors,
    personal_conversation,
    thread_conversation,
)

ALICE = Person("alice", "Alice Martin", "fr-FR")
BOB = Person("bob", "Bob Smith", "en-US")
DAN = Person("dan", "Dan Dupont", "fr-FR")
# The same loop with the languages swapped.
EMMA = Person("emma", "Emma Brown", "en-GB")
FLO = Person("flo", "Florence Petit", "fr-CA")


def texts_to(fake: FakeMicrosoft, fragment: str) -> str:
    return "\n".join(card_text(c) for c in fake.cards_to(fragment))


def assert_accepted_by_microsoft(fake: FakeMicrosoft) -> None:
    assert fake.sent()
    assert [p for call in fake.sent() for p in connector_errors(call)] == []
    assert fake.refused == []


def lang(who: Person) -> str:
    return who.locale[:2]


async def set_up_team(teams: TeamsHarness, fake: FakeMicrosoft, it_person: Person | None) -> None:
    """pmobot is added to the team; Dan (PMO admin by his Entra id) picks the IT channel and makes
    ``it_person`` IT (nobody when None: IT works from another platform)."""
    status, _ = await teams.post(teams.installed_in_team(DAN))
    assert status == 202
    if it_person is not None:
        await teams.post(teams.personal(it_person, "hello"))
    await teams.post(teams.personal(DAN, "bonjour"))
    await teams.post(teams.channel(DAN, "set it-channel"))
    assert t("fr", "teams.it_channel_set") in texts_to(fake, IT_CHANNEL)
    if it_person is None:
        return
    await teams.post(teams.channel(DAN, f"role <at>{it_person.name}</at> it", mentions=(it_person,)))
    granted = texts_to(fake, IT_CHANNEL).split("\n")[-1]
    assert it_person.name in granted and t("fr", "role.it") in granted


def intake_answers(who: Person) -> dict[str, str]:
    """What the requester types to the intake questions the opening sentence leaves (the
    department is pressed on its card); optional questions not listed are skipped."""
    if lang(who) == "fr":
        return {"problem": "Tout est dans Excel, on perd des contrats.", "benefits": "Moins d'oublis",
                "department": "Ventes", "users_affected": "20", "personal_data": "non", "external_vendor": "non"}
    return {"problem": "Everything lives in Excel and we lose contracts.", "benefits": "Fewer missed renewals",
            "department": "Sales", "users_affected": "20", "personal_data": "no", "external_vendor": "no"}


async def file_need_in_chat(teams: TeamsHarness, fake: FakeMicrosoft, who: Person, sentence: str) -> None:
    """The requester describes the need in a personal chat, answering one question at a time."""
    answers = intake_answers(who)

    async def say(text: str) -> None:
        await teams.post(teams.personal(who, text))

    await say(sentence)
    await answer_dialog(teams.app, platform="teams", external_id=who.id, answers=answers, say=say, until="department")
    status, body = await teams.post(teams.press(who, fake.cards_to(who.chat)[-1], answers["department"],
                                                conversation=personal_conversation(who)))
    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    await answer_dialog(teams.app, platform="teams", external_id=who.id, answers=answers, say=say)
    status, _ = await teams.post(teams.press(who, fake.cards_to(who.chat)[-1], t(lang(who), "dialog.form_submit"),
                                             conversation=personal_conversation(who)))
    assert status == 200


def need_card_post(fake: FakeMicrosoft, key: str = "NEED-1"):  # type: ignore[no-untyped-def]
    posts = [c for c in fake.posts_to(IT_CHANNEL) if key in card_text(c.body)]
    assert len(posts) == 1, "the need card is posted once to the IT channel"
    return posts[0]


def latest_it_card(fake: FakeMicrosoft, card_id: str) -> dict:
    """The IT channel's card as it stands: the last update of the post, else the post."""
    updates = [c for c in fake.sent() if c.method == "PUT" and c.path.endswith(f"/activities/{card_id}")]
    call = updates[-1] if updates else need_card_post(fake)
    return call.body["attachments"][0]["content"]


async def claim_ask_answer(teams: TeamsHarness, fake: FakeMicrosoft, requester: Person, it: Person) -> str:
    """IT claims from the channel card, asks with the question form, the requester answers; returns the card id."""
    card_post = need_card_post(fake)
    card_id = card_post.response_id
    thread = thread_conversation(card_id)
    card = card_post.body["attachments"][0]["content"]
    claim = t("fr", "button.claim")  # the channel speaks the organisation's language
    status, body = await teams.post(teams.press(it, card, claim, conversation=thread, reply_to=card_id))
    assert status == 200 and "NEED-1" in body["value"]
    await teams.deliver()
    assert t(lang(requester), "estimation.claimed_notice", who=it.name, key="NEED-1",
             title="Outil de suivi des contrats fournisseurs" if lang(requester) == "fr"
             else "Supplier contract tracker").split("(")[0] in texts_to(fake, requester.chat)
    # The card was updated in place: it names who claimed it, and Claim is gone.
    updated = latest_it_card(fake, card_id)
    assert it.name in card_text(updated) and claim not in [a["title"] for a in updated.get("actions", [])]

    # Ask a question: the button brings the question form, in IT's language.
    ask = t("fr", "button.ask")
    await teams.post(teams.press(it, updated, ask, conversation=thread, reply_to=card_id))
    form = fake.cards_to(f"{IT_CHANNEL};messageid={card_id}")[-1]
    assert t(lang(it), "dialog.form_submit") in card_text(form)
    status, body = await teams.post(teams.press(it, form, t(lang(it), "dialog.form_submit"),
                                                inputs={"field:text": "How many active contracts?"},
                                                conversation=thread, reply_to=card_id))
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    await teams.deliver()
    assert "How many active contracts?" in texts_to(fake, requester.chat)
    question_title = t(lang(requester), "estimation.question_title", who=it.name, key="NEED-1")
    assert question_title in texts_to(fake, requester.chat)
    # The question is in the card's thread too.
    assert "How many active contracts?" in texts_to(fake, f"{IT_CHANNEL};messageid={card_id}")

    # The requester answers by typing the command, without /pmo.
    word = "repondre" if lang(requester) == "fr" else "answer"
    await teams.post(teams.personal(requester, f"{word} NEED-1 About 350 <b>contracts</b>"))
    assert t(lang(requester), "estimation.answered", key="NEED-1") in texts_to(fake, requester.chat)
    await teams.deliver()
    assert "About 350 <b>contracts</b>" in texts_to(fake, it.chat)
    assert t(lang(it), "estimation.answer_title", who=requester.name, key="NEED-1") in texts_to(fake, it.chat)
    return card_id


async def estimate(teams: TeamsHarness, fake: FakeMicrosoft, requester: Person, it: Person, card_id: str) -> None:
    """IT estimates with the estimate form; a mistake shows on the card first; the requester is told."""
    thread = thread_conversation(card_id)
    card = latest_it_card(fake, card_id)
    await teams.post(teams.press(it, card, t("fr", "button.estimate"), conversation=thread, reply_to=card_id))
    form = fake.cards_to(f"{IT_CHANNEL};messageid={card_id}")[-1]
    send = t(lang(it), "dialog.form_submit")
    values = {"field:effort_low": "10", "field:effort_likely": "5", "field:effort_high": "30",
              "field:cost": "25000", "field:duration_days": "40", "field:confidence": "medium",
              "field:technical_risk": "low", "field:security_review": "false", "field:notes": ""}
    status, body = await teams.post(teams.press(it, form, send, inputs=values, conversation=thread, reply_to=card_id))
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    refused = body["value"]
    assert [p for p in card_errors(refused)] == []
    # The form comes back with what was typed and an error under the field at fault.
    body = refused["body"]
    at = next(i for i, e in enumerate(body) if e.get("id") == "field:effort_likely")
    error = body[at + 1]
    assert error["type"] == "RichTextBlock" and error["inlines"][0]["color"] == "Attention"
    assert "(10)" in error["inlines"][0]["text"]
    # What was typed is still there.
    assert next(e for e in body if e.get("id") == "field:effort_low")["value"] == 10
    assert next(e for e in body if e.get("id") == "field:cost")["value"] == "25000"
    assert next(e for e in body if e.get("id") == "field:confidence")["value"] == "medium"
    values["field:effort_likely"] = "15"
    status, body = await teams.post(teams.press(it, refused, send, inputs=values, conversation=thread,
                                                reply_to=card_id))
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert t(lang(it), "estimation.recorded", version=1, key="NEED-1", who=requester.name) in card_text(body["value"])
    await teams.deliver()
    assert t(lang(requester), "estimation.estimate_notice", who=it.name, key="NEED-1") in texts_to(fake, requester.chat)
