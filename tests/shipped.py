"""The shipped proxy.toml as a test config: the product as users get it, pointed at test servers.

    cfg = shipped_config(sim, tmp_path)             # every provider of proxy.toml -> the simulator
    proxy = await start_proxy(cfg)

Only what must differ on a test machine is changed: provider URLs (the simulator instead of
:9000), the listening port, the data dir, and the client keys (the test keys of
tests.helpers, so tests do not depend on the demo keys' limits). Everything else — the chain,
every plugin section, the fallback chains, prices — is the file as shipped.
"""
from __future__ import annotations

import contextlib
import tomllib
from pathlib import Path
from typing import Any, AsyncIterator

from proxy.config import interpolate
from tests.helpers import TEST_KEYS, deep_merge, start_proxy

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "proxy.toml"


def shipped_config(sim: Any, tmp_path: Path, *, keys: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    raw = interpolate(tomllib.loads(SHIPPED.read_text()))
    for name, p in raw.get("providers", {}).items():
        if p.get("type") == "openai":
            p["base_url"] = sim.url
        elif p.get("type") == "anthropic":
            p["base_url"] = sim.base
    raw["server"] = {**raw.get("server", {}), "host": "127.0.0.1", "port": 0}
    raw["state"] = {**raw.get("state", {}), "data_dir": str(tmp_path)}
    raw.setdefault("auth", {})["keys"] = keys if keys is not None else [dict(k) for k in TEST_KEYS]
    return deep_merge(raw, overrides)


def redis_state(redis_url: str, prefix: str) -> dict[str, Any]:
    """The `[state]` override that puts the shipped config on the test Redis."""
    return {"state": {"backend": "redis", "redis_url": redis_url, "key_prefix": prefix}}


@contextlib.asynccontextmanager
async def shipped_proxy(backend: str, sim: Any, tmp_path: Path, prefix: str, redis_url: str, **over: Any) -> AsyncIterator[Any]:
    """Bulwark on the shipped proxy.toml, state in memory or on the test Redis (own prefix, removed after)."""
    from tests.rl_support import cleanup_redis

    if backend == "redis":
        over |= redis_state(redis_url, prefix)
    p = await start_proxy(shipped_config(sim, tmp_path, **over))
    try:
        yield p
    finally:
        st = p.services.state
        st = getattr(st, "primary", st)
        await p.aclose()
        if backend == "redis":
            await cleanup_redis(type(st)(st.url, st.prefix))

