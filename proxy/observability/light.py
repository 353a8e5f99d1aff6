"""A lightweight tracer for the hot path: W3C trace context, parent-based ratio sampling, spans
as plain slotted objects, exported in batches by a background thread through the fast OTLP
encoder (`proxy.observability.otlp`).

Why: the OpenTelemetry SDK's span objects (locks, attribute validation, readable copies on
end) cost ~30-70 us of CPU each on our test machine, several times a whole span's share of
Bulwark's overhead budget. Bulwark only needs what it exports: ids, parent, name, kind, times,
attributes, status and events. The SDK engine stays available (and is used for the SDK
exporters: `otlp_http_sdk`, `otlp_grpc`, `console`); both produce the same OTLP.

Span API used by Bulwark and plugins (`ctx.span`): set_attribute, set_attributes, add_event,
set_status, record_exception, is_recording, get_span_context, end.
"""
from __future__ import annotations

import logging
import os
import random
import re
import threading
import time
from collections import deque
from typing import Any, Sequence

from .otlp import _ld, _str, _varint, key_values, _Q, _I

log = logging.getLogger("bulwark.tracing")

INTERNAL, SERVER, CLIENT = 1, 2, 3  # OTLP span kinds
STATUS_UNSET, STATUS_OK, STATUS_ERROR = 0, 1, 2
_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$")
_MASK64 = (1 << 64) - 1


class Kinds:
    SERVER = SERVER
    CLIENT = CLIENT
    INTERNAL = INTERNAL


class LightSpanContext:
    __slots__ = ("trace_id", "span_id", "trace_flags", "trace_state", "is_remote")

    def __init__(self, trace_id: int, span_id: int, trace_flags: int, trace_state: str = "", is_remote: bool = False) -> None:
        self.trace_id = trace_id
        self.span_id = span_id
        self.trace_flags = trace_flags
        self.trace_state = trace_state
        self.is_remote = is_remote

    @property
    def is_valid(self) -> bool:
        return self.trace_id != 0 and self.span_id != 0


class RemoteParent:
    """A caller's span context (from `traceparent`), usable as a parent."""

    __slots__ = ("context",)

    def __init__(self, context: LightSpanContext) -> None:
        self.context = context

    def get_span_context(self) -> LightSpanContext:
        return self.context

    def is_recording(self) -> bool:
        return False


class LightSpan:
    __slots__ = ("tracer", "name", "kind", "context", "parent_id", "parent_remote", "start", "end_ns", "attributes",
                 "status", "status_message", "events", "_recording")

    def __init__(self, tracer: "LightTracer", name: str, kind: int, context: LightSpanContext, parent: LightSpanContext | None,
                 attributes: dict[str, Any] | None, recording: bool) -> None:
        self.tracer = tracer
        self.name = name
        self.kind = kind
        self.context = context
        self.parent_id = parent.span_id if parent is not None else 0
        self.parent_remote = parent.is_remote if parent is not None else False
        self.start = time.time_ns()
        self.end_ns = 0
        self.attributes: dict[str, Any] = dict(attributes) if attributes else {}
        self.status = STATUS_UNSET
        self.status_message = ""
        self.events: list[tuple[int, str, dict[str, Any]]] | None = None
        self._recording = recording

    # -- the span API -------------------------------------------------------------------
    def is_recording(self) -> bool:
        return self._recording and not self.end_ns

    def get_span_context(self) -> LightSpanContext:
        return self.context

    def set_attribute(self, key: str, value: Any) -> None:
        if self._recording and value is not None and len(self.attributes) < 128:
            self.attributes[key] = value

    def set_attributes(self, attributes: dict[str, Any]) -> None:
        if self._recording:
            for k, v in attributes.items():
                if v is not None and len(self.attributes) < 128:
                    self.attributes[k] = v

    def add_event(self, name: str, attributes: dict[str, Any] | None = None, timestamp: int | None = None) -> None:
        if self._recording:
            if self.events is None:
                self.events = []
            if len(self.events) < 64:
                self.events.append((timestamp or time.time_ns(), name, dict(attributes or {})))

    def set_status(self, status: Any, description: str | None = None) -> None:
        code = getattr(status, "status_code", status)
        code = getattr(code, "value", code)
        if isinstance(code, int):
            self.status = code
        desc = description or getattr(status, "description", None)
        if desc:
            self.status_message = str(desc)

    def record_exception(self, exc: BaseException, attributes: dict[str, Any] | None = None, **_: Any) -> None:
        self.add_event("exception", {"exception.type": type(exc).__name__, "exception.message": str(exc)[:1024], **(attributes or {})})

    def end(self, end_time: int | None = None) -> None:
        if self.end_ns:
            return
        self.end_ns = end_time or time.time_ns()
        if self._recording:
            self.tracer.processor.on_end(self)

    def __enter__(self) -> "LightSpan":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.end()


def encode_light(spans: Sequence[LightSpan], resource: bytes, scope: bytes) -> bytes:
    parts = []
    for s in spans:
        c = s.context
        body = [_ld(1, c.trace_id.to_bytes(16, "big")), _ld(2, c.span_id.to_bytes(8, "big"))]
        if c.trace_state:
            body.append(_str(3, c.trace_state))
        if s.parent_id:
            body.append(_ld(4, s.parent_id.to_bytes(8, "big")))
        body.append(_str(5, s.name))
        body.append(b"\x30" + _varint(s.kind))
        body.append(b"\x39" + _Q.pack(s.start))
        body.append(b"\x41" + _Q.pack(s.end_ns))
        body.append(key_values(9, s.attributes))
        if s.events:
            for ts, name, attrs in s.events:
                body.append(_ld(11, b"\x09" + _Q.pack(ts) + _str(2, name) + key_values(3, attrs)))
        body.append(_ld(15, (_str(2, s.status_message) if s.status_message else b"") + (b"\x18" + _varint(s.status) if s.status else b"")))
        body.append(b"\x85\x01" + _I.pack((c.trace_flags & 0xFF) | 0x100 | (0x200 if s.parent_remote else 0)))
        parts.append(_ld(2, b"".join(body)))
    return _ld(1, _ld(1, resource) + _ld(2, scope + b"".join(parts)))


