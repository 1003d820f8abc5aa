"""Telling people of drift alerts: the alert's card to whom it concerns and to the PMO channel.

An opened or raised alert is a card with its buttons (see the status,
acknowledge, ask the owner for an update: ``commands.buttons.ON_AN_ALERT``); a
closed one is a short notice. Lowered alerts say nothing: an alert is told again
only when it gets worse. The alerts of one project opened or raised by the same
run are one card (each alert a field, the forecast said once, the buttons acting
on them all), not one message per rule. Every message is an outbox row under
``keys.alert_notice`` (one alert) or ``keys.alert_group_notice`` (several, at
their versions), so a scan run twice tells once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.commands import buttons
from pmobot.domain import keys
from pmobot.domain.drift import CRITICAL, rank
from pmobot.domain.models_tracking import DriftAlert
from pmobot.i18n import t
from pmobot.messages import Action, Card, CardField, Message, Notice
from pmobot.services import outbox, people
from pmobot.services.addresses import PMO_CHANNEL
from pmobot.services.alert_store import Change
from pmobot.services.alerts import alert_text, forecast_text, headline, who
from pmobot.services.core import Core
from pmobot.services.people import locale_of
from pmobot.services.reach import notified_accounts

# The events a person is told of; "lowered" is not one.
TOLD = ("opened", "raised", "closed")
# What a card of several alerts says happened to them (its subtitle): all opened, all raised, or both.
GROUP_EVENTS = ("opened", "raised", "mixed")


def actions(alert_keys: str, locale: str, *, project: bool) -> tuple[Action, ...]:
    """The buttons of one alert, or of several of one subject (``alert_keys``: "ALERT-3,ALERT-5"); asking
    the owner for an update only makes sense for a project."""
    offered = buttons.ON_AN_ALERT if project else buttons.ON_AN_ALERT[:2]
    verbs = {buttons.ALERT_STATUS: "status", buttons.ALERT_ACKNOWLEDGE: "ack", buttons.ALERT_ASK_UPDATE: "ask"}
    return tuple(b.action(locale, f"{alert_keys} {verbs[b]}", primary=i == 0) for i, b in enumerate(offered))


def card(alert: DriftAlert, *, core: Core, locale: str, event: str = "opened") -> Card:
    """The alert as a card: what happens in plain words, and what to do about it."""
    return Card(title=headline(alert, locale=locale), subtitle=t(locale, f"drift.notice.{event}"),
                body=alert_text(alert, locale=locale, core=core),
                actions=actions(alert.key, locale, project=alert.project_id is not None),
                footer=t(locale, "drift.card_footer"))


def group_card(changes: Sequence[Change], *, core: Core, locale: str) -> Card:
    """Several alerts of one subject opened or raised at once, as one card: each alert a field, the
    project's forecast said once, the buttons acting on them all (one message, not one per rule)."""
    found = sorted((c.alert for c in changes), key=lambda a: (-rank(a.level), a.number))
    first = found[0]
    events = {c.event for c in changes}
    event = next(iter(events)) if len(events) == 1 else GROUP_EVENTS[-1]
    return Card(title=t(locale, "drift.group.title", who=who(first), count=len(found),
                        critical=sum(1 for a in found if a.level == CRITICAL)),
                subtitle=t(locale, f"drift.group.subtitle.{event}"),
                body=forecast_text(first, locale=locale, core=core),
                fields=tuple(CardField(headline(a, locale=locale), alert_text(a, locale=locale, core=core,
                                                                             forecast=False), short=False)
                             for a in found),
                actions=actions(",".join(a.key for a in found), locale, project=first.project_id is not None),
                footer=t(locale, "drift.group.footer", count=len(found)))


def message(change: Change, *, core: Core, locale: str) -> Message:
    alert = change.alert
    if change.event == "closed":
        said = f"drift.notice.closed_because.{change.because}" if change.because else "drift.notice.closed"
        return Notice(t(locale, said, key=alert.key, subject=alert.subject,
                        rule=t(locale, f"drift.rule.{alert.rule}")), "success")
    return card(alert, core=core, locale=locale, event=change.event)


def _together(told: Sequence[Change]) -> list[list[Change]]:
    """The changes told as one message each: every closing alone (a short notice), the alerts of one subject
    opened or raised in the same run together."""
    units: dict[str, list[Change]] = {}
    out: list[list[Change]] = []
    for change in told:
        if change.event == "closed":
            out.append([change])
        else:
            units.setdefault(change.alert.subject, []).append(change)
    return out + list(units.values())


def _worded(unit: Sequence[Change], *, core: Core, locale: str) -> Message:
    return message(unit[0], core=core, locale=locale) if len(unit) == 1 else \
        group_card(unit, core=core, locale=locale)


def _key(unit: Sequence[Change], person_id: int | None) -> keys.OutboxKey:
    if len(unit) == 1:
        alert = unit[0].alert
        return keys.alert_notice(alert.number, unit[0].event, alert.version, person_id)
    return keys.alert_group_notice(unit[0].alert.subject,
                                   [(c.alert.number, c.event, c.alert.version) for c in unit], person_id)


async def tell(session: AsyncSession, *, core: Core, changes: list[Change],
               concerned: Mapping[int, tuple[int, ...]]) -> int:
    """Each change told to the people it concerns (``concerned``: alert id -> person ids) and the PMO channel;
    the alerts of one subject opened or raised together are one message.

    Returns how many messages were queued (a key queued before counts for nothing). Read and queued in
    a few statements whatever the number of changes: the first daily scan opens thousands.
    """
    told = [c for c in changes if c.event in TOLD]
    if not told:
        return 0
    persons = await people.by_ids(session, ids=(p for c in told for p in concerned.get(c.alert.id or 0, ())))
    reached = await notified_accounts(session, people=persons.values())
    channels = await outbox.channel_addresses(session, core=core, purpose=PMO_CHANNEL)
    queued: list[outbox.Queued] = []
    for unit in _together(told):
        readers = dict.fromkeys(p for c in unit for p in concerned.get(c.alert.id or 0, ()))
        reading = {p: locale_of(persons[p], core) for p in readers if p in persons and p in reached}
        # Worded once per language: the owner's and the channel's are often the same.
        worded = {locale: _worded(unit, core=core, locale=locale)
                  for locale in {*reading.values(), *([core.org_locale] if channels else [])}}
        for person_id, locale in reading.items():
            account = reached[person_id]
            queued.append(outbox.Queued(key=_key(unit, person_id), platform=account.platform, target_kind="person",
                                        target=account.external_id, message=worded[locale]))
        queued += outbox.to_addresses(channels, key=_key(unit, None), message=worded[core.org_locale]) \
            if channels else []
    return await outbox.enqueue_many(session, core=core, messages=queued)
