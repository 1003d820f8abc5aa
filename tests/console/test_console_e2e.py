"""The real ``pmobot`` command, end to end, in a subprocess.

A scenario is piped into ``python -m pmobot console --demo`` on a fresh SQLite
file with a frozen clock: alice files a need from one sentence, bob (IT)
claims it, asks a question, gets the answer and estimates it; then
``pmobot export`` must show exactly what was typed. Expected wording comes from
the catalogs and the dialog specs, so the checks follow a rewording but not a
message in the wrong language or in the wrong place.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.dialogs import answer_dialog

from pmobot.app import attach_console, create_app
from pmobot.clock import FrozenClock
from pmobot.config import Settings
from pmobot.conversation.spec import load_builtin_specs
from pmobot.i18n import t
from pmobot.services import demo

pytestmark = pytest.mark.slow

INTAKE = load_builtin_specs()["intake"]

OPENING_FR = ("il nous faut un outil de suivi des contrats fournisseurs pour 20 personnes avant le 15 mars 2027, "
              "budget 30 000 €")
PROBLEM_FR = "Aujourd'hui les contrats sont suivis dans des tableurs dispersés et les renouvellements sont ratés."
BENEFITS_FR = "Moins de renouvellements tacites subis, environ 50 000 € économisés par an."
QUESTION_FR = "Combien de contrats actifs faut-il reprendre ?"
ANSWER_FR = "Environ 400 contrats actifs, dans trois tableurs."
NOTES_FR = "Reprise des 400 contrats incluse."



@dataclass(frozen=True)
class Answers:
    """In a scenario: answer the open dialog by field id (optional fields not given are skipped)."""

    by_field: dict[str, str]


# The French scenario: the intake and the estimate answered by field id.
SCENARIO_FR: list[str | Answers] = [
    OPENING_FR,          # pre-fills title, users affected, desired date and budget
    Answers({
        "problem": PROBLEM_FR,
        "benefits": BENEFITS_FR,
        "department": "achats",  # by a word of its label
        "sponsor": "Marie Dupont",
        "systems": "2",  # ERP
        "personal_data": "non",
        "external_vendor": "non",
    }),
    "1",                 # summary: send
    "/as bob",
    "/pmo queue",
    "/pmo claim NEED-1",
    f"/pmo ask NEED-1 {QUESTION_FR}",
    "/as alice",
    f"/pmo answer NEED-1 {ANSWER_FR}",
    "/as bob",
    "/pmo estimate NEED-1",
    Answers({
        "effort_low": "10", "effort_likely": "15", "effort_high": "25", "cost": "42 000 €",
        "duration_days": "30",  # business days
        "confidence": "moyenne", "technical_risk": "faible", "security_review": "oui", "notes": NOTES_FR,
    }),
    "1",                 # summary: send
    "/as alice",
    "/pmo status NEED-1",
]

OPENING_EN = "we need a supplier contract tracker for 20 people by 15 March 2027, budget €30,000"
QUESTION_EN = "How many active contracts must be migrated?"

SCENARIO_EN: list[str | Answers] = [
    "/lang en",
    OPENING_EN,
    Answers({
        "problem": "Contracts are tracked in scattered spreadsheets today and renewal deadlines are missed.",
        "benefits": "Fewer unwanted tacit renewals, about €50,000 saved a year.",
        "department": "purchasing",
        "systems": "erp",
        "personal_data": "no",
        "external_vendor": "no",
    }),
    "send",
    "/as bob",
    "/pmo claim NEED-1",
    f"/pmo ask NEED-1 {QUESTION_EN}",
    "/as alice",
    "/pmo answer NEED-1 About 400 active contracts, in three spreadsheets.",
    "/as bob",
    "/pmo estimate NEED-1",
    Answers({
        "effort_low": "10", "effort_likely": "15", "effort_high": "25", "cost": "€42,000", "duration_days": "30",
        "confidence": "medium", "technical_risk": "low", "security_review": "yes",
    }),
    "1",
    "/as alice",
    "/pmo status NEED-1",
]


# -- running the command ------------------------------------------------------------


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMOBOT_")}
    env.update(PMOBOT_DATABASE_URL=f"sqlite:///{db}", PMOBOT_NOW="2026-11-26T09:00:00+00:00", PMOBOT_ADMINS="dan")
    return env


def pmobot(tmp_path: Path, *args: str, stdin: str = "") -> Run:
    result = subprocess.run([sys.executable, "-m", "pmobot", *args], input=stdin, cwd=tmp_path,
                            env=_env(tmp_path / "e2e.db"), capture_output=True, text=True, timeout=300)
    return Run(result.returncode, result.stdout, result.stderr)


# The console's last words, in the language of whoever typed last.
BYE = {t("en", "console.bye"), t("fr", "console.bye")}


def lines_of(scenario: list[str | Answers]) -> list[str]:
    """The lines a person types to play the scenario: each ``Answers`` is worked out by
    playing the scenario once in this process (same demo data, same frozen time) and
    answering whichever question the dialog asks, so the lines follow the specs' order."""
    return asyncio.run(_rehearse(scenario))


