"""The validator contract shared by `plugins/validate.py`, fallback plugins and tests.

A validator looks at one answer (one choice of a completion) together with the request
that produced it and returns a `ValidationResult(is_valid, confidence, issues)`:

    class Validator(Protocol):
        name: str                 # "numbers", "structured", ... (metric label)
        def validate(self, subject: Subject) -> ValidationResult | Awaitable[ValidationResult]

Validators are built once from config (bad settings raise ConfigError at startup) and keep
no per-request state on `self`; `Subject.cache` is a per-request memo they may share (the
numeric index of the conversation is built once even when the answer is regenerated).

`ValidationFailover` is the documented signal for the `fallback` action: the validate
plugin raises it (status 502, carrying the issues) so a fallback plugin further out can
catch it and ask the next provider, without importing the plugin.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Protocol, runtime_checkable

from ..errors import ProxyError


@dataclass(slots=True)
class ToolCall:
    id: str | None
    name: str | None
    arguments: str  # the raw JSON text the model produced
    type: str = "function"


@dataclass(slots=True)
class Answer:
    """One choice of an answer, whether it arrived as JSON or as a stream of chunks."""

    content: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    refusal: str | None = None
    index: int = 0

    @property
    def text(self) -> str:
        return self.content or ""

    def to_record(self, limit: int = 16_384) -> dict[str, Any]:
        """A bounded, JSON-ready copy for the review queue."""
        content = self.content
        if content is not None and len(content) > limit:
            content = content[:limit] + "…[truncated]"
        return {
            "content": content,
            "tool_calls": [{"id": t.id, "name": t.name, "arguments": t.arguments[:limit]} for t in self.tool_calls],
            "finish_reason": self.finish_reason,
        }


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

    @classmethod
    def ok(cls, validator: str = "", confidence: float = 1.0, **details: Any) -> "ValidationResult":
        return cls(True, confidence, [], validator, [], details)

    @classmethod
    def fail(cls, validator: str, issues: list[str], confidence: float = 0.0, unverified: list[str] | None = None, **details: Any) -> "ValidationResult":
        return cls(False, confidence, issues, validator, list(unverified or []), details)


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


class ValidationFailover(ProxyError):
    """Signal for fallback plugins: the answer failed validation, try the next provider.

    Raised by the validate plugin when a failing validator's action is `fallback`. A fallback
    plugin catches it (`except ValidationFailover as exc: exc.issues`); when none does, the
    client gets an OpenAI-shaped 502 that says why.
    """

    status = 502
    type = "upstream_error"
    code = "validation_failed"

    def __init__(self, issues: list[str], *, validators: list[str] | None = None, provider: str | None = None) -> None:
        shown = "; ".join(issues[:3]) + (f" (+{len(issues) - 3} more)" if len(issues) > 3 else "")
        super().__init__(
            f"The model's answer failed Bulwark's response validation ({shown}) and no fallback provider "
            "handled it. Retry the request, or ask the operator to review the validation settings.",
        )
        self.issues = list(issues)
        self.validators = list(validators or [])
        self.provider = provider
