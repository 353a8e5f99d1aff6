"""The numbers validator on one tool result: the helper the grounding test files share.

`run(data, answer)` validates `answer` after a user question and a tool result holding `data`
(a JSON-able value, or a string as is); `assert_grounded` and `assert_caught` are the two checks
the case tables of tests/test_validate_{grounding,chains,scale}.py make.
"""
from __future__ import annotations

import json
from typing import Any

from plugins.validate.validators.base import Answer, Subject, ValidationResult
from plugins.validate.validators.numbers import NumbersValidator


def run(data: Any, answer: str, user: str = "Can you help?", system: str = "") -> ValidationResult:
    msgs = [{"role": "system", "content": system}] if system else []
    msgs += [{"role": "user", "content": user},
             {"role": "tool", "tool_call_id": "c1", "content": data if isinstance(data, str) else json.dumps(data)}]
    return NumbersValidator().validate(Subject(Answer(answer), {"messages": msgs}))


def assert_grounded(case: tuple[Any, ...]) -> None:
    """(data, answer[, user[, system]]): the answer passes whole."""
    res = run(*case)
    assert res.is_valid, (case[1], res.unverified)


def assert_caught(good: tuple[Any, ...], bad_case: tuple[Any, ...], bad: str) -> None:
    """The good twin passes; the bad one fails and names `bad`."""
    ok = run(*good)
    assert ok.is_valid, (good[1], ok.unverified)
    res = run(*bad_case)
    assert not res.is_valid and any(bad in u or u in bad for u in res.unverified), (bad_case[1], res.unverified)
