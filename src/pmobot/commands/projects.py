"""Project commands: a project's status, the active projects, its owner, milestones, and changes
to its baseline (asked by the owner or the PMO, decided by the committee)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pmobot.commands.registry import Arguments, Command, Commands, Nothing, Opening, ProjectKey, Request
from pmobot.conversation.dates import InvalidDate, parse_date_text
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.messages import Message, Notice
from pmobot.services import changes, closing, people, project_view, projects
from pmobot.services.errors import Invalid

_PMO = frozenset({Role.PMO})
_COMMITTEE = frozenset({Role.COMMITTEE, Role.PMO})
# The most words a typed date takes ("le 15 mars 2027").
_DATE_WORDS = 4


async def _project(r: Request) -> list[Message]:
    return await project_view.show(r.session, core=r.core, actor=r.actor, key=r.args.project_key)


async def _projects(r: Request) -> list[Message]:
    return await project_view.active_list(r.session, core=r.core, actor=r.actor)


async def _owner(r: Request) -> list[Message]:
    project, _ = await projects.get(r.session, actor=r.actor, key=r.args.project_key)
    if not r.args.text:
        raise Invalid("projects.error.owner_missing", key=project.key)
    owner = await people.find(r.session, core=r.core, platform=r.actor.platform, reference=r.args.text.split()[0],
                              directory=r.directory)
    await projects.set_owner(r.session, core=r.core, actor=r.actor, project=project, owner=owner)
    return [Notice(t(r.locale, "projects.owner_set", key=project.key, who=owner.display_name), "success")]


def _number(word: str) -> float | None:
    try:
        return float(word.replace(",", "."))
    except ValueError:
        return None


def _date_at_end(words: Sequence[str], today: date) -> tuple[int, date] | None:
    """The longest run of last words that is a date, as (how many words, the date); when none is,
    but one has the shape of a date that does not exist (31/02/2027), that is said."""
    impossible: str | None = None
    for count in range(min(_DATE_WORDS, len(words) - 1), 0, -1):
        try:
            day = parse_date_text(" ".join(words[-count:]), today)
        except InvalidDate:
            day, impossible = None, impossible or " ".join(words[-count:])
        if day is not None:
            return count, day
    if impossible is not None:
        raise Invalid("projects.error.milestone_date", value=impossible)
    return None


def read_milestone(text: str, today: date) -> tuple[str, date, float | None]:
    """``Pilot live 15/03/2027 30`` → ("Pilot live", 15 March 2027, 30.0): a name, a date as people
    write it (French or English), and an optional weight; of two readings the longer date wins."""
    words = text.split()
    weight = _number(words[-1]) if len(words) > 2 else None
    impossible: Invalid | None = None
    try:
        weighted = _date_at_end(words[:-1], today) if weight is not None else None
    except Invalid as exc:
        weighted, impossible = None, exc
    try:
        plain = _date_at_end(words, today)
    except Invalid as exc:
        plain, impossible = None, impossible or exc
    if plain is None and weighted is None and impossible is not None:
        raise impossible
    if weighted is not None and (plain is None or weighted[0] >= plain[0]):
        count, day = weighted
        return " ".join(words[:-1 - count]), day, weight
    if plain is None:
        raise Invalid("projects.error.milestone_usage")
    count, day = plain
    return " ".join(words[:-count]), day, None


async def _milestone(r: Request) -> list[Message]:
    # Who may add one is checked before the text is read: a stranger is told that, not how to type it.
    project, _ = await projects.get(r.session, actor=r.actor, key=r.args.project_key)
    projects.check_manage(r.actor, project, "milestone")
    name, due, weight = read_milestone(r.args.text, r.core.today())
    return list(await projects.add_milestone(r.session, core=r.core, actor=r.actor, key=project.key, name=name,
                                             due=due, weight=weight))


async def _change(r: Request) -> Opening:
    project, _ = await projects.get(r.session, actor=r.actor, key=r.args.project_key)
    projects.check_manage(r.actor, project, "change")
    projects.check_active(project, core=r.core)
    # What the form checks the answers against (dialogs/hooks.py: change_end, change_budget).
    return Opening(await changes.form_context(r.session, project=project))


@dataclass(frozen=True)
class ChangeVote:
    """``/pmo change-decide PRJ-2 CR-1 approve Worth the delay``: a project, a change, a vote, a reason."""

    def fits(self, words: Sequence[str], commands: Commands) -> bool:
        return len(words) >= 3

    def parse(self, text: str) -> Arguments | None:
        parts = text.split(maxsplit=3)
        if len(parts) < 3:
            return None
        projects.parse_key(parts[0])
        return Arguments(" ".join(parts[1:]), project_key=parts[0])


async def _change_decide(r: Request) -> list[Message]:
    number, choice, *rest = r.args.text.split(maxsplit=2)
    return await changes.decide(r.session, core=r.core, actor=r.actor, key=r.args.project_key, number=number,
                                choice=choice, reason=rest[0] if rest else "")


async def _done(r: Request) -> list[Message]:
    return await closing.finish(r.session, core=r.core, actor=r.actor, key=r.args.project_key, note=r.args.text)


async def _cancel(r: Request) -> list[Message]:
    return await closing.cancel(r.session, core=r.core, actor=r.actor, key=r.args.project_key, reason=r.args.text)


def register(commands: Commands) -> None:
    commands.add(Command("project", ("project", "projet", "prj"), ProjectKey(), _project, roles=frozenset(),
                         shareable=True))
    # Everyone: each person sees the projects they may (projects.can_view), and is told what that is.
    commands.add(Command("projects", ("projects", "projets"), Nothing(), _projects, roles=frozenset(),
                         shareable=True))
    commands.add(Command("owner", ("owner", "responsable", "proprietaire"), ProjectKey(), _owner, roles=_PMO))
    commands.add(Command("milestone", ("milestone", "jalon"), ProjectKey(), _milestone,
                         roles=frozenset({Role.IT, Role.PMO})))
    commands.add(Command("change", ("change", "changement"), ProjectKey(), _change,
                         roles=frozenset({Role.IT, Role.PMO}), opens="change"))
    commands.add(Command("change-decide", ("change-decide", "decide-change", "decider-changement"), ChangeVote(),
                         _change_decide, roles=_COMMITTEE))
    # Not "cancel" nor "annuler": those stop a conversation (``conversation.controls``), and the registry
    # refuses them as aliases.
    commands.add(Command("done", ("done", "terminer", "termine", "cloturer"), ProjectKey(alone=False), _done,
                         roles=frozenset({Role.IT, Role.PMO})))
    commands.add(Command("cancel-project", ("cancel-project", "annuler-projet", "abandon-project",
                                            "abandonner-projet"), ProjectKey(alone=False), _cancel, roles=_PMO))
