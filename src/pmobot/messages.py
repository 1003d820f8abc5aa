"""Platform-neutral outbound messages.

Services speak in these objects; each adapter renders them in its own way
(console text, Block Kit, Adaptive Cards). Text in them is plain and kept as
the user typed it: escaping belongs to the renderer, which alone knows its
markup. Every message can be turned into JSON and back, so it can wait in
the outbox.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Union


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


@dataclass(frozen=True)
class FormRequest:
    """Ask the platform to show a whole dialog spec as a form (modal, card).

    Platforms without forms (the console) run the same spec turn by turn.
    """

    spec_id: str
    title: str
    values: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    kind: ClassVar[str] = "form"


@dataclass(frozen=True)
class Notice:
    """A short status line: a confirmation, a refusal, an error."""

    text: str
    level: str = "info"  # info | success | warning | error
    kind: ClassVar[str] = "notice"


Message = Union[Text, Card, Prompt, FormRequest, Notice]

_KINDS: dict[str, type] = {cls.kind: cls for cls in (Text, Card, Prompt, FormRequest, Notice)}


def to_dict(message: Message) -> dict[str, Any]:
    data = asdict(message)
    data["kind"] = message.kind
    return data


def from_dict(data: dict[str, Any]) -> Message:
    data = dict(data)
    cls = _KINDS[data.pop("kind")]
    if cls is Card:
        data["fields"] = tuple(CardField(**f) for f in data.get("fields", ()))
        data["actions"] = tuple(Action(**a) for a in data.get("actions", ()))
    elif cls is Prompt:
        data["options"] = tuple(Option(**o) for o in data.get("options", ()))
        data["controls"] = tuple(data.get("controls", ()))
    return cls(**data)
