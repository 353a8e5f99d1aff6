"""The simulator's aiohttp app, request plumbing, control API and server lifecycle.

Every API request goes through `_api(handler)`: record it, parse JSON once, resolve the
script reply and the fault (header `x-sim-fault` > scripted > `set_fault` > chaos draw),
apply what happens before the status line (latency, timeout, reset, error status), then
hand a `Call` to the face (openai_face / anthropic_face) which builds the answer and
writes it with `Call.send_json` / `Call.send_stream` (where the in-stream faults live).
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
    async def send_json(self, obj: Any, status: int = 200) -> web.StreamResponse:
        body = orjson.dumps(obj)
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

    async def send_stream(self, events: list[bytes], error_event: bytes) -> web.StreamResponse:
        """Write SSE `events` (the last one is the terminator: [DONE] / message_stop), applying
        the delay and any in-stream fault (`error_event` is the face's in-band error)."""
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
        else:
            for i, ev in enumerate(events):
                if i:
                    await asyncio.sleep(delay)
                await resp.write(ev)
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


# ---- control API (/sim/...) -------------------------------------------------------------
def _json_response(obj: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(obj), content_type=JSON_CT)


def _ctl_error(status: int, message: str) -> web.Response:
    return web.Response(status=status, body=error_body(OPENAI, status, message), content_type=JSON_CT)


async def _ctl_body(request: web.Request) -> Any:
    try:
        return orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        return None


async def ctl_set_fault(request: web.Request) -> web.Response:
    state: SimState = request.app[STATE_KEY]
    body = await _ctl_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("spec"), (str, type(None))):
        return _ctl_error(400, 'Expected a JSON body {"spec": "<fault spec>"} (e.g. "429" or "cut=3").')
    try:
        state.fault = parse_fault(body.get("spec"))
    except ValueError as exc:
        return _ctl_error(400, str(exc))
    return _json_response({"fault": state.fault.spec if state.fault else None})


async def ctl_clear_fault(request: web.Request) -> web.Response:
    request.app[STATE_KEY].fault = None
    return _json_response({"fault": None})


async def ctl_get_fault(request: web.Request) -> web.Response:
    f = request.app[STATE_KEY].fault
    return _json_response({"fault": f.spec if f else None})


async def ctl_add_script(request: web.Request) -> web.Response:
    state: SimState = request.app[STATE_KEY]
    body = await _ctl_body(request)
    if not isinstance(body, dict):
        return _ctl_error(400, 'Expected a JSON body {"match": "...", "replies": [{"content": "..."}]}.')
    try:
        state.scripts.add(body.get("match", ""), body.get("replies"))
    except ValueError as exc:
        return _ctl_error(400, str(exc))
    return _json_response({"scripts": state.scripts.describe()})


async def ctl_list_scripts(request: web.Request) -> web.Response:
    return _json_response({"scripts": request.app[STATE_KEY].scripts.describe()})


async def ctl_clear_scripts(request: web.Request) -> web.Response:
    request.app[STATE_KEY].scripts.clear()
    return _json_response({"scripts": []})


def _public(rec: dict[str, Any]) -> dict[str, Any]:
    out = dict(rec)
    out["body"] = rec["body"].decode("utf-8", "replace")
    return out


async def ctl_requests(request: web.Request) -> web.Response:
    state: SimState = request.app[STATE_KEY]
    try:
        limit = int(request.query.get("limit", "50"))
    except ValueError:
        return _ctl_error(400, "limit must be an integer")
    recs = state.requests[-limit:] if limit > 0 else []
    return _json_response({"total": len(state.requests), "requests": [_public(r) for r in recs]})


async def ctl_clear_requests(request: web.Request) -> web.Response:
    request.app[STATE_KEY].requests.clear()
    return _json_response({"total": 0})


async def ctl_health(request: web.Request) -> web.Response:
    state: SimState = request.app[STATE_KEY]
    return _json_response({"status": "ok", "config": state.cfg.model_dump()})


def create_app(cfg: SimulatorConfig | None = None, state: SimState | None = None) -> web.Application:
    """The simulator as an aiohttp Application (state at app[STATE_KEY])."""
    from . import anthropic_face, openai_face

    cfg = cfg or SimulatorConfig()
    state = state or SimState(cfg)
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[STATE_KEY] = state
    openai_face.add_routes(app)
    if cfg.anthropic:
        anthropic_face.add_routes(app)
    r = app.router
    r.add_post("/sim/fault", ctl_set_fault)
    r.add_delete("/sim/fault", ctl_clear_fault)
    r.add_get("/sim/fault", ctl_get_fault)
    r.add_post("/sim/script", ctl_add_script)
    r.add_get("/sim/script", ctl_list_scripts)
    r.add_delete("/sim/script", ctl_clear_scripts)
    r.add_get("/sim/requests", ctl_requests)
    r.add_delete("/sim/requests", ctl_clear_requests)
    r.add_get("/sim/health", ctl_health)
    openai_face.add_fallback(app)
    return app


class SimServer:
    """A running simulator (from `start`)."""

    def __init__(self, runner: web.AppRunner, state: SimState, host: str, port: int) -> None:
        self._runner = runner
        self.state = state
        self.host = host
        self.port = port
        self.base = f"http://{host}:{port}"
        self.url = self.base + "/v1"

    @property
    def config(self) -> SimulatorConfig:
        return self.state.cfg

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.state.requests

    def script(self, match: str, replies: list[dict[str, Any]]) -> None:
        self.state.scripts.add(match, replies)

    def clear_scripts(self) -> None:
        self.state.scripts.clear()

    def set_fault(self, spec: str | None) -> None:
        self.state.fault = parse_fault(spec)

    def reset(self) -> None:
        """Forget requests, scripts and the server-wide fault."""
        self.state.requests.clear()
        self.state.scripts.clear()
        self.state.fault = None

    async def aclose(self) -> None:
        await self._runner.cleanup()

    async def __aenter__(self) -> "SimServer":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()


async def start(cfg: SimulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0, **fields: Any) -> SimServer:
    """Start a simulator on (host, port); port 0 picks a free one. `fields` override `cfg`."""
    if cfg is None:
        cfg = SimulatorConfig(**fields)
    elif fields:
        cfg = SimulatorConfig(**{**cfg.model_dump(), **fields})
    state = SimState(cfg)
    app = create_app(cfg, state)
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=0.2)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    real_port = runner.addresses[0][1]
    return SimServer(runner, state, host, real_port)


def run(host: str = "127.0.0.1", port: int = 9000, cfg: SimulatorConfig | None = None) -> None:
    """Serve until interrupted (the `bulwark simulate` command). Uses uvloop when present."""
    cfg = cfg or SimulatorConfig()
    try:
        import uvloop

        loop = uvloop.new_event_loop()
    except ImportError:  # pragma: no cover
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    app = create_app(cfg)

    def _print(*_: Any) -> None:
        print(f"Bulwark simulator on http://{host}:{port}/v1 (OpenAI{' + Anthropic' if cfg.anthropic else ''}); "
              f"control API at http://{host}:{port}/sim/ ; Ctrl-C to stop", flush=True)

    web.run_app(app, host=host, port=port, handler_cancellation=True, access_log=None, shutdown_timeout=0.5,
                print=_print, loop=loop)
