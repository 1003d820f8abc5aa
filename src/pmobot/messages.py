"""Platform-neutral outbound messages.

Services speak in these objects; each adapter renders them in its own way
(console text, Block Kit, Adaptive Cards). Text in them is plain and kept as
the user typed it: escaping belongs to the renderer, which alone knows its
markup. Every message can be turned into JSON and back, so it can wait in
the outbox.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, ClassVar


@dataclass(frozen=True)
class Text:
    text: str
    kind: ClassVar[str] = "text"


@dataclass(frozen=True)
class CardField:
    label: str
    value: str
    # Short values sit side by side; long ones take a whole row.
    short: bool = True


@dataclass(frozen=True)
class Action:
    """A button. ``id`` names what it does, ``value`` what it applies to."""

    id: str
    label: str
    value: str = ""
    style: str = "default"  # default | primary | danger


@dataclass(frozen=True)
class Card:
    title: str
    subtitle: str = ""
    body: str = ""
    fields: tuple[CardField, ...] = ()
    actions: tuple[Action, ...] = ()
    footer: str = ""
    kind: ClassVar[str] = "card"


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Prompt:
    """One question of a conversation, asked in chat."""

    text: str
    hint: str = ""
    options: tuple[Option, ...] = ()
    multiple: bool = False
    # Commands the user may type here, already in the user's language.
    controls: tuple[str, ...] = ()
    step: int = 0
    steps: int = 0
    kind: ClassVar[str] = "prompt"


class Widget(StrEnum):
    """What a form input looks like, whatever the field type behind it.

    Renderers draw these and nothing else: a new field type picks one of them
    and no platform code changes. A platform hands back what the input held,
    as it held it (text, a date string, option values); the field type reads it.
    """

    SINGLE_LINE = "single_line"
    MULTI_LINE = "multi_line"
    WHOLE_NUMBER = "whole_number"
    DECIMAL = "decimal"
    DATE = "date"
    # Nothing is chosen until the person chooses: a required one is an explicit choice.
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"

    @property
    def typed(self) -> bool:
        """The person types into it (rather than picks): what they typed is shown back on refusal."""
        return self in (Widget.SINGLE_LINE, Widget.MULTI_LINE, Widget.WHOLE_NUMBER, Widget.DECIMAL)

    @property
    def any_words(self) -> bool:
        """Whatever is typed into it is a value (free text): no word there can mean "none" by failing to read."""
        return self in (Widget.SINGLE_LINE, Widget.MULTI_LINE)


@dataclass(frozen=True)
class FormField:
    """One input of a form, already in the reader's language.

    ``value`` is the canonical answer (the same JSON value a chat conversation
    stores: ISO date, ``{"amount", "currency"}``, choice value, list, bool).
    What the input shows: ``text`` for a typed widget (the answer as it is
    typed, or what the person typed when it was refused; an ISO date for a
    date widget), ``selected`` option values for a choice widget.
    ``visible`` follows the field's condition on the current answers;
    ``controls`` says other fields' conditions depend on this one, so a
    platform that can should re-render the form when it changes.
    """

    id: str
    widget: Widget
    label: str
    hint: str = ""
    help: str = ""
    required: bool = True
    options: tuple[Option, ...] = ()
    value: Any = None
    text: str = ""
    selected: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    visible: bool = True
    controls: bool = False
    error: str = ""


@dataclass(frozen=True)
class FormRequest:
    """Ask the platform to show a whole dialog spec as a form (modal, card).

    Platforms without forms (the console) run the same spec turn by turn.
    ``context`` travels with the form and comes back on submission (the need
    it is about, the question being answered); ``values`` holds the canonical
    answers known so far, by field id.
    """

    spec_id: str
    title: str
    values: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    fields: tuple[FormField, ...] = ()
    intro: str = ""
    submit_label: str = ""
    cancel_label: str = ""
    # A problem with the form as a whole (a cross-field check names its field in ``fields``).
    error: str = ""
    kind: ClassVar[str] = "form"


@dataclass(frozen=True)
class Notice:
    """A short status line: a confirmation, a refusal, an error."""

    text: str
    level: str = "info"  # info | success | warning | error
    kind: ClassVar[str] = "notice"


@dataclass(frozen=True)
class Chart:
    """A picture (a roadmap timeline...) and the words for whoever cannot see it.

    ``image`` holds the file's bytes (``media_type``); ``alt_text`` says what it
    shows, and every platform shows or attaches it with the picture.
    """

    title: str
    alt_text: str
    image: bytes
    filename: str = "chart.png"
    media_type: str = "image/png"
    kind: ClassVar[str] = "chart"


Message = Text | Card | Prompt | FormRequest | Notice | Chart

_KINDS: dict[str, type] = {cls.kind: cls for cls in (Text, Card, Prompt, FormRequest, Notice, Chart)}


def to_dict(message: Message) -> dict[str, Any]:
    data = asdict(message)
    data["kind"] = message.kind
    if isinstance(message, Chart):
        data["image"] = base64.b64encode(message.image).decode("ascii")
    return data


def from_dict(data: dict[str, Any]) -> Message:
    data = dict(data)
    cls = _KINDS[data.pop("kind")]
    if cls is Card:
        data["fields"] = tuple(CardField(**f) for f in data.get("fields", ()))
        data["actions"] = tuple(Action(**a) for a in data.get("actions", ()))
    elif cls is FormRequest:
        data["fields"] = tuple(
            FormField(**{**f, "widget": Widget(f["widget"]), "selected": tuple(f.get("selected", ())),
                         "options": tuple(Option(**o) for o in f.get("options", ()))})
            for f in data.get("fields", ())
        )
    elif cls is Chart:
        data["image"] = base64.b64decode(data["image"])
    elif cls is Prompt:
        data["options"] = tuple(Option(**o) for o in data.get("options", ()))
        data["controls"] = tuple(data.get("controls", ()))
    message: Message = cls(**data)
    return message
