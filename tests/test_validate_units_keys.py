"""A key's "_mm" is millimetres when the key names a length ("rain_24h_mm"), millions otherwise ("revenue_mm")."""
from __future__ import annotations

import json
from typing import Any

from plugins.validate.validators.base import Answer, Subject
from plugins.validate.validators.numbers import NumbersValidator
from plugins.validate.validators.units import key_units


def ok(data: Any, answer: str) -> bool:
    msgs = [{"role": "user", "content": "How much?"}, {"role": "tool", "tool_call_id": "c1", "content": json.dumps(data)}]
    return NumbersValidator().validate(Subject(Answer(answer), {"messages": msgs})).is_valid


def test_a_length_key_in_mm_is_millimetres() -> None:
    assert key_units("rain_24h_mm").unit is not None and key_units("thickness_mm").unit is not None
    assert key_units("revenue_mm").unit is None and key_units("revenue_mm").scale == 1e6
    assert ok({"rain_24h_mm": 38}, "The station logged 38 mm overnight, about 1.5 inches.")
    assert not ok({"rain_24h_mm": 38}, "The station logged 38 mm overnight, about 2.5 inches.")
