"""The terminal chat: the embedded default, no credentials needed."""

from pmobot.adapters.console.chat import ConsoleChat, ConsoleDeliverer
from pmobot.adapters.console.render import render

__all__ = ["ConsoleChat", "ConsoleDeliverer", "render"]
