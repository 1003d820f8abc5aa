"""Every key pmobot builds from parts, in one place.

Four kinds, each its own type so a conversation key cannot be passed where
an outbox key is meant:

- ``OutboxKey``: the idempotency key of a message in the outbox (queuing the
  same key twice keeps the first), also what ``thread_key`` and
  ``replaces_key`` name;
- ``ConversationKey``: where a conversation with a person takes place (the
  dialog engine keeps one state per person and conversation key);
- ``DeliveryKey``: a platform request's natural key, remembered so that a
  repeated delivery is recognised (``services.inbound``), also what a reply
  the platform would not take at once is queued under (``reply``);
- ``ReferenceAddress``: what a platform caches in its references
  (``services.addresses``) besides people and channels themselves.

Rows already stored carry these strings, so a format here never changes:
``tests`` pin each one.

It passes 400 lines on purpose: one home for every key is what lets a reader
see, and a test pin, that no two areas build the same key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import NewType

OutboxKey = NewType("OutboxKey", str)
ConversationKey = NewType("ConversationKey", str)
DeliveryKey = NewType("DeliveryKey", str)
ReferenceAddress = NewType("ReferenceAddress", str)

# Columns that hold these keys are this long; a longer key is cut, never refused.
KEY_LENGTH = 255


# -- outbox: what the core sends -------------------------------------------------

def need_card(need_key: str) -> OutboxKey:
    """The need's card in the IT intake channel; later versions thread under and replace it."""
    return OutboxKey(f"card:{need_key}")


def need_card_version(need_key: str, events: int) -> OutboxKey:
    """The IT card again after the need's ``events``-th audit event (one update per event)."""
    return OutboxKey(f"card:{need_key}:v{events}")


def claimed(need_key: str, person_id: int) -> OutboxKey:
    """The requester told that ``person_id`` took the need."""
    return OutboxKey(f"claimed:{need_key}:{person_id}")


def withdrawn(need_key: str, person_id: int) -> OutboxKey:
    """The person who had claimed the need told that it was withdrawn."""
    return OutboxKey(f"withdrawn:{need_key}:{person_id}")


def step_told(need_key: str, version: int) -> OutboxKey:
    """The requester told of the step someone else took, the one that made the need ``version``."""
    return OutboxKey(f"step:{need_key}:v{version}")


def co_requester_told(need_key: str, version: int, person_id: int) -> OutboxKey:
    """A co-requester (someone who follows the need) told of the step that made it ``version``."""
    return OutboxKey(f"step:{need_key}:v{version}:{person_id}")


def co_requester_joined(need_key: str, person_id: int) -> OutboxKey:
    """The requester told that ``person_id`` has the same need and now follows it."""
    return OutboxKey(f"joined:{need_key}:{person_id}")


def merged(need_key: str, into_key: str, person_id: int) -> OutboxKey:
    """Someone who followed ``need_key`` told that it was merged into ``into_key``, which they now follow."""
    return OutboxKey(f"merged:{need_key}:{into_key}:{person_id}")


def question(question_id: int) -> OutboxKey:
    """IT's question, to the requester."""
    return OutboxKey(f"question:{question_id}")


def question_thread(question_id: int) -> OutboxKey:
    """IT's question, in the thread of the need's card."""
    return OutboxKey(f"question:{question_id}:thread")


def answer(question_id: int) -> OutboxKey:
    """The requester's answer, to whoever asked ``question_id``."""
    return OutboxKey(f"answer:{question_id}")


def answer_thread(question_id: int) -> OutboxKey:
    """The requester's answer, in the thread of the need's card (keyed by the first question answered)."""
    return OutboxKey(f"answer:{question_id}:thread")


def question_to_it(question_id: int) -> OutboxKey:
    """The requester's question, to whoever claimed the need."""
    return OutboxKey(f"question-to-it:{question_id}")


def question_to_it_thread(question_id: int) -> OutboxKey:
    """The requester's question, in the thread of the need's card."""
    return OutboxKey(f"question-to-it:{question_id}:thread")


def answer_from_it(question_id: int) -> OutboxKey:
    """IT's answer, to the requester (keyed by the first question answered)."""
    return OutboxKey(f"answer-from-it:{question_id}")


