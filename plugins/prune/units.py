"""What pruning works on: units of messages, the settings, and the plan it produces.

A unit is a message, or an assistant message with `tool_calls` together with every tool
result answering it (legacy: `function_call` + `function` message). A unit is kept whole,
shortened (its long contents excerpted, every call still answered), or dropped whole, so
no tool result is ever orphaned and no tool call left unanswered.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Weights:
    recency: float = 1.0
    role: float = 0.5
    relevance: float = 2.0
    reference: float = 1.5
    decision: float = 2.0  # an answer the user then agreed to ("agreed, let's do that")


DEFAULT_ROLE_WEIGHTS = {"user": 1.0, "assistant": 0.6, "tool": 0.7, "function": 0.7}


@dataclass(slots=True)
class Settings:
    keep_last_turns: int = 2
    half_life_turns: float = 6.0
    weights: Weights = field(default_factory=Weights)
    role_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_ROLE_WEIGHTS))
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    max_query_terms: int = 64
    # Added to the score of the user and assistant messages of the last keep_last_turns turns:
    # they go only when everything older is gone.
    recent_bonus: float = 6.0
    # Messages with at least this many tokens may be shortened to excerpts (tool results, pasted
    # documents, long answers) instead of being dropped whole.
    excerpt_min_tokens: int = 300
    # Excerpt sizes tried: half the message, then halving, down to excerpt_floor_tokens per message.
    excerpt_floor_tokens: int = 64
    # Step order: value lost / tokens saved ** size_exponent, lowest first (1 = the knapsack
    # greedy: value per token; 0 = value alone).
    size_exponent: float = 0.5


@dataclass(slots=True)
class Unit:
    index: int  # position among units
    messages: list[int]  # message indices (the first one leads)
    role: str
    tokens: int = 0
    pinned: bool = False  # never dropped or changed (system/developer, the latest user message)
    keep: bool = False  # may be shortened, never dropped (the latest tool results of an agent loop)
    recent: bool = False  # a user / assistant message of the last keep_last_turns turns
    turn: int = 0  # turn number (0 = before the first user message)
    step: float = 0.0  # position inside its turn, 0..1 (agent loops: later steps are more recent)
    score: float = 0.0
    relevance: float = 0.0
    rel_norm: float = 0.0  # relevance / the most relevant unit's, 0..1
    reference: float = 0.0
    decision: bool = False
    flex: list[tuple[int, int]] = field(default_factory=list)  # (message index, content tokens) that may be excerpted
    flex_tokens: int = 0  # their content tokens
    kept_tokens: int = 0  # what the plan keeps of it (tokens before is `tokens`)
    planned_tokens: int = 0  # an excerpted unit's planned size (kept_tokens is never above it)
    prior: tuple[int, int] | None = None  # (its document, the older version of it): message indices (supersede.versions)


@dataclass(slots=True)
class Plan:
    units: list[Unit]
    tokens_before: int
    tokens_after: int
    budget: int
    pinned_tokens: int
    fixed_tokens: int  # reply priming + tool definitions
    dropped: list[Unit]
    gaps: list[list[Unit]]  # runs of consecutive dropped units, in order (one run of all in "single" mode)
    fits: bool  # False: the pinned set alone exceeds the budget
    marker_tokens: int = 0  # upper bound of one marker, used while selecting
    marker_costs: list[int] = field(default_factory=list)  # the real marker of each gap
    markers: bool = False  # markers go in (False when disabled or when they would not fit)
    excerpts: dict[int, dict[str, Any]] = field(default_factory=dict)  # message index -> shortened message

    @property
    def changed(self) -> bool:
        return bool(self.dropped or self.excerpts)

    @property
    def dropped_messages(self) -> int:
        return sum(len(u.messages) for u in self.dropped)

    @property
    def excerpted_messages(self) -> int:
        return len(self.excerpts)


def build_units(messages: list[Any]) -> list[Unit]:
    units: list[Unit] = []
    by_call: dict[str, int] = {}
    for i, m in enumerate(messages):
        role = m.get("role") if isinstance(m, dict) else None
        role = role if isinstance(role, str) else "unknown"
        if role == "tool" and units:
            u = by_call.get(str(m.get("tool_call_id")))
            # an orphan tool result stays with what precedes it (never moved or split off)
            units[u if u is not None else -1].messages.append(i)
            continue
        if role == "function" and units and units[-1].role in ("assistant", "tool"):
            units[-1].messages.append(i)
            continue
        unit = Unit(len(units), [i], role)
        if role == "assistant" and isinstance(m, dict):
            calls = m.get("tool_calls")
            if isinstance(calls, list) and calls:
                unit.role = "tool"
                for c in calls:
                    if isinstance(c, dict) and c.get("id") is not None:
                        by_call[str(c["id"])] = unit.index
            elif isinstance(m.get("function_call"), dict):
                unit.role = "tool"
        units.append(unit)
    return units
