"""The access log names what each request cost, streams included (their headers leave first)."""
from __future__ import annotations

import logging

import pytest
from aiohttp import web

from proxy.access_log import AccessLogger
from proxy.app import create_app
from proxy.config import parse_config
from tests.helpers import base_config, openai_client, start_simulator


async def test_a_streamed_answer_is_logged_with_its_cost(caplog: pytest.LogCaptureFixture) -> None:
    sim = await start_simulator()
    app = create_app(parse_config(base_config(sim.url, plugins=["budgets"])))
    runner = web.AppRunner(app, access_log=logging.getLogger("bulwark.access"), access_log_class=AccessLogger)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    caplog.set_level(logging.INFO, logger="bulwark.access")
    try:
        stream = await openai_client(f"http://127.0.0.1:{port}/v1").chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}], stream=True)
        async for _ in stream:
            pass
        await stream.close()
        lines = [r.getMessage() for r in caplog.records if r.name == "bulwark.access"]
        line = next(x for x in lines if "/v1/chat/completions" in x)
        assert " 200 " in line and "provider=sim attempts=1" in line and "key=test" in line
        cost = float(line.rsplit("cost_usd=", 1)[1])
        assert cost > 0
    finally:
        await runner.cleanup()
        await sim.aclose()
