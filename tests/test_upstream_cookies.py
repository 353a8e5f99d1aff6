"""Bulwark holds one upstream session for all its clients, so it must keep no cookies: an
upstream's Set-Cookie (OpenAI's Cloudflare `__cf_bm`, a provider's load-balancer stickiness)
belongs to the client whose answer carried it. It is relayed to that client, and never sent
upstream again on anyone's request; a client's own Cookie header still goes up as it sent it."""
from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.helpers import base_config, start_proxy

ANSWER = {"id": "chatcmpl-c", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
          "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
          "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}


@pytest.fixture
async def upstream() -> Any:
    """Sets a cookie on every answer and records the Cookie header of every request."""
    app = web.Application()
    seen: list[str | None] = []

    async def chat(request: web.Request) -> web.StreamResponse:
        seen.append(request.headers.get("Cookie"))
        resp = web.json_response(ANSWER)
        resp.set_cookie("__cf_bm", f"tenant-secret-{len(seen)}", path="/", httponly=True)
        return resp

    app.router.add_post("/v1/chat/completions", chat)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    # A host name, not an IP: aiohttp's default cookie jar ignores cookies of bare IPs.
    yield f"http://localhost:{port}/v1", seen
    await runner.cleanup()


async def test_an_upstream_cookie_goes_to_its_client_and_never_back_upstream(upstream: Any) -> None:
    url, seen = upstream
    proxy = await start_proxy(base_config(url))
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    try:
        # Separate client sessions (their own jars stay empty: unsafe=False and a bare IP).
        for key, cookie in (("sk-test", None), ("sk-trusted", None), ("sk-new", "mine=1")):
            headers = {"Authorization": f"Bearer {key}", **({"Cookie": cookie} if cookie else {})}
            async with aiohttp.ClientSession() as s:
                async with s.post(proxy.url + "/chat/completions", json=body, headers=headers) as r:
                    assert r.status == 200
                    assert f"tenant-secret-{len(seen)}" in r.headers.get("Set-Cookie", "")
    finally:
        await proxy.aclose()
    # Before: the second and third requests carried the first answer's cookie.
    assert seen == [None, None, "mine=1"]
