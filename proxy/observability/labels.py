"""The `model` label of metrics: only models the operator configured or Bulwark knows a price
for; every other name a client sends is `other`.

Why not "the first N names seen": the label set would then be chosen by whoever sends first,
and a client sending junk names could push real models into `other` for the life of the
process. Known here means written in proxy.toml — `models.allow`, route aliases and their
upstream models, providers' `model_map` (both sides), `[pricing.models]`, and any model named
in a plugin section (fallback chain keys and step models, per-model limits, cache overrides,
the summary and judge models) — or a family of the pricing table (`gpt-4o`, `claude-3-5-haiku`...).
A dated snapshot of a known family is labelled with the family (`gpt-4o-2024-08-06` -> `gpt-4o`),
so the label set stays the size of the config plus the price table.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from ..pricing import normalise

OTHER = "other"
NONE = "none"
_SNAPSHOT = re.compile(r"(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|-latest)$")
_MAX_LEN = 80
# Plugin-section keys that name models: {"model": "x"}, {"models": {"x": ...}} / ["x"], {"chains": {"x": ...}}.
_MODEL_KEYS = frozenset(("model", "models", "chains"))


def _names_in(value: Any, key: str | None = None) -> Iterable[str]:
    """Model names written anywhere in a (raw) plugin section; globs such as `*-mini` are skipped."""
    if isinstance(value, dict):
        for k, v in value.items():
            if key in ("models", "chains") and isinstance(k, str):
                yield k
            yield from _names_in(v, k if isinstance(k, str) else None)
    elif isinstance(value, list):
        for v in value:
            yield from _names_in(v, key if key == "models" else None)
    elif isinstance(value, str) and key in _MODEL_KEYS:
        yield value


def configured_models(config: Any) -> set[str]:
    names: set[str] = set(config.models.allow)
    for alias, route in config.models.routes.items():
        names.add(alias)
        if route.model:
            names.add(route.model)
    for p in config.providers.values():
        for src, dst in p.model_map.items():
            names.update((src, dst))
    names.update((config.pricing or {}).get("models", {}) or {})
    for section in (config.plugins or {}).values():
        names.update(_names_in(section))
    return {n for n in names if isinstance(n, str) and n and "*" not in n and len(n) <= _MAX_LEN}


class ModelLabels:
    """`labels(model) -> str`, memoised (bounded) because it runs on every request."""

    def __init__(self, config: Any, pricing: Any = None) -> None:
        self.known = configured_models(config)
        table = getattr(pricing, "table", None) or {}
        self.families = {normalise(n) for n in table} | {normalise(n) for n in (config.pricing or {}).get("models", {}) or {}}
        self._memo: dict[str, str] = {}

    def __call__(self, model: str | None) -> str:
        if not model:
            return NONE
        hit = self._memo.get(model)
        if hit is None:
            hit = self._resolve(model)
            if len(self._memo) >= 4096:  # junk names must not grow the memo either
                self._memo.clear()
            self._memo[model] = hit
        return hit

    def _resolve(self, model: str) -> str:
        if model in self.known:
            return model
        if len(model) > _MAX_LEN:
            return OTHER
        fam = normalise(model)
        if fam in self.families:
            return fam
        fam = _SNAPSHOT.sub("", fam)
        return fam if fam in self.families else OTHER
