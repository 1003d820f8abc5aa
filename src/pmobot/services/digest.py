"""The weekly digest: one message to each configured channel, cut to its audience, in its language.

Who reads what is declared once (``AUDIENCES``): the PMO's channel gets every
section, IT what it must act on, the committee what it decided and what is at
risk, a department its own needs and projects. Each channel's digest goes
through the outbox under ``digest:<channel>:<ISO week>`` (its chart under the
same key and ``:chart``), one row each: a channel that refuses (rate limit,
archived, bot removed) is retried or reported to the PMO by the outbox and
never holds the others back, and a run of the same week again posts nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.text import fold
from pmobot.domain import keys
from pmobot.domain.models import OutboxMessage
from pmobot.domain.models_tracking import DriftAlert
from pmobot.i18n import normalize_locale, t
from pmobot.jobs.base import JobContext, Summary, Weekly
from pmobot.messages import Card, Chart, Message
from pmobot.services import addresses, alerts, digest_facts, digest_text, outbox
from pmobot.services.core import Core
from pmobot.services.errors import Invalid

log = logging.getLogger(__name__)

JOB = "digest"
_ALL = digest_facts.SECTIONS
AUDIENCES: dict[str, tuple[str, ...]] = {
    addresses.PMO_CHANNEL: _ALL,
    addresses.IT_CHANNEL: ("new_needs", "waiting", "decisions", "alerts", "milestones", "closed"),
    addresses.COMMITTEE_CHANNEL: ("decisions", "new_needs", "health", "alerts", "milestones", "closed"),
    addresses.DEPARTMENT_CHANNEL: ("new_needs", "waiting", "decisions", "health", "milestones", "closed"),
}
# The channels a digest goes to, in this order (a channel chosen for two purposes gets the first one's).
DIGEST_PURPOSES = (addresses.PMO_CHANNEL, addresses.IT_CHANNEL, addresses.COMMITTEE_CHANNEL)
# What ``pmobot digest --channel X`` understands as a purpose, folded.
PURPOSE_WORDS = {"pmo": addresses.PMO_CHANNEL, "it": addresses.IT_CHANNEL, "dsi": addresses.IT_CHANNEL,
                 "committee": addresses.COMMITTEE_CHANNEL, "comite": addresses.COMMITTEE_CHANNEL}


@dataclass(frozen=True)
class Target:
    """A channel a digest goes to: where, for whom, in which language."""

    platform: str
    address: str
    purpose: str
    locale: str
    department: str | None = None

    def audience(self) -> str:
        if self.department is not None:
            return t(self.locale, "channel.purpose.department_channel", department=self.department)
        return t(self.locale, f"channel.purpose.{self.purpose.replace('-', '_')}")


async def targets(session: AsyncSession, *, core: Core) -> list[Target]:
    """Every channel configured for a digest, on every platform switched on; each channel once."""
    out: list[Target] = []
    seen: set[tuple[str, str]] = set()

    def add(target: Target) -> None:
        if (target.platform, target.address) not in seen:
            seen.add((target.platform, target.address))
            out.append(target)

    for platform in sorted(core.it_channels):
        for purpose in DIGEST_PURPOSES:
            where = await addresses.channel(session, core=core, platform=platform, purpose=purpose)
            if where:
                chosen = await addresses.reference(session, platform=platform, kind=purpose, address=purpose) or {}
                add(Target(platform, where, purpose, normalize_locale(chosen.get("locale"), core.org_locale)))
        for _, ref in await addresses.department_channels(session, platform=platform):
            if ref.get("address"):
                add(Target(platform, str(ref["address"]), addresses.DEPARTMENT_CHANNEL,
                           normalize_locale(ref.get("locale"), core.org_locale), str(ref.get("department", ""))))
    return out


# When the digest goes: the policy's day and hour, a holiday moving it to the next business day.
SCHEDULE = Weekly(lambda tracking: tracking.digest)


def week_of(core: Core, slot: datetime) -> tuple[str, datetime, datetime]:
    """The week a digest at ``slot`` sums up (the seven days before it), its start and end. The week is
    the schedule's period, the one the digest was due in: a holiday that pushes it into the next ISO week
    must not take that week's key."""
    return SCHEDULE.period(slot, core=core), slot - timedelta(days=7), slot


