"""The speed suite (issue 20): every figure of the whole table measured in one run, with ratios.

    python bench/bench_suite.py                       # ~15 min on the 2-core box
    python bench/bench_suite.py --quick               # 1 round, shorter runs: a smoke test
    python bench/bench_suite.py --baseline-ref REV    # also Bulwark at git revision REV, same rounds

Targets, each a separate process fronting the same simulator (`bulwark simulate`):

    direct             the simulator alone (the floor of the floor)
    pass-through       bench/thin_proxy.py: the thinnest aiohttp proxy (no parsing, no auth)
    bulwark empty      proxy.toml as shipped, `[chain] plugins = []`
    bulwark full       proxy.toml as shipped (ratelimit, cache, budgets, prune, validate, fallback)
    bulwark full redis the same with `state.backend = "redis"` on 127.0.0.1:6379, a unique key prefix
    litellm            the LiteLLM proxy (bench/setup_litellm.sh), chat only; skipped when absent

How limits are lifted without changing what runs: the bench key is added to `[auth]` with huge,
non-zero per-key `limits` (every rate, concurrency and budget dimension stays active, just far
away), `server.max_concurrent_requests/_streams` are raised to 4096 (admission, not per-request
work) and nothing is disabled, abuse scoring included. Every request is unique (a run id and a
counter in the last user message: numbers are never "junk words", so the repeat signal stays
quiet) and has `temperature: 0`, so the cache does its full work (key, lookup, miss, store).

Per round (targets interleaved, the order rotated each round; medians reported), per API
(chat completions, Responses, Messages) and target:
  - c=1: sequential Python aiohttp client; plain: total latency; streamed: time to first content
  - c=32: wrk -t1 -c32 (Lua: unique bodies); requests/s and the proxy's CPU time per request
    (utime+stime of its process tree from /proc over the wrk run)
Then: idle RSS, RSS per 1,000 in-flight streams (upstream stalled after 3 events), `--workers`
1 vs 2 (CPU per request, requests/s per busy core), and Redis round trips per request (a
counting TCP relay in front of a private redis-server; commands from INFO commandstats).
Proxies run on CPU 1, the simulator and the load generators on CPU 0 (taskset).
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import baseline_tree, drop_tree, free_port, pinned, wait_ready  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
KEY = "sk-bench-suite"
LITELLM = ROOT / "bench" / ".venv-litellm" / "bin" / "litellm"
RESULTS = ROOT / "bench" / "results"
APIS = ("chat", "responses", "messages")
PATHS = {"chat": "/v1/chat/completions", "responses": "/v1/responses", "messages": "/v1/messages"}
MODELS = {"chat": "gpt-4o-mini", "responses": "gpt-4o-mini", "messages": "claude-sonnet-4-5"}  # messages: the Anthropic provider
HEADERS = {"Authorization": f"Bearer {KEY}", "x-api-key": KEY, "anthropic-version": "2023-06-01", "Content-Type": "application/json"}
SYSTEM = "You are a helpful assistant."
HUGE = 10**9
# Environment a developer may have set that would point the shipped config elsewhere.
SCRUB = ("BULWARK_UPSTREAM_URL", "BULWARK_ANTHROPIC_URL", "BULWARK_LOCAL_URL", "BULWARK_REDIS_URL", "BULWARK_DATA_DIR",
         "BULWARK_CONFIG", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "PROMETHEUS_MULTIPROC_DIR")


# ---- what is sent ------------------------------------------------------------------------------
def body(api: str, tag: str, n: int, stream: bool) -> dict[str, Any]:
    """One request; `tag`-`n` makes it unique, n % 50 picks one of 50 end users."""
    q = f"Say hello in five words. (#{tag}-{n})"
    user = f"bench-user-{n % 50}"
    if api == "chat":
        b: dict[str, Any] = {"model": MODELS[api], "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": q}],
                             "max_tokens": 16, "temperature": 0, "user": user}
        if stream:
            b["stream_options"] = {"include_usage": True}
    elif api == "responses":
        b = {"model": MODELS[api], "instructions": SYSTEM, "input": [{"role": "user", "content": q}], "max_output_tokens": 16,
             "temperature": 0, "user": user}
    else:
        b = {"model": MODELS[api], "system": SYSTEM, "messages": [{"role": "user", "content": q}], "max_tokens": 16, "temperature": 0,
             "metadata": {"user_id": user}}
    if stream:
        b["stream"] = True
    return b


def has_content(api: str, event: bytes) -> bool:
    """Does this SSE event carry the first piece of answer text?"""
    for line in event.split(b"\n"):
        if not line.startswith(b"data:"):
            continue
        payload = line[5:].strip()
        if not payload or payload == b"[DONE]":
            continue
        try:
            obj = orjson.loads(payload)
        except orjson.JSONDecodeError:
            continue
        if api == "chat":
            return any((c.get("delta") or {}).get("content") for c in obj.get("choices") or [])
        if api == "responses":
            return obj.get("type") == "response.output_text.delta" and bool(obj.get("delta"))
        return obj.get("type") == "content_block_delta" and bool((obj.get("delta") or {}).get("text"))
    return False


# ---- configurations ------------------------------------------------------------------------------
def bulwark_config(sim_port: int, *, chain: list[str] | None = None, redis_url: str | None = None, prefix: str = "bulwark",
                   tree: Path = ROOT) -> Path:
    """`tree`'s proxy.toml as shipped, every provider on the simulator, the bench key with limits lifted
    (module docstring). `chain=[]` is the empty chain; `redis_url` switches the state to Redis."""
    text = (tree / "proxy.toml").read_text()
    text = text.replace("http://127.0.0.1:9000", f"http://127.0.0.1:{sim_port}")
    text = text.replace("${BULWARK_DATA_DIR:-./var}", tempfile.mkdtemp(prefix="bulwark-suite-"))
    text = re.sub(r"^max_concurrent_requests = \d+", "max_concurrent_requests = 4096", text, count=1, flags=re.M)
    text = re.sub(r"^max_concurrent_streams = \d+", "max_concurrent_streams = 4096", text, count=1, flags=re.M)
    if chain is not None:
        text, n = re.subn(r"^plugins = \[[^\]]*\]", "plugins = [" + ", ".join(f'"{p}"' for p in chain) + "]", text, count=1, flags=re.M)
        assert n == 1, "no [chain] plugins line in proxy.toml"
        text = only_sections_of(text, chain)
    if redis_url:
        text = re.sub(r'^backend = "memory"', 'backend = "redis"', text, count=1, flags=re.M)
        text = re.sub(r'^redis_url = "[^"]*"', f'redis_url = "{redis_url}"', text, count=1, flags=re.M)
        text = re.sub(r'^key_prefix = "[^"]*"', f'key_prefix = "{prefix}"', text, count=1, flags=re.M)
    limits = ", ".join(f"{k} = {HUGE}" for k in ("rpm", "tpm", "max_concurrent", "user_rpm", "user_tpm", "user_max_concurrent",
                                                 "budget_usd_day", "budget_usd_month", "user_budget_usd_day", "user_budget_usd_month"))
    key = f'[[auth.keys]]\nname = "bench-suite"\nkey = "{KEY}"\ntier = "standard"\nlimits = {{ {limits} }}\n\n'
    at = text.index("\n[providers.") + 1  # the key blocks of [auth] end where the providers begin
    path = Path(tempfile.mkstemp(prefix="bulwark-suite-", suffix=".toml")[1])
    path.write_text(text[:at] + key + text[at:])
    return path


def only_sections_of(text: str, chain: list[str]) -> str:
    """Drop the `[plugins.X...]` tables of plugins not in `chain` (a configured plugin must be listed)."""
    keep, out = True, []
    for line in text.splitlines(keepends=True):
        m = re.match(r"^\[\[?plugins\.([A-Za-z0-9_-]+)", line)
        if m:
            keep = m.group(1) in chain
        elif re.match(r"^\[", line):
            keep = True
        if keep:
            out.append(line)
    return "".join(out)


def litellm_config(sim_port: int) -> Path:
    """A minimal LiteLLM proxy config: the chat model on the simulator's OpenAI face, the bench key as master key."""
    path = Path(tempfile.mkstemp(prefix="bulwark-suite-litellm-", suffix=".yaml")[1])
    path.write_text(
        "model_list:\n"
        f"  - model_name: {MODELS['chat']}\n"
        "    litellm_params:\n"
        f"      model: openai/{MODELS['chat']}\n"
        f"      api_base: http://127.0.0.1:{sim_port}/v1\n"
        "      api_key: sk-sim\n"
        "litellm_settings:\n"
        "  telemetry: false\n"
        "  drop_params: true\n"
        "general_settings:\n"
        f"  master_key: {KEY}\n"
    )
    return path


