"""OpenTelemetry setup: one TracerProvider per config generation (never the global one).

Export: OTLP over HTTP/protobuf (default: Bulwark's fast encoder, `proxy.observability.otlp`; or
the SDK's exporter), OTLP/gRPC when `opentelemetry-exporter-otlp-proto-grpc` is installed, the console, or an in-memory exporter (tests, benchmarks). The standard
`OTEL_EXPORTER_OTLP_*` / `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES` variables apply;
`[telemetry.tracing]` values given in proxy.toml win over them.
"""
from __future__ import annotations

import logging
import os
from typing import Any

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBasedTraceIdRatio

from ..errors import ConfigError
from .otlp import FastOTLPSpanExporter, traces_endpoint

log = logging.getLogger("bulwark.tracing")


def export_headers(cfg: Any) -> dict[str, str] | None:
    """proxy.toml headers merged over OTEL_EXPORTER_OTLP_(TRACES_)HEADERS; None: the exporter reads the env."""
    if not cfg.headers:
        return None
    from opentelemetry.util.re import parse_env_headers

    env = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_HEADERS") or os.environ.get("OTEL_EXPORTER_OTLP_HEADERS") or ""
    return {**parse_env_headers(env, liberal=True), **cfg.headers}


def make_exporter(cfg: Any) -> Any:
    kind = cfg.exporter
    if kind == "none":
        return None
    if kind == "console":
        return ConsoleSpanExporter()
    if kind == "memory":
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        return InMemorySpanExporter()
    if kind == "otlp_grpc":
        try:
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter
        except ImportError:
            raise ConfigError(
                "telemetry.tracing.exporter: \"otlp_grpc\" needs the package opentelemetry-exporter-otlp-proto-grpc "
                "(pip install opentelemetry-exporter-otlp-proto-grpc), or use \"otlp_http\""
            ) from None
        return GrpcExporter(endpoint=cfg.endpoint or None, headers=export_headers(cfg), timeout=cfg.timeout_seconds)
    if kind == "otlp_http":
        return FastOTLPSpanExporter(cfg.endpoint, cfg.headers or None, cfg.timeout_seconds)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(
        endpoint=traces_endpoint(cfg.endpoint) if cfg.endpoint else None,
        headers=export_headers(cfg),
        timeout=cfg.timeout_seconds,
    )


def make_provider(service_name: str, cfg: Any) -> tuple[TracerProvider, Any]:
    resource = Resource.create({"service.name": service_name}) if service_name else Resource.create()
    provider = TracerProvider(resource=resource, sampler=ParentBasedTraceIdRatio(cfg.sample_ratio))
    exporter = make_exporter(cfg)
    if exporter is not None:
        if cfg.exporter == "memory":
            provider.add_span_processor(SimpleSpanProcessor(exporter))
        else:
            provider.add_span_processor(BatchSpanProcessor(
                exporter,
                max_queue_size=cfg.max_queue_size,
                schedule_delay_millis=cfg.schedule_delay_ms,
                max_export_batch_size=min(cfg.max_export_batch_size, cfg.max_queue_size),
            ))
    return provider, exporter
