"""The pruning decision as a plain function of a message list and a budget (no I/O): what the
plugin does to a request, and what the evaluations under bench/ measure."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from proxy import tokens

from . import scoring


@dataclass(slots=True)
class PruneResult:
    messages: list[Any]  # what to send (the input list itself when nothing changed)
    plan: scoring.Plan
    tokens_after: int

    @property
    def fits(self) -> bool:
        return self.plan.fits

    @property
    def changed(self) -> bool:
        return self.plan.changed


class Pruner:
    def __init__(self, config: Any) -> None:
        c = config
        self.config = c
        self.settings = scoring.Settings(
            keep_last_turns=c.keep_last_turns,
            half_life_turns=c.half_life_turns,
            weights=scoring.Weights(**c.weights.model_dump()),
            role_weights=dict(c.role_weights),
            excerpt_min_tokens=c.excerpt_min_tokens if c.excerpt_min_tokens > 0 else 10**12,
        )
        self.marker_text = c.marker_text if c.marker else None

    def plan(self, messages: list[Any], model: str | None, tools: Any, budget: int) -> scoring.Plan:
        return scoring.plan(messages, model, budget, tools=tools, settings=self.settings, marker_text=self.marker_text,
                            marker_role=self.config.marker_role, marker_mode=self.config.marker_mode)

    def prune(self, messages: list[Any], model: str | None, tools: Any, budget: int,
              summaries: list[str | None] | None = None) -> PruneResult:
        p = self.plan(messages, model, tools, budget)
        if not p.fits or not p.changed:
            return PruneResult(messages, p, p.tokens_after)
        out = scoring.apply(messages, p, self.marker_text, self.config.marker_role, summaries)
        after = tokens.count_messages(out, model, tools) if summaries and any(summaries) else p.tokens_after
        return PruneResult(out, p, after)
