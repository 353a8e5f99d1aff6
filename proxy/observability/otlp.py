"""A fast OTLP/HTTP (protobuf) trace exporter.

The SDK's OTLP exporter builds a protobuf object per span, attribute and value before
serialising (about 150 us of CPU per span on our test machine, in the batch thread that
shares the GIL with the event loop). This one writes the same wire format directly from
the SDK's ReadableSpans with a few byte operations (proto: opentelemetry/proto/collector/
trace/v1/trace_service.proto, trace/v1/trace.proto); tests decode its output with
`opentelemetry-proto` and compare it with the SDK encoder's.

Endpoint, headers and timeout follow the standard variables when proxy.toml leaves them
empty: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces,
else http://localhost:4318/v1/traces; OTEL_EXPORTER_OTLP_(TRACES_)HEADERS;
OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT. For client certificates or gRPC use the SDK's
exporters (`exporter = "otlp_http_sdk"` / `"otlp_grpc"`).
"""
from __future__ import annotations

import gzip
import logging
import os
import struct
import threading
import time
from typing import Any, Sequence
from urllib.parse import urlsplit

from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

log = logging.getLogger("bulwark.tracing")

_Q = struct.Struct("<Q")
_D = struct.Struct("<d")
_I = struct.Struct("<I")


_SMALL = [bytes((i,)) for i in range(128)]


def _varint(n: int) -> bytes:
    if 0 <= n < 128:
        return _SMALL[n]
    if n < 0:
        n &= 0xFFFFFFFFFFFFFFFF
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _ld(field: int, payload: bytes) -> bytes:
    """A length-delimited field."""
    n = len(payload)
    return _varint((field << 3) | 2) + (_SMALL[n] if n < 128 else _varint(n)) + payload


def _str(field: int, s: str) -> bytes:
    return _ld(field, s.encode("utf-8", "replace"))


_KEYS: dict[str, bytes] = {}  # attribute key -> encoded KeyValue.key field (keys repeat a lot)
# (field, key, type, value) -> the whole encoded KeyValue, for the many repeated pairs
# (operation, provider, route, status...). Bounded: cleared when full.
_KV: dict[tuple[int, str, type, Any], bytes] = {}
_TRUE, _FALSE = b"\x10\x01", b"\x10\x00"


def any_value(v: Any) -> bytes:
    # AnyValue: string_value=1, bool_value=2, int_value=3, double_value=4, array_value=5, bytes_value=7
    t = type(v)
    if t is str:
        b = v.encode("utf-8", "replace")
        n = len(b)
        return b"\x0a" + (_SMALL[n] if n < 128 else _varint(n)) + b
    if t is bool:
        return _TRUE if v else _FALSE
    if t is int:
        return b"\x18" + _varint(v)
    if t is float:
        return b"\x21" + _D.pack(v)
    if t is tuple or t is list:
        return _ld(5, b"".join(_ld(1, any_value(x)) for x in v))
    if t is bytes:
        return _ld(7, v)
    if isinstance(v, bool):
        return _TRUE if v else _FALSE
    if isinstance(v, int):
        return b"\x18" + _varint(int(v))
    if isinstance(v, float):
        return b"\x21" + _D.pack(float(v))
    return _str(1, str(v))


def key_values(field: int, attrs: Any) -> bytes:
    if not attrs:
        return b""
    out = []
    tag = _varint((field << 3) | 2)
    kv_cache = _KV
    for k, v in attrs.items():
        t = type(v)
        ck = (field, k, t, v) if t is str or t is int or t is bool else None
        if ck is not None:
            hit = kv_cache.get(ck)
            if hit is not None:
                out.append(hit)
                continue
        kb = _KEYS.get(k)
        if kb is None:
            kb = _str(1, k)
            if len(_KEYS) < 10_000:
                _KEYS[k] = kb
        val = any_value(v)
        n = len(val)
        body = kb + b"\x12" + (_SMALL[n] if n < 128 else _varint(n)) + val
        n = len(body)
        enc = tag + (_SMALL[n] if n < 128 else _varint(n)) + body
        if ck is not None and n < 256:
            if len(kv_cache) >= 20_000:  # ids are unique: start over rather than grow
                kv_cache.clear()
            kv_cache[ck] = enc
        out.append(enc)
    return b"".join(out)


def encode_span(s: Any) -> bytes:
    sc = s.context
    parts = [
        _ld(1, sc.trace_id.to_bytes(16, "big")),
        _ld(2, sc.span_id.to_bytes(8, "big")),
    ]
    ts = sc.trace_state
    if ts:
        parts.append(_str(3, ts.to_header()))
    if s.parent is not None:
        parts.append(_ld(4, s.parent.span_id.to_bytes(8, "big")))
    parts.append(_str(5, s.name))
    parts.append(b"\x30" + _varint(s.kind.value + 1))  # OTLP kinds are the API's + 1
    parts.append(b"\x39" + _Q.pack(s.start_time or 0))
    parts.append(b"\x41" + _Q.pack(s.end_time or 0))
    parts.append(key_values(9, s.attributes))
    if s.dropped_attributes:
        parts.append(b"\x50" + _varint(s.dropped_attributes))
    for ev in s.events:
        parts.append(_ld(11, b"\x09" + _Q.pack(ev.timestamp or 0) + _str(2, ev.name) + key_values(3, ev.attributes)))
    for link in s.links:
        lc = link.context
        parts.append(_ld(13, _ld(1, lc.trace_id.to_bytes(16, "big")) + _ld(2, lc.span_id.to_bytes(8, "big")) + key_values(4, link.attributes)))
    st = s.status
    code = st.status_code.value if st is not None else 0
    parts.append(_ld(15, (_str(2, st.description) if st is not None and st.description else b"") + (b"\x18" + _varint(code) if code else b"")))
    flags = int(sc.trace_flags) | 0x100 | (0x200 if s.parent is not None and s.parent.is_remote else 0)
    parts.append(b"\x85\x01" + _I.pack(flags))  # field 16, fixed32
    return b"".join(parts)


