"""Where the full shipped chain's time goes: py-spy under load, grouped by plugin and module.

    python bench/profile_chain.py [--seconds 15] [--ref HEAD] [--redis] [--out bench/results/profile-before.txt]
    python bench/bench_suite.py --profile ...          # the same

Starts the simulator (CPU 0) and Bulwark with proxy.toml as shipped and limits lifted exactly as
bench/bench_suite.py does (CPU 1), then per workload (chat plain, chat streamed, Responses plain,
Messages plain by default) drives it with wrk at c=32 (unique bodies, CPU 0) while
`py-spy record --native` samples the Bulwark process. py-spy goes into the bench venv
(`pip install py-spy`); it is no runtime dependency.

Each sample is one stack. Three views, per workload and over all of them:
  by layer: the innermost frame that belongs to a known group: a plugin, a core module group,
            aiohttp client / server, redis client, json (orjson, native), pydantic, the event loop
  by owner: the innermost *Bulwark* frame (proxy/ or plugins/): library time is charged to the
            Bulwark code that called it (aiohttp client work under providers, orjson under handlers)
  hot functions: the innermost Bulwark function (file:function) and the leaf function itself
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_suite as bs  # noqa: E402

WORKLOADS = {"chat": ("chat", False), "chat-stream": ("chat", True), "responses": ("responses", False), "messages": ("messages", False),
             "responses-stream": ("responses", True), "messages-stream": ("messages", True)}

# (group, path fragments): the first group any fragment of which is in a frame's path. Bulwark's
# own files come first, so proxy/state/redis.py is "state", not "redis client".
PROJECT = [
    ("plugin: ratelimit", ("/plugins/ratelimit/",)), ("plugin: cache", ("/plugins/cache/",)), ("plugin: budgets", ("/plugins/budgets/",)),
    ("plugin: prune", ("/plugins/prune/",)), ("plugin: validate", ("/plugins/validate/",)), ("plugin: fallback", ("/plugins/fallback/",)),
    ("core: state", ("/proxy/state/",)), ("core: providers", ("/proxy/providers/",)),
    ("core: dispatch/ledger/assembly", ("/proxy/dispatch.py", "/proxy/ledger.py", "/proxy/assembly.py")),
    ("core: edge/sse/response", ("/proxy/edge.py", "/proxy/sse.py", "/proxy/response.py")),
    ("core: wire codecs", ("/proxy/wire/",)),
    ("core: telemetry/observability", ("/proxy/telemetry.py", "/proxy/observability/", "/proxy/metrics.py")),
    ("core: tokens", ("/proxy/tokens.py",)), ("core: pricing", ("/proxy/pricing.py",)),
    ("core: handler/auth/context", ("/proxy/handlers.py", "/proxy/context.py", "/proxy/auth.py", "/proxy/keys.py", "/proxy/request_shape.py",
                                    "/proxy/parse_errors.py", "/proxy/app.py", "/proxy/generation.py", "/proxy/plugin.py", "/proxy/errors.py",
                                    "/proxy/registry.py", "/proxy/services.py", "/proxy/config.py")),
    ("core: other", ("/proxy/",)), ("plugins: other", ("/plugins/",)),
]
LIBRARIES = [
    ("aiohttp client", ("aiohttp/client", "aiohttp/connector.py", "aiohttp/tracing.py", "aiohappyeyeballs/")),
    ("aiohttp server", ("aiohttp/web", "aiohttp/abc.py")),
    ("redis client", ("site-packages/redis/",)), ("json (orjson)", ("orjson/", "/json/")), ("pydantic", ("pydantic",)),
    ("prometheus/otel", ("prometheus_client/", "opentelemetry/")), ("tiktoken", ("tiktoken",)),
    ("regex", ("/re/", "/sre_", "_sre")), ("hashing", ("hashlib", "_blake2", "hmac.py")),
    ("event loop (uvloop/asyncio)", ("uvloop/", "/asyncio/")),
]
NOT_OURS = ("/proxy/cli.py", "/proxy/__main__.py")  # the roots of every stack: serving, not work
# A thread waiting (native frames show no idle flag): executor threads parked on their queue, the
# event loop in epoll. Such samples are not CPU time and are dropped.
WAITING = re.compile(r"^(PyThread_acquire_lock_timed|epoll_wait|epoll_pwait|select|poll|ppoll|pthread_cond_(timed)?wait|sem_(timed)?wait|"
                     r"(clock_)?nanosleep|futex_wait|__futex_abstimed_wait\w*)$")
GC = ("gc_collect_main", "gc_collect_with_callback", "collect")
# Bulwark run through this wrapper times the cyclic collector exactly (gc.callbacks), without
# touching proxy/: every 0.5 s it writes {"seconds": per generation, "count": per generation}.
GC_WRAPPER = """
import gc, json, os, sys, threading, time
stats, start = {"seconds": [0.0, 0.0, 0.0], "count": [0, 0, 0]}, [0.0]
def on_gc(phase, info):
    if phase == "start":
        start[0] = time.thread_time()  # CPU time of the collecting thread: a profiler's pauses do not count
    else:
        stats["seconds"][info["generation"]] += time.thread_time() - start[0]
        stats["count"][info["generation"]] += 1
