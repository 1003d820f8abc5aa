"""The keys pmobot builds: stored rows carry them, so each format is pinned here."""

from __future__ import annotations

from pmobot.domain import keys


def test_outbox_keys_keep_the_formats_rows_are_stored_under() -> None:
    assert keys.need_card("NEED-3") == "card:NEED-3"
    assert keys.need_card_version("NEED-3", 7) == "card:NEED-3:v7"
    assert keys.claimed("NEED-3", 12) == "claimed:NEED-3:12"
    assert keys.withdrawn("NEED-3", 12) == "withdrawn:NEED-3:12"
    assert keys.step_told("NEED-3", 4) == "step:NEED-3:v4"
    assert keys.co_requester_told("NEED-3", 4, 12) == "step:NEED-3:v4:12"
    assert keys.co_requester_joined("NEED-3", 12) == "joined:NEED-3:12"
    assert keys.merged("NEED-5", "NEED-3", 12) == "merged:NEED-5:NEED-3:12"
    assert keys.question(41) == "question:41"
    assert keys.question_thread(41) == "question:41:thread"
    assert keys.question_to_it(7) == "question-to-it:7" and keys.question_to_it_thread(7) == "question-to-it:7:thread"
    assert keys.answer_from_it(7) == "answer-from-it:7" and keys.answer_from_it_thread(7) == "answer-from-it:7:thread"
    assert keys.answer(41) == "answer:41"
    assert keys.answer_thread(41) == "answer:41:thread"
    assert keys.estimate("NEED-3", 2) == "estimate:NEED-3:v2"
    assert keys.delivery_failed(88, 5) == "delivery-failed:88:5"
    assert keys.policy_changed(2, 5) == "policy:v2:5"
    assert keys.on_platform(keys.need_card("NEED-3"), "teams") == "card:NEED-3@teams"
    assert keys.reply(keys.event("Ev42"), 1) == "reply:event:Ev42:1"


def test_a_failure_notice_is_known_by_its_key() -> None:
    assert keys.is_delivery_failed(keys.delivery_failed(88, 5))
    assert not keys.is_delivery_failed(keys.claimed("NEED-3", 12))


def test_request_keys_keep_their_formats() -> None:
    assert keys.command("1234.5678") == "command:1234.5678"
    assert keys.activity("invoke", "f:abc") == "activity:invoke:f:abc"
    assert keys.event("Ev42") == "event:Ev42"
    assert keys.action("UALICE", "1700000000.000200") == "action:UALICE:1700000000.000200"
    assert keys.prompt("DALICE", "1700000000.000300") == "prompt:DALICE:1700000000.000300"
    assert keys.view("V123", "0f" * 16) == "view:V123:" + "0f" * 16
    assert keys.form("13345.trig") == "form:13345.trig"
    assert keys.new_need("13345.trig") == "new:13345.trig"
    assert keys.shortcut("13345.trig") == "shortcut:13345.trig"


def test_a_request_key_is_remembered_per_platform_and_cut_to_the_column() -> None:
    assert keys.received("slack", keys.event("Ev42")) == "slack:event:Ev42"
    long = keys.received("teams", keys.activity("message", "x" * 400))
    assert len(long) == keys.KEY_LENGTH and long.startswith("teams:activity:message:xxx")


def test_reference_addresses_keep_their_formats() -> None:
    assert keys.channel_members("CIT") == "members:CIT"


def test_conversation_keys_keep_their_formats() -> None:
    assert keys.direct("slack", "DALICE") == "slack:dm:DALICE"
    assert keys.direct("console", "alice") == "console:dm:alice"
    assert keys.user("slack", "UALICE") == "slack:user:UALICE"
    assert keys.thread("slack", "CIT", "1700000000.000100") == "slack:thread:CIT:1700000000.000100"
    assert keys.conversation("teams", "a:1xyz") == "teams:a:1xyz"


def test_a_long_conversation_id_is_cut_to_the_column() -> None:
    key = keys.conversation("teams", "19:" + "x" * 400 + ";messageid=1")
    assert len(key) == keys.KEY_LENGTH and key.startswith("teams:19:xxx")


def test_decision_subjects_keep_their_formats() -> None:
    assert keys.decision_subject("NEED-4", 1) == "NEED-4/r1"
    assert keys.decision_subject("NEED-4", 2) != keys.decision_subject("NEED-4", 1)
    assert keys.change_subject("PRJ-2", 3) == "PRJ-2/CR-3"


def test_project_keys_keep_their_formats() -> None:
    assert keys.project_owner("PRJ-2", 12, 0) == "project-owner:PRJ-2:12:v0"
    subject = keys.change_subject("PRJ-2", 1)
    assert keys.change_request(subject) == "change:PRJ-2/CR-1"
    assert keys.change_decided(subject, 12) == "change-decided:PRJ-2/CR-1:12"
    assert keys.change_request_member(subject, 12) == "change:PRJ-2/CR-1:member:12"


def test_review_keys_keep_their_formats() -> None:
    assert keys.review_needed("NEED-3", 12) == "review-needed:NEED-3:12"
    assert keys.review_needed_thread("NEED-3") == "review-needed:NEED-3:thread"
    assert keys.review_told("NEED-3", 2) == "review:NEED-3:v2"
    assert keys.review_thread("NEED-3", 2) == "review:NEED-3:v2:thread"


def test_committee_keys_keep_their_formats() -> None:
    assert keys.committee_card("NEED-3", 1) == "committee:NEED-3/r1"
    assert keys.committee_card_version("NEED-3", 2, 7, 1) == "committee:NEED-3/r2:v7:1"
    assert keys.decision_told("NEED-3", 1, 12) == "decision:NEED-3/r1:12"
    assert keys.committee_question(41) == "committee-question:41"
    assert keys.committee_answer(41) == "committee-answer:41"
