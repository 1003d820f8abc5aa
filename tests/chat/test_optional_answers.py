"""An optional question answered "nobody", "non", "I don't know": nothing is recorded, in both languages,
and the conversation goes on; a question whose answers are a closed set still reads such words as its own."""

from __future__ import annotations

from sqlmodel import col, select
from support.dialogs import file_sample_need

from pmobot.app import App
from pmobot.conversation.controls import says_nothing
from pmobot.domain.models import Need
from pmobot.services.people import Identity

ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")
BOB = Identity(platform="console", external_id="bob", display_name="Bob Smith", handle="bob")


async def _file(app: App, who: Identity, answers: dict[str, str]) -> Need:
    """The sample need filed with ``answers`` (answer_dialog fails the test if one is refused), as stored."""
    await file_sample_need(app, who, "c", answers)
    async with app.db.session() as session:
        return (await session.exec(select(Need).order_by(col(Need.id).desc()))).first()  # type: ignore[return-value]


async def test_saying_there_is_nothing_skips_an_optional_question_in_french(app: App) -> None:
    need = await _file(app, ALICE, {"sponsor": "Personne.", "budget": "non", "systems": "aucun",
                                    "desired_date": "je ne sais pas"})
    assert need is not None and need.key == "NEED-1"
    assert (need.sponsor, need.budget, need.systems, need.desired_date) == (None, None, [], None)
    # A yes/no question takes "non" as no, not as nothing said.
    assert need.personal_data is False


async def test_saying_there_is_nothing_skips_an_optional_question_in_english(app: App) -> None:
    await app.chat.on_text(BOB, "c", "/pmo lang en")
    need = await _file(app, BOB, {"sponsor": "nobody", "budget": "none", "systems": "None",
                                  "desired_date": "I don't know", "personal_data": "no"})
    assert (need.sponsor, need.budget, need.systems, need.desired_date) == (None, None, [], None)
    assert need.personal_data is False


async def test_a_name_that_says_something_is_kept(app: App) -> None:
    need = await _file(app, ALICE, {"sponsor": "Personne du service achats"})
    assert need.sponsor == "Personne du service achats"


def test_the_words_that_say_nothing_are_read_whole_not_inside_an_answer() -> None:
    assert all(says_nothing(s) for s in ("Aucun.", "n/a", "N/A", "Je ne sais pas", "I don’t know", "  none "))
    assert not any(says_nothing(s) for s in ("Nonna", "no budget yet but soon", "personne morale", "?", ""))


async def test_a_form_reads_such_words_in_an_optional_input_as_left_empty(app: App) -> None:
    form, messages = await app.chat.submit_form(ALICE, "console:alice", "intake", {
        "title": "Suivi des contrats", "problem": "Tout est dans Excel.", "benefits": "Moins d'oublis",
        "department": "sales", "sponsor": "N/A", "budget": "aucun", "users_affected": "20",
        "personal_data": False, "external_vendor": False}, {})
    assert form is None and messages, form  # no error on the form: sent
    async with app.db.session() as session:
        need = (await session.exec(select(Need))).one()
    assert (need.sponsor, need.budget) == (None, None)
