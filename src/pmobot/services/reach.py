"""Where a person is told things: which of their accounts a notification goes to.

Read for many people at once (the drift scan tells thousands of owners), one query in all.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.models import Account, Person


async def notified_account(session: AsyncSession, *, person: Person) -> Account | None:
    """Where a notification to ``person`` goes (``notified_accounts``)."""
    return (await notified_accounts(session, people=[person])).get(person.id or 0)


async def notified_accounts(session: AsyncSession, *, people: Iterable[Person]) -> dict[int, Account]:
    """Where a notification to each person goes, by person id, in one query: the platform they chose, else
    the one they last wrote from, else the account pmobot met first (someone given a role before they ever
    wrote). Nobody to reach is left out."""
    wanted = {p.id: p for p in people if p.id is not None}
    mine: dict[int, list[Account]] = {}
    query = select(Account).where(col(Account.person_id).in_(sorted(wanted))).order_by(col(Account.id))
    for account in (await session.exec(query)).all() if wanted else ():
        mine.setdefault(account.person_id, []).append(account)
    out = {}
    for person_id, accounts in mine.items():
        person = wanted[person_id]
        # The latest account on that platform: a second Slack workspace is where they moved to.
        on_it = next((found for platform in (person.notify_platform, person.last_platform)
                      if (found := [a for a in accounts if a.platform == platform])), accounts[:1])
        out[person_id] = on_it[-1]
    return out
