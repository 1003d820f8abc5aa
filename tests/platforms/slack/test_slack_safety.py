"""Slack safety: signatures, escaping of user text, Block Kit limits, permissions."""

from __future__ import annotations

import json

from support.slack import SlackHarness, check_blocks, check_view, load_payload, sign, slash_body
from support.slack_flows import INTAKE, buttons, file_need, texts

from pmobot.adapters.slack import blocks as bk
from pmobot.adapters.slack.modals import form_view, pages, private_metadata
from pmobot.adapters.slack.render import render
from pmobot.messages import Action, Card, CardField, FormField, FormRequest, Notice, Option, Prompt, Text, Widget


async def _status_of(slack: SlackHarness, body: str, **kwargs) -> int:  # type: ignore[no-untyped-def]
    return (await slack.send(body, **kwargs)).status


async def test_signatures(slack: SlackHarness) -> None:
    body = slash_body(user="UALICE", text="aide", response_url=slack.fake.hook_url())
    now = int(slack.clock.now().timestamp())
    assert await _status_of(slack, body) == 200
    # Forged: signed with another secret.
    assert await _status_of(slack, body, signature=sign(body, now, secret="not-the-secret")) == 401
    # Tampered: signed, then the text changed.
    assert await _status_of(slack, body.replace("aide", "role+%3C%40UALICE%3E+pmo"), signature=sign(body, now)) == 401
    # Unsigned.
    assert await _status_of(slack, body, signature="") == 401
    # Older than five minutes, on pmobot's clock (the signature itself is right).
    old = now - 301
    assert await _status_of(slack, body, timestamp=old, signature=sign(body, old)) == 401
    recent = now - 299
    fresh = slash_body(user="UALICE", text="aide", response_url=slack.fake.hook_url())
    assert await _status_of(slack, fresh, timestamp=recent, signature=sign(fresh, recent)) == 200
    # From the future, more than five minutes ahead.
    ahead = now + 301
    assert await _status_of(slack, body, timestamp=ahead, signature=sign(body, ahead)) == 401
    await slack.settle()
    # Only the two genuine requests were answered.
    assert len(slack.fake.of("response_url")) == 2


async def test_url_verification_needs_a_signature_too(slack: SlackHarness) -> None:
    body = json.dumps(load_payload("url_verification.json"))
    response = await slack.send(body, content_type="application/json")
    assert response.status == 200 and (await response.json())["challenge"] == "valid_challenge_token"
    response = await slack.send(body, content_type="application/json", signature="v0=00")
    assert response.status == 401


async def test_user_text_never_pings_nor_disguises(slack: SlackHarness) -> None:
    await slack.command("UALICE", "nouveau")
    await slack.settle()
    view = slack.opened_view()
    evil = {**INTAKE, "title": "Urgent <!channel> <@UBOB> & co",
            "problem": "Cliquez <https://evil.example|ici> ou <!here> : contrats > 300 & < 500.",
            "personal_data": "no"}
    body = await slack.submitted("UALICE", view, evil)
    assert body["response_action"] == "update" and "NEED-1" in texts(body["view"]["blocks"]), body
    await slack.settle()
    card = next(c for c in slack.fake.of("chat.postMessage") if c["channel"] == "C0IT")
    shown = texts(card["blocks"])
    assert "&lt;https://evil.example|ici&gt;" in shown and "&lt;!here&gt;" in shown
    assert "&lt;!channel&gt;" in card["text"] and "&lt;@UBOB&gt;" in card["text"] and "&amp; co" in card["text"]
    # The header is plain text: shown as typed, never parsed.
    header = next(b for b in card["blocks"] if b["type"] == "header")
    assert header["text"]["type"] == "plain_text" and "<!channel>" in header["text"]["text"]
    # And the fake Web API found no raw "<" in any mrkdwn (checked for every call).


def test_escape_and_cut() -> None:
    assert bk.escape("<!channel> & <@U1|x> <http://a|b>") == "&lt;!channel&gt; &amp; &lt;@U1|x&gt; &lt;http://a|b&gt;"
    assert bk.cut("abcdef", 4) == "abc…" and len(bk.cut("x" * 5000, 3000)) == 3000
    # Cutting never leaves half an entity behind.
    assert bk.cut(bk.escape("ab<<<<"), 7) in ("ab&lt;…", "ab…")
    assert "&l…" not in bk.cut(bk.escape("a" * 10 + "<" * 10), 14)


