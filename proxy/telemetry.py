"""Telemetry hooks the app, chain and dispatch call. This base records request metrics
through `services.metrics`; tracing (OpenTelemetry) and Prometheus export extend it.

Hook points:
- `request_started(ctx)`            when the handler has a context (SERVER span starts)
- `instrument_layer(plugin, layer)` once per plugin when the chain is built (child span per plugin)
- `attempt_started(ctx, attempt)`   once per upstream attempt, before the provider is called
                                    (CLIENT span); its end reaches telemetry through the ledger
- `first_chunk(ctx)`                first streamed event written to the client
- `request_finished(ctx, status, outcome, error_type)`  once, after the last byte (streams: at end
                                    or cancel) and after the ledger settled
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .context import RequestContext
    from .ledger import Attempt
    from .plugin import Next, Plugin


class Telemetry:
    def __init__(self, services: Any) -> None:
        self.services = services

    async def startup(self) -> None:
        pass

    async def aclose(self) -> None:
        pass

    def request_started(self, ctx: "RequestContext") -> None:
        pass

    def instrument_layer(self, plugin: "Plugin", layer: "Next") -> "Next":
        return layer

    def attempt_started(self, ctx: "RequestContext", attempt: "Attempt") -> None:
        pass

    def first_chunk(self, ctx: "RequestContext") -> None:
        if ctx.first_byte_at is None:
            ctx.first_byte_at = time.monotonic()

    def request_finished(self, ctx: "RequestContext", status: int, outcome: str, error_type: str | None = None) -> None:
        m = self.services.metrics
        total = ctx.elapsed
        route = ctx.operation  # chat, responses, messages, completions, embeddings, ...
        m.inc("bulwark_requests_total", route=route, model=ctx.metric_model, provider=ctx.served_by or "none", outcome=outcome)
        m.observe("bulwark_request_duration_seconds", total, route=route, outcome=outcome)
        m.observe("bulwark_overhead_duration_seconds", max(0.0, total - ctx.upstream_seconds), route=route)