async def compose(session: AsyncSession, *, core: Core, target: Target,
                  slot: datetime) -> tuple[Card, digest_facts.Facts]:
    """One channel's digest for the week ending at ``slot`` in words, and the facts behind it."""
    week, start, end = week_of(core, slot)
    sections = AUDIENCES[target.purpose]
    facts = await digest_facts.gather(session, core=core, sections=sections, department=target.department,
                                      week=week, start=start, end=end)
    def alert_words(alert: DriftAlert, locale: str) -> str:
        # One home for an alert's words (numbers and forecast): the drift service's.
        return t(locale, "digest.item.alert", key=alert.key, text=alerts.alert_text(alert, locale=locale, core=core))

    card = digest_text.card(facts, sections=sections, audience=target.audience(), locale=target.locale,
                            alert_words=alert_words)
    return card, facts


async def build(session: AsyncSession, *, core: Core, target: Target, slot: datetime,
                drawn: dict[tuple[Any, ...], Chart] | None = None) -> tuple[Card, Chart | None]:
    """One channel's digest for the week ending at ``slot``, and its chart."""
    card, facts = await compose(session, core=core, target=target, slot=slot)
    return card, await digest_text.chart(facts, locale=target.locale, drawn={} if drawn is None else drawn)


@dataclass
class RunCache:
    """What one run has built: the same audience in the same language is built once, however many channels
    (on Slack and Teams, or a thousand) read it; its charts, drawn once per counts and language."""

    digests: dict[tuple[str, str | None, str], tuple[Card, Chart | None]] = field(default_factory=dict)
    charts: dict[tuple[Any, ...], Chart] = field(default_factory=dict)


async def _queued(session: AsyncSession, key: str) -> bool:
    return (await session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key))).first() is not None


async def send(session: AsyncSession, *, core: Core, target: Target, slot: datetime, cache: RunCache) -> int:
    """Queue one channel's digest and its chart; 0 when this week's was queued before."""
    week, _, _ = week_of(core, slot)
    key = keys.on_platform(keys.digest(target.address, week), target.platform)
    if await _queued(session, key):
        return 0  # a rerun of the week: nothing is built, nothing is posted again
    audience = (target.purpose, target.department, target.locale)
    if audience not in cache.digests:
        cache.digests[audience] = await build(session, core=core, target=target, slot=slot, drawn=cache.charts)
    card, chart = cache.digests[audience]
    queued = await outbox.enqueue(session, core=core, key=key, platform=target.platform, target_kind="channel",
                                  target=target.address, message=card)
    if chart is not None:
        await outbox.enqueue(session, core=core, key=keys.on_platform(keys.digest_chart(target.address, week),
                                                                        target.platform),
                             platform=target.platform, target_kind="channel", target=target.address, message=chart)
    return int(queued)


async def run(ctx: JobContext) -> Summary:
    """This week's digest to every configured channel (the ``digest`` job); one transaction per channel,
    so a channel's failure to build never undoes the others'."""
    core = ctx.core
    async with core.db.session() as session:
        every = await targets(session, core=core)
    cache = RunCache()
    posted = failed = 0
    for target in every:
        try:
            async with core.db.session() as session:
                posted += await send(session, core=core, target=target, slot=ctx.slot, cache=cache)
        except Exception:  # one channel's digest that cannot be built must not keep the others from theirs
            log.exception("the digest for %s on %s could not be built", target.address, target.platform)
            failed += 1
    return {"channels": len(every), "posted": posted, "failed": failed}


async def preview(session: AsyncSession, *, core: Core, channel: str, slot: datetime) -> list[Message]:
    """``pmobot digest --channel X --preview``: what ``X`` (a purpose, a department, a channel id) would get."""
    target = await _resolve(session, core=core, channel=channel)
    card, chart = await build(session, core=core, target=target, slot=slot)
    said: list[Message] = [card]
    return said + ([chart] if chart is not None else [])


async def _resolve(session: AsyncSession, *, core: Core, channel: str) -> Target:
    every = await targets(session, core=core)
    wanted = " ".join(fold(channel).split())
    purpose = PURPOSE_WORDS.get(wanted)
    if purpose is not None:
        found = next((x for x in every if x.purpose == purpose and x.department is None), None)
        return found or Target("", "", purpose, core.org_locale)
    for target in every:
        if target.address == channel.strip() or (
                target.department is not None and addresses.department_address(target.department) == wanted):
            return target
    # A department's channel chosen on a platform this process does not serve (the console's, from the CLI).
    for folded, ref in await addresses.department_channels(session, platform=None):
        if folded == wanted or ref.get("address") == channel.strip():
            return Target(str(ref["platform"]), str(ref.get("address", "")), addresses.DEPARTMENT_CHANNEL,
                          normalize_locale(ref.get("locale"), core.org_locale), str(ref.get("department", "")))
    scope = await digest_facts.scope_of(session, department=channel)
    if scope.departments:
        return Target("", "", addresses.DEPARTMENT_CHANNEL, core.org_locale, scope.departments[0])
    raise Invalid("digest.error.unknown_channel", channel=channel)
