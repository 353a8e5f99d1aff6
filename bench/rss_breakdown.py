"""Where the full chain's idle resident memory goes (issue 20: idle RSS <= 80 MB).

    python bench/rss_breakdown.py

Imports what a serving process imports, one group at a time, then builds the two token
encodings, printing the resident set size (VmRSS) after each step in a fresh interpreter.
`bench/bench_suite.py` measures the idle RSS of a real serving process; this says what it is
made of. Linux only (reads /proc/self/status).
"""
from __future__ import annotations

import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STEPS = [
    ("python itself", []),
    ("orjson, pydantic", ["orjson", "pydantic"]),
    ("aiohttp (asyncio, ssl, http parser)", ["aiohttp"]),
    ("redis.asyncio", ["redis.asyncio"]),
    ("opentelemetry sdk + otlp exporter", ["opentelemetry.sdk.trace", "opentelemetry.sdk.metrics",
                                           "opentelemetry.exporter.otlp.proto.http.trace_exporter"]),
    ("tiktoken (module only)", ["tiktoken"]),
    ("proxy core (config, app)", ["proxy.config", "proxy.app"]),
    ("plugins", ["plugins.ratelimit", "plugins.cache", "plugins.budgets", "plugins.prune", "plugins.validate",
                 "plugins.fallback"]),
]


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    prev = rss_mb()
    print(f"{'step':46s} {'+MB':>7s} {'RSS MB':>8s}")
    for label, modules in STEPS:
        for m in modules:
            __import__(m)
        now = rss_mb()
        print(f"{label:46s} {now - prev:7.1f} {now:8.1f}")
        prev = now
    from proxy import tokens

    for name in ("o200k_base", "cl100k_base"):
        tokens.get_encoding(name)
        gc.collect()
        now = rss_mb()
        print(f"{'encoding ' + name:46s} {now - prev:7.1f} {now:8.1f}")
        prev = now


if __name__ == "__main__":
    main()
