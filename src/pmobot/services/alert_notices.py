"""Telling people of drift alerts: the alert's card to whom it concerns and to the PMO channel.

An opened or raised alert is a card with its buttons (see the status,
acknowledge, ask the owner for an update: ``commands.buttons.ON_AN_ALERT``); a
closed one is a short notice. Lowered alerts say nothing: an alert is told again
only when it gets worse. Every message is an outbox row under
``keys.alert_notice(number, event, version)``, so a scan run twice tells once.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.commands import buttons
from pmobot.domain import keys
from pmobot.domain.models_tracking import DriftAlert
from pmobot.i18n import t
from pmobot.messages import Action, Card, Message, Notice
from pmobot.services import outbox, people
from pmobot.services.addresses import PMO_CHANNEL
from pmobot.services.alert_store import Change
from pmobot.services.alerts import alert_text, headline
from pmobot.services.core import Core
from pmobot.services.people import locale_of
from pmobot.services.reach import notified_accounts

# The events a person is told of; "lowered" is not one.
TOLD = ("opened", "raised", "closed")


def actions(alert: DriftAlert, locale: str) -> tuple[Action, ...]:
    """The alert's buttons; asking the owner for an update only makes sense for a project."""
    offered = buttons.ON_AN_ALERT if alert.project_id is not None else buttons.ON_AN_ALERT[:2]
    verbs = {buttons.ALERT_STATUS: "status", buttons.ALERT_ACKNOWLEDGE: "ack", buttons.ALERT_ASK_UPDATE: "ask"}
    return tuple(b.action(locale, f"{alert.key} {verbs[b]}", primary=i == 0) for i, b in enumerate(offered))


def card(alert: DriftAlert, *, core: Core, locale: str, event: str = "opened") -> Card:
    """The alert as a card: what happens in plain words, and what to do about it."""
    return Card(title=headline(alert, locale=locale), subtitle=t(locale, f"drift.notice.{event}"),
                body=alert_text(alert, locale=locale, core=core), actions=actions(alert, locale),
                footer=t(locale, "drift.card_footer"))


def message(change: Change, *, core: Core, locale: str) -> Message:
    alert = change.alert
    if change.event == "closed":
        said = f"drift.notice.closed_because.{change.because}" if change.because else "drift.notice.closed"
        return Notice(t(locale, said, key=alert.key, subject=alert.subject,
                        rule=t(locale, f"drift.rule.{alert.rule}")), "success")
    return card(alert, core=core, locale=locale, event=change.event)


async def tell(session: AsyncSession, *, core: Core, changes: list[Change],
               concerned: Mapping[int, tuple[int, ...]]) -> int:
    """Each change told to the people it concerns (``concerned``: alert id -> person ids) and the PMO channel.

    Returns how many messages were queued (a key queued before counts for nothing). Read and queued in
    a few statements whatever the number of changes: the first daily scan opens thousands.
    """
    told = [c for c in changes if c.event in TOLD]
    if not told:
        return 0
    who = await people.by_ids(session, ids=(p for c in told for p in concerned.get(c.alert.id or 0, ())))
    reached = await notified_accounts(session, people=who.values())
    channels = await outbox.channel_addresses(session, core=core, purpose=PMO_CHANNEL)
    queued: list[outbox.Queued] = []
    for change in told:
        alert = change.alert
        reading = {p: locale_of(who[p], core) for p in concerned.get(alert.id or 0, ()) if p in who and p in reached}
        # Worded once per language: the owner's and the channel's are often the same.
        worded = {locale: message(change, core=core, locale=locale)
                  for locale in {*reading.values(), *([core.org_locale] if channels else [])}}
        for person_id, locale in reading.items():
            account = reached[person_id]
            queued.append(outbox.Queued(
                key=keys.alert_notice(alert.number, change.event, alert.version, person_id),
                platform=account.platform, target_kind="person", target=account.external_id,
                message=worded[locale]))
        queued += outbox.to_addresses(channels, key=keys.alert_notice(alert.number, change.event, alert.version),
                                      message=worded[core.org_locale]) if channels else []
    return await outbox.enqueue_many(session, core=core, messages=queued)
