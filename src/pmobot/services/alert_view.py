"""Drift alerts for people: ``/pmo alerts``, an alert's buttons (status, acknowledge, ask for an update),
the alerts on a project's card, and App Home's section.

Who sees what: the portfolio roles see every alert; anyone else the alerts of
the projects they own. Acknowledging is the PMO's or the project owner's;
asking the owner for an update is the PMO's.
"""

from __future__ import annotations

import re

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain import keys
from pmobot.domain.models import Person
from pmobot.domain.models_governance import Project
from pmobot.domain.models_tracking import DriftAlert
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.messages import Card, CardField, Message, Notice
from pmobot.services import alert_store, alerts, intake, outbox, project_view
from pmobot.services.alert_notices import card
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid
from pmobot.services.people import Actor, locale_of

# How many alerts ``/pmo alerts`` lists before "and N more".
SHOWN = 10
_KEY = re.compile(r"^(?:alert|alerte)-(\d+)$", re.IGNORECASE)
VERBS = {"status": "status", "statut": "status", "ack": "ack", "acknowledge": "ack", "vu": "ack",
         "ask": "ask", "demander": "ask"}


def parse_key(word: str) -> int:
    m = _KEY.match(word.strip().rstrip(".,;:!?"))
    if m is None:
        raise Invalid("drift.error.unknown", key=word)
    return int(m.group(1))


async def _owners(session: AsyncSession, project_ids: set[int]) -> dict[int, int | None]:
    if not project_ids:
        return {}
    rows = await session.exec(select(Project.id, Project.owner_id).where(col(Project.id).in_(sorted(project_ids))))
    return {pid: owner for pid, owner in rows.all() if pid is not None}


async def visible_alerts(session: AsyncSession, *, core: Core, actor: Actor) -> list[DriftAlert]:
    """The open alerts this person may see, worst first."""
    every = await alerts.open_alerts(session, core=core)
    if actor.sees_portfolio:
        return every
    owners = await _owners(session, {a.project_id for a in every if a.project_id is not None})
    return [a for a in every if a.project_id is not None and owners.get(a.project_id) == actor.id]


def lines(shown: list[DriftAlert], *, core: Core, locale: str) -> tuple[CardField, ...]:
    return tuple(CardField(alerts.headline(a, locale=locale), alerts.alert_text(a, locale=locale, core=core),
                           short=False) for a in shown)


async def overview(session: AsyncSession, *, core: Core, actor: Actor, everything: bool = False) -> list[Message]:
    """``/pmo alerts [all]``: the open alerts worst first, ten unless all are asked for."""
    loc = actor.locale
    found = await visible_alerts(session, core=core, actor=actor)
    if not found:
        return [Notice(t(loc, "drift.none"))]
    shown = found if everything else found[:SHOWN]
    more = len(found) - len(shown)
    return [Card(title=t(loc, "drift.list_title", count=len(found)), fields=lines(shown, core=core, locale=loc),
                 footer=t(loc, "drift.list_more", count=more) if more else t(loc, "drift.list_footer"))]


async def _alert(session: AsyncSession, *, actor: Actor, key: str) -> DriftAlert:
    alert = await alerts.by_number(session, number=parse_key(key))
    if alert is None:
        raise Invalid("drift.error.unknown", key=key)
    if not actor.sees_portfolio:
        owners = await _owners(session, {alert.project_id} if alert.project_id is not None else set())
        if alert.project_id is None or owners.get(alert.project_id) != actor.id:
            raise Invalid("drift.error.unknown", key=key)  # worded as unknown: it is not theirs to see
    return alert


async def act(session: AsyncSession, *, core: Core, actor: Actor, key: str, verb: str) -> list[Message]:
    """What an alert's button (or ``/pmo alert ALERT-n status|ack|ask``) does.

    The card of several alerts of one subject sends their keys together ("ALERT-3,ALERT-5"): each is
    acknowledged (one already closed does not stop the others), the status is shown and the update asked
    once, for the first (the worst)."""
    found = [await _alert(session, actor=actor, key=k) for k in key.split(",") if k.strip()]
    if not found:
        raise Invalid("drift.error.unknown", key=key)
    alert = found[0]
    what = VERBS.get(verb.casefold(), "status")
    if what == "ack" and len(found) > 1:
        return [await _acknowledge_all(session, core=core, actor=actor, found=found)]
    if what == "ack":
        return await _acknowledge(session, core=core, actor=actor, alert=alert)
    if what == "ask":
        return await _ask_update(session, core=core, actor=actor, alert=alert)
    if alert.project_id is not None:
        return await project_view.show(session, core=core, actor=actor, key=alert.subject)
    return await intake.status(session, core=core, actor=actor, key=alert.subject)


