"""Tracing overhead: Bulwark with tracing off vs on (100 % sampling, OTLP/HTTP export to a
loopback receiver), same chain, same upstream, in the same run; or, with `--compare ring`,
the in-process ring of recent traces off vs on (tracing off, no collector: the shipped default).

    python bench/bench_tracing.py [--requests 3000] [--rounds 6] [--plugins example] [--compare tracing|ring]

Processes: the simulated upstream and a loopback OTLP receiver (CPU 0), two Bulwark servers
(tracing off / on, both pinned to CPU 1 when `taskset` exists), the load generator (CPU 0).
Requests alternate between the two servers in batches (rounds) so drift hits both alike.
Reports per mode: client latency at concurrency 1 (mean, p50, p99), and the Bulwark process's
CPU time per request (/proc/<pid>/stat, includes the span export thread), then the deltas.
A second, in-process measurement times only the telemetry hooks of one request (no network)
in three set-ups: nothing (tracing off, ring off), the ring only (the shipped default), and
tracing on with the ring.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BODY = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello in five words."}], "max_tokens": 16})
HEADERS = {"Authorization": "Bearer sk-bench", "Content-Type": "application/json"}

RECEIVER = r"""
import sys
from aiohttp import web
count = 0
async def traces(request):
    global count
    await request.read()
    count += 1
    return web.Response(body=b"", content_type="application/x-protobuf")
async def stats(request):
    return web.json_response({"posts": count})
app = web.Application(client_max_size=64 * 1024 * 1024)
app.router.add_post("/v1/traces", traces)
app.router.add_get("/stats", stats)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpu: int, argv: list[str]) -> list[str]:
    return (["taskset", "-c", str(cpu)] + argv) if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else argv


