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
taken when the attempt finished, so response attributes (id, model, usage, finish reasons)
read from the answer are on them. Tracing off: no span objects, no header work.

Engines: `light.LightTracer` (exporters otlp_http / memory / none) or the OpenTelemetry SDK
(otlp_http_sdk / otlp_grpc / console); both expose the calls used here (start_span with a
parent, span context, attributes, status, end with an explicit time).
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, AsyncIterator
from urllib.parse import urlsplit

import orjson

from ..context import CHAT, COMPLETIONS, EMBEDDINGS, MODELS, RequestContext
from ..pricing import pricing_for, usage_numbers
from ..telemetry import Attempt, Telemetry
from .config import TelemetryConfig, parse_telemetry
from .prometheus import PrometheusMetrics
from .stats import COST_CATEGORIES, Stats, lat_index

log = logging.getLogger("bulwark.telemetry")

LIGHT_EXPORTERS = ("otlp_http", "memory", "none")


def _same(span: Any) -> Any:
    return span


OPERATIONS = {CHAT: "chat", COMPLETIONS: "text_completion", EMBEDDINGS: "embeddings"}
MODEL_ENDPOINTS = frozenset((CHAT, COMPLETIONS, EMBEDDINGS))
ROUTES = {CHAT: "/v1/chat/completions", COMPLETIONS: "/v1/completions", EMBEDDINGS: "/v1/embeddings", MODELS: "/v1/models"}
REQUEST_PARAMS = (
    ("temperature", "gen_ai.request.temperature"), ("top_p", "gen_ai.request.top_p"),
    ("max_tokens", "gen_ai.request.max_tokens"), ("max_completion_tokens", "gen_ai.request.max_tokens"),
    ("frequency_penalty", "gen_ai.request.frequency_penalty"), ("presence_penalty", "gen_ai.request.presence_penalty"),
    ("seed", "gen_ai.request.seed"), ("n", "gen_ai.request.choice.count"),
)
_MAX_ATTR = 2048
_MAX_DECISION_ATTRS = 64


# -- response meta: id, model, usage, finish reasons of an answer -----------------------------
def meta_from_body(obj: Any, record_content: bool = False) -> dict[str, Any] | None:
    if not isinstance(obj, dict):
        return None
    meta: dict[str, Any] = {}
    if isinstance(obj.get("id"), str):
        meta["id"] = obj["id"]
    if isinstance(obj.get("model"), str):
        meta["model"] = obj["model"]
    if isinstance(obj.get("usage"), dict):
        meta["usage"] = obj["usage"]
    choices = obj.get("choices")
    if isinstance(choices, list):
        reasons = [c.get("finish_reason") for c in choices if isinstance(c, dict) and c.get("finish_reason")]
        if reasons:
            meta["finish_reasons"] = reasons
        if record_content:
            meta["output"] = [c.get("message") or c.get("text") for c in choices if isinstance(c, dict)]
    return meta


def _absorb_chunk(meta: dict[str, Any], obj: Any) -> None:
    if not isinstance(obj, dict):
        return
    if "id" not in meta and isinstance(obj.get("id"), str):
        meta["id"] = obj["id"]
    if "model" not in meta and isinstance(obj.get("model"), str):
        meta["model"] = obj["model"]
    if isinstance(obj.get("usage"), dict):
        meta["usage"] = obj["usage"]
    choices = obj.get("choices")
    if isinstance(choices, list):
        for c in choices:
            if isinstance(c, dict) and c.get("finish_reason"):
                meta.setdefault("finish_reasons", []).append(c["finish_reason"])


async def watch_stream(stream: AsyncIterator[Any], meta: dict[str, Any]) -> AsyncIterator[Any]:
    """Relay events unchanged; parse only the first data event and the ones that carry a
    finish reason or usage (a cheap byte search decides)."""
    first = True
    try:
        async for ev in stream:
            raw = ev.raw
            if first or b'"usage":{' in raw or b'"finish_reason":"' in raw:
                if ev.data is not None and ev.data != "[DONE]":
                    first = False
                    try:
                        _absorb_chunk(meta, ev.json())
                    except ValueError:
                        pass
            yield ev
    finally:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()


