"""`ObservabilityTelemetry`: traces, Prometheus metrics, rolling stats and the cost stack.

Span tree of one request (tracing on):

    SERVER  "POST /v1/chat/completions"      continues an incoming `traceparent`
      INTERNAL "bulwark.plugin.<name>"       one per plugin that applies to the endpoint
        ...
          CLIENT "chat gpt-4o"               one per upstream attempt (GenAI conventions);
                                             its traceparent goes upstream

Plugin spans cover the plugin's own work before and after the rest of the chain returns
(a streamed body is relayed later). CLIENT and SERVER spans of a stream end once, when the
stream ends or is cancelled. CLIENT spans are ended in `request_finished` with the end time
taken when the attempt ended, with the attempt's cause, usage, cost, id and finish reasons
from the request's ledger (`proxy.ledger`): telemetry reads answers through the ledger and
never parses them itself. Tracing off: no span objects, no header work.

Engines: `light.LightTracer` (exporters otlp_http / memory / none) or the OpenTelemetry SDK
(otlp_http_sdk / otlp_grpc / console); both expose the calls used here (start_span with a
parent, span context, attributes, status, end with an explicit time).
"""
from __future__ import annotations

import asyncio
import logging
import time
from functools import partial
from time import monotonic
from typing import Any
from urllib.parse import urlsplit

import orjson

from ..context import CHAT, COMPLETIONS, EMBEDDINGS, MODELS, RequestContext
from ..ledger import Attempt, Cause, Ledger
from ..response import HUMAN, RULES
from ..telemetry import Telemetry
from .config import TelemetryConfig, parse_telemetry
from .labels import ModelLabels
from .probe import ProviderProbe
from .prometheus import PrometheusMetrics
from .ring import TraceRing
from .stats import COST_CATEGORIES, Stats, lat_index

log = logging.getLogger("bulwark.telemetry")

LIGHT_EXPORTERS = ("otlp_http", "memory", "none")


def _same(span: Any) -> Any:
    return span


OPERATIONS = {CHAT: "chat", COMPLETIONS: "text_completion", EMBEDDINGS: "embeddings"}
MODEL_ENDPOINTS = frozenset((CHAT, COMPLETIONS, EMBEDDINGS))
ROUTES = {CHAT: "/v1/chat/completions", COMPLETIONS: "/v1/completions", EMBEDDINGS: "/v1/embeddings", MODELS: "/v1/models",
          "responses": "/v1/responses", "messages": "/v1/messages", "count_tokens": "/v1/messages/count_tokens"}
REQUEST_PARAMS = (
    ("temperature", "gen_ai.request.temperature"), ("top_p", "gen_ai.request.top_p"),
    ("max_tokens", "gen_ai.request.max_tokens"), ("max_completion_tokens", "gen_ai.request.max_tokens"),
    ("frequency_penalty", "gen_ai.request.frequency_penalty"), ("presence_penalty", "gen_ai.request.presence_penalty"),
    ("seed", "gen_ai.request.seed"), ("n", "gen_ai.request.choice.count"),
)
_MAX_ATTR = 2048
_MAX_DECISION_ATTRS = 64


# The cost stack's category of an attempt, by its cause.
CATEGORY = {
    Cause.FIRST: "base", Cause.RETRY: "retry", Cause.FALLBACK: "fallback", Cause.CONTINUATION: "continuation",
    Cause.REGENERATION: "regeneration", Cause.JUDGE: "judge", Cause.SUMMARY: "summary",
}
_OWN_TIERS = frozenset((RULES, HUMAN))


def route_is_wild(ctx: RequestContext) -> bool:
    return ctx.endpoint not in ROUTES or (ctx.endpoint == MODELS and ctx.path != "/models")


def _attr_value(v: Any) -> Any:
    if isinstance(v, (bool, int, float)):
        return v
    if isinstance(v, str):
        return v[:_MAX_ATTR]
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, str) for x in v):
        return [x[:256] for x in v[:32]]
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
        return [float(x) for x in v[:32]]
    if v is None:
        return None
    try:
        return orjson.dumps(v, default=str)[:_MAX_ATTR].decode("utf-8", "replace")
    except Exception:  # noqa: BLE001
        return str(v)[:_MAX_ATTR]


