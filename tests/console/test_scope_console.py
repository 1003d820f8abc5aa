"""The scope sign-off typed in the console, the whole round trip: IT states the scope (drafted from the
need and its estimate), the requester asks for a change on an item, IT revises, the requester and
the sponsor agree, the committee decides, and a later change request adds an item to the baseline."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from support.dialogs import answer_dialog

from pmobot.app import App
from pmobot.domain.models import AuditEvent
from pmobot.domain.models_governance import Baseline
from pmobot.domain.models_scope import ScopeAgreement, ScopeVersion
from pmobot.services import estimation, intake, people

NEED: dict[str, Any] = {
    "title": "Suivi des contrats fournisseurs", "problem": "Les contrats vivent dans des tableurs.",
    "benefits": "Aucun renouvellement manqué", "department": "purchasing", "sponsor": "Dan Dupont",
    "users_affected": 20, "budget": {"amount": "30000", "currency": "EUR"}, "personal_data": False,
    "external_vendor": False}
ESTIMATE: dict[str, Any] = {
    "effort_low": 15, "effort_likely": 20, "effort_high": 30, "cost": {"amount": "45000", "currency": "EUR"},
    "duration_days": 20, "confidence": "medium", "technical_risk": "low", "security_review": False}


def flat(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


async def _estimated_need(app: App) -> str:
    async with app.db.session() as session:
        found = {}
        for login in ("alice", "bob"):
            person = await people.find_by_platform_id(session, platform="console", user_id=login)
            assert person is not None
            found[login] = await people.actor_for(session, core=app.core, person=person, platform="console")
        need, _ = await intake.submit_need(session, core=app.core, actor=found["alice"], answers=NEED,
                                           source_platform="console", source_conversation="console:dm:alice")
        await estimation.claim(session, core=app.core, actor=found["bob"], key=need.key)
        await estimation.record_estimate(session, core=app.core, actor=found["bob"], key=need.key, answers=ESTIMATE)
        return need.key


def since(console: Any, mark: int) -> str:
    return flat(console.out.getvalue()[mark:])


async def test_the_scope_round_trip_in_the_console(app: App, console: Any) -> None:
    key = await _estimated_need(app)
    # Bob states the scope: drafted from the need (title, benefits) and the estimate; he adds what is out.
    await console.handle_line("/as bob")
    mark = len(console.out.getvalue())
    await console.handle_line(f"/pmo scope {key}")
    assert f"Scope of {key}: one item a line." in since(console, mark)
    await answer_dialog(app, platform="console", external_id="bob",
                        answers={"out_of_scope": "Reprise des anciens contrats"}, say=console.handle_line)
    out = since(console, mark)
    assert "• Suivi des contrats fournisseurs" in out and "• Aucun renouvellement manqué" in out
    assert "Estimate v1: about 20 person-days, €45,000, 20 business days" in out
    await console.handle_line("1")  # the summary: send
    out = since(console, mark)
    assert (f"Scope v1 of {key} is sent for agreement to Alice Martin, Dan Dupont." in out), out
    # Alice and Dan (the sponsor, named at intake) each get the card, in French, with its buttons.
    assert f"Périmètre de {key} · v1" in out and "1. Suivi des contrats fournisseurs" in out
    assert "2. Reprise des anciens contrats" in out and "[1] Donner mon accord" in out

    # The PMO may not send it to the committee yet: whose agreement is missing is said.
    await console.handle_line("/as dan")
    mark = len(console.out.getvalue())
    await console.handle_line(f"/pmo envoyer {key}")
    assert (f"{key} ne peut pas encore passer en comité : Le périmètre v1 attend l'accord de Alice Martin "
            "(demandeur), Dan Dupont (sponsor)." in since(console, mark)), since(console, mark)

    # Alice asks for a change on item 1; Bob is told, with the button to revise.
    await console.handle_line("/as alice")
    await console.handle_line(f"/pmo modifier-perimetre {key}")
    mark = len(console.out.getvalue())
    await answer_dialog(app, platform="console", external_id="alice",
                        answers={"item": "1", "comment": "Il faut aussi les alertes de renouvellement"},
                        say=console.handle_line)
    await console.handle_line("1")
    out = since(console, mark)
    assert f"Votre demande de modifications du périmètre v1 de {key} est transmise à la DSI" in out
    assert "Alice Martin asks for changes to scope v1 of NEED-1, on item 1" in out
    assert "[1] Revise the scope" in out
    # An empty comment or an item the scope does not have is refused politely, in French.
    await console.handle_line(f"/pmo modifier-perimetre {key}")
    mark = len(console.out.getvalue())
    await console.handle_line("9")
    assert "Il n'y a pas d'élément 9 : le périmètre compte les éléments 1 à 4" in since(console, mark)
    await console.handle_line("annuler")

    # Bob revises: the form starts from v1; he changes what is in scope.
    await console.handle_line("/as bob")
    await console.handle_line(f"/pmo scope {key}")
    await console.handle_line("2")  # edit
    await console.handle_line("1")  # in scope
    mark = len(console.out.getvalue())
    await console.handle_line("Suivi des contrats fournisseurs; Alertes de renouvellement")
    await console.handle_line("1")  # send
    out = since(console, mark)
    assert f"Scope v2 of {key} is sent for agreement to Alice Martin, Dan Dupont." in out, out

    # Alice agrees to v1 by its old card: refused, and v2 shown; then she agrees to v2.
    await console.handle_line("/as alice")
    mark = len(console.out.getvalue())
    await console.handle_line(f"/pmo accord {key} v1")
    out = since(console, mark)
    assert f"Le périmètre v1 de {key} n'est plus la version en cours : c'est la v2." in out
    assert "2. Alertes de renouvellement" in out
    await console.handle_line(f"/pmo accord {key} v2")
    assert (f"Votre accord sur le périmètre v2 de {key} est enregistré. Il attend encore Dan Dupont."
            in since(console, mark))
    # Carla is neither the requester nor the sponsor.
    await console.handle_line("/as carla")
    mark = len(console.out.getvalue())
    await console.handle_line(f"/pmo accord {key}")
    assert f"Seul le demandeur ou le sponsor de {key} peut valider son périmètre" in since(console, mark)
    mark = len(console.out.getvalue())
    await console.handle_line("/as dan")
    assert f"Le périmètre de {key} attend votre accord : /pmo accord {key}" in since(console, mark)
    await console.handle_line(f"/pmo accord {key}")
    assert f"le périmètre est validé. Le PMO peut soumettre {key} au comité." in since(console, mark)

    # Dan's status shows who agreed; the agenda shows the scope is agreed.
    await console.handle_line(f"/pmo statut {key}")
    assert "Périmètre v2 validé par Alice Martin (demandeur), Dan Dupont (sponsor)." in since(console, mark)
    await console.handle_line(f"/pmo envoyer {key}")
    mark = len(console.out.getvalue())
    await console.handle_line("/pmo agenda")
    assert "Périmètre : │ Périmètre v2 validé par Alice Martin" in since(console, mark), since(console, mark)

    # The committee approves; the project's baseline holds the agreed scope.
    await console.handle_line("/as carla")
    await console.handle_line(f"/pmo vote {key} approuver Utile aux achats")
    await console.handle_line("/as erin")
    await console.handle_line(f"/pmo vote {key} approve IT can do it")
    mark = len(console.out.getvalue())
    await console.handle_line("/pmo project PRJ-1")
    out = since(console, mark)
    assert "Agreed scope (v2; ✗ out of scope): │ 1. Suivi des contrats fournisseurs" in out, out
    assert "2. Alertes de renouvellement │ ✗ Reprise des anciens contrats" in out

    # A later change request adds an item; decided by the committee, it makes baseline v2.
    await console.handle_line("/as bob")
    await console.handle_line("/pmo change PRJ-1")
    await answer_dialog(app, platform="console", external_id="bob",
                        answers={"scope_add": "Export comptable", "scope_remove": "2",
                                 "reason": "La finance le demande"}, say=console.handle_line)
    mark = len(console.out.getvalue())
    await console.handle_line("1")
    assert 'scope + "Export comptable"; scope − "Alertes de renouvellement"' in since(console, mark)
    await console.handle_line("/as carla")
    await console.handle_line("/pmo change-decide PRJ-1 CR-1 approve OK métier")
    await console.handle_line("/as erin")
    await console.handle_line("/pmo change-decide PRJ-1 CR-1 approve OK IT")
    async with app.db.session() as session:
        baselines = (await session.exec(select(Baseline).order_by(col(Baseline.version)))).all()
        assert [b.scope["in_scope"] for b in baselines] == [
            ["Suivi des contrats fournisseurs", "Alertes de renouvellement"],
            ["Suivi des contrats fournisseurs", "Export comptable"]]
        assert baselines[0].scope["version"] == 2
        versions = (await session.exec(select(ScopeVersion).order_by(col(ScopeVersion.number)))).all()
        assert [(v.number, v.status) for v in versions] == [(1, "superseded"), (2, "agreed")]
        agreed = (await session.exec(select(ScopeAgreement).order_by(col(ScopeAgreement.id)))).all()
        assert [(a.capacity, a.scope_version_id) for a in agreed] == [("requester", versions[1].id),
                                                                       ("sponsor", versions[1].id)]
        events = (await session.exec(select(AuditEvent.action).where(AuditEvent.subject == key)
                                     .where(col(AuditEvent.action).like("scope%")))).all()
        assert list(events) == ["scope_version", "scope_changes_asked", "scope_version", "scope_agreed",
                                "scope_agreed", "scope_signed_off"]
