"""Chains of computed values (issue 17): a number derived from numbers that are themselves
grounded (in the data, or derived earlier in the same answer) is grounded; a fabricated one is not.

Each case is a tool result and an answer; GROUNDED answers must pass whole, CAUGHT answers must
report the named number.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from plugins.validate.validators.base import Answer, Subject
from plugins.validate.validators.numbers import NumbersValidator


def run(data: Any, answer: str, user: str = "Can you help?") -> Any:
    msgs = [{"role": "user", "content": user},
            {"role": "tool", "tool_call_id": "c1", "content": data if isinstance(data, str) else json.dumps(data)}]
    return NumbersValidator().validate(Subject(Answer(answer), {"messages": msgs}))


GROUNDED: list[tuple[Any, ...]] = [
    # the total of the lines' results, the operands of their written-out work left out
    ({"nights": 4, "nightly_rate": 189, "tax_pct": 13.5, "resort_fee_per_night": 22},
     "Your stay:\n- Room: 4 × $189 = $756.00\n- Tax (13.5%): $102.06\n- Resort fee: 4 × $22 = $88.00\n\n**Total: $946.06**"),
    ({"nightly_rate": 189.0, "resort_fee_per_night": 25.0, "tax_pct": 12.5},
     "- Room: $756.00 ($189 × 4)\n- Resort fee: $100.00 ($25 × 4)\n- Taxes (12.5%): $94.50\n\n**Total: $950.50**"),
    # a result stated before its work, whose operand is a small half ("time-and-a-half")
    ({"employee": "Dana", "hourly_rate": 23.4, "hours": {"Mon": 8.5, "Tue": 9, "Wed": 7.5, "Thu": 10, "Fri": 6}},
     "Dana logged **41 hours** this week (8.5 + 9 + 7.5 + 10 + 6).\n\n- Regular: 40 h × $23.40 = **$936.00**\n"
     "- Overtime: 1 h × $35.10 (1.5 × $23.40) = **$35.10**\n\nGross pay: **$971.10**.",
     "Overtime is anything over 40 hours at time-and-a-half."),
]

CAUGHT = [
    # a total that leaves a line out is no total of the lines
    ({"nights": 4, "nightly_rate": 189, "tax_pct": 13.5, "resort_fee_per_night": 22},
     "Your stay:\n- Room: 4 × $189 = $756.00\n- Tax (13.5%): $102.06\n- Resort fee: 4 × $22 = $88.00\n\n**Total: $966.06**",
     "$966.06"),
]


@pytest.mark.parametrize("case", GROUNDED)
def test_chained_values_are_grounded(case: tuple[Any, ...]) -> None:
    data, answer = case[0], case[1]
    res = run(data, answer, *case[2:])
    assert res.is_valid, (answer, res.unverified)


@pytest.mark.parametrize("data,answer,bad", CAUGHT)
def test_fabricated_chain_values_are_caught(data: Any, answer: str, bad: str) -> None:
    res = run(data, answer)
    assert not res.is_valid and any(bad in u or u in bad for u in res.unverified), (answer, res.unverified)
