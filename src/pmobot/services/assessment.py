"""The assessment of a need's value (``/pmo assess NEED-n``), by the PMO or the committee.

Its questions come from the scoring policy: ``dialogs/assess.yaml`` gives the
pattern of one rating and one reason, and :func:`assess_spec` makes a pair of
them for every criterion the policy rates in the assessment, so a criterion a
PMO adds to the policy is asked without touching the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.spec import DialogSpec, FieldSpec, Localized, SpecError
from pmobot.domain.lifecycle import CLOSED, NeedStatus
from pmobot.domain.models import Need
from pmobot.domain.models_governance import Assessment
from pmobot.domain.roles import Role
from pmobot.domain.scoring import Criterion, Policy
from pmobot.i18n import LOCALES, format_number, t
from pmobot.messages import Message, Notice
from pmobot.services import audit, scoring
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid, Phrase
from pmobot.services.intake import refresh_it_card
from pmobot.services.needs import get_visible, status_label
from pmobot.services.people import Actor

RATING, REASON = "rating", "reason"
ASSESSORS = frozenset({Role.PMO, Role.COMMITTEE})


def reason_id(criterion_id: str) -> str:
    return f"{criterion_id}_reason"


def _filled(text: Localized, policy: Policy, c: Criterion) -> Localized:
    scale = {"min": format_number(policy.scale_min, "en"), "max": format_number(policy.scale_max, "en")}
    return Localized({loc: text.get(loc).replace("{label}", c.label_in(loc)).replace(
        "{Label}", c.label_in(loc)[:1].upper() + c.label_in(loc)[1:]).replace(
        "{question}", c.question.get(loc) or c.label_in(loc)).replace("{min}", scale["min"]).replace(
        "{max}", scale["max"]) for loc in LOCALES})


def assess_spec(specs: Mapping[str, DialogSpec], policy: Policy) -> DialogSpec:
    """The assessment spec for ``policy``: a rating and a reason for each criterion it rates."""
    template = specs.get("assess")
    if template is None:
        raise SpecError("no assess spec (assess.yaml): the PMO could not assess needs")
    try:
        rating, reason = template.field(RATING), template.field(REASON)
    except KeyError:
        raise SpecError(f"{template.source}: the assessment's pattern needs a field 'rating' and a field "
                        "'reason'") from None
    if rating.type not in ("number", "integer"):
        raise SpecError(f"{template.source} field rating: a rating is a number or integer field")
    criteria = policy.assessed()
    if not criteria:
        return template
    fields: list[FieldSpec] = []
    for c in criteria:
        fields.append(replace(rating, id=c.id, label=_filled(rating.label, policy, c),
                              help=_filled(rating.help, policy, c) if rating.help else None,
                              prompt=_filled(rating.prompt, policy, c), min=policy.scale_min,
                              max=policy.scale_max, target=None))
        fields.append(replace(reason, id=reason_id(c.id), label=_filled(reason.label, policy, c),
                              prompt=_filled(reason.prompt, policy, c), target=None))
    first = criteria[0]
    intro = _filled(template.intro, policy, first) if template.intro else None
    form_intro = _filled(template.form_intro, policy, first) if template.form_intro else None
    return replace(template, fields=tuple(fields), intro=intro, form_intro=form_intro)


async def check_can_assess(session: AsyncSession, *, core: Core, actor: Actor, key: str) -> Need:
    """Refuse before the dialog starts: who may assess, which needs, whether the policy asks anything."""
    if not actor.roles & ASSESSORS:
        raise Forbidden("scoring.assess_role")
    need = await get_visible(session, actor=actor, key=key)
    if need.status in CLOSED or need.status == NeedStatus.DRAFT:
        status = need.status
        raise Invalid("scoring.assess_closed", key=need.key, status=Phrase(lambda loc: status_label(status, loc)))
    if not core.policy.assessed():
        raise Invalid("scoring.no_criteria")
    return need


async def latest(session: AsyncSession, *, need_id: int) -> Assessment | None:
    rows = await session.exec(select(Assessment).where(Assessment.need_id == need_id)
                              .order_by(col(Assessment.version).desc()).limit(1))
    return rows.first()


def ratings_of(policy: Policy, answers: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The answers as the ratings an Assessment keeps: criterion -> {value, reason}."""
    out: dict[str, dict[str, Any]] = {}
    for c in policy.assessed():
        if answers.get(c.id) is None:
            continue
        out[c.id] = {"value": float(answers[c.id]), "reason": str(answers.get(reason_id(c.id)) or "").strip()}
    return out


async def record_assessment(session: AsyncSession, *, core: Core, actor: Actor, key: str,
                            answers: Mapping[str, Any]) -> list[Message]:
    """Keep a new version of the need's assessment, then its score (or what it still waits for)."""
    need = await check_can_assess(session, core=core, actor=actor, key=key)
    assert need.id is not None
    ratings = ratings_of(core.policy, answers)
    if not ratings:
        raise Invalid("scoring.no_criteria")
    previous = await latest(session, need_id=need.id)
    version = previous.version + 1 if previous else 1
    session.add(Assessment(need_id=need.id, version=version, ratings=ratings, assessor_id=actor.id,
                           created_at=core.now()))
    await session.flush()
    view = await scoring.record(session, core=core, need=need)
    await audit.record(session, core=core, actor_id=actor.id, subject=need.key, action="assess",
                       detail={"version": version, "ratings": ratings, "score": view.value,
                               "policy_version": view.policy_version})
    await refresh_it_card(session, core=core, need=need)
    return [Notice(t(actor.locale, "scoring.assessed", key=need.key, version=version) + "\n"
                   + scoring.explain(view, actor.locale), "success")]