def observe_response(ctx: RequestContext, resp: Any, meta: dict[str, Any], record_content: bool) -> None:
    if resp is None:
        return
    rid = resp.headers.get("x-request-id") if resp.headers is not None else None
    if rid:
        meta["x_request_id"] = rid
    if resp.stream is not None:
        resp.stream = watch_stream(resp.stream, meta)
    elif resp.body is not None and resp.ok and ctx.endpoint in MODEL_ENDPOINTS:
        m = meta_from_body(resp.try_json(), record_content)
        if m:
            meta.update(m)


def route_is_wild(ctx: RequestContext) -> bool:
    return ctx.endpoint not in ROUTES or (ctx.endpoint == MODELS and ctx.path != "/models")


def _endpoints_of(layer: Any) -> frozenset[str] | None:
    """The endpoint kinds a chain layer acts on (read once from `proxy.plugin._layer`'s closure)."""
    code, cells = getattr(layer, "__code__", None), getattr(layer, "__closure__", None)
    if code is None or not cells:
        return None
    for name, cell in zip(code.co_freevars, cells):
        if name == "endpoints":
            try:
                v = cell.cell_contents
            except ValueError:
                return None
            return frozenset(v) if isinstance(v, (set, frozenset, list, tuple)) else None
    return None


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


def fallback_info(ctx: RequestContext) -> tuple[bool, str]:
    """(fell back, reason) from the fallback plugin's decision or the attempts."""
    d = ctx.decisions.get("fallback")
    attempts = ctx.attempts
    reason = ""
    for a in attempts:
        r = a.get("reason")
        if r:
            reason = str(r)
            break
    if not reason:
        for a in attempts:
            if a.get("error") or (a.get("status") or 0) >= 400:
                reason = str(a.get("error") or f"http_{a.get('status')}")
                break
    if isinstance(d, dict) and not d.get("shadow"):
        if (d.get("fallbacks") or 0) > 0 or d.get("continued_by") or d.get("tier") in ("rules", "human"):
            return True, reason or str(d.get("reason") or "fallback")
    providers = {a.get("provider") for a in attempts if a.get("status") != "skipped"}
    if len(providers) > 1:
        return True, reason or "other"
    return False, ""


def _trace_headers(sc: Any) -> dict[str, str]:
    h = {"traceparent": f"00-{sc.trace_id:032x}-{sc.span_id:016x}-{int(sc.trace_flags):02x}"}
    ts = sc.trace_state
    if ts:
        h["tracestate"] = ts if isinstance(ts, str) else ts.to_header()
    return h


