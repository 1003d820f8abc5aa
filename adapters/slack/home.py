"""The App Home tab: what the person has in flight, drawn each time they open it."""

from __future__ import annotations

from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from pmobot import payloads as read
from pmobot.adapters.slack import render as rd
from pmobot.adapters.slack.acks import Incoming
from pmobot.adapters.slack.surface import Surface


class Home(Surface):
    def register(self, app: AsyncApp) -> None:
        app.event("app_home_opened")(self.acks.queued(self.opened))

    async def opened(self, request: Incoming) -> None:
        event = request.payload
        if event.get("tab") not in (None, "home"):
            return  # the Messages tab: nothing to draw
        await self.publish(read.required_text(event, "user", "event"), client=request.client, body=request.body)

    async def publish(self, user_id: str, *, client: AsyncWebClient, body: dict[str, Any] | None = None) -> None:
        caller = await self.directory.caller(body or {"user": {"id": user_id}}, client)
        messages = await self.chat.home(caller.identity)
        await client.views_publish(user_id=user_id, view=rd.home_view(messages, locale=caller.locale,
                                                                       name=caller.identity.display_name))
