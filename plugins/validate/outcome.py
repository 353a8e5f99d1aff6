"""Running the validators on an answer, and what their failures add up to.

Shared by the whole-answer path (plain answers, buffered streams) and the live stream guard.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
import time
from dataclasses import dataclass
from typing import Any

from .config import SEVERITY, ValidatorEntry
from .second_opinion import Verdicts
from .validators.base import Answer, Subject, ValidationResult

log = logging.getLogger("bulwark.validate")

# Validators the live guard runs span by span as the text arrives; the others judge the
# complete answer (structured output, completeness, a judge model).
SPAN_TYPES = frozenset(("numbers", "patterns"))


@dataclass(slots=True)
class Bound:
    entry: ValidatorEntry
    validator: Any
    second: Any = None  # a SecondOpinion when the entry has `second_opinion`


@dataclass(slots=True)
class Plan:
    validators: list[Bound]
    stream_mode: str
    max_regenerations: int


@dataclass(slots=True)
class Outcome:
    results: list[tuple[Bound, ValidationResult]]  # failures (and errors treated as failures)
    passed: bool
    grounding_failed: bool
    seconds: float

    @property
    def issues(self) -> list[str]:
        return [i for _, r in self.results for i in r.issues]

    @property
    def labels(self) -> list[str]:
        return sorted({b.entry.label for b, _ in self.results})

    @property
    def wants_regeneration(self) -> bool:
        return any(b.entry.regenerates(r.uncertain) for b, r in self.results)

    @property
    def final(self) -> str:
        """The strongest final action of the failures (block > fallback > withhold > flag)."""
        best = "flag"
        for b, r in self.results:
            a = b.entry.final_for(r.uncertain)
            if SEVERITY[a] > SEVERITY[best]:
                best = a
        return best

    @property
    def first_position(self) -> int | None:
        """Where in the content the first unverified claim starts, when the failures say."""
        pos = [p for _, r in self.results for p in r.positions]
        return min(pos) if pos else None


async def run_validators(ctx: Any, validators: list[Bound], answers: list[Answer], body: dict[str, Any],
                         cache: dict[str, Any], on_error: str, metrics: Any) -> Outcome:
    """Every validator on every answer; a validator that raises follows its `on_error`."""
    started = time.perf_counter()
    failures: list[tuple[Bound, ValidationResult]] = []
    grounding_failed = False
    for ans in answers:
        subject = Subject(ans, body, cache, ctx)
        for b in validators:
            label = b.entry.label
            try:
                res = b.validator.validate(subject)
                if inspect.isawaitable(res):
                    res = await res
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("request %s: validator %s raised %r", getattr(ctx, "request_id", "?"), label, exc,
                            exc_info=log.isEnabledFor(logging.DEBUG))
                if metrics is not None:
                    metrics.inc("bulwark_plugin_errors_total", plugin="validate")
                    metrics.inc("bulwark_validations_total", validator=label, outcome="error")
                policy = b.entry.on_error or on_error
                if policy == "skip":
                    continue
                forced = ValidatorEntry(type=b.entry.type, name=label, action=policy, then=policy)
                failures.append((Bound(forced, b.validator), ValidationResult.fail(label, [f"validator {label} failed: {type(exc).__name__}"])))
                continue
            res.validator = res.validator or label
            if not res.is_valid and res.uncertain and b.second is not None:
                res = await b.second.settle(subject, res, Verdicts())
            if metrics is not None:
                metrics.inc("bulwark_validations_total", validator=label, outcome="pass" if res.is_valid else "fail")
            if not res.is_valid:
                failures.append((b, res))
                if b.entry.type == "numbers":
                    grounding_failed = True
    return Outcome(failures, not failures, grounding_failed, time.perf_counter() - started)
