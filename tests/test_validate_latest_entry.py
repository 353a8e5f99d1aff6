"""A value called the latest / current one must be the latest-dated entry's (ground.older_entries)."""
from __future__ import annotations

import json

from plugins.validate.validators.base import Answer, Subject
from plugins.validate.validators.numbers import NumbersValidator

DATA = {"readings": [{"date": "2026-03-02", "level": 7.4}, {"date": "2026-06-20", "level": 6.1},
                     {"date": "2026-10-11", "level": 5.2}]}


def run(answer: str) -> tuple[bool, list[str]]:
    msgs = [{"role": "user", "content": "What is my level?"}, {"role": "tool", "tool_call_id": "c1", "content": json.dumps(DATA)}]
    r = NumbersValidator().validate(Subject(Answer(answer), {"messages": msgs}))
    return r.is_valid, list(r.details.get("sure") or []) + list(r.details.get("uncertain") or [])


def test_an_earlier_entry_called_the_latest_is_flagged() -> None:
    ok, bad = run("Your most recent level is 6.1.")
    assert not ok and any("6.1" in b for b in bad), bad
    ok, bad = run("Your level is currently 7.4.")
    assert not ok and any("7.4" in b for b in bad), bad


def test_the_latest_entry_and_earlier_ones_named_as_such_pass() -> None:
    assert run("Your latest level is 5.2.")[0]
    assert run("Your level was 7.4 in March and 6.1 in June; the latest is 5.2.")[0]