# ---- processes -----------------------------------------------------------------------------------
def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUB}
    env.update({"OPENAI_API_KEY": "sk-sim", "BULWARK_ADMIN_KEY": "bench-suite-admin"})
    env.update(extra or {})
    return env


def spawn(argv: list[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None, log: str = "") -> subprocess.Popen[bytes]:
    err = open(tempfile.mkstemp(prefix=f"bulwark-suite-{log or 'proc'}-", suffix=".log")[1], "w")
    proc = subprocess.Popen(argv, cwd=cwd, env=env or child_env(), stdout=subprocess.DEVNULL, stderr=err)
    proc.log_path = err.name  # type: ignore[attr-defined]
    return proc


async def wait_up(url: str, proc: subprocess.Popen[bytes] | None = None, timeout: float = 60.0) -> None:
    await wait_ready(url, timeout, proc)


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def tree_pids(pid: int) -> list[int]:
    """The process and its descendants (a supervisor's workers; LiteLLM's children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                todo += [int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return out


def cpu_s(pid: int) -> float:
    """utime + stime of the process tree, seconds (children still running; reaped ones are in cutime)."""
    total = 0
    for p in tree_pids(pid):
        try:
            f = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    total = 0
    for p in tree_pids(pid):
        try:
            m = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{p}/status").read_text(), re.M)
            total += int(m.group(1)) if m else 0
        except OSError:
            pass
    return total / 1024


@dataclass
class Target:
    name: str
    kind: str  # direct | thin | bulwark | litellm
    port: int
    proc: subprocess.Popen[bytes]
    apis: tuple[str, ...] = APIS
    idle_rss: float = 0.0
    served_by: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def start_bulwark(name: str, sim_port: int, *, chain: list[str] | None = None, redis_url: str | None = None, tree: Path = ROOT,
                        workers: int = 1, cpus: str = "1", launcher: list[str] | None = None, env: dict[str, str] | None = None) -> Target:
    """`launcher` replaces `-m proxy` (e.g. the profiler's GC-timing wrapper)."""
    port = free_port()
    cfg = bulwark_config(sim_port, chain=chain, redis_url=redis_url, prefix=f"bench-{uuid.uuid4().hex[:10]}", tree=tree)
    argv = [PY, *(launcher or ["-m", "proxy"]), "--log-level", "WARNING", "serve", "-c", str(cfg), "--port", str(port), "--workers", str(workers)]
    proc = spawn(taskset(cpus, argv), cwd=tree, env=child_env({"PYTHONPATH": str(tree), **(env or {})}), log=re.sub(r"\W+", "-", name))
    await wait_up(f"http://127.0.0.1:{port}/healthz", proc, 90)
    return Target(name, "bulwark", port, proc)


def taskset(cpus: str, argv: list[str]) -> list[str]:
    if cpus in ("0", "1"):
        return pinned(int(cpus), argv)
    return (["taskset", "-c", cpus, *argv]) if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else argv


async def start_litellm(sim_port: int) -> Target | str:
    """The LiteLLM proxy, or why not."""
    if not LITELLM.exists():
        return f"skipped: {LITELLM.relative_to(ROOT)} not found (run `bash bench/setup_litellm.sh`; needs PyPI)"
    port = free_port()
    env = child_env({"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOG": "ERROR", "LITELLM_TELEMETRY": "False"})
    argv = [str(LITELLM), "--config", str(litellm_config(sim_port)), "--host", "127.0.0.1", "--port", str(port), "--num_workers", "1",
            "--telemetry", "False"]
    proc = spawn(pinned(1, argv), env=env, log="litellm")
    try:
        await wait_up(f"http://127.0.0.1:{port}/health/liveliness", proc, 120)
    except RuntimeError as exc:
        stop([proc])
        return f"skipped: LiteLLM did not start ({exc})"
    version = subprocess.run([str(LITELLM.parent / "python"), "-c", "import importlib.metadata as m; print(m.version('litellm'))"],
                             capture_output=True, text=True).stdout.strip()
    return Target(f"litellm {version}", "litellm", port, proc, apis=("chat",))


# ---- measurements --------------------------------------------------------------------------------
async def one(s: aiohttp.ClientSession, url: str, api: str, data: bytes, stream: bool) -> tuple[float, float]:
    """(time to answer or first content, total) in seconds."""
    t0 = time.perf_counter()
    first = None
    async with s.post(url, data=data, headers=HEADERS) as r:
        if r.status != 200:
            raise RuntimeError(f"{url} answered {r.status}: {(await r.read())[:300]!r}")
        if not stream:
            await r.read()
        else:
            buf = b""
            async for chunk in r.content.iter_any():
                if first is None:
                    buf += chunk.replace(b"\r\n", b"\n")
                    while first is None and b"\n\n" in buf:
                        ev, buf = buf.split(b"\n\n", 1)
                        if has_content(api, ev):
                            first = time.perf_counter() - t0
            if first is None:
                raise RuntimeError(f"{url}: a {api} stream without content")
    total = time.perf_counter() - t0
    return (first if stream else total), total  # type: ignore[return-value]


async def sequential(t: Target, api: str, stream: bool, n: int, tag: str) -> list[float]:
    """c=1: n requests one after the other on one keep-alive connection; the first tenth is warm-up."""
    url = t.base + PATHS[api]
    out = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1), timeout=aiohttp.ClientTimeout(total=60)) as s:
        warm = max(3, n // 10)
        for i in range(n + warm):
            first, _ = await one(s, url, api, orjson.dumps(body(api, tag, i, stream)), stream)
            if i >= warm:
                out.append(first * 1000)
    return out


def wrk_script(api: str, stream: bool, tag: str) -> Path:
    """wrk Lua: every request unique (the same bodies the Python client sends, counter in Lua)."""
    marker, user = 7777777001, "bench-user-7777777002"
    template = orjson.dumps(body(api, tag, 0, stream)).decode()
    template = template.replace(f"#{tag}-0", f"#{tag}-{marker}").replace("bench-user-0", user).replace("%", "%%")
    template = template.replace(str(marker), "%d", 1).replace(user, "bench-user-%d", 1)
    headers = "".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in HEADERS.items())
    lua = (f'wrk.method = "POST"\n{headers}local n = 0\nlocal template = [==[{template}]==]\n'
           f'request = function()\n  n = n + 1\n  return wrk.format(nil, "{PATHS[api]}", nil, string.format(template, n, n % 50))\nend\n')
    path = Path(tempfile.mkstemp(prefix="bulwark-suite-", suffix=".lua")[1])
    path.write_text(lua)
    return path


