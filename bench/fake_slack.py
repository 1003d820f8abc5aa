"""A minimal Slack Web API for the ack-latency benchmark (``python -m bench.fake_slack``).

It answers the few methods pmobot and bolt call (``auth.test``, ``users.info``,
``chat.*``, ``views.*``) and ``response_url`` posts, so the servers under test
can do their real work after the ack without the network. Prints its port.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import time

from aiohttp import web

_ts = itertools.count(1)
# response_url name -> when it was posted (time.time()), to measure how long answers follow acks.
_arrivals: dict[str, float] = {}


async def api(request: web.Request) -> web.Response:
    method = request.match_info["method"]
    if request.can_read_body:
        await request.read()
    if method == "auth.test":
        return web.json_response({"ok": True, "team_id": "T0PMO", "user_id": "UBOT", "bot_id": "B0PMO",
                                  "team": "PMO", "user": "pmobot", "url": "https://pmo.slack.com/"})
    if method == "users.info":
        return web.json_response({"ok": True, "user": {"id": request.query.get("user", "U"), "name": "someone",
                                                       "real_name": "Someone", "locale": "en-US"}})
    if method.startswith("chat."):
        return web.json_response({"ok": True, "channel": "C0IT", "ts": f"1764147600.{next(_ts):06d}"})
    if method.startswith("views."):
        return web.json_response({"ok": True, "view": {"id": "V1", "hash": "h"}})
    return web.json_response({"ok": False, "error": "unknown_method"})


async def hook(request: web.Request) -> web.Response:
    await request.read()
    _arrivals.setdefault(request.match_info["name"], time.time())
    return web.Response(text="ok")


async def arrivals(_request: web.Request) -> web.Response:
    return web.json_response(_arrivals)


async def main() -> None:
    app = web.Application()
    app.router.add_route("*", "/api/{method}", api)
    app.router.add_post("/hooks/{name}", hook)
    app.router.add_get("/arrivals", arrivals)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    _host, port = runner.addresses[0]
    print(port, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
