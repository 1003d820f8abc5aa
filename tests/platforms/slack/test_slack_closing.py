"""Ending a project on Slack: the owner's ``/pmo done`` and the PMO's ``/pmo annuler-projet`` as slash
commands, the requester told in a DM, the second closing refused saying who was first; every call checked
by the fake against Slack's references."""

from __future__ import annotations

from datetime import UTC, datetime

from support.slack import SlackHarness
from support.slack_flows import texts

from pmobot.services.people import Identity
from tests.support.projects import project_on


def _reply(slack: SlackHarness) -> str:
    last = slack.fake.of("response_url")[-1]
    return str(last.get("text") or "") + texts(last.get("blocks") or [])


async def test_the_owner_marks_it_done_the_requester_is_told_and_the_pmo_cannot_cancel_it_after(
        slack: SlackHarness) -> None:
    key = await project_on(slack.app, "slack", requester=Identity("slack", "UALICE", "Alice Martin", locale="fr"),
                           it=Identity("slack", "UBOB", "Bob Smith", locale="en"))
    slack.clock.set(datetime(2026, 12, 11, 10, 0, tzinfo=UTC))
    await slack.command("UBOB", f"done {key} Live since Monday")
    await slack.settle()
    assert f"{key} · Supplier contract tracker is marked done on 11 December 2026." in _reply(slack)
    assert "Closing note: Live since Monday" in _reply(slack)
    # Alice, who asked for it, is told in a DM, in French; the fake checked the call.
    told = [str(c.get("text")) + texts(c.get("blocks") or []) for c in slack.fake.of("chat.postMessage")]
    assert any(f"{key} · Supplier contract tracker, le projet issu de NEED-1, est terminé" in m for m in told), told

    await slack.command("UDAN", f"annuler-projet {key} Trop tard")
    await slack.settle()
    assert f"{key} est déjà terminé depuis le 11 décembre 2026 (déclaré par Bob Smith)" in _reply(slack)
    await slack.command("UBOB", f"update {key}")
    await slack.settle()
    assert f"{key} was completed on 11 December 2026: it takes no more status updates." in _reply(slack)