class MetricAttempt(Attempt):
    """Times the attempt into `bulwark_upstream_duration_seconds` (tracing on or off)."""

    __slots__ = ("obs", "status", "error", "end_ns", "meta", "first_at")

    def __init__(self, obs: "ObservabilityTelemetry", ctx: RequestContext, provider: str, model: str | None, span: Any = None) -> None:
        super().__init__(ctx, provider, model)
        self.obs = obs
        self.span = span
        self.status: int | None = None
        self.error: str | None = None
        self.end_ns = 0
        self.meta: dict[str, Any] | None = None
        self.first_at: float | None = None
        lst = ctx.scratch.get("_obs_attempts")
        if lst is None:
            ctx.scratch["_obs_attempts"] = [self]
        else:
            lst.append(self)

    def finish(self, status: int | None = None, error: str | None = None, **attrs: Any) -> None:
        if self._done:
            return
        super().finish(status=status, error=error, **attrs)
        self.status, self.error = status, error
        self.end_ns = time.time_ns()
        self.obs.metrics.observe("bulwark_upstream_duration_seconds", time.monotonic() - self.started, provider=self.provider)

    def response(self, resp: Any) -> None:
        """Optional hook: dispatch hands over the provider's answer (per-attempt usage and ids)."""
        self.meta = {}
        observe_response(self.ctx, resp, self.meta, self.obs.record_content)


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
        self._last_layer_flag: dict[str, bool] | None = None
        self._servers: dict[str, tuple[str | None, int | None]] = {}

    # -- lifecycle --------------------------------------------------------------------------
    async def startup(self) -> None:
        # Per-attempt answers arrive through MetricAttempt.response, called by proxy.dispatch.
        if self.stats is not None:
            await self.stats.start()

    async def aclose(self) -> None:
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

    # -- the cost stack tap (every bulwark_cost/saved_usd_total inc, whoever records it) -------
    def _tap(self, name: str, amount: float, labels: dict[str, Any]) -> None:
        if self.stats is None or not amount:
            return
        if name == "bulwark_cost_usd_total":
            self.stats.add_day("c:" + str(labels.get("category") or "base"), amount)
        elif name == "bulwark_saved_usd_total":
            self.stats.add_day("s:" + str(labels.get("reason") or "other"), amount)

    # -- hooks ------------------------------------------------------------------------------
    def request_started(self, ctx: RequestContext) -> None:
        if not self.tracing:
            return
        headers = ctx.headers
        parent = self._extract(headers) if "traceparent" in headers else None
        route = ROUTES.get(ctx.endpoint, "/v1/*")
        span = self.tracer.start_span(
            f"{ctx.method} {route}", context=parent, kind=self._kind.SERVER,
            attributes={"http.request.method": ctx.method, "http.route": route, "bulwark.request_id": ctx.request_id},
        )
        ctx.span = span
        ctx.scratch["_obs_server"] = span

    def instrument_layer(self, name: str, layer: Any) -> Any:
        endpoints = _endpoints_of(layer)
        if endpoints is None:
            raw = (getattr(self.services.config, "plugins", {}) or {}).get(name) or {}
            eps = raw.get("endpoints") if isinstance(raw, dict) else None
            endpoints = frozenset(eps) if isinstance(eps, list) else frozenset((CHAT,))
        flag = {"outer": True}
        if self._last_layer_flag is not None:
            self._last_layer_flag["outer"] = False  # the previous layer is wrapped by this one
        self._last_layer_flag = flag
        span_name = f"bulwark.plugin.{name}"
        tracing = self.tracing
        tracer = self.tracer
        record_content = self.record_content

        async def instrumented(ctx: RequestContext) -> Any:
            parent = ctx.span
            if not tracing or parent is None or ctx.endpoint not in endpoints or not parent.is_recording():
                resp = await layer(ctx)
            else:
                span = tracer.start_span(span_name, context=self._set_in_context(parent), kind=self._kind.INTERNAL)
                ctx.span = span
                try:
                    resp = await layer(ctx)
                except BaseException as exc:
                    span.set_attribute("error.type", getattr(exc, "code", None) or type(exc).__name__)
                    if getattr(exc, "status", 500) >= 500:
                        span.set_status(self._status_error)
                    raise
                finally:
                    ctx.span = parent
                    span.end()
            if flag["outer"]:
                meta = ctx.scratch.get("_obs_meta")
                if meta is None:
                    meta = ctx.scratch["_obs_meta"] = {}
                observe_response(ctx, resp, meta, record_content)
            return resp

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

    def upstream_attempt(self, ctx: RequestContext, provider: str, model: str | None) -> Attempt:
        parent = ctx.span
        if not self.tracing or parent is None:
            return MetricAttempt(self, ctx, provider, model)
        if not parent.is_recording():
            sc = parent.get_span_context()
            if sc.is_valid:
                ctx.trace_headers = _trace_headers(sc)
            return MetricAttempt(self, ctx, provider, model)
        p = self.services.providers.get(provider)
        upstream_model = p.upstream_model(model) if p is not None else model
        op = OPERATIONS.get(ctx.endpoint)
        attrs: dict[str, Any] = {"bulwark.provider": provider}
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
        return MetricAttempt(self, ctx, provider, model, span)

    def first_chunk(self, ctx: RequestContext) -> None:
        if ctx.first_byte_at is not None:
            return
        now = ctx.first_byte_at = time.monotonic()
        self.metrics.observe("bulwark_time_to_first_token_seconds", now - ctx.started, provider=ctx.scratch.get("provider", "none"))
        attempts = ctx.scratch.get("_obs_attempts")
        if attempts:
            attempts[-1].first_at = now

    # -- the end of a request ---------------------------------------------------------------
    def request_finished(self, ctx: RequestContext, status: int, outcome: str, error_type: str | None = None) -> None:
        if outcome == "error" and error_type is None:
            # The handler's relay was cancelled (the client went away mid-answer) before it
            # could classify the outcome: count it as what it is, not as a server error.
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                status, outcome, error_type = 499, "client_gone", "client_disconnected"
        super().request_finished(ctx, status, outcome, error_type)
        try:
            self._account(ctx, status, outcome)
        finally:
            if self.tracing and "_obs_server" in ctx.scratch:
                self._end_spans(ctx, status, outcome, error_type)

    def _final_usage(self, ctx: RequestContext, meta: dict[str, Any] | None) -> tuple[int, int, int] | None:
        if not ctx.usage.estimated:
            return usage_numbers(ctx.usage)
        if meta and isinstance(meta.get("usage"), dict):
            return usage_numbers(meta["usage"])
        attempts = ctx.scratch.get("_obs_attempts")
        if attempts:
            for a in reversed(attempts):
                if a.meta and isinstance(a.meta.get("usage"), dict):
                    return usage_numbers(a.meta["usage"])
        return None

    def _account(self, ctx: RequestContext, status: int, outcome: str) -> None:
        meta = ctx.scratch.get("_obs_meta")
        attempts: list[MetricAttempt] = ctx.scratch.get("_obs_attempts") or []
        model_label = ctx.scratch.get("metric_model", "other")
        pricing = pricing_for(self.services)
        m = self.metrics
        usage = self._final_usage(ctx, meta)
        tokens_in = tokens_out = 0
        # Cost per paid attempt (an HTTP answer below 400 is billed), split into the stack.
        paid = [a for a in attempts if a.status is not None and a.status < 400]
        total = 0.0
        if paid:
            first_provider = attempts[0].provider
            last_cost = 0.0
            last = paid[-1]
            resp_model = (meta or {}).get("model")
            if last.meta and isinstance(last.meta.get("usage"), dict):
                last_cost = pricing.cost(last.meta.get("model") or last.model or ctx.model, *usage_numbers(last.meta["usage"]))
            elif usage is not None:
                last_cost = pricing.cost(resp_model or last.model or ctx.model, *usage)
            elif ctx.cost_usd > 0:
                last_cost = ctx.cost_usd
            regenerations = 0
            v = ctx.decisions.get("validate")
            if isinstance(v, dict):
                regenerations = int(v.get("regenerations") or 0)
            for i, a in enumerate(paid):
                if a.meta and isinstance(a.meta.get("usage"), dict):
                    u = usage_numbers(a.meta["usage"])
                    cost = pricing.cost(a.meta.get("model") or a.model or ctx.model, *u)
                    tokens_in += u[0]
                    tokens_out += u[1]
                else:
                    cost = last_cost  # same request answered again: the final answer's cost is the estimate
                    if usage is not None:
                        tokens_in += usage[0]
                        tokens_out += usage[1]
                if a.provider != first_provider:
                    cat = "fallback"
                elif i > 0 and regenerations > 0:
                    cat = "regeneration"
                else:
                    cat = "base"
                if cost > 0:
                    m.inc("bulwark_cost_usd_total", cost, category=cat, model=model_label)
                    total += cost
            if ctx.cost_usd <= 0:
                ctx.cost_usd = total
            if tokens_in or tokens_out:
                m.inc("bulwark_tokens_total", tokens_in, model=model_label, direction="input")
                m.inc("bulwark_tokens_total", tokens_out, model=model_label, direction="output")
        if ctx.endpoint not in MODEL_ENDPOINTS:
            return
        fell_back, reason = ctx.scratch["_obs_fallback"] = fallback_info(ctx)
        if fell_back:
            m.inc("bulwark_fallback_requests_total", reason=reason or "other")
        v = ctx.decisions.get("validate")
        validated = isinstance(v, dict) and "grounding_failed" in v and not v.get("shadow_only")
        if validated:
            m.inc("bulwark_grounding_checks_total", outcome="failed" if v.get("grounding_failed") else "passed")
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
            elapsed = ctx.elapsed
            fields[f"lat:{lat_index(elapsed)}"] = 1.0
        if total:
            fields["cost"] = total
        if validated:
            fields["val"] = 1.0
            if v.get("grounding_failed"):
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
            sources = [meta] if meta else []
            if paid and paid[-1].meta:
                sources.append(paid[-1].meta)
            for src in sources:
                for field in ("id", "x_request_id"):
                    v = src.get(field)
                    if isinstance(v, str) and v != ctx.request_id and 0 < len(v) <= 200:
                        st.map_id(v, target)

    def _end_spans(self, ctx: RequestContext, status: int, outcome: str, error_type: str | None) -> None:
        server = ctx.scratch.pop("_obs_server")
        meta = ctx.scratch.get("_obs_meta") or {}
        attempts: list[MetricAttempt] = ctx.scratch.get("_obs_attempts") or []
        paid_last = None
        for a in attempts:
            if a.status is not None and a.status < 400:
                paid_last = a
        usage = self._final_usage(ctx, meta)
        for a in attempts:
            span = a.span
            if span is None:
                continue
            a.span = None
            if not a._done:  # never finished (cancelled before dispatch could): end it now
                a.finish(error="cancelled")
            am = a.meta if a.meta else (meta if a is paid_last else None)
            attrs: dict[str, Any] = {}
            if a.status is not None:
                attrs["http.response.status_code"] = a.status
            err = a.error or (str(a.status) if a.status is not None and a.status >= 400 else None)
            if err:
                attrs["error.type"] = err
                span.set_status(self._status_error)
            if am:
                if am.get("id"):
                    attrs["gen_ai.response.id"] = am["id"]
                if am.get("model"):
                    attrs["gen_ai.response.model"] = am["model"]
                if am.get("finish_reasons"):
                    attrs["gen_ai.response.finish_reasons"] = [str(x) for x in am["finish_reasons"]]
                u = usage_numbers(am["usage"]) if isinstance(am.get("usage"), dict) else (usage if a is paid_last else None)
                if u is not None:
                    attrs["gen_ai.usage.input_tokens"] = u[0]
                    attrs["gen_ai.usage.output_tokens"] = u[1]
                if self.record_content and am.get("output") is not None:
                    attrs["gen_ai.output.messages"] = _attr_value(am["output"]) or ""
            if a.first_at is not None:
                attrs["gen_ai.response.time_to_first_chunk"] = max(0.0, a.first_at - a.started)
            span.set_attributes(attrs)
            span.end(end_time=a.end_ns or None)
        attrs = decision_attributes(ctx.decisions)
        attrs["http.response.status_code"] = status
        attrs["bulwark.outcome"] = outcome
        if route_is_wild(ctx):
            attrs["url.path"] = "/v1" + ctx.path
        if ctx.cost_usd:
            attrs["bulwark.cost_usd"] = round(ctx.cost_usd, 10)
        if ctx.first_byte_at is not None:
            attrs["bulwark.time_to_first_chunk"] = max(0.0, ctx.first_byte_at - ctx.started)
        if ctx.model:
            attrs["gen_ai.request.model"] = ctx.model
        if usage is not None:
            attrs["gen_ai.usage.input_tokens"] = usage[0]
            attrs["gen_ai.usage.output_tokens"] = usage[1]
        if len(attempts) > 1:
            attrs["bulwark.attempts"] = len(attempts)
        xr = meta.get("x_request_id") or ((paid_last.meta or {}).get("x_request_id") if paid_last is not None else None)
        if xr and xr != ctx.request_id:
            attrs["bulwark.upstream_request_id"] = str(xr)[:200]
        fell_back, reason = ctx.scratch.get("_obs_fallback") or (False, "")
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


__all__ = ["ObservabilityTelemetry", "MetricAttempt", "COST_CATEGORIES", "create"]