def start(argv: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def wait_ready(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as s:
        while time.monotonic() < deadline:
            try:
                async with s.get(url) as r:
                    if r.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def config(sim_port: int, port: int, plugins: list[str], tracing: bool, receiver_port: int, sample_ratio: float = 1.0,
           exporter: str = "otlp_http", ring: bool = True) -> str:
    lines = [
        "[server]", 'host = "127.0.0.1"', f"port = {port}", "", "[auth]", 'mode = "managed"', "[[auth.keys]]", 'name = "bench"',
        'key = "sk-bench"', "", "[providers.sim]", 'type = "openai"', f'base_url = "http://127.0.0.1:{sim_port}/v1"', "",
        "[chain]", "plugins = [" + ", ".join(f'"{p}"' for p in plugins) + "]", "",
        "[state]", f'data_dir = "{tempfile.mkdtemp(prefix="bulwark-bench-var-")}"', "",
        "[telemetry.tracing]", f"enabled = {'true' if tracing else 'false'}", f"sample_ratio = {sample_ratio}", f'exporter = "{exporter}"',
        f'endpoint = "http://127.0.0.1:{receiver_port}"', "schedule_delay_ms = 500", "",
        "[telemetry.recent_traces]", f"enabled = {'true' if ring else 'false'}",
    ]
    path = Path(tempfile.mkstemp(suffix=".toml", prefix="bulwark-bench-tracing-")[1])
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_pid(proc: subprocess.Popen[bytes]) -> int:
    """The python process itself (taskset execs it, so the pid is the same)."""
    return proc.pid


async def batch(session: aiohttp.ClientSession, url: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        async with session.post(url, data=BODY, headers=HEADERS) as r:
            await r.read()
            if r.status != 200:
                raise RuntimeError(f"{url}: HTTP {r.status}")
        out.append(time.perf_counter() - t)
    return out


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


async def end_to_end(args: argparse.Namespace) -> dict[str, Any]:
    sim_port, rec_port, off_port, on_port = free_port(), free_port(), free_port(), free_port()
    py = sys.executable
    procs = [
        start(pinned(0, [py, "-m", "proxy", "simulate", "--port", str(sim_port)])),
        start(pinned(0, [py, "-c", RECEIVER, str(rec_port)])),
    ]
    servers = {}
    for mode, port in (("off", off_port), ("on", on_port)):
        if args.compare == "ring":  # tracing off on both; the ring off vs on
            cfg = config(sim_port, port, args.plugins, False, rec_port, ring=mode == "on")
        else:  # the ring as configured (--no-ring), tracing off vs on
            cfg = config(sim_port, port, args.plugins, mode == "on", rec_port, args.sample_ratio, args.exporter, ring=args.ring)
        p = start(pinned(1, [py, "-m", "proxy", "serve", "--config", cfg]))
        procs.append(p)
        servers[mode] = (p, f"http://127.0.0.1:{port}")
    try:
        await wait_ready(f"http://127.0.0.1:{sim_port}/v1/models")
        await wait_ready(f"http://127.0.0.1:{rec_port}/stats")
        for _, base in servers.values():
            await wait_ready(base + "/healthz")
        lat: dict[str, list[float]] = {"off": [], "on": []}
        cpu: dict[str, float] = {"off": 0.0, "on": 0.0}
        per_round = max(1, args.requests // args.rounds)
        async with aiohttp.ClientSession() as s:
            for mode, (_, base) in servers.items():  # warm-up (imports, tokenizer, connections)
                await batch(s, base + "/v1/chat/completions", 300)
            for r in range(args.rounds):
                for mode in (("off", "on") if r % 2 == 0 else ("on", "off")):
                    proc, base = servers[mode]
                    c0 = cpu_seconds(server_pid(proc))
                    lat[mode] += await batch(s, base + "/v1/chat/completions", per_round)
                    await asyncio.sleep(0.6)  # let the batch exporter ship this round's spans (counted in CPU)
                    cpu[mode] += cpu_seconds(server_pid(proc)) - c0
            async with s.get(f"http://127.0.0.1:{rec_port}/stats") as resp:
                posts = (await resp.json())["posts"]
        out: dict[str, Any] = {"requests_per_mode": len(lat["off"]), "otlp_posts_received": posts}
        for mode in ("off", "on"):
            xs = lat[mode]
            out[mode] = {"mean_ms": statistics.fmean(xs) * 1000, "p50_ms": pct(xs, 0.5) * 1000, "p99_ms": pct(xs, 0.99) * 1000,
                         "cpu_ms_per_request": cpu[mode] / len(xs) * 1000}
        out["added_mean_ms"] = out["on"]["mean_ms"] - out["off"]["mean_ms"]
        out["added_p50_ms"] = out["on"]["p50_ms"] - out["off"]["p50_ms"]
        out["added_cpu_ms_per_request"] = out["on"]["cpu_ms_per_request"] - out["off"]["cpu_ms_per_request"]
        return out
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def hooks_only(n: int, plugins: int) -> dict[str, Any]:
    """In-process: CPU time of the telemetry hooks of one request, tracing off vs on (in-memory exporter)."""
    from proxy.config import parse_config
    from proxy.assembly import Assembly
    from proxy.context import RequestContext
    from proxy.ledger import Ledger
    from proxy.observability import create_telemetry
    from proxy.plugin import Plugin, PluginConfig, _layer
    from proxy.response import ProxyResponse
    from proxy.services import Services
    from proxy.state.memory import MemoryState

    body = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}).encode()
    answer = json.dumps({"id": "chatcmpl-1", "model": "gpt-4o-mini", "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "hello"}}],
                         "usage": {"prompt_tokens": 8, "completion_tokens": 2}}).encode()

    class Noop(Plugin):
        name = "noop"

        async def __call__(self, ctx: Any, call_next: Any) -> Any:
            return await call_next(ctx)

    def run(tracing: bool, ring: bool = True) -> float:
        cfg = parse_config({"providers": {"sim": {"type": "openai", "base_url": "http://127.0.0.1:9/v1"}},
                            "telemetry": {"tracing": {"enabled": tracing, "exporter": "memory"}, "stats": {"enabled": True},
                                          "recent_traces": {"enabled": ring}, "probe": {"enabled": False}}})
        services = Services(config=cfg, state=MemoryState())
        from proxy.providers import provider_class

        services.providers["sim"] = provider_class("openai")("sim", cfg.providers["sim"], services)
        tel = create_telemetry(services)
        services.telemetry = tel  # type: ignore[attr-defined]

        async def innermost(ctx: RequestContext) -> ProxyResponse:
            # What dispatch does around a provider call: one attempt in the ledger, its answer read once.
            a = ctx.ledger.begin("sim", "openai", None)
            tel.attempt_started(ctx, a)
            resp = ProxyResponse(200, {"Content-Type": "application/json"}, body=answer, provider="sim")
            a.assembly = resp.assembly = Assembly()
            a.assembly.read_body(resp.try_json())
            a.end(status=200)
            return resp

        handler: Any = innermost
        for i in range(plugins):
            p = Noop(PluginConfig(), services)
            handler = tel.instrument_layer(p, _layer(p, handler))

        async def one() -> None:
            ctx = RequestContext(request_id="req_0123456789abcdef01234567", endpoint="chat", method="POST", path="/chat/completions",
                                 query_string="", headers={}, raw_body=body, services=services,  # type: ignore[arg-type]
                                 ledger=Ledger(services.pricing), metric_model="gpt-4o-mini")
            tel.request_started(ctx)
            await handler(ctx)
            tel.first_chunk(ctx)
            ctx.ledger.settle(200)
            tel.request_finished(ctx, 200, "ok", None)

        async def main() -> float:
            for _ in range(500):
                await one()
            t = time.process_time()  # CPU time: robust against other load on the machine
            for i in range(n):
                await one()
                if tracing and i % 1000 == 999:
                    tel.exporter.clear()
            dt = time.process_time() - t
            await tel.aclose()
            return dt / n

        return asyncio.run(main())

    bare = min(run(False, ring=False) for _ in range(3))
    ring = min(run(False, ring=True) for _ in range(3))
    on = min(run(True, ring=True) for _ in range(3))
    return {"requests": n, "plugins": plugins, "bare_us": bare * 1e6, "ring_us": ring * 1e6, "on_us": on * 1e6,
            "ring_added_us": (ring - bare) * 1e6, "tracing_added_us": (on - ring) * 1e6}


def bare_span_us(n: int = 5000) -> float:
    """Calibration: CPU cost of one bare SDK span (start + end, one attribute) on this machine."""
    from opentelemetry.sdk.trace import TracerProvider

    tracer = TracerProvider().get_tracer("calibration")
    t = time.process_time()
    for _ in range(n):
        tracer.start_span("x", attributes={"k": "v"}).end()
    return (time.process_time() - t) / n * 1e6


def ring_record_us(n: int = 50_000) -> float:
    """CPU cost of writing one request into the ring of recent traces (one attempt, two layers,
    two plugin decisions): the part of the ring's overhead that noisy end-to-end runs hide."""
    from proxy.assembly import Assembly
    from proxy.context import RequestContext
    from proxy.ledger import Ledger
    from proxy.observability.config import RecentTracesConfig
    from proxy.observability.ring import TraceRing

    ctx = RequestContext(request_id="req_0", endpoint="chat", method="POST", path="/chat/completions", query_string="",
                         headers={}, raw_body=BODY.encode(), ledger=Ledger(None))  # type: ignore[arg-type]
    a = ctx.ledger.begin("sim", "openai", "gpt-4o-mini")
    a.assembly = Assembly()
    a.end(status=200)
    ctx.decisions.update({"ratelimit": {"risk": "standard", "remaining": 10}, "cache": {"outcome": "miss"}})
    ring = TraceRing(RecentTracesConfig())
    layers = [(0.0, 0, "ratelimit", 1.0, None), (0.1, 1, "cache", 0.9, None)]
    best = float("inf")
    for _ in range(3):
        t = time.process_time()
        for _ in range(n):
            ring.record(ctx, layers, 200, "ok", None, False, None)
        best = min(best, (time.process_time() - t) / n * 1e6)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=3000, help="requests per mode (end to end)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--plugins", nargs="*", default=["example"])
    ap.add_argument("--hooks-requests", type=int, default=20000)
    ap.add_argument("--skip-e2e", action="store_true")
    ap.add_argument("--exporter", default="otlp_http", help="tracing-on server's exporter (otlp_http, otlp_http_sdk, none)")
    ap.add_argument("--sample-ratio", type=float, default=1.0, help="tracing-on server's sample_ratio (default 1.0 = 100 %%)")
    ap.add_argument("--compare", choices=["tracing", "ring"], default="tracing",
                    help="end to end: tracing off vs on (default), or the ring of recent traces off vs on (tracing off)")
    ap.add_argument("--no-ring", dest="ring", action="store_false", help="with --compare tracing: both servers without the ring")
    args = ap.parse_args()
    print(f"calibration: one bare OpenTelemetry SDK span (start + end) costs {bare_span_us():.1f} us CPU here; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"ring of recent traces: recording one request costs {ring_record_us():.1f} us CPU (min of 3 x 50,000)")
    hooks = hooks_only(args.hooks_requests, max(1, len(args.plugins)))
    print(f"hooks only ({hooks['plugins']} plugin layer(s), in-process, {hooks['requests']} requests): "
          f"tracing off + ring off {hooks['bare_us']:.1f} us, ring on (shipped default) {hooks['ring_us']:.1f} us "
          f"(+{hooks['ring_added_us']:.1f}), tracing on + ring {hooks['on_us']:.1f} us (+{hooks['tracing_added_us']:.1f}) per request")
    if args.skip_e2e:
        return
    res = asyncio.run(end_to_end(args))
    what = "ring of recent traces (tracing off)" if args.compare == "ring" else f"tracing, ring {'on' if args.ring else 'off'}"
    print(f"end to end, {what}, chain {args.plugins}, sample_ratio {args.sample_ratio}, exporter {args.exporter}, "
          f"{res['requests_per_mode']} requests per mode, c=1, "
          f"{res['otlp_posts_received']} OTLP posts received:")
    for mode in ("off", "on"):
        m = res[mode]
        print(f"  {args.compare} {mode:3}: mean {m['mean_ms']:.3f} ms  p50 {m['p50_ms']:.3f} ms  p99 {m['p99_ms']:.3f} ms  "
              f"Bulwark CPU {m['cpu_ms_per_request']:.3f} ms/request")
    print(f"  added by {args.compare}: mean {res['added_mean_ms']:+.3f} ms, p50 {res['added_p50_ms']:+.3f} ms, "
          f"CPU {res['added_cpu_ms_per_request']:+.3f} ms/request (target < 0.3 ms)")


if __name__ == "__main__":
    main()
