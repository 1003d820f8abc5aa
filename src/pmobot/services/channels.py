"""Where governance posts, per platform: chosen by a PMO admin typing a command in the channel itself
(``/pmo channel here committee``), and shown by ``/pmo channels``. Stored by ``services.addresses``."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.i18n import t
from pmobot.messages import Card, CardField, Message, Notice
from pmobot.services import addresses
from pmobot.services.core import Core
from pmobot.services.errors import Invalid
from pmobot.services.people import Actor


def purpose_label(purpose: str, locale: str) -> str:
    return t(locale, f"channel.purpose.{purpose.replace('-', '_')}")


async def choose_here(session: AsyncSession, *, core: Core, actor: Actor, purpose: str, address: str | None,
                      reference: Mapping[str, object] | None = None) -> list[Message]:
    """Make the channel the command is typed in (``address``; None in a direct conversation) the
    ``purpose`` channel of the actor's platform."""
    if not address:
        raise Invalid("channel.error.not_in_channel", purpose=purpose_label(purpose, actor.locale))
    await addresses.set_channel(session, core=core, actor=actor, platform=actor.platform, purpose=purpose,
                                address=address, reference=dict(reference) if reference else None)
    return [Notice(t(actor.locale, "channel.set", purpose=purpose_label(purpose, actor.locale),
                     platform=actor.platform), "success")]


async def choose_department_here(session: AsyncSession, *, core: Core, actor: Actor, department: str,
                                 address: str | None, reference: Mapping[str, object] | None = None) -> list[Message]:
    """Make the channel the command is typed in ``department``'s channel (its weekly digest)."""
    purpose = t(actor.locale, "channel.purpose.department_channel", department=department)
    if not address:
        raise Invalid("channel.error.not_in_channel", purpose=purpose)
    await addresses.set_department_channel(session, core=core, actor=actor, platform=actor.platform,
                                           department=department, address=address,
                                           reference=dict(reference) if reference else None)
    return [Notice(t(actor.locale, "channel.set", purpose=purpose, platform=actor.platform), "success")]


async def overview(session: AsyncSession, *, core: Core, actor: Actor) -> list[Message]:
    """Where each purpose posts, on each platform that is switched on."""
    loc = actor.locale
    fields = []
    for platform in sorted(core.it_channels):
        lines = []
        for purpose in addresses.CHANNEL_PURPOSES:
            where = await addresses.channel(session, core=core, platform=platform, purpose=purpose)
            lines.append(t(loc, "channel.line", purpose=purpose_label(purpose, loc),
                           where=where or t(loc, "channel.not_chosen")))
        for _, ref in await addresses.department_channels(session, platform=platform):
            lines.append(t(loc, "channel.line", where=ref.get("address", "?"),
                           purpose=t(loc, "channel.purpose.department_channel", department=ref.get("department"))))
        fields.append(CardField(platform, "\n".join(lines), short=False))
    if not fields:
        return [Notice(t(loc, "channel.no_platform"))]
    return [Card(title=t(loc, "channel.title"), fields=tuple(fields), footer=t(loc, "channel.footer"))]