def answer_from_it_thread(question_id: int) -> OutboxKey:
    """IT's answer to the requester, in the thread of the need's card."""
    return OutboxKey(f"answer-from-it:{question_id}:thread")


def estimate(need_key: str, version: int) -> OutboxKey:
    """Estimate ``version`` of the need, to the requester."""
    return OutboxKey(f"estimate:{need_key}:v{version}")


def policy_changed(version: int, admin_id: int) -> OutboxKey:
    """A PMO admin told what moved in the ranking when the scoring policy became ``version``."""
    return OutboxKey(f"policy:v{version}:{admin_id}")


def project_owner(project_key: str, person_id: int, project_version: int) -> OutboxKey:
    """``person_id`` told they own the project, as of its ``project_version`` (a new owner, a new notice)."""
    return OutboxKey(f"project-owner:{project_key}:{person_id}:v{project_version}")


def change_request(subject: SubjectKey) -> OutboxKey:
    """A change request announced to the committee channel (the key gets the platform appended)."""
    return OutboxKey(f"change:{subject}")


def change_request_member(subject: SubjectKey, person_id: int) -> OutboxKey:
    """A committee member told of a change request by direct message (no committee channel chosen)."""
    return OutboxKey(f"change:{subject}:member:{person_id}")


def change_decided(subject: SubjectKey, person_id: int) -> OutboxKey:
    """``person_id`` (who asked for the change, or the owner) told how the committee decided it."""
    return OutboxKey(f"change-decided:{subject}:{person_id}")


def check_in(project_key: str, week: str) -> OutboxKey:
    """The owner asked for ``project_key``'s status of ISO ``week`` ("2026-W49"), once."""
    return OutboxKey(f"checkin:{project_key}:{week}")


def check_in_reminder(project_key: str, week: str) -> OutboxKey:
    """The one reminder of a week's check-in, the next business morning."""
    return OutboxKey(f"checkin:{project_key}:{week}:reminder")


def check_in_missed(project_key: str, week: str) -> OutboxKey:
    """The PMO channel told that the project's check-ins were missed, as of ``week`` (the platform appended)."""
    return OutboxKey(f"checkin:{project_key}:{week}:missed")


def check_in_missed_admin(project_key: str, week: str, admin_id: int) -> OutboxKey:
    """A PMO admin told that the project's check-ins were missed, as of ``week`` (no PMO channel chosen)."""
    return OutboxKey(f"checkin:{project_key}:{week}:missed:{admin_id}")


def committee_card(need_key: str, committee_round: int) -> OutboxKey:
    """The need's agenda card in the committee channel for one round; its updates replace it."""
    return OutboxKey(f"committee:{need_key}/r{committee_round}")


def committee_card_version(need_key: str, committee_round: int, need_version: int, votes: int) -> OutboxKey:
    """The agenda card again at the need's ``need_version`` with ``votes`` votes cast (one update per change)."""
    return OutboxKey(f"committee:{need_key}/r{committee_round}:v{need_version}:{votes}")


def decision_told(need_key: str, committee_round: int, person_id: int) -> OutboxKey:
    """A requester (or co-requester) told the committee's decision on a round."""
    return OutboxKey(f"decision:{need_key}/r{committee_round}:{person_id}")


def committee_question(question_id: int) -> OutboxKey:
    """A committee member's question, to the requester or to IT."""
    return OutboxKey(f"committee-question:{question_id}")


def committee_answer(question_id: int) -> OutboxKey:
    """The answer to a committee member's question, to that member (keyed by the first question answered)."""
    return OutboxKey(f"committee-answer:{question_id}")


DELIVERY_FAILED_PREFIX = "delivery-failed:"


def delivery_failed(row_id: int, admin_id: int) -> OutboxKey:
    """A PMO admin told that outbox row ``row_id`` could not be delivered."""
    return OutboxKey(f"{DELIVERY_FAILED_PREFIX}{row_id}:{admin_id}")


def is_delivery_failed(key: str) -> bool:
    """Whether ``key`` is itself a failure notice (never reported, so failures cannot loop)."""
    return key.startswith(DELIVERY_FAILED_PREFIX)