async def _rehearse(scenario: list[str | Answers]) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, database_url=f"sqlite:///{folder}/rehearsal.db", admins="dan")
        app = create_app(settings, clock=FrozenClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC)))
        await app.prepare(migrate=True, seed_demo=True)
        try:
            async with app.db.session() as session:
                people = await demo.console_people(session)
            chat = attach_console(app, start_as="alice", people=people, out=io.StringIO())
            typed: list[str] = []

            async def say(line: str) -> None:
                typed.append(line)
                await chat.handle_line(line)

            for step in scenario:
                if isinstance(step, Answers):
                    await answer_dialog(app, platform="console", external_id=chat.current, answers=step.by_field,
                                        say=say)
                else:
                    await say(step)
            return typed
        finally:
            await app.close()


def console(tmp_path: Path, script: list[str | Answers]) -> str:
    lines = lines_of(script) if any(isinstance(step, Answers) for step in script) else script
    run = pmobot(tmp_path, "console", "--demo", stdin="".join(f"{line}\n" for line in lines))
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    log = tmp_path / "var" / "pmobot.log"  # the console logs there, not into the chat
    assert not log.exists() or "Traceback" not in log.read_text(), log.read_text()
    assert "✗" not in run.stdout, "an error was shown to the user"
    assert run.stdout.rstrip().splitlines()[-1] in BYE, "the console did not end cleanly at the end of input"
    return run.stdout


def export_json(tmp_path: Path) -> list[dict[str, Any]]:
    run = pmobot(tmp_path, "export", "--format", "json")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    return json.loads(run.stdout)


# -- reading a transcript ---------------------------------------------------------------

_BOX = re.compile(r"^[│┌└─ ]+")


def flat(text: str) -> str:
    """The transcript as one line: no card frames, no wrapping, plain spaces."""
    text = text.replace("\u202f", " ").replace("\xa0", " ")
    return " ".join(" ".join(_BOX.sub("", line) for line in text.splitlines()).split())


@dataclass
class Delivery:
    where: str  # '#it-intake', '#it-intake ✎', '✉ Alice Martin'
    body: str  # flattened


def deliveries(transcript: str) -> list[Delivery]:
    """What the outbox delivered: each '━━ where ━━' block, up to the next blank line."""
    out: list[Delivery] = []
    lines = transcript.splitlines()
    for i, line in enumerate(lines):
        head = re.fullmatch(r"━━ (.+) ━━", line)
        if not head:
            continue
        body = []
        for following in lines[i + 1:]:
            if following == "" or following.startswith("━━ ") or following in BYE:
                break
            body.append(following)
        out.append(Delivery(head.group(1), flat("\n".join(body))))
    return out


def direct_messages(transcript: str, who: str) -> list[str]:
    return [d.body for d in deliveries(transcript) if d.where == f"✉ {who}"]


def after_last(transcript: str, typed: str) -> str:
    """What the console printed in answer to the last time ``typed`` was entered."""
    marker = f"> {typed}\n"
    assert marker in transcript, typed
    return transcript.rsplit(marker, 1)[1]


def one_need(tmp_path: Path) -> dict[str, Any]:
    needs = export_json(tmp_path)
    assert [n["key"] for n in needs] == ["NEED-1"]
    return needs[0]


# -- the French scenario --------------------------------------------------------------------


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("e2e-fr")
    return folder, console(folder, SCENARIO_FR)