def decision_attributes(decisions: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for plugin, fields in decisions.items():
        if not isinstance(fields, dict):
            fields = {"value": fields}
        for k, v in fields.items():
            if len(out) >= _MAX_DECISION_ATTRS:
                return out
            val = _attr_value(v)
            if val is not None:
                out[f"bulwark.{plugin}.{k}"] = val
        before, after = fields.get("before"), fields.get("after")
        if plugin == "prune" and isinstance(before, int) and isinstance(after, int):
            out["bulwark.prune.tokens_removed"] = before - after
    return out


def fallback_info(ledger: Ledger, served_kind: str | None = None) -> tuple[bool, str]:
    """(fell back, reason) from the ledger: an attempt made to another provider (a fallback
    step or a continuation), or an answer from Bulwark's own tiers (rules, human)."""
    attempts = ledger.attempts
    reason = next((a.failover_reason for a in attempts if a.failover_reason), "") or ""
    if not reason:
        for a in attempts:
            if a.error or (a.status or 0) >= 400:
                reason = str(a.error or f"http_{a.status}")
                break
    moved = any(a.cause in (Cause.FALLBACK, Cause.CONTINUATION) for a in attempts)
    providers = {a.provider for a in attempts if a.cause not in (Cause.JUDGE, Cause.SUMMARY)}
    if moved or len(providers) > 1 or served_kind in _OWN_TIERS:
        return True, reason or "other"
    return False, ""


def _trace_headers(sc: Any) -> dict[str, str]:
    h = {"traceparent": f"00-{sc.trace_id:032x}-{sc.span_id:016x}-{int(sc.trace_flags):02x}"}
    ts = sc.trace_state
    if ts:
        h["tracestate"] = ts if isinstance(ts, str) else ts.to_header()
    return h


class _Trace:
    """Telemetry's own state of one request (`ctx.trace`): its SERVER span (tracing on) and the
    plugin layers' timings for the ring of recent traces: (start, depth, name, end, error)."""

    __slots__ = ("server", "fallback", "layers", "depth")

    def __init__(self, server: Any = None) -> None:
        self.server = server
        self.fallback: tuple[bool, str] = (False, "")
        self.layers: list[tuple[float, int, str, float, str | None]] = []
        self.depth = 0


class ObservabilityTelemetry(Telemetry):
    def __init__(self, services: Any, config: TelemetryConfig | None = None) -> None:
        super().__init__(services)
        self.cfg = config or parse_telemetry(getattr(services.config, "telemetry", None))
        self.record_content = self.cfg.tracing.record_content
        self.metrics = PrometheusMetrics(tap=self._tap)
        services.metrics = self.metrics
        state = services.state
        if hasattr(state, "metrics") and getattr(state, "metrics", None) is None:
            state.metrics = self.metrics
        self.stats = Stats(state, self.cfg.stats, self.cfg.targets) if self.cfg.stats.enabled else None
        self.tracing = self.cfg.tracing.enabled
        self.tracer: Any = None
        self.tracer_provider: Any = None
        self.exporter: Any = None
        if self.tracing:
            tcfg = self.cfg.tracing
            if tcfg.exporter in LIGHT_EXPORTERS:
                # The lightweight tracer (proxy.observability.light): same OTLP, a fraction of the CPU.
                from .light import STATUS_ERROR, Kinds, LightTracer

                if tcfg.exporter == "otlp_http":
                    from .otlp import FastOTLPSpanExporter

                    self.exporter = FastOTLPSpanExporter(tcfg.endpoint, tcfg.headers or None, tcfg.timeout_seconds)
                elif tcfg.exporter == "memory":
                    self.exporter = []
                self.tracer = LightTracer(self.cfg.service_name, tcfg, self.exporter)
                self.tracer_provider = self.tracer
                self._kind = Kinds
                self._status_error = STATUS_ERROR
                self._set_in_context = _same
                self._extract = self.tracer.extract
            else:
                from opentelemetry.trace import SpanKind, Status, StatusCode, set_span_in_context
                from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

                from .tracing import make_provider

                self.tracer_provider, self.exporter = make_provider(self.cfg.service_name, tcfg)
                self.tracer = self.tracer_provider.get_tracer("bulwark")
                self._kind = SpanKind
                self._status_error = Status(StatusCode.ERROR)
                self._set_in_context = set_span_in_context
                self._extract = TraceContextTextMapPropagator().extract
            services.tracer = self.tracer
        self._servers: dict[str, tuple[str | None, int | None]] = {}
        self.model_labels = ModelLabels(services.config, services.pricing)
        self.ring = TraceRing(self.cfg.recent_traces) if self.cfg.recent_traces.enabled else None
        # One bound hook per operation (no closure per request): an attempt's GenAI metrics need the endpoint.
        self._attempt_hooks = {ep: partial(self._attempt_ended, op) for ep, op in OPERATIONS.items()}
        self._attempt_hook_other = partial(self._attempt_ended, None)
        self._genai: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}
        self.probe = ProviderProbe(services, self.cfg.probe) if self.cfg.probe.enabled else None

    # -- lifecycle --------------------------------------------------------------------------
    async def startup(self) -> None:
        if self.stats is not None:
            await self.stats.start()
        if self.probe is not None:
            await self.probe.start()

    async def aclose(self) -> None:
        if self.probe is not None:
            await self.probe.stop()
        if self.stats is not None:
            await self.stats.stop()
        if self.tracer_provider is not None:
            try:
                self.tracer_provider.shutdown()
            except Exception:  # noqa: BLE001
                log.exception("tracer provider shutdown failed")

    def force_flush(self) -> None:
        if self.tracer_provider is not None:
            self.tracer_provider.force_flush()

    # -- the stats tap: every cost, saving, limit rejection and abuse block, whoever records it --
    def _tap(self, name: str, amount: float, labels: dict[str, Any]) -> None:
        if self.stats is None or not amount:
            return
        if name == "bulwark_cost_usd_total":
            self.stats.add_day("c:" + str(labels.get("category") or "base"), amount)
        elif name == "bulwark_saved_usd_total":
            self.stats.add_day("s:" + str(labels.get("reason") or "other"), amount)
        elif name == "bulwark_ratelimit_rejections_total":  # the dashboard's limits panel (all replicas)
            self.stats.add({"rlr:" + str(labels.get("reason") or "other")[:64]: amount})
        elif name == "bulwark_abuse_blocks_total":
            self.stats.add({f"abu:{labels.get('action') or 'block'}:{str(labels.get('reason') or 'other')[:64]}": amount})

    # -- hooks ------------------------------------------------------------------------------
    def request_started(self, ctx: RequestContext) -> None:
        ctx.ledger.on_attempt_end(self._attempt_hooks.get(ctx.endpoint, self._attempt_hook_other))
        if not self.tracing:
            if self.ring is not None:
                ctx.trace = _Trace()
            return
        headers = ctx.headers
        parent = self._extract(headers) if "traceparent" in headers else None
        route = ROUTES.get(ctx.operation, "/v1/*")
        span = self.tracer.start_span(
            f"{ctx.method} {route}", context=parent, kind=self._kind.SERVER,
            attributes={"http.request.method": ctx.method, "http.route": route, "bulwark.request_id": ctx.request_id},
        )
        ctx.span = span
        ctx.trace = _Trace(span)

    def _attempt_ended(self, operation: str | None, attempt: Attempt) -> None:
        self.metrics.observe("bulwark_upstream_duration_seconds", attempt.seconds, provider=attempt.provider)
        if operation is None or not attempt.billable:
            return  # GenAI metrics are about model calls: not Bulwark's own tiers, not other endpoints
        err = attempt.error or (str(attempt.status) if attempt.status is not None and attempt.status >= 400 else "")
        key = (operation, attempt.provider, attempt.kind, attempt.model, attempt.served_model, err)
        children = self._genai.get(key)
        if children is None:
            children = self._genai_children(key)
        duration, tokens_in, tokens_out = children
        if duration is not None:
            duration.observe(attempt.seconds)
        if attempt.usage is not None and tokens_in is not None and tokens_out is not None:
            tokens_in.observe(attempt.usage[0])
            tokens_out.observe(attempt.usage[1])

    def _genai_children(self, key: tuple[Any, ...]) -> tuple[Any, Any, Any]:
        """The three GenAI series of one (operation, provider, model, served model, error), cached:
        building label sets costs more than the observations themselves."""
        operation, provider, kind, model, served, err = key
        p = self.services.providers.get(provider)
        host = (self._server_of(p)[0] if p is not None else None) or ""
        model_label = self.model_labels(model)
        common = {"gen_ai_operation_name": operation, "gen_ai_provider_name": kind, "gen_ai_request_model": model_label}
        m = self.metrics
        tokens = {**common, "gen_ai_response_model": self.model_labels(served), "server_address": host}
        children = (m.child("gen_ai_client_operation_duration_seconds", **common, error_type=err[:64], server_address=host),
                    m.child("gen_ai_client_token_usage", **tokens, gen_ai_token_type="input"),
                    m.child("gen_ai_client_token_usage", **tokens, gen_ai_token_type="output"))
        if len(self._genai) >= 2048:  # raw model names are client-chosen: bound the cache, not the labels
            self._genai.clear()
        self._genai[key] = children
        return children

    def instrument_layer(self, plugin: Any, layer: Any) -> Any:
        if self.ring is not None:
            layer = self._timed_layer(plugin, layer)
        if self.tracing:
            layer = self._traced_layer(plugin, layer)
        return layer

    def _timed_layer(self, plugin: Any, layer: Any) -> Any:
        """Note each plugin layer's start, end and error for the ring of recent traces."""
        endpoints = frozenset(plugin.config.endpoints)
        name = plugin.name

        async def timed(ctx: RequestContext) -> Any:
            trace = ctx.trace
            if trace is None or ctx.endpoint not in endpoints:
                return await layer(ctx)
            depth = trace.depth
            trace.depth = depth + 1
            start = monotonic()
            err = None
            try:
                return await layer(ctx)
            except BaseException as exc:
                err = getattr(exc, "code", None) or type(exc).__name__
                raise
            finally:
                trace.depth = depth
                if len(trace.layers) < 64:  # a retry loop re-enters inner layers: still bounded
                    trace.layers.append((start, depth, name, monotonic(), err))

        return timed

    def _traced_layer(self, plugin: Any, layer: Any) -> Any:
        """One INTERNAL span per plugin layer (around the ring's timing, when that is on)."""
        endpoints = frozenset(plugin.config.endpoints)
        span_name = f"bulwark.plugin.{plugin.name}"
        tracer = self.tracer

        async def instrumented(ctx: RequestContext) -> Any:
            parent = ctx.span
            if parent is None or ctx.endpoint not in endpoints or not parent.is_recording():
                return await layer(ctx)
            span = tracer.start_span(span_name, context=self._set_in_context(parent), kind=self._kind.INTERNAL)
            ctx.span = span
            try:
                return await layer(ctx)
            except BaseException as exc:
                span.set_attribute("error.type", getattr(exc, "code", None) or type(exc).__name__)
                if getattr(exc, "status", 500) >= 500:
                    span.set_status(self._status_error)
                raise
            finally:
                ctx.span = parent
                span.end()

        return instrumented

    def _server_of(self, provider: Any) -> tuple[str | None, int | None]:
        hit = self._servers.get(provider.name)
        if hit is None:
            base = getattr(provider.config, "base_url", None)
            host, port = None, None
            if base:
                u = urlsplit(base)
                host = u.hostname
                port = u.port or (443 if u.scheme == "https" else 80)
            hit = self._servers[provider.name] = (host, port)
        return hit

    def attempt_started(self, ctx: RequestContext, attempt: Attempt) -> None:
        parent = ctx.span
        if not self.tracing or parent is None:
            return
        if not parent.is_recording():
            sc = parent.get_span_context()
            if sc.is_valid:
                ctx.trace_headers = _trace_headers(sc)
            return
        p = self.services.providers.get(attempt.provider)
        upstream_model = attempt.model or ctx.model
        op = OPERATIONS.get(ctx.endpoint)
        attrs: dict[str, Any] = {"bulwark.provider": attempt.provider, "bulwark.attempt.cause": attempt.cause.value}
        if p is not None:
            attrs["gen_ai.provider.name"] = p.kind
            host, port = self._server_of(p)
            if host:
                attrs["server.address"] = host
                attrs["server.port"] = port
        if op is not None:
            attrs["gen_ai.operation.name"] = op
            if upstream_model:
                attrs["gen_ai.request.model"] = upstream_model
            body = ctx.body
            if ctx.endpoint != EMBEDDINGS:
                attrs["gen_ai.request.stream"] = body.get("stream") is True
            for key, attr in REQUEST_PARAMS:
                v = body.get(key)
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    attrs[attr] = v
            stop = body.get("stop")
            if isinstance(stop, str):
                attrs["gen_ai.request.stop_sequences"] = [stop]
            elif isinstance(stop, list) and all(isinstance(s, str) for s in stop):
                attrs["gen_ai.request.stop_sequences"] = stop
            if self.record_content:
                msgs = body.get("messages") if ctx.endpoint == CHAT else body.get("prompt") or body.get("input")
                attrs["gen_ai.input.messages"] = _attr_value(msgs) or ""
            name = f"{op} {upstream_model}" if upstream_model else op
        else:
            name = ctx.method
            attrs["http.request.method"] = ctx.method
        span = self.tracer.start_span(name, context=self._set_in_context(parent), kind=self._kind.CLIENT, attributes=attrs)
        ctx.trace_headers = _trace_headers(span.get_span_context())
        attempt.span = span

    def first_chunk(self, ctx: RequestContext) -> None:
        if ctx.first_byte_at is not None:
            return
        now = ctx.first_byte_at = time.monotonic()
        ttft = now - ctx.started
        self.metrics.observe("bulwark_time_to_first_token_seconds", ttft, provider=ctx.served_by or "none")
        op = OPERATIONS.get(ctx.endpoint)
        if op is not None:
            p = self.services.providers.get(ctx.served_by) if ctx.served_by else None
            self.metrics.observe("gen_ai_server_time_to_first_token_seconds", ttft, gen_ai_operation_name=op,
                                 gen_ai_provider_name=p.kind if p is not None else (ctx.served_by or "none"),
                                 gen_ai_request_model=ctx.metric_model)

    # -- the end of a request ---------------------------------------------------------------
    def request_finished(self, ctx: RequestContext, status: int, outcome: str, error_type: str | None = None) -> None:
        if outcome == "error" and error_type is None:
            # The handler's relay was cancelled (the client went away mid-answer) before it
            # could classify the outcome: count it as what it is, not as a server error.
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                status, outcome, error_type = 499, "client_gone", "client_disconnected"
        super().request_finished(ctx, status, outcome, error_type)
        trace = ctx.trace
        trace_id = None
        try:
            self._account(ctx, status, outcome)
        finally:
            if self.tracing and trace is not None and trace.server is not None:
                sc = trace.server.get_span_context()
                # Only a sampled trace reaches the collector: name it only then.
                trace_id = f"{sc.trace_id:032x}" if sc.trace_id and int(sc.trace_flags) & 1 else None
                self._end_spans(ctx, status, outcome, error_type)
        if self.ring is not None and trace is not None:
            self.ring.record(ctx, trace.layers, status, outcome, error_type, trace.fallback[0], trace_id)

    def _served_kind(self, ctx: RequestContext) -> str | None:
        p = self.services.providers.get(ctx.served_by) if ctx.served_by else None
        return getattr(p, "origin", None)

    def _account(self, ctx: RequestContext, status: int, outcome: str) -> None:
        """Spend, tokens, fallbacks and the five production metrics, all read from the ledger."""
        ledger = ctx.ledger
        model_label = ctx.metric_model
        m = self.metrics
        total = 0.0
        tokens_in = tokens_out = 0
        for a in ledger.attempts:
            if a.usage is not None:
                tokens_in += a.usage[0]
                tokens_out += a.usage[1]
            if a.cost_usd > 0:
                m.inc("bulwark_cost_usd_total", a.cost_usd, category=CATEGORY[a.cause], model=model_label)
                total += a.cost_usd
        if tokens_in or tokens_out:
            m.inc("bulwark_tokens_total", tokens_in, model=model_label, direction="input")
            m.inc("bulwark_tokens_total", tokens_out, model=model_label, direction="output")
        for reason, usd in ledger.saved.items():
            m.inc("bulwark_saved_usd_total", usd, reason=reason)
        if ctx.endpoint not in MODEL_ENDPOINTS:
            return
        fell_back, reason = fallback_info(ledger, self._served_kind(ctx))
        if ctx.trace is not None:
            ctx.trace.fallback = (fell_back, reason)
        if fell_back:
            m.inc("bulwark_fallback_requests_total", reason=reason or "other")
        v = ctx.verdict
        validated = v is not None and v.validated
        if validated:
            m.inc("bulwark_grounding_checks_total", outcome="failed" if v.grounding_failed else "passed")
        st = self.stats
        if st is None:
            return
        ok = outcome == "ok" and status < 400
        fields: dict[str, float] = {"req": 1.0}
        if outcome == "rejected":
            fields["rej"] = 1.0
        elif ok:
            fields["ok"] = 1.0
        elif outcome != "client_gone":
            fields["err"] = 1.0
        if outcome != "rejected":
            fields[f"lat:{lat_index(ctx.elapsed)}"] = 1.0
        if total:
            fields["cost"] = total
        if validated:
            fields["val"] = 1.0
            if v.grounding_failed:
                fields["hal"] = 1.0
        if fell_back:
            fields["fb"] = 1.0
            fields["fbr:" + (reason or "other")[:64]] = 1.0
        st.add(fields)
        st.add_day("req", 1.0)
        if ok:
            st.add_day("ok", 1.0)
            target = f"{ctx.request_id} {ctx.identity.key_id}"
            st.map_id(ctx.request_id, target)
            for a in ledger.attempts:
                for v_id in (a.response_id, a.upstream_request_id):
                    if isinstance(v_id, str) and v_id != ctx.request_id and 0 < len(v_id) <= 200:
                        st.map_id(v_id, target)

    def _end_spans(self, ctx: RequestContext, status: int, outcome: str, error_type: str | None) -> None:
        server = ctx.trace.server
        ctx.trace.server = None
        ledger = ctx.ledger
        for a in ledger.attempts:
            span = a.span
            if span is None:
                continue
            a.span = None
            attrs: dict[str, Any] = {"bulwark.attempt.cause": a.cause.value}
            if a.status is not None:
                attrs["http.response.status_code"] = a.status
            err = a.error or (str(a.status) if a.status is not None and a.status >= 400 else None)
            if err:
                attrs["error.type"] = err
                span.set_status(self._status_error)
            if a.response_id:
                attrs["gen_ai.response.id"] = a.response_id
            if a.served_model and a.assembly is not None and a.assembly.model:
                attrs["gen_ai.response.model"] = a.served_model
            if a.finish_reasons:
                attrs["gen_ai.response.finish_reasons"] = [str(x) for x in a.finish_reasons]
            if a.usage is not None:
                attrs["gen_ai.usage.input_tokens"] = a.usage[0]
                attrs["gen_ai.usage.output_tokens"] = a.usage[1]
                attrs["bulwark.usage.exact"] = a.usage_exact
            if a.cost_usd:
                attrs["bulwark.cost_usd"] = round(a.cost_usd, 10)
            if a.failover_reason:
                attrs["bulwark.fallback.reason"] = a.failover_reason
            if a.upstream_request_id:
                attrs["bulwark.upstream_request_id"] = str(a.upstream_request_id)[:200]
            if self.record_content and a.assembly is not None:
                attrs["gen_ai.output.messages"] = _attr_value([x.to_record() for x in a.assembly.answers()]) or ""
            if a.first_byte_at is not None:
                attrs["gen_ai.response.time_to_first_chunk"] = max(0.0, a.first_byte_at - a.started)
            span.set_attributes(attrs)
            span.end(end_time=a.ended_ns or None)
        attrs = decision_attributes(ctx.decisions)
        attrs["http.response.status_code"] = status
        attrs["bulwark.outcome"] = outcome
        if route_is_wild(ctx):
            attrs["url.path"] = "/v1" + ctx.path
        cost = ledger.cost_usd
        if cost:
            attrs["bulwark.cost_usd"] = round(cost, 10)
        if ctx.first_byte_at is not None:
            attrs["bulwark.time_to_first_chunk"] = max(0.0, ctx.first_byte_at - ctx.started)
        if ctx.model:
            attrs["gen_ai.request.model"] = ctx.model
        if any(a.usage is not None for a in ledger.attempts):
            u = ledger.usage
            attrs["gen_ai.usage.input_tokens"] = u[0]
            attrs["gen_ai.usage.output_tokens"] = u[1]
        if len(ledger.attempts) > 1:
            attrs["bulwark.attempts"] = len(ledger.attempts)
        last = ledger.last
        if last is not None and last.upstream_request_id and last.upstream_request_id != ctx.request_id:
            attrs["bulwark.upstream_request_id"] = str(last.upstream_request_id)[:200]
        fell_back, reason = ctx.trace.fallback
        if fell_back:
            attrs["bulwark.fallback.reason"] = reason
        server.set_attributes(attrs)
        if error_type:
            server.set_attribute("error.type", error_type)
        if status >= 500 or outcome in ("error", "stream_error"):
            server.set_status(self._status_error)
        server.end()


def create(services: Any) -> ObservabilityTelemetry:
    return ObservabilityTelemetry(services)


__all__ = ["ObservabilityTelemetry", "CATEGORY", "COST_CATEGORIES", "create"]