async def _acknowledged_by(session: AsyncSession, *, core: Core, actor: Actor, alert: DriftAlert) -> str | None:
    """Acknowledge ``alert``: None when done now, else who had already (their name). Refused when the actor
    may not, or the alert is closed (or changed under us)."""
    owner = (await _owners(session, {alert.project_id})).get(alert.project_id) if alert.project_id else None
    if not actor.has(Role.PMO) and actor.id != owner:
        raise Forbidden("drift.error.only_pmo")
    if alert.status != alert_store.OPEN:
        raise Invalid("drift.error.closed", key=alert.key)
    if alert.acknowledged_by_id is not None:
        who = await session.get(Person, alert.acknowledged_by_id)
        return who.display_name if who else "—"
    if not await alert_store.acknowledge(session, alert, actor_id=actor.id, at=core.now()):
        raise Invalid("drift.error.closed", key=alert.key)  # changed under us: closed, or acknowledged
    return None


async def _acknowledge(session: AsyncSession, *, core: Core, actor: Actor, alert: DriftAlert) -> list[Message]:
    who = await _acknowledged_by(session, core=core, actor=actor, alert=alert)
    if who is not None:
        return [Notice(t(actor.locale, "drift.already_acknowledged", key=alert.key, who=who))]
    return [Notice(t(actor.locale, "drift.acknowledged", key=alert.key), "success")]


async def _acknowledge_all(session: AsyncSession, *, core: Core, actor: Actor, found: list[DriftAlert]) -> Notice:
    """Several alerts of one subject acknowledged in one reply: those acknowledged now together, then why
    any other was not (closed meanwhile, or acknowledged already)."""
    loc, done, notes = actor.locale, [], []
    for alert in found:
        try:
            who = await _acknowledged_by(session, core=core, actor=actor, alert=alert)
        except Invalid as refused:
            notes.append(refused.message(loc))
            continue
        if who is None:
            done.append(alert.key)
        else:
            notes.append(t(loc, "drift.already_acknowledged", key=alert.key, who=who))
    lines = [t(loc, "drift.acknowledged_many", keys=", ".join(done))] if len(done) > 1 else \
        [t(loc, "drift.acknowledged", key=k) for k in done]
    return Notice("\n".join(lines + notes), "success" if done else "info")


async def _ask_update(session: AsyncSession, *, core: Core, actor: Actor, alert: DriftAlert) -> list[Message]:
    loc = actor.locale
    if not actor.has(Role.PMO):
        raise Forbidden("drift.error.only_pmo")
    owner_id = (await _owners(session, {alert.project_id})).get(alert.project_id) if alert.project_id else None
    owner = await session.get(Person, owner_id) if owner_id else None
    if owner is None:
        return [Notice(t(loc, "drift.no_owner", project=alert.subject), "warning")]
    theirs = locale_of(owner, core)
    text = t(theirs, "drift.ask_owner", project=alert.subject, key=alert.key,
             rule=t(theirs, f"drift.rule.{alert.rule}"))
    key = keys.alert_update_asked(alert.number, core.today().isoformat())
    if await outbox.to_person(session, core=core, key=key, person=owner,
                              message=Card(title=alerts.headline(alert, locale=theirs), body=text)):
        alert_store.record(session, alert, kind="update_asked", at=core.now(), actor_id=actor.id)
    return [Notice(t(loc, "drift.update_asked", owner=owner.display_name, project=alert.subject), "success")]


async def home_cards(session: AsyncSession, *, core: Core, actor: Actor, limit: int = 5) -> list[Card]:
    """App Home's section: the worst alerts this person may see, each a card with its buttons."""
    found = await visible_alerts(session, core=core, actor=actor)
    return [card(a, core=core, locale=actor.locale) for a in found[:limit]]
