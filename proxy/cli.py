"""`bulwark` command line: serve, check, simulate, demo, and the admin subcommands
(keys, tickets, costs, and those plugins bring: cache, review) found by `proxy.commands`.

Signals while serving: SIGTERM/SIGINT drain (readiness fails, listeners close, in-flight
requests and streams finish within `server.shutdown_grace_seconds`, state is flushed, exit
0); SIGHUP reloads proxy.toml (an invalid file keeps the running config and logs why).
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import multiprocessing
import os
import signal
import sys
import time
from functools import partial
from typing import Any

from .commands import command_modules, config_path, load_or_exit, running
from .config import Config
from .errors import ConfigError

log = logging.getLogger("bulwark")


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s",
        stream=sys.stderr,
    )


def use_uvloop() -> bool:
    try:
        import uvloop
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True


# -- serve ---------------------------------------------------------------------------------
# Young-generation size of the cyclic collector while serving (CPython's default: 700). A
# request allocates a few thousand tracked objects and frees almost all of them by reference
# counting; at 700 the collector ran every few requests and promoted each request's live
# objects into older generations, whose collections then walked the whole heap (tokenizer
# tables, pricing, lexicons: 90-220 ms pauses, the c=1 p99 tail). A larger young generation
# lets request garbage die young; gc.freeze() takes what start-up built out of every
# collection. Cyclic garbage is still collected, just in fewer, younger passes.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    """Called once the app is built and started: freeze the start-up heap, enlarge generation 0."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


async def serve(config: Config, path: str | None, host: str, port: int, *, reuse_port: bool = False, simulator: Any = None,
                transform: Any = None) -> None:
    from aiohttp import web

    from .access_log import AccessLogger
    from .app import create_app

    app = create_app(config, path, transform=transform)
    st = app["bulwark"]
    access_log = logging.getLogger("bulwark.access") if config.server.access_log else None
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=config.server.shutdown_grace_seconds, access_log=access_log,
                           access_log_class=AccessLogger)
    await runner.setup()
    tune_gc()
    site = web.TCPSite(runner, host, port, reuse_port=reuse_port, backlog=2048)
    await site.start()
    port = site._server.sockets[0].getsockname()[1] if port == 0 and site._server else port  # type: ignore[union-attr]
    chain = [p.name for p in st.current.plugins]
    log.info("Bulwark listening on http://%s:%d/v1 (chain: %s; providers: %s)", host, port, ", ".join(chain) or "empty",
             ", ".join(p.describe() for p in st.current.services.providers.values()))
    # Workers (reuse_port) share one port and come and go: the supervisor's business, not theirs.
    runtime_dir = None if reuse_port else config.state.data_dir
    if runtime_dir is not None:
        running.write(runtime_dir, host, port, path)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    reloads: set[asyncio.Task[Any]] = set()

    def reload() -> None:
        t = loop.create_task(st.reload())
        reloads.add(t)
        t.add_done_callback(reloads.discard)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, reload)
    watcher = loop.create_task(_watch(path, reload)) if path and config.server.watch_config else None
    await stop.wait()
    log.info("draining: readiness off, listener closed, waiting up to %.0fs for in-flight requests", config.server.shutdown_grace_seconds)
    st.draining = True
    loop.remove_signal_handler(signal.SIGHUP)
    if watcher:
        watcher.cancel()
    if reloads:  # let a reload in progress finish (it sees `draining` and backs off)
        await asyncio.wait(set(reloads), timeout=30)
    await runner.cleanup()
    if runtime_dir is not None:
        running.remove(runtime_dir)
    if simulator is not None:
        await simulator.aclose()
    log.info("stopped")


async def _watch(path: str, reload: Any, interval: float = 2.0) -> None:
    """ConfigMaps update in place (a symlink swap): poll the file's identity and mtime."""
    def stamp() -> tuple[float, int] | None:
        try:
            s = os.stat(path)
            return (s.st_mtime, s.st_ino)
        except OSError:
            return None

    last = stamp()
    while True:
        await asyncio.sleep(interval)
        now = stamp()
        if now is not None and now != last:
            last = now
            log.info("config file %s changed; reloading", path)
            reload()


def _worker(path: str, host: str, port: int) -> None:
    setup_logging(os.environ.get("BULWARK_LOG_LEVEL", "INFO"))
    use_uvloop()
    config = load_or_exit(path)
    asyncio.run(serve(config, path, host, port, reuse_port=True))


