"""The simulator's request plumbing, shared by both faces.

Every API request goes through `api(face, handler)`: record it, parse JSON once, resolve the
script reply and the fault (header `x-sim-fault` > scripted > `set_fault` > chaos draw),
apply what happens before the status line (latency, timeout, reset, error status), then
hand a `Call` to the face (openai_face / anthropic_face) which builds the answer and
writes it with `Call.send_json` / `Call.send_stream` (where the in-stream faults live).
`SimState` is the mutable state the app and its SimServer handle share; `error_body` and
`fault_error` are each face's error shapes.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import math
import os
import random
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable

import orjson
from aiohttp import web

from .billing import Billing
from .config import SimulatorConfig
from .faults import Fault, parse_fault
from .script import Reply, ScriptBook

log = logging.getLogger("bulwark.simulator")

OPENAI = "openai"
ANTHROPIC = "anthropic"
JSON_CT = "application/json"
_FOREVER = 24 * 3600.0

_ID_PREFIX = os.urandom(6).hex()
_ID_COUNTER = itertools.count(1)
ANSWER_CACHE_SIZE = 2048
ANSWER_CACHE_MAX_BODY = 16384  # bytes; bounds the memo to ~32 MB of keys


def new_id(prefix: str) -> str:
    """A unique id like OpenAI's (`prefix` + 24 hex digits), without a syscall per request."""
    return f"{prefix}{_ID_PREFIX}{next(_ID_COUNTER):012x}"


STATE_KEY: web.AppKey["SimState"] = web.AppKey("sim_state", object)  # type: ignore[arg-type]


class SimState:
    """Mutable simulator state shared by the app and its SimServer handle."""

    def __init__(self, cfg: SimulatorConfig) -> None:
        self.cfg = cfg
        self.requests: list[dict[str, Any]] = []
        self.billing = Billing()  # what this provider billed, answer by answer
        self.scripts = ScriptBook()
        self.fault: Fault | None = parse_fault(cfg.fault)
        self.rng = random.Random(cfg.seed)
        self.chaos = [parse_fault(k) for k in cfg.fault_kinds]
        self.delay_s = cfg.stream_delay_ms / 1000.0
        self.cache_prefixes: dict[bytes, None] = {}  # Anthropic prompt-cache simulation (bounded)
        # Computed answers by raw request body (no script, no fault): identical benchmark
        # requests skip token counting and answer generation. Bounded, oldest evicted first.
        self.answer_cache: dict[bytes, Any] = {}
        rl, rt = str(cfg.ratelimit_requests), str(cfg.ratelimit_tokens)
        self.openai_headers = {
            "openai-version": "2020-10-01",
            "openai-organization": "bulwark-simulator",
            "x-ratelimit-limit-requests": rl,
            "x-ratelimit-remaining-requests": str(max(0, cfg.ratelimit_requests - 1)),
            "x-ratelimit-reset-requests": "6ms",
            "x-ratelimit-limit-tokens": rt,
            "x-ratelimit-remaining-tokens": str(max(0, cfg.ratelimit_tokens - 1000)),
            "x-ratelimit-reset-tokens": "6ms",
        }
        self.anthropic_rl = (rl, str(max(0, cfg.ratelimit_requests - 1)), rt, str(max(0, cfg.ratelimit_tokens - 1000)))

    def record(self, request: web.Request, body: bytes, parsed: Any) -> None:
        cap = self.cfg.max_recorded
        if cap <= 0:
            return
        self.requests.append(
            {
                "method": request.method,
                "path": request.path,
                "query": request.query_string,
                "headers": {k.lower(): v for k, v in request.headers.items()},
                "body": body,
                "json": parsed,
                "time": time.time(),
            }
        )
        if len(self.requests) > cap:
            del self.requests[0]

    def draw_chaos(self) -> Fault | None:
        if self.cfg.fault_rate > 0 and self.chaos and self.rng.random() < self.cfg.fault_rate:
            return self.rng.choice(self.chaos)
        return None


