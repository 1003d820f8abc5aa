"""Control characters, terminal escapes and bidi overrides sent by any platform are cleaned
at the door: a need filed, asked about and withdrawn with them is stored clean and nothing
fails, on SQLite and on PostgreSQL (where a NUL used to make every "Send" fail for good)."""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from support.dialogs import answer_dialog
from support.hostile import (
    PROBLEM,
    PROBLEM_CLEAN,
    QUESTION,
    QUESTION_CLEAN,
    REASON,
    REASON_CLEAN,
    SENTENCE,
    SENTENCE_WORDS,
    stored_debris,
)
from support.slack import SlackHarness, slack_user
from support.slack_flows import INTAKE, make_it, texts
from support.teams import FakeMicrosoft, Person, TeamsHarness
from support.teams_flows import BOB, file_need_in_chat, set_up_team

from pmobot.app import App
from pmobot.domain.models import AuditEvent, Need, Question
from pmobot.services import export, people

FRENCH_ANSWERS = {"title": "Suivi\x01des contrats\x00", "problem": PROBLEM, "benefits": "Moins\x0bd'oublis",
                  "department": "1", "users_affected": "20", "personal_data": "non", "external_vendor": "non"}


async def _need_and_trail(app: App) -> tuple[Need, list[Question], AuditEvent]:
    async with app.db.session() as session:
        need = (await session.exec(select(Need))).one()
        questions = list((await session.exec(select(Question))).all())
        withdrawn = (await session.exec(select(AuditEvent).where(AuditEvent.action == "withdraw"))).one()
    return need, questions, withdrawn


async def _exported(app: App) -> str:
    async with app.db.session() as session:
        return "".join([(await export.document(session, core=app.core, what=what, format=fmt)).text
                        for what in ("needs", "questions") for fmt in ("csv", "json")])


async def _assert_stored_clean(app: App) -> Need:
    need, questions, withdrawn = await _need_and_trail(app)
    assert SENTENCE_WORDS in need.opening_message
    assert need.problem == PROBLEM_CLEAN
    assert [q.text for q in questions] == [QUESTION_CLEAN]
    assert withdrawn.reason == REASON_CLEAN
    assert await stored_debris(app) == []
    exported = await _exported(app)
    assert PROBLEM_CLEAN in exported and "\x00" not in exported and "\x1b" not in exported
    return need


async def test_console_files_asks_and_withdraws_with_control_characters(app: App, console: Any) -> None:
    await console.handle_line(SENTENCE)
    await answer_dialog(app, platform="console", external_id="alice", answers=FRENCH_ANSWERS,
                        say=console.handle_line)
    await console.handle_line("1")  # send
    await console.handle_line("/as bob")
    await console.handle_line(f"/pmo ask NEED-1 {QUESTION}")
    await console.handle_line("/as alice")
    await console.handle_line(f"/pmo withdraw NEED-1 {REASON}")
    transcript = console.out.getvalue()
    assert "NEED-1" in transcript and "ref" not in transcript.lower().split("need-1")[-1]
    need = await _assert_stored_clean(app)
    assert need.status == "withdrawn"


async def test_slack_files_asks_and_withdraws_with_control_characters(slack: SlackHarness) -> None:
    # A display name is anyone's to choose: it is cleaned on its way to the people service.
    slack.fake.users["UALICE"] = slack_user("UALICE", "Alice\x00Martin\u202e", "fr-FR")
    await make_it(slack)
    await slack.command("UALICE", f"nouveau {SENTENCE}")
    await slack.settle()
    view = slack.opened_view()
    title = next(b for b in view["blocks"] if b.get("block_id") == "title")
    assert "\x00" not in title["element"].get("initial_value", "")
    answers: dict[str, Any] = {**INTAKE, "personal_data": "no", "problem": PROBLEM}
    if title["element"].get("initial_value"):
        del answers["title"]  # the title pre-filled from the sentence is sent as it is
    body = await slack.submitted("UALICE", view, answers)
    assert body["response_action"] == "update" and "NEED-1" in texts(body["view"]["blocks"]), body
    await slack.command("UBOB", f"ask NEED-1 {QUESTION}")
    await slack.settle()  # the command is handled after its ack: the question first, then the withdrawal
    await slack.command("UALICE", f"retirer NEED-1 {REASON}")
    await slack.settle()
    await _assert_stored_clean(slack.app)
    async with slack.app.db.session() as session:
        alice = await people.find_by_platform_id(session, platform="slack", user_id="UALICE")
    assert alice is not None and alice.display_name == "Alice Martin"


async def test_teams_files_asks_and_withdraws_with_control_characters(teams: TeamsHarness,
                                                                       fake: FakeMicrosoft) -> None:
    await set_up_team(teams, fake, BOB)
    alice = Person("alice", "Alice\x01Martin\u2066", "fr-FR")
    await file_need_in_chat(teams, fake, alice, SENTENCE)
    await teams.post(teams.channel(BOB, f"ask NEED-1 {QUESTION}"))
    await teams.post(teams.personal(alice, f"retirer NEED-1 {REASON}"))
    await teams.deliver()
    await _assert_stored_clean(teams.app)
    async with teams.app.db.session() as session:
        stored = await people.find_by_platform_id(session, platform="teams", user_id=alice.id)
        assert stored is not None
    assert stored.display_name == "Alice Martin"
