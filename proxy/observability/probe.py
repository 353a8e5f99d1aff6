"""Can Bulwark reach its LLM providers? A cheap background check of every HTTP provider.

At startup (before the first request is served) and every `telemetry.probe.interval_seconds`,
each provider of type openai / anthropic gets one TCP connection to the host and port of its
`base_url` (plus the TLS handshake for https), closed at once: no HTTP request, so nothing is
billed, logged or counted upstream. Why it matters: with a wrong or dead upstream the fallback
chain's last tiers (rules, human) still answer 200, so an SDK client sees success; the probe
makes the outage visible in the startup log, in `/readyz` (`checks.providers`), on the
dashboard and as `bulwark_provider_up{provider}`.

`/readyz` stays ready by default while providers are unreachable: every replica shares the same
upstreams, so failing readiness would pull all of them out of the Service at once and turn
"answered by the fallback tiers" into "connection refused". `fail_readiness = true` is for
deployments where a load balancer can send traffic to replicas with other upstreams.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger("bulwark.probe")

HTTP_KINDS = ("openai", "anthropic")


class ProbeResult:
    __slots__ = ("reachable", "detail", "checked_at", "address")

    def __init__(self, address: str) -> None:
        self.reachable: bool | None = None  # None: not checked yet
        self.detail = "not checked yet"
        self.checked_at = 0.0
        self.address = address

    def view(self) -> dict[str, Any]:
        return {"reachable": self.reachable, "detail": self.detail, "address": self.address, "checked_at": int(self.checked_at)}


def _target(base_url: str) -> tuple[str, int, bool] | None:
    u = urlsplit(base_url)
    if not u.hostname:
        return None
    tls = u.scheme == "https"
    return u.hostname, u.port or (443 if tls else 80), tls


class ProviderProbe:
    def __init__(self, services: Any, cfg: Any) -> None:
        self.services = services
        self.cfg = cfg
        self.targets: dict[str, tuple[str, int, bool]] = {}
        for name, pcfg in services.config.providers.items():
            t = _target(pcfg.base_url) if pcfg.type in HTTP_KINDS and pcfg.base_url else None
            if t is not None:
                self.targets[name] = t
        self.results = {name: ProbeResult(f"{h}:{p}") for name, (h, p, _) in self.targets.items()}
        self._task: asyncio.Task[None] | None = None
        self._ssl: ssl.SSLContext | None = None

    # -- checking ---------------------------------------------------------------------------
    async def check(self, name: str) -> None:
        host, port, tls = self.targets[name]
        res = self.results[name]
        if tls and self._ssl is None:
            self._ssl = ssl.create_default_context()
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port, ssl=self._ssl if tls else None, server_hostname=host if tls else None),
                self.cfg.timeout_seconds)
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            except (OSError, asyncio.TimeoutError, ssl.SSLError):
                pass
            ok, detail = True, "ok"
        except asyncio.TimeoutError:
            ok, detail = False, f"no answer within {self.cfg.timeout_seconds:g} s"
        except ssl.SSLError as exc:
            ok, detail = False, f"TLS: {exc.reason or exc}"
        except OSError as exc:  # refused, unknown host, unreachable network
            ok, detail = False, (os.strerror(exc.errno) if exc.errno else "") or str(exc) or type(exc).__name__
            if isinstance(exc, socket.gaierror):
                ok, detail = False, f"cannot resolve {host}"
        res.reachable, res.detail, res.checked_at = ok, detail, time.time()
        self.services.metrics.set("bulwark_provider_up", 1.0 if ok else 0.0, provider=name)

    async def round(self) -> None:
        if self.targets:
            await asyncio.gather(*(self.check(n) for n in self.targets))

    # -- reading ------------------------------------------------------------------------------
    def unreachable(self) -> list[str]:
        return [n for n, r in self.results.items() if r.reachable is False]

    def all_unreachable(self) -> bool:
        return bool(self.results) and all(r.reachable is False for r in self.results.values())

    def summary(self) -> dict[str, Any]:
        return {"all_unreachable": self.all_unreachable(), "unreachable": self.unreachable(),
                "providers": {n: r.view() for n, r in self.results.items()}}

    def describe(self) -> str:
        """One line for logs and /readyz."""
        if not self.results:
            return "no HTTP providers"
        bad = self.unreachable()
        if not bad:
            return "ok"
        parts = ", ".join(f"{n} ({self.results[n].address}: {self.results[n].detail})" for n in bad)
        return ("every LLM provider is unreachable: " if self.all_unreachable() else "unreachable: ") + parts

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        if not self.targets:
            return
        await self.round()
        self._log_state(None)
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="bulwark-provider-probe")

    def _log_state(self, before: tuple[str, ...] | None) -> None:
        bad = tuple(self.unreachable())
        if before is not None and bad == before:
            return  # log changes only
        if self.all_unreachable():
            log.error("%s. Requests will be answered by Bulwark's own tiers (rules, human) or fail; check base_url "
                      "in [providers] (bulwark demo starts the simulator and points the providers at it).", self.describe())
        elif bad:
            log.warning("LLM providers %s", self.describe())
        else:
            log.info("LLM providers reachable: %s", ", ".join(f"{n} ({r.address})" for n, r in self.results.items()))

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.cfg.interval_seconds)
            before = tuple(self.unreachable())
            try:
                await self.round()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - never kill the loop
                log.warning("provider probe failed: %r", exc)
                continue
            self._log_state(before)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
