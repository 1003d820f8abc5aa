"""The committee in Teams: the agenda card in the committee channel, a vote from its button (the reason
form in the card's thread) and one typed in a personal chat, the card updated in place, the requester told."""

from __future__ import annotations

from support.committee import estimated_need, seat
from support.teams import FakeMicrosoft, TeamsHarness, card_errors, card_text, thread_conversation
from support.teams import Person as TeamsPerson
from support.teams_flows import BOB, DAN, assert_accepted_by_microsoft, set_up_team, texts_to

from pmobot.domain.roles import Side
from pmobot.i18n import t
from pmobot.services import addresses, people

ALICE = TeamsPerson("alice", "Alice Martin", "fr-FR")
CARLA = TeamsPerson("carla", "Carla Rossi", "en-GB")
ERIN = TeamsPerson("erin", "Erin Blanc", "fr-FR")
COMMITTEE = "19:committee-channel@thread.tacv2"


def latest_card(fake: FakeMicrosoft, card_id: str) -> dict:
    updates = [c for c in fake.sent() if c.method == "PUT" and c.path.endswith(f"/activities/{card_id}")]
    assert updates, "the card was updated in place"
    return updates[-1].body["attachments"][0]["content"]


async def test_a_need_is_voted_on_in_teams_and_decided(teams: TeamsHarness, fake: FakeMicrosoft) -> None:
    app = teams.app
    await set_up_team(teams, fake, BOB)
    for who in (ALICE, CARLA, ERIN):
        await teams.post(teams.personal(who, "hello"))
    await seat(app, "teams", {CARLA.id: (CARLA.name, "en", Side.BUSINESS), ERIN.id: (ERIN.name, "fr", Side.IT)})
    async with app.db.session() as session:
        dan = await people.actor_for(session, core=app.core, platform="teams",
                                     person=await people.find_by_platform_id(session, platform="teams",
                                                                             user_id=DAN.id))
        await addresses.set_channel(session, core=app.core, actor=dan, platform="teams",
                                    purpose=addresses.COMMITTEE_CHANNEL, address=COMMITTEE)
    await estimated_need(app, requester=ALICE.id, estimator=BOB.id, platform="teams")

    # Dan sends it, typing in his personal chat.
    await teams.post(teams.personal(DAN, "envoyer NEED-1"))
    assert "NEED-1" in texts_to(fake, DAN.chat)
    await teams.deliver()
    posts = fake.posts_to(COMMITTEE)
    assert len(posts) == 1
    card_id = posts[0].response_id
    card = posts[0].body["attachments"][0]["content"]
    assert card_errors(card) == []
    assert [a["title"] for a in card["actions"]] == [t("fr", f"button.{b}") for b in
                                                     ("approve", "defer", "reject", "request_info")]
    assert "Alice Martin" in card_text(card)

    # Carla presses Approve: the reason form comes in the card's thread, in her English; she sends it.
    thread = thread_conversation(card_id, COMMITTEE)
    status, _ = await teams.post(teams.press(CARLA, card, t("fr", "button.approve"), conversation=thread,
                                             reply_to=card_id))
    assert status == 200
    form = fake.cards_to(f"{COMMITTEE};messageid={card_id}")[-1]
    assert t("en", "dialog.form_submit") in card_text(form) and "approve" in card_text(form)
    status, body = await teams.post(teams.press(CARLA, form, t("en", "dialog.form_submit"),
                                                inputs={"field:reason": "Saves two days a month"},
                                                conversation=thread, reply_to=card_id))
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert t("en", "committee.voted", key="NEED-1", choice="approve") in card_text(body["value"])
    await teams.deliver()
    updated = latest_card(fake, card_id)
    assert "Carla Rossi" in card_text(updated) and "Saves two days a month" in card_text(updated)

    # Erin approves from her personal chat: the decision, once; the card loses its buttons; Alice is told.
    await teams.post(teams.personal(ERIN, "voter NEED-1 approuver Compatible avec l'ERP"))
    approved = t("fr", "committee.outcome.approved").lower()
    assert t("fr", "committee.decided", key="NEED-1", outcome=approved) in texts_to(fake, ERIN.chat)
    await teams.deliver()
    updated = latest_card(fake, card_id)
    assert updated.get("actions", []) == [] and t("fr", "committee.outcome.approved") in card_text(updated)
    assert t("fr", "committee.told.approved", key="NEED-1") in texts_to(fake, ALICE.chat)

    # A second vote by Carla is refused, in her language, saying why.
    await teams.post(teams.personal(CARLA, "vote NEED-1 reject too late"))
    assert "already decided" in texts_to(fake, CARLA.chat)
    assert_accepted_by_microsoft(fake)
