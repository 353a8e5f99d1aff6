"""Build the configured state backend (`[state]` in proxy.toml)."""
from __future__ import annotations

from typing import Any

from .base import StateBackend
from .memory import MemoryState


def create_state(state_config: Any, metrics: Any = None) -> StateBackend:
    """`memory` -> MemoryState; `redis` -> RedisState wrapped in the `on_failure` policy.

    The fail-open fallback is a MemoryState with the same bounds and data dir. `metrics`
    (optional) receives `bulwark_redis_errors_total`; it can also be assigned later as
    `state.metrics`. `state.cluster` / `state.sentinels` choose the Redis topology
    (proxy.state.redis).
    """
    local = MemoryState(max_keys=state_config.memory_max_keys, data_dir=state_config.data_dir,
                        max_durable_keys=state_config.memory_max_durable_keys)
    if state_config.backend == "memory":
        import os

        from .shared import ENV, SharedState

        if os.environ.get(ENV):  # a worker of `serve --workers N`: the supervisor's one state
            return SharedState(os.environ[ENV], hold_seconds=state_config.write_behind_ms / 1000)
        return local
    from .redis import RedisState
    from .resilient import ResilientState

    primary = RedisState(
        state_config.redis_url, state_config.key_prefix, state_config.timeout_ms,
        cluster=state_config.cluster, cluster_nodes=state_config.cluster_nodes,
        sentinels=state_config.sentinels, sentinel_service=state_config.sentinel_service,
        sentinel_password=_env(state_config.sentinel_password_env),
        write_behind_ms=state_config.write_behind_ms,
    )
    return ResilientState(primary, state_config.on_failure, fallback=local, metrics=metrics)


def _env(name: str) -> str | None:
    import os

    return (os.environ.get(name) or None) if name else None
