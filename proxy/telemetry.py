"""Telemetry hooks the app, chain and dispatch call. This base records request metrics
through `services.metrics`; tracing (OpenTelemetry) and Prometheus export extend it.

Hook points:
- `request_started(ctx)`            when the handler has a context (SERVER span starts)
- `instrument_layer(name, layer)`   once per plugin when the chain is built (child span per plugin)
- `upstream_attempt(ctx, provider, model)` -> Attempt, once per provider call (CLIENT span);
                                    `attempt.finish(status=..., error=...)` ends it once
- `first_chunk(ctx)`                first streamed event written to the client
- `request_finished(ctx, status, outcome, error_type)`  once, after the last byte (streams: at end
                                    or cancel)
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .context import RequestContext
    from .plugin import Next


class Attempt:
    __slots__ = ("ctx", "provider", "model", "started", "_done", "span")

    def __init__(self, ctx: "RequestContext", provider: str, model: str | None) -> None:
        self.ctx = ctx
        self.provider = provider
        self.model = model
        self.started = time.monotonic()
        self._done = False
        self.span: Any = None

    def finish(self, status: int | None = None, error: str | None = None, **attrs: Any) -> None:
        if self._done:
            return
        self._done = True
        elapsed = time.monotonic() - self.started
        self.ctx.attempts.append({"provider": self.provider, "model": self.model, "status": status, "error": error, "seconds": round(elapsed, 6), **attrs})


class Telemetry:
    def __init__(self, services: Any) -> None:
        self.services = services

    async def startup(self) -> None:
        pass

    async def aclose(self) -> None:
        pass

    def request_started(self, ctx: "RequestContext") -> None:
        pass

    def instrument_layer(self, name: str, layer: "Next") -> "Next":
        return layer

    def upstream_attempt(self, ctx: "RequestContext", provider: str, model: str | None) -> Attempt:
        return Attempt(ctx, provider, model)

    def first_chunk(self, ctx: "RequestContext") -> None:
        if ctx.first_byte_at is None:
            ctx.first_byte_at = time.monotonic()

    def request_finished(self, ctx: "RequestContext", status: int, outcome: str, error_type: str | None = None) -> None:
        m = self.services.metrics
        total = ctx.elapsed
        route = ctx.endpoint
        m.inc("bulwark_requests_total", route=route, model=ctx.scratch.get("metric_model", "other"), provider=ctx.scratch.get("provider", "none"), outcome=outcome)
        m.observe("bulwark_request_duration_seconds", total, route=route, outcome=outcome)
        m.observe("bulwark_overhead_duration_seconds", max(0.0, total - ctx.upstream_seconds), route=route)
