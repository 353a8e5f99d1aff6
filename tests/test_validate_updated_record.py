"""A later call that changed the same record supersedes the earlier lookup's value (ground.refetched).

The lookup and the change are different functions ("account_plan", then "change_plan" for the
same account), so this is no re-fetch; the shared argument value names the record, and the later
call is an action or its result says it went through ({"ok": true}).
"""
from __future__ import annotations

import json
from typing import Any

from plugins.validate.validators.base import Answer, Subject
from plugins.validate.validators.numbers import NumbersValidator


def _conv(calls: list[tuple[str, dict[str, Any], dict[str, Any]]], question: str) -> list[dict[str, Any]]:
    msgs: list[dict[str, Any]] = [{"role": "user", "content": question}]
    for i, (name, args, result) in enumerate(calls):
        msgs.append({"role": "assistant", "content": None, "tool_calls": [
            {"id": f"c{i}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}]})
        msgs.append({"role": "tool", "tool_call_id": f"c{i}", "content": json.dumps(result)})
    return msgs


def run(msgs: list[dict[str, Any]], answer: str) -> tuple[bool, list[str]]:
    r = NumbersValidator().validate(Subject(Answer(answer), {"messages": msgs}))
    return r.is_valid, list(r.details.get("sure") or []) + list(r.details.get("uncertain") or [])


PLAN = [("account_plan", {"account": "77-1"}, {"plan": "Premium", "monthly": 92.0}),
        ("change_plan", {"account": "77-1", "plan": "Lite"}, {"ok": True, "plan": "Lite", "monthly": 48.0})]
WEIGHT = [("get_weight_history", {"patient": "Bo"}, {"patient": "Bo", "latest": {"weight_kg": 18.2, "recorded": "2026-05-01"}}),
          ("record_weight", {"patient": "Bo", "weight_kg": 17.1}, {"ok": True, "weight_kg": 17.1, "recorded": "2026-12-01"})]
BOOKING = [("reservation", {"conf": "QX-1"}, {"check_in": "2027-03-10", "nights": 2}),
           ("modify_reservation", {"conf": "QX-1", "check_in": "2027-03-12"}, {"ok": True, "check_in": "2027-03-12", "nights": 2})]


def test_the_changed_value_replaces_the_looked_up_one() -> None:
    ok, bad = run(_conv(PLAN, "Switch me to Lite."), "Done: you are on Lite at $92.00 per month.")
    assert not ok and any("92" in b for b in bad), bad
    ok, bad = run(_conv(WEIGHT, "Weigh Bo."), "Bo now weighs 18.2 kg.")
    assert not ok and any("18.2" in b for b in bad), bad
    ok, bad = run(_conv(BOOKING, "Move it."), "You now check in on March 10.")
    assert not ok and any("March 10" in b for b in bad), bad


def test_the_new_value_and_the_old_one_named_as_old_pass() -> None:
    assert run(_conv(PLAN, "Switch me to Lite."), "Done: you are on Lite at $48.00 per month, down from $92.00.")[0]
    assert run(_conv(WEIGHT, "Weigh Bo."), "Bo now weighs 17.1 kg (he was 18.2 kg in May).")[0]


def test_another_record_is_not_superseded() -> None:
    other = [PLAN[0], ("change_plan", {"account": "99-4", "plan": "Lite"}, {"ok": True, "plan": "Lite", "monthly": 48.0})]
    assert run(_conv(other, "Plans?"), "Account 77-1 pays $92.00 per month; 99-4 now pays $48.00.")[0]
    # a plain second lookup of another thing with a shared value is no change either
    reads = [("account_plan", {"account": "77-1"}, {"monthly": 92.0}),
             ("plan_catalog", {"account": "77-1"}, {"monthly": 48.0})]
    assert run(_conv(reads, "Plans?"), "You pay $92.00 per month; the catalog lists $48.00.")[0]


RAISE = [("employee", {"name": "M. Bell"}, {"name": "M. Bell", "hourly_rate": 19.75}),
         ("apply_raise", {"name": "M. Bell", "pct": 6}, {"ok": True, "old_rate": 19.75, "new_rate": 20.94})]


def test_an_old_and_new_pair_supersedes_the_old_value_under_another_key() -> None:
    # {"old_rate": 19.75, "new_rate": 20.94}: the lookup's hourly_rate of 19.75 is the old rate
    ok, bad = run(_conv(RAISE, "Apply it."), "Marcus now earns $19.75 an hour.")
    assert not ok and any("19.75" in b for b in bad), bad
    assert run(_conv(RAISE, "Apply it."), "Marcus now earns $20.94 an hour, up from $19.75.")[0]


def test_a_current_key_supersedes_the_plain_one() -> None:
    calls = [("meter", {"site": "S1"}, {"reading_kwh": 5120}),
             ("meter_status", {"site": "S1"}, {"current_reading_kwh": 5391})]
    ok, bad = run(_conv(calls, "Reading?"), "The meter reads 5,120 kWh.")
    assert not ok and any("5,120" in b for b in bad), bad


def test_a_later_settled_value_supersedes_an_earlier_estimate() -> None:
    calls = [("claim_status", {"claim": "AU-1"}, {"status": "pending", "estimate": 3120.0}),
             ("claim_status", {"claim": "AU-1", "refresh": True}, {"status": "approved", "approved_amount": 2875.4})]
    ok, bad = run(_conv(calls, "Update?"), "Your claim is approved; the payment is $3,120.00.")
    assert not ok and any("3,120" in b for b in bad), bad
    assert run(_conv(calls, "Update?"), "Your claim is approved for $2,875.40 (the estimate was $3,120.00).")[0]
