"""The `[telemetry]` section of proxy.toml (validated here; errors name the key path).

    [telemetry]
    service_name = ""            # OTel service.name; "" -> $OTEL_SERVICE_NAME, else "bulwark"

    [telemetry.tracing]
    enabled = false              # off: no span objects are created at all
    sample_ratio = 1.0           # parent-based: an incoming sampled traceparent is honoured
    exporter = "otlp_http"       # otlp_http (protobuf) | otlp_http_sdk | otlp_grpc (needs the grpc exporter package) | console | none
    endpoint = ""                # "" -> OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT / localhost:4318
    headers = {}                 # merged over OTEL_EXPORTER_OTLP_HEADERS
    timeout_seconds = 10.0
    record_content = false       # gen_ai.input/output.messages: personal data, opt-in only

    [telemetry.recent_traces]    # in-process ring behind the dashboard's waterfall (no collector needed)
    enabled = true
    size = 200                   # most recent requests kept
    notable_size = 50            # failed / fallen-back / slow requests kept apart
    slow_seconds = 5.0

    [telemetry.probe]            # reachability of every HTTP provider (startup log, /readyz, dashboard)
    enabled = true
    interval_seconds = 30
    timeout_seconds = 2
    fail_readiness = false       # true: /readyz 503 while every LLM provider is unreachable

    [telemetry.metrics]
    enabled = true               # GET /metrics (Prometheus text)

    [telemetry.stats]            # rolling windows behind GET /admin/stats
    flush_seconds = 1.0          # local counts are added to the state backend this often
    feedback_ttl_days = 7        # how long a completion id can still receive feedback

    [telemetry.targets]          # the five production metrics (dashboard / stats colours)
    p95_seconds = 3.0
    hallucination_rate = 0.001
    fallback_rate = 0.01
    satisfaction = 4.5
"""
from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..config import format_validation_error
from ..errors import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TracingConfig(_Strict):
    enabled: bool = False
    sample_ratio: float = Field(1.0, ge=0.0, le=1.0)
    # otlp_http: Bulwark's lightweight tracer + fast OTLP/HTTP protobuf encoder (default);
    # otlp_http_sdk / otlp_grpc / console: the OpenTelemetry SDK and its exporters
    # (client certificates; otlp_grpc needs opentelemetry-exporter-otlp-proto-grpc).
    exporter: Literal["otlp_http", "otlp_http_sdk", "otlp_grpc", "console", "none", "memory"] = "otlp_http"
    endpoint: str = ""
    headers: dict[str, str] = {}
    timeout_seconds: float = Field(10.0, gt=0)
    record_content: bool = False
    # BatchSpanProcessor: spans are exported off the event loop, in batches.
    max_queue_size: int = Field(8192, ge=16)
    schedule_delay_ms: int = Field(2000, ge=10)
    max_export_batch_size: int = Field(512, ge=1)


class MetricsConfig(_Strict):
    enabled: bool = True


class StatsConfig(_Strict):
    enabled: bool = True
    flush_seconds: float = Field(1.0, gt=0, le=60)
    feedback_ttl_days: float = Field(7.0, gt=0, le=90)
    cost_days_kept: int = Field(90, ge=1, le=400)
    # Max buffered completion-id -> request-id mappings between flushes (bounded memory).
    max_pending_ids: int = Field(20_000, ge=100)
    # Without Redis: how many answered ids can still be rated (oldest forgotten first).
    max_known_ids: int = Field(50_000, ge=100)


class TargetsConfig(_Strict):
    p95_seconds: float = Field(3.0, gt=0)
    hallucination_rate: float = Field(0.001, ge=0, le=1)
    fallback_rate: float = Field(0.01, ge=0, le=1)
    satisfaction: float = Field(4.5, ge=1, le=5)


class RecentTracesConfig(_Strict):
    """The in-process ring of recent traces behind the dashboard's waterfall (`/admin/traces`)."""

    enabled: bool = True
    size: int = Field(200, ge=1, le=10_000)  # the most recent requests
    notable_size: int = Field(50, ge=0, le=10_000)  # recent failed, fallen-back or slow ones, kept apart
    slow_seconds: float = Field(5.0, gt=0)


class ProbeConfig(_Strict):
    """A cheap reachability check of every HTTP provider's base URL (startup log, /readyz, dashboard)."""

    enabled: bool = True
    interval_seconds: float = Field(30.0, ge=1)
    timeout_seconds: float = Field(2.0, gt=0, le=30)
    # true: /readyz answers 503 while every LLM provider is unreachable (see docs/observability.md).
    fail_readiness: bool = False


class TelemetryConfig(_Strict):
    # OTel service.name; "" -> $OTEL_SERVICE_NAME, else "bulwark".
    service_name: str = ""
    tracing: TracingConfig = TracingConfig()
    recent_traces: RecentTracesConfig = RecentTracesConfig()
    probe: ProbeConfig = ProbeConfig()
    metrics: MetricsConfig = MetricsConfig()
    stats: StatsConfig = StatsConfig()
    targets: TargetsConfig = TargetsConfig()


def parse_telemetry(raw: dict[str, Any] | None) -> TelemetryConfig:
    try:
        cfg = TelemetryConfig.model_validate(raw or {})
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, prefix="telemetry")) from exc
    if not cfg.service_name:
        cfg.service_name = os.environ.get("OTEL_SERVICE_NAME") or "bulwark"
    if "OTEL_SDK_DISABLED" in os.environ and os.environ["OTEL_SDK_DISABLED"].strip().lower() == "true":
        cfg.tracing.enabled = False
    return cfg
