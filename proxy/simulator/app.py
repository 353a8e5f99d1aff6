"""The simulator's aiohttp app: the two faces' routes, the control API and the server lifecycle.

The request plumbing every API route goes through (`api`, `Call`, `SimState`) is in `wire`;
the faces (openai_face, anthropic_face) build the answers.
"""
from __future__ import annotations

import asyncio
from typing import Any

import orjson
from aiohttp import web

from . import anthropic_face, openai_face
from .config import SimulatorConfig
from .faults import parse_fault
from .wire import JSON_CT, OPENAI, STATE_KEY, SimState, error_body

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


async def ctl_billing(request: web.Request) -> web.Response:
    """What the simulated provider billed (one record per answer) and the totals."""
    recs = request.app[STATE_KEY].billing.records
    return _json_response({"total": len(recs), "prompt_tokens": sum(b.prompt_tokens for b in recs),
                           "completion_tokens": sum(b.completion_tokens for b in recs), "bills": [b.to_dict() for b in recs]})


async def ctl_clear_billing(request: web.Request) -> web.Response:
    request.app[STATE_KEY].billing.clear()
    return _json_response({"total": 0})


async def ctl_health(request: web.Request) -> web.Response:
    state: SimState = request.app[STATE_KEY]
    return _json_response({"status": "ok", "config": state.cfg.model_dump()})


def create_app(cfg: SimulatorConfig | None = None, state: SimState | None = None) -> web.Application:
    """The simulator as an aiohttp Application (state at app[STATE_KEY])."""
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
    r.add_get("/sim/billing", ctl_billing)
    r.add_delete("/sim/billing", ctl_clear_billing)
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

    @property
    def billing(self) -> list[Any]:
        """What this provider billed, one `Bill` per answer (proxy.simulator.billing)."""
        return self.state.billing.records

    def script(self, match: str, replies: list[dict[str, Any]]) -> None:
        self.state.scripts.add(match, replies)

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