@dataclass
class Load:
    rps: float
    cpu_us: float  # proxy CPU per request (0 for direct: the simulator's own is not a proxy's)
    errors: int
    busy_cores: float


def wrk(t: Target, api: str, stream: bool, seconds: float, tag: str, conns: int = 32) -> Load:
    if shutil.which("wrk") is None:  # else every throughput figure would silently read 0
        raise SystemExit("bench: wrk is not installed (apt-get install wrk; scripts/setup-test-deps.sh does not install it)")
    script = wrk_script(api, stream, tag)
    c0, w0 = cpu_s(t.proc.pid), time.monotonic()
    duration = f"{int(seconds)}s" if seconds == int(seconds) else f"{round(seconds * 1000)}ms"  # wrk rejects "-d4.0s"
    out = subprocess.run(pinned(0, ["wrk", "-t1", f"-c{conns}", f"-d{duration}", "--timeout", "30s", "-s", str(script), t.base + PATHS[api]]),
                         capture_output=True, text=True).stdout
    c1, w1 = cpu_s(t.proc.pid), time.monotonic()
    script.unlink()
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m is None:  # wrk printed its usage or failed: a 0 in the table would read as a figure
        raise SystemExit(f"bench: wrk gave no Requests/sec for {t.name} {api}: {out[:300]!r}")
    total = re.search(r"(\d+) requests in", out)
    errs = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errs += sum(int(x) for x in sock.groups()) if sock else 0
    n = int(total.group(1)) if total else 0
    return Load(float(m.group(1)) if m else 0.0, (c1 - c0) / max(1, n) * 1e6, errs, (c1 - c0) / max(1e-9, w1 - w0))


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))] if v else float("nan")


