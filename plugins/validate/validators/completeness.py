"""Completeness: an answer must say something, and (when configured) must not be cut off."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .base import Subject, ValidationResult


class CompletenessConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # finish_reason "length" fails unless allowed.
    allow_truncation: bool = False
    # Content shorter than this (after stripping) without tool calls counts as empty.
    min_chars: int = Field(1, ge=0)
    # A refusal (the `refusal` field) counts as a complete answer.
    allow_refusal: bool = True
    # finish_reason "content_filter" fails.
    fail_on_content_filter: bool = True


class CompletenessValidator:
    name = "completeness"
    Config = CompletenessConfig

    def __init__(self, config: CompletenessConfig | None = None) -> None:
        self.cfg = config or CompletenessConfig()

    def validate(self, subject: Subject) -> ValidationResult:
        a = subject.answer
        issues = []
        if not a.tool_calls and len((a.content or "").strip()) < self.cfg.min_chars:
            if not (self.cfg.allow_refusal and a.refusal):
                issues.append("empty answer: no content and no tool calls")
        if a.finish_reason == "length" and not self.cfg.allow_truncation:
            issues.append("truncated answer: finish_reason is 'length' (raise max_tokens or shorten the prompt)")
        if a.finish_reason == "content_filter" and self.cfg.fail_on_content_filter:
            issues.append("answer stopped by the provider's content filter")
        if issues:
            return ValidationResult.fail(self.name, issues)
        return ValidationResult.ok(self.name)