def test_french_intake_from_one_sentence_is_submitted(french: tuple[Path, str]) -> None:
    _, transcript = french
    text = flat(transcript)
    assert flat(t("fr", "dialog.understood")) in text
    assert flat(t("fr", "intake.submitted", key="NEED-1")) in text


def test_submitted_need_is_posted_in_the_it_channel(french: tuple[Path, str]) -> None:
    _, transcript = french
    posts = [d for d in deliveries(transcript) if d.where == "#it-intake"]
    assert len(posts) == 1
    assert "NEED-1 ·" in posts[0].body and "contrats fournisseurs" in posts[0].body
    assert "20" in posts[0].body and "15 mars 2027" in posts[0].body and "30 000 €" in posts[0].body
    # Later changes update that card instead of posting new ones.
    assert any(d.where == "#it-intake ✎" for d in deliveries(transcript))


def test_it_question_reaches_the_requester_as_a_direct_message(french: tuple[Path, str]) -> None:
    _, transcript = french
    dms = direct_messages(transcript, "Alice Martin")
    question = [m for m in dms if QUESTION_FR in m]
    assert len(question) == 1
    assert flat(t("fr", "estimation.question_title", who="Bob Smith", key="NEED-1")) in question[0]
    # And the answer goes back to bob, in his language (English).
    assert any(ANSWER_FR in m and flat(t("en", "estimation.answer_title", who="Alice Martin", key="NEED-1")) in m
               for m in direct_messages(transcript, "Bob Smith"))


def test_estimate_notice_reaches_the_requester(french: tuple[Path, str]) -> None:
    _, transcript = french
    notices = [m for m in direct_messages(transcript, "Alice Martin")
               if flat(t("fr", "estimation.estimate_notice", who="Bob Smith", key="NEED-1")) in m]
    assert len(notices) == 1
    assert "42 000 €" in notices[0] and NOTES_FR in notices[0]


def test_requester_sees_the_need_estimated(french: tuple[Path, str]) -> None:
    _, transcript = french
    status = flat(after_last(transcript, "/pmo status NEED-1"))
    assert t("fr", "status.estimated") in status
    assert "42 000 €" in status


def test_french_export_as_json(french: tuple[Path, str]) -> None:
    folder, _ = french
    need = one_need(folder)
    assert need["status"] == "estimated"
    assert "contrats fournisseurs" in need["title"].lower()
    assert need["requester"] == "Alice Martin" and need["claimed_by"] == "Bob Smith"
    assert need["problem"] == PROBLEM_FR and need["benefits"] == BENEFITS_FR
    assert need["department"] == "purchasing" and need["sponsor"] == "Marie Dupont"
    assert need["users_affected"] == 20
    assert need["desired_date"] == "2027-03-15"
    assert (need["budget"], need["budget_currency"]) == ("30000.00", "EUR")
    assert need["systems"] == ["erp"]
    assert need["personal_data"] is False and need["external_vendor"] is False
    estimate = need["estimate"]
    assert estimate["version"] == 1
    assert (estimate["effort_low"], estimate["effort_likely"], estimate["effort_high"]) == (10, 15, 25)
    assert (estimate["cost"], estimate["cost_currency"]) == ("42000.00", "EUR")
    assert estimate["duration_days"] == 30
    assert (estimate["confidence"], estimate["technical_risk"]) == ("medium", "low")
    assert estimate["security_review"] is True
    assert estimate["notes"] == NOTES_FR
    assert estimate["estimator"] == "Bob Smith"
    # IT's question and the requester's answer, as they were typed.
    assert (need["questions_asked"], need["questions_open"]) == (1, 0)
    [asked] = need["questions"]
    assert (asked["asked_by"], asked["question"]) == ("Bob Smith", QUESTION_FR)
    assert (asked["answered_by"], asked["answer"]) == ("Alice Martin", ANSWER_FR)