class BatchExporter:
    """Bounded queue + one background thread that encodes and posts batches."""

    def __init__(self, tracer: "LightTracer", sink: Any, max_queue: int, delay_s: float, batch: int) -> None:
        self.tracer = tracer
        self.sink = sink  # callable(bytes payload, count) -> bool, or a list for the memory exporter
        self.queue: deque[LightSpan] = deque()
        self.max_queue = max_queue
        self.delay = delay_s
        self.batch = batch
        self.dropped = 0
        self._wake = threading.Event()
        self._flushed = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._inflight = 0

    def on_end(self, span: LightSpan) -> None:
        if len(self.queue) >= self.max_queue:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.warning("trace export queue full: %d spans dropped (exporter too slow or unreachable)", self.dropped)
            return
        self.queue.append(span)
        if self._thread is None:
            self._start()
        elif len(self.queue) >= self.batch:
            self._wake.set()

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="bulwark-otlp-export", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while self.queue:
            spans = []
            while self.queue and len(spans) < self.batch:
                spans.append(self.queue.popleft())
            self._inflight += 1
            try:
                self.tracer.export(spans)
            except Exception:  # noqa: BLE001 - never kill the export thread
                log.exception("trace export failed")
            finally:
                self._inflight -= 1

    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(self.delay)
            self._wake.clear()
            self._drain()
            with self._flushed:
                self._flushed.notify_all()
        self._drain()

    def force_flush(self, timeout: float = 30.0) -> None:
        if self._thread is None:
            return
        deadline = time.monotonic() + timeout
        while (self.queue or self._inflight) and time.monotonic() < deadline:
            self._wake.set()
            with self._flushed:
                self._flushed.wait(0.05)

    def shutdown(self, timeout: float = 5.0) -> None:
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)


def resource_attributes(service_name: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {"telemetry.sdk.language": "python", "telemetry.sdk.name": "bulwark"}
    for item in (os.environ.get("OTEL_RESOURCE_ATTRIBUTES") or "").split(","):
        k, sep, v = item.partition("=")
        if sep and k.strip():
            attrs[k.strip()] = v.strip()
    attrs["service.name"] = service_name
    return attrs


class LightTracer:
    def __init__(self, service_name: str, cfg: Any, exporter: Any) -> None:
        self.ratio_bound = int(cfg.sample_ratio * (1 << 64)) if cfg.sample_ratio < 1.0 else 1 << 64
        self.exporter = exporter  # FastOTLPSpanExporter, a list (memory) or None
        self.memory: list[LightSpan] | None = exporter if isinstance(exporter, list) else None
        self.resource_attrs = resource_attributes(service_name)
        self._resource = key_values(1, self.resource_attrs)
        self._scope = _ld(1, _str(1, "bulwark"))
        self.processor = BatchExporter(self, exporter, cfg.max_queue_size, cfg.schedule_delay_ms / 1000.0, cfg.max_export_batch_size)
        self._rand = random.Random()

    # -- propagation ----------------------------------------------------------------------
    def extract(self, headers: Any) -> RemoteParent | None:
        tp = headers.get("traceparent")
        if not tp:
            return None
        m = _TRACEPARENT.match(tp.strip().lower())
        if m is None or m.group(1) == "ff":
            return None
        trace_id, span_id = int(m.group(2), 16), int(m.group(3), 16)
        if not trace_id or not span_id:
            return None
        state = headers.get("tracestate") or ""
        return RemoteParent(LightSpanContext(trace_id, span_id, int(m.group(4), 16), state[:512], True))

    # -- spans --------------------------------------------------------------------------------
    def start_span(self, name: str, context: Any = None, kind: int = INTERNAL, attributes: dict[str, Any] | None = None) -> LightSpan:
        parent = context.get_span_context() if context is not None else None
        rnd = self._rand.getrandbits
        if parent is not None and parent.is_valid:
            trace_id, flags, state = parent.trace_id, parent.trace_flags, parent.trace_state
            sampled = bool(flags & 1)
        else:
            parent = None
            trace_id = rnd(128) or 1
            sampled = (trace_id & _MASK64) < self.ratio_bound
            flags, state = (1 if sampled else 0), ""
        span_id = rnd(64) or 1
        return LightSpan(self, name, kind, LightSpanContext(trace_id, span_id, flags, state), parent, attributes if sampled else None, sampled)

    # -- export -----------------------------------------------------------------------------
    def export(self, spans: list[LightSpan]) -> None:
        if self.memory is not None:
            self.memory.extend(spans)
            return
        if self.exporter is None:
            return
        self.exporter.post(encode_light(spans, self._resource, self._scope), len(spans))

    def force_flush(self) -> None:
        self.processor.force_flush()

    def shutdown(self) -> None:
        self.processor.shutdown()
        if self.exporter is not None and hasattr(self.exporter, "shutdown"):
            self.exporter.shutdown()
