"""The weekly digest: each channel's cut (PMO, IT, committee, a department) in its language, five items per
section and "and N more" with the command that shows all, the quiet week said in words, the chart and its
text alternative, one outbox row per channel and week however often the job runs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select
from support.portfolio import DEPARTMENTS, HEALTH, OTHER_STATUSES, seed

from pmobot.app import App
from pmobot.clock import FrozenClock
from pmobot.domain import keys
from pmobot.domain.models import OutboxMessage
from pmobot.jobs.base import JobContext
from pmobot.jobs.digest import DIGEST
from pmobot.messages import Card, Chart
from pmobot.services import addresses, closing, digest
from pmobot.services.errors import Invalid
from tests.support.projects import demo_actor

# Monday 30 November 2026, 09:00 in Paris: the policy's slot; the digest sums up the seven days before.
SLOT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
NEEDS, PROJECTS = 60, 12


@pytest.fixture
async def monday(app: App, clock: FrozenClock) -> App:
    clock.set(SLOT)
    return app


def _fields(card: Card) -> dict[str, str]:
    return {f.label: f.value for f in card.fields}


async def _preview(app: App, channel: str) -> tuple[Card, Chart | None]:
    async with app.db.session() as session:
        said = await digest.preview(session, core=app.core, channel=channel, slot=SLOT)
    card = said[0]
    assert isinstance(card, Card)
    chart = said[1] if len(said) > 1 else None
    assert chart is None or isinstance(chart, Chart)
    return card, chart


def _new(department: str | None = None) -> list[int]:
    """Needs submitted during the week (one in seven), newest first, as the seed makes them."""
    return sorted((i for i in range(1, NEEDS + 1) if i % 7 == 0
                   and department in (None, DEPARTMENTS[i % len(DEPARTMENTS)])), reverse=True)


def _waiting() -> list[int]:
    return [i for i in range(PROJECTS + 1, NEEDS + 1) if OTHER_STATUSES[i % 6] in ("submitted", "estimating")]


async def test_the_pmo_digest_has_every_section_five_items_each_and_the_rest_counted(monday: App) -> None:
    await seed(monday, needs=NEEDS, projects=PROJECTS, week_end=SLOT)
    card, chart = await _preview(monday, "pmo")
    assert card.title == "Synthèse hebdomadaire, semaine 49 (30 novembre 2026)"
    assert card.subtitle == "canal du PMO" and card.body == ""
    fields = _fields(card)
    new = _new()
    new_needs = fields[f"Nouveaux besoins cette semaine ({len(new)})"].split("\n")
    assert new_needs[:5] == [f"• NEED-{100_000 + i} Besoin {i} · {DEPARTMENTS[i % 4]}" for i in new[:5]]
    assert new_needs[5:] == [f"et {len(new) - 5} de plus : /pmo file"]
    waiting = fields[f"En attente de la DSI ({len(_waiting())})"].split("\n")
    # Everything waits longer than ten business days but the needs submitted this week.
    over = [i for i in _waiting() if i % 7 != 0]
    assert waiting[0] == f"{len(over)} au-delà de leur niveau de service"
    assert len(waiting) == 1 + 5 + 1 and waiting[-1].startswith(f"et {len(_waiting()) - 5} de plus : /pmo file")
    assert "jours ouvrés, au-delà du niveau de service de 10 jours" in waiting[1]
    decided = [i for i in range(1, PROJECTS + 1) if i % 10 == 0]
    assert fields["Décision du comité cette semaine"] == f"• NEED-{100_000 + decided[0]} Besoin 10 : approuvé"
    health = fields[f"Santé des projets ({PROJECTS} projets actifs)"].split("\n")
    counts = {h: sum(1 for i in range(1, PROJECTS + 1) if HEALTH[(i + 2 * (i % 6 == 0)) % 6] == h)
              for h in ("green", "amber", "red")}
    assert health[0] == f"{counts['green']} verts, {counts['amber']} orange, {counts['red']} rouges"
    changed = [i for i in range(1, PROJECTS + 1) if i % 6 == 0]
    assert health[1] == f"{len(changed)} projets ont changé de couleur cette semaine :"
    assert "• PRJ-100006 Besoin 6 : vert → orange" in health
    alerts = fields["Alerte de dérive ouverte"]
    assert alerts.startswith("• ALERT-100010") and "PRJ-100010 a réalisé 35 % du travail alors que 50 %" in alerts
    due = [i for i in range(1, PROJECTS + 1) if i % 30 < 14]  # due i days after Monday 30 November
    milestones = fields[f"Jalons des deux prochaines semaines ({len(due)})"].split("\n")
    assert milestones[0] == "• 1 décembre : PRJ-100001 Besoin 1, Jalon 1"
    assert milestones[-1] == f"et {len(due) - 5} de plus : /pmo projets"
    assert chart is not None and chart.image.startswith(b"\x89PNG")
    assert chart.title == "Santé du portefeuille, semaine 49"
    assert chart.alt_text == ("Diagramme en barres des projets actifs selon la santé de leur dernier statut : "
                              f"{health[0]}.")


async def test_each_audience_gets_its_own_cut(monday: App) -> None:
    await seed(monday, needs=NEEDS, projects=PROJECTS, week_end=SLOT)
    it_card, _ = await _preview(monday, "dsi")
    committee_card, _ = await _preview(monday, "committee")
    sections = {name: [label.split(" (")[0] for label in _fields(card)]
                for name, card in (("it", it_card), ("committee", committee_card))}
    assert sections["it"] == ["Nouveaux besoins cette semaine", "En attente de la DSI",
                              "Décision du comité cette semaine", "Alerte de dérive ouverte",
                              "Jalons des deux prochaines semaines"]
    assert sections["committee"] == ["Décision du comité cette semaine", "Nouveaux besoins cette semaine",
                                     "Santé des projets", "Alerte de dérive ouverte",
                                     "Jalons des deux prochaines semaines"]
    # A department sees its own needs only, whatever the case it is typed in.
    finance, _ = await _preview(monday, "FINANCE")
    assert finance.subtitle == "canal du service Finance"
    new = _new("Finance")
    label = f"Nouveaux besoins cette semaine ({len(new)})" if len(new) > 1 else "Nouveau besoin cette semaine"
    listed = _fields(finance)[label]
    assert listed.count("• ") == min(5, len(new)) and all("· Finance" in line for line in listed.split("\n")[:5])


async def test_the_digest_speaks_the_language_of_whoever_chose_the_channel(monday: App) -> None:
    await seed(monday, needs=NEEDS, projects=PROJECTS, week_end=SLOT)
    monday.core.it_channels["console"] = "it-intake"
    async with monday.db.session() as session:
        dan = await demo_actor(session, monday, "dan")
        dan = replace(dan, locale="en")
        await addresses.set_department_channel(session, core=monday.core, actor=dan, platform="console",
                                               department="Achats", address="purchasing")
    card, chart = await _preview(monday, "purchasing")
    assert card.title == "Weekly digest, week 49 (30 November 2026)"
    assert card.subtitle == "channel of the Achats department"
    new = _new("Achats")
    assert _fields(card)[f"New needs this week ({len(new)})"].startswith(f"• NEED-{100_000 + new[0]} Besoin")
    assert chart is not None and chart.title == "Portfolio health, week 49"
    assert chart.alt_text.startswith("Bar chart of the active projects by the health of their latest status: ")


async def test_a_quiet_week_is_said_in_words_never_an_empty_digest(monday: App) -> None:
    card, chart = await _preview(monday, "pmo")
    assert card.fields == () and chart is None
    assert card.body == ("Une semaine calme : rien à signaler sur les nouveaux besoins, les besoins en attente de la "
                         "DSI, les décisions du comité, la santé des projets, les alertes de dérive, les jalons des "
                         "deux prochaines semaines, les projets clos.")
    async with monday.db.session() as session:
        # Chosen by someone who speaks English, the committee's digest is in English.
        dan = replace(await demo_actor(session, monday, "dan"), locale="en")
        monday.core.it_channels["console"] = "it-intake"
        await addresses.set_channel(session, core=monday.core, actor=dan, platform="console",
                                    purpose=addresses.COMMITTEE_CHANNEL, address="committee")
    card, _ = await _preview(monday, "committee")
    assert card.body.startswith("A quiet week: nothing to report on committee decisions, new needs, project health")


async def test_projects_closed_during_the_week_are_told_with_their_closing_words(monday: App,
                                                                                clock: FrozenClock) -> None:
    """Delivered or cancelled, a project that ended during the week is said once, in every cut that follows
    projects, its closing note cut short; one closed the week before is not."""
    await seed(monday, needs=NEEDS, projects=PROJECTS, week_end=SLOT)
    note = "Livré en production le 26 novembre, " + "formation des équipes terminée et support transféré " * 3
    closings = ((SLOT - timedelta(days=9), "finish", "PRJ-100002", "Fini plus tôt"),
                (SLOT - timedelta(days=4), "finish", "PRJ-100003", note),
                (SLOT - timedelta(days=2), "cancel", "PRJ-100005", "Le fournisseur a arrêté le produit"))
    async with monday.db.session() as session:
        dan = await demo_actor(session, monday, "dan")
    for at, step, key, words in closings:
        clock.set(at)
        async with monday.db.session() as session:
            if step == "finish":
                await closing.finish(session, core=monday.core, actor=dan, key=key, note=words)
            else:
                await closing.cancel(session, core=monday.core, actor=dan, key=key, reason=words)
    clock.set(SLOT)
    card, _ = await _preview(monday, "pmo")
    lines = _fields(card)["Projets clos cette semaine (2)"].split("\n")
    assert lines[0] == "• PRJ-100005 Besoin 5 : annulé (Le fournisseur a arrêté le produit)"
    assert lines[1].startswith("• PRJ-100003 Besoin 3 : livré (Livré en production le 26 novembre, formation")
    assert lines[1].endswith("…)") and len(lines[1]) < len(note)
    assert len(lines) == 2  # PRJ-100002 closed the week before
    # The active projects' health no longer counts them.
    assert f"Santé des projets ({PROJECTS - 3} projets actifs)" in _fields(card)
    it_card, _ = await _preview(monday, "dsi")
    assert "Projets clos cette semaine (2)" in _fields(it_card)


async def test_an_unknown_channel_is_refused_politely(monday: App) -> None:
    with pytest.raises(Invalid) as refused:
        await _preview(monday, "nowhere")
    assert refused.value.message("fr").startswith("Aucun canal de synthèse ne s'appelle « nowhere ».")


async def test_the_job_posts_one_digest_per_channel_and_week_and_a_rerun_posts_nothing(monday: App) -> None:
    await seed(monday, needs=NEEDS, projects=PROJECTS, week_end=SLOT)
    monday.core.it_channels["console"] = "it-intake"
    async with monday.db.session() as session:
        dan = await demo_actor(session, monday, "dan")
        for purpose, address in ((addresses.PMO_CHANNEL, "pmo"), (addresses.COMMITTEE_CHANNEL, "committee")):
            await addresses.set_channel(session, core=monday.core, actor=dan, platform="console", purpose=purpose,
                                        address=address)
        await addresses.set_department_channel(session, core=monday.core, actor=dan, platform="console",
                                               department="RH", address="hr")
    period = DIGEST.schedule.period(SLOT, core=monday.core)
    assert period == "2026-W49"
    context = JobContext(monday.core, SLOT, SLOT, period, False)
    assert await DIGEST.run(context) == {"channels": 4, "posted": 4, "failed": 0}
    assert await DIGEST.run(context) == {"channels": 4, "posted": 0, "failed": 0}
    async with monday.db.session() as session:
        rows = (await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).startswith("digest:"))
                                   .order_by(col(OutboxMessage.id)))).all()
    assert [r.key for r in rows] == [
        "digest:pmo:2026-W49@console", "digest:pmo:2026-W49:chart@console",
        "digest:it-intake:2026-W49@console", "digest:committee:2026-W49@console",
        "digest:committee:2026-W49:chart@console",
        "digest:hr:2026-W49@console", "digest:hr:2026-W49:chart@console"]
    assert keys.digest("C123", "2026-W48") == "digest:C123:2026-W48"
    assert keys.digest_chart("C123", "2026-W48") == "digest:C123:2026-W48:chart"


def test_a_digest_pushed_into_the_next_week_by_holidays_keeps_the_week_it_was_due(app: App) -> None:
    """Digests on Fridays: Christmas and New Year's Day push two of them to the Monday after, into the next
    ISO week; each keeps its own week, so the week after still gets its digest."""
    from pmobot.domain.tracking_policy import WeeklySlot

    tracking = replace(app.core.policy.tracking, digest=WeeklySlot(weekday=4, hour=9))
    app.core.policy = replace(app.core.policy, tracking=tracking)
    slots = [digest.SCHEDULE.latest(at, core=app.core) for at in (
        datetime(2026, 12, 28, 12, tzinfo=UTC), datetime(2027, 1, 4, 12, tzinfo=UTC),
        datetime(2027, 1, 8, 12, tzinfo=UTC))]
    assert [s.date().isoformat() for s in slots] == ["2026-12-28", "2027-01-04", "2027-01-08"]
    assert [digest.week_of(app.core, s)[0] for s in slots] == ["2026-W52", "2026-W53", "2027-W01"]


async def test_a_purpose_channel_digest_is_in_the_language_of_whoever_chose_it(monday: App) -> None:
    await seed(monday, needs=NEEDS, projects=PROJECTS, week_end=SLOT)
    monday.core.it_channels["console"] = "it-intake"
    async with monday.db.session() as session:
        dan = replace(await demo_actor(session, monday, "dan"), locale="en")
        await addresses.set_channel(session, core=monday.core, actor=dan, platform="console",
                                    purpose=addresses.COMMITTEE_CHANNEL, address="committee-room")
    card, _ = await _preview(monday, "committee-room")
    assert card.title == "Weekly digest, week 49 (30 November 2026)"
