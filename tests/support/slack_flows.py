"""Steps of the Slack loop that several test modules take: reading what Slack was sent,
making someone IT, filing a need through the intake modal."""

from __future__ import annotations

from support.refs import strings_under
from support.slack import SlackHarness


def texts(blocks) -> str:  # type: ignore[no-untyped-def]
    """Every piece of text in some blocks, joined: what a reader sees."""
    return strings_under(blocks, ("text",))



def buttons(blocks) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """The buttons of some blocks by what they do (action id without its position)."""
    out = {}
    for block in blocks:
        for el in block.get("elements", []) if block.get("type") == "actions" else []:
            if el.get("type") == "button":
                out[el["action_id"].split("|")[0]] = el
    return out


def block_ids(view) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["block_id"] for b in view["blocks"] if b["type"] == "input"]


INTAKE = {
    "title": "Suivi des contrats fournisseurs",
    "problem": "Les contrats sont dans des fichiers Excel et nous ratons des renouvellements.",
    "benefits": "Moins de reconductions tacites",
    "department": "sales",
    "users_affected": "20",
    "desired_date": "2027-03-15",
    "budget": "30 k€",
    "systems": ["crm", "erp"],
    "personal_data": "yes",
    "personal_data_details": "Noms et e-mails des contacts fournisseurs",
    "external_vendor": "no",
}


# An estimate as IT fills the modal in.
ESTIMATE = {
    "effort_low": "10", "effort_likely": "15", "effort_high": "25", "cost": "12 000 €",
    "duration_days": "30", "confidence": "medium", "technical_risk": "low", "security_review": "yes",
    "notes": "SaaS possible",
}


async def make_it(slack: SlackHarness, user: str = "UBOB") -> None:
    await slack.command("UDAN", f"role <@{user}|bob> it")
    await slack.settle()
    assert "DSI" in texts(slack.fake.of("response_url")[-1]["blocks"])


async def file_need(slack: SlackHarness, user: str = "UALICE", **answers: str) -> dict:
    """File a need through the modal (no personal data, so no extra question)."""
    await slack.command(user, "nouveau")
    await slack.settle()
    view = slack.opened_view()
    body = await slack.submitted(user, view, {**INTAKE, "personal_data": "no", **answers})
    assert body["response_action"] == "update" and "NEED-" in texts(body["view"]["blocks"]), body
    return body
