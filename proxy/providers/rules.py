"""Rule-based answers: the tier below every model and above a human.

    [providers.rules]
    type = "rules"
    [providers.rules.options]
    model_name = "bulwark-rules"
    default_answer = "Our assistant is running in degraded mode right now; please try again in a few minutes."
    [[providers.rules.options.rules]]
    name = "hours"
    keywords = ["opening hours", "open on"]      # any of them, case-insensitive, whole words
    # regex = "(?i)\\border\\s+#?(?P<order>\\d+)"  # or a regex; named groups feed the template
    # models = ["gpt-4*"]                         # optional: globs on the requested model
    # routes = ["support"]                        # optional: globs on the fallback chain name
    answer = "We are open 9:00-17:00 CET, Monday to Friday."

Rules are tried in order on the latest user message; the first match answers. Templates
use `{name}` placeholders: `{model}`, `{request_id}`, `{message}`, `{match}` and the
regex's named groups; unknown placeholders stay as written. No rule matching -> the
default answer (a configured "degraded service" message).
"""
from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..config import format_validation_error
from ..context import CHAT
from ..errors import ConfigError, NotFound, error_body
from ..response import RULES, ProxyResponse
from .base import Provider
from .synthetic import completion_response, latest_user_text, render

if TYPE_CHECKING:
    from ..context import RequestContext
    from ..ledger import Attempt


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    regex: str | None = None
    keywords: list[str] = []
    models: list[str] = []
    routes: list[str] = []
    answer: str

    @model_validator(mode="after")
    def _check(self) -> "Rule":
        if not self.regex and not self.keywords:
            raise ValueError("give `regex` or `keywords`")
        if self.regex:
            try:
                re.compile(self.regex)
            except re.error as exc:
                raise ValueError(f"`regex` does not compile: {exc}") from None
        return self


class RulesOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model_name: str = "bulwark-rules"
    # The "degraded service" answer when no rule matches. Set it to "" to answer 503
    # `no_rule_matched` (type service_unavailable) instead, so a cascade moves on to the next
    # tier (e.g. human) at once.
    default_answer: str = (
        "Our AI assistant is temporarily unavailable, so this is an automatic reply. "
        "Please try again in a few minutes."
    )
    rules: list[Rule] = Field(default_factory=list)


class _Compiled:
    __slots__ = ("rule", "pattern")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        if rule.regex:
            self.pattern = re.compile(rule.regex)
        else:
            words = "|".join(re.escape(k) for k in rule.keywords)
            self.pattern = re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)


class RulesProvider(Provider):
    kind = "rules"
    endpoints = frozenset({CHAT})
    origin = RULES
    billable = False

    def __init__(self, name: str, config: Any, services: Any) -> None:
        super().__init__(name, config, services)
        try:
            self.options = RulesOptions.model_validate(config.options)
        except ValidationError as exc:
            raise ConfigError(format_validation_error(exc, f"providers.{name}.options")) from exc
        self.rules = [_Compiled(r) for r in self.options.rules]

    def answer_for(self, body: dict[str, Any], model: str | None, route: str | None, request_id: str = "") -> tuple[str | None, str]:
        """(rule name or None for the default, answer text)."""
        text = latest_user_text(body)
        values: dict[str, Any] = {"model": model or "", "request_id": request_id, "message": text[:500]}
        for c in self.rules:
            r = c.rule
            if r.models and not (model and any(fnmatch.fnmatchcase(model, p) for p in r.models)):
                continue
            if r.routes and not (route and any(fnmatch.fnmatchcase(route, p) for p in r.routes)):
                continue
            m = c.pattern.search(text)
            if m is None:
                continue
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            return r.name or r.regex or ",".join(r.keywords), render(r.answer, {**values, **groups, "match": m.group(0)})
        return None, render(self.options.default_answer, values)

    async def send(self, ctx: "RequestContext", attempt: "Attempt") -> ProxyResponse:
        if ctx.endpoint != CHAT:
            raise NotFound(f"The provider '{self.name}' (rule-based answers) serves only /v1/chat/completions.")
        requested = ctx.model  # the model (or route alias) the client asked for
        rule, text = self.answer_for(ctx.body, requested, requested, ctx.request_id)
        if rule is None and not text:
            # Not a server error: this tier answers only the questions it has rules for. 503
            # because the service cannot answer *now* (the rules stand in for models that are
            # down); a fallback cascade moves on to its next tier without retrying.
            return ProxyResponse.from_json(
                error_body("Bulwark's rule-based answers (used while its language models cannot answer) have no "
                           "rule for this request, and no default answer is configured. Retry in a few minutes.",
                           "service_unavailable", "no_rule_matched"),
                503, {"x-request-id": ctx.request_id}, provider=self.name, origin=RULES)
        ctx.record(self.name, rule=rule or "default")
        return completion_response(ctx, text, self.options.model_name, self.name, origin=RULES)
