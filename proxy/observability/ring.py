"""Recent traces kept in the process: what the dashboard's waterfall draws, with or without an
OTLP collector.

Each finished request leaves one `TraceRecord`: the request (route, model, status, outcome,
duration, time to first byte, cost, tokens), the plugin layers it went through (start and end
relative to the request), every upstream attempt from the ledger (cause, provider, model asked
and served, status or error, start / first byte / end, tokens, cost, upstream request id) and
the plugins' decisions, copied into plain values when the request ends (no reference to the
request, its body or its answer survives it) and formatted only when read. Two bounded rings hold them: the most recent `size`
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


# What a record keeps, copied out of the request when it ends (plain values; rendered to JSON
# only when someone reads it: the request path pays for a few tuples, not for formatting).
_REQ = ("request_id", "trace_id", "t0", "now", "wall", "method", "endpoint", "path", "model", "key", "status", "outcome",
        "error_type", "served_by", "first_byte_at", "cost_usd", "usage", "fell_back", "layers", "attempts", "decisions")


def _attempt_raw(a: Any) -> tuple[Any, ...]:
    return (a.index, a.cause.value, a.provider, a.kind, a.model, a.served_model, a.status, a.error, a.failover_reason,
            a.started, a.first_byte_at, a.ended_at, a.cost_usd, a.upstream_request_id, a.usage, a.usage_exact)


def _attempt_view(raw: tuple[Any, ...], t0: float, now: float) -> dict[str, Any]:
    (index, cause, provider, kind, model, served, status, error, reason, started, first, ended, cost, upstream_id,
     usage, exact) = raw
    rec: dict[str, Any] = {
        "index": index, "cause": cause, "provider": provider, "kind": kind, "model": _plain(model),
        "served_model": _plain(served), "status": status, "error": _plain(error), "failover_reason": _plain(reason),
        "start_ms": _ms(started - t0), "end_ms": _ms((ended if ended is not None else now) - t0),
        "first_byte_ms": _ms(first - t0) if first is not None else None,
        "cost_usd": round(cost, 10), "upstream_request_id": _plain(upstream_id),
    }
    if usage is not None:
        rec["input_tokens"], rec["output_tokens"], rec["cached_tokens"] = usage
        rec["usage_exact"] = exact
    return rec


def view(raw: tuple[Any, ...]) -> dict[str, Any]:
    """The JSON shape of one record (`/admin/traces`, the dashboard)."""
    r = dict(zip(_REQ, raw))
    t0, now = r["t0"], r["now"]
    out: dict[str, Any] = {
        "request_id": r["request_id"], "trace_id": r["trace_id"], "started_at": round(r["wall"] - (now - t0), 3),
        "method": r["method"], "endpoint": r["endpoint"], "path": "/v1" + r["path"][:_MAX_TEXT], "model": _plain(r["model"]),
        "key": r["key"], "status": r["status"], "outcome": r["outcome"], "error_type": r["error_type"],
        "served_by": r["served_by"], "duration_ms": _ms(now - t0),
        "first_byte_ms": _ms(r["first_byte_at"] - t0) if r["first_byte_at"] is not None else None,
        "cost_usd": round(r["cost_usd"], 10), "fell_back": r["fell_back"],
        "layers": [{"depth": d, "name": n, "start_ms": _ms(s - t0), "end_ms": _ms(e - t0), "error": err}
                   for s, d, n, e, err in sorted(r["layers"], key=_start)],
        "attempts": [_attempt_view(a, t0, now) for a in r["attempts"]],
        "decisions": plain_decisions(r["decisions"]),
    }
    if r["usage"] is not None:
        out["input_tokens"], out["output_tokens"] = r["usage"][0], r["usage"][1]
    return out


class TraceRing:
    def __init__(self, cfg: Any) -> None:
        self.cfg = cfg
        self.recent: deque[tuple[Any, ...]] = deque(maxlen=cfg.size)
        self.notable: deque[tuple[Any, ...]] = deque(maxlen=max(1, cfg.notable_size))
        self.recorded = 0

    def record(self, ctx: Any, layers: list[tuple[float, int, str, float, str | None]], status: int, outcome: str,
               error_type: str | None, fell_back: bool, trace_id: str | None) -> None:
        now = time.monotonic()
        ledger = ctx.ledger
        attempts = ledger.attempts
        ident = ctx.identity
        usage = ledger.usage if any(a.usage is not None for a in attempts) else None
        # `decisions` is the request's own dict (plain values plugins recorded; nobody writes it
        # after the request): kept as it is and bounded when rendered.
        raw = (ctx.request_id, trace_id, ctx.started, now, time.time(), ctx.method, ctx.endpoint, ctx.path, _model_of(ctx),
               ident.key_name or ident.key_id, status, outcome, error_type, ctx.served_by, ctx.first_byte_at, ledger.cost_usd,
               usage, fell_back, layers, [_attempt_raw(a) for a in attempts], ctx.decisions)
        self.recent.append(raw)
        self.recorded += 1
        if self.cfg.notable_size and (status >= 400 or outcome != "ok" or fell_back or now - ctx.started >= self.cfg.slow_seconds):
            self.notable.append(raw)

    def list(self, limit: int = 50, notable: bool = False) -> list[dict[str, Any]]:
        source = self.notable if notable else self.recent
        return [view(raw) for raw in list(reversed(source))[:limit]]

    def get(self, request_id: str) -> dict[str, Any] | None:
        """By Bulwark's request id (`x-bulwark-request-id`) or an upstream's (`x-request-id`)."""
        for source in (self.recent, self.notable):
            for raw in reversed(source):
                if raw[0] == request_id or any(a[13] == request_id for a in raw[19]):
                    return view(raw)
        return None


def _start(layer: tuple[float, int, str, float, str | None]) -> float:
    return layer[0]


def _model_of(ctx: Any) -> Any:
    try:
        return ctx.model
    except Exception:  # noqa: BLE001 - a body that never parsed has no model to show
        return None
