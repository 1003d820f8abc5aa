"""Text a careless or hostile client may send, and a look through everything stored for
what must never be kept from it: control characters (newline and tab aside), terminal
escape sequences or their debris, bidi overrides, lone surrogates."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import SQLModel

from pmobot.app import App

# NUL and SOH between words, a colour escape, a bidi override at the end. Long enough to open an intake.
SENTENCE = ("Nous avons besoin d'un Outil\x01de suivi\x00 des contrats \x1b[31mfournisseurs\x1b[0m "
            "pour 20 personnes\u202e")
# What it must read as once cleaned: no word glued to the next, nothing left of the escapes.
SENTENCE_WORDS = "Outil de suivi des contrats fournisseurs pour 20 personnes"
PROBLEM = "Tout est dans\x00 Excel\x07, on perd\x1b]0;pwned\x07 des contrats.\x9b2J"
PROBLEM_CLEAN = "Tout est dans Excel, on perd des contrats."
QUESTION = "Combien\x00de contrats\x1b[2J actifs ?"
QUESTION_CLEAN = "Combien de contrats actifs ?"
REASON = "Plus\x00besoin\u202e : projet\x1b[1m abandonné"
REASON_CLEAN = "Plus besoin : projet abandonné"

_DEBRIS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]|\\[[0-9;]*[mJ]")


def debris_in(value: object) -> list[str]:
    """Every piece of text in ``value`` (text, or JSON-like lists and mappings) that holds debris."""
    if isinstance(value, str):
        return [value] if _DEBRIS.search(value) else []
    if isinstance(value, list | tuple):
        return [bad for item in value for bad in debris_in(item)]
    if isinstance(value, dict):
        return [bad for item in (*value.keys(), *value.values()) for bad in debris_in(item)]
    return []


# A platform's own address for a conversation (a Teams ConversationReference, which names
# the person as Teams does), kept exactly as the platform gave it to be handed back to it:
# not text that entered pmobot, never shown, stored as JSON (where a NUL is escaped).
# So is a queued request's body (``inbound_request.body``): the platform's request as it came, handed back
# to the listener that cleans what it reads, exactly as if it had just arrived.
_OPAQUE = {("conversation_ref", "reference"), ("inbound_request", "body")}


async def stored_debris(app: App) -> list[str]:
    """Every stored value, in every table, that holds debris: ``table.column: value``."""
    found = []
    async with app.db.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in (await conn.execute(sa.select(table))).all():
                for column, value in zip(table.columns, row, strict=True):
                    if (table.name, column.name) not in _OPAQUE:
                        found += [f"{table.name}.{column.name}: {bad!r}" for bad in debris_in(value)]
    return found
