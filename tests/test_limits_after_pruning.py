"""Token limits count what is sent: through the shipped proxy.toml (ratelimit outermost, prune
further in), a 200k-token conversation that pruning fits is admitted and charged at its
pruned size, on both state backends; one that nothing can fit is refused once, honestly."""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import openai
import pytest

from proxy import tokens
from proxy.keys import hash_key, key_id_for
from tests.helpers import openai_client
from tests.shipped import shipped_proxy

KID = key_id_for(hash_key("sk-test"))
WORDS = ("the shipment left the warehouse on time but the invoice was held for review by finance because the "
         "purchase order number did not match the contract reference and the vendor asked for a corrected copy").split()


def long_conversation(target: int, seed: int = 3) -> list[dict[str, Any]]:
    r = random.Random(seed)
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are a concise operations assistant."}]
    while tokens.count_messages(msgs, "gpt-4o-mini") < target:
        text = " ".join(r.choice(WORDS) for _ in range(900))
        msgs.append({"role": "user", "content": f"Update {len(msgs)}: {text}"})
        msgs.append({"role": "assistant", "content": "Noted. " + " ".join(r.choice(WORDS) for _ in range(300))})
    msgs.append({"role": "user", "content": "In one sentence: what is blocking the invoice?"})
    return msgs


async def used_tokens(proxy: Any) -> float:
    st = proxy.services.state
    st = getattr(st, "primary", st)
    if hasattr(st, "store"):
        return float(st.store.hget("{" + KID + "}:rl", "tu") or 0)
    return float(await st._r.hget(st.k("{" + KID + "}:rl"), "tu") or 0)


@pytest.fixture(params=["memory", "redis"])
async def proxy(request: Any, sim: Any, tmp_path: Path, unique_prefix: str, redis_url: str) -> Any:
    async with shipped_proxy(request.param, sim, tmp_path, unique_prefix, redis_url) as p:
        yield p


async def test_a_200k_conversation_that_pruning_fits_is_admitted_at_its_pruned_size(proxy: Any, sim: Any) -> None:
    msgs = long_conversation(200_000)
    before = tokens.count_messages(msgs, "gpt-4o-mini")
    assert before > 200_000  # the shipped key limit is 20,000 tokens a minute
    client = openai_client(proxy.url)
    raw = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=msgs, max_tokens=200)
    assert raw.status_code == 200 and raw.parse().choices[0].message.content
    removed = int(raw.headers["x-bulwark-pruned-tokens"])
    sent = sim.requests[-1]["json"]["messages"]
    after = tokens.count_messages(sent, "gpt-4o-mini")
    assert after == before - removed and after <= 6000  # [plugins.prune] max_input_tokens
    assert int(raw.headers["x-ratelimit-limit-tokens"]) == 20_000
    # Once settled, the window holds what was really used: the pruned prompt and the answer.
    usage = raw.parse().usage
    for _ in range(100):
        if abs(await used_tokens(proxy) - usage.total_tokens) < 5:
            break
        await __import__("asyncio").sleep(0.02)
    assert abs(await used_tokens(proxy) - usage.total_tokens) < 5
    assert usage.prompt_tokens <= 6000
    # The same again, a different final question (no cache hit): admitted too.
    msgs[-1] = {"role": "user", "content": "And who has to send the corrected copy?"}
    again = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=msgs, max_tokens=200)
    assert again.status_code == 200


async def test_a_body_no_pruning_can_fit_is_refused_as_too_large(proxy: Any, sim: Any) -> None:
    # 5,000 prompt tokens fit the prune budget; 5,000 + max_tokens 16,000 exceed the key's 20,000.
    msgs = [{"role": "user", "content": " ".join(["budget"] * 5000)}]
    n = len(sim.requests)
    with pytest.raises(openai.RateLimitError) as ei:
        await openai_client(proxy.url).chat.completions.create(model="gpt-4o-mini", messages=msgs, max_tokens=16_000)
    e = ei.value
    assert "Request too large" in e.message and "after any pruning" in e.message and "20000 tokens" in e.message
    assert e.response.headers["x-should-retry"] == "false"
    assert len(sim.requests) == n  # refused before the provider was called