def on_platform(key: str, platform: str) -> OutboxKey:
    """One message sent to every platform's IT channel: one key per platform."""
    return OutboxKey(f"{key}@{platform}")


def reply(request_key: DeliveryKey, index: int) -> OutboxKey:
    """The ``index``-th message of a reply the platform would not take at once, queued instead."""
    return OutboxKey(f"reply:{request_key}:{index}")


# -- tracking: the roadmap update and the weekly digest ------------------------------

def roadmap_update(day: str) -> OutboxKey:
    """The roadmap channel's update of ``day`` (ISO date): one per day, whatever the reruns."""
    return OutboxKey(f"roadmap:{day}")


def digest(channel: str, week: str) -> OutboxKey:
    """The weekly digest of ``week`` (ISO week, "2026-W48") to ``channel``; the platform is appended."""
    return OutboxKey(f"digest:{channel}:{week}")


def digest_chart(channel: str, week: str) -> OutboxKey:
    """The digest's chart, posted after the digest in the same channel."""
    return OutboxKey(f"digest:{channel}:{week}:chart")


def project_closed(project_key: str, person_id: int) -> OutboxKey:
    """``person_id`` (its owner, its need's requester or a co-requester) told the project was closed:
    a project is closed once, so once per person."""
    return OutboxKey(f"project-closed:{project_key}:{person_id}")


def roadmap_event(kind: str, subject: str) -> str:
    """What moved the roadmap, by its natural key (a decision's subject, a slip's project and forecast end):
    recorded twice, one event."""
    return f"{kind}:{subject}"


# -- what a platform request is known by ------------------------------------------

def command(trigger: str) -> DeliveryKey:
    """A slash command, by the trigger the platform gave it."""
    return DeliveryKey(f"command:{trigger}")


def activity(activity_type: str, activity_id: str) -> DeliveryKey:
    """A Teams activity (a message, an invoke), by its type and id."""
    return DeliveryKey(f"activity:{activity_type}:{activity_id}")


def event(event_id: str) -> DeliveryKey:
    """A Slack event (a message, a mention), by its event id."""
    return DeliveryKey(f"event:{event_id}")


def action(user_id: str, pressed: str) -> DeliveryKey:
    """A card button pressed by ``user_id``, by the moment Slack stamped on the press (or its trigger)."""
    return DeliveryKey(f"action:{user_id}:{pressed}")


def prompt(channel: str, message_ts: str) -> DeliveryKey:
    """The answer to a question asked with buttons: one per question message, whoever presses."""
    return DeliveryKey(f"prompt:{channel}:{message_ts}")


def view(view_id: str, digest: str) -> DeliveryKey:
    """A submitted Slack modal, by its view and a digest of the answers (a changed answer is a new submission)."""
    return DeliveryKey(f"view:{view_id}:{digest}")


def form(trigger: str) -> DeliveryKey:
    """A card button that opens a form for a need, by its trigger."""
    return DeliveryKey(f"form:{trigger}")


def new_need(trigger: str) -> DeliveryKey:
    """A "new need" opened from a shortcut or the App Home, by its trigger."""
    return DeliveryKey(f"new:{trigger}")


def shortcut(trigger: str) -> DeliveryKey:
    """A message turned into a need with the message shortcut, by its trigger."""
    return DeliveryKey(f"shortcut:{trigger}")


def received(platform: str, key: DeliveryKey) -> str:
    """How a delivery key is remembered: per platform, cut to the column."""
    return f"{platform}:{key}"[:KEY_LENGTH]


# -- the security and GDPR review ---------------------------------------------------

def review_needed(need_key: str, person_id: int) -> OutboxKey:
    """A security reviewer told that the need waits on a review (once per need and reviewer)."""
    return OutboxKey(f"review-needed:{need_key}:{person_id}")


def review_needed_thread(need_key: str) -> OutboxKey:
    """The IT channel told, under the need's card, that it waits on a security review."""
    return OutboxKey(f"review-needed:{need_key}:thread")


def review_told(need_key: str, version: int) -> OutboxKey:
    """The requester told the outcome of review ``version``."""
    return OutboxKey(f"review:{need_key}:v{version}")


def review_thread(need_key: str, version: int) -> OutboxKey:
    """The outcome of review ``version``, under the need's card in the IT channel."""
    return OutboxKey(f"review:{need_key}:v{version}:thread")


