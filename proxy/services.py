"""`Services`: the shared, long-lived things plugins and providers use.

Built once per app (per config generation) by `proxy.app`; passed to every plugin and
provider constructor. Nothing here is per request.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Coroutine

from .metrics import Metrics

if TYPE_CHECKING:
    import aiohttp

    from .config import Config
    from .pricing import Pricing
    from .plugin import Plugin
    from .providers.base import Provider
    from .state.base import StateBackend

log = logging.getLogger("bulwark")


class BackgroundTasks:
    """Fire-and-forget work with a reference and a bound (no leaked or unbounded tasks)."""

    def __init__(self, limit: int = 1000) -> None:
        self.limit = limit
        self._tasks: set[asyncio.Task[Any]] = set()
        self.dropped = 0

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str = "bulwark-bg", *, essential: bool = False) -> asyncio.Task[Any] | None:
        """Start `coro` in the background. Past the bound, optional work (webhooks, stats) is
        dropped and counted; `essential` work (settling money and limits, refunds, breaker
        outcomes) is never dropped: a few per request, each done within a state round trip, so
        the request caps bound them."""
        if len(self._tasks) >= self.limit and not essential:
            self.dropped += 1
            coro.close()
            log.warning("background task %s dropped: %d already running", name, len(self._tasks))
            return None
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    async def run_soon(self, coro: Coroutine[Any, Any, Any], name: str = "bulwark-bg") -> None:
        """Run `coro` in the background (e.g. settling a reservation), so the answer is not
        delayed by one more state round trip and a cancelled request still gets it done.
        When the pool is full it runs inline instead of being dropped."""
        if len(self) >= self.limit:
            await coro
            return
        self.spawn(coro, name=name)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("background task %s failed: %r", task.get_name(), task.exception())

    def __len__(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout: float = 5.0) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
        for t in list(self._tasks):
            t.cancel()


@dataclass
class Services:
    config: "Config"
    state: "StateBackend"
    session: "aiohttp.ClientSession | None" = None
    providers: dict[str, "Provider"] = field(default_factory=dict)
    plugins: list["Plugin"] = field(default_factory=list)  # the generation's chain, outermost first
    metrics: Metrics = field(default_factory=Metrics)
    tasks: BackgroundTasks = field(default_factory=BackgroundTasks)
    tracer: Any = None  # opentelemetry Tracer when tracing is on
    telemetry: Any = None  # proxy.telemetry.Telemetry (hooks for spans and request metrics)
    pricing: "Pricing | None" = None  # built from [pricing] by pricing_for(), once

    def __post_init__(self) -> None:
        if self.pricing is None and getattr(self.config, "pricing", None) is not None:
            from .pricing import Pricing

            self.pricing = Pricing(self.config.pricing or {})

    def provider(self, name: str) -> "Provider":
        try:
            return self.providers[name]
        except KeyError:
            raise KeyError(f"no provider named {name!r} (have: {sorted(self.providers)})") from None
