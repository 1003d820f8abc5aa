"""A need with everything its card and its status show, read once per request in a fixed number of queries.

Each area keeps its rule (``reviews.gate_of``, ``scope.gate_of``,
``links.tied``, ``scoring.view_of``); this module only reads what they need,
each table once, however long the need's history: the need with its latest
estimate, assessment, security review, scope version and project (one query);
its open questions; its links and the needs around it; and, last, everybody it
names in one query (requester, claimer, estimator, assessor, reviewer, the
authors of its history, its co-requesters, the security reviewers). Its
questions and ties are read only when the first query says it has some. The
hot statements are built once, with bound parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import BindParameter, and_, bindparam, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from pmobot.domain.models import AuditEvent, Estimate, Need, Person, Question, RoleGrant
from pmobot.domain.models_governance import Assessment, NeedLink, NeedRequester, Project, SecurityReview
from pmobot.domain.models_scope import ScopeAgreement, ScopeComment, ScopeVersion
from pmobot.domain.reviews import ReviewGate
from pmobot.domain.roles import Role
from pmobot.domain.scope import ScopeGate
from pmobot.services import audit, links, reviews, scope, scoring
from pmobot.services import policy as policies
from pmobot.services.core import Core
from pmobot.services.needs import parse_key, visible
from pmobot.services.people import Actor


def _newest(model: Any, number: Any) -> Any:
    """Join condition: ``model``'s row of the need with the highest ``number`` (its version in force)."""
    other = aliased(model)
    highest = (sa.select(func.max(getattr(other, number))).where(other.need_id == col(Need.id))
               .correlate(Need).scalar_subquery())
    return and_(model.need_id == col(Need.id), getattr(model, number) == highest)


_MERGED = aliased(Need)
# Whether there is anything to read about its ties and questions: most needs have none, and are then read
# in two statements fewer (or three).
_TIED = sa.exists().where(or_(col(NeedLink.need_id) == col(Need.id),
                              and_(col(NeedLink.kind) == links.DIFFERENT, col(NeedLink.other_need_id) == col(Need.id))))
_MERGED_HERE = sa.exists().where(col(_MERGED.merged_into_id) == col(Need.id), col(_MERGED.submitted_at).is_not(None))
_ASKED = sa.exists().where(col(Question.need_id) == col(Need.id), col(Question.answered_at).is_(None),
                           col(Question.closed_at).is_(None))
# sqlmodel's ``select`` is typed up to four entities: its ``Select`` takes more, typed here.
_Row = Select[Need, Estimate | None, Assessment | None, SecurityReview | None, ScopeVersion | None, Project | None,
              bool, bool, bool]
_FILE = cast(_Row, Select(Need, Estimate, Assessment, SecurityReview, ScopeVersion, Project, _TIED.label("tied"),
                          _MERGED_HERE.label("merged_here"), _ASKED.label("asked")).select_from(Need)
         .outerjoin(Estimate, _newest(Estimate, "version"))
         .outerjoin(Assessment, _newest(Assessment, "version"))
         .outerjoin(SecurityReview, _newest(SecurityReview, "version"))
         .outerjoin(ScopeVersion, _newest(ScopeVersion, "number"))
         .outerjoin(Project, col(Project.need_id) == col(Need.id)))
_BY_NUMBER = _FILE.where(col(Need.number) == bindparam("number"))
_BY_ID = _FILE.where(col(Need.id) == bindparam("need_id"))

_NEED_ID: BindParameter[int] = bindparam("need_id")
# Still waiting for an answer, both ways, oldest first.
_QUESTIONS = (select(Question).where(col(Question.need_id) == _NEED_ID, col(Question.answered_at).is_(None),
                                     col(Question.closed_at).is_(None)).order_by(col(Question.id)))
# Everybody the need names, with the order they joined it as co-requesters and whether they may review.
_PEOPLE = (select(Person, col(NeedRequester.id), col(RoleGrant.id)).select_from(Person)
           .outerjoin(NeedRequester, and_(col(NeedRequester.person_id) == col(Person.id),
                                          col(NeedRequester.need_id) == _NEED_ID))
           .outerjoin(RoleGrant, and_(col(RoleGrant.person_id) == col(Person.id), col(RoleGrant.role) == Role.SECURITY))
           .where(or_(col(Person.id).in_(bindparam("ids", expanding=True)),
                      col(Person.id).in_(select(col(NeedRequester.person_id))
                                         .where(col(NeedRequester.need_id) == _NEED_ID)),
                      col(Person.id).in_(select(col(RoleGrant.person_id))
                                         .where(col(RoleGrant.role) == Role.SECURITY))))
           .order_by(col(Person.id)))
