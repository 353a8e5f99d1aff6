"""Per-model prices (USD per million tokens) and the cost of a call. Never fetched from the network.

Shipped defaults cover common OpenAI, Anthropic and Llama models; `[pricing]` in proxy.toml
overrides or adds models and sets the price used for unknown models:

    [pricing]
    default = { input = 2.5, output = 10.0 }          # unknown models (warned once per model)
    [pricing.models."gpt-4o"]
    input = 2.5
    output = 10.0
    cached_input = 1.25                               # optional; defaults to `input`
    [pricing.models."my-finetune"]
    input = 3.0
    output = 12.0

Model names match by family: lower-cased, a provider prefix (`openai/`, `meta-llama/`) and a
dated snapshot suffix (`-2024-08-06`, `-20241022`, `@20240620`, `-latest`) removed, then the
longest table entry that is a prefix of the name wins (`gpt-4o-mini-2024-07-18` ->
`gpt-4o-mini`; `gpt-4-0613` -> `gpt-4`). Llama names are matched by version and size
(`Llama-3.3-70B-Instruct-Turbo`, `llama3-70b-8192`, `llama-3.1-8b-instant`).

Prices are list prices as of late 2025 (Llama: typical hosted prices); set your own in
proxy.toml when your contract differs.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import format_validation_error
from .errors import ConfigError

log = logging.getLogger("bulwark.pricing")


@dataclass(frozen=True, slots=True)
class Price:
    input: float  # USD per 1M input tokens
    output: float  # USD per 1M output tokens
    cached_input: float | None = None  # USD per 1M cached input tokens (None: same as input)


def _p(i: float, o: float, c: float | None = None) -> Price:
    return Price(i, o, c)


DEFAULT_PRICES: dict[str, Price] = {
    # OpenAI
    "gpt-5": _p(1.25, 10.0, 0.125),
    "gpt-5-mini": _p(0.25, 2.0, 0.025),
    "gpt-5-nano": _p(0.05, 0.40, 0.005),
    "gpt-4.1": _p(2.0, 8.0, 0.50),
    "gpt-4.1-mini": _p(0.40, 1.60, 0.10),
    "gpt-4.1-nano": _p(0.10, 0.40, 0.025),
    "gpt-4.5": _p(75.0, 150.0, 37.5),
    "gpt-4o": _p(2.50, 10.0, 1.25),
    "gpt-4o-2024-05-13": _p(5.0, 15.0),
    "gpt-4o-mini": _p(0.15, 0.60, 0.075),
    "chatgpt-4o": _p(5.0, 15.0),
    "gpt-4-turbo": _p(10.0, 30.0),
    "gpt-4-1106": _p(10.0, 30.0),
    "gpt-4-0125": _p(10.0, 30.0),
    "gpt-4-32k": _p(60.0, 120.0),
    "gpt-4": _p(30.0, 60.0),
    "gpt-3.5-turbo": _p(0.50, 1.50),
    "gpt-3.5-turbo-instruct": _p(1.50, 2.0),
    "o1": _p(15.0, 60.0, 7.5),
    "o1-mini": _p(1.10, 4.40, 0.55),
    "o1-pro": _p(150.0, 600.0),
    "o3": _p(2.0, 8.0, 0.50),
    "o3-mini": _p(1.10, 4.40, 0.55),
    "o3-pro": _p(20.0, 80.0),
    "o4-mini": _p(1.10, 4.40, 0.275),
    "gpt-oss-120b": _p(0.15, 0.60),
    "gpt-oss-20b": _p(0.05, 0.20),
    "text-embedding-3-small": _p(0.02, 0.0),
    "text-embedding-3-large": _p(0.13, 0.0),
    "text-embedding-ada-002": _p(0.10, 0.0),
    # Anthropic (cached_input = cache read price)
    "claude-opus-4-5": _p(5.0, 25.0, 0.50),
    "claude-opus-4": _p(15.0, 75.0, 1.50),
    "claude-sonnet-4": _p(3.0, 15.0, 0.30),
    "claude-haiku-4-5": _p(1.0, 5.0, 0.10),
    "claude-3-7-sonnet": _p(3.0, 15.0, 0.30),
    "claude-3-5-sonnet": _p(3.0, 15.0, 0.30),
    "claude-3-5-haiku": _p(0.80, 4.0, 0.08),
    "claude-3-opus": _p(15.0, 75.0, 1.50),
    "claude-3-sonnet": _p(3.0, 15.0, 0.30),
    "claude-3-haiku": _p(0.25, 1.25, 0.03),
}

# Llama by (major version, size class) -> price; typical hosted list prices.
_LLAMA: list[tuple[str, Price]] = [
    ("llama-4-maverick", _p(0.27, 0.85)),
    ("llama-4-scout", _p(0.18, 0.59)),
    ("405b", _p(3.50, 3.50)),
    ("90b", _p(1.20, 1.20)),
    ("70b", _p(0.88, 0.88)),
    ("11b", _p(0.18, 0.18)),
    ("8b", _p(0.18, 0.18)),
    ("3b", _p(0.06, 0.06)),
    ("1b", _p(0.06, 0.06)),
]
LLAMA_DEFAULT = _p(0.88, 0.88)
FALLBACK_DEFAULT = _p(2.50, 10.0)  # unknown models: priced like a mid-size frontier model

_PROVIDER = re.compile(r"^(?:[a-z0-9_.-]+/)+")


def normalise(model: str) -> str:
    m = _PROVIDER.sub("", model.strip().lower())
    if m.startswith("anthropic."):  # Bedrock ids: anthropic.claude-3-5-sonnet-20241022-v2:0
        m = m[len("anthropic."):]
    return m


class PriceOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cached_input: float | None = Field(None, ge=0)


class PricingConfig(BaseModel):
    """The `[pricing]` section of proxy.toml."""

    model_config = ConfigDict(extra="forbid")

    default: PriceOverride | None = None
    models: dict[str, PriceOverride] = {}


FREE = Price(0.0, 0.0, 0.0)


class Pricing:
    def __init__(self, config: dict[str, Any] | PricingConfig | None = None) -> None:
        if not isinstance(config, PricingConfig):
            try:
                config = PricingConfig.model_validate(config or {})
            except ValidationError as exc:
                raise ConfigError(format_validation_error(exc, prefix="pricing")) from exc
        self.table: dict[str, Price] = dict(DEFAULT_PRICES)
        self._overrides: dict[str, Price] = {}
        for name, p in config.models.items():
            self._overrides[normalise(name)] = Price(p.input, p.output, p.cached_input)
        self.default = (
            Price(config.default.input, config.default.output, config.default.cached_input) if config.default else FALLBACK_DEFAULT
        )
        self._cache: dict[str, tuple[Price, bool]] = {}
        self._warned: set[str] = set()

    def lookup(self, model: str | None) -> tuple[Price, bool]:
        """(price, known). Unknown models get the default price (warned once per model)."""
        key = model or ""
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        res = self._resolve(key)
        if not res[1] and key not in self._warned and len(self._warned) < 1000:
            self._warned.add(key)
            log.warning("no price known for model %r; using the default (%.2f in / %.2f out USD per 1M tokens). "
                        "Add it under [pricing.models] in proxy.toml.", key, res[0].input, res[0].output)
        if len(self._cache) < 10_000:
            self._cache[key] = res
        return res

    def _resolve(self, model: str) -> tuple[Price, bool]:
        m = normalise(model)
        if not m:
            return self.default, False
        if m.startswith("bulwark-"):
            # Bulwark's own answers (rules, human escalation, cache) cost nothing upstream.
            return FREE, True
        for table in (self._overrides, self.table):
            if m in table:
                return table[m], True
        for table in (self._overrides, self.table):
            best = None
            for name in table:
                # A family name matches when a separator (or the end) follows it: `gpt-4o`
                # is not `gpt-4` + "o", `gpt-4.1` is not `gpt-4`.
                if m.startswith(name) and m[len(name)] in "-:@_" and (best is None or len(name) > len(best)):
                    best = name
            if best is not None:
                return table[best], True
        if "llama" in m:
            for marker, price in _LLAMA:
                if marker in m:
                    return price, True
            return LLAMA_DEFAULT, True
        return self.default, False

    def set(self, model: str, price: Price) -> None:
        """Add or replace one model's price (a component that brings its own, like the judge)."""
        self._overrides[normalise(model)] = price
        self._cache.clear()

    def cost(self, model: str | None, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> float:
        p, _ = self.lookup(model)
        cached = min(max(cached_tokens, 0), prompt_tokens)
        cached_price = p.cached_input if p.cached_input is not None else p.input
        return ((prompt_tokens - cached) * p.input + cached * cached_price + completion_tokens * p.output) / 1_000_000


_default_pricing: Pricing | None = None


def default_pricing() -> Pricing:
    global _default_pricing
    if _default_pricing is None:
        _default_pricing = Pricing()
    return _default_pricing


def pricing_for(services: Any) -> Pricing:
    """The Pricing built from `services.config.pricing` (`services.pricing`), else the defaults."""
    p = getattr(services, "pricing", None) if services is not None else None
    return p if p is not None else default_pricing()


def usage_numbers(usage: Any) -> tuple[int, int, int]:
    """(prompt, completion, cached) from a `Usage` or a usage dict: chat completions'
    prompt/completion_tokens, or the input/output_tokens of Responses, images and audio."""
    if usage is None:
        return 0, 0, 0
    if isinstance(usage, dict):
        if "prompt_tokens" not in usage and ("input_tokens" in usage or "output_tokens" in usage):
            details = usage.get("input_tokens_details") or {}
            cached = details.get("cached_tokens") if isinstance(details, dict) else 0
            return int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0), int(cached or 0)
        details = usage.get("prompt_tokens_details") or {}
        cached = details.get("cached_tokens") if isinstance(details, dict) else 0
        return int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0), int(cached or 0)
    return int(usage.prompt_tokens), int(usage.completion_tokens), int(getattr(usage, "cached_tokens", 0) or 0)


def cost_usd(model: str | None, usage: Any = None, *, body: dict[str, Any] | None = None,
             default_completion_tokens: int = 256, pricing: Pricing | None = None) -> float:
    """USD cost of a call. With `usage` (a `Usage` or an OpenAI usage dict) it is exact; without,
    it is estimated from `body`: prompt tokens counted offline plus `max_completion_tokens` /
    `max_tokens` (or `default_completion_tokens`)."""
    pr = pricing or default_pricing()
    if usage is not None:
        return pr.cost(model, *usage_numbers(usage))
    if body is None:
        return 0.0
    from .tokens import count_request

    return pr.cost(model or body.get("model"), count_request(body), max_completion(body, default_completion_tokens))


def output_limit(body: dict[str, Any]) -> int | None:
    """The output limit a request sets itself (per choice), or None."""
    for k in ("max_completion_tokens", "max_tokens", "max_output_tokens"):
        v = body.get(k)
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            return v
    return None


def max_completion(body: dict[str, Any], default: int) -> int:
    for k in ("max_completion_tokens", "max_tokens", "max_output_tokens"):
        v = body.get(k)
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            n = body.get("n")
            return v * (n if isinstance(n, int) and n > 1 else 1)
    return default
