"""pmobot reads a Slack form as bolt does, to the last character, only faster (``payloads.form``).

Every button press and slash command is a form; a button's JSON payload has nearly every character escaped.
pmobot decodes the common case in C and leaves the rest to the standard library, so these tests compare
both readings on shipped samples and on thousands of forms built from what makes decoding go wrong.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

from slack_bolt.request.internals import parse_body
from support.slack import PAYLOADS, block_actions, interactive_body

from pmobot.adapters.slack import payloads

FORM = "application/x-www-form-urlencoded"

# Pieces that each take a different branch of percent-decoding: escapes valid or cut short, of any case,
# escaped separators, UTF-8 whole and broken, raw non-ASCII, '=' and line breaks (quoted-printable's own).
_PIECES = ["%", "=", "&", "+", "a", "Z", "0", "9", "f", "F", "g", " ", "\n", "\r", "\t", "\x00", "\x7f", "é", "€",
           "%2", "%41", "%4g", "%e9", "%C3%A9", "%E2%82%AC", "%3D", "%26", "%2B", "%25", "%%", "%0A", "%0D", "%0a",
           "%ff", "%FF", "%80", "%00", "=\n", "=4", "=41", "payload"]


def test_random_forms_read_as_the_standard_library_reads_them() -> None:
    rnd = random.Random(20261130)
    for _ in range(20000):
        body = "".join(rnd.choice(_PIECES) for _ in range(rnd.randint(0, 16)))
        assert payloads.form(body) == parse_qsl(body, keep_blank_values=True), repr(body)


def test_slack_bodies_read_as_bolt_reads_them() -> None:
    press = block_actions(user="UBOB", action_id="need.claim|0", value="NEED-1 «été» = 100 % & + ok")
    bodies = [
        (PAYLOADS / "slash_command.form_body.txt").read_text().strip(),
        urlencode({"command": "/pmo", "text": "status NEED-1 = 50% off & more +1 ☕", "user_id": "UBOB"}),
        interactive_body(press),
        "payload=" + (PAYLOADS / "view_submission.org_install.json").read_text().strip(),  # unescaped: not JSON
        interactive_body(json.loads((PAYLOADS / "view_submission.org_install.json").read_text())),
        # Encoded as browsers do (spaces as '+', lower-case escapes) and with raw UTF-8, both read alike.
        "payload=" + json.dumps(press).replace(" ", "+").replace('"', "%22").replace(":", "%3a"),
        "command=%2Fpmo&text=r%C3%A9sum%C3%A9+%C3%A9t%C3%A9&user_id=UBOB&empty=",
        "command=/pmo&text=résumé été&user_id=UBOB",
    ]
    for body in bodies:
        assert _reading(payloads._parse_body, body) == _reading(parse_body, body), body[:80]
    assert not isinstance(_reading(payloads._parse_body, bodies[2]), type)
    assert payloads._parse_body(interactive_body(press), FORM)["actions"][0]["value"] == press["actions"][0]["value"]


def _reading(parse: Callable[[str, str], object], body: str) -> object:
    """What ``parse`` makes of a form body, or the kind of error it raises (the raw JSON above is cut at '&')."""
    try:
        return parse(body, FORM)
    except ValueError as exc:
        return type(exc)


def test_ssl_check_is_read_from_the_form() -> None:
    assert payloads.ssl_check(b"ssl_check=1&token=x")
    assert not payloads.ssl_check(b"ssl_check=10&token=x")
    assert not payloads.ssl_check(b"token=ssl_check=1")
