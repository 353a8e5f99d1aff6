"""Retry policy: exponential backoff with full jitter, upstream `retry-after` honoured up to a bound.

    policy = RetryPolicy(max_attempts=3, base_delay=0.25, max_delay=4, max_retry_after=10, budget_seconds=20)
    delay = policy.next_delay(attempt, retry_after_seconds(resp.headers), elapsed)
    if delay is None: give up (attempts or time budget spent, or the upstream asked for too long a wait)

Full jitter (AWS architecture blog "Exponential Backoff And Jitter"): sleep a uniform random
time in [0, min(max_delay, base_delay * 2**attempt)], which spreads retries of many clients.
"""
from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime
from typing import Mapping

from pydantic import BaseModel, ConfigDict, Field


class RetryPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Attempts per provider step, the first included (1 = no retry).
    max_attempts: int = Field(2, ge=1, le=10)
    base_delay: float = Field(0.2, ge=0)
    max_delay: float = Field(4.0, ge=0)
    # An upstream retry-after above this means "don't wait here, move to the next provider".
    max_retry_after: float = Field(5.0, ge=0)
    # Time one step may spend retrying (attempt time included).
    budget_seconds: float = Field(20.0, gt=0)

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full jitter delay before retry number `attempt` (1 = the first retry)."""
        cap = min(self.max_delay, self.base_delay * (2 ** max(0, attempt - 1)))
        return (rng or random).uniform(0.0, cap)

    def next_delay(self, attempt: int, retry_after: float | None, elapsed: float, rng: random.Random | None = None) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None when no retry should happen.

        `attempt` is how many attempts were made so far; `elapsed` the time spent on this step.
        """
        if attempt >= self.max_attempts:
            return None
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            delay = max(0.0, retry_after)
        else:
            delay = self.backoff(attempt, rng)
        if elapsed + delay >= self.budget_seconds:
            return None
        return delay


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """`retry-after-ms` (float ms) first, then `retry-after` (seconds or an HTTP date), like the SDKs."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    ra = headers.get("retry-after")
    if ra is None:
        return None
    try:
        return max(0.0, float(ra))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(ra)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
