"""Where a chat conversation stands: what the engine saves after every message.

Stored as JSON in ``ConversationState.state``; the JSON keeps the keys it has
always had, so rows saved before this class existed load as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pmobot.conversation.fieldtypes import Answer

# Positions that are not a field: the summary of answers, and "which answer to change?".
SUMMARY = "@summary"
EDIT = "@edit"


@dataclass
class DialogState:
    answers: dict[str, Answer] = field(default_factory=dict)
    # Answers read from the opening text, not yet confirmed by the person.
    prefilled: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # Fields answered, in the order the person last answered them (for "back").
    history: list[str] = field(default_factory=list)
    # The field being asked, SUMMARY or EDIT; None before the first question.
    current: str | None = None
    # Changing an earlier answer (after "back" or "edit") rather than going forward.
    editing: bool = False
    # What the dialog is about (the need, the opening text), handed to the hooks.
    context: dict[str, Any] = field(default_factory=dict)
    # What was typed and refused, by field: kept on record, and for the person to copy back.
    rejected: dict[str, str] = field(default_factory=dict)
    # The completion hook ran: the row is gone, nothing more to save.
    finished: bool = False
    # "cancel" was typed with answers to lose: the next message confirms it or not.
    cancelling: bool = False
    # Answers offered before the person gives theirs (last week's status): "keep" takes one.
    defaults: dict[str, Answer] = field(default_factory=dict)

    @property
    def at_summary(self) -> bool:
        return self.current == SUMMARY

    @property
    def at_edit(self) -> bool:
        return self.current == EDIT

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DialogState:
        """A working copy of a stored state; keys an older row lacks take their defaults."""
        current = data.get("current")
        return cls(
            answers=dict(data.get("answers") or {}),
            prefilled=list(data.get("prefilled") or []),
            skipped=list(data.get("skipped") or []),
            history=list(data.get("history") or []),
            current=str(current) if current is not None else None,
            editing=bool(data.get("editing", False)),
            context=dict(data.get("context") or {}),
            rejected=dict(data.get("rejected") or {}),
            finished=bool(data.get("finished", False)),
            cancelling=bool(data.get("cancelling", False)),
            defaults=dict(data.get("defaults") or {}),
        )

    def to_json(self) -> dict[str, Any]:
        """A new dict (so the JSON column is seen as changed), with the keys rows have always had."""
        return {
            "answers": dict(self.answers), "prefilled": list(self.prefilled), "skipped": list(self.skipped),
            "history": list(self.history), "current": self.current, "editing": self.editing,
            "context": dict(self.context), "rejected": dict(self.rejected), "finished": self.finished,
            "cancelling": self.cancelling, **({"defaults": dict(self.defaults)} if self.defaults else {}),
        }

    def forget_unknown(self, known: set[str]) -> None:
        """Drop what refers to fields a spec no longer has (after a spec edit)."""
        self.answers = {k: v for k, v in self.answers.items() if k in known}
        self.prefilled = [k for k in self.prefilled if k in known]
        self.skipped = [k for k in self.skipped if k in known]
        self.history = [k for k in self.history if k in known]

    def remember(self, field_id: str) -> None:
        """``field_id`` was just answered (or skipped): it is the last one "back" returns to."""
        if field_id in self.history:
            self.history.remove(field_id)
        self.history.append(field_id)