# ---- the table -----------------------------------------------------------------------------------
@dataclass
class Cell:
    """One (target, api, plain|stream): per-round figures, medians reported."""

    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    rps: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    errors: int = 0

    def med(self, name: str) -> float:
        v = getattr(self, name)
        return statistics.median(v) if v else float("nan")


async def measure_round(targets: list[Target], cells: dict[tuple[str, str, bool], Cell], args: argparse.Namespace, r: int, run: str) -> None:
    order = targets[r % len(targets):] + targets[:r % len(targets)]  # rotate: drift spreads over every target
    for t in order:
        for api in t.apis:
            if api not in args.apis:
                continue
            for stream in (False, True):
                tag = f"{run}{r}{t.port}{int(stream)}"
                print(f"  round {r + 1}: {t.name:<24} {api:<9} {'stream' if stream else 'plain'}", file=sys.stderr, flush=True)
                c = cells.setdefault((t.name, api, stream), Cell())
                lat = await sequential(t, api, stream, args.requests if not stream else args.stream_requests, tag + "1")
                c.p50.append(statistics.median(lat))
                c.p99.append(pct(lat, 99))
                load = wrk(t, api, stream, args.seconds, tag + "2")
                c.rps.append(load.rps)
                c.cpu.append(load.cpu_us if t.kind != "direct" else float("nan"))
                c.errors += load.errors


async def inflight_rss(t: Target, sim: str, n: int, tag: str) -> tuple[float, int]:
    """RSS growth (MB) with n streams in flight: the simulator stalls every stream after 3 events
    (role chunk and two content chunks), so each has reached the client and is held open."""
    async with aiohttp.ClientSession() as ctl:
        await (await ctl.post(f"{sim}/sim/fault", json={"spec": "stall=3"})).release()
    before = rss_mb(t.proc.pid)
    got = 0
    conn = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=conn, timeout=aiohttp.ClientTimeout(total=None)) as s:
        ready = asyncio.Event()

        async def hold(i: int) -> None:
            nonlocal got
            async with s.post(t.base + PATHS["chat"], data=orjson.dumps(body("chat", tag, i, True)), headers=HEADERS) as r:
                if r.status != 200:
                    return
                buf = b""
                async for chunk in r.content.iter_any():
                    buf += chunk
                    if any(has_content("chat", ev) for ev in buf.split(b"\n\n")[:-1]):
                        break
                got += 1
                if got >= n:
                    ready.set()
                await asyncio.sleep(3600)  # held open until cancelled

        tasks = [asyncio.create_task(hold(i)) for i in range(n)]
        try:
            await asyncio.wait_for(ready.wait(), 90)
        except TimeoutError:
            pass
        await asyncio.sleep(1.0)
        during = rss_mb(t.proc.pid)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    async with aiohttp.ClientSession() as ctl:
        await (await ctl.delete(f"{sim}/sim/fault")).release()
    await asyncio.sleep(2.0)  # the proxy notices the clients went away
    return (during - before) * 1000 / max(1, got), got


