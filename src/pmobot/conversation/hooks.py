"""What a dialog spec's named hooks receive, and the tables they are looked up in.

A spec names validators, cross-field checks and a completion; the dialogs
package provides them (``pmobot.dialogs.hooks``) and the engine checks at
start-up that every name exists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.errors import FieldError
from pmobot.conversation.fieldtypes import Answer
from pmobot.conversation.spec import DialogSpec, SpecError
from pmobot.domain.keys import ConversationKey
from pmobot.messages import Message

if TYPE_CHECKING:
    # For annotations only: at run time the conversation layer never imports services.
    from pmobot.conversation.engine import DialogEngine
    from pmobot.services.core import Core
    from pmobot.services.people import Actor


@dataclass
class HookContext:
    """What a hook may use: the services' session and core, and who is talking."""

    session: AsyncSession
    core: Core
    actor: Actor
    locale: str
    conversation_key: ConversationKey
    platform: str
    # What the dialog is about (the need, the question), kept with its state.
    context: dict[str, Any] = field(default_factory=dict)
    # The engine running the dialog, for a hook that hands over to another dialog.
    engine: DialogEngine | None = None

    def fresh(self, **context: Any) -> HookContext:
        """The same person and conversation, with a new context (for a new dialog)."""
        return HookContext(session=self.session, core=self.core, actor=self.actor, locale=self.locale,
                           conversation_key=self.conversation_key, platform=self.platform, context=context,
                           engine=self.engine)


Validator = Callable[[Answer, dict[str, Answer], HookContext], "FieldError | None"]
Check = Callable[[dict[str, Answer], HookContext], "tuple[str, FieldError] | None"]
Completion = Callable[[HookContext, dict[str, Answer]], Awaitable[list[Message]]]


class Hooks(Protocol):
    VALIDATORS: dict[str, Validator]
    CHECKS: dict[str, Check]
    COMPLETIONS: dict[str, Completion]


def check_hooks(specs: dict[str, DialogSpec], hooks: Hooks) -> None:
    """Every hook a spec names must exist: fail at start-up, not mid-conversation."""
    for spec in specs.values():
        if spec.on_complete not in hooks.COMPLETIONS:
            raise SpecError(f"{spec.source}: unknown on_complete hook {spec.on_complete!r}")
        for name in spec.checks:
            if name not in hooks.CHECKS:
                raise SpecError(f"{spec.source}: unknown check {name!r}")
        for f in spec.fields:
            for name in f.validate:
                if name not in hooks.VALIDATORS:
                    raise SpecError(f"{spec.source} field {f.id}: unknown validator {name!r}")