def cmd_serve(args: argparse.Namespace) -> int:
    path = config_path(args)
    config = load_or_exit(path)
    host = args.host or config.server.host
    port = args.port if args.port is not None else config.server.port
    workers = args.workers or config.server.workers
    if workers == 1:
        use_uvloop()
        asyncio.run(serve(config, path, host, port))
        return 0
    if port == 0:
        print("bulwark: --workers > 1 needs a fixed --port (the workers share it with SO_REUSEPORT)", file=sys.stderr)
        return 2
    shared = _shared_state(config) if config.state.backend == "memory" else None
    tune_gc()  # the supervisor's shared-state server allocates per operation too
    running.write(config.state.data_dir, host, port, path)  # the supervisor stands for its workers
    try:
        return _supervise(path, host, port, workers, config.server.shutdown_grace_seconds)
    finally:
        running.remove(config.state.data_dir)
        if shared is not None:
            shared.stop()


def _shared_state(config: Config) -> Any:
    """With several workers and no Redis, one in-memory state for all of them: a state server
    in this (the supervisor) process, found by the workers through an environment variable.
    Otherwise every worker would enforce its own limits and budgets (N x the limit)."""
    import tempfile

    from .registry import plugin_class
    from .state.memory import MemoryState
    from .state.shared import ENV, StateServer

    for name in config.chain.plugins:  # their Scripts register by name for the server
        plugin_class(name)
    from .observability import stats  # noqa: F401 - its Scripts too

    sock = os.path.join(tempfile.mkdtemp(prefix="bulwark-state-"), "state.sock")
    server = StateServer(sock, MemoryState(config.state.memory_max_keys, config.state.data_dir, config.state.memory_max_durable_keys))
    server.start()
    os.environ[ENV] = sock
    log.info("workers share one in-memory state (limits and budgets hold for the process group): %s", sock)
    return server


