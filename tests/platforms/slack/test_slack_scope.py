"""The scope sign-off in Slack, the whole round trip: IT states the scope in a modal drafted from the
need, the requester asks for a change from the card's button (a modal), IT revises from its DM's
button, an agreement from the outdated card is refused and the current version shown, the requester
and the sponsor agree, the committee decides, and a later change request adds an item. Every call is
checked by the fake against Slack's references."""

from __future__ import annotations

from sqlmodel import col, select
from support.committee import seat
from support.slack import SlackHarness, slack_user
from support.slack_flows import ESTIMATE, block_ids, buttons, file_need, make_it, texts

from pmobot.domain.models_governance import Baseline
from pmobot.domain.roles import Side


def _reply(slack: SlackHarness) -> str:
    last = slack.fake.of("response_url")[-1]
    return str(last.get("text") or "") + texts(last.get("blocks") or [])


def _dms(slack: SlackHarness, fragment: str) -> list[dict]:
    return [c for c in slack.fake.of("chat.postMessage") if fragment in texts(c.get("blocks") or [])]


async def test_the_scope_round_trip_in_slack(slack: SlackHarness) -> None:
    fake = slack.fake
    fake.users["UERIN"] = slack_user("UERIN", "Erin Walsh", "en-GB")
    await make_it(slack)
    await seat(slack.app, "slack", {"UCARLA": ("Carla Rossi", "en", Side.BUSINESS),
                                    "UERIN": ("Erin Walsh", "en", Side.IT)})
    await file_need(slack, sponsor="Dan Dupont")
    await slack.command("UBOB", "estimate NEED-1")
    await slack.settle()
    body = await slack.submitted("UBOB", slack.opened_view(), {**ESTIMATE, "security_review": "no"})
    assert body["response_action"] == "update", body

    # Bob opens the statement of scope: a modal drafted from the need and the estimate.
    await slack.command("UBOB", "scope NEED-1")
    await slack.settle()
    view = slack.opened_view()
    assert view["title"]["text"] == "Statement of scope"
    assert block_ids(view) == ["in_scope", "out_of_scope", "assumptions", "acceptance"]
    drafted = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert drafted["in_scope"] == "Suivi des contrats fournisseurs"
    assert drafted["acceptance"] == "Moins de reconductions tacites"
    assert "15 person-days" in drafted["assumptions"]
    # An empty scope cannot be sent: the modal says so on the field.
    body = await slack.submitted("UBOB", view, {"in_scope": " "})
    assert body["response_action"] == "errors" and "in_scope" in body["errors"], body
    body = await slack.submitted("UBOB", view, {"out_of_scope": "Reprise des anciens contrats"})
    assert body["response_action"] == "update", body
    assert "Scope v1 of NEED-1 is sent for agreement to Alice Martin, Dan Dupont." in texts(body["view"]["blocks"])
    await slack.settle()

    # Alice gets the card in French with its two buttons; she asks for a change on item 1.
    card = _dms(slack, "Périmètre de NEED-1 · v1")[0]
    assert "1. Suivi des contrats fournisseurs" in texts(card["blocks"])
    first = buttons(card["blocks"])
    assert {k: v["value"] for k, v in first.items()} == {"scope.agree": "NEED-1 1", "scope.changes": "NEED-1 1"}
    await slack.press("UALICE", "scope.changes", "NEED-1 1", channel="DALICE")
    await slack.settle()
    view = slack.opened_view()
    assert block_ids(view) == ["item", "comment"]
    body = await slack.submitted("UALICE", view, {"item": "7", "comment": "?"})
    assert body["response_action"] == "errors" and "1 à 4" in body["errors"]["item"], body
    body = await slack.submitted("UALICE", view, {"item": "1", "comment": "Ajouter les alertes"})
    assert body["response_action"] == "update", body
    await slack.settle()

    # Bob is told in a DM, with the button to revise; the modal starts from v1.
    told = _dms(slack, "Alice Martin asks for changes to scope v1 of NEED-1")[0]
    assert buttons(told["blocks"])["scope.write"]["value"] == "NEED-1"
    await slack.press("UBOB", "scope.write", "NEED-1", channel="DBOB")
    await slack.settle()
    view = slack.opened_view()
    assert [b["element"].get("initial_value") for b in view["blocks"] if b.get("block_id") == "out_of_scope"] == [
        "Reprise des anciens contrats"]
    body = await slack.submitted("UBOB", view, {
        "in_scope": "Suivi des contrats fournisseurs\nAlertes de renouvellement"})
    assert "Scope v2 of NEED-1 is sent" in texts(body["view"]["blocks"]), body
    await slack.settle()

    # Alice presses "agree" on the v1 card: refused, and v2 shown; then she agrees to v2 from its card.
    await slack.press("UALICE", "scope.agree", "NEED-1 1", channel="DALICE")
    await slack.settle()
    assert "n'est plus la version en cours : c'est la v2" in _reply(slack)
    assert "2. Alertes de renouvellement" in _reply(slack)
    await slack.press("UALICE", "scope.agree", "NEED-1 2", channel="DALICE")
    await slack.settle()
    assert "Il attend encore Dan Dupont." in _reply(slack)

    # Dan cannot send it yet... then agrees as the sponsor, and sends it.
    await slack.command("UDAN", "envoyer NEED-1")
    await slack.settle()
    assert "ne peut pas encore passer en comité" in _reply(slack) and "Dan Dupont (sponsor)" in _reply(slack)
    await slack.command("UDAN", "accord NEED-1 v2")
    await slack.settle()
    assert "le périmètre est validé" in _reply(slack)
    await slack.command("UDAN", "envoyer NEED-1")
    await slack.settle()
    await slack.command("UDAN", "agenda")
    await slack.settle()
    assert "Périmètre v2 validé par Alice Martin (demandeur), Dan Dupont (sponsor)." in _reply(slack)

    await slack.command("UCARLA", "vote NEED-1 approve Useful")
    await slack.command("UERIN", "vote NEED-1 approve We can do it")
    await slack.settle()
    await slack.command("UBOB", "project PRJ-1")
    await slack.settle()
    assert "2. Alertes de renouvellement" in _reply(slack)

    # A later change request adds an item to the agreed scope.
    await slack.command("UBOB", "change PRJ-1")
    await slack.settle()
    view = slack.opened_view()
    assert block_ids(view) == ["new_end", "new_budget", "scope_add", "scope_remove", "scope_note", "reason"]
    body = await slack.submitted("UBOB", view, {"scope_add": "Export comptable",
                                                    "reason": "Finance asks for it"})
    assert 'scope + "Export comptable"' in texts(body["view"]["blocks"]), body
    await slack.command("UCARLA", "change-decide PRJ-1 CR-1 approve Fine")
    await slack.command("UERIN", "change-decide PRJ-1 CR-1 approve Fine")
    await slack.settle()
    async with slack.app.db.session() as session:
        versions = (await session.exec(select(Baseline).order_by(col(Baseline.version)))).all()
    assert [b.scope["in_scope"] for b in versions] == [
        ["Suivi des contrats fournisseurs", "Alertes de renouvellement"],
        ["Suivi des contrats fournisseurs", "Alertes de renouvellement", "Export comptable"]]
