"""A dialog spec shown as a whole form (Slack modal, Teams card): built from the
same YAML, validated by the same parsers and hooks as the chat conversation."""

from __future__ import annotations

from dataclasses import asdict

from sqlmodel import select
from support.hostile import PROBLEM, PROBLEM_CLEAN, SENTENCE, SENTENCE_WORDS, debris_in, stored_debris

from pmobot.app import App
from pmobot.chat import PlatformTraits
from pmobot.domain.models import Estimate, Need, OutboxMessage
from pmobot.messages import FormRequest, Notice, from_dict, to_dict
from pmobot.services.people import Identity

ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")
BOB = Identity(platform="console", external_id="bob", display_name="Bob Smith", handle="bob")

GOOD_INTAKE = {
    "title": "Suivi des contrats fournisseurs",
    "problem": "Les contrats sont suivis dans un tableur partagé, sans alertes.",
    "benefits": "Moins de renouvellements oubliés",
    "department": "purchasing",
    "users_affected": "20",
    "desired_date": "2027-03-15",
    "budget": "30 k€",
    "systems": ["erp", "crm"],
    "personal_data": False,
    "external_vendor": True,
    "vendor_name": "Acme",
}


def shows_forms(app: App, forms: bool) -> None:
    """Make the console a platform that shows forms (as Slack and Teams do for commands), or not."""
    app.chat.add_platform("console", PlatformTraits(forms=forms))


def field(form: FormRequest, field_id: str):  # type: ignore[no-untyped-def]
    return next(f for f in form.fields if f.id == field_id)


async def test_new_on_a_platform_with_forms_returns_the_intake_form_in_the_users_language(app: App) -> None:
    shows_forms(app, True)
    [form] = await app.chat.on_command(ALICE, "dm:alice", "new")
    assert isinstance(form, FormRequest) and form.spec_id == "intake"
    assert form.title == "Nouveau besoin" and form.submit_label == "Envoyer"
    assert field(form, "title").label == "Titre"
    assert [o.value for o in field(form, "department").options][:2] == ["sales", "marketing"]
    # Conditional questions wait for their condition; what they depend on says so.
    assert field(form, "personal_data_details").visible is False
    assert field(form, "personal_data").controls is True
    assert field(form, "title").controls is False
    # The same command without forms still starts the conversation.
    shows_forms(app, False)
    messages = await app.chat.on_command(BOB, "dm:bob", "new")
    assert not any(isinstance(m, FormRequest) for m in messages)


async def test_a_form_survives_the_outbox_round_trip(app: App) -> None:
    form = app.engine.form("intake", locale="en", opening_text="A tracker for 20 people by 15 March 2027")
    assert from_dict(to_dict(form)) == form


async def test_a_form_opened_from_a_message_is_prefilled_from_it(app: App) -> None:
    text = "Il nous faut un outil de suivi des contrats fournisseurs pour 20 personnes avant le 15/03/2027"
    [form] = await app.chat.open_form(ALICE, "dm:alice", "intake", opening_text=text)
    assert isinstance(form, FormRequest)
    assert field(form, "users_affected").value == 20
    assert field(form, "desired_date").value == "2027-03-15"
    assert form.context["opening_text"] == text


async def test_refused_answers_come_back_on_their_field_with_what_was_typed(app: App) -> None:
    values = dict(GOOD_INTAKE, users_affected="beaucoup", desired_date="2020-01-01", title="")
    form, messages = await app.chat.submit_form(ALICE, "dm:alice", "intake", values, {})
    assert messages == [] and form is not None
    assert field(form, "title").error == "Ce champ est obligatoire."
    assert field(form, "users_affected").error and field(form, "users_affected").text == "beaucoup"
    assert field(form, "desired_date").error
    # Answers that were fine are kept, so nothing has to be typed again.
    assert field(form, "problem").value == GOOD_INTAKE["problem"]
    assert field(form, "department").value == "purchasing"
    async with app.db.session() as session:
        assert (await session.exec(select(Need))).all() == []


async def test_a_valid_form_files_the_need_like_the_conversation_does(app: App) -> None:
    app.core.it_channels["console"] = "it-intake"
    form, messages = await app.chat.submit_form(ALICE, "dm:alice", "intake", GOOD_INTAKE, {})
    assert form is None
    assert any("NEED-1" in getattr(m, "text", "") + getattr(m, "title", "") for m in messages)
    async with app.db.session() as session:
        need = (await session.exec(select(Need))).one()
        cards = (await session.exec(select(OutboxMessage))).all()
    assert (need.title, need.users_affected, str(need.desired_date)) == (GOOD_INTAKE["title"], 20, "2027-03-15")
    assert need.budget is not None and int(need.budget) == 30000
    assert need.systems == ["crm", "erp"]  # in the spec's order, whatever the platform sent
    assert need.personal_data is False and need.extra.get("vendor_name") == "Acme"
    assert any(c.key.startswith("card:NEED-1") for c in cards)


async def test_answers_to_hidden_questions_are_dropped(app: App) -> None:
    values = dict(GOOD_INTAKE, external_vendor=False, vendor_name="Ghost Corp")
    form, _ = await app.chat.submit_form(ALICE, "dm:alice", "intake", values, {})
    assert form is None
    async with app.db.session() as session:
        need = (await session.exec(select(Need))).one()
    assert "vendor_name" not in need.extra


