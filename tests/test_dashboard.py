"""The admin dashboard in a real browser: headless Chromium (Debian's `chromium`) driven over
the DevTools protocol against a running Bulwark under traffic. The page must show the numbers
`/admin/stats` reports, refresh them live, and a screenshot goes to artifacts/dashboard.png."""
from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from proxy.context import RequestContext, Target
from proxy.ledger import Cause
from proxy.plugin import Next, Plugin
from proxy.response import ProxyResponse
from tests.cdp import Browser
from tests.helpers import base_config, openai_client, start_proxy, start_simulator

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "dash-admin-key"
MSG = [{"role": "user", "content": "Give me a number"}]


class RetryOnBackup(Plugin):
    name = "obs_test_dash_retry"

    async def __call__(self, ctx: RequestContext, call_next: Next) -> ProxyResponse:
        resp = await call_next(ctx)
        if resp.status >= 500:  # the provider relays upstream errors as answers
            await resp.aclose()
            ctx.target = Target("backup")
            ctx.ledger.next_cause = Cause.FALLBACK  # what a fallback layer says about its next attempt
            return await call_next(ctx)
        return resp


_mod = types.ModuleType("plugins.obs_test_dash_retry")
_mod.RetryOnBackup = RetryOnBackup  # type: ignore[attr-defined]
sys.modules["plugins.obs_test_dash_retry"] = _mod

READ_PAGE = """(() => {
  const out = {};
  for (const el of document.querySelectorAll('[id^="m-"]')) out[el.id] = {text: el.textContent, value: el.dataset.value, cls: el.className};
  out.costToday = document.getElementById('cost-today').dataset.value;
  out.savedToday = document.getElementById('saved-today').dataset.value;
  out.review = document.getElementById('review-open').textContent;
  out.tickets = document.getElementById('tickets-open').textContent;
  out.breakers = [...document.querySelectorAll('#breakers .pill')].map(p => p.textContent);
  out.reasons = [...document.querySelectorAll('#fallback-reasons tbody tr[data-reason]')].map(r => [...r.cells].map(c => c.textContent));
  out.sparklines = document.querySelectorAll('svg.spark path').length;
  out.refreshes = Number(document.body.dataset.refreshes || 0);
  out.error = document.getElementById('error').textContent;
  return out;
})()"""


def fmt(name: str, v: Any) -> str:
    if v is None:
        return "no data"
    return {"p95": f"{v:.3f} s", "hallucination_rate": f"{v * 100:.3f} %", "fallback_rate": f"{v * 100:.3f} %",
            "cost": f"${v:.6f}", "satisfaction": f"{v:.2f} / 5"}[name]


FIELDS = {"p95": ("p95_seconds", "p95"), "hallucination_rate": ("hallucination_rate", "hallucination_rate"),
          "fallback_rate": ("fallback_rate", "fallback_rate"), "cost": ("cost_per_successful_message_usd", None),
          "satisfaction": ("satisfaction", "satisfaction")}


def check_page(page: dict[str, Any], stats: dict[str, Any]) -> None:
    for win in ("5m", "1h", "24h"):
        w = stats["windows"][win]
        for name, (field, status) in FIELDS.items():
            cell = page[f"m-{name}-{win}"]
            v = w[field]
            assert cell["text"] == fmt(name, v), (win, name, cell, v)
            assert cell["value"] == ("" if v is None else str(v)) or float(cell["value"]) == pytest.approx(v), (win, name)
            if status:
                assert w["status"][status] in cell["cls"].split(), (win, name, cell)
        assert page[f"m-requests-{win}"]["text"] == f"{w['requests']} ({w['successful']})"


async def test_dashboard_in_headless_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULWARK_ADMIN_KEY", ADMIN)
    good = await start_simulator()
    flaky = await start_simulator(fault="503")
    cfg = base_config(good.url, plugins=["obs_test_dash_retry"], state={"data_dir": str(tmp_path)},
                      providers={"flaky": {"type": "openai", "base_url": flaky.url, "api_key_env": "BULWARK_TEST_UPSTREAM_KEY"},
                                 "backup": {"type": "openai", "base_url": good.url, "api_key_env": "BULWARK_TEST_UPSTREAM_KEY"}},
                      models={"routes": {"gpt-4o-mini": {"provider": "flaky"}}})
    proxy = await start_proxy(cfg)
    client = openai_client(proxy.url)
    browser = Browser()
    try:
        async with aiohttp.ClientSession() as http:  # warm the simulator (its tokenizer loads on first use)
            async with http.post(good.url + "/chat/completions", json={"model": "gpt-4o", "messages": MSG}) as r:
                assert r.status == 200
        first = None
        for _ in range(6):
            first = await client.chat.completions.create(model="gpt-4o", messages=MSG)
        for _ in range(2):  # these fall back from `flaky` (503) to `backup`
            await client.chat.completions.create(model="gpt-4o-mini", messages=MSG)
        async with aiohttp.ClientSession() as http:
            async with http.post(proxy.url + "/feedback", json={"id": first.id, "rating": 4}, headers={"Authorization": "Bearer sk-test"}) as r:
                assert r.status == 200

            async def stats() -> dict[str, Any]:
                async with http.get(proxy.base + "/admin/stats", headers={"x-admin-key": ADMIN}) as r:
                    assert r.status == 200
                    return await r.json()

            # without the key the page is refused
            async with http.get(proxy.base + "/admin") as r:
                assert r.status == 401
            await browser.start()
            await browser.goto(f"{proxy.base}/admin?key={ADMIN}&refresh=1")
            page = await browser.eval(READ_PAGE)
            s = await stats()
            check_page(page, s)
            w = s["windows"]["1h"]
            assert w["requests"] == 8 and w["fallbacks"] == 2 and w["satisfaction"] == 4.0
            assert "breach" in page["m-fallback_rate-1h"]["cls"]  # 25 % fallbacks is far above the 1 % target
            assert "ok" in page["m-p95-1h"]["cls"].split()
            assert page["reasons"] == [["http_503", "2", "2"]]
            assert float(page["costToday"]) == pytest.approx(s["costs"][0]["spend_total_usd"])
            assert s["costs"][0]["spend_usd"]["fallback"] > 0 and s["costs"][0]["spend_usd"]["base"] > 0
            assert page["review"] == "0" and page["tickets"] == "0"
            assert sorted(page["breakers"]) == ["backup: closed", "flaky: closed", "sim: closed"]
            assert page["sparklines"] >= 5
            assert await browser.eval("document.querySelectorAll('svg.spark circle').length") >= 5
            # live: more traffic, and the page catches up by itself (cookie-authenticated fetch)
            for _ in range(3):
                await client.chat.completions.create(model="gpt-4o", messages=MSG)
            seen = page["refreshes"]
            for _ in range(60):
                page = await browser.eval(READ_PAGE)
                if page["refreshes"] > seen and page["m-requests-5m"]["text"].startswith("11 "):
                    break
                await browser.eval("new Promise(r => setTimeout(r, 100))")
            assert page["error"] == ""
            assert page["m-requests-5m"]["text"] == "11 (11)", page["m-requests-5m"]
            s = await stats()
            check_page(page, s)
            await browser.screenshot(ROOT / "artifacts" / "dashboard.png")
            assert (ROOT / "artifacts" / "dashboard.png").stat().st_size > 10_000
    finally:
        await browser.aclose()
        await client.close()
        await proxy.aclose()
        await good.aclose()
        await flaky.aclose()
