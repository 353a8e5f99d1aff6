"""Core overhead benchmark: direct vs thinnest pass-through vs Bulwark (empty chain, example plugin).

    python bench/bench_core.py [--requests 2000] [--seconds 10] [--stream] [--baseline-ref REV]

Starts the simulated upstream, bench/thin_proxy.py and Bulwark as separate processes (the
proxies pinned to CPU 1, upstream and load generator to CPU 0 when `taskset` exists), then
measures for each target, in the same run:
- latency p50/p99 at concurrency 1 (a Python aiohttp client, sequential requests),
- requests/s at concurrency 32 (wrk when installed: `apt-get install wrk`; else Python),
- idle and peak RSS of the proxy process (VmRSS / VmHWM).
Prints absolute figures and the ratios the core issue sets targets for. `--baseline-ref REV`
also runs Bulwark as it was at git revision REV (a temporary worktree), in the same rounds,
so a redesign is compared with what it replaced under the same load.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
BODY = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello in five words."}], "max_tokens": 16})
HEADERS = {"Authorization": "Bearer sk-bench", "Content-Type": "application/json"}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpu: int, argv: list[str]) -> list[str]:
    return (["taskset", "-c", str(cpu)] + argv) if shutil.which("taskset") and os.cpu_count() and os.cpu_count() > 1 else argv  # type: ignore[operator]


def start(argv: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def baseline_tree(ref: str) -> Path:
    """A throw-away worktree of `ref` (removed by `drop_tree`)."""
    path = Path(tempfile.mkdtemp(prefix="bulwark-baseline-"))
    subprocess.run(["git", "worktree", "add", "--detach", str(path), ref], cwd=ROOT, check=True, capture_output=True)
    return path


def drop_tree(path: Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, capture_output=True)


async def wait_ready(url: str, timeout: float = 20.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Until `url` answers below 500; fails at once when `proc` (the server) has exited."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as s:
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{url}: the process exited with {proc.returncode} (log: {getattr(proc, 'log_path', '?')})")
            try:
                async with s.get(url) as r:
                    if r.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def bulwark_config(sim_port: int, plugins: list[str]) -> str:
    lines = [
        "[server]", 'host = "127.0.0.1"', "", "[auth]", 'mode = "managed"', "[[auth.keys]]", 'name = "bench"', 'key = "sk-bench"', "",
        "[providers.sim]", 'type = "openai"', f'base_url = "http://127.0.0.1:{sim_port}/v1"', "", "[chain]",
        "plugins = [" + ", ".join(f'"{p}"' for p in plugins) + "]",
    ]
    path = Path(tempfile.mkstemp(suffix=".toml", prefix="bulwark-bench-")[1])
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its children's threads), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int, field: str) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    m = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(m.group(1)) if m else 0


async def latency(url: str, n: int, stream: bool) -> tuple[float, float]:
    body = BODY if not stream else BODY[:-1] + ', "stream": true}'
    times: list[float] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1), timeout=aiohttp.ClientTimeout(total=20)) as s:
        for i in range(n + n // 10):
            t0 = time.perf_counter()
            async with s.post(url, data=body, headers=HEADERS) as r:
                await r.read()
                assert r.status == 200, r.status
            if i >= n // 10:  # warm-up excluded
                times.append(time.perf_counter() - t0)
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.99) - 1] * 1000


def throughput_wrk(url: str, seconds: int) -> float:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        'wrk.method = "POST"\nwrk.body = [[' + BODY + ']]\n'
        'wrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer sk-bench"\n'
    )
    out = subprocess.run(pinned(0, ["wrk", "-t1", "-c32", f"-d{seconds}s", "-s", str(script), url]), capture_output=True, text=True).stdout
    script.unlink()
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"wrk saw {non2xx.group(1)} error answers from {url}")
    return float(m.group(1)) if m else 0.0


async def throughput_py(url: str, seconds: int) -> float:
    done = 0
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=32)) as s:
        async def worker() -> None:
            nonlocal done
            while time.monotonic() < deadline:
                async with s.post(url, data=BODY, headers=HEADERS) as r:
                    await r.read()
                done += 1
        await asyncio.gather(*(worker() for _ in range(32)))
    return done / seconds


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--stream", action="store_true", help="latency of streamed answers instead of plain ones")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline-ref", help="also measure Bulwark at this git revision (e.g. the commit before a redesign)")
    args = ap.parse_args()
    tree = baseline_tree(args.baseline_ref) if args.baseline_ref else None
    py = sys.executable
    sim_port, thin_port = free_port(), free_port()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(start(pinned(0, [py, "-m", "proxy", "simulate", "--port", str(sim_port)])))
        await wait_ready(f"http://127.0.0.1:{sim_port}/v1/models")
        targets: list[tuple[str, int, int | None]] = [("direct", sim_port, None)]
        thin = start(pinned(1, [py, "bench/thin_proxy.py", str(thin_port), f"http://127.0.0.1:{sim_port}"]))
        procs.append(thin)
        await wait_ready(f"http://127.0.0.1:{thin_port}/v1/models")
        targets.append(("pass-through", thin_port, thin.pid))
        runs: list[tuple[str, list[str], Path]] = [("bulwark (empty chain)", [], ROOT), ("bulwark (example plugin)", ["example"], ROOT)]
        if tree is not None:
            runs += [(f"@{args.baseline_ref[:10]} (empty)", [], tree), (f"@{args.baseline_ref[:10]} (example)", ["example"], tree)]
        for label, plugins, cwd in runs:
            port = free_port()
            p = start(pinned(1, [py, "-m", "proxy", "--log-level", "WARNING", "serve", "-c", bulwark_config(sim_port, plugins), "--port", str(port)]),
                      cwd=cwd, env={"PYTHONPATH": str(cwd)})
            procs.append(p)
            await wait_ready(f"http://127.0.0.1:{port}/healthz")
            targets.append((label, port, p.pid))
        await asyncio.sleep(1.0)
        idle = {label: rss_kb(pid, "VmRSS") for label, _, pid in targets if pid}
        use_wrk = shutil.which("wrk") is not None
        # Rounds interleave the targets so drift on a shared machine hits all of them alike;
        # the median of the rounds is reported. CPU per request (utime+stime of the server
        # process over the throughput run) is the steadiest figure on a noisy box.
        per: dict[str, dict[str, list[float]]] = {label: {"p50": [], "p99": [], "rps": [], "cpu_us": []} for label, _, _ in targets}
        for _ in range(args.rounds):
            for label, port, pid in targets:
                url = f"http://127.0.0.1:{port}/v1/chat/completions"
                print(f"  measuring {label}", file=sys.stderr, flush=True)
                p50, p99 = await latency(url, args.requests // args.rounds, args.stream)
                cpu0 = cpu_seconds(pid or procs[0].pid)
                rps = throughput_wrk(url, args.seconds) if use_wrk else await throughput_py(url, args.seconds)
                cpu1 = cpu_seconds(pid or procs[0].pid)
                per[label]["p50"].append(p50)
                per[label]["p99"].append(p99)
                per[label]["rps"].append(rps)
                per[label]["cpu_us"].append((cpu1 - cpu0) / max(1.0, rps * args.seconds) * 1e6)
        med = statistics.median
        rows = [(label, med(per[label]["p50"]), med(per[label]["p99"]), med(per[label]["rps"]), idle.get(label, 0) / 1024,
                 (rss_kb(pid, "VmHWM") / 1024) if pid else 0, med(per[label]["cpu_us"])) for label, _, pid in targets]
        print(f"\nload generator: {'wrk -t1 -c32' if use_wrk else 'python aiohttp (32 tasks)'}; latency: python aiohttp client, "
              f"{args.requests} sequential {'streamed' if args.stream else 'plain'} chat requests; median of {args.rounds} interleaved rounds\n")
        print(f"{'target':<26} {'c=1 p50 ms':>10} {'c=1 p99 ms':>10} {'c=32 req/s':>11} {'CPU us/req':>11} {'idle RSS MB':>12} {'peak RSS MB':>12}")
        for label, p50, p99, rps, idle_mb, peak_mb, cpu in rows:
            print(f"{label:<26} {p50:>10.3f} {p99:>10.3f} {rps:>11.0f} {cpu:>11.0f} {idle_mb:>12.1f} {peak_mb:>12.1f}")
        direct, thin_row = rows[0], rows[1]
        print("\nadded latency over direct (p50 / p99 ms), ratio to the pass-through's added latency, throughput share:")
        base50, base99 = thin_row[1] - direct[1], thin_row[2] - direct[2]
        ratio = lambda a, b: f"{a / b:.2f}x" if b > 0.01 else "n/a (pass-through adds ~0)"
        for row in rows[1:]:
            add50, add99 = row[1] - direct[1], row[2] - direct[2]
            print(f"  {row[0]:<26} +{add50:.3f} / +{add99:.3f} ms   p50 {ratio(add50, base50)}  p99 {ratio(add99, base99)}"
                  f"   throughput {row[3] / max(1e-9, thin_row[3]) * 100:.0f}% of pass-through")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        if tree is not None:
            drop_tree(tree)


if __name__ == "__main__":
    asyncio.run(main())
