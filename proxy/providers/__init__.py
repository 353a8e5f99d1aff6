"""Upstream providers and their registry: `provider_class(kind)` for a `[providers.*] type`.

The built-in implementations are imported here explicitly; `register(cls)` adds another one
(by its `kind`) before the app is built.
"""
from __future__ import annotations

from .anthropic import AnthropicProvider
from .base import Provider
from .human import HumanProvider
from .openai import OpenAIProvider
from .rules import RulesProvider

_REGISTRY: dict[str, type[Provider]] = {cls.kind: cls for cls in (OpenAIProvider, AnthropicProvider, RulesProvider, HumanProvider)}


def register(cls: type[Provider]) -> type[Provider]:
    _REGISTRY[cls.kind] = cls
    return cls


def provider_class(kind: str) -> type[Provider]:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise KeyError(f"no provider implementation of type {kind!r} (have: {sorted(_REGISTRY)})") from None


__all__ = ["AnthropicProvider", "HumanProvider", "OpenAIProvider", "Provider", "RulesProvider", "provider_class", "register"]
