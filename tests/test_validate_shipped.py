"""Validation through the SHIPPED proxy.toml (the whole default chain) with the official SDK.

The three findings of issue 17, as a user meets them:
1. a claim-free answer streams live (first content before the upstream stream has ended);
2. no fabricated number reaches the client, for any model, plain or streamed;
3. a blocked structured answer is the API's refusal, so `parse()` sees `.refusal`.
"""
from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path
from typing import Any

import pydantic
import pytest

from tests.helpers import TEST_KEYS, openai_client, start_proxy

ROOT = Path(__file__).resolve().parent.parent

BANK = [
    {"role": "system", "content": "You are a banking assistant. Use only the tool data."},
    {"role": "user", "content": "What is my balance?"},
    {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
        "name": "get_account", "arguments": "{\"account_id\": \"ACC-55012345\"}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "{\"account_id\": \"ACC-55012345\", \"balance\": 47.15, \"currency\": \"USD\"}"},
]
WRONG = "Your balance on ACC-55012345 is $127,549."
RIGHT = "Your balance on ACC-55012345 is $47.15."


def shipped_config(sim: Any, tmp_path: Path) -> dict[str, Any]:
    """proxy.toml as shipped, its providers pointed at the test simulator."""
    cfg = tomllib.loads((ROOT / "proxy.toml").read_text())
    cfg["server"]["port"] = 0
    for prov in cfg["providers"].values():
        if "base_url" in prov:
            prov["base_url"] = prov["base_url"].replace("http://127.0.0.1:9000", sim.base)
    cfg["auth"]["keys"].extend(TEST_KEYS)
    cfg["state"]["data_dir"] = str(tmp_path)
    return cfg


@pytest.fixture
async def shipped(sim: Any, tmp_path: Path) -> Any:
    proxy = await start_proxy(shipped_config(sim, tmp_path))
    try:
        yield proxy
    finally:
        await proxy.aclose()


async def review(proxy: Any) -> list[dict[str, Any]]:
    return await proxy.services.state.journal("review").list()


# -- 1. live streams -----------------------------------------------------------------------------

async def test_claim_free_text_streams_before_the_upstream_stream_ends(shipped: Any, sim: Any) -> None:
    """The upstream sends its role chunk and three words, then goes silent with the stream open:
    the client must already have those words (a buffered stream would show nothing)."""
    sim.script("tell me", [{"content": "Sure, happy to help with that today.", "fault": "stall=4"}])
    client = openai_client(shipped.url, key="sk-trusted")
    seen = ""

    async def first_words() -> None:
        nonlocal seen
        stream = await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "tell me something nice"}], stream=True)
        try:
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    seen += chunk.choices[0].delta.content
                    if seen.startswith("Sure, happy"):
                        return
        finally:
            await stream.close()

    await asyncio.wait_for(first_words(), 10)  # buffered: nothing until the upstream ends (never here)
    assert seen.startswith("Sure, happy")


# -- 2. no fabricated number by default ----------------------------------------------------------------

@pytest.mark.parametrize("model", ["gpt-4o-mini", "gpt-4o"])
@pytest.mark.parametrize("stream", [False, True])
async def test_shipped_config_never_delivers_a_fabricated_number(shipped: Any, sim: Any, model: str, stream: bool) -> None:
    sim.script("my balance", [{"content": WRONG}])  # wrong on every attempt
    client = openai_client(shipped.url, key="sk-trusted")
    if stream:
        s = await client.chat.completions.create(model=model, messages=BANK, stream=True,
                                                 stream_options={"include_usage": True})
        chunks = [c async for c in s]
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
        assert chunks[-1].usage is not None and chunks[-1].choices == []
    else:
        r = await client.chat.completions.create(model=model, messages=BANK)
        text = r.choices[0].message.content or ""
    assert "127,549" not in text and "127549" not in text
    assert text  # the user is told something, not handed an empty answer
    # the regeneration was asked for (no model is exempt) and the answer went to the review queue
    asked = [r["json"] for r in sim.requests if r.get("path", "").endswith("/chat/completions")]
    assert len(asked) == 2 and asked[1]["temperature"] == 0 and "$127,549" in asked[1]["messages"][-1]["content"]
    recs = await review(shipped)
    assert recs and recs[-1]["regenerations"] >= 1 and any("127,549" in i for i in recs[-1]["issues"])


# -- 3. a blocked structured answer is a refusal --------------------------------------------------------

class Balance(pydantic.BaseModel):
    balance: float


async def test_parse_on_a_blocked_structured_answer_yields_a_refusal(shipped: Any, sim: Any) -> None:
    sim.script("as json", [{"content": "{\"balance\": \"forty-seven\"}"}])  # never valid for the schema
    client = openai_client(shipped.url, key="sk-trusted")
    r = await client.chat.completions.parse(
        model="gpt-4o", messages=[{"role": "user", "content": "Give my balance as json"}], response_format=Balance)
    msg = r.choices[0].message
    assert msg.refusal and msg.parsed is None and msg.content is None
    assert r.choices[0].finish_reason == "stop"


async def test_streamed_blocked_structured_answer_is_refusal_deltas(shipped: Any, sim: Any) -> None:
    sim.script("as json", [{"content": "{\"balance\": \"forty-seven\"}"}])
    client = openai_client(shipped.url, key="sk-trusted")
    async with client.chat.completions.stream(
            model="gpt-4o", messages=[{"role": "user", "content": "Give my balance as json"}], response_format=Balance) as s:
        events = [e async for e in s]
        final = await s.get_final_completion()
    assert any(e.type == "refusal.delta" for e in events)
    assert not any(e.type == "content.delta" for e in events)
    assert final.choices[0].message.refusal and final.choices[0].message.parsed is None
