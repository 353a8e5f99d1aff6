"""The validator contract shared by the validate plugin, its validators and tests.

A validator looks at one answer (one choice of a completion) together with the request
that produced it and returns a `ValidationResult(is_valid, confidence, issues)`:

    class Validator(Protocol):
        name: str                 # "numbers", "structured", ... (metric label)
        def validate(self, subject: Subject) -> ValidationResult | Awaitable[ValidationResult]

Validators are built once from config (bad settings raise ConfigError at startup) and keep
no per-request state on `self`; `Subject.cache` is a per-request memo they may share (the
numeric index of the conversation is built once even when the answer is regenerated).

The signal for the `fallback` action is the core `proxy.errors.FailoverRequested` (status
502, carrying the issues): the validate plugin raises it so a fallback plugin further out
can catch it and ask the next provider, neither importing the other. `ValidationFailover`
is the same error under its older name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Protocol, runtime_checkable

from proxy.assembly import Answer, ToolCall  # noqa: F401 - the answer types validators check
from proxy.errors import FailoverRequested, ProxyError


@dataclass(slots=True)
class Subject:
    """What a validator checks: the answer, the request body, a per-request memo."""

    answer: Answer
    body: dict[str, Any]
    cache: dict[str, Any] = field(default_factory=dict)
    ctx: Any = None  # proxy.context.RequestContext when run inside the proxy (judge needs it)


@dataclass(slots=True)
class ValidationResult:
    is_valid: bool
    confidence: float = 1.0
    issues: list[str] = field(default_factory=list)
    validator: str = ""
    # Claims the validator could not verify (quoted back to the model on regeneration).
    unverified: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    # Where in the content the unverified claims start (withholding keeps what comes before).
    positions: list[int] = field(default_factory=list)
    # The validator is not sure the answer is wrong (numbers: every unverified claim may be a
    # derivation or a unit it does not model): the entry's `uncertain` action applies.
    uncertain: bool = False

    @classmethod
    def ok(cls, validator: str = "", confidence: float = 1.0, **details: Any) -> "ValidationResult":
        return cls(True, confidence, [], validator, [], details)

    @classmethod
    def fail(cls, validator: str, issues: list[str], confidence: float = 0.0, unverified: list[str] | None = None,
             positions: list[int] | None = None, uncertain: bool = False, **details: Any) -> "ValidationResult":
        return cls(False, confidence, issues, validator, list(unverified or []), details, list(positions or []), uncertain)


@runtime_checkable
class Validator(Protocol):
    name: str

    def validate(self, subject: Subject) -> "ValidationResult | Awaitable[ValidationResult]": ...


class ValidationFailed(ProxyError):
    """Raised inside a passthrough stream (error_event mode) after validation failed."""

    status = 502
    type = "validation_error"
    code = "validation_failed"

    def __init__(self, message: str, issues: list[str] | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.issues = list(issues or [])
        self.reason = "validation"


class ValidationFailover(FailoverRequested):
    """The older name of `proxy.errors.FailoverRequested` (status 502, `issues`, `validators`,
    `provider`, the same message), kept for code that raises or catches it by this name; a
    fallback plugin catches it as a FailoverRequested."""
