"""A PMO adds an optional question to the intake spec: no flow breaks.

The specs are read from a folder of copies (PMOBOT_DIALOGS_DIR) where intake.yaml gains an
optional "cost centre" question in the middle. The console, Teams and Slack intakes run
with the same answers as elsewhere, given by field id: the new question is asked (or
shown) and skipped, or answered when the test gives it a value. Made required, the same
question stops a test that gives no value for it, naming the field.
"""

from __future__ import annotations

import io
import shutil
from importlib import resources
from pathlib import Path

import pytest
from sqlmodel import select
from support.dialogs import DialogStuck, answer_dialog
from support.slack import SlackHarness
from support.slack_flows import file_need, texts
from support.teams import FakeMicrosoft, TeamsHarness
from support.teams_flows import ALICE, file_need_in_chat

from pmobot.app import App, attach_console, create_app
from pmobot.clock import FrozenClock
from pmobot.config import Settings
from pmobot.domain.models import Need
from pmobot.services import demo

COST_CENTRE = """\
  - id: cost_centre
    type: text
    required: {required}
    label: {{en: Cost centre, fr: Centre de coûts}}
    prompt:
      en: "Which cost centre pays for it?"
      fr: "Quel centre de coûts la finance ?"
"""
OPENING = "il nous faut un outil de suivi des contrats fournisseurs pour 20 personnes"
ANSWERS = {
    "problem": "Les contrats sont dans des fichiers Excel et nous ratons des renouvellements.",
    "benefits": "Moins de reconductions tacites.",
    "department": "ventes",
    "personal_data": "non",
    "external_vendor": "non",
}


def specs_with_cost_centre(folder: Path, *, required: bool) -> Path:
    """Copies of the shipped specs, intake.yaml with the cost-centre question before the department."""
    folder.mkdir()
    for entry in resources.files("pmobot.dialogs").iterdir():
        if entry.name.endswith(".yaml"):
            with resources.as_file(entry) as path:
                shutil.copy(path, folder / entry.name)
    intake = folder / "intake.yaml"
    text = intake.read_text(encoding="utf-8")
    anchor = "  - id: department\n"
    assert text.count(anchor) == 1, "the intake spec has one department question to insert before"
    intake.write_text(text.replace(anchor, COST_CENTRE.format(required=str(required).lower()) + anchor),
                      encoding="utf-8")
    return folder


@pytest.fixture
def dialogs_dir(tmp_path: Path) -> Path:
    return specs_with_cost_centre(tmp_path / "dialogs", required=False)


@pytest.fixture
def settings(settings: Settings, dialogs_dir: Path) -> Settings:
    return settings.model_copy(update={"dialogs_dir": dialogs_dir})


@pytest.fixture
def teams_settings(teams_settings: Settings, dialogs_dir: Path) -> Settings:
    return teams_settings.model_copy(update={"dialogs_dir": dialogs_dir})


@pytest.fixture
def slack_settings(slack_settings: Settings, dialogs_dir: Path) -> Settings:
    return slack_settings.model_copy(update={"dialogs_dir": dialogs_dir})


async def open_console(app: App):  # type: ignore[no-untyped-def]
    async with app.db.session() as session:
        people = await demo.console_people(session)
    return attach_console(app, start_as="alice", people=people, out=io.StringIO())


async def the_need(app: App) -> Need:
    async with app.db.session() as session:
        return (await session.exec(select(Need))).one()


async def test_the_app_asks_the_question_added_to_the_folder(app: App) -> None:
    assert app.engine.specs["intake"].field("cost_centre").required is False


async def test_console_intake_skips_the_new_optional_question(app: App) -> None:
    console = await open_console(app)
    await console.handle_line(OPENING)
    typed = await answer_dialog(app, platform="console", external_id="alice", answers=ANSWERS,
                                say=console.handle_line)
    await console.handle_line("1")
    # French puts a no-break space before "?", and the console wraps long lines.
    assert "Quel centre de coûts la finance ?" in " ".join(console.out.getvalue().replace("\xa0", " ").split())
    assert "passer" in typed
    need = await the_need(app)
    assert need.status == "submitted" and need.department == "sales"
    assert (need.extra or {}).get("cost_centre") is None


async def test_console_intake_answers_the_new_question_by_its_id(app: App) -> None:
    console = await open_console(app)
    await console.handle_line(OPENING)
    await answer_dialog(app, platform="console", external_id="alice", answers={**ANSWERS, "cost_centre": "CC-4200"},
                        say=console.handle_line)
    await console.handle_line("1")
    need = await the_need(app)
    assert need.status == "submitted" and need.extra["cost_centre"] == "CC-4200"


async def test_teams_intake_in_chat_still_files_the_need(teams: TeamsHarness, fake: FakeMicrosoft) -> None:
    await file_need_in_chat(teams, fake, ALICE, "il nous faut un outil de suivi des contrats fournisseurs")
    need = await the_need(teams.app)
    assert need.status == "submitted" and need.users_affected == 20


async def test_slack_intake_modal_shows_the_new_question_and_files_without_it(slack: SlackHarness) -> None:
    body = await file_need(slack)
    assert "NEED-1" in texts(body["view"]["blocks"])
    opened = slack.fake.of("views.open")[-1]["_view"]  # the form as it opened (the result is in its place now)
    assert "cost_centre" in [b["block_id"] for b in opened["blocks"] if b["type"] == "input"]


async def test_a_required_question_without_an_answer_stops_the_test_naming_it(
        settings: Settings, clock: FrozenClock, tmp_path: Path) -> None:
    strict = create_app(settings.model_copy(update={
        "dialogs_dir": specs_with_cost_centre(tmp_path / "required", required=True)}), clock=clock)
    await strict.prepare(migrate=True, seed_demo=True)
    try:
        console = await open_console(strict)
        await console.handle_line(OPENING)
        with pytest.raises(DialogStuck, match="'cost_centre', which is required"):
            await answer_dialog(strict, platform="console", external_id="alice", answers=ANSWERS,
                                say=console.handle_line)
    finally:
        await strict.close()
