"""Recent traces kept in the process: what the dashboard's waterfall draws, with or without an
OTLP collector.

Each finished request leaves one `TraceRecord`: the request (route, model, status, outcome,
duration, time to first byte, cost, tokens), the plugin layers it went through (start and end
relative to the request), every upstream attempt from the ledger (cause, provider, model asked
and served, status or error, start / first byte / end, tokens, cost, upstream request id) and
the plugins' decisions, all copied into plain values at once (no reference to the request, its
body or its answer survives it). Two bounded rings hold them: the most recent `size`
requests, and `notable_size` of the recent ones that failed, fell back, or were slow, so a
burst of healthy traffic does not push the interesting ones out. Memory is bounded by the
sizes (a record is a few hundred bytes to a few KB: decision values are cut to 200 characters).

Cost on the request path (tracing off, ring on): one small object per request, two clock reads
per plugin layer, and building the record at the end (`bench/bench_tracing.py --ring` measures it).
"""
from __future__ import annotations

import time
from collections import deque
from typing import Any

_MAX_TEXT = 200
_MAX_DECISIONS = 32


def _plain(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, float)):
        return v
    if isinstance(v, str):
        return v[:_MAX_TEXT]
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v[:8]]
    return str(v)[:_MAX_TEXT]


def plain_decisions(decisions: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    n = 0
    for plugin, fields in decisions.items():
        if not isinstance(fields, dict):
            fields = {"value": fields}
        row: dict[str, Any] = {}
        for k, v in fields.items():
            if n >= _MAX_DECISIONS:
                break
            row[str(k)[:64]] = _plain(v)
            n += 1
        out[str(plugin)[:64]] = row
    return out


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


def attempt_record(a: Any, t0: float) -> dict[str, Any]:
    end = a.ended_at if a.ended_at is not None else time.monotonic()
    rec: dict[str, Any] = {
        "index": a.index, "cause": a.cause.value, "provider": a.provider, "kind": a.kind,
        "model": _plain(a.model), "served_model": _plain(a.served_model), "status": a.status, "error": _plain(a.error),
        "failover_reason": _plain(a.failover_reason), "start_ms": _ms(a.started - t0), "end_ms": _ms(end - t0),
        "first_byte_ms": _ms(a.first_byte_at - t0) if a.first_byte_at is not None else None,
        "cost_usd": round(a.cost_usd, 10), "upstream_request_id": _plain(a.upstream_request_id),
    }
    if a.usage is not None:
        rec["input_tokens"], rec["output_tokens"], rec["cached_tokens"] = a.usage
        rec["usage_exact"] = a.usage_exact
    return rec


class TraceRing:
    def __init__(self, cfg: Any) -> None:
        self.cfg = cfg
        self.recent: deque[dict[str, Any]] = deque(maxlen=cfg.size)
        self.notable: deque[dict[str, Any]] = deque(maxlen=max(1, cfg.notable_size))
        self.recorded = 0

    def record(self, ctx: Any, layers: list[tuple[float, int, str, float, str | None]], status: int, outcome: str,
               error_type: str | None, fell_back: bool, trace_id: str | None) -> dict[str, Any]:
        t0 = ctx.started
        now = time.monotonic()
        ledger = ctx.ledger
        attempts = [attempt_record(a, t0) for a in ledger.attempts]
        rec: dict[str, Any] = {
            "request_id": ctx.request_id, "trace_id": trace_id, "started_at": round(time.time() - (now - t0), 3),
            "method": ctx.method, "endpoint": ctx.endpoint, "path": "/v1" + ctx.path[:_MAX_TEXT],
            "model": _plain(_model_of(ctx)), "key": ctx.identity.key_name or ctx.identity.key_id,
            "status": status, "outcome": outcome, "error_type": error_type, "served_by": ctx.served_by,
            "duration_ms": _ms(now - t0), "first_byte_ms": _ms(ctx.first_byte_at - t0) if ctx.first_byte_at is not None else None,
            "cost_usd": round(ledger.cost_usd, 10), "fell_back": fell_back,
            "layers": [{"depth": d, "name": n, "start_ms": _ms(s - t0), "end_ms": _ms(e - t0), "error": err}
                       for s, d, n, e, err in sorted(layers, key=_start)],
            "attempts": attempts, "decisions": plain_decisions(ctx.decisions),
        }
        if any(a.usage is not None for a in ledger.attempts):
            u = ledger.usage
            rec["input_tokens"], rec["output_tokens"] = u[0], u[1]
        self.recent.append(rec)
        self.recorded += 1
        if self.cfg.notable_size and (status >= 400 or outcome != "ok" or fell_back or now - t0 >= self.cfg.slow_seconds):
            self.notable.append(rec)
        return rec

    def list(self, limit: int = 50, notable: bool = False) -> list[dict[str, Any]]:
        source = self.notable if notable else self.recent
        return list(reversed(source))[:limit]

    def get(self, request_id: str) -> dict[str, Any] | None:
        """By Bulwark's request id (`x-bulwark-request-id`) or an upstream's (`x-request-id`)."""
        for source in (self.recent, self.notable):
            for rec in reversed(source):
                if rec["request_id"] == request_id or any(a["upstream_request_id"] == request_id for a in rec["attempts"]):
                    return rec
        return None


def _start(layer: tuple[float, int, str, float, str | None]) -> float:
    return layer[0]


def _model_of(ctx: Any) -> Any:
    try:
        return ctx.model
    except Exception:  # noqa: BLE001 - a body that never parsed has no model to show
        return None