def test_french_export_as_csv(french: tuple[Path, str]) -> None:
    folder, _ = french
    out = folder / "exports" / "needs.csv"  # a folder that does not exist yet
    run = pmobot(folder, "export", "--format", "csv", "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""  # the data went to the file
    assert out.read_bytes().startswith(codecs.BOM_UTF8)  # so that Excel reads the accents
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert (row["key"], row["status"]) == ("NEED-1", "estimated")
    assert row["users_affected"] == "20" and row["desired_date"] == "2027-03-15"
    assert row["title"] == one_need(folder)["title"] and "contrats fournisseurs" in row["title"]
    assert (row["estimate_cost"], row["estimate_cost_currency"]) == ("42000.00", "EUR")
    assert row["estimate_duration_days"] == "30"
    # Every intake field has its column, in spec order.
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert [h for h in header if h in {f.id for f in INTAKE.fields}] == [f.id for f in INTAKE.fields]


def test_french_questions_export_as_csv(french: tuple[Path, str]) -> None:
    folder, _ = french
    run = pmobot(folder, "export", "questions", "--format", "csv")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("\ufeff")  # the byte-order mark, on standard output too
    rows = list(csv.DictReader(io.StringIO(run.stdout.removeprefix("\ufeff"))))
    assert [(r["need"], r["asked_by"], r["question"], r["answered_by"], r["answer"]) for r in rows] == [
        ("NEED-1", "Bob Smith", QUESTION_FR, "Alice Martin", ANSWER_FR)]


# -- the same in English ----------------------------------------------------------------------


def test_english_requester_goes_through_the_whole_flow_in_english(tmp_path: Path) -> None:
    transcript = console(tmp_path, SCENARIO_EN)
    text = flat(transcript)
    assert flat(t("en", "chat.lang_set")) in text
    assert flat(t("en", "intake.submitted", key="NEED-1")) in text
    assert flat(t("fr", "intake.submitted", key="NEED-1")) not in text
    # The intake asked its questions in English.
    assert flat(INTAKE.field("problem").prompt.get("en")) in text
    assert flat(INTAKE.field("problem").prompt.get("fr")) not in text
    assert len([d for d in deliveries(transcript) if d.where == "#it-intake"]) == 1
    dms = direct_messages(transcript, "Alice Martin")
    assert any(QUESTION_EN in m and flat(t("en", "estimation.question_title", who="Bob Smith", key="NEED-1")) in m
               for m in dms)
    assert any(flat(t("en", "estimation.estimate_notice", who="Bob Smith", key="NEED-1")) in m and "€42,000" in m
               for m in dms)
    assert t("en", "status.estimated") in flat(after_last(transcript, "/pmo status NEED-1"))

    need = one_need(tmp_path)
    assert need["status"] == "estimated"
    assert "contract" in need["title"].lower()
    assert need["users_affected"] == 20 and need["desired_date"] == "2027-03-15"
    assert (need["budget"], need["budget_currency"]) == ("30000.00", "EUR")
    assert need["sponsor"] is None
    assert need["estimate"]["cost"] == "42000.00" and need["estimate"]["notes"] is None


# -- a restart in the middle of a dialog ---------------------------------------------------------


def test_dialog_interrupted_by_end_of_input_resumes_in_the_next_run(tmp_path: Path) -> None:
    department = flat(INTAKE.field("department").prompt.get("fr"))

    first = console(tmp_path, [OPENING_FR, PROBLEM_FR, BENEFITS_FR])
    # Run 1 stopped with the department question unanswered.
    assert department in flat(after_last(first, BENEFITS_FR))
    assert flat(t("fr", "intake.submitted", key="NEED-1")) not in flat(first)
    assert export_json(tmp_path) == []

    second = console(tmp_path, ["achats", "passer", "2", "non", "non", "1"])
    # Run 2 opens by asking again where run 1 stopped, before anything is typed.
    greeting = flat(second.split("\nalice> ", 1)[0])
    assert flat(t("fr", "dialog.resuming", title=INTAKE.title.get("fr"))) in greeting
    assert department in greeting
    assert flat(INTAKE.field("problem").prompt.get("fr")) not in greeting
    assert flat(t("fr", "intake.submitted", key="NEED-1")) in flat(second)

    # Nothing typed in run 1 was lost.
    need = one_need(tmp_path)
    assert need["status"] == "submitted"
    assert need["problem"] == PROBLEM_FR and need["benefits"] == BENEFITS_FR
    assert "contrats fournisseurs" in need["title"].lower()
    assert need["users_affected"] == 20 and need["desired_date"] == "2027-03-15"
    assert need["budget"] == "30000.00"
    assert need["department"] == "purchasing" and need["systems"] == ["erp"] and need["sponsor"] is None
