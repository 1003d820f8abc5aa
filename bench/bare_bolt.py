"""The baseline of the ack-latency benchmark: a bare bolt ``AsyncApp`` on aiohttp
whose listeners only acknowledge (``python -m bench.bare_bolt PORT``); with
``python -m bench.bare_bolt PORT answer`` they also answer through ``response_url``
after the ack, the floor of the end-to-end benchmark (``bench.inbound``).

Same bolt settings as pmobot (signature check, single-workspace token,
``process_before_response``) and the same aiohttp mounting, so the ratio
pmobot / bare bolt is what pmobot adds on the acknowledgement path.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient


def build(*, answer: bool = False) -> web.Application:
    tasks: set[asyncio.Task[None]] = set()
    http: list[aiohttp.ClientSession] = []

    def answer_later(body: dict[str, Any]) -> None:
        url = body.get("response_url")
        if not answer or not url:
            return

        async def post() -> None:
            if not http:
                http.append(aiohttp.ClientSession())
            async with http[0].post(url, json={"text": "ok", "response_type": "ephemeral"}) as response:
                await response.read()

        task = asyncio.get_running_loop().create_task(post())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["PMOBOT_SLACK_API_URL"],
                            retry_handlers=[])
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"], process_before_response=True)

    @app.command("/pmo")
    async def command(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        answer_later(body)

    @app.action(re.compile(r"^need\."))
    async def button(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        answer_later(body)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    web_app.router.add_get("/healthz", health)
    return web_app


async def main(port: int, answer: bool) -> None:
    runner = web.AppRunner(build(answer=answer), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main(int(sys.argv[1]), answer=sys.argv[2:] == ["answer"]))
    except KeyboardInterrupt:
        sys.exit(0)
