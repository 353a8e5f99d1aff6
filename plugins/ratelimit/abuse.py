"""Suspicious-pattern scoring: the request-content signals and their settings.

The score itself is an exponentially decaying number per subject (the key, the end user,
the client IP) kept in state and updated atomically with admission (`gcra.GATE`):

    score(now) = score(t) * 0.5 ** ((now - t) / half_life) + points(this request)

Signals and their default points (all configurable):
- content, computed here without I/O: prompt-injection / jailbreak signatures (regexes,
  `injection_points` per matching request), oversized prompts (`oversized_points`);
- state-backed, computed inside the Script: request bursts (more than `burst_requests` in
  `burst_seconds`), repeated near-identical prompts (same normalised fingerprint more than
  `repeat_max` times in `repeat_seconds`), one key used from more than `max_ips` client IPs
  in `ips_seconds`, a high share of refused requests (`rejected_share`).

Above `suspicious_at` the request's limits get the suspicious multiplier at once; at or
above `block_at` the subject is blocked (403) for `block_seconds`.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Shipped signatures: common prompt-injection / jailbreak phrasings (case-insensitive).
DEFAULT_SIGNATURES = [
    r"ignore (all |any )?(the |your )?(previous|prior|above|earlier) (instructions|prompts|rules|directions)",
    r"disregard (all |any )?(the |your )?(previous|prior|above|system) (instructions|prompt|rules)",
    r"forget (all |everything )?(your |the )?(previous |prior )?(instructions|rules|guidelines)",
    r"\b(reveal|print|show|repeat|output) (me )?(your|the) (system prompt|hidden instructions|initial instructions)",
    r"\byou are (now )?(DAN|in developer mode|jailbroken|unrestricted)\b",
    r"\bdo anything now\b",
    r"\bdeveloper mode (enabled|activated|on)\b",
    r"\bpretend (that )?you (have no|are not bound by|don't have) (rules|restrictions|guidelines|filters)",
    r"\bjailbreak\b",
    r"<\|?(im_start|system|endoftext)\|?>",
]


class AbuseConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    half_life_seconds: float = Field(300.0, gt=0)
    suspicious_at: float = Field(10.0, gt=0)
    block_at: float = Field(30.0, gt=0)
    block_seconds: float = Field(300.0, gt=0)
    # Weight of a request's points on the key's score when the request names an end user
    # (the user's own score gets full points), so one bad user of a shared app key does
    # not flag every other user at once.
    shared_key_weight: float = Field(0.5, ge=0, le=1)
    signatures: list[str] = DEFAULT_SIGNATURES
    extra_signatures: list[str] = []
    injection_points: float = Field(5.0, ge=0)
    oversized_tokens: int = Field(32_000, ge=1)
    oversized_points: float = Field(3.0, ge=0)
    burst_requests: int = Field(50, ge=1)
    burst_seconds: float = Field(2.0, gt=0)
    burst_points: float = Field(0.5, ge=0)
    repeat_max: int = Field(10, ge=1)
    repeat_seconds: float = Field(60.0, gt=0)
    repeat_points: float = Field(1.0, ge=0)
    max_ips: int = Field(20, ge=1)
    ips_seconds: float = Field(600.0, gt=0)
    ips_points: float = Field(2.0, ge=0)
    rejected_share: float = Field(0.5, gt=0, le=1)
    rejected_min_requests: int = Field(20, ge=1)
    rejected_points: float = Field(1.0, ge=0)
    rejected_half_life_seconds: float = Field(60.0, gt=0)

    @field_validator("signatures", "extra_signatures")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for i, pat in enumerate(v):
            try:
                re.compile(_scoped(pat))
            except re.error as exc:
                raise ValueError(f"signature [{i}] {pat!r} is not a valid regex: {exc}") from None
        return v

    @model_validator(mode="after")
    def _order(self) -> "AbuseConfig":
        if self.block_at <= self.suspicious_at:
            raise ValueError("block_at must be above suspicious_at")
        return self


_WS = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")


def prompt_text(body: dict[str, Any], last_only: bool = False) -> str:
    """The user-authored text of a request (chat user messages, or prompt/input)."""
    msgs = body.get("messages")
    if isinstance(msgs, list):
        parts: list[str] = []
        for m in (msgs[-1:] if last_only else msgs):
            if not isinstance(m, dict) or m.get("role") not in ("user", None):
                continue
            c = m.get("content")
            if isinstance(c, str):
                parts.append(c)
            elif isinstance(c, list):
                parts.extend(str(p.get("text", "")) for p in c if isinstance(p, dict) and p.get("type") in ("text", "input_text"))
        return "\n".join(parts)
    for key in ("prompt", "input"):
        v = body.get(key)
        if isinstance(v, str):
            return v
        if isinstance(v, list):
            return "\n".join(x for x in v if isinstance(x, str))
    return ""


def fingerprint(text: str) -> str:
    """Near-duplicate fingerprint: case, whitespace and numbers folded."""
    norm = _DIGITS.sub("0", _WS.sub(" ", text.lower())).strip()
    return hashlib.blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


_GLOBAL_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")


def _scoped(pattern: str) -> str:
    """`(?i)foo` -> `(?i:foo)`: global flags are only allowed at the start of a whole regex."""
    m = _GLOBAL_FLAGS.match(pattern)
    return f"(?{m.group(1)}:{pattern[m.end():]})" if m else pattern


class _AnyOf:
    def __init__(self, rxs: list[re.Pattern[str]]) -> None:
        self.rxs = rxs

    def search(self, text: str) -> Any:
        for rx in self.rxs:
            m = rx.search(text)
            if m:
                return m
        return None


class ContentSignals:
    """Compiled once from AbuseConfig; `score(body, prompt_tokens)` has no I/O."""

    def __init__(self, cfg: AbuseConfig) -> None:
        self.cfg = cfg
        pats = [_scoped(p) for p in (*cfg.signatures, *cfg.extra_signatures)]
        try:
            self._rx: Any = re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE) if pats else None
        except re.error:  # a pattern that cannot be combined: test them one by one
            self._rx = _AnyOf([re.compile(p, re.IGNORECASE) for p in pats])

    def score(self, body: dict[str, Any], prompt_tokens: int) -> tuple[float, list[str], str | None]:
        """(points, signal names, fingerprint of the last user turn or None)."""
        points = 0.0
        names: list[str] = []
        # Only the newest user turn: an old injection in the history must not count again.
        last = prompt_text(body, last_only=True)
        if self._rx is not None and last and self._rx.search(last):
            points += self.cfg.injection_points
            names.append("injection")
        if prompt_tokens > self.cfg.oversized_tokens:
            points += self.cfg.oversized_points
            names.append("oversized")
        return points, names, (fingerprint(last) if last else None)
