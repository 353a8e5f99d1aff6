"""Admin endpoints: `GET /admin/stats` (JSON), `GET /admin/costs` (JSON), `GET /admin/traces[/{id}]`
(the ring of recent traces, JSON), `GET /admin` (the page).

The page (`dashboard.html`, no external resources) renders the stats JSON embedded in it at
once, then fetches `/admin/stats` every few seconds with the same admin credential: the
signed session cookie of `POST /admin/login` (`proxy.observability.admin_session`).
"""
from __future__ import annotations

import asyncio
import html
import logging
import re
import time
from importlib import resources
from typing import Any

import orjson
from aiohttp import web

log = logging.getLogger("bulwark.dashboard")

_PAGE: str | None = None
_PLACEHOLDERS = re.compile(r"/\*INITIAL_STATS\*/null|/\*INITIAL_TRACES\*/null|\{\{TITLE\}\}")


def page_template() -> str:
    global _PAGE
    if _PAGE is None:
        _PAGE = resources.files(__package__).joinpath("dashboard.html").read_text("utf-8")
    return _PAGE


async def _count(journal: Any, status: str) -> int | None:
    try:
        return await asyncio.wait_for(journal.count(status=status), timeout=1.0)
    except Exception as exc:  # noqa: BLE001 - the page shows "n/a"
        log.warning("journal count failed: %r", exc)
        return None


async def breaker_states(services: Any) -> dict[str, str]:
    """Each provider's circuit breaker ("closed" unless a plugin's `status()` says otherwise)."""
    states = {name: "closed" for name in services.providers}
    for plugin in services.plugins:
        try:
            view = (await plugin.status()).get("breakers") or {}
        except Exception as exc:  # noqa: BLE001 - the page shows what it can
            log.warning("plugin %s status failed: %r", plugin.name, exc)
            continue
        for name, breaker in view.items():
            if name in states:
                states[name] = breaker.get("state", "closed")
    return states


async def build_stats(tel: Any, now: float | None = None) -> dict[str, Any]:
    services = tel.services
    t = now if now is not None else time.time()
    out: dict[str, Any] = {"object": "bulwark.stats", "aggregated": getattr(services.state, "name", "memory") == "redis"}
    if tel.stats is not None:
        out.update(await tel.stats.snapshot(t))
        out["costs"] = await tel.stats.cost_days(7, t)
    else:
        out.update({"generated_at": int(t), "windows": {}, "series": {}, "costs": []})
    out["targets"] = tel.cfg.targets.model_dump()
    state = services.state
    out["review_open"] = await _count(state.journal("review"), "open")
    out["tickets_open"] = await _count(state.journal("tickets"), "open")
    out["breakers"] = await breaker_states(services)
    probe = getattr(tel, "probe", None)
    out["providers"] = probe.summary() if probe is not None else None
    ring = getattr(tel, "ring", None)
    out["traces"] = {"enabled": ring is not None, "recorded": ring.recorded if ring is not None else 0}
    return out


async def stats_handler(tel: Any, request: web.Request) -> web.Response:
    return web.Response(body=orjson.dumps(await build_stats(tel)), content_type="application/json", headers={"cache-control": "no-store"})


async def costs_handler(tel: Any, request: web.Request) -> web.Response:
    try:
        days = max(1, min(400, int(request.query.get("days", "7"))))
    except ValueError:
        days = 7
    if tel.stats is not None:
        rows = await tel.stats.cost_days(days)
    else:
        from .stats import read_cost_days

        rows = await read_cost_days(tel.services.state, days)
    return web.Response(body=orjson.dumps({"object": "bulwark.costs", "days": rows}), content_type="application/json",
                        headers={"cache-control": "no-store"})


def _int_query(request: web.Request, name: str, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(request.query.get(name, default))))
    except ValueError:
        return default


async def traces_handler(tel: Any, request: web.Request) -> web.Response:
    """`GET /admin/traces?limit=N&notable=1`: this process's recent traces, newest first."""
    ring = tel.ring
    if ring is None:
        from ..errors import NotFound

        raise NotFound("The ring of recent traces is off (telemetry.recent_traces.enabled = false).")
    notable = request.query.get("notable", "") in ("1", "true", "yes")
    data = ring.list(_int_query(request, "limit", 50, 1, 10_000), notable=notable)
    return web.Response(body=orjson.dumps({"object": "list", "scope": "this process", "data": data}),
                        content_type="application/json", headers={"cache-control": "no-store"})


async def trace_handler(tel: Any, request: web.Request) -> web.Response:
    """`GET /admin/traces/{request_id}`: one recent trace (the `x-request-id` of an answer)."""
    from ..errors import NotFound

    rid = request.match_info.get("request_id", "")
    rec = tel.ring.get(rid) if tel.ring is not None else None
    if rec is None:
        raise NotFound(f"No recent trace {rid!r} in this process (the ring keeps the last "
                       f"{tel.cfg.recent_traces.size} requests; with several workers or replicas ask the one that answered).")
    return web.Response(body=orjson.dumps(rec), content_type="application/json", headers={"cache-control": "no-store"})


async def page_handler(tel: Any, request: web.Request) -> web.Response:
    data = await build_stats(tel)
    # Embedded JSON: `</` escaped so the data can never close the script element; one pass over
    # the template, so a placeholder written inside client-chosen data is never substituted.
    values = {
        "/*INITIAL_STATS*/null": orjson.dumps(data).decode().replace("</", "<\\/"),
        "/*INITIAL_TRACES*/null": orjson.dumps(tel.ring.list(20) if tel.ring is not None else []).decode().replace("</", "<\\/"),
        "{{TITLE}}": html.escape(tel.cfg.service_name),
    }
    body = _PLACEHOLDERS.sub(lambda m: values[m.group(0)], page_template())
    resp = web.Response(text=body, content_type="text/html", headers={
        "cache-control": "no-store",
        "content-security-policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                                   "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
        "x-frame-options": "DENY", "referrer-policy": "no-referrer",
    })
    return resp