gc.callbacks.append(on_gc)
def dump(path=os.environ["BULWARK_BENCH_GC_STATS"]):
    while True:
        with open(path + ".tmp", "w") as f:
            json.dump(stats, f)
        os.replace(path + ".tmp", path)
        time.sleep(0.5)
threading.Thread(target=dump, daemon=True).start()
from proxy.cli import main
sys.argv[0] = "bulwark"
sys.exit(main())
"""
FRAME = re.compile(r"^(?P<func>.*) \((?P<path>[^()]*?)(?::(?P<line>\d+))?\)$")


def parse_frame(frame: str) -> tuple[str, str]:
    m = FRAME.match(frame)
    if not m:
        return frame, ""
    path = m.group("path")
    return m.group("func"), path if path.startswith("/") else "/" + path


def group_of(path: str, table: list[tuple[str, tuple[str, ...]]]) -> str | None:
    if table is PROJECT and path.endswith(NOT_OURS):
        return None
    for name, parts in table:
        if any(p in path for p in parts):
            return name
    return None


def short(path: str) -> str:
    for root in ("/plugins/", "/proxy/", "site-packages/"):
        if root in path:
            return (root.strip("/") + "/" if root != "site-packages/" else "") + path.split(root, 1)[1]
    return path.rsplit("/", 1)[-1]


class Breakdown:
    def __init__(self) -> None:
        self.total = 0
        self.waiting = 0
        self.layer: collections.Counter[str] = collections.Counter()
        self.owner: collections.Counter[str] = collections.Counter()
        self.owner_fn: collections.Counter[str] = collections.Counter()
        self.leaf_fn: collections.Counter[str] = collections.Counter()
        self.fn_owner: dict[str, str] = {}

    def add(self, stack: list[str], n: int) -> None:
        frames = [parse_frame(f) for f in stack]
        if any(WAITING.match(func) for func, _ in frames):
            self.waiting += n
            return
        self.total += n
        layer = owner = owner_fn = None
        for func, path in reversed(frames):  # leaf first
            g = group_of(path, PROJECT)
            if layer is None:
                layer = "gc (cyclic collector)" if func in GC else (g or group_of(path, LIBRARIES))
            if g is not None:
                owner, owner_fn = g, f"{short(path)}:{func}"
                break
        self.layer[layer or "other (interpreter, C, unknown)"] += n
        self.owner[owner or "outside Bulwark code (aiohttp server, event loop)"] += n
        if owner_fn:
            self.owner_fn[owner_fn] += n
            self.fn_owner[owner_fn] = owner  # type: ignore[assignment]
        func, path = frames[-1] if frames else ("?", "")
        self.leaf_fn[f"{short(path)}:{func}" + (f"   [under {owner_fn}]" if owner_fn else "")] += n

    def merge(self, other: "Breakdown") -> None:
        self.total += other.total
        self.waiting += other.waiting
        for mine, theirs in ((self.layer, other.layer), (self.owner, other.owner), (self.owner_fn, other.owner_fn), (self.leaf_fn, other.leaf_fn)):
            mine.update(theirs)
        self.fn_owner.update(other.fn_owner)

    def render(self, title: str, top: int = 25) -> str:
        out = [f"\n### {title}: {self.total} samples on CPU ({self.waiting} waiting samples dropped)"]
        for name, counter, n in (("by layer (innermost known group)", self.layer, 40), ("by owner (innermost Bulwark frame)", self.owner, 40),
                                 ("hot Bulwark functions (innermost Bulwark frame)", self.owner_fn, top),
                                 ("hot leaf functions (self time), with the Bulwark function they run under", self.leaf_fn, top)):
            out.append(f"\n{name}:")
            for key, count in counter.most_common(n):
                out.append(f"  {count / max(1, self.total) * 100:5.1f} %  {key}")
        out.append("\nwithin each owner: its hottest Bulwark functions")
        for group, count in self.owner.most_common(8):
            fns = [(k, v) for k, v in self.owner_fn.items() if self.fn_owner.get(k) == group]
            fns.sort(key=lambda kv: -kv[1])
            out.append(f"  {group} ({count / max(1, self.total) * 100:.1f} %): "
                       + ", ".join(f"{k.rsplit(':', 1)[-1]} {v / max(1, self.total) * 100:.1f}" for k, v in fns[:6]))
        return "\n".join(out)


def gc_stats(path: Path) -> dict[str, list[float]]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {"seconds": [0.0, 0.0, 0.0], "count": [0, 0, 0]}


def read_raw(path: Path) -> Breakdown:
    b = Breakdown()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            b.add(stack.split(";"), int(count))
    return b


async def profile(args: argparse.Namespace) -> str:
    tree = bs.baseline_tree(args.ref) if args.ref else bs.ROOT
    run = str(int(time.time()) % 10**7)
    sim_port = bs.free_port()
    procs = [bs.spawn(bs.pinned(0, [bs.PY, "-m", "proxy", "--log-level", "WARNING", "simulate", "--port", str(sim_port), "--max-recorded", "0"]),
                      log="sim")]
    try:
        await bs.wait_up(f"http://127.0.0.1:{sim_port}/v1/models", procs[0])
        redis_url = args.redis_url if args.redis else None
        gc_path = Path(tempfile.mkstemp(prefix="bulwark-profile-gc-", suffix=".json")[1])
        t = await bs.start_bulwark("bulwark full", sim_port, redis_url=redis_url, tree=tree, launcher=["-c", GC_WRAPPER],
                                   env={"BULWARK_BENCH_GC_STATS": str(gc_path)})
        procs.append(t.proc)
        await bs.check(t, argparse.Namespace(apis=bs.APIS), run)
        sections, total, notes = [], Breakdown(), []
        for name in args.workloads:
            api, stream = WORKLOADS[name]
            raw = Path(tempfile.mkstemp(prefix=f"bulwark-profile-{name}-", suffix=".txt")[1])
            spy = ["py-spy", "record", "--pid", str(t.proc.pid), "--rate", str(args.rate), "--duration", str(args.seconds), "--format", "raw",
                   "-o", str(raw)] + (["--native"] if args.native else ["--nonblocking"])
            # First without the profiler (its pauses inflate CPU per request): the clean CPU and GC figures.
            print(f"  measuring {name} for {args.seconds} s (no profiler)", file=sys.stderr, flush=True)
            gc0, cpu0 = gc_stats(gc_path), bs.cpu_s(t.proc.pid)
            load = bs.wrk(t, api, stream, args.seconds, f"{run}q{len(sections)}")
            await asyncio.sleep(0.6)  # the wrapper's next dump
            gc1, cpu1 = gc_stats(gc_path), bs.cpu_s(t.proc.pid)
            print(f"  profiling {name} for {args.seconds} s", file=sys.stderr, flush=True)
            s = subprocess.Popen(bs.pinned(0, spy), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            await asyncio.sleep(0.5)
            bs.wrk(t, api, stream, args.seconds, f"{run}p{len(sections)}")
            gc_s = [b - a for a, b in zip(gc0["seconds"], gc1["seconds"])]
            gc_n = [b - a for a, b in zip(gc0["count"], gc1["count"])]
            requests = max(1.0, load.rps * args.seconds)
            _, err = s.communicate(timeout=args.seconds + 60)
            b = read_raw(raw)
            if b.total == 0:
                raise RuntimeError(f"py-spy recorded nothing: {err.decode()[-500:]}")
            notes.append(f"{name}: {load.rps:.0f} req/s at c=32, {load.cpu_us:.0f} us CPU per request (a run without the profiler)"
                         f"{', ' + str(load.errors) + ' errors' if load.errors else ''}; cyclic GC (gc.callbacks, exact): "
                         f"{sum(gc_s) / max(1e-9, cpu1 - cpu0) * 100:.1f} % of the process's CPU, {sum(gc_s) / requests * 1e6:.0f} us per request, "
                         f"collections per 1,000 requests gen0/1/2 = " + "/".join(f"{n / requests * 1000:.0f}" for n in gc_n)
                         + ", ms per collection gen0/1/2 = " + "/".join(f"{x * 1000 / max(1, n):.2f}" for x, n in zip(gc_s, gc_n)))
            sections.append(b.render(f"{name} ({bs.PATHS[api]}, {'streamed' if stream else 'plain'})", args.top))
            total.merge(b)
        mode = "redis" if args.redis else "memory"
        head = [f"# Profile of the full shipped chain ({mode} state), {dt.datetime.now().isoformat(timespec='seconds')}",
                f"# {'Bulwark at ' + args.ref if args.ref else 'working tree, git ' + bs.git_rev()}; load average {os.getloadavg()[0]:.2f}",
                f"# command: python bench/profile_chain.py {' '.join(sys.argv[1:])}",
                f"# py-spy record {'--native ' if args.native else ''}--rate {args.rate}, {args.seconds} s per workload, wrk -t1 -c32; "
                "percentages are of the samples in which Bulwark's process was running (idle excluded)", *("# " + n for n in notes)]
        return "\n".join(head) + total.render("all workloads", args.top) + "\n" + "\n".join(sections) + "\n"
    finally:
        bs.stop(procs)
        if tree != bs.ROOT:
            bs.drop_tree(tree)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=15, help="profile length per workload")
    ap.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    ap.add_argument("--workloads", default="chat,chat-stream,responses,messages", help="comma-separated: " + ",".join(WORKLOADS))
    ap.add_argument("--ref", help="profile Bulwark at this git revision (a clean worktree) instead of the working tree")
    ap.add_argument("--redis", action="store_true", help="state.backend = redis")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--no-native", dest="native", action="store_false", help="no native frames (orjson, uvloop): less profiler overhead")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--out", default=str(bs.RESULTS / "profile.txt"))
    args, _ = ap.parse_known_args()  # bench_suite --profile passes its own flags through
    args.workloads = [w for w in args.workloads.split(",") if w]
    if bad := [w for w in args.workloads if w not in WORKLOADS]:
        ap.error(f"unknown workload(s): {', '.join(bad)}")
    if not shutil.which("py-spy"):
        sys.exit("profile_chain: py-spy not found: pip install py-spy (into the bench venv; it is no runtime dependency)")
    text = asyncio.run(profile(args))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    print(f"written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
