"""Prometheus-backed `proxy.metrics.Metrics`: the names and labels of `proxy.metrics.METRICS`.

Collectors are created once per process in a private `CollectorRegistry` (a config reload
builds a new generation but keeps counting into the same series).

Several worker processes (`bulwark serve --workers N`): set `PROMETHEUS_MULTIPROC_DIR` to an
empty directory, writable by every worker and wiped before the server starts (e.g. a
Kubernetes `emptyDir`). Each worker then writes its samples to memory-mapped files there and
whichever worker answers `GET /metrics` sums all of them (prometheus_client's multiprocess
mode; gauges: in-flight requests are summed over live workers, breaker states take the max).
Without it each worker only reports its own counts.
"""
from __future__ import annotations

import logging
import os
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import values as _values

from ..metrics import METRICS, Metrics

log = logging.getLogger("bulwark.metrics")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)
OVERHEAD_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
# The OTel GenAI conventions' explicit bucket boundaries (semantic-conventions gen-ai-metrics.md).
GENAI_TOKEN_BUCKETS = tuple(float(4 ** i) for i in range(14))  # 1, 4, 16 ... 67,108,864
GENAI_DURATION_BUCKETS = tuple(round(0.01 * 2 ** i, 2) for i in range(14))  # 0.01, 0.02 ... 81.92
GENAI_TTFT_BUCKETS = (0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
BUCKETS: dict[str, tuple[float, ...]] = {
    "bulwark_overhead_duration_seconds": OVERHEAD_BUCKETS,
    "bulwark_feedback_rating": (1.0, 2.0, 3.0, 4.0, 5.0),
    "gen_ai_client_token_usage": GENAI_TOKEN_BUCKETS,
    "gen_ai_client_operation_duration_seconds": GENAI_DURATION_BUCKETS,
    "gen_ai_server_time_to_first_token_seconds": GENAI_TTFT_BUCKETS,
}
# multiprocess aggregation for gauges
GAUGE_MODES = {"bulwark_inflight_requests": "livesum", "bulwark_breaker_state": "max", "bulwark_state_up": "min",
               "bulwark_provider_up": "min"}


def multiproc_dir() -> str | None:
    d = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")
    return d or None


class _Registry:
    """The per-process collectors (created lazily, once)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.collectors: dict[str, Any] = {}
        self.labelnames: dict[str, tuple[str, ...]] = {}
        self.multiproc = multiproc_dir()
        if self.multiproc and _values.ValueClass is not _values.get_value_class():
            # prometheus_client picked its value class before the variable was set.
            _values.ValueClass = _values.get_value_class()
        for name, (kind, help_, labels) in METRICS.items():
            self._create(name, kind, help_, labels)

    def _create(self, name: str, kind: str, help_: str, labels: tuple[str, ...]) -> Any:
        reg = self.registry
        if kind == "counter":
            c: Any = Counter(name.removesuffix("_total"), help_, labels, registry=reg)
        elif kind == "histogram":
            c = Histogram(name, help_, labels, buckets=BUCKETS.get(name, LATENCY_BUCKETS), registry=reg)
        else:
            c = Gauge(name, help_, labels, registry=reg, multiprocess_mode=GAUGE_MODES.get(name, "max"))
        self.collectors[name] = c
        self.labelnames[name] = labels
        return c

    def get(self, name: str) -> Any:
        c = self.collectors.get(name)
        if c is None and name in METRICS:  # added to METRICS after import (tests, plugins)
            kind, help_, labels = METRICS[name]
            c = self._create(name, kind, help_, labels)
        return c


_REG: _Registry | None = None


def registry() -> _Registry:
    global _REG
    if _REG is None:
        _REG = _Registry()
    return _REG


class PrometheusMetrics(Metrics):
    """Never raises into the request path: an unknown name or a bad label is logged once."""

    def __init__(self, tap: Any = None) -> None:
        self.reg = registry()
        self._children: dict[tuple[str, tuple[Any, ...]], Any] = {}
        self._warned: set[str] = set()
        self.tap = tap  # optional callable(name, amount, labels) for counters (the cost stack)

    def _child(self, name: str, labels: dict[str, Any]) -> Any:
        key = (name, tuple(labels.items())) if labels else name
        child = self._children.get(key)
        if child is None:
            names = self.reg.labelnames.get(name)
            if names is None:
                if self.reg.get(name) is None:
                    self._warn(name, f"metric {name!r} is not declared in proxy.metrics.METRICS; ignored")
                    return None
                names = self.reg.labelnames[name]
            values = tuple("" if labels.get(n) is None else str(labels.get(n)) for n in names)
            c = self.reg.collectors[name]
            if len(labels) != len(names) or any(n not in labels for n in names):
                self._warn(name + "/labels", f"metric {name} recorded with labels {sorted(labels)}, declared {list(names)}")
            child = c.labels(*values) if names else c
            if len(self._children) < 50_000:
                self._children[key] = child
        return child

    def child(self, name: str, **labels: Any) -> Any:
        """The collector child of one label set, for hot paths that cache it (None: unknown metric)."""
        try:
            return self._child(name, labels)
        except Exception as exc:  # noqa: BLE001 - metrics never fail a request
            self._warn(name + "/child", f"metric {name} child failed: {exc!r}")
            return None

    def _warn(self, key: str, msg: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(msg)

    def inc(self, name: str, amount: float = 1.0, **labels: Any) -> None:
        try:
            child = self._child(name, labels)
            if child is not None:
                child.inc(amount)
            if self.tap is not None:
                self.tap(name, amount, labels)
        except Exception as exc:  # noqa: BLE001 - metrics never fail a request
            self._warn(name + "/inc", f"metric {name} inc failed: {exc!r}")

    def observe(self, name: str, value: float, **labels: Any) -> None:
        try:
            child = self._child(name, labels)
            if child is not None:
                child.observe(value)
        except Exception as exc:  # noqa: BLE001
            self._warn(name + "/observe", f"metric {name} observe failed: {exc!r}")

    def set(self, name: str, value: float, **labels: Any) -> None:
        try:
            child = self._child(name, labels)
            if child is not None:
                child.set(value)
        except Exception as exc:  # noqa: BLE001
            self._warn(name + "/set", f"metric {name} set failed: {exc!r}")


def exposition() -> bytes:
    """The Prometheus text of this process, or of every worker in multiprocess mode."""
    reg = registry()
    if reg.multiproc:
        from prometheus_client import multiprocess

        agg = CollectorRegistry()
        multiprocess.MultiProcessCollector(agg, path=reg.multiproc)
        return generate_latest(agg)
    return generate_latest(reg.registry)
