"""Issue 17, dev work of stop 29: fewer correct answers flagged (what a count counts, keys that
name a state, records named by a number) and unit-scale slips caught.

Each case is a tool result and an answer, in the style of tests/test_validate_chains.py:
GROUNDED answers must pass whole, CAUGHT answers must report the named number.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from plugins.validate.validators.base import Answer, Subject
from plugins.validate.validators.numbers import NumbersValidator


def run(data: Any, answer: str, user: str = "Can you help?", system: str = "") -> Any:
    msgs = [{"role": "system", "content": system}] if system else []
    msgs += [{"role": "user", "content": user},
             {"role": "tool", "tool_call_id": "c1", "content": data if isinstance(data, str) else json.dumps(data)}]
    return NumbersValidator().validate(Subject(Answer(answer), {"messages": msgs}))


GROUNDED: list[tuple[Any, ...]] = [
    # a participle after the number says what happened, not what is counted
    ({"team": "Owls", "points_for": 1022, "points_against": 913},
     "The Owls have 1,022 points scored and 913 allowed this season."),
    # a trailing participle after the counted noun: the head is the noun
    ({"member": "K-2291", "qualifying_miles_needed": 60000, "qualifying_miles": 41800},
     "You have 41,800 of the 60,000 qualifying miles needed for Gold."),
    # a key that names a state or an event counts whatever the sentence counts
    ({"grade": 7, "enrolled": 214, "chronically_absent": 19},
     "In grade 7, 19 of 214 students are chronically absent."),
    ({"line": 3, "units_started": 4800, "scrapped": 87},
     "Line 3 started 4,800 units and 87 units were scrapped."),
    ({"club": "downtown", "avg_checked_in": 142, "capacity": 220},
     "On weekdays the club averages 142 members, out of a 220 capacity."),
]


CAUGHT: list[tuple[tuple[Any, ...], tuple[Any, ...], str]] = [
    # a record named by a number ("section": "104"): another section's value is another entity's
    (({"sections": [{"section": "103", "available": 14}, {"section": "104", "available": 2}]},
      "Section 104 still has 2 seats available."),
     ({"sections": [{"section": "103", "available": 14}, {"section": "104", "available": 2}]},
      "Section 104 still has 14 seats available."), "14"),
]


@pytest.mark.parametrize("case", GROUNDED)
def test_scale_values_are_grounded(case: tuple[Any, ...]) -> None:
    data, answer = case[0], case[1]
    res = run(data, answer, *case[2:])
    assert res.is_valid, (answer, res.unverified)


@pytest.mark.parametrize("good,bad_case,bad", CAUGHT)
def test_scale_fabrications_are_caught(good: tuple[Any, ...], bad_case: tuple[Any, ...], bad: str) -> None:
    ok = run(*good)
    assert ok.is_valid, (good[1], ok.unverified)
    res = run(*bad_case)
    assert not res.is_valid and any(bad in u or u in bad for u in res.unverified), (bad_case[1], res.unverified)
