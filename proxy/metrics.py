"""The metrics seam plugins record into.

Plugins call `services.metrics.inc(name, amount, **labels)` / `.observe(name, value, **labels)`
/ `.set(name, value, **labels)` with the names below; the telemetry module backs them with
Prometheus (and OpenTelemetry) when configured. Labels stay low-cardinality: model,
provider, route, outcome, reason, validator... never user ids or keys.
"""
from __future__ import annotations

from typing import Any

# name -> (kind, help, label names). The single list of what Bulwark measures.
METRICS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "bulwark_requests_total": ("counter", "Requests answered", ("route", "model", "provider", "outcome")),
    "bulwark_request_duration_seconds": ("histogram", "Total request latency", ("route", "outcome")),
    "bulwark_upstream_duration_seconds": ("histogram", "Time waiting on providers", ("provider",)),
    "bulwark_overhead_duration_seconds": ("histogram", "Bulwark's own time (total less upstream)", ("route",)),
    "bulwark_time_to_first_token_seconds": ("histogram", "Time to first streamed chunk", ("provider",)),
    "bulwark_tokens_total": ("counter", "Tokens by direction", ("model", "direction")),
    "bulwark_cost_usd_total": ("counter", "Spend in USD by cost-stack category", ("category", "model")),
    "bulwark_saved_usd_total": ("counter", "USD saved by reason (pruning, abuse, cache)", ("reason",)),
    "bulwark_ratelimit_rejections_total": ("counter", "Requests refused by limits and budgets", ("reason",)),
    "bulwark_abuse_blocks_total": ("counter", "Suspicious-pattern throttles and blocks", ("reason", "action")),
    "bulwark_budget_alerts_total": ("counter", "Budgets crossing their soft threshold (once per period)", ("scope", "period")),
    "bulwark_pruned_tokens_total": ("counter", "Input tokens removed by pruning", ()),
    "bulwark_pruned_requests_total": ("counter", "Requests pruned", ("mode",)),
    "bulwark_validations_total": ("counter", "Validator runs by outcome", ("validator", "outcome")),
    "bulwark_validation_actions_total": ("counter", "regenerate / flag / block actions", ("action",)),
    "bulwark_validation_second_opinions_total": ("counter", "Second opinions on uncertain claims (answered, error; cleared, "
                                                 "rejected)", ("verdict",)),
    "bulwark_fallback_activations_total": ("counter", "Fallbacks by from/to/reason", ("from_provider", "to_provider", "reason")),
    "bulwark_breaker_state": ("gauge", "Circuit breaker (0 closed, 1 half-open, 2 open)", ("provider",)),
    "bulwark_redis_errors_total": ("counter", "State backend errors", ("op",)),
    "bulwark_cache_requests_total": ("counter", "Cache lookups by outcome", ("outcome",)),
    "bulwark_cache_stores_total": ("counter", "Cache writes by outcome (stored, not_stored, too_large, store_error)", ("outcome",)),
    "bulwark_tokenizer_fallback_total": ("counter", "Token counts approximated (encoding missing)", ("encoding",)),
    "bulwark_plugin_errors_total": ("counter", "Exceptions raised inside plugins", ("plugin",)),
    "bulwark_inflight_requests": ("gauge", "Requests in flight", ()),
    "bulwark_grounding_checks_total": ("counter", "Answers checked for grounding by outcome (passed, failed)", ("outcome",)),
    "bulwark_fallback_requests_total": ("counter", "Requests answered after a fallback, by first failure reason", ("reason",)),
    "bulwark_feedback_rating": ("histogram", "User feedback ratings (1-5)", ()),
    "bulwark_state_up": ("gauge", "State backend answers (1) or not (0), checked at scrape time", ()),
    "bulwark_provider_up": ("gauge", "LLM provider reachable (1) or not (0) by the background probe", ("provider",)),
    # OpenTelemetry GenAI semantic conventions, in Prometheus spelling (dots -> underscores, the
    # unit "s" as a `_seconds` suffix, `{token}` dropped): one observation per upstream call
    # (client side: Bulwark calling a provider) or per streamed request (server side).
    "gen_ai_client_token_usage": ("histogram", "Tokens per upstream call by type (OTel gen_ai.client.token.usage, {token})",
                                  ("gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_token_type", "gen_ai_request_model",
                                   "gen_ai_response_model", "server_address")),
    "gen_ai_client_operation_duration_seconds": ("histogram", "Duration of upstream calls (OTel gen_ai.client.operation.duration)",
                                                 ("gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model",
                                                  "error_type", "server_address")),
    "gen_ai_server_time_to_first_token_seconds": ("histogram", "Time to the first streamed chunk Bulwark sends its client "
                                                  "(OTel gen_ai.server.time_to_first_token)",
                                                  ("gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model")),
}


class Metrics:
    """No-op sink; the telemetry module installs a real one."""

    def inc(self, name: str, amount: float = 1.0, **labels: Any) -> None:
        pass

    def observe(self, name: str, value: float, **labels: Any) -> None:
        pass

    def set(self, name: str, value: float, **labels: Any) -> None:
        pass
