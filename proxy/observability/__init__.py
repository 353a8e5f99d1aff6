"""Observability: OpenTelemetry traces, Prometheus metrics, the five production metrics over
rolling windows, feedback, the cost stack, and the admin dashboard.

`proxy.generation` calls `create_telemetry(services)` once per config generation. Routes it adds:
`GET /metrics` (Prometheus text), `POST /v1/feedback`, and behind the admin key
`GET /admin` (dashboard), `GET /admin/stats`, `GET /admin/costs`, `GET /admin/traces[/{request_id}]`. Configuration: the
`[telemetry]` section of proxy.toml (see `proxy.observability.config`).
"""
from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from .config import TelemetryConfig, parse_telemetry
from .core import ObservabilityTelemetry
from .dashboard import costs_handler, page_handler, stats_handler, trace_handler, traces_handler
from .feedback import handle_feedback
from .prometheus import exposition

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class BulwarkTelemetry(ObservabilityTelemetry):
    async def metrics_handler(self, request: web.Request) -> web.Response:
        if not self.cfg.metrics.enabled:
            return web.Response(status=404, text="metrics are disabled (telemetry.metrics.enabled = false)\n")
        state = self.services.state
        if getattr(state, "name", "memory") == "redis":
            try:
                up = await asyncio.wait_for(state.ping(), timeout=1.0)
            except Exception:  # noqa: BLE001
                up = False
            self.metrics.set("bulwark_state_up", 1.0 if up else 0.0)
        else:
            self.metrics.set("bulwark_state_up", 1.0)
        return web.Response(body=exposition(), headers={"Content-Type": CONTENT_TYPE})

    def v1_routes(self) -> list[tuple[str, str, Any]]:
        async def feedback(request: web.Request) -> web.StreamResponse:
            return await handle_feedback(self, request)

        return [("POST", "feedback", feedback)]

    def admin_routes(self) -> list[tuple[str, str, Any]]:
        async def stats(request: web.Request) -> web.StreamResponse:
            return await stats_handler(self, request)

        async def costs(request: web.Request) -> web.StreamResponse:
            return await costs_handler(self, request)

        async def page(request: web.Request) -> web.StreamResponse:
            return await page_handler(self, request)

        async def traces(request: web.Request) -> web.StreamResponse:
            return await traces_handler(self, request)

        async def trace(request: web.Request) -> web.StreamResponse:
            return await trace_handler(self, request)

        return [("GET", "stats", stats), ("GET", "costs", costs), ("GET", "traces", traces),
                ("GET", "traces/{request_id}", trace), ("GET", "", page)]


def create_telemetry(services: Any) -> BulwarkTelemetry:
    return BulwarkTelemetry(services, parse_telemetry(getattr(services.config, "telemetry", None)))


__all__ = ["BulwarkTelemetry", "ObservabilityTelemetry", "TelemetryConfig", "create_telemetry", "parse_telemetry"]
