"""`[plugins.validate]`: validators, what a failure does, stream modes, per-model overrides."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from proxy.context import CHAT, COMPLETIONS
from proxy.plugin import PluginConfig

Action = Literal["regenerate", "flag", "withhold", "block", "fallback"]
Final = Literal["flag", "withhold", "block", "fallback"]
OnError = Literal["skip", "flag", "block"]
StreamMode = Literal["guarded", "buffer", "passthrough"]
# The strongest final action wins when several validators fail.
SEVERITY = {"flag": 1, "withhold": 2, "fallback": 3, "block": 4}
# What `then` is when an entry does not say: never deliver an unverified number or a broken
# schema as is by default; the other checks flag.
_DEFAULT_THEN = {"numbers": "withhold", "structured": "block", "patterns": "block"}


class SecondOpinionConfig(BaseModel):
    """`second_opinion = {provider, model, ...}` on a numbers entry: a model settles the claims
    the engine is not sure of (`plugins.validate.second_opinion`)."""

    model_config = ConfigDict(extra="forbid")

    provider: str
    model: str
    timeout_seconds: float = Field(8.0, gt=0, le=120)
    max_context_chars: int = Field(24_000, ge=1000)
    max_tokens: int = Field(400, ge=32)
    max_calls: int = Field(3, ge=1, le=20)  # per answer (a live stream asks claim by claim)
    max_claims: int = Field(12, ge=1, le=50)  # per call


class ValidatorEntry(BaseModel):
    """One `[[plugins.validate.validators]]` entry; extra keys are the validator's own options."""

    model_config = ConfigDict(extra="allow")

    type: Literal["numbers", "structured", "completeness", "patterns", "judge"]
    name: str | None = None
    action: Action = "flag"
    then: Final | None = None  # after regenerations are used up (default by type, see _DEFAULT_THEN)
    on_error: OnError | None = None  # default: the plugin's on_error
    # What a failure the validator is not sure of ends in (numbers: every unverified claim may be
    # a derivation, unit or rounding the engine does not model), with no regeneration; "same":
    # like any failure (action, then `then`). Default: "flag" for numbers (the answer is
    # delivered whole, marked `x-bulwark-validation: flagged`, and queued for review), "same"
    # for the others.
    uncertain: Literal["flag", "withhold", "block", "same"] | None = None
    # numbers only: put the uncertain claims to a model first; what it settles is cleared or
    # becomes sure, what it does not settle ends in `uncertain` as before.
    second_opinion: SecondOpinionConfig | None = None

    @model_validator(mode="after")
    def _default_then(self) -> "ValidatorEntry":
        if self.second_opinion is not None and self.type != "numbers":
            raise ValueError(f"second_opinion applies to the numbers validator only, not to {self.type!r}")
        if self.then is None:
            self.then = _DEFAULT_THEN.get(self.type, "flag")  # type: ignore[assignment]
        if self.uncertain is None:
            self.uncertain = "flag" if self.type == "numbers" else "same"
        return self

    def final_for(self, uncertain: bool) -> str:
        """What a failure ends in once no regeneration is left, by the validator's confidence."""
        if uncertain and self.uncertain != "same":
            return str(self.uncertain)
        return self.final

    def regenerates(self, uncertain: bool) -> bool:
        return self.action == "regenerate" and not (uncertain and self.uncertain != "same")

    @property
    def label(self) -> str:
        return self.name or self.type

    @property
    def final(self) -> str:
        """What a failure of this entry ends in once no regeneration is left."""
        return str(self.then if self.action == "regenerate" else self.action)


class Override(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # fnmatch globs on the request's model (aliases from [models.routes] included).
    models: list[str] = ["*"]
    validators: list[ValidatorEntry] | None = None  # replaces the list
    disable: list[str] = []  # validator names to leave out
    stream_mode: StreamMode | None = None
    max_regenerations: int | None = Field(None, ge=0, le=5)


def _default_validators() -> list[ValidatorEntry]:
    return [ValidatorEntry(type="numbers", action="regenerate"), ValidatorEntry(type="structured", action="regenerate"),
            ValidatorEntry(type="completeness")]


class ValidateConfig(PluginConfig):
    endpoints: list[str] = [CHAT, COMPLETIONS]
    validators: list[ValidatorEntry] = Field(default_factory=_default_validators)
    max_regenerations: int = Field(1, ge=0, le=5)
    on_error: OnError = "skip"
    # guarded: text streams live, only a claim under check is held (and JSON / tool calls until
    # complete). buffer: the whole answer is held, validated, then sent. passthrough: live,
    # validated at the end, can only flag. None: guarded unless a validator that can only judge
    # a whole answer (judge) may regenerate, block or fall back (then buffer); passthrough when
    # every validator only flags.
    stream_mode: StreamMode | None = None
    passthrough_on_failure: Literal["flag", "error_event"] = "flag"
    # The whole answer when nothing of it can be delivered (also a blocked structured answer's refusal).
    safe_message: str = (
        "I'm sorry, I couldn't produce an answer I can verify against your data. "
        "Please try again, or contact support if this keeps happening."
    )
    # Appended after the verified part of an answer when the rest is withheld (or a stream must stop).
    safe_ending: str = (
        "[Bulwark: the rest of this answer is withheld because it states a figure that could not be "
        "verified against your data. Please check the source or ask again.]"
    )
    regeneration_note: str = (
        "Your previous answer could not be verified: {issues}. Answer again using only the numbers, dates, "
        "identifiers and facts that appear in the data provided in this conversation (or follow directly from it). "
        "If the data does not contain the answer, say that you do not know."
    )
    # A regeneration mid-stream: the assistant message above it is what the user already has.
    continuation_note: str = (
        "The assistant message above is the beginning of your answer; the user has already seen it. "
        "Continue it from exactly where it stops, without repeating any of it or starting over. "
        "Your previous continuation stated {issues}, which could not be verified. Use only the numbers, dates, "
        "identifiers and facts that appear in the data provided in this conversation (or follow directly from it); "
        "if the data does not contain the rest of the answer, say that you do not know."
    )
    overrides: list[Override] = []
    review_queue: bool = True
    review_answer_chars: int = Field(16_384, ge=256)
    # Held bytes (buffer mode; JSON and tool calls in guarded mode) past this are relayed live
    # and validated at the end.
    max_buffer_bytes: int = Field(8 * 1024 * 1024, ge=64 * 1024)
    # A held claim whose sentence has not ended after this many characters is checked anyway.
    max_hold_chars: int = Field(1200, ge=80, le=100_000)
    # Seconds the review-queue write may take before the answer goes out anyway.
    review_timeout: float = Field(2.0, gt=0)

    @model_validator(mode="after")
    def _names_unique(self) -> "ValidateConfig":
        for entries in [self.validators, *[o.validators for o in self.overrides if o.validators is not None]]:
            seen: set[str] = set()
            for e in entries:
                if e.label in seen:
                    raise ValueError(f"validator name {e.label!r} is used twice (give one of them `name = ...`)")
                seen.add(e.label)
        return self