# ---- Redis round trips ---------------------------------------------------------------------------
class RedisRelay:
    """A TCP relay in front of redis-server counting round trips: a client->server flight is one
    or more writes from the client after the server last answered on that connection (pipelined
    commands sent together are one flight). A flight whose every key is a counter's, the stats
    buffer's (`{<prefix>:obs}:...`, flushed every `observability.flush_seconds`) or the cache's
    hit counters (`cachestat:`, at most every 5 s, from a task of their own), is a periodic flush:
    counted apart, as `background`, since no request waits for it."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port, self.flights, self.background, self.connections = upstream_port, 0, 0, 0
        self.server: asyncio.base_events.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    @staticmethod
    def only_stats(flight: bytes) -> bool:
        """Every command of the flight (RESP arrays of bulk strings) names `{obs}:` keys only."""
        args = re.findall(rb"\$\d+\r\n([^\r]*)\r\n", flight)
        keys = [a for a in args if a.startswith(b"{")]  # every key is hash-tagged: `{<prefix>:obs}:m:...`
        return bool(keys) and all(b":obs}:" in k or b"}:cachestat:" in k for k in keys)

    async def _serve(self, cr: asyncio.StreamReader, cw: asyncio.StreamWriter) -> None:
        self.connections += 1
        ur, uw = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        answered = [True]
        flight = bytearray()

        async def up() -> None:
            while data := await cr.read(65536):
                if answered[0]:
                    self.flights += 1
                    answered[0] = False
                    flight.clear()
                flight.extend(data)
                uw.write(data)
                await uw.drain()
            uw.close()

        async def down() -> None:
            while data := await ur.read(65536):
                if not answered[0] and self.only_stats(bytes(flight)):
                    self.background += 1
                answered[0] = True
                cw.write(data)
                await cw.drain()
            cw.close()

        try:
            await asyncio.gather(up(), down(), return_exceptions=True)
        except asyncio.CancelledError:  # the suite is shutting the relay down
            pass
        finally:
            cw.close()
            uw.close()

    async def close(self) -> None:
        if self.server:
            self.server.close()


def commandstats(port: int) -> dict[str, int]:
    out = subprocess.run(["redis-cli", "-p", str(port), "INFO", "commandstats"], capture_output=True, text=True).stdout
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^cmdstat_(\S+?):calls=(\d+)", out, re.M)}


async def redis_round_trips(sim_port: int, n: int, run: str, tree: Path) -> dict[str, Any]:
    """Round trips and commands per request of the full chain on Redis, at c=1, per API and mode."""
    if not shutil.which("redis-server"):
        return {"skipped": "redis-server not installed"}
    rport = free_port()
    redis = spawn(pinned(0, ["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]), log="redis")
    relay = RedisRelay(rport)
    procs = [redis]
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", rport), 0.2).close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        await relay.start()
        t = await start_bulwark("rtt", sim_port, redis_url=f"redis://127.0.0.1:{relay.port}/0", tree=tree)
        procs.append(t.proc)
        for api in APIS:  # warm-up: scripts loaded, connections open, first-use paths taken
            await sequential(t, api, False, 10, run + "w")
        hot = lambda: relay.flights - relay.background  # noqa: E731 - flights a request may wait on
        f0, w0 = hot(), time.monotonic()
        await asyncio.sleep(3.0)
        idle_rate = (hot() - f0) / (time.monotonic() - w0)  # background traffic while idle (health probes)
        out: dict[str, Any] = {"idle_round_trips_per_s": round(idle_rate, 2)}
        for api in APIS:
            for stream in (False, True):
                f0, b0, s0, w0 = hot(), relay.background, commandstats(rport), time.monotonic()
                await sequential(t, api, stream, n, f"{run}r{int(stream)}")
                await asyncio.sleep(0.5)  # writes after the answer (settle) land
                count = n + max(3, n // 10)
                flights = hot() - f0 - idle_rate * (time.monotonic() - w0)
                s1 = commandstats(rport)
                cmds = {k: (v - s0.get(k, 0)) / count for k, v in s1.items() if v - s0.get(k, 0) > 0 and k not in ("info",)}
                out[f"{api} {'stream' if stream else 'plain'}"] = {"round_trips": round(flights / count, 2),
                                                                  "stats_flushes": relay.background - b0,
                                                                  "commands": {k: round(v, 2) for k, v in sorted(cmds.items(), key=lambda kv: -kv[1])}}
        return out
    finally:
        stop(procs)
        await relay.close()


# ---- --workers ---------------------------------------------------------------------------------
async def workers_scaling(sim_port: int, args: argparse.Namespace, run: str, tree: Path) -> list[dict[str, Any]]:
    """The full chain with --workers 1 and 2, both allowed on both cores; chat plain at c=32.
    Raw requests/s says little on 2 cores shared with the simulator and wrk: CPU per request and
    requests/s per busy core (proxy CPU seconds / wall seconds) do."""
    rows = []
    targets = []
    try:
        for redis_url in ((None,) if args.no_redis else (None, args.redis_url)):
            for w in (1, 2):
                targets.append(await start_bulwark(f"full{' redis' if redis_url else ''}, --workers {w}", sim_port, workers=w, cpus="0,1",
                                                   tree=tree, redis_url=redis_url))
        for t in targets:
            await sequential(t, "chat", False, 30, run + "ww")
            wrk(t, "chat", False, 1, run + "wwk")
        per: dict[str, list[Load]] = {t.name: [] for t in targets}
        for r in range(args.rounds):
            for t in targets:
                print(f"  workers round {r + 1}: {t.name}", file=sys.stderr, flush=True)
                per[t.name].append(wrk(t, "chat", False, args.seconds, f"{run}w{r}{t.port}"))
        for t in targets:
            loads = per[t.name]
            med = lambda f: statistics.median(getattr(x, f) for x in loads)  # noqa: E731
            rows.append({"name": t.name, "rps": med("rps"), "cpu_us": med("cpu_us"), "busy_cores": med("busy_cores"),
                         "rps_per_core": statistics.median(x.rps / max(1e-9, x.busy_cores) for x in loads),
                         "errors": sum(x.errors for x in loads)})
    finally:
        stop([t.proc for t in targets])
    return rows


# ---- report --------------------------------------------------------------------------------------
def fmt(v: float, spec: str = ".2f") -> str:
    return "-" if v != v else format(v, spec)  # NaN -> "-"


def ratio(a: float, b: float) -> float:
    return a / b if b and b == b and a == a and b > 1e-9 else float("nan")


def goal(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT MET")


def print_tables(targets: list[Target], cells: dict[tuple[str, str, bool], Cell], args: argparse.Namespace) -> dict[str, Any]:
    """Per API: the plain and streamed figures of every target, added latency over direct, ratios to the pass-through."""
    summary: dict[str, Any] = {}
    for api in args.apis:
        rows = [t for t in targets if api in t.apis]
        d = {s: cells.get((rows[0].name, api, s)) for s in (False, True)}
        th = {s: cells.get((rows[1].name, api, s)) for s in (False, True)}
        print(f"\n== {api} ({PATHS[api]}) ==")
        print(f"{'target':<26}{'p50 ms':>8}{'p99 ms':>8}{'+p50':>7}{'+p99':>7}{'x thin':>7}{'req/s':>7}{'% thin':>7}{'CPU us':>7}"
              f" |{'TTFC ms':>8}{'+TTFC':>7}{'-thin':>7}{'str/s':>7}{'% thin':>7}{'CPU us':>7}")
        for t in rows:
            p, s = cells.get((t.name, api, False)), cells.get((t.name, api, True))
            if p is None or s is None:
                continue
            add50, add99 = p.med("p50") - d[False].med("p50"), p.med("p99") - d[False].med("p99")  # type: ignore[union-attr]
            thin_add = th[False].med("p50") - d[False].med("p50")  # type: ignore[union-attr]
            ttfc_add = s.med("p50") - d[True].med("p50")  # type: ignore[union-attr]
            vs_thin_ttfc = s.med("p50") - th[True].med("p50")  # type: ignore[union-attr]
            row = {"p50": p.med("p50"), "p99": p.med("p99"), "added_p50": add50, "added_p99": add99, "added_x_thin": ratio(add50, thin_add),
                   "rps": p.med("rps"), "rps_share_thin": ratio(p.med("rps"), th[False].med("rps")), "cpu_us": p.med("cpu"),  # type: ignore[union-attr]
                   "ttfc": s.med("p50"), "ttfc_added": ttfc_add, "ttfc_minus_thin": vs_thin_ttfc, "streams_s": s.med("rps"),
                   "streams_share_thin": ratio(s.med("rps"), th[True].med("rps")), "stream_cpu_us": s.med("cpu"),  # type: ignore[union-attr]
                   "cpu_share_thin": ratio(th[False].med("cpu"), p.med("cpu")),  # type: ignore[union-attr]
                   "stream_cpu_share_thin": ratio(th[True].med("cpu"), s.med("cpu")),  # type: ignore[union-attr]
                   "errors": p.errors + s.errors}
            summary.setdefault(api, {})[t.name] = row
            direct = t.kind == "direct"
            print(f"{t.name + (' !ERR' if row['errors'] else ''):<26}{fmt(row['p50']):>8}{fmt(row['p99']):>8}"
                  f"{'' if direct else fmt(add50):>7}{'' if direct else fmt(add99):>7}{'' if direct else fmt(row['added_x_thin']):>7}"
                  f"{fmt(row['rps'], '.0f'):>7}{fmt(row['rps_share_thin'] * 100, '.0f'):>7}{fmt(row['cpu_us'], '.0f'):>7}"
                  f" |{fmt(row['ttfc']):>8}{'' if direct else fmt(ttfc_add):>7}{'' if direct else fmt(vs_thin_ttfc):>7}"
                  f"{fmt(row['streams_s'], '.0f'):>7}{fmt(row['streams_share_thin'] * 100, '.0f'):>7}{fmt(row['stream_cpu_us'], '.0f'):>7}")
    return summary


def print_goals(summary: dict[str, Any], extra: dict[str, Any], full: str, redis_row: str) -> list[tuple[str, str, str]]:
    chat = summary.get("chat", {})
    f, fr = chat.get(full), chat.get(redis_row)
    lite = next((v for k, v in chat.items() if k.startswith("litellm")), None)
    goals: list[tuple[str, str, bool | None]] = []
    if f:
        # Next to each throughput ratio, the one CPU per request implies (the steadier figure on a shared box).
        goals += [("added p50 at c=1 <= 2x the pass-through's", f"{f['added_x_thin']:.2f}x", f["added_x_thin"] <= 2),
                  ("requests/s at c=32 >= 60 % of the pass-through's",
                   f"{f['rps_share_thin'] * 100:.0f} % (CPU/req implies {f['cpu_share_thin'] * 100:.0f} %)", f["rps_share_thin"] >= 0.6),
                  ("streams: first content within 2 ms of the pass-through (c=1)", f"{f['ttfc_minus_thin']:+.2f} ms", f["ttfc_minus_thin"] <= 2),
                  ("streams/s at c=32 >= 60 % of the pass-through's",
                   f"{f['streams_share_thin'] * 100:.0f} % (CPU/stream implies {f['stream_cpu_share_thin'] * 100:.0f} %)",
                   f["streams_share_thin"] >= 0.6)]
        if lite:
            goals += [(">= 15x LiteLLM's requests/s at c=32",
                       f"{ratio(f['rps'], lite['rps']):.1f}x (CPU/req implies {ratio(lite['cpu_us'], f['cpu_us']):.1f}x)",
                       ratio(f["rps"], lite["rps"]) >= 15),
                      ("<= 1/10 of LiteLLM's added p50", f"1/{ratio(lite['added_p50'], f['added_p50']):.1f}",
                       ratio(lite["added_p50"], f["added_p50"]) >= 10)]
        else:
            goals.append(("LiteLLM comparison", extra.get("litellm", "skipped"), None))
        if fr:
            goals.append(("Redis-backed chain within 25 % of the memory chain's requests/s",
                          f"{ratio(fr['rps'], f['rps']) * 100:.0f} % (CPU/req implies {ratio(f['cpu_us'], fr['cpu_us']) * 100:.0f} %)",
                          ratio(fr["rps"], f["rps"]) >= 0.75))
    rt = extra.get("redis_round_trips", {})
    if "chat plain" in rt:
        worst = max(v["round_trips"] for k, v in rt.items() if isinstance(v, dict) and "round_trips" in v)
        goals.append(("Redis: <= 2 round trips per request on the hot path", f"chat {rt['chat plain']['round_trips']:.1f}, worst {worst:.1f}",
                      worst <= 2))
    w = extra.get("workers", [])
    for one, two in zip(w[::2], w[1::2]):
        state = "redis" if "redis" in one["name"] else "memory"
        goals.append((f"--workers ({state} state): CPU per request flat from 1 to 2 (within 10 %)",
                      f"{one['cpu_us']:.0f} -> {two['cpu_us']:.0f} us", two["cpu_us"] <= 1.1 * one["cpu_us"]))
    if "idle_rss" in extra and full in extra["idle_rss"]:
        goals.append(("idle RSS of the full chain <= 80 MB", f"{extra['idle_rss'][full]:.1f} MB", extra["idle_rss"][full] <= 80))
    if f:
        for api in ("responses", "messages"):
            a = summary.get(api, {}).get(full)
            if not a:
                continue
            worst_ratio = max(ratio(a["added_p50"], f["added_p50"]), ratio(f["rps"], a["rps"]), ratio(a["cpu_us"], f["cpu_us"]),
                              ratio(f["streams_s"], a["streams_s"]))
            goals.append((f"{api}: added p50, req/s, CPU/req, streams/s within 15 % of chat",
                          f"added p50 x{ratio(a['added_p50'], f['added_p50']):.2f}, req/s x{ratio(a['rps'], f['rps']):.2f}, "
                          f"CPU x{ratio(a['cpu_us'], f['cpu_us']):.2f}, str/s x{ratio(a['streams_s'], f['streams_s']):.2f}", worst_ratio <= 1.15))
    print("\n== goals (issue 20), the full shipped chain, ratios from this run ==")
    for text, measured, ok in goals:
        print(f"  {goal(ok):<8} {text:<72} {measured}")
    return [(t, m, goal(ok)) for t, m, ok in goals]


def print_extras(extra: dict[str, Any], targets: list[Target]) -> None:
    print("\n== memory ==")
    for t in targets:
        if t.kind == "direct":
            continue
        per = extra.get("inflight", {}).get(t.name)
        per_s = f"{per[0]:.1f} MB per 1,000 in-flight streams ({per[1]} held)" if per else "-"
        print(f"  {t.name:<26} RSS at start {extra['start_rss'].get(t.name, float('nan')):6.1f} MB, idle after warm-up "
              f"{extra['idle_rss'].get(t.name, float('nan')):6.1f} MB   {per_s}")
    if extra.get("workers"):
        print("\n== --workers (full chain, chat plain, c=32; proxies may use both cores) ==")
        for w in extra["workers"]:
            print(f"  {w['name']:<22} {w['rps']:7.0f} req/s  {w['cpu_us']:6.0f} us CPU/req  {w['busy_cores']:.2f} busy cores  "
                  f"{w['rps_per_core']:6.0f} req/s per busy core{'  !ERR ' + str(w['errors']) if w['errors'] else ''}")
    rt = extra.get("redis_round_trips")
    if rt:
        print("\n== Redis round trips per request (full chain, c=1, counting relay; commands per request from INFO commandstats) ==")
        if "skipped" in rt:
            print("  " + rt["skipped"])
        for k, v in rt.items():
            if isinstance(v, dict):
                print(f"  {k:<18} {v['round_trips']:5.2f} round trips   " + ", ".join(f"{c} {n}" for c, n in v["commands"].items()))
        flushes = sum(v.get("stats_flushes", 0) for v in rt.values() if isinstance(v, dict))
        print(f"  (not counted: background while idle, {rt.get('idle_round_trips_per_s', 0)} round trips/s; {flushes} flights in all of "
              f"periodic counter flushes (the stats buffer, the cache's hit counters), which no request waits on; "
              f"commands per request include them)")


# ---- main --------------------------------------------------------------------------------------
async def start_targets(sim_port: int, args: argparse.Namespace, extra: dict[str, Any], tree: Path | None, main: Path) -> list[Target]:
    py = PY
    thin_port = free_port()
    thin = spawn(pinned(1, [py, "bench/thin_proxy.py", str(thin_port), f"http://127.0.0.1:{sim_port}"]), log="thin")
    await wait_up(f"http://127.0.0.1:{thin_port}/v1/models", thin)
    targets = [Target("pass-through", "thin", thin_port, thin)]
    targets.append(await start_bulwark("bulwark empty chain", sim_port, chain=[], tree=main))
    targets.append(await start_bulwark("bulwark full", sim_port, tree=main))
    if not args.no_redis:
        targets.append(await start_bulwark("bulwark full redis", sim_port, redis_url=args.redis_url, tree=main))
    if tree is not None:
        ref = args.baseline_ref[:10]
        rows = [(f"@{ref} empty", [], None), (f"@{ref} full", None, None)]
        if not args.no_redis:
            rows.append((f"@{ref} full redis", None, args.redis_url))
        for label, chain, redis_url in rows:
            try:
                targets.append(await start_bulwark(label, sim_port, chain=chain, tree=tree, redis_url=redis_url))
            except (RuntimeError, ValueError, AssertionError) as exc:
                print(f"  baseline {label} skipped: {exc}", file=sys.stderr)
    if args.no_litellm:
        extra["litellm"] = "skipped (--no-litellm)"
    elif "chat" in args.apis:
        lite = await start_litellm(sim_port)
        if isinstance(lite, str):
            extra["litellm"] = lite
            print(f"  LiteLLM {lite}", file=sys.stderr)
        else:
            targets.append(lite)
    return targets


async def check(t: Target, args: argparse.Namespace, run: str) -> None:
    """Every API answers 200 in both modes before anything is timed (and who served it)."""
    async with aiohttp.ClientSession() as s:
        for api in t.apis:
            if api not in args.apis:
                continue
            for stream in (False, True):
                await one(s, t.base + PATHS[api], api, orjson.dumps(body(api, run + "c", int(stream), stream)), stream)
            async with s.post(t.base + PATHS[api], data=orjson.dumps(body(api, run + "h", 9, False)), headers=HEADERS) as r:
                t.served_by[api] = r.headers.get("x-bulwark-provider", "")
        for api in t.apis:
            if api in args.apis:
                await sequential(t, api, False, 20, run + "warm")


async def main(args: argparse.Namespace) -> int:
    run = str(int(time.time()) % 10**7)  # digits: part of every prompt, never reused across runs
    tree = baseline_tree(args.baseline_ref) if args.baseline_ref else None
    main_tree = baseline_tree(args.ref) if args.ref else ROOT
    procs: list[subprocess.Popen[bytes]] = []
    extra: dict[str, Any] = {"idle_rss": {}, "inflight": {}}
    started = dt.datetime.now().isoformat(timespec="seconds")
    load_before = os.getloadavg()
    try:
        sim_port = free_port()
        sim = spawn(pinned(0, [PY, "-m", "proxy", "--log-level", "WARNING", "simulate", "--port", str(sim_port), "--max-recorded", "0"]), log="sim")
        procs.append(sim)
        await wait_up(f"http://127.0.0.1:{sim_port}/v1/models", sim)
        targets = [Target("direct", "direct", sim_port, sim)]
        try:
            targets += await start_targets(sim_port, args, extra, tree, main_tree)
        finally:
            procs += [t.proc for t in targets[1:]]
        extra["start_rss"] = {t.name: rss_mb(t.proc.pid) for t in targets if t.kind != "direct"}
        for t in targets:
            await check(t, args, run)
        await asyncio.sleep(1.0)
        extra["idle_rss"] = {t.name: rss_mb(t.proc.pid) for t in targets if t.kind != "direct"}
        cells: dict[tuple[str, str, bool], Cell] = {}
        for r in range(args.rounds):
            await measure_round(targets, cells, args, r, run)
        if args.inflight:
            for t in targets[1:]:
                print(f"  in-flight streams: {t.name}", file=sys.stderr, flush=True)
                extra["inflight"][t.name] = await inflight_rss(t, f"http://127.0.0.1:{sim_port}", args.inflight, run + "i")
        stop(procs[1:])
        procs = procs[:1]
        if not args.no_workers:
            extra["workers"] = await section("--workers", workers_scaling(sim_port, args, run, main_tree), [])
        if not args.no_redis:
            extra["redis_round_trips"] = await section("Redis round trips", redis_round_trips(sim_port, args.rtt_requests, run, main_tree),
                                                       {"skipped": "failed (see stderr)"})
        load_after = os.getloadavg()
        print(f"\nBulwark speed suite, {started}, {described(args)}; load average {load_before[0]:.2f} at start, {load_after[0]:.2f} at end "
              f"(2 cores shared with other work)")
        print(f"c=1: Python aiohttp client, {args.requests} plain / {args.stream_requests} streamed sequential requests per round; "
              f"c=32: wrk -t1 -c32 -d{args.seconds}s; median of {args.rounds} interleaved rounds. Proxies on CPU 1, simulator and "
              f"clients on CPU 0.\nms: client latency (plain) or time to first content (TTFC, streams); +p50/+TTFC: over direct; "
              f"x thin: added p50 / the pass-through's added p50; -thin: TTFC minus the pass-through's; CPU us: proxy CPU per request")
        served = {t.name: t.served_by for t in targets if t.kind == "bulwark"}
        print("served by (x-bulwark-provider): " + "; ".join(f"{k}: " + ", ".join(f"{a}={p or '?'}" for a, p in v.items()) for k, v in served.items()))
        summary = print_tables(targets, cells, args)
        print_extras(extra, targets)
        goals = print_goals(summary, extra, "bulwark full", "bulwark full redis")
        save({"started": started, "git": described(args), "load": [load_before, load_after], "args": vars(args), "tables": summary,
              "extra": extra, "goals": goals})
        return 0
    finally:
        stop(procs)
        for t in (tree, None if main_tree == ROOT else main_tree):
            if t is not None:
                drop_tree(t)


async def section(name: str, coro: Any, fallback: Any) -> Any:
    """A late section that fails must not lose the table measured before it."""
    try:
        return await coro
    except Exception as exc:  # reported, and the rest of the report still printed
        print(f"  {name} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return fallback


def git_rev() -> str:
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "proxy", "plugins"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return rev + (" + uncommitted changes in proxy/ or plugins/" if dirty else "")


def described(args: argparse.Namespace) -> str:
    what = f"Bulwark at {args.ref} (a clean worktree)" if args.ref else f"Bulwark from the working tree, git {git_rev()}"
    return what + (f"; baseline @{args.baseline_ref}" if args.baseline_ref else "")


def save(obj: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"suite-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(obj, indent=1, default=str))
    print(f"\nraw figures: {path.relative_to(ROOT)}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5, help="length of each wrk run")
    ap.add_argument("--requests", type=int, default=200, help="sequential plain requests per target, API and round")
    ap.add_argument("--stream-requests", type=int, default=100, help="sequential streamed requests per target, API and round")
    ap.add_argument("--apis", default=",".join(APIS), help="comma-separated subset of chat,responses,messages")
    ap.add_argument("--inflight", type=int, default=1000, help="streams held open for the RSS figure (0: skip)")
    ap.add_argument("--rtt-requests", type=int, default=50, help="sequential requests per API and mode for the Redis round trips")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/0", help="Redis of the 'full redis' row (a unique key prefix is used)")
    ap.add_argument("--no-redis", action="store_true")
    ap.add_argument("--no-litellm", action="store_true")
    ap.add_argument("--no-workers", action="store_true")
    ap.add_argument("--ref", help="measure Bulwark at this git revision (a clean worktree) instead of the working tree, "
                                   "e.g. HEAD while others have half-done edits in theirs")
    ap.add_argument("--baseline-ref", help="also run Bulwark (empty chain, full chain, full chain on Redis) at this git revision, in the same rounds")
    ap.add_argument("--quick", action="store_true", help="1 round, 2 s wrk runs, fewer requests: checks the suite, not the speed")
    ap.add_argument("--profile", action="store_true", help="instead of the table: bench/profile_chain.py (py-spy breakdown)")
    args = ap.parse_args(argv)
    if args.quick:
        args.rounds, args.seconds, args.requests, args.stream_requests, args.inflight, args.rtt_requests = 1, 2, 40, 20, 200, 12
    args.apis = tuple(a for a in args.apis.split(",") if a)
    unknown = set(args.apis) - set(APIS)
    if unknown:
        ap.error(f"unknown API(s): {', '.join(sorted(unknown))}")
    return args


if __name__ == "__main__":
    a = parse_args()
    if a.profile:
        os.execv(PY, [PY, str(ROOT / "bench" / "profile_chain.py"), *[x for x in sys.argv[1:] if x != "--profile"]])
    if not shutil.which("wrk"):
        sys.exit("bench_suite: wrk is needed for the c=32 figures (apt-get install wrk)")
    sys.exit(asyncio.run(main(a)))
