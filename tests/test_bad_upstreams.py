"""Upstreams that answer badly: too large, not a completion, junk usage. Never a 500, never a
broken answer relayed as a success, never a worker's memory taken by one answer."""
from __future__ import annotations

from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web

from tests.helpers import base_config, start_proxy

ANSWER = {"id": "chatcmpl-x", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
          "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
          "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}


@pytest.fixture
async def upstream() -> Any:
    """An OpenAI-compatible stand-in whose answer each test chooses (`app["answer"]`)."""
    app = web.Application()

    async def chat(request: web.Request) -> web.StreamResponse:
        kind = request.headers.get("x-answer", "ok")
        if kind == "huge":
            return web.Response(body=b'{"pad": "' + b"x" * (3 * 1024 * 1024) + b'"}', content_type="application/json")
        if kind == "huge_stream":
            resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await resp.prepare(request)
            chunk = b"data: " + orjson.dumps({**ANSWER, "object": "chat.completion.chunk", "choices": [
                {"index": 0, "delta": {"content": "y" * 60_000}, "finish_reason": None}]}) + b"\n\n"
            for _ in range(100):  # 6 MB
                await resp.write(chunk)
            await resp.write(b"data: [DONE]\n\n")
            return resp
        if kind == "no_choices":
            return web.json_response({"id": "x", "object": "chat.completion", "model": "gpt-4o-mini"})
        if kind == "junk_usage":
            return web.json_response({**ANSWER, "usage": {"prompt_tokens": "a", "completion_tokens": None}})
        return web.json_response(ANSWER)

    app.router.add_post("/v1/chat/completions", chat)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/v1"
    await runner.cleanup()


async def ask(proxy: Any, kind: str, stream: bool = False) -> tuple[int, Any]:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    async with aiohttp.ClientSession() as s:
        async with s.post(proxy.url + "/chat/completions", json=body, headers={"Authorization": "Bearer sk-test", "x-answer": kind}) as r:
            raw = await r.read()
            return r.status, raw


async def test_bad_answers_are_clear_errors_not_500s(upstream: str) -> None:
    cfg = base_config(upstream, plugins=["budgets"], providers={"sim": {"type": "openai", "base_url": upstream,
                                                                       "max_response_bytes": 1024 * 1024}})
    proxy = await start_proxy(cfg)
    try:
        status, raw = await ask(proxy, "huge")
        err = orjson.loads(raw)["error"]
        assert status == 502 and err["code"] == "upstream_answer_too_large" and "max_response_bytes" in err["message"]
        status, raw = await ask(proxy, "huge_stream", stream=True)
        assert status == 200 and b'"error"' in raw.splitlines()[-2] and b"[DONE]" not in raw  # an explicit in-band error
        assert len(raw) < 2 * 1024 * 1024  # stopped near the limit, not relayed whole
        status, raw = await ask(proxy, "no_choices")
        assert status == 502 and orjson.loads(raw)["error"]["code"] == "malformed_answer"
        status, raw = await ask(proxy, "junk_usage")  # a broken usage object: counted instead, answered
        assert status == 200 and orjson.loads(raw)["choices"][0]["message"]["content"] == "hi"
        status, raw = await ask(proxy, "ok")
        assert status == 200
    finally:
        await proxy.aclose()
