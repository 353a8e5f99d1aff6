"""`bulwark serve` under tracemalloc, for the soak's leak hunt (`bench/soak.py --tracemalloc`).

    python bench/soak/traced_serve.py DIR serve -c proxy.toml --port 8080

Starts tracing before anything is imported, then runs the normal CLI. Each SIGUSR1 writes a
snapshot to DIR/snap-<n>.tracemalloc and a census to DIR/census-<n>.json: live objects by
type, and the length of every module-level container of Bulwark's own modules (where caches
live). The soak asks for snapshots during the run and diffs them: lines whose live memory
keeps growing between the later snapshots, and containers that keep getting longer, are
the suspects; a bounded cache stops at its cap. Tracing costs CPU and memory of its own, so
RSS figures from a traced run are not the product's; the soak measures RSS untraced.
"""
from __future__ import annotations

import gc
import json
import signal
import sys
import tracemalloc
from collections import Counter
from pathlib import Path

FRAMES = 12  # deep enough to see who called the allocator inside aiohttp/asyncio


def census() -> dict[str, dict[str, int]]:
    """Live objects by type (top 60), and len() of module-level containers in proxy.* / plugins.*."""
    types = Counter(type(o).__qualname__ for o in gc.get_objects())
    containers: dict[str, int] = {}
    for name, mod in list(sys.modules.items()):
        if not name.startswith(("proxy", "plugins")) or mod is None:
            continue
        for attr, value in list(vars(mod).items()):
            if isinstance(value, (dict, list, set)) and not attr.startswith("__"):
                containers[f"{name}.{attr}"] = len(value)
            cache_info = getattr(value, "cache_info", None)
            if callable(cache_info):  # functools.lru_cache
                containers[f"{name}.{attr}()"] = cache_info().currsize
    return {"types": dict(types.most_common(60)), "containers": containers}


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    tracemalloc.start(FRAMES)
    taken = 0

    def snapshot(signum: int, frame: object) -> None:
        nonlocal taken
        taken += 1
        tracemalloc.take_snapshot().dump(str(out / f"snap-{taken}.tracemalloc"))
        (out / f"census-{taken}.json").write_text(json.dumps(census()))
        (out / f"snap-{taken}.done").touch()  # dump() is not atomic: the reader waits for this

    signal.signal(signal.SIGUSR1, snapshot)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
    from proxy.cli import main as cli_main

    return cli_main(sys.argv[2:])


if __name__ == "__main__":
    raise SystemExit(main())
