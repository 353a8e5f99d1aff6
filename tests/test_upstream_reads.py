"""Reading an upstream body (proxy.providers.http.read_body / read_chunks) over a real loopback
server: a read that will not wait arms no timer, one that would wait is still bounded by the
idle gap."""
from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import proxy.providers.http as http
from proxy.config import Timeouts
from proxy.errors import ProxyError


async def _serve(handler: Any) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_get("/", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/"


async def test_a_body_already_buffered_is_read_without_a_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    body = b'{"id": "x", "choices": []}' * 20

    async def plain(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    runner, url = await _serve(plain)
    armed: list[float] = []
    real = asyncio.timeout

    def counting(delay: float | None) -> Any:
        armed.append(delay or 0.0)
        return real(delay)

    try:
        async with aiohttp.ClientSession() as s:
            async with s.get(url) as resp:
                await asyncio.sleep(0.05)  # the whole body is in the client's buffer by now
                monkeypatch.setattr(http.asyncio, "timeout", counting)
                got = await http.read_body(resp, Timeouts(), "sim", time.monotonic() + 30)
        assert got == body
        assert armed == []  # before: one timer per chunk and one for the end
    finally:
        monkeypatch.setattr(http.asyncio, "timeout", real)
        await runner.cleanup()


async def test_a_body_that_stalls_after_its_first_bytes_still_times_out() -> None:
    async def stalls(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        await resp.prepare(request)
        await resp.write(b'{"id": "x", ')
        await asyncio.sleep(1.0)  # far past the 0.2 s idle gap
        return resp

    runner, url = await _serve(stalls)
    try:
        async with aiohttp.ClientSession() as s:
            async with s.get(url) as resp:
                t0 = time.monotonic()
                with pytest.raises(ProxyError) as ei:
                    await http.read_body(resp, Timeouts(idle=0.2), "sim", time.monotonic() + 30)
                assert time.monotonic() - t0 < 2.0
        assert "stopped sending its answer midway" in str(ei.value)
    finally:
        await runner.cleanup()
