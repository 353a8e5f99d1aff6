"""Pricing: shipped defaults by family, overrides from [pricing], costs with and without usage."""
from __future__ import annotations

import logging

import pytest

from proxy.context import Usage
from proxy.errors import ConfigError
from proxy.pricing import Pricing, cost_usd, max_completion


@pytest.mark.parametrize(("model", "inp", "out"), [
    ("gpt-4o", 2.5, 10.0),
    ("gpt-4o-2024-08-06", 2.5, 10.0),
    ("gpt-4o-2024-05-13", 5.0, 15.0),
    ("gpt-4o-mini-2024-07-18", 0.15, 0.60),
    ("openai/gpt-4o-mini", 0.15, 0.60),
    ("gpt-4-0613", 30.0, 60.0),
    ("gpt-4-1106-preview", 10.0, 30.0),
    ("gpt-4-turbo-2024-04-09", 10.0, 30.0),
    ("gpt-4.1-mini-2025-04-14", 0.40, 1.60),
    ("gpt-3.5-turbo-0125", 0.50, 1.50),
    ("o1-mini-2024-09-12", 1.10, 4.40),
    ("o3-mini", 1.10, 4.40),
    ("gpt-5-nano", 0.05, 0.40),
    ("text-embedding-3-small", 0.02, 0.0),
    ("claude-3-5-sonnet-20241022", 3.0, 15.0),
    ("claude-3-5-haiku-latest", 0.80, 4.0),
    ("claude-sonnet-4-20250514", 3.0, 15.0),
    ("claude-sonnet-4-5", 3.0, 15.0),
    ("claude-opus-4-1-20250805", 15.0, 75.0),
    ("claude-opus-4-5-20251101", 5.0, 25.0),
    ("anthropic.claude-3-haiku-20240307-v1:0", 0.25, 1.25),
    ("meta-llama/Llama-3.3-70B-Instruct-Turbo", 0.88, 0.88),
    ("llama3-70b-8192", 0.88, 0.88),
    ("llama-3.1-8b-instant", 0.18, 0.18),
    ("Meta-Llama-3.1-405B-Instruct", 3.50, 3.50),
    ("llama-4-maverick-17b-128e-instruct", 0.27, 0.85),
])
def test_shipped_prices_by_family(model: str, inp: float, out: float) -> None:
    price, known = Pricing().lookup(model)
    assert known and (price.input, price.output) == (inp, out)


def test_family_match_needs_a_separator() -> None:
    p = Pricing()
    assert p.lookup("gpt-4.7-future")[1] is False  # not gpt-4
    assert p.lookup("gpt-4o")[0].input == 2.5  # not gpt-4


def test_cost_with_cached_tokens() -> None:
    p = Pricing()
    # gpt-4o: 1000 prompt of which 400 cached (1.25), 500 completion.
    assert p.cost("gpt-4o", 1000, 500, 400) == pytest.approx((600 * 2.5 + 400 * 1.25 + 500 * 10) / 1e6)
    assert cost_usd("gpt-4o", Usage(prompt_tokens=1000, completion_tokens=500, cached_tokens=400)) == pytest.approx(0.007)
    assert cost_usd("gpt-4o", {"prompt_tokens": 1000, "completion_tokens": 500,
                               "prompt_tokens_details": {"cached_tokens": 400}}) == pytest.approx(0.007)


def test_estimate_without_usage() -> None:
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello there"}], "max_tokens": 100}
    est = cost_usd("gpt-4o", None, body=body)
    assert 100 * 10 / 1e6 < est < 130 * 10 / 1e6
    assert max_completion({"max_completion_tokens": 7, "max_tokens": 9}, 5) == 7
    assert max_completion({"n": 3, "max_tokens": 10}, 5) == 30
    assert max_completion({}, 5) == 5


def test_overrides_and_default(caplog: pytest.LogCaptureFixture) -> None:
    p = Pricing({"default": {"input": 1.0, "output": 2.0},
                 "models": {"gpt-4o": {"input": 2.0, "output": 8.0, "cached_input": 0.5}, "my-finetune": {"input": 3, "output": 12}}})
    assert p.lookup("gpt-4o-2024-08-06")[0].input == 2.0  # override wins over the shipped price
    assert p.lookup("my-finetune-v2")[0].output == 12
    caplog.set_level(logging.WARNING, logger="bulwark.pricing")
    price, known = p.lookup("mystery-model")
    assert not known and (price.input, price.output) == (1.0, 2.0)
    p.lookup("mystery-model")
    assert len([r for r in caplog.records if "mystery-model" in r.getMessage()]) == 1  # warned once


def test_bad_pricing_section_names_the_key_path() -> None:
    with pytest.raises(ConfigError, match=r"pricing\.models\.gpt-4o\.input"):
        Pricing({"models": {"gpt-4o": {"input": -1, "output": 2}}})
    with pytest.raises(ConfigError, match=r"pricing\.modles: unknown setting"):
        Pricing({"modles": {}})
