"""Tracking commands: a project's status update (the check-in form, at any time) and its snooze."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pmobot.commands.buttons import CHECK_IN
from pmobot.commands.registry import Command, Commands, Opening, ProjectKey, Request
from pmobot.conversation.dates import InvalidDate, parse_date_text
from pmobot.conversation.text import fold
from pmobot.domain.roles import Role
from pmobot.i18n import format_day, t
from pmobot.messages import Message, Notice
from pmobot.services import projects, snoozes, status_flow
from pmobot.services.errors import Invalid

# "/pmo snooze PRJ-3 off": the snooze lifted.
_LIFT = frozenset({"off", "stop", "lift", "end", "fin", "lever", "arret", "reprendre", "resume"})
# Words that may come before the date: "until 15/01/2027", "jusqu'au 15 janvier".
_UNTIL = frozenset({"until", "till", "to", "jusqu'au", "jusqu'a", "jusqu", "au", "le", "jusque"})
# The most words a typed date takes ("le 15 mars 2027").
_DATE_WORDS = 4


async def _update(r: Request) -> Opening:
    context, offered = await status_flow.opening(r.session, core=r.core, actor=r.actor, key=r.args.project_key)
    return Opening(context, defaults=offered)


def read_snooze(text: str, today: date) -> tuple[date, str]:
    """``until 15/01/2027 waiting for the vendor`` → (15 January 2027, "waiting for the vendor"):
    the longest run of first words that is a date, then the reason."""
    words = text.split()
    while words and fold(words[0]) in _UNTIL:
        words = words[1:]
    impossible = ""
    for count in range(min(_DATE_WORDS, len(words)), 0, -1):
        try:
            day = parse_date_text(" ".join(words[:count]), today)
        except InvalidDate:
            day, impossible = None, impossible or " ".join(words[:count])
        if day is not None:
            return day, " ".join(words[count:])
    if impossible:
        raise Invalid("checkin.error.snooze_date", value=impossible)
    raise Invalid("checkin.error.snooze_usage")


async def _snooze(r: Request) -> list[Message]:
    project, _ = await projects.get(r.session, actor=r.actor, key=r.args.project_key)
    projects.check_manage(r.actor, project, "snooze")
    words: Sequence[str] = r.args.text.split()
    if len(words) == 1 and fold(words[0]) in _LIFT:
        lifted = await snoozes.lift(r.session, core=r.core, actor=r.actor, project=project)
        return [Notice(t(r.locale, "checkin.snooze_lifted" if lifted else "checkin.snooze_none", key=project.key),
                       "success" if lifted else "info")]
    until, reason = read_snooze(r.args.text, r.core.today())
    row = await snoozes.snooze(r.session, core=r.core, actor=r.actor, project=project, until=until, reason=reason)
    return [Notice(t(r.locale, "checkin.snoozed", key=project.key, until=format_day(row.until, r.locale),
                     reason=row.reason), "success")]


def register(commands: Commands) -> None:
    commands.add(Command("update", ("update", "point", "avancement", "maj"), ProjectKey(), _update,
                         roles=frozenset({Role.IT, Role.PMO}), buttons=(CHECK_IN,), opens="checkin"))
    commands.add(Command("snooze", ("snooze", "pause", "suspendre"), ProjectKey(), _snooze,
                         roles=frozenset({Role.IT, Role.PMO})))
