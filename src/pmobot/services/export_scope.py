"""The scope sheet of ``pmobot export``: one row per version of every need's statement of scope, oldest
first (a version is never edited: every one stays), with who agreed to it and when, and the changes
asked on its items."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.spec import DialogSpec
from pmobot.domain.models import Need, Person
from pmobot.domain.models_scope import ScopeAgreement, ScopeComment, ScopeVersion
from pmobot.domain.scope import PARTS
from pmobot.services.core import Core

SCOPE_FIELDS = ("need", "title", "version", "status", *(str(p) for p in PARTS), "author", "created_at",
                "agreed_at", "agreed_by", "changes_asked")


def scope_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    return list(SCOPE_FIELDS)


def _when(row: object) -> str | None:
    return row.isoformat(timespec="seconds") if hasattr(row, "isoformat") else None


async def scope_versions(session: AsyncSession, *, core: Core) -> list[dict[str, object]]:
    """Every version of every need's scope, by need then version."""
    need_of = {n.id: n for n in (await session.exec(select(Need))).all()}
    names = {p.id: p.display_name for p in (await session.exec(select(Person))).all()}
    agreed: dict[int, list[ScopeAgreement]] = {}
    for a in (await session.exec(select(ScopeAgreement).order_by(col(ScopeAgreement.id)))).all():
        agreed.setdefault(a.scope_version_id, []).append(a)
    asked: dict[int, list[ScopeComment]] = {}
    for c in (await session.exec(select(ScopeComment).order_by(col(ScopeComment.id)))).all():
        asked.setdefault(c.scope_version_id, []).append(c)
    rows = (await session.exec(select(ScopeVersion))).all()
    out: list[dict[str, object]] = []
    for row in sorted(rows, key=lambda r: (need_of[r.need_id].number, r.number)):
        need = need_of[row.need_id]
        assert row.id is not None
        out.append({
            "need": need.key, "title": need.title, "version": row.number, "status": row.status,
            **{str(p): list(getattr(row, str(p))) or None for p in PARTS},
            "author": names.get(row.author_id), "created_at": _when(row.created_at),
            "agreed_at": _when(row.agreed_at),
            "agreed_by": [f"{names.get(a.person_id)} ({a.capacity}) {_when(a.agreed_at)}"
                          for a in agreed.get(row.id, [])] or None,
            "changes_asked": [f"{names.get(c.person_id)} on item {c.item}: {c.comment}"
                              for c in asked.get(row.id, [])] or None,
        })
    return out