_AGREEMENTS = (select(ScopeAgreement).where(col(ScopeAgreement.scope_version_id) == bindparam("version_id"))
               .order_by(col(ScopeAgreement.id)))
_COMMENTS = select(func.count()).select_from(ScopeComment).where(
    col(ScopeComment.scope_version_id) == bindparam("version_id"))


@dataclass(frozen=True)
class NeedFile:
    """A need and what its card and status show, as read at the start of the request."""

    need: Need
    estimate: Estimate | None
    scope_row: ScopeVersion | None
    project: Project | None
    # Still waiting for an answer, both ways, oldest first.
    questions: tuple[Question, ...]
    people: Mapping[int, Person]
    review: ReviewGate
    score: scoring.ScoreView
    ties: links.Ties
    # Read for the status only (``status=True``): its history, oldest first, and its scope sign-off.
    history: tuple[AuditEvent, ...] = ()
    scope: ScopeGate | None = None

    def person(self, person_id: int | None) -> Person | None:
        return None if person_id is None else self.people.get(person_id)


async def for_status(session: AsyncSession, *, core: Core, actor: Actor, key: str) -> NeedFile:
    """The file of the need ``key`` names, with its history and scope sign-off, if this person may see it
    (else 'not found', as ``needs.get_visible``)."""
    number = parse_key(key)
    row = (await session.exec(_BY_NUMBER, params={"number": number})).first()
    await visible(session, actor=actor, need=row[0] if row is not None else None, number=number)
    assert row is not None
    return await _read(session, core=core, row=row, status=True)


async def of(session: AsyncSession, *, core: Core, need: Need) -> NeedFile:
    """The file of a need loaded already (its card)."""
    row = (await session.exec(_BY_ID, params={"need_id": need.id})).one()
    return await _read(session, core=core, row=row, status=False)


async def _read(session: AsyncSession, *, core: Core, row: Any, status: bool) -> NeedFile:
    need, estimate, assessment, review, scope_row, project, tied, merged_here, asked_any = row
    assert need.id is not None
    questions = tuple((await session.exec(_QUESTIONS, params={"need_id": need.id})).all()) if asked_any else ()
    history = tuple(await audit.history(session, subject=need.key)) if status else ()
    agreed: list[ScopeAgreement] = []
    asked = 0
    if status and scope_row is not None:
        assert scope_row.id is not None
        agreed = list((await session.exec(_AGREEMENTS, params={"version_id": scope_row.id})).all())
        asked = (await session.exec(_COMMENTS, params={"version_id": scope_row.id})).one()
    rows = await links.touching(session, need_id=need.id) if tied else []
    around = await links.around(session, need=need, rows=rows) if tied or merged_here or need.merged_into_id else []
    ids = {need.requester_id, need.claimed_by_id, estimate.estimator_id if estimate else None,
           assessment.assessor_id if assessment else None, review.reviewer_id if review else None,
           *(e.actor_id for e in history), *(a.person_id for a in agreed)}
    named = (await session.exec(_PEOPLE, params={"ids": sorted(i for i in ids if i is not None),
                                                 "need_id": need.id})).all()
    people = {p.id: p for p, _, _ in named if p.id is not None}
    co_requesters = [p for p, joined, _ in sorted((r for r in named if r[1] is not None), key=lambda r: r[1] or 0)]
    reviewers = [p for p, _, grant in named if grant is not None]
    names = {i: p.display_name for i, p in people.items()}
    version = await policies.version_of(session, core=core)
    file = NeedFile(
        need=need, estimate=estimate, scope_row=scope_row, project=project, questions=questions, people=people,
        review=reviews.gate_of(need, estimate=estimate, review=review,
                               reviewer=people.get(review.reviewer_id) if review else None, reviewers=reviewers),
        score=scoring.view_of(core.policy, version, need, scoring.facts_from(assessment, estimate, names),
                              today=core.today()),
        ties=links.tied(need, rows=rows, around=around, co_requesters=co_requesters),
        history=history,
    )
    if not status:
        return file
    needed, unresolved = scope.parties_of(need, people.get(need.requester_id),
                                          await scope.sponsor_of(session, core=core, need=need))
    the_gate = scope.gate_of(core, need, row=scope_row, needed=needed, unresolved=unresolved, agreed=agreed,
                             names=names, changes_asked=asked)
    return replace(file, scope=the_gate)
