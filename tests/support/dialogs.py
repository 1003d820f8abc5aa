"""Answering a dialog by field id, as the person would type the answers.

A test says what to answer to each question (``{"problem": "...", "department": "ventes"}``),
not in which order they come: the helper looks at which field the person's dialog asks
now, types the answer given for that id, and goes on until the dialog reaches its summary
(or ends). An optional field with no answer given is skipped with the skip word; a
required one fails the test, naming the field. So a PMO who adds an optional question to
a spec, or moves one, breaks no test that does not care about it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from sqlmodel import col, select

from pmobot.app import App
from pmobot.conversation.spec import DialogSpec, FieldSpec
from pmobot.conversation.state import DialogState
from pmobot.domain.models import Account, ConversationState, Person
from pmobot.i18n import normalize_locale, t
from pmobot.services.people import Identity

# Types one line of text as the person, on whatever platform the test runs.
Say = Callable[[str], Awaitable[object]]


class DialogStuck(AssertionError):
    """The dialog cannot be answered from what the test gave."""


@dataclass(frozen=True)
class Asking:
    """Where a person's open dialog stands: its spec, the field it asks now (None at its
    summary), and the person's language."""

    spec: DialogSpec
    field: FieldSpec | None
    locale: str


async def asking(app: App, *, platform: str, external_id: str) -> Asking | None:
    """Where the open dialog of the person (by platform id) stands; None when none is open."""
    query = select(ConversationState, Person).join(Person).join(
        Account, col(Account.person_id) == col(Person.id)).where(
        Account.platform == platform, Account.external_id == external_id)
    async with app.db.session() as session:
        rows = (await session.exec(query)).all()
    if len(rows) > 1:
        raise DialogStuck(f"{external_id} has {len(rows)} dialogs open, in several conversations")
    if not rows:
        return None
    row, person = rows[0]
    spec = app.engine.specs[row.spec_id]
    # The question being asked, or the summary (which is no field).
    current = DialogState.from_json(row.state).current
    locale = normalize_locale(person.locale, app.settings.default_locale)
    return Asking(spec=spec, field=next((f for f in spec.fields if f.id == current), None), locale=locale)


async def answer_dialog(app: App, *, platform: str, external_id: str, answers: Mapping[str, str], say: Say,
                        until: str | None = None) -> list[str]:
    """Answer the person's open dialog from ``answers`` (field id -> text as typed) until it
    reaches its summary, or until it asks the field ``until``; return what was typed."""
    now = await asking(app, platform=platform, external_id=external_id)
    if now is None or now.field is None:
        raise DialogStuck(f"{external_id} has no dialog asking a question")
    unknown = set(answers) - {f.id for f in now.spec.fields}
    if unknown:
        raise DialogStuck(f"answers given for fields {now.spec.id!r} does not have: {sorted(unknown)}")
    typed: list[str] = []
    while now is not None and now.field is not None and now.field.id != until:
        field = now.field
        if field.id in answers:
            text = answers[field.id]
        elif not field.required:
            text = t(now.locale, "dialog.ctl_skip")
        else:
            raise DialogStuck(f"{now.spec.id!r} asks for {field.id!r}, which is required, and the test gave no "
                              f"answer for it (answers given: {sorted(answers)})")
        await say(text)
        typed.append(text)
        now = await asking(app, platform=platform, external_id=external_id)
        if now is not None and now.field is not None and now.field.id == field.id:
            raise DialogStuck(f"the answer {text!r} to {field.id!r} was refused: the dialog asks it again")
    return typed


# The need Alice files in the chat tests: the intake answered field by field, then sent.
SAMPLE_ANSWERS = {
    "title": "Suivi des contrats", "problem": "Tout est dans Excel, on perd des contrats.",
    "benefits": "Moins d'oublis", "department": "1", "users_affected": "20", "personal_data": "non",
    "external_vendor": "non",
}


async def file_sample_need(app: App, who: Identity, conversation: str = "a",
                           answers: Mapping[str, str] | None = None) -> None:
    """``who`` (a console person, or one of any platform) files a need through the intake conversation, and sends it;
    ``answers`` replace or add to the sample's."""
    async def say(text: str) -> None:
        await app.chat.on_text(who, conversation, text)  # type: ignore[arg-type]

    await say("/pmo new")
    await answer_dialog(app, platform=who.platform, external_id=who.external_id, say=say,
                        answers={**SAMPLE_ANSWERS, **(answers or {})})
    await say("1")
