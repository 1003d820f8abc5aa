"""Needs and estimates as platform-neutral cards, in the reader's language."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.commands import buttons
from pmobot.conversation.fieldtypes import field_type, format_value
from pmobot.conversation.spec import DialogSpec
from pmobot.domain import lifecycle
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import Estimate, Need, Person, Question
from pmobot.domain.reviews import ReviewGate
from pmobot.domain.roles import Role
from pmobot.i18n import format_moment, format_money, format_number, t
from pmobot.messages import Action, Card, CardField
from pmobot.services import links, need_file, reviews, scoring
from pmobot.services.core import Core
from pmobot.services.needs import answers_of, status_label

# Shown as the card's title and body rather than as fields.
_HEADLINE = ("title", "problem")


def need_fields(spec: DialogSpec, need: Need, locale: str) -> list[CardField]:
    answers = answers_of(spec, need)
    out: list[CardField] = []
    for field in spec.fields:
        if field.id in _HEADLINE:
            continue
        value = answers.get(field.id)
        if value is None or value == []:
            continue
        shown = format_value(field, value, locale)
        out.append(CardField(field.label.get(locale), shown, short=not field_type(field).wide))
    return out


def estimate_summary(estimate: Estimate, locale: str) -> str:
    return t(
        locale, "card.estimate_line",
        likely=format_number(estimate.effort_likely, locale),
        low=format_number(estimate.effort_low, locale),
        high=format_number(estimate.effort_high, locale),
        cost=format_money(estimate.cost, estimate.currency, locale),
        days=estimate.duration_days,
    )


def estimate_fields(spec: DialogSpec, estimate: Estimate, estimator: Person | None, locale: str) -> list[CardField]:
    values: dict[str, Any] = {
        "confidence": estimate.confidence,
        "technical_risk": estimate.technical_risk,
        "security_review": estimate.security_review,
        **(estimate.extra or {}),
    }
    title = t(locale, "card.estimate", version=estimate.version)
    out = [CardField(title, estimate_summary(estimate, locale), short=False)]
    for field in spec.fields:
        if field.id in values and values[field.id] is not None:
            out.append(CardField(field.label.get(locale), format_value(field, values[field.id], locale)))
    if estimate.notes:
        out.append(CardField(spec.field("notes").label.get(locale), estimate.notes, short=False))
    if estimator:
        out.append(CardField(t(locale, "card.estimated_by"), estimator.display_name))
    return out


def need_card(
    core: Core,
    *,
    intake: DialogSpec,
    estimate_spec: DialogSpec,
    need: Need,
    requester: Person,
    claimed_by: Person | None,
    estimate: Estimate | None,
    estimator: Person | None,
    open_questions: list[Question],
    locale: str,
    actions: tuple[Action, ...] = (),
    review: ReviewGate | None = None,
) -> Card:
    fields = [CardField(t(locale, "card.requester"), requester.display_name)]
    if claimed_by:
        fields.append(CardField(t(locale, "card.claimed_by"), claimed_by.display_name))
    fields += need_fields(intake, need, locale)
    if estimate:
        fields += estimate_fields(estimate_spec, estimate, estimator, locale)
    if review is not None:
        fields += reviews.card_fields(review, locale, timezone=core.settings.timezone)
    for q in open_questions:
        label = "card.open_question_to_it" if q.addressee == "it" else "card.open_question"
        fields.append(CardField(t(locale, label), q.text, short=False))
    footer = ""
    if need.submitted_at:
        footer = t(locale, "card.submitted_on", when=format_moment(need.submitted_at, locale, core.settings.timezone))
    return Card(
        title=f"{need.key} · {need.title}",
        subtitle=status_label(need.status, locale),
        body=need.problem,
        fields=tuple(fields),
        actions=actions,
        footer=footer,
    )


async def load_need_card(
    session: AsyncSession, *, core: Core, need: Need, locale: str, actions: tuple[Action, ...] = (),
) -> Card:
    """The need's card with everything it shows loaded from the database."""
    return file_card(core, await need_file.of(session, core=core, need=need), locale=locale, actions=actions)


def file_card(core: Core, file: need_file.NeedFile, *, locale: str, actions: tuple[Action, ...] = ()) -> Card:
    """The need's card from its file, read already."""
    need, estimate = file.need, file.estimate
    requester = file.person(need.requester_id)
    assert requester is not None  # a foreign key
    card = need_card(
        core, intake=core.specs["intake"], estimate_spec=core.specs["estimate"], need=need, requester=requester,
        claimed_by=file.person(need.claimed_by_id), estimate=estimate,
        estimator=file.person(estimate.estimator_id if estimate else None),
        open_questions=list(file.questions), locale=locale, actions=actions, review=file.review,
    )
    # The score, with its breakdown, once there is one (what it waits for is in the status).
    if file.score.scored:
        card = replace(card, fields=card.fields + (score_field(file.score, locale),))
    tied = ties_fields(file.ties, locale)
    return replace(card, fields=card.fields + tuple(tied)) if tied else card


def score_field(view: scoring.ScoreView, locale: str) -> CardField:
    """The need's score in plain words, or what it waits for."""
    return CardField(t(locale, "scoring.score_field"), scoring.explain(view, locale), short=False)


def ties_fields(ties: links.Ties, locale: str) -> list[CardField]:
    """Who else asked for it, and the needs it may be, is not, or was merged with."""
    out: list[CardField] = []
    if ties.co_requesters:
        out.append(CardField(t(locale, "duplicates.card.co_requesters"),
                             ", ".join(p.display_name for p in ties.co_requesters), short=False))
    if ties.merged_into is not None:
        out.append(CardField(t(locale, "duplicates.card.merged_into"),
                             f"{ties.merged_into.key} · {ties.merged_into.title}", short=False))
    if ties.merged_here:
        out.append(CardField(t(locale, "duplicates.card.merged_here"),
                             "\n".join(f"{n.key} · {n.title}" for n in ties.merged_here), short=False))
    if ties.possibly_same:
        out.append(CardField(t(locale, "duplicates.card.possibly_same"), "\n".join(
            t(locale, "duplicates.card.alike", key=n.key, title=n.title, percent=round((similarity or 0) * 100))
            for n, similarity in ties.possibly_same), short=False))
    if ties.different:
        out.append(CardField(t(locale, "duplicates.card.different"),
                             ", ".join(n.key for n in ties.different), short=False))
    return out


# The buttons a need's card may offer, by the lifecycle step they perform
# (withdrawing stays a typed command).
_BY_STEP = {b.step: b for b in buttons.ON_A_NEED}


def actions_for(need: Need, *, roles: frozenset[str], is_owner: bool, locale: str) -> tuple[Action, ...]:
    """The buttons for what this person may do with the need now, the first one primary."""
    possible = lifecycle.possible(NeedStatus(need.status), lifecycle.actor_tags(roles, is_owner=is_owner))
    offered = [_BY_STEP[step] for step in possible if step in _BY_STEP]
    return tuple(b.action(locale, need.key, primary=i == 0) for i, b in enumerate(offered))


def it_actions(need: Need, locale: str) -> tuple[Action, ...]:
    """The IT intake channel's buttons: what IT may still do with the need (claim, ask, estimate)."""
    return actions_for(need, roles=frozenset({Role.IT}), is_owner=False, locale=locale)
