"""What a project looks like to people: its card (baseline in force, every version, milestones,
changes waiting), the list of active projects, and its line on its need's status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain import keys
from pmobot.domain.lifecycle import ProjectStatus
from pmobot.domain.models import Need
from pmobot.domain.models_governance import Baseline, ChangeRequest, Milestone, Project
from pmobot.i18n import format_day, format_moment, format_money, format_number, t
from pmobot.messages import Card, CardField, Message, Notice
from pmobot.services import alerts, audit, baselines, changes, projects, scope_changes, status_flow
from pmobot.services.core import Core
from pmobot.services.needs import person
from pmobot.services.people import Actor

# Steps of the project's history shown on its card, the latest ones.
_HISTORY_SHOWN = 8


def span(start: date, end: date, locale: str) -> str:
    return t(locale, "projects.span", start=format_day(start, locale), end=format_day(end, locale))


def baseline_line(baseline: Baseline, locale: str) -> str:
    """One version: dates, budget, effort, and what made it (the committee's decision or a change)."""
    line = t(locale, "projects.baseline_line", version=baseline.version,
             span=span(baseline.start, baseline.end, locale),
             budget=format_money(Decimal(baseline.budget), baseline.currency, locale),
             effort=format_number(baseline.effort, locale))
    if baseline.change_request_id is not None:
        line += " · " + t(locale, "projects.baseline_by_change")
    return line


def milestone_line(milestone: Milestone, locale: str) -> str:
    line = t(locale, "projects.milestone_line", name=milestone.name, due=format_day(milestone.due, locale))
    if milestone.weight is not None:
        line += " · " + t(locale, "projects.milestone_weight", weight=format_number(milestone.weight, locale))
    return line


def change_line(project: Project, change: ChangeRequest, baseline: Baseline, locale: str) -> str:
    subject = keys.change_subject(project.key, change.number)
    return t(locale, "projects.change_line", subject=subject, changes=changes.describe(change.proposed, baseline,
                                                                                       locale),
             status=t(locale, "projects.change_status." + change.status), reason=change.reason)


async def card(session: AsyncSession, *, core: Core, actor: Actor, project: Project, need: Need) -> Card:
    """The project as it stands: owner, status, baseline in force, every version, milestones, changes."""
    assert project.id is not None
    loc = actor.locale
    owner = await person(session, project.owner_id)
    versions = await baselines.versions(session, project_id=project.id)
    current = versions[-1]
    fields = [
        CardField(t(loc, "projects.field.status"), await status_line(session, core=core, project=project, locale=loc),
                  short=project.status == ProjectStatus.ACTIVE),
        CardField(t(loc, "projects.field.owner"), owner.display_name if owner else t(loc, "projects.no_owner")),
        CardField(t(loc, "projects.field.need"), need.key),
        CardField(t(loc, "projects.field.in_force", version=current.version), baseline_line(current, loc),
                  short=False),
    ]
    agreed = scope_changes.baseline_field(current.scope, loc)
    if agreed is not None:
        fields.append(agreed)
    if len(versions) > 1:
        fields.append(CardField(t(loc, "projects.field.versions"),
                                "\n".join(baseline_line(b, loc) for b in versions), short=False))
    marks = await baselines.milestones(session, project_id=project.id)
    fields.append(CardField(t(loc, "projects.field.milestones"),
                            "\n".join(milestone_line(m, loc) for m in marks) or t(loc, "projects.no_milestones"),
                            short=False))
    fields += await status_flow.card_fields(session, core=core, project=project, locale=loc)
    waiting = await changes.pending(session, project_id=project.id)
    if waiting:
        fields.append(CardField(t(loc, "projects.field.pending"),
                                "\n".join(change_line(project, c, current, loc) for c in waiting), short=False))
    steps = await audit.history(session, subject=project.key)
    if steps:
        lines = []
        for event in steps[-_HISTORY_SHOWN:]:
            who = await person(session, event.actor_id)
            lines.append(t(loc, "projects.history_line", when=format_moment(event.at, loc, core.settings.timezone),
                           what=t(loc, "projects.event." + event.action), who=who.display_name if who else "pmobot"))
        fields.append(CardField(t(loc, "projects.field.history"), "\n".join(lines), short=False))
    fields += await alerts.project_fields(session, core=core, project=project, locale=loc)
    # Hints only for what this reader may do: milestones and changes are the owner's and the PMO's.
    footer = (t(loc, "projects.footer_reader", need=need.key) if project.status != ProjectStatus.ACTIVE
              or not projects.can_manage(actor, project) else t(loc, "projects.footer", key=project.key))
    return Card(title=f"{project.key} · {need.title}", fields=tuple(fields), footer=footer)


async def status_line(session: AsyncSession, *, core: Core, project: Project, locale: str) -> str:
    """"Active"; or "Done on 12 December 2026 by Bob Smith. Closing note: …", for a project that ended."""
    label = t(locale, "projects.status." + project.status)
    if project.status == ProjectStatus.ACTIVE:
        return label
    who = await person(session, project.closed_by_id)
    line = t(locale, "projects.closed_line", status=label, who=who.display_name if who else "pmobot",
             day=format_day(projects.closed_on(project, core=core), locale))
    if project.closing_reason:
        line += "\n" + t(locale, f"closing.reason.{project.status}", reason=project.closing_reason)
    return line


async def show(session: AsyncSession, *, core: Core, actor: Actor, key: str) -> list[Message]:
    project, need = await projects.get(session, actor=actor, key=key)
    return [await card(session, core=core, actor=actor, project=project, need=need)]


async def active_list(session: AsyncSession, *, core: Core, actor: Actor) -> list[Message]:
    """The active projects this person may see, with owner and the baseline in force."""
    loc = actor.locale
    lines: list[CardField] = []
    running = await projects.active(session)
    for project in running:
        need = await session.get(Need, project.need_id)
        assert project.id is not None
        if need is None or not await projects.visible(session, actor=actor, project=project, need=need):
            continue
        owner = await person(session, project.owner_id)
        baseline = await baselines.in_force(session, project_id=project.id)
        value = t(loc, "projects.list_line", owner=owner.display_name if owner else t(loc, "projects.no_owner"),
                  baseline=baseline_line(baseline, loc) if baseline else "")
        lines.append(CardField(f"{project.key} · {need.title}", value, short=False))
    if not lines:
        # Projects there are, none this person may see: say what they may see, not that there are none.
        return [Notice(t(loc, "projects.none_yours" if running else "projects.none"))]
    return [Card(title=t(loc, "projects.list_title", count=len(lines)), fields=tuple(lines),
                 footer=t(loc, "projects.list_footer"))]


async def changes_waiting(session: AsyncSession, *, actor: Actor, mine_only: bool = False) -> Card | None:
    """Every change request waiting for the committee, for its agenda; ``mine_only``: those this
    member has not voted on yet. None when there is none."""
    loc = actor.locale
    lines: list[CardField] = []
    for project in await projects.active(session):
        assert project.id is not None
        waiting = await changes.pending(session, project_id=project.id)
        current = await baselines.in_force(session, project_id=project.id) if waiting else None
        for change in waiting:
            subject = keys.change_subject(project.key, change.number)
            if mine_only and await changes.has_voted(session, subject=subject, member_id=actor.id):
                continue
            assert current is not None
            line = change_line(project, change, current, loc)
            if "end" in change.proposed:  # what it would contradict, for the committee to weigh
                end = date.fromisoformat(change.proposed["end"])
                late = [m for m in await baselines.milestones(session, project_id=project.id) if m.due > end]
                if late:
                    line += "\n" + t(loc, "projects.agenda_conflicts", marks="; ".join(
                        f"{m.name} ({format_day(m.due, loc)})" for m in late))
            lines.append(CardField(subject, line, short=False))
    if not lines:
        return None
    return Card(title=t(loc, "projects.agenda_title", count=len(lines)), fields=tuple(lines),
                footer=t(loc, "projects.agenda_footer"))


async def project_field(session: AsyncSession, *, core: Core, project: Project | None,
                        locale: str) -> CardField | None:
    """The line on a need's status saying which project it became (read already; None: it became none), its
    committed dates, and, once it ended, how, when and by whom."""
    if project is None or project.id is None:
        return None
    baseline = await baselines.in_force(session, project_id=project.id)
    value = t(locale, "projects.need_line", key=project.key,
              baseline=baseline_line(baseline, locale) if baseline else "")
    if project.status != ProjectStatus.ACTIVE:
        value += "\n" + await status_line(session, core=core, project=project, locale=locale)
    return CardField(t(locale, "projects.field.project"), value, short=False)
