"""Unit tests of the validators (plugins/validate/validators) and the review queue."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from plugins.validate.review import ReviewQueue
from plugins.validate.validators import build_validator
from plugins.validate.validators.base import Answer, Subject, ToolCall, ValidationFailover
from plugins.validate.validators.completeness import CompletenessValidator
from plugins.validate.validators.numbers import NumbersConfig, NumbersValidator, extract_claims
from plugins.validate.validators.patterns import PatternsConfig, PatternsValidator, luhn_ok
from plugins.validate.validators.structured import StructuredValidator
from proxy.providers.base import Provider
from proxy.response import ProxyResponse
from proxy.state.memory import MemoryState


def check(answer: str, *context: str, role: str = "tool", **cfg: Any) -> Any:
    msgs = [{"role": role, "content": c} for c in context]
    return NumbersValidator(NumbersConfig(**cfg)).validate(Subject(Answer(answer), {"messages": msgs}))


# -- numbers: grounded through format variants ------------------------------------------------------

@pytest.mark.parametrize("context,answer", [
    ('{"balance": 47.15}', "Your balance is $47.15."),
    ('{"balance": 47.15}', "Your balance is 47.15 USD."),
    ('{"balance": 47.15}', "Your balance is USD 47.15."),
    ("Saldo: 47,15 EUR", "Your balance is €47.15."),
    ("Balance: $47.15", "Your balance is 47,15 €."),
    ("Total revenue 1,234 units", "Revenue was 1234 units."),
    ("Total revenue 1234 units", "Revenue was 1,234 units."),
    ("Umsatz 1.234,56 EUR", "Revenue was EUR 1,234.56."),
    ("Active users: 4,712", "About 4.7k active users."),
    ("Active users: 4,712", "We have roughly 4,700 active users."),
    ("Users: 1,234,567", "We passed 1.2 million users."),
    ("The crate holds 47 bottles", "It holds forty-seven bottles."),
    ('{"rate": 0.125}', "The rate is 12.5%."),
    ("Rate: 12.5%", "The rate is 0.125."),
    ("Interest 3.4567%", "Interest is about 3.46%."),
    ('{"amount": 47.15}', "That is $47.2 rounded."),
    ('{"due": "2024-03-15"}', "It is due on March 15, 2024."),
    ('{"due": "2024-03-15"}', "It is due on 15 March 2024."),
    ('{"due": "2024-03-15"}', "It is due on 03/15/2024."),
    ('{"due": "2024-03-15"}', "It is due on 15/03/2024."),
    ('{"due": "2024-03-15"}', "It is due on March 15th."),
    ("Due 15.03.2024", "It is due on Mar 15, 2024."),
    ('{"order_id": "ORD-55012345"}', "Order ORD-55012345 has shipped."),
    ('{"order_id": 55012345}', "Order #55012345 has shipped."),
    ('{"order_id": "55012345"}', "Order ORD-55012345 has shipped."),
    ("Meeting at 14:30", "See you at 14:30."),
])
def test_format_variants_are_grounded(context: str, answer: str) -> None:
    res = check(answer, context)
    assert res.is_valid, res.issues
    assert res.confidence == 1.0


@pytest.mark.parametrize("context,answer,bad", [
    ('{"balance": 47.15}', "Your balance is $47.51.", "$47.51"),  # transposed
    ('{"balance": 47.15}', "Your balance is $471.50.", "$471.50"),  # extra zero
    ('{"balance": 47.15}', "Your balance is $4.72.", "$4.72"),  # dropped digit
    ('{"balance": 47.15}', "Your balance is $47.16.", "$47.16"),  # one cent
    ('{"balance": 47.15}', "Your balance is $127,549.", "$127,549"),
    ('{"balance": 47.15}', "Your balance is $47.3.", "$47.3"),  # wrong rounding
    ('{"balance": 47.15}', "Your balance is $48.", "$48"),
    ("Active users: 4,712", "About 4.8k active users.", "4.8k"),
    ("Active users: 4,712", "We have 47,120 active users.", "47,120"),
    ('{"due": "2024-03-15"}', "It is due on March 16, 2024.", "March 16, 2024"),
    ('{"due": "2024-03-15"}', "It is due on 2025-03-15.", "2025-03-15"),
    ('{"order_id": "ORD-55012345"}', "Order ORD-55012354 has shipped.", "ORD-55012354"),
    ("Rate: 12.5%", "The rate is 15%.", "15%"),
    ("The crate holds 47 bottles", "It holds forty-eight bottles.", "forty-eight"),
])
def test_near_misses_are_caught(context: str, answer: str, bad: str) -> None:
    res = check(answer, context)
    assert not res.is_valid
    assert bad in res.unverified
    assert res.confidence == 0.0


def test_derivations_are_grounded() -> None:
    tool = json.dumps({"balance": 1250.00, "pending": 47.15, "transactions": [{"amount": 12.5}, {"amount": 30.25}, {"amount": 7.25}],
                       "items": [{"qty": 3, "unit_price": 19.99}], "tax_rate_percent": "8%", "subtotal": 200.00})
    ok = [
        "After the pending charge you will have $1,202.85.",  # difference
        "Balance plus pending is $1,297.15.",  # sum
        "Your three transactions total $50.00.",  # column total
        "On average $16.67 per transaction.",  # column average
        "3 x $19.99 = $59.97.",  # quantity x price
        "Tax of 8% on the subtotal is $16.00, so $216.00 in all.",  # rate x amount, amount x (1 + rate)
    ]
    for a in ok:
        res = check(a, tool)
        assert res.is_valid, (a, res.issues)
    assert check("Last month 200 users, this month 250 users: growth of 25%.", "Users: 200 last month, 250 now", role="system").is_valid
    # a near-miss of a derived value is still caught
    assert not check("After the pending charge you will have $1,202.58.", tool).is_valid


def test_sum_of_a_tiny_value_does_not_ground_a_near_miss() -> None:
    # 47.16 = 47.15 + 0.01 must not count as a derivation when 0.01 is far below 47.16
    res = check("You have $47.16.", '{"balance": 47.15, "fee": 0.01}')
    assert not res.is_valid
    # integers: 4713 = 4712 + 1 (a list position) is not a grounded sum
    assert not check("We have 4,713 users.", "1. Active users: 4,712", role="system").is_valid


def test_non_claims_are_ignored() -> None:
    answer = ("Here is what I found:\n1. Your order shipped.\n2. It arrives soon.\n"
              "We have served customers since 2019, and it was the 3rd order this month. GPT-4 and Q3 are fine.")
    claims, _ = extract_claims(answer, NumbersConfig())
    # a year is checked only when the data states that number (see the grounding tests)
    assert [c.kind for c in claims] == ["year"]
    assert check(answer, "nothing numeric here").is_valid


def test_numbers_the_user_gave_are_grounded() -> None:
    res = NumbersValidator().validate(Subject(Answer("Yes, you can withdraw $500 today."), {"messages": [
        {"role": "user", "content": "Can I withdraw $500?"}, {"role": "tool", "content": '{"balance": 812.40}'}]}))
    assert res.is_valid


def test_assistant_history_is_not_data_by_default() -> None:
    body = {"messages": [{"role": "assistant", "content": "Your balance is $900."}, {"role": "user", "content": "and now?"}]}
    assert not NumbersValidator().validate(Subject(Answer("It is $900."), body)).is_valid
    cfg = NumbersConfig(roles=["system", "developer", "user", "tool", "function", "assistant"])
    assert NumbersValidator(cfg).validate(Subject(Answer("It is $900."), body)).is_valid


def test_confidence_is_the_grounded_share_and_urls_are_skipped() -> None:
    res = check("Balance $47.15, pending $12.00, fee $3.99, see https://bank.example/tx/99999.", '{"balance": 47.15, "pending": 12.0}')
    assert not res.is_valid
    assert res.unverified == ["$3.99"]
    assert res.confidence == pytest.approx(2 / 3)
    relaxed = check("Balance $47.15, pending $12.00, fee $3.99.", '{"balance": 47.15, "pending": 12.0}', min_grounded_share=0.6)
    assert relaxed.is_valid and relaxed.confidence == pytest.approx(2 / 3)


def test_tolerance_setting() -> None:
    assert not check("It costs $100.40.", '{"price": 100.0}').is_valid
    assert check("It costs $100.40.", '{"price": 100.0}', rel_tolerance=0.005).is_valid


def test_index_is_built_once_per_request() -> None:
    v = NumbersValidator()
    subj = Subject(Answer("It is $47.15."), {"messages": [{"role": "tool", "content": '{"a": 47.15}'}]})
    v.validate(subj)
    idx = subj.cache["numbers.index"]
    subj.answer = Answer("It is $47.15 again.")
    v.validate(subj)
    assert subj.cache["numbers.index"] is idx


# -- structured -----------------------------------------------------------------------------------

SCHEMA = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}}
TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}}}]


def structured(answer: Answer, **body: Any) -> Any:
    return StructuredValidator().validate(Subject(answer, {"messages": [], **body}))


def test_json_object_and_schema() -> None:
    jo = {"type": "json_object"}
    assert structured(Answer('{"a": 1}'), response_format=jo).is_valid
    assert "not valid JSON" in structured(Answer("Sure! {a: 1}"), response_format=jo).issues[0]
    assert "not an object" in structured(Answer("[1, 2]"), response_format=jo).issues[0]
    assert structured(Answer('{"n": 3}'), response_format=SCHEMA).is_valid
    bad = structured(Answer('{"n": "three"}'), response_format=SCHEMA)
    assert not bad.is_valid and "n:" in bad.issues[0]
    assert "cut off" in structured(Answer('{"n": ', finish_reason="length"), response_format=SCHEMA).issues[0]
    assert structured(Answer(None, refusal="I can't help with that."), response_format=SCHEMA).is_valid
    assert structured(Answer("plain text is fine without response_format")).is_valid


def test_tool_calls() -> None:
    ok = Answer(None, [ToolCall("c1", "lookup", '{"id": "A-1"}')])
    assert structured(ok, tools=TOOLS).is_valid
    r = structured(Answer(None, [ToolCall("c1", "lookpu", '{"id": "A-1"}')]), tools=TOOLS)
    assert "not a declared tool" in r.issues[0] and r.unverified == ["lookpu"]
    assert "not valid JSON" in structured(Answer(None, [ToolCall("c1", "lookup", '{"id": ')]), tools=TOOLS).issues[0]
    assert "required" in structured(Answer(None, [ToolCall("c1", "lookup", "{}")]), tools=TOOLS).issues[0]
    assert "declared no tools" in structured(ok).issues[0]
    legacy = [{"name": "lookup", "parameters": {"type": "object"}}]
    assert structured(ok, functions=legacy).is_valid


def test_schemas_compile_once() -> None:
    v = StructuredValidator()
    for _ in range(5):
        v.validate(Subject(Answer(None, [ToolCall("c", "lookup", '{"id": "x"}')]), {"tools": TOOLS}))
        v.validate(Subject(Answer('{"n": 1}'), {"response_format": SCHEMA}))
    assert v.schemas.compiled == 2


# -- completeness and patterns -------------------------------------------------------------------------

def test_completeness() -> None:
    v = CompletenessValidator()
    assert "empty answer" in v.validate(Subject(Answer("  "), {})).issues[0]
    assert v.validate(Subject(Answer(None, [ToolCall("c", "f", "{}")]), {})).is_valid
    assert "truncated" in v.validate(Subject(Answer("partial", finish_reason="length"), {})).issues[0]
    relaxed = build_validator("completeness", {"allow_truncation": True})
    assert relaxed.validate(Subject(Answer("partial", finish_reason="length"), {})).is_valid


def test_patterns_secrets_cards_phrases() -> None:
    v = PatternsValidator(PatternsConfig(forbidden_phrases=["guaranteed returns"]))
    assert "secret" in v.validate(Subject(Answer("use sk-proj-abcdefghijklmnopqrstuvwx123"), {})).issues[0]
    assert "AKIA" not in " ".join(v.validate(Subject(Answer("key AKIAABCDEFGHIJKLMNOP"), {})).issues)
    assert not v.validate(Subject(Answer("key AKIAABCDEFGHIJKLMNOP"), {})).is_valid
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    card = v.validate(Subject(Answer("Card 4111 1111 1111 1111 on file"), {}))
    assert card.issues == ["card number ending 1111 in the answer"]
    assert v.validate(Subject(Answer("Order 4111 1111 1111 1112 shipped"), {})).is_valid  # fails Luhn: not a card
    assert "forbidden phrase" in v.validate(Subject(Answer("We offer Guaranteed Returns!"), {})).issues[0]
    assert "secret" in v.validate(Subject(Answer(None, [ToolCall("c", "f", '{"k": "sk-ant-abcdefghijklmnopqrstuvwxyz"}')]), {})).issues[0]


def test_url_allow_list() -> None:
    v = PatternsValidator(PatternsConfig(allowed_domains=["example.com"]))
    assert v.validate(Subject(Answer("See https://docs.example.com/a and www.example.com."), {})).is_valid
    bad = v.validate(Subject(Answer("See https://examp1e-support.net/reset"), {}))
    assert bad.issues == ["link to a domain that is not allowed: examp1e-support.net"]
    body = {"messages": [{"role": "user", "content": "is https://partner.org/x safe?"}]}
    assert v.validate(Subject(Answer("Yes, https://partner.org/x is the page."), body)).is_valid


def test_bad_deny_regex_is_a_config_error() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="not a valid regex"):
        PatternsConfig(deny=["(unclosed"])


# -- judge ---------------------------------------------------------------------------------------------

class FakeProvider(Provider):
    kind = "openai"
    endpoints = frozenset({"chat"})

    def __init__(self, verdict: Any, delay: float = 0.0) -> None:
        self.name, self.config, self.services = "j", None, None
        self.verdict, self.delay, self.bodies = verdict, delay, []

    def upstream_model(self, model: str | None) -> str | None:
        return model

    async def send(self, ctx: Any, attempt: Any) -> ProxyResponse:
        self.bodies.append(ctx.body)
        await asyncio.sleep(self.delay)
        return ProxyResponse.from_json({"choices": [{"message": {"content": json.dumps(self.verdict)}}], "usage": {"prompt_tokens": 1000, "completion_tokens": 10}})


def FakeServices(provider: Any) -> Any:
    from proxy.config import parse_config
    from proxy.services import Services
    from proxy.telemetry import Telemetry

    svc = Services(config=parse_config({"providers": {"j": {"type": "openai", "base_url": "http://127.0.0.1:9/v1"}}}), state=MemoryState())
    svc.providers["j"] = provider
    svc.telemetry = Telemetry(svc)
    return svc


async def test_judge_verdicts_timeout_and_cost() -> None:
    prov = FakeProvider({"supported": False, "unsupported_claims": ["$127,549"]})
    svc = FakeServices(prov)
    v = build_validator("judge", {"provider": "j", "model": "m", "price_per_1m_input": 2.0, "price_per_1m_output": 10.0}, svc)
    body = {"messages": [{"role": "tool", "content": '{"balance": 47.15}'}]}
    res = await v.validate(Subject(Answer("It is $127,549."), body))
    assert not res.is_valid and res.unverified == ["$127,549"]
    assert "DATA:" in prov.bodies[0]["messages"][1]["content"] and prov.bodies[0]["temperature"] == 0
    # The judge's own prices join the pricing table, so its attempt is charged at them.
    assert res.details["judge_cost_usd"] == pytest.approx((1000 * 2 + 10 * 10) / 1e6)
    prov.verdict = {"supported": True, "unsupported_claims": []}
    assert (await v.validate(Subject(Answer("It is $47.15."), body))).is_valid
    slow = build_validator("judge", {"provider": "j", "model": "m", "timeout_seconds": 0.05}, FakeServices(FakeProvider({}, delay=1)))
    with pytest.raises(asyncio.TimeoutError):
        await slow.validate(Subject(Answer("x"), body))


# -- signal and review queue -------------------------------------------------------------------------

def test_validation_failover_signal() -> None:
    exc = ValidationFailover(["unverified money '$1'", "b", "c", "d"], validators=["numbers"])
    assert exc.status == 502 and exc.code == "validation_failed" and exc.issues[0].startswith("unverified")
    assert "(+1 more)" in exc.message


async def test_review_queue_jsonl(tmp_path: Any) -> None:
    q = ReviewQueue(MemoryState(data_dir=tmp_path))
    rid = await q.add({"request_id": "req_1", "issues": ["x"], "status": "open"})
    assert (await q.get(rid))["request_id"] == "req_1"
    assert [r["id"] for r in await q.list(status="open")] == [rid]
    rec = await q.resolve(rid, note="ok", by="me", resolution="false_positive")
    assert rec["status"] == "resolved" and rec["resolved_by"] == "me"
    assert await q.list(status="open") == []
    assert await q.resolve("missing") is None
    # a new process reads the same file
    again = ReviewQueue(MemoryState(data_dir=tmp_path))
    assert (await again.get(rid))["status"] == "resolved"


@pytest.mark.parametrize("text,expected", [
    ("Pay $ 12.00 today", [("money", "$ 12.00")]),
    ("Pay € 15,50 today", [("money", "€ 15,50")]),
    ("Plan SUB-74203-A renews", [("ident", "SUB-74203")]),
    ("See https://bank.example/tx/99999 and www.x.com/777", []),
    ("Invoice INV-2024-0042 is open", [("ident", "INV-2024-0042")]),
    ("On Sept. 3, 2025 and 15th of March 2024", [("date", "Sept. 3, 2025"), ("date", "15th of March 2024")]),
    ("It fell to 1.2 million users", [("number", "1.2 million")]),  # the scale word is not a second claim
])
def test_scanner_edge_cases(text: str, expected: list[tuple[str, str]]) -> None:
    claims, _ = extract_claims(text, NumbersConfig())
    assert [(c.kind, c.text) for c in claims] == expected


def test_far_away_ten_does_not_ground_an_extra_zero() -> None:
    ctx = "Total: 10.699,69 EUR. Skonto 2 % bei Zahlung innerhalb von 10 Tagen."
    assert not check("You owe €106,996.90.", ctx, role="system").is_valid
    assert check("3 x $19.99 is $59.97.", '{"qty": 3, "price": 19.99}').is_valid
