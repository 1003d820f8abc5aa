"""Whole conversations in the console, in French and in English."""

from __future__ import annotations

import io
import json

from sqlmodel import select
from support.dialogs import answer_dialog

from pmobot.app import App, attach_console, create_app
from pmobot.domain.models import AuditEvent, ConversationState, Estimate, Need, OutboxMessage, Question

OPENING_FR = (
    "il nous faut un outil de suivi des contrats fournisseurs pour 20 personnes avant le 15 mars 2027, "
    "budget 30 000 €"
)


async def play(console, *lines: str) -> str:  # type: ignore[no-untyped-def]
    """Type the lines; return what they printed."""
    start = len(console.out.getvalue())
    for line in lines:
        await console.handle_line(line)
    return printed_since(console, start)


async def play_dialog(app: App, console, answers: dict[str, str], *, until: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """Answer the open dialog by field id, as the console's current person; return what it printed."""
    start = len(console.out.getvalue())
    await answer_dialog(app, platform="console", external_id=console.current, answers=answers,
                        say=console.handle_line, until=until)
    return printed_since(console, start)


def printed_since(console, start: int) -> str:  # type: ignore[no-untyped-def]
    # French figures use no-break spaces (30 000 €); compare with plain ones.
    return console.out.getvalue()[start:].replace("\u202f", " ").replace("\xa0", " ")


async def need(app: App, number: int = 1) -> Need:
    async with app.db.session() as session:
        found = (await session.exec(select(Need).where(Need.number == number))).one()
        return found


# What the opening sentence leaves to ask (optional questions not listed are skipped).
FR_INTAKE_REST = {
    "problem": "Les contrats sont dans des fichiers Excel et nous ratons des renouvellements.",
    "benefits": "Éviter les reconductions tacites, gagner deux jours par mois.",
    "department": "ventes",  # by name
    "systems": "1, 2",  # CRM and ERP
    "personal_data": "non",
    "external_vendor": "non",
}


async def file_the_french_need(app: App, console) -> None:  # type: ignore[no-untyped-def]
    """Alice files NEED-1 from the opening sentence and confirms it."""
    await play(console, OPENING_FR)
    await play_dialog(app, console, FR_INTAKE_REST)
    await play(console, "1")


async def test_french_need_from_a_sentence_to_an_estimate_the_requester_sees(app: App, console) -> None:
    out = await play(console, OPENING_FR)
    assert "Voici ce que j'ai compris" in out
    assert "15 mars 2027" in out and "30 000" in out
    # Understood values are not asked again: the first question is the problem.
    assert "Quel problème cela résout-il" in out
    assert "Pour quand en auriez-vous besoin" not in out

    out = await play_dialog(app, console, FR_INTAKE_REST)
    assert "vérifiez, s'il vous plaît" in out
    assert "(d'après votre message)" in out
    out = await play(console, "1")
    assert "NEED-1 est soumis" in out
    assert "#it-intake" in out and "Prendre en charge" in out

    submitted = await need(app)
    assert submitted.status == "submitted"
    assert submitted.users_affected == 20
    assert str(submitted.desired_date) == "2027-03-15"
    assert submitted.budget == 30000 and submitted.currency == "EUR"
    assert submitted.systems == ["crm", "erp"]
    assert submitted.department == "sales"
    assert submitted.opening_message == OPENING_FR

    out = await play(console, "/as bob", "/pmo queue", "/pmo claim NEED-1")
    assert "Waiting on IT (1)" in out
    assert "You have claimed NEED-1" in out
    assert "Bob Smith (DSI) a pris en charge NEED-1" in out  # alice is told, in French

    out = await play(console, "/pmo ask NEED-1 Combien de contrats actifs avez-vous ?")
    assert "✉ Alice Martin" in out
    assert "Combien de contrats actifs avez-vous ?" in out

    out = await play(console, "/as alice", "/pmo repondre NEED-1 Environ 350 contrats.")
    assert "votre réponse sur NEED-1 a été transmise" in out
    assert "✉ Bob Smith" in out and "Environ 350 contrats." in out

    out = await play(console, "/as bob", "/pmo estimate NEED-1")
    out += await play_dialog(app, console, {
        "effort_low": "10", "effort_likely": "15", "effort_high": "25", "cost": "18 000 EUR", "duration_days": "30",
        "confidence": "medium", "technical_risk": "low", "security_review": "no",
        "notes": "Reuse the CRM supplier records.",
    })
    out += await play(console, "1")
    assert "Estimate v1 of NEED-1 is recorded" in out
    # The requester sees the estimate, in her language.
    assert "Bob Smith (DSI) a estimé NEED-1" in out
    assert "15 jours-personne (fourchette 10–25), 18 000 €, 30 jours ouvrés" in out

    estimated = await need(app)
    assert estimated.status == "estimated"
    async with app.db.session() as session:
        estimate = (await session.exec(select(Estimate))).one()
        assert (estimate.effort_low, estimate.effort_likely, estimate.effort_high) == (10, 15, 25)
        assert estimate.cost == 18000 and estimate.duration_days == 30
        assert estimate.confidence == "medium" and estimate.technical_risk == "low"
        assert estimate.security_review is False
        question = (await session.exec(select(Question))).one()
        assert question.answer == "Environ 350 contrats."
        trail = [(e.from_status, e.to_status) for e in (await session.exec(
            select(AuditEvent).where(AuditEvent.subject == "NEED-1").order_by(AuditEvent.id))).all()]
    assert trail == [
        (None, "draft"), ("draft", "submitted"), ("submitted", "estimating"), ("estimating", "needs_info"),
        ("needs_info", "estimating"), ("estimating", "estimated"),
    ]


async def test_english_conversation_with_back_skip_and_edit(app: App, console) -> None:
    out = await play(console, "/as bob", "/lang en", "/pmo new")
    assert "In a few words, what do you need?" in out
    out = await play(
        console,
        "Onboarding checklist app",  # title
        "New hires get lost in e-mails during their first week.",  # problem
        "back",
    )
    # Back re-asks the previous question and shows what was answered.
    assert "What problem does it solve?" in out
    assert "Current answer: New hires get lost" in out
    out = await play(console, "keep")
    out += await play_dialog(app, console, {
        "benefits": "Faster onboarding, fewer tickets.",
        "department": "HR",  # by synonym
        "sponsor": "skip",
        "users_affected": "twelve",  # in words
        "desired_date": "March 15",  # no year: the next 15 March
        "budget": "30 k€",
        "systems": "none",
        "personal_data": "yes",
        "personal_data_details": "Names and start dates of about 40 new hires a year.",
        "external_vendor": "no",
    })
    assert "Which personal data" in out  # conditional question appeared
    assert "New need: please check" in out
    assert "€30,000" in out and "15 March 2027" in out
    out = await play(console, "edit", "6")
    assert "How many people" in out and "Current answer: 12" in out
    out = await play(console, "15", "submit")
    assert "NEED-1 is submitted" in out
    submitted = await need(app)
    assert submitted.users_affected == 15
    assert submitted.department == "hr"
    assert submitted.sponsor is None
    assert submitted.extra["personal_data_details"].startswith("Names and start dates")
    assert submitted.personal_data is True


async def test_invalid_answers_are_re_asked_with_what_is_expected(app: App, console) -> None:
    await play(console, "/pmo nouveau")
    out = await play(console, "x" * 200)
    assert "120" in out  # the limit is named
    assert "En quelques mots" in out  # and the question asked again
    out = await play(console, "Suivi des contrats", "Les contrats sont éparpillés partout.", "Moins d'oublis.",
                     "licorne")
    assert "Je n'ai pas reconnu cette option" in out
    out = await play(console, "1", "passer", "beaucoup")
    assert "nombre entier" in out.lower()
    out = await play(console, "20", "le 31 février")
    assert "Pour quand" in out  # re-asked
    async with app.db.session() as session:
        state = (await session.exec(select(ConversationState))).one()
    # What was refused is kept, so nothing typed is lost.
    assert state.state["rejected"]["desired_date"] == "le 31 février"


async def test_required_questions_cannot_be_skipped_and_cancel_sends_nothing(app: App, console) -> None:
    out = await play(console, "/pmo new", "passer")
    assert "ne peut pas la passer" in out or "on ne peut pas la passer" in out
    out = await play(console, "annuler")
    assert "rien n'a été envoyé" in out
    async with app.db.session() as session:
        assert (await session.exec(select(Need))).all() == []
        assert (await session.exec(select(ConversationState))).all() == []


async def test_a_conversation_interrupted_by_a_restart_resumes_where_it_stopped(app: App, settings, clock) -> None:
    async with app.db.session() as session:
        from pmobot.services import demo

        people = await demo.console_people(session)
    first = attach_console(app, start_as="alice", people=people, out=io.StringIO())
    await play(first, OPENING_FR)
    await play_dialog(app, first, FR_INTAKE_REST, until="department")
    await app.close()  # the process stops here

    again = create_app(settings, clock=clock)
    await again.prepare(migrate=True, seed_demo=True)
    try:
        second = attach_console(again, start_as="alice", people=people, out=io.StringIO())
        await second.greet()
        out = second.out.getvalue().replace("\xa0", " ")
        assert "Reprenons « Nouveau besoin »" in out
        assert "Quelle direction porte la demande" in out
        out = await play_dialog(again, second, FR_INTAKE_REST)
        out += await play(second, "1")
        assert "NEED-1 est soumis" in out
        async with again.db.session() as session:
            stored = (await session.exec(select(Need))).one()
        assert stored.problem == FR_INTAKE_REST["problem"]
        assert stored.users_affected == 20
    finally:
        await again.close()


async def test_buttons_are_numbered_choices(app: App, console) -> None:
    await file_the_french_need(app, console)
    await play(console, "/as bob")
    out = await play(console, "1")  # [1] Claim on the channel card
    assert "(pressed: Prendre en charge)" in out
    assert "You have claimed NEED-1" in out
    out = await play(console, "9")
    assert "There is no button 9" in out


async def test_commands_while_a_conversation_is_open_leave_it_waiting(app: App, console) -> None:
    await play(console, "/pmo new", "Suivi des contrats")
    out = await play(console, "/pmo mine")
    assert "Vous n'avez encore aucun besoin" in out
    assert "conversation en cours est toujours ouverte" in out
    out = await play(console, "Les contrats sont dans Excel, on en perd.")
    assert "Quels bénéfices attendez-vous" in out


async def test_user_text_is_kept_as_typed_and_never_drives_the_terminal(app: App, console) -> None:
    await play(console, "/pmo new", "Outil <b>*gras*</b> \x1b[31mrouge")
    out = await play(console, "retour")
    assert "<b>*gras*</b>" in out
    assert "\x1b" not in out


def test_the_console_renderer_shows_control_characters_instead_of_obeying_them() -> None:
    from pmobot.adapters.console import render
    from pmobot.messages import Card, CardField, Text

    assert render(Text("a\x1b[31mb")) == "a\\x1b[31mb"
    card = render(Card(title="t\x07", fields=(CardField("l", "v\x1b]0;x\x07"),)))
    assert "\x1b" not in card and "\x07" not in card and "\\x1b" in card


async def test_outbox_keys_are_unique_and_nothing_is_posted_twice(app: App, console) -> None:
    await file_the_french_need(app, console)
    await play(console, "/as bob", "/pmo claim NEED-1", "/pmo claim NEED-1")
    async with app.db.session() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    keys = [r.key for r in rows]
    assert len(keys) == len(set(keys))
    assert all(r.status == "sent" for r in rows)
    assert sum(1 for k in keys if k.startswith("claimed:NEED-1")) == 1
    assert console.out.getvalue().count("a pris en charge NEED-1") == 1
    assert json.dumps([r.payload for r in rows], ensure_ascii=False).count("NEED-1") > 0


async def test_prefilled_values_outside_the_fields_limits_are_asked_instead(app: App, console) -> None:
    out = await play(console, "il nous faut un portail pour 5000000 personnes avant le 15 mars 2027")
    assert "15 mars 2027" in out
    # Over the intake's maximum of users: not taken from the sentence, asked later.
    assert "Utilisateurs concernés: 5" not in out
    await play_dialog(app, console, {"problem": "Les demandes arrivent par mail.", "benefits": "Moins de mails.",
                                     "department": "1"}, until="users_affected")
    async with app.db.session() as session:
        state = (await session.exec(select(ConversationState))).one()
    assert state.state["current"] == "users_affected"


async def test_estimate_efforts_out_of_order_are_re_asked_with_the_figure(app: App, console) -> None:
    await file_the_french_need(app, console)
    await play(console, "/as bob", "/lang fr")
    # Said as soon as the three efforts are given, not after every other answer and Send.
    out = await play(console, "/pmo estimer NEED-1", "10,5", "8", "25")
    assert "ne peut pas être inférieure à la charge optimiste (10,5)" in out
    assert "Charge la plus probable" in out.split("(10,5)")[1]
    out = await play(console, "12", "18000", "30", "1", "1", "non", "passer", "1")
    assert "ne peut pas" not in out
    assert "L'estimation v1 de NEED-1 est enregistrée" in out


async def test_a_conversation_survives_a_spec_edit_that_removes_its_current_question(app: App, console) -> None:
    await play(console, "/pmo new", "Suivi des contrats", "Les contrats sont dans Excel, on en perd.")
    async with app.db.session() as session:
        row = (await session.exec(select(ConversationState))).one()
        # As if a PMO had renamed the field being asked (benefits) in intake.yaml.
        row.state = {**row.state, "current": "expected_gains", "answers": {**row.state["answers"], "old_field": 1}}
        session.add(row)
    out = await play(console, "/as bob", "/as alice")
    assert "Reprenons « Nouveau besoin »" in out and "Quels bénéfices attendez-vous" in out
    async with app.db.session() as session:
        state = (await session.exec(select(ConversationState))).one().state
    assert state["current"] == "benefits" and "old_field" not in state["answers"]
    assert state["answers"]["title"] == "Suivi des contrats"
