"""Simulator settings (`bulwark simulate` flags and `start(**fields)`)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .faults import parse_fault

DEFAULT_MODELS = [
    "gpt-4o-mini",
    "gpt-4o",
    "gpt-4.1-mini",
    "gpt-5-mini",
    "o4-mini",
    "text-embedding-3-small",
    "text-embedding-3-large",
    "claude-sonnet-4-5",
]


class SimulatorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: int = 0
    # Streams: words per content event and the pause between events (header x-sim-delay-ms per request).
    stream_delay_ms: float = Field(0.0, ge=0)
    chunk_words: int = Field(1, ge=1)
    # Chaos: each API request draws from a RNG seeded with `seed`; with probability fault_rate
    # one spec of fault_kinds applies (faults.py grammar).
    fault_rate: float = Field(0.0, ge=0, le=1)
    fault_kinds: list[str] = Field(default_factory=lambda: ["429", "500", "503"])
    # A fault applied to every request from the start (like set_fault).
    fault: str | None = None
    # Prefix put on the model name in answers (e.g. "sim-"), to tell upstreams apart.
    model_prefix: str = ""
    anthropic: bool = True
    models: list[str] = Field(default_factory=lambda: list(DEFAULT_MODELS))
    embedding_dim: int = Field(8, ge=1, le=8192)
    # Received requests kept for inspection (oldest dropped first); 0 keeps none (benchmarks).
    max_recorded: int = Field(1000, ge=0)
    # Anthropic rate-limit headers and OpenAI x-ratelimit-* values (constant fakes).
    ratelimit_requests: int = 10000
    ratelimit_tokens: int = 10000000

    @field_validator("fault_kinds")
    @classmethod
    def _kinds(cls, v: list[str]) -> list[str]:
        for spec in v:
            parse_fault(spec)
        return v

    @field_validator("fault")
    @classmethod
    def _fault(cls, v: str | None) -> str | None:
        parse_fault(v)
        return v
