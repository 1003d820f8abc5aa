"""Teams: a quoted reply to one of pmobot's cards about a need goes to that need."""

from __future__ import annotations

from botbuilder.schema import Activity, ConversationAccount
from sqlmodel import col, select
from support.teams_flows import ALICE, BOB, claim_ask_answer, file_need_in_chat, set_up_team

from pmobot.adapters.teams.bot import clean_text, quoted_message
from pmobot.domain.models import OutboxMessage, Question


def test_a_quoted_reply_is_read_from_its_entity_or_from_the_quote_block() -> None:
    entity = Activity(text="Et le budget ?", conversation=ConversationAccount(id="a:1"),
                      entities=[{"type": "quotedReply", "quotedReply": {"messageId": "1700000000123"}}])
    assert quoted_message(entity) == "1700000000123|a:1"
    block = Activity(conversation=ConversationAccount(id="a:1"), text=(
        '<blockquote itemscope="" itemtype="http://schema.skype.com/Reply" itemid="1700000000456">'
        "<strong>pmobot</strong> Bob a pris NEED-1</blockquote>Et le budget ?"))
    assert quoted_message(block) == "1700000000456|a:1"
    assert clean_text(block) == "Et le budget ?"  # the quote is not part of what was said
    assert quoted_message(Activity(text="Et le budget ?", conversation=ConversationAccount(id="a:1"))) is None


async def test_a_quoted_reply_to_a_notification_asks_it_about_its_need(teams, fake) -> None:  # type: ignore[no-untyped-def]
    await set_up_team(teams, fake, BOB)
    await file_need_in_chat(teams, fake, ALICE, "Il nous faut un outil de suivi des contrats fournisseurs")
    await teams.deliver()
    await claim_ask_answer(teams, fake, ALICE, BOB)
    async with teams.app.db.session() as session:
        claimed = (await session.exec(select(OutboxMessage).where(
            col(OutboxMessage.key).startswith("claimed:NEED-1")))).one()
    assert claimed.status == "sent" and claimed.platform_message_id
    activity_id = claimed.platform_message_id.split("|")[0]
    reply = teams.personal(ALICE, "Vous aurez besoin de nos contrats types ?")
    reply["entities"] = [*(reply.get("entities") or []),
                         {"type": "quotedReply", "quotedReply": {"messageId": activity_id}}]
    status, _ = await teams.post(reply)
    assert status == 202
    async with teams.app.db.session() as session:
        asked = (await session.exec(select(Question).where(Question.addressee == "it"))).all()
    assert [q.text for q in asked] == ["Vous aurez besoin de nos contrats types ?"]