def test_a_huge_card_fits_with_a_way_to_see_the_rest() -> None:
    fields = tuple(CardField(f"Field {i}", "x" * 2500, short=False) for i in range(120))
    card = Card(title="NEED-7 · " + "T" * 300, subtitle="Soumis", body="b" * 9000, fields=fields,
                actions=(Action("need.claim", "Prendre", "NEED-7", "primary"),), footer="Soumis le 26 novembre")
    out = render(card, locale="fr")
    assert check_blocks(out.blocks, "card", limit=50, surface="message") == []
    assert len(out.blocks) == 50
    see_all = buttons(out.blocks)["need.status"]
    assert see_all["value"] == "NEED-7"
    assert "need.claim" in buttons(out.blocks)  # the card's own buttons are kept
    assert "/pmo statut NEED-7" in texts(out.blocks)
    assert out.blocks[0]["text"]["text"].endswith("…")


def test_a_long_body_alone_says_it_was_cut() -> None:
    out = render(Card(title="NEED-2 · t", body="é" * 4000), locale="en")
    assert check_blocks(out.blocks, "card", limit=50, surface="message") == []
    assert "See all" in texts(out.blocks) and "/pmo status NEED-2" in texts(out.blocks)


def test_long_text_and_notices_split_into_sections() -> None:
    for message in (Text("ligne\n" * 2000), Notice("z" * 7000, "warning"), Text("y" * 200000)):
        out = render(message, locale="fr")
        assert check_blocks(out.blocks, "text", limit=50, surface="message") == []
        assert len(out.text) <= 3000


def test_prompt_with_many_options_and_controls() -> None:
    many = tuple(Option(f"v{i}", f"Option {i} " + "l" * 100) for i in range(150))
    for multiple in (False, True):
        out = render(Prompt("Choisissez", options=many, multiple=multiple, controls=("retour", "annuler"),
                            step=2, steps=9), locale="fr")
        assert check_blocks(out.blocks, "prompt", limit=50, surface="message") == []
    few = render(Prompt("Oui ?", options=(Option("yes", "Oui"), Option("no", "Non"))), locale="fr")
    values = [el["value"] for b in few.blocks if b["type"] == "actions" for el in b["elements"]]
    assert values == ["yes", "no"]


def test_a_modal_within_limits_whatever_the_spec() -> None:
    options = tuple(Option(f"c{i}", "Choix " + "w" * 90) for i in range(140))
    fields = tuple(
        FormField(id=f"f{i}", widget=(Widget.SINGLE_CHOICE, Widget.MULTIPLE_CHOICE, Widget.SINGLE_LINE,
                                      Widget.MULTI_LINE, Widget.WHOLE_NUMBER, Widget.DATE)[i % 6],
                  label="L" * 2500, hint="h" * 3000, help="?" * 2500, options=options, text="t" * 4000,
                  max_length=5000, min=1, max=10, value=None)
        for i in range(130)
    )
    form = FormRequest(spec_id="intake", title="Un titre beaucoup trop long pour Slack", fields=fields,
                       context={"opening_text": "o" * 4000, "need": "NEED-1"}, intro="i" * 5000,
                       submit_label="Envoyer la demande maintenant", cancel_label="Annuler")
    for page in range(len(pages(form))):  # 130 questions: in pages, each within the limits
        view = form_view(form, locale="fr", key="slack:user:UALICE", page=page)
        assert check_view(view, "modal") == []
        meta = json.loads(view["private_metadata"])
        assert meta["c"]["need"] == "NEED-1" and meta["s"] == "intake"


def test_private_metadata_keeps_what_matters() -> None:
    raw = private_metadata("answer", {"need": "NEED-3", "question": "q" * 5000, "opening_text": "é" * 5000}, "k")
    assert len(raw) <= 3000
    assert json.loads(raw)["c"]["need"] == "NEED-3"


async def test_permission_refusal_is_ephemeral_and_says_who_can(slack: SlackHarness) -> None:
    await file_need(slack, "UALICE")
    await slack.settle()
    card = next(c for c in slack.fake.of("chat.postMessage") if c["channel"] == "C0IT")
    slack.fake.clear()
    # Carla (English, committee: she sees the need, but is not IT) presses Estimate on the card.
    await slack.command("UDAN", "role <@UCARLA|carla> committee")
    await slack.settle()
    await slack.press("UCARLA", "need.estimate|2", "NEED-1", message={"ts": "1.1", "blocks": card["blocks"]})
    await slack.settle()
    reply = slack.fake.of("response_url")[-1]
    assert reply["response_type"] == "ephemeral"
    assert "You can't estimate NEED-1: only IT can." in reply["text"], reply["text"]
    assert slack.fake.of("views.open") == []