def alert_notice(alert_number: int, event: str, version: int, person_id: int | None = None) -> OutboxKey:
    """ALERT-n told (opened, raised, closed) as of its ``version``, to ``person_id`` or (None) to the PMO
    channel: a change told once, a later change anew."""
    to = f":{person_id}" if person_id is not None else ""
    return OutboxKey(f"alert:{alert_number}:{event}:v{version}{to}")


def alert_group_notice(subject: str, told: Sequence[tuple[int, str, int]], person_id: int | None = None) -> OutboxKey:
    """Several alerts of one subject told together (each as ``(number, event, version)``), to ``person_id``
    or (None) to the PMO channel: the same alerts at the same versions are told once."""
    parts = ",".join(f"{n}:{e}:v{v}" for n, e, v in sorted(told))
    to = f":{person_id}" if person_id is not None else ""
    return OutboxKey(f"alerts:{subject}:{hashlib.sha256(parts.encode()).hexdigest()[:20]}{to}")


def alert_update_asked(alert_number: int, day: str) -> OutboxKey:
    """The owner asked for an update because of ALERT-n, at most once a day however often it is pressed."""
    return OutboxKey(f"alert:{alert_number}:update-asked:{day}")


def alert_subject(subject: str, rule: str) -> str:
    """What makes an alert one per subject and rule while it is open (``drift_alert.open_key``)."""
    return f"{subject}:{rule}"


def scope_sent(need_key: str, version: int, person_id: int) -> OutboxKey:
    """Version ``version`` of the need's scope sent to ``person_id`` to agree or ask for changes."""
    return OutboxKey(f"scope:{need_key}:v{version}:{person_id}")


def scope_thread(need_key: str, version: int, event: str) -> OutboxKey:
    """A step of the scope's sign-off (sent, changes asked, agreed) under the need's card in the IT channel."""
    return OutboxKey(f"scope:{need_key}:v{version}:thread:{event}")


def scope_agreed_told(need_key: str, version: int, person_id: int) -> OutboxKey:
    """The author of version ``version`` told that ``person_id`` agreed to it."""
    return OutboxKey(f"scope-agreed:{need_key}:v{version}:{person_id}")


def scope_changes_told(need_key: str, version: int, count: int) -> OutboxKey:
    """The author of version ``version`` told of the ``count``-th request for changes to it."""
    return OutboxKey(f"scope-changes:{need_key}:v{version}:{count}")


# -- references a platform caches -------------------------------------------------

def channel_members(channel: str) -> ReferenceAddress:
    """The members of a channel, as last asked of the platform."""
    return ReferenceAddress(f"members:{channel}")


# -- conversations ----------------------------------------------------------------

def direct(platform: str, channel: str) -> ConversationKey:
    """A person's direct conversation with pmobot (a Slack DM channel, the console's user)."""
    return ConversationKey(f"{platform}:dm:{channel}")


def user(platform: str, user_id: str) -> ConversationKey:
    """A person reached without a conversation of their own (a Slack modal, a command outside a DM)."""
    return ConversationKey(f"{platform}:user:{user_id}")


def thread(platform: str, channel: str, thread_id: str) -> ConversationKey:
    """A thread in a channel: everybody in it shares the thread, each with their own dialog."""
    return ConversationKey(f"{platform}:thread:{channel}:{thread_id}")


def conversation(platform: str, conversation_id: str) -> ConversationKey:
    """A conversation the platform names with one id (Teams: personal chat, channel thread, group chat)."""
    return ConversationKey(f"{platform}:{conversation_id}"[:KEY_LENGTH])


# -- what the committee decides on ------------------------------------------------
# Stored in ``vote.subject`` and ``decision.subject``: one decision per subject.

SubjectKey = NewType("SubjectKey", str)


def decision_subject(need_key: str, committee_round: int) -> SubjectKey:
    """A need before the committee, in its ``committee_round``-th round (a deferred need comes back in a new one)."""
    return SubjectKey(f"{need_key}/r{committee_round}")


def change_subject(project_key: str, number: int) -> SubjectKey:
    """The ``number``-th change request of a project."""
    return SubjectKey(f"{project_key}/CR-{number}")