def encode_request(spans: Sequence[Any]) -> bytes:
    """ExportTraceServiceRequest bytes for SDK ReadableSpans (grouped by resource and scope)."""
    by_resource: dict[int, tuple[Any, dict[int, tuple[Any, list[bytes]]]]] = {}
    for s in spans:
        res = s.resource
        entry = by_resource.get(id(res))
        if entry is None:
            entry = by_resource[id(res)] = (res, {})
        scope = s.instrumentation_scope
        scopes = entry[1]
        se = scopes.get(id(scope))
        if se is None:
            se = scopes[id(scope)] = (scope, [])
        se[1].append(_ld(2, encode_span(s)))
    out = []
    for res, scopes in by_resource.values():
        body = [_ld(1, key_values(1, res.attributes))]
        for scope, encoded in scopes.values():
            head = b""
            if scope is not None:
                head = _ld(1, _str(1, scope.name or "") + (_str(2, scope.version) if scope.version else b""))
            body.append(_ld(2, head + b"".join(encoded) + (_str(3, scope.schema_url) if scope is not None and scope.schema_url else b"")))
        if res.schema_url:
            body.append(_str(3, res.schema_url))
        out.append(_ld(1, b"".join(body)))
    return b"".join(out)


def _env(*names: str) -> str | None:
    for n in names:
        v = os.environ.get(n)
        if v:
            return v
    return None


def traces_endpoint(endpoint: str) -> str:
    """A bare `http://host:4318` gets the standard `/v1/traces` path (HTTP exporter only)."""
    parts = urlsplit(endpoint)
    if parts.path in ("", "/"):
        return endpoint.rstrip("/") + "/v1/traces"
    return endpoint


def resolve_endpoint(configured: str) -> str:
    if configured:
        return traces_endpoint(configured)
    specific = _env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    if specific:
        return specific
    base = _env("OTEL_EXPORTER_OTLP_ENDPOINT")
    if base:
        return base.rstrip("/") + "/v1/traces"
    return "http://localhost:4318/v1/traces"


class FastOTLPSpanExporter(SpanExporter):
    def __init__(self, endpoint: str = "", headers: dict[str, str] | None = None, timeout: float | None = None,
                 compression: str | None = None) -> None:
        import requests

        from opentelemetry.util.re import parse_env_headers

        self.endpoint = resolve_endpoint(endpoint)
        env_headers = parse_env_headers(_env("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS") or "", liberal=True)
        self.headers = {**env_headers, **(headers or {}), "Content-Type": "application/x-protobuf"}
        env_timeout = _env("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT")
        self.timeout = timeout if timeout is not None else (float(env_timeout) / 1000 if env_timeout else 10.0)
        comp = compression or _env("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION") or "none"
        self.gzip = comp.lower() == "gzip"
        if self.gzip:
            self.headers["Content-Encoding"] = "gzip"
        self.session = requests.Session()
        self._shutdown = False
        self._lock = threading.Lock()
        self.failures = 0

    def export(self, spans: Sequence[Any]) -> SpanExportResult:
        """SDK exporter interface (ReadableSpans)."""
        if self._shutdown:
            return SpanExportResult.FAILURE
        ok = self.post(encode_request(spans), len(spans))
        return SpanExportResult.SUCCESS if ok else SpanExportResult.FAILURE

    def post(self, body: bytes, count: int) -> bool:
        """POST one encoded ExportTraceServiceRequest; retries 429/5xx/connection errors until the timeout."""
        if self._shutdown:
            return False
        if self.gzip:
            body = gzip.compress(body, compresslevel=1)
        deadline = time.monotonic() + self.timeout
        delay = 0.5
        while True:
            try:
                with self._lock:
                    r = self.session.post(self.endpoint, data=body, headers=self.headers, timeout=max(0.1, deadline - time.monotonic()))
                if r.ok:
                    return True
                retry = r.status_code in (429, 502, 503, 504)
                err = f"HTTP {r.status_code}"
            except Exception as exc:  # noqa: BLE001 - connection refused, timeouts
                retry, err = True, repr(exc)
            if not retry or self._shutdown or time.monotonic() + delay >= deadline:
                self.failures += 1
                if self.failures == 1 or self.failures % 100 == 0:
                    log.warning("OTLP export of %d spans to %s failed (%s; %d failures so far)", count, self.endpoint, err, self.failures)
                return False
            time.sleep(delay)
            delay *= 2

    def shutdown(self) -> None:
        self._shutdown = True
        self.session.close()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True
