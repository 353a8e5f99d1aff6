"""Context-window sizes of models (prompt + completion tokens), for the prune plugin's budget.

`context_window(model)` matches the longest known prefix of the normalised model name
(lower case, `ft:` and `provider/` prefixes removed); unknown models get DEFAULT_CONTEXT_WINDOW.
Figures are the providers' published limits; override them per deployment with the
`overrides` argument (the prune plugin exposes it as `context_windows` in its config).
"""
from __future__ import annotations

from typing import Mapping

DEFAULT_CONTEXT_WINDOW = 128_000

# prefix -> tokens; the longest matching prefix wins.
CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-5": 400_000,
    "gpt-4.1": 1_047_576,
    "gpt-4.5": 128_000,
    "gpt-4o": 128_000,
    "chatgpt-4o": 128_000,
    "gpt-4-turbo": 128_000,
    "gpt-4-1106": 128_000,
    "gpt-4-0125": 128_000,
    "gpt-4-vision": 128_000,
    "gpt-4-32k": 32_768,
    "gpt-4": 8_192,
    "gpt-3.5-turbo-instruct": 4_096,
    "gpt-3.5-turbo": 16_385,
    "gpt-35-turbo": 16_385,
    "o1-mini": 128_000,
    "o1-preview": 128_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4-mini": 200_000,
    "gpt-oss": 131_072,
    "claude": 200_000,
    "llama-3.1": 128_000,
    "llama-3.2": 128_000,
    "llama-3.3": 128_000,
    "llama-4": 1_000_000,
    "llama-3": 8_192,
    "llama3.1": 128_000,
    "llama3": 8_192,
    "mistral-large": 128_000,
    "mistral-small": 32_000,
    "gemini": 1_048_576,
}
_BY_LENGTH = sorted(CONTEXT_WINDOWS.items(), key=lambda kv: -len(kv[0]))


def normalize(model: str | None) -> str:
    m = (model or "").strip().lower()
    if m.startswith("ft:"):
        m = m[3:]
    return m.rsplit("/", 1)[-1]


def context_window(model: str | None, overrides: Mapping[str, int] | None = None, default: int = DEFAULT_CONTEXT_WINDOW) -> int:
    """Context window of `model` in tokens (prompt + completion)."""
    m = normalize(model)
    if overrides:
        if m in overrides:
            return int(overrides[m])
        best = max((p for p in overrides if m.startswith(p.lower())), key=len, default=None)
        if best is not None:
            return int(overrides[best])
    for prefix, size in _BY_LENGTH:
        if m.startswith(prefix):
            return size
    return default
