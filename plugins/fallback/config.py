"""The fallback plugin's settings and the vocabulary of its triggers.

A trigger names why an attempt failed; `triggers` selects which of them move the cascade on.
Retryable triggers are retried on the same step first; breaker failures count against the
provider's circuit breaker. `rules` and `human` are Bulwark's own in-process tiers: they
need no breaker, and an answer from them is marked with its tier.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from proxy.plugin import PluginConfig

from .breaker import BreakerConfig
from .retry import RetryPolicy

Trigger = Literal["connection", "timeout", "rate_limit", "server_error", "stream", "context_length", "content_filter",
                  "validation", "upstream_auth", "untranslatable"]
ALL_TRIGGERS: list[Trigger] = ["connection", "timeout", "rate_limit", "server_error", "stream", "context_length",
                               "content_filter", "validation", "upstream_auth", "untranslatable"]
_RETRYABLE = frozenset({"connection", "timeout", "rate_limit", "server_error", "stream"})
_BREAKER_FAILURES = frozenset({"connection", "timeout", "rate_limit", "server_error", "stream", "upstream_auth"})


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str
    model: str | None = None  # None: the request's own model
    timeout: float | None = Field(None, gt=0)  # per-attempt total (stream included), seconds
    large_context: bool = False  # where context_length_exceeded goes
    retry: RetryPolicy | None = None  # overrides [plugins.fallback.retry] for this step


class Chain(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: list[Step] = Field(min_length=1)
    deadline_seconds: float = Field(60.0, gt=0)


class FallbackConfig(PluginConfig):
    chains: dict[str, Chain] = {}
    triggers: list[Trigger] = Field(default_factory=lambda: list(ALL_TRIGGERS))
    retry: RetryPolicy = RetryPolicy()
    breaker: BreakerConfig = BreakerConfig()
    stream_mode: Literal["error", "continue"] = "error"
    continue_instruction: str = (
        "Your previous answer was cut off. Continue it exactly where it stopped: do not repeat "
        "anything already written and do not mention the interruption."
    )