def _supervise(path: str, host: str, port: int, workers: int, grace: float) -> int:
    """Run N worker processes on one port (SO_REUSEPORT); restart crashed ones; forward signals."""
    ctx = multiprocessing.get_context("spawn")
    procs: list[Any] = []
    stopping = False

    def start_one() -> Any:
        p = ctx.Process(target=_worker, args=(path, host, port), daemon=False)
        p.start()
        return p

    def on_term(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for p in procs:
            if p.is_alive():
                os.kill(p.pid, signal.SIGTERM)

    def on_hup(signum: int, frame: Any) -> None:
        for p in procs:
            if p.is_alive():
                os.kill(p.pid, signal.SIGHUP)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGHUP, on_hup)
    own_metrics_dir = None
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Workers write their metrics to files here so each /metrics answers for all of them.
        import tempfile

        own_metrics_dir = tempfile.mkdtemp(prefix="bulwark-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = own_metrics_dir
    procs.extend(start_one() for _ in range(workers))
    log.info("supervising %d workers on port %d", workers, port)
    while not stopping:
        time.sleep(0.5)
        for i, p in enumerate(procs):
            if not p.is_alive() and not stopping:
                log.warning("worker %d exited with %s; restarting", p.pid, p.exitcode)
                _metrics_process_dead(p.pid)
                procs[i] = start_one()
    deadline = time.monotonic() + grace + 5
    for p in procs:
        p.join(max(0.1, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
    if own_metrics_dir:
        import shutil

        shutil.rmtree(own_metrics_dir, ignore_errors=True)
    return 0


def _metrics_process_dead(pid: int) -> None:
    """Tell prometheus_client's multiprocess mode that a worker's live gauges are gone."""
    try:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
    except Exception:  # metrics are best effort; never stop supervising over them
        pass


# -- check -----------------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace) -> int:
    path = config_path(args)
    config = load_or_exit(path)
    from .generation import Generation

    try:
        gen = Generation(config)
    except ConfigError as exc:
        print(f"bulwark: invalid configuration in {path}:\n{exc}", file=sys.stderr)
        return 2
    print(f"config: {path} is valid")
    print(f"auth: {config.auth.mode}, {len(config.auth.keys)} configured client key(s), anonymous {'allowed' if config.auth.allow_anonymous else 'refused'}")
    print(f"state: {config.state.backend}" + (f" ({config.state.on_failure})" if config.state.backend == "redis" else ""))
    print("providers:")
    for p in gen.services.providers.values():
        default = " [default]" if p.name == config.models.default_provider else ""
        print(f"  - {p.describe()}{default}")
    if config.models.routes:
        print("model routes:")
        for alias, r in config.models.routes.items():
            print(f"  - {alias} -> {r.provider}{' as ' + r.model if r.model else ''}")
    print("chain (outermost first):")
    for p in gen.plugins:
        print(f"  - {p.name} ({p.config.mode}; endpoints: {', '.join(p.config.endpoints)})")
    if not gen.plugins:
        print("  (empty: pure pass-through)")
    skipped = [n for n in config.chain.plugins if n not in {p.name for p in gen.plugins}]
    for n in skipped:
        print(f"  - {n} (disabled)")
    return 0


# -- simulate / demo -----------------------------------------------------------------------------
def _sim_config(args: argparse.Namespace) -> Any:
    from .simulator import SimulatorConfig

    fields: dict[str, Any] = {}
    if args.delay_ms is not None:
        fields["stream_delay_ms"] = args.delay_ms
    if args.fault_rate is not None:
        fields["fault_rate"] = args.fault_rate
    if args.seed is not None:
        fields["seed"] = args.seed
    if args.fault:
        fields["fault"] = args.fault
    if args.fault_kinds:
        fields["fault_kinds"] = [k.strip() for k in args.fault_kinds.split(",") if k.strip()]
    if args.chunk_words is not None:
        fields["chunk_words"] = args.chunk_words
    if args.model_prefix is not None:
        fields["model_prefix"] = args.model_prefix
    if args.no_anthropic:
        fields["anthropic"] = False
    if args.max_recorded is not None:
        fields["max_recorded"] = args.max_recorded
    try:
        return SimulatorConfig(**fields)
    except ValueError as exc:
        raise SystemExit(f"bulwark: invalid simulator option: {exc}") from None


def cmd_simulate(args: argparse.Namespace) -> int:
    from .simulator import run

    use_uvloop()
    run(args.host, args.port, _sim_config(args))
    return 0


LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def point_at_simulator(config: Config, sim_base: str) -> Config:
    """The demo's upstreams are the simulator it started: every openai / anthropic provider on
    this machine gets the simulator's address (keeping its path, e.g. /v1), whatever port the
    file says. Providers elsewhere stay as they are (and say so)."""
    from urllib.parse import urlsplit

    for name, p in config.providers.items():
        if p.type not in ("openai", "anthropic") or not p.base_url:
            continue
        u = urlsplit(p.base_url)
        if u.hostname not in LOOPBACK and f"[{u.hostname}]" not in LOOPBACK:
            log.warning("demo: provider %s stays on %s (not on this machine)", name, p.base_url)
            continue
        new = sim_base.rstrip("/") + u.path.rstrip("/")
        if new != p.base_url:
            log.info("demo: provider %s -> %s (the simulator)", name, new)
            p.base_url = new
    return config


def cmd_demo(args: argparse.Namespace) -> int:
    """The simulator (on --sim-port, default 9000) and Bulwark on its configured port, in one
    process, with Bulwark's local providers pointed at that simulator (also after a reload)."""
    path = config_path(args)
    config = load_or_exit(path)
    use_uvloop()

    async def main() -> None:
        from .simulator import start

        sim = await start(_sim_config(args), host="127.0.0.1", port=args.sim_port)
        log.info("simulated provider on %s", sim.url)
        transform = partial(point_at_simulator, sim_base=sim.base)
        await serve(transform(config), path, args.host or config.server.host,
                    args.port if args.port is not None else config.server.port, simulator=sim, transform=transform)

    asyncio.run(main())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bulwark", description="Bulwark: a production-hardening sidecar proxy for LLM apps (OpenAI API).")
    parser.add_argument("--log-level", default=os.environ.get("BULWARK_LOG_LEVEL", "INFO"))
    sub = parser.add_subparsers(dest="command", required=True)

    def with_config(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--config", "-c", help="path to proxy.toml (default: $BULWARK_CONFIG or ./proxy.toml)")
        return p

    p = with_config(sub.add_parser("serve", help="run the proxy"))
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--workers", type=int, help="worker processes sharing the port (default: server.workers)")
    p.set_defaults(func=cmd_serve)

    p = with_config(sub.add_parser("check", help="validate proxy.toml and print the effective chain and providers"))
    p.set_defaults(func=cmd_check)

    def sim_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--delay-ms", type=float, help="pause between streamed events")
        p.add_argument("--fault-rate", type=float, help="share of requests that get a random fault (0-1)")
        p.add_argument("--seed", type=int)
        p.add_argument("--fault", help="a fault applied to every request, e.g. 503, cut=3, latency=200")
        p.add_argument("--fault-kinds", help="comma-separated faults drawn at --fault-rate (default 429,500,503)")
        p.add_argument("--chunk-words", type=int, help="words per streamed event")
        p.add_argument("--model-prefix", help="prefix on the model name in answers")
        p.add_argument("--no-anthropic", action="store_true", help="disable the Anthropic /v1/messages face")
        p.add_argument("--max-recorded", type=int, help="requests kept for GET /sim/requests (0 for benchmarks)")

    p = sub.add_parser("simulate", help="run the simulated OpenAI/Anthropic-compatible provider")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9000)
    sim_args(p)
    p.set_defaults(func=cmd_simulate)

    p = with_config(sub.add_parser("demo", help="run the simulator and Bulwark together (the README's quick start)"))
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--sim-port", type=int, default=9000)
    sim_args(p)
    p.set_defaults(func=cmd_demo)

    for module in command_modules():
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.log_level)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
