"""What a refused client is told: limit errors in OpenAI's shape, and abuse decisions that say
which signals and which score led to them (in the body, the decision record and the log)."""
from __future__ import annotations

import math
from typing import Any

from proxy.errors import PermissionDenied, ProxyError, RateLimited, error_body

from .gcra import go_duration

SUBJECT_NAMES = {"key": "client key", "user": "end user", "ip": "client IP"}


class AbuseRefused(ProxyError):
    """A decision of the abuse scoring; `details` goes into the error object as
    `error.bulwark` (clients that do not know it ignore it)."""

    details: dict[str, Any]

    def body(self) -> dict[str, Any]:
        b = error_body(self.message, self.type, self.code, self.param)
        b["error"]["bulwark"] = self.details
        return b


class AbuseThrottled(AbuseRefused, RateLimited):
    """429: a suspicious client's request budget is spent, or the request itself is suspicious."""

    code = "suspicious_activity"

    def __init__(self, message: str, *, headers: dict[str, str], details: dict[str, Any]) -> None:
        RateLimited.__init__(self, message, headers=headers)
        self.details = details


class AbuseBlocked(AbuseRefused, PermissionDenied):
    """403: the client is blocked for a while."""

    def __init__(self, message: str, *, headers: dict[str, str], details: dict[str, Any]) -> None:
        PermissionDenied.__init__(self, message, headers=headers)
        self.details = details


def per_window(window: float) -> str:
    return "min" if window == 60 else go_duration(window)


def _signals_text(contrib: dict[str, float]) -> str:
    return ", ".join(f"{k} (+{v:g})" for k, v in contrib.items())


def abuse_refusal(reason: str, *, subject: str, score: float, retry: float, contributions: dict[str, float],
                  recent: list[str], cfg: Any) -> AbuseRefused:
    """reason: blocked (an earlier block holds), abuse_block (this request blocked the subject),
    throttled (the suspicious subject's request budget is spent), suspicious_content (a
    suspicious subject sent a request that itself raises a content signal)."""
    who = SUBJECT_NAMES.get(subject, subject)
    details: dict[str, Any] = {
        "decision": "block" if reason in ("blocked", "abuse_block") else "throttle",
        "reason": reason, "subject": subject, "score": round(score, 2), "suspicious_at": cfg.suspicious_at,
        "block_at": cfg.block_at, "signals": {k: round(v, 2) for k, v in contributions.items()}, "recent_signals": recent,
        "retry_after_seconds": round(retry, 3),
    }
    why = ", ".join(recent) or "a high suspicion score"
    hl = f"The score halves every {cfg.half_life_seconds:g} s."
    if reason in ("blocked", "abuse_block"):
        secs = max(1, int(math.ceil(retry)))
        msg = (f"This client is temporarily blocked for {secs} seconds because of suspicious activity: the {who}'s abuse "
               f"score is {score:.1f} (blocked at {cfg.block_at:g}; signals: {why}). Requests are refused until the block "
               "ends; contact the operator if this is a mistake.")
        return AbuseBlocked(msg, headers={"x-should-retry": "false", "retry-after": str(secs)}, details=details)
    if reason == "suspicious_content":
        msg = (f"This request was not forwarded: it matches {_signals_text(contributions) or why}, and the {who}'s abuse "
               f"score is {score:.1f} (throttled from {cfg.suspicious_at:g}, blocked at {cfg.block_at:g}; recent signals: "
               f"{why}). Send it without instructions that try to override or reveal the system prompt. {hl}")
        return AbuseThrottled(msg, headers={"x-should-retry": "false"}, details=details)
    retry = max(retry, 0.001)
    msg = (f"Too many requests while this client is under suspicion: the {who}'s abuse score is {score:.1f} (throttled "
           f"from {cfg.suspicious_at:g}, blocked at {cfg.block_at:g}; recent signals: {why}); a suspicious client may send "
           f"{cfg.throttle_per_minute:g} requests per minute. Please try again in {go_duration(retry)}. {hl}")
    return AbuseThrottled(msg, headers={"retry-after": str(min(3600, max(1, int(math.ceil(retry))))),
                                        "retry-after-ms": str(int(math.ceil(retry * 1000)))}, details=details)


def limit_error(reason: str, *, scope: str, limit: int, retry: float, window: float, risk: str, cost: int,
                other: tuple[str, int] | None = None) -> RateLimited:
    """A plain limit: requests / tokens / concurrency per window, or a request larger than the token limit."""
    per = per_window(window)
    if reason == "too_large":
        return RateLimited(
            f"Request too large: it needs up to {cost} tokens (the prompt as sent, after any pruning, plus max_tokens) but "
            f"the {scope} limit is {limit} tokens per {per} at the current risk level ({risk}). Lower max_tokens or "
            "shorten the prompt.",
            headers={"x-should-retry": "false", "x-ratelimit-limit-tokens": str(limit), "x-ratelimit-remaining-tokens": "0"},
        )
    retry = max(retry, 0.001)
    if reason == "concurrency":
        msg = (f"Rate limit reached: {limit} concurrent requests for this {scope} (risk level {risk}). "
               "Wait for a request to finish, then retry.")
    else:
        what = "tokens" if reason == "tokens" else "requests"
        msg = (f"Rate limit reached for {what} on this {scope}: limit {limit} per {per} (risk level {risk}). "
               f"Please try again in {go_duration(retry)}.")
    kind = "tokens" if reason == "tokens" else "requests"
    headers: dict[str, str] = {}
    if other is not None and other[1] > 0:
        headers[f"x-ratelimit-limit-{other[0]}"] = str(other[1])
    headers |= {
        "retry-after": str(min(60, max(1, int(math.ceil(retry))))),
        "retry-after-ms": str(min(60_000, int(math.ceil(retry * 1000)))),
        f"x-ratelimit-limit-{kind}": str(limit),
        f"x-ratelimit-remaining-{kind}": "0",
        f"x-ratelimit-reset-{kind}": go_duration(retry),
    }
    return RateLimited(msg, headers=headers)