async def test_redraw_shows_a_question_once_its_condition_holds(app: App) -> None:
    form = await app.chat.redraw_form(ALICE, "intake", {"personal_data": "yes", "title": "Suivi"}, {})
    assert form is not None
    assert field(form, "personal_data_details").visible is True
    assert field(form, "title").text == "Suivi"
    hidden = await app.chat.redraw_form(ALICE, "intake", {"personal_data": "no"}, {})
    assert hidden is not None and field(hidden, "personal_data_details").visible is False


async def test_the_estimate_form_is_refused_to_non_it_and_checks_effort_order(app: App) -> None:
    shows_forms(app, True)
    await app.chat.submit_form(ALICE, "dm:alice", "intake", GOOD_INTAKE, {})
    [refusal] = await app.chat.on_action(ALICE, "dm:alice", "need.estimate", "NEED-1")
    assert isinstance(refusal, Notice) and "DSI" in refusal.text
    await app.chat.on_action(BOB, "dm:bob", "need.claim", "NEED-1")
    [form] = await app.chat.on_action(BOB, "dm:bob", "need.estimate", "NEED-1")
    assert isinstance(form, FormRequest) and form.context == {"need": "NEED-1"}
    values = {"effort_low": "10", "effort_likely": 5, "effort_high": "20", "cost": "12000 EUR",
              "duration_days": "30", "confidence": "medium", "technical_risk": "low", "security_review": True}
    again, messages = await app.chat.submit_form(BOB, "dm:bob", "estimate", values, form.context)
    assert messages == [] and again is not None
    assert "10" in field(again, "effort_likely").error  # "at least the optimistic figure"
    values["effort_likely"] = 12.5
    again, messages = await app.chat.submit_form(BOB, "dm:bob", "estimate", values, form.context)
    assert again is None and messages
    async with app.db.session() as session:
        estimate = (await session.exec(select(Estimate))).one()
    assert (estimate.effort_likely, estimate.duration_days, estimate.security_review) == (12.5, 30, True)


async def test_a_forged_context_cannot_reach_a_hook_and_services_still_decide(app: App) -> None:
    await app.chat.submit_form(ALICE, "dm:alice", "intake", GOOD_INTAKE, {})
    values = {"effort_low": "1", "effort_likely": "2", "effort_high": "3", "cost": "1000", "duration_days": "5",
              "confidence": "low", "technical_risk": "low", "security_review": False}
    # Alice is no IT person: a hand-made submission of the estimate form is refused by the service.
    form, messages = await app.chat.submit_form(ALICE, "dm:alice", "estimate", values,
                                                {"need": "NEED-1", "actor": "bob", "opening_text": "x"})
    assert form is None and len(messages) == 1 and messages[0].level == "warning"
    async with app.db.session() as session:
        assert (await session.exec(select(Estimate))).all() == []


async def test_an_unknown_form_gets_a_polite_refusal(app: App) -> None:
    form, messages = await app.chat.submit_form(ALICE, "dm:alice", "no_such_form", {}, {})
    assert form is None and isinstance(messages[0], Notice) and messages[0].level == "warning"
    assert await app.chat.redraw_form(ALICE, "no_such_form", {}, {}) is None


async def test_a_form_speaks_of_filling_in_not_of_typing_back_or_skip(app: App) -> None:
    for locale in ("en", "fr"):
        form = app.engine.form("intake", locale=locale)
        assert form.intro and not any(word in form.intro for word in ("back", "skip", "retour", "passer"))
    # Placeholders come from the form's context; one that is missing stays empty.
    estimate = app.engine.form("estimate", locale="en", context={"need": "NEED-4"})
    assert estimate.intro.startswith("Estimate of NEED-4.")
    assert app.engine.form("answer", locale="en", context={}).intro == "The question about : "


async def test_form_values_context_and_shared_text_are_cleaned_at_the_door(app: App) -> None:
    # A Slack message shortcut shares a message: the pre-filled form holds it clean.
    [shared] = await app.chat.open_form(ALICE, "dm:alice", "intake", opening_text=SENTENCE)
    assert isinstance(shared, FormRequest) and debris_in(asdict(shared)) == []
    redrawn = await app.chat.redraw_form(ALICE, "intake", {"title": "Suivi\x00des contrats"},
                                         {"opening_text": SENTENCE})
    assert redrawn is not None and field(redrawn, "title").text == "Suivi des contrats"
    assert debris_in(asdict(redrawn)) == []
    values = dict(GOOD_INTAKE, problem=PROBLEM, systems=["crm\x00", "erp"])
    form, _ = await app.chat.submit_form(ALICE, "dm:alice", "intake", values, {"opening_text": SENTENCE})
    assert form is None
    async with app.db.session() as session:
        need = (await session.exec(select(Need))).one()
    assert need.problem == PROBLEM_CLEAN and need.systems == ["crm", "erp"]
    assert SENTENCE_WORDS in need.opening_message
    # A button's value comes in by the same door.
    [status] = await app.chat.on_action(ALICE, "dm:alice", "need.status", "NEED-1\x00")
    assert "NEED-1" in (getattr(status, "text", "") + getattr(status, "title", ""))
    assert not (isinstance(status, Notice) and status.level == "warning")
    assert await stored_debris(app) == []
