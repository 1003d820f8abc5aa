"""A chart in an Adaptive Card: the picture, then its text alternative."""

from __future__ import annotations

import base64
from typing import Any

# The card's building blocks are cards.py's own: a chart card is one more kind of card.
from pmobot.adapters.teams.cards import MAX_CARD_BYTES, _Budget, _card, _paragraphs
from pmobot.messages import Chart

# A chart is at most this wide (Teams shows card images up to 1024 px); the picture itself is drawn narrower.
CHART_MAX_PX = 1024
# Room kept in the card for its words around the picture.
_CHART_WORDS_BYTES = 8 * 1024


def _png_width(image: bytes) -> int | None:
    """A PNG's width in pixels, from its header (None if it is no PNG)."""
    if image[:8] != b"\x89PNG\r\n\x1a\n" or len(image) < 24:
        return None
    return int.from_bytes(image[16:20], "big")


def chart_card(message: Chart, budget: _Budget) -> dict[str, Any]:
    """The picture inside the card, as a data URI, with its text alternative.

    A data URI rather than a URL pmobot would serve: Teams renders data URIs in
    bot cards, and a served URL would have to be reachable by Teams' clients
    without sign-in, over public HTTPS, which would make every roadmap readable
    by anyone holding its link. The cost is the card's size limit: the picture
    is drawn small (a reduced palette), and one too big for the card is left out,
    its text alternative standing in for it.
    """
    body = _paragraphs(message.title, budget, weight="Bolder")
    uri = f"data:{message.media_type};base64,{base64.b64encode(message.image).decode('ascii')}"
    if len(uri) <= MAX_CARD_BYTES - _CHART_WORDS_BYTES:
        image: dict[str, Any] = {"type": "Image", "url": uri, "altText": message.alt_text[:1000]}
        image["width"] = f"{min(_png_width(message.image) or CHART_MAX_PX, CHART_MAX_PX)}px"
        body.append(image)
    body += _paragraphs(message.alt_text, budget, isSubtle=True, size="Small")
    return _card(body, fallback=message.title)
