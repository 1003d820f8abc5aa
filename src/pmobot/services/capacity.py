"""IT's capacity in person-days a month, set by the PMO, with changes over time.

``/pmo capacity 40`` sets it from this month on; ``/pmo capacity 40 from
2027-03`` (``à partir de``, ``dès``, ``depuis``) from a later month. Each
change is a new ``Capacity`` row (the latest set for a month wins) and an
audit event: the history of what IT could deliver stays readable.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.numbers import to_decimal
from pmobot.conversation.text import fold
from pmobot.domain.models_governance import Capacity
from pmobot.domain.roadmap import CapacityChange, capacity_on
from pmobot.domain.roles import Role
from pmobot.i18n import format_month, format_number, t
from pmobot.messages import Message, Notice
from pmobot.services import audit
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid
from pmobot.services.people import Actor
from pmobot.services.roadmap import capacity_changes

AUDIT_SUBJECT = "capacity"
# More than this a month is a typing slip (a thousand people working full time is about 21,000).
MOST = Decimal(100_000)

# "40", "40,5", "-3"; then words for the unit, then a word for "from" and a month.
_NUMBER = re.compile(r"^[-−+]?\d[\d\s.,']*$")
_UNIT_WORDS = frozenset({"pd", "person-days", "person-day", "persondays", "days", "day", "j", "jours", "jour",
                         "jh", "j/h", "jours-personne", "jours-homme", "a", "per", "par", "/", "month", "mois",
                         "/mois", "/month", "a month", "person", "personne", "homme"})
_FROM_WORDS = frozenset({"from", "starting", "since", "as", "of", "in", "a", "partir", "de", "du", "des", "depuis",
                         "en", "on"})
_MONTH = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?$|^(?P<m2>\d{1,2})/(?P<y2>\d{4})$")


def _month_of(word: str) -> date | None:
    m = _MONTH.match(word)
    if not m:
        return None
    year, month = (m["y"], m["m"]) if m["y"] else (m["y2"], m["m2"])
    try:
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def parse(text: str, *, locale: str, today: date) -> tuple[Decimal, date]:
    """``40 [from 2027-03]`` → (40, 1 March 2027); a polite ``Invalid`` saying what is possible otherwise."""
    words = fold(text).replace("—", " ").split()
    number_words: list[str] = []
    while words and _NUMBER.match(words[0]):
        number_words.append(words.pop(0))
    if not number_words:
        raise Invalid("capacity.error.not_a_number", value=text.strip() or "—")
    try:
        value = to_decimal("".join(number_words).replace("−", "-").lstrip("+-"), style="locale", locale=locale)
    except InvalidOperation:
        value = None
    if value is None:
        raise Invalid("capacity.error.not_a_number", value=" ".join(number_words))
    if number_words[0].startswith(("-", "−")):
        value = -value
    while words and words[0] in _UNIT_WORDS:
        words.pop(0)
    month = today.replace(day=1)
    if words:
        while words and words[0] in _FROM_WORDS:
            words.pop(0)
        found = _month_of(words[0]) if len(words) == 1 else None
        if found is None:
            raise Invalid("capacity.error.month", value=" ".join(words) or text.strip())
        month = found
    if value <= 0:
        raise Invalid("capacity.error.not_positive", value=format_number(value, locale))
    if value > MOST:
        raise Invalid("capacity.error.too_large", value=format_number(value, locale))
    if month < today.replace(day=1):
        raise Invalid("capacity.error.past", month=format_month(today, locale))
    return value, month


def describe(changes: tuple[CapacityChange, ...], *, locale: str, today: date) -> str:
    """IT's capacity now and its changes to come, in words."""
    if not changes:
        return t(locale, "capacity.none")
    this_month = today.replace(day=1)
    now = capacity_on(changes, this_month)
    parts = [t(locale, "capacity.now", value=format_number(now, locale)) if now is not None
             else t(locale, "capacity.none_now")]
    parts += [t(locale, "capacity.later", value=format_number(c.person_days, locale),
                month=format_month(c.effective_from, locale)) for c in changes if c.effective_from > this_month]
    return t(locale, "capacity.separator").join(parts) + "."


async def show(session: AsyncSession, *, core: Core, actor: Actor) -> list[Message]:
    changes = await capacity_changes(session)
    return [Notice(describe(changes, locale=actor.locale, today=core.today()))]


async def set_capacity(session: AsyncSession, *, core: Core, actor: Actor, text: str) -> list[Message]:
    """The PMO sets IT's capacity from a month on (this one by default)."""
    if not actor.has(Role.PMO):
        raise Forbidden("capacity.error.only_pmo")
    value, month = parse(text, locale=actor.locale, today=core.today())
    before = capacity_on(await capacity_changes(session), month)
    session.add(Capacity(effective_from=month, person_days_per_month=float(value), set_by_id=actor.id,
                         set_at=core.now()))
    await audit.record(session, core=core, actor_id=actor.id, subject=AUDIT_SUBJECT, action="capacity_set",
                       detail={"from": month.isoformat(), "person_days_per_month": float(value),
                               "before": before})
    locale = actor.locale
    said = t(locale, "capacity.set", value=format_number(value, locale), month=format_month(month, locale))
    if before is not None:
        said += " " + t(locale, "capacity.was", value=format_number(before, locale))
    return [Notice(said, "success")]
