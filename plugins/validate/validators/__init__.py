"""Response validation: validators that check an answer before it leaves Bulwark.

See `base` for the contract; `build_validator(type, options, services)` constructs one
from a `[[plugins.validate.validators]]` entry.
"""
from __future__ import annotations

from typing import Any

from .base import Answer, Subject, ToolCall, ValidationFailed, ValidationFailover, ValidationResult, Validator

VALIDATOR_TYPES = ("numbers", "structured", "completeness", "patterns", "judge")


def validator_class(kind: str) -> Any:
    if kind == "numbers":
        from .numbers import NumbersValidator as cls
    elif kind == "structured":
        from .structured import StructuredValidator as cls
    elif kind == "completeness":
        from .completeness import CompletenessValidator as cls
    elif kind == "patterns":
        from .patterns import PatternsValidator as cls
    elif kind == "judge":
        from .judge import JudgeValidator as cls
    else:
        raise KeyError(f"unknown validator type {kind!r} (have: {', '.join(VALIDATOR_TYPES)})")
    return cls


def build_validator(kind: str, options: dict[str, Any], services: Any = None) -> Any:
    """Raises KeyError (unknown type) or pydantic.ValidationError (bad options)."""
    cls = validator_class(kind)
    cfg = cls.Config.model_validate(options)
    if kind == "judge":
        return cls(cfg, services)
    return cls(cfg)


__all__ = [
    "Answer", "Subject", "ToolCall", "ValidationFailed", "ValidationFailover", "ValidationResult", "Validator",
    "VALIDATOR_TYPES", "build_validator", "validator_class",
]
