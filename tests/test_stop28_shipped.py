"""This stop's pruning and validation changes through the SHIPPED proxy.toml (every plugin on:
limits, budgets, cache, prune, validate, fallback), on both state backends, plain and streamed,
with the official SDK.

- A long config paste over the 6,000-token budget is pruned, and the line the question names in
  plain words ("which region is it pinned to" -> `placement.pinnedRegion`) reaches the upstream.
- A correct answer whose total is the sum of its lines' results (the operands of each line's
  written-out work left out) goes out unflagged, with one billed attempt.
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import openai_client
from tests.shipped import shipped_proxy

NEEDED = "placement.pinnedRegion: ca-central-1"
STAY = {"nights": 4, "nightly_rate": 189, "tax_pct": 13.5, "resort_fee_per_night": 22}
STAY_ANSWER = "Your stay:\n- Room: 4 × $189 = $756.00\n- Tax (13.5%): $102.06\n- Resort fee: 4 × $22 = $88.00\n\n**Total: $946.06**"


@pytest.fixture(params=["memory", "redis"])
async def proxy(request: Any, sim: Any, tmp_path: Path, unique_prefix: str, redis_url: str) -> Any:
    async with shipped_proxy(request.param, sim, tmp_path, unique_prefix, redis_url) as p:
        yield p


def upstream_chats(sim: Any) -> list[dict[str, Any]]:
    return [r["json"] for r in sim.requests if r.get("path", "").endswith("/chat/completions")]


def config_paste() -> str:
    rnd = random.Random(28)
    keys = ["logging.format: text", "cache.backend: memory", "db.statementTimeoutMs: 2000", "autoscaling.minReplicas: 1",
            "featureFlags.betaSearch: false", "tracing.sampleRate: 0.05", "queue.visibilityTimeout: 60", "smtp.host: smtp.relay.svc",
            "ingress.className: nginx", "probes.readiness.periodSeconds: 30", "smtp.port: 587", "featureFlags.newCheckout: false"]
    lines: list[str] = []
    for svc in range(600):  # ~60k tokens: ten times the shipped budget
        lines.append(f"service{svc}:")
        lines += ["  " + k for k in rnd.sample(keys, len(keys))]
    lines.insert(len(lines) * 3 // 5, "  " + NEEDED)
    return "\n".join(lines)


async def answer(proxy: Any, messages: list[dict[str, Any]], stream: bool) -> tuple[str, dict[str, str]]:
    client = openai_client(proxy.url, key="sk-trusted")
    if stream:
        raw = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=messages, stream=True)
        chunks = [c async for c in raw.parse()]
        assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
        return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices), dict(raw.headers)
    raw = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=messages)
    return raw.parse().choices[0].message.content or "", dict(raw.headers)


@pytest.mark.parametrize("stream", [False, True])
async def test_a_pruned_config_paste_keeps_the_camel_case_key_the_question_names(proxy: Any, sim: Any, stream: bool) -> None:
    sim.script("pinned to", [{"content": "It is pinned to ca-central-1."}])
    messages = [{"role": "system", "content": "You are a deployment assistant."},
                {"role": "user", "content": "Here is our full config:\n\n" + config_paste()},
                {"role": "assistant", "content": "Got it, I have the config."}]
    for topic in ("the release notes for Friday", "the on-call rota", "a cron syntax question"):  # older than the kept turns
        messages += [{"role": "user", "content": f"Unrelated: can you help me with {topic}? " * 20},
                     {"role": "assistant", "content": f"Sure, here is some help with {topic}. " * 20}]
    messages.append({"role": "user", "content": "With all the edits applied, which region is the service pinned to?"})
    text, headers = await answer(proxy, messages, stream)
    assert text == "It is pinned to ca-central-1."
    assert int(headers["x-bulwark-pruned-tokens"]) > 0
    sent = upstream_chats(sim)
    assert len(sent) == 1 and NEEDED in json.dumps(sent[0]["messages"])
    assert "x-bulwark-validation" not in headers  # the region is the user's own data: grounded


@pytest.mark.parametrize("stream", [False, True])
async def test_a_total_of_its_lines_results_goes_out_untouched(proxy: Any, sim: Any, stream: bool) -> None:
    sim.script("my stay", [{"content": STAY_ANSWER}])
    messages = [{"role": "user", "content": "What does my stay cost in total?"},
                {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
                    "name": "get_booking", "arguments": "{\"booking\": \"HB-2207\"}"}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": json.dumps(STAY)}]
    text, headers = await answer(proxy, messages, stream)
    assert text == STAY_ANSWER
    assert "x-bulwark-validation" not in headers
    assert len(upstream_chats(sim)) == 1  # no regeneration
    assert await proxy.services.state.journal("review").list() == []
