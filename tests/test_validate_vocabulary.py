"""One direction vocabulary (validators/vocabulary.py) for the direction check, claim changes and signs.

Before it, the direction check knew neither "plunged" nor "soared" (only the sign reader did),
and the "<verb> from X to Y" check matched verb prefixes, so "risk" read as "rise".
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from plugins.validate.validators import claims, direction, facts, numbers, vocabulary
from plugins.validate.validators.base import Answer, Subject
from plugins.validate.validators.numbers import NumbersValidator


def run(data: Any, answer: str) -> tuple[str, list[str]]:
    msgs = [{"role": "user", "content": "Tell me."}, {"role": "tool", "tool_call_id": "c1", "content": json.dumps(data)}]
    r = NumbersValidator().validate(Subject(Answer(answer), {"messages": msgs}))
    if r.is_valid:
        return "pass", []
    return ("uncertain" if r.uncertain else "sure"), list(r.details.get("sure") or []) + list(r.details.get("uncertain") or [])


def test_every_reader_uses_the_shared_words() -> None:
    assert {w for w, d in direction._WORDS.items() if d == "up"} == vocabulary.DIRECTION_UP
    assert {w for w, d in direction._WORDS.items() if d == "down"} == vocabulary.DIRECTION_DOWN
    assert {w for w, d in claims._DIRECTION.items() if d == "up"} == vocabulary.CHANGE_UP
    assert {w for w, d in claims._DIRECTION.items() if d == "down"} == vocabulary.CHANGE_DOWN
    assert facts.UP_WORDS is vocabulary.SIGN_UP and facts.DOWN_WORDS is vocabulary.SIGN_DOWN
    assert set(numbers._DIR_VERB.pattern[5:-3].split("|")) == vocabulary.VERBS_UP | vocabulary.VERBS_DOWN
    # every verb of change is a direction word, a change cue and a sign, the same way round
    for w in vocabulary.RISE:
        assert w in vocabulary.DIRECTION_UP and w in vocabulary.CHANGE_UP and w in vocabulary.SIGN_UP
    for w in vocabulary.FALL:
        assert w in vocabulary.DIRECTION_DOWN and w in vocabulary.CHANGE_DOWN and w in vocabulary.SIGN_DOWN
    assert not (vocabulary.DIRECTION_UP & vocabulary.DIRECTION_DOWN)
    assert not (vocabulary.SIGN_UP & vocabulary.SIGN_DOWN)


@pytest.mark.parametrize("data,answer,word", [
    ({"q2_revenue": 40.0, "q3_revenue": 52.0}, "Revenue plunged from $40.0 to $52.0 in Q3.", "plunged"),
    ({"q2_revenue": 52.0, "q3_revenue": 40.0}, "Revenue soared from $52.0 to $40.0 in Q3.", "soared"),
])
def test_direction_reads_the_whole_vocabulary(data: Any, answer: str, word: str) -> None:
    v, bad = run(data, answer)
    assert v != "pass" and any(word in b for b in bad), (v, bad)


def test_risk_is_no_verb_of_change() -> None:
    assert numbers._DIR_VERB.search("the risk score went from 40 to 52") is None
    assert numbers._DIR_VERB.search("the score rose from 40 to 52").group(0) == "rose"


@pytest.mark.parametrize("data,answer,word", [
    ({"close": 143.75, "prev_close": 148.20}, "The stock closed at $143.75, gaining $4.45 from yesterday's $148.20.", "gaining"),
    ({"oct": 48210.55, "nov": 44987.10}, "November came in at $44,987.10, up $3,223.45 from October's $48,210.55.", "up"),
])
def test_direction_reads_from_a_possessive_reference(data: Any, answer: str, word: str) -> None:
    # "from yesterday's X", "from October's X": the reference is still the earlier end
    v, bad = run(data, answer)
    assert v != "pass" and any(word in b for b in bad), (v, bad)


def test_the_right_direction_from_a_possessive_reference_passes() -> None:
    assert run({"close": 143.75, "prev_close": 148.20}, "The stock closed at $143.75, losing $4.45 from yesterday's $148.20.")[0] == "pass"