class Call:
    """One API request in flight: parsed body, resolved reply/fault, the face's error shape."""

    __slots__ = ("request", "state", "face", "rid", "t0", "body", "raw", "reply", "fault", "delay_s", "extra_headers")

    def __init__(self, request: web.Request, state: SimState, face: str, body: Any, raw: bytes = b"") -> None:
        self.request = request
        self.state = state
        self.face = face
        self.rid = new_id("req_")
        self.raw = raw
        self.t0 = time.perf_counter()
        self.body = body
        self.reply: Reply | None = None
        self.fault: Fault | None = None
        self.delay_s = state.delay_s
        self.extra_headers: dict[str, str] | None = None

    # ---- headers and errors -------------------------------------------------------------
    def headers(self, content_type: str = JSON_CT) -> dict[str, str]:
        ms = str(int((time.perf_counter() - self.t0) * 1000))
        if self.face == ANTHROPIC:
            rl, rr, tl, tr = self.state.anthropic_rl
            reset = (datetime.now(timezone.utc) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            h = {
                "Content-Type": content_type,
                "request-id": self.rid,
                "x-request-id": self.rid,
                "anthropic-organization-id": "bulwark-simulator",
                "anthropic-ratelimit-requests-limit": rl,
                "anthropic-ratelimit-requests-remaining": rr,
                "anthropic-ratelimit-requests-reset": reset,
                "anthropic-ratelimit-tokens-limit": tl,
                "anthropic-ratelimit-tokens-remaining": tr,
                "anthropic-ratelimit-tokens-reset": reset,
                "anthropic-ratelimit-input-tokens-limit": tl,
                "anthropic-ratelimit-input-tokens-remaining": tr,
                "anthropic-ratelimit-input-tokens-reset": reset,
                "anthropic-ratelimit-output-tokens-limit": tl,
                "anthropic-ratelimit-output-tokens-remaining": tr,
                "anthropic-ratelimit-output-tokens-reset": reset,
            }
        else:
            h = {"Content-Type": content_type, "x-request-id": self.rid, "openai-processing-ms": ms}
            h.update(self.state.openai_headers)
        if self.extra_headers:
            h.update(self.extra_headers)
        return h

    def cached(self, compute: Callable[[], Any]) -> Any:
        """`compute()` memoized by raw body, when neither a script nor a fault shapes the answer."""
        if self.reply is not None or self.fault is not None or not self.raw or len(self.raw) > ANSWER_CACHE_MAX_BODY:
            return compute()
        cache = self.state.answer_cache
        hit = cache.get(self.raw)
        if hit is None:
            hit = compute()
            if len(cache) >= ANSWER_CACHE_SIZE:
                cache.pop(next(iter(cache)))
            cache[self.raw] = hit
        return hit

    def error(
        self,
        status: int,
        message: str,
        type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> web.Response:
        h = self.headers()
        if headers:
            h.update(headers)
        return web.Response(status=status, body=error_body(self.face, status, message, type, code, param, self.rid), headers=h)

    # ---- writing answers ----------------------------------------------------------------
    def _bill(self, obj: Any) -> None:
        if isinstance(obj, dict) and isinstance(obj.get("usage"), dict) and isinstance(obj.get("model"), str):
            self.state.billing.add(obj["model"], obj["usage"], self.request.path)

    async def send_json(self, obj: Any, status: int = 200) -> web.StreamResponse:
        body = orjson.dumps(obj)
        if status < 400:
            self._bill(obj)  # generated, so billed: even if a fault breaks the transfer below
        f = self.fault
        if f is not None and f.stream_break is not None:
            kind, _ = f.stream_break
            if kind == "malformed":
                return web.Response(status=status, body=b"{not json", headers=self.headers())
            if kind == "error_event":
                return self.error(500, "The simulator broke this response (fault error_event).", code="server_error")
            resp = web.StreamResponse(status=status, headers=self.headers())
            resp.content_length = len(body)
            await resp.prepare(self.request)
            if kind == "cut":
                await resp.write(body[: len(body) // 2])
                _close(self.request, abrupt=False)
            else:  # stall
                await asyncio.sleep(_FOREVER)
            raise asyncio.CancelledError()
        return web.Response(status=status, body=body, headers=self.headers())

    async def send_stream(self, events: list[bytes], error_event: bytes,
                          bill: tuple[str, dict[str, Any]] | None = None) -> web.StreamResponse:
        """Write SSE `events` (the last one is the terminator: [DONE] / message_stop), applying
        the delay and any in-stream fault (`error_event` is the face's in-band error). `bill`
        is (model, usage of the whole answer): billed in full when every event went out, else
        for the events that did (a cut, a stall, a client that hung up)."""
        sent: list[bytes] = []
        complete = False
        try:
            resp = await self._stream(events, error_event, sent)
            complete = len(sent) == len(events)
            return resp
        finally:
            if bill is not None:
                self.state.billing.add(bill[0], bill[1], self.request.path, sent, complete)

    async def _stream(self, events: list[bytes], error_event: bytes, sent: list[bytes]) -> web.StreamResponse:
        resp = web.StreamResponse(status=200, headers=self.headers("text/event-stream; charset=utf-8"))
        resp.headers["Cache-Control"] = "no-cache"
        await resp.prepare(self.request)
        brk = self.fault.stream_break if self.fault is not None else None
        if brk is not None:
            events = events[: min(brk[1], len(events) - 1)]
        delay = self.delay_s
        if delay <= 0:
            if events:
                await resp.write(b"".join(events))
                sent.extend(events)
        else:
            for i, ev in enumerate(events):
                if i:
                    await asyncio.sleep(delay)
                await resp.write(ev)
                sent.append(ev)
        if brk is not None:
            kind = brk[0]
            if delay > 0 and events:
                await asyncio.sleep(delay)
            if kind == "cut":
                _close(self.request, abrupt=False)
                raise asyncio.CancelledError()
            if kind == "stall":
                await asyncio.sleep(_FOREVER)
                raise asyncio.CancelledError()
            if kind == "malformed":
                await resp.write(b"data: {not json\n\n")
            elif kind == "error_event":
                await resp.write(error_event)
        await resp.write_eof()
        return resp


def _close(request: web.Request, abrupt: bool) -> None:
    transport = request.transport
    if transport is None:
        return
    if abrupt:
        transport.abort()  # type: ignore[attr-defined]
    else:
        transport.close()


_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
_OPENAI_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_denied", "permission_denied"),
    404: ("invalid_request_error", "not_found"),
    429: ("requests", "rate_limit_exceeded"),
}


def error_body(
    face: str, status: int, message: str, type: str | None = None, code: str | None = None, param: str | None = None, rid: str = ""
) -> bytes:
    if face == ANTHROPIC:
        t = type if type and type.endswith("_error") else _ANTHROPIC_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
        return orjson.dumps({"type": "error", "error": {"type": t, "message": message}, "request_id": rid})
    dt, dc = _OPENAI_TYPES.get(status, ("server_error", None) if status >= 500 else ("invalid_request_error", None))
    return orjson.dumps({"error": {"message": message, "type": type or dt, "param": param, "code": code if code is not None else dc}})


_STATUS_MESSAGES = {
    429: "Rate limit reached for requests (simulated). Please try again in 1s.",
    500: "The server had an error while processing your request (simulated).",
    502: "Bad gateway (simulated).",
    503: "The engine is currently overloaded, please try again later (simulated).",
    529: "Overloaded (simulated).",
}


def fault_error(call: Call, f: Fault) -> web.Response:
    status = f.status or 500
    headers: dict[str, str] = {}
    retry = f.retry_after if f.retry_after is not None else (1.0 if status == 429 else None)
    if retry is not None:
        headers["retry-after"] = str(max(1, math.ceil(retry)))
        headers["retry-after-ms"] = str(int(retry * 1000))
    msg = _STATUS_MESSAGES.get(status, f"Simulated error {status}.")
    if call.face == ANTHROPIC:
        t = "overloaded_error" if status in (503, 529) else None
        return call.error(status, msg, type=t, headers=headers)
    code = {429: "rate_limit_exceeded", 503: "overloaded", 529: "overloaded"}.get(status)
    return call.error(status, msg, code=code, headers=headers)


Handler = Callable[[Call], Awaitable[web.StreamResponse]]


def api(face: str, handler: Handler, last_user: Callable[[Any], str | None] | None = None,
        precheck: Callable[[Call], web.StreamResponse | None] | None = None):
    """Wrap a face handler with recording, JSON parsing, script and fault resolution."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        state: SimState = request.app[STATE_KEY]
        raw = await request.read() if request.can_read_body else b""
        parsed: Any = None
        bad_json = False
        if raw:
            try:
                parsed = orjson.loads(raw)
            except orjson.JSONDecodeError:
                bad_json = True
        state.record(request, raw, parsed)
        call = Call(request, state, face, parsed, raw)
        if precheck is not None:
            early = precheck(call)
            if early is not None:
                return early
        if bad_json:
            return call.error(400, "We could not parse the JSON body of your request. The body must be valid JSON.")
        if request.method == "POST" and not isinstance(parsed, dict):
            return call.error(400, "The request body must be a JSON object.")

        # resolve the fault: header > script > server-wide > chaos
        header_spec = request.headers.get("x-sim-fault")
        header_fault = None
        if header_spec is not None:
            try:
                header_fault = parse_fault(header_spec) or Fault(spec="none")
            except ValueError as exc:
                return call.error(400, f"Bad x-sim-fault header: {exc}", param="x-sim-fault")
        if last_user is not None and state.scripts:
            text = last_user(parsed)
            if text is not None:
                call.reply = state.scripts.take(text)
        fault = header_fault
        if fault is None and call.reply is not None:
            fault = call.reply.fault
        if fault is None:
            fault = state.fault
        if fault is None:
            fault = state.draw_chaos()
        if fault is not None and fault.spec == "none":
            fault = None
        call.fault = fault
        d = request.headers.get("x-sim-delay-ms")
        if d is not None:
            try:
                call.delay_s = max(0.0, float(d)) / 1000.0
            except ValueError:
                return call.error(400, "Bad x-sim-delay-ms header: expected milliseconds.", param="x-sim-delay-ms")

        if fault is not None:
            if fault.latency_ms > 0:
                await asyncio.sleep(fault.latency_ms / 1000.0)
            if fault.reset:
                _close(request, abrupt=True)
                raise asyncio.CancelledError()
            if fault.timeout:
                await asyncio.sleep(_FOREVER)
                raise asyncio.CancelledError()
            if fault.status is not None:
                return fault_error(call, fault)
            if fault.context_length:
                if face == ANTHROPIC:
                    return call.error(400, "prompt is too long: 250000 tokens > 200000 maximum")
                return call.error(
                    400,
                    "This model's maximum context length is 128000 tokens. However, your messages resulted in "
                    "250000 tokens. Please reduce the length of the messages.",
                    code="context_length_exceeded",
                    param="messages",
                )
        try:
            return await handler(call)
        except (asyncio.CancelledError, ConnectionError):
            raise
        except Exception as exc:  # a simulator bug: still answer in the API's shape, and say so
            log.exception("simulator failed on %s %s", request.method, request.path)
            return call.error(500, f"The simulator failed on this request ({type(exc).__name__}); this is a bug in "
                                   "proxy/simulator, please report it with the request body.")

    return wrapped
