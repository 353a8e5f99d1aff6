"""Every plugin of the shipped chain on the Responses and Messages APIs, plain and streamed, with
the official SDKs as clients (tests/test_wire_harness.py): a rate limit answered 429 whose
retry the SDK honours, a budget stop, a cache hit, a pruned long conversation (the upstream gets
fewer items), a fabricated number regenerated to the grounded one, and a failing primary served by
the next provider of the cascade."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.test_wire_harness import Stack, sim_paths

APIS = ["responses", "messages"]
pytestmark = [pytest.mark.parametrize("api", APIS), pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])]

BANK = [
    {"system": "You are a banking assistant. Use only the tool data."},
    {"user": "What is my balance?"},
    {"call": ("call_1", "get_account", "{\"account_id\": \"ACC-55012345\"}")},
    {"result": ("call_1", "{\"account_id\": \"ACC-55012345\", \"balance\": 47.15, \"currency\": \"USD\"}")},
]
WRONG = "Your balance on ACC-55012345 is $127,549."
RIGHT = "Your balance on ACC-55012345 is $47.15."


async def test_rate_limit_429_is_retried_by_the_sdk_after_retry_after(tmp_path: Path, api: str, stream: bool) -> None:
    st = await Stack.start(tmp_path, plugins={"ratelimit": {"window_seconds": 2, "key": {"rpm": 1, "tpm": 0, "max_concurrent": 0}}})
    try:
        c = st.client(api, max_retries=2)
        await c.ask("gpt-4o-mini", [{"user": "first question"}], stream)
        started = time.monotonic()
        ans = await c.ask("gpt-4o-mini", [{"user": "second question"}], stream)
        waited = time.monotonic() - started
        assert "second question" in ans.text
        assert c.transport.sent == 3, "one 429, then the SDK's retry got through"
        assert waited >= 0.5, "the SDK waited for retry-after before retrying"
        # Without retries the client sees the 429 itself, in its API's error shape.
        bare = st.client(api, max_retries=0)
        with pytest.raises(bare.rate_limit_error) as e:
            await bare.ask("gpt-4o-mini", [{"user": "third question"}], stream)
        assert e.value.status_code == 429 and e.value.response.headers.get("retry-after")
        if api == "messages":
            assert e.value.body["type"] == "error" and e.value.body["error"]["type"] == "rate_limit_error"
        else:
            assert e.value.code == "rate_limit_exceeded"
    finally:
        await st.aclose()


async def test_budget_stop(tmp_path: Path, api: str, stream: bool) -> None:
    # Each request reserves its prompt plus 400 output tokens of gpt-4o ($0.004) and spends far less:
    # a $0.005 day lets a few through, then the remaining budget cannot cover the reservation.
    st = await Stack.start(tmp_path, plugins={"budgets": {"key": {"day": 0.005, "month": 1.0}}})
    try:
        c = st.client(api, max_retries=2)
        limit = {"max_output_tokens": 400} if api == "responses" else {"max_tokens": 400}
        refused = None
        for i in range(12):
            try:
                await c.ask("gpt-4o", [{"user": f"question number {i} about rivers"}], stream, **limit)
            except c.rate_limit_error as exc:
                refused = (i, exc)
                break
        assert refused is not None, "the day budget never stopped the key"
        i, exc = refused
        assert i >= 1, "at least one request was paid for before the stop"
        assert exc.status_code == 429 and "budget" in str(exc)
        assert exc.response.headers.get("x-should-retry") == "false"
        assert c.transport.sent == i + 1, "the SDK did not retry a budget stop"
        assert len(sim_paths(st.a, c.upstream_path)) == i
    finally:
        await st.aclose()


async def test_cache_hit(tmp_path: Path, api: str, stream: bool) -> None:
    st = await Stack.start(tmp_path)
    try:
        c = st.client(api)
        turns = [{"user": "Name some rivers in Europe."}]
        first = await c.ask("gpt-4o-mini", turns, stream, temperature=0)
        second = await c.ask("gpt-4o-mini", turns, stream, temperature=0)
        assert first.headers["x-bulwark-cache"] == "miss" and second.headers["x-bulwark-cache"] == "hit"
        assert second.text == first.text and second.output_tokens == first.output_tokens
        assert len(sim_paths(st.a, c.upstream_path)) == 1
    finally:
        await st.aclose()


async def test_long_conversation_is_pruned_before_the_upstream(tmp_path: Path, api: str, stream: bool) -> None:
    st = await Stack.start(tmp_path, server={"debug_headers": True})
    try:
        c = st.client(api)
        filler = " ".join(f"detail {k} about the harbour schedule and cargo manifests" for k in range(40))
        turns: list[dict[str, Any]] = []
        for k in range(14):
            turns += [{"user": f"Turn {k}: {filler}"}, {"assistant": f"Noted turn {k}. {filler}"}]
        turns.append({"user": "Summarise the last turn in one line."})
        ans = await c.ask("gpt-4o-mini", turns, stream)
        assert "Summarise the last turn" in ans.text
        sent = sim_paths(st.a, c.upstream_path)[0]  # (a validation regeneration may follow it)
        full = sum(len(str(v)) for t in turns for v in t.values())
        text = sum(len(m.get("content") if isinstance(m.get("content"), str) else json.dumps(m.get("content")))
                   for m in sent["json"].get("input") or sent["json"].get("messages"))
        # prune drops whole turns or cuts long ones down: the upstream gets fewer items or less of them
        assert c.sent_turns(sent) < len(turns) or text < 0.7 * full, (c.sent_turns(sent), text, full)
        pruned = json.loads(ans.headers["x-bulwark-decisions"])["prune"]
        assert pruned["after"] <= pruned["budget"] < pruned["before"]
        assert ans.input_tokens < 6000  # the shipped max_input_tokens
    finally:
        await st.aclose()


async def test_fabricated_number_is_regenerated_to_the_grounded_one(tmp_path: Path, api: str, stream: bool) -> None:
    st = await Stack.start(tmp_path)
    try:
        st.a.script("balance", [{"content": WRONG}, {"content": RIGHT}])
        c = st.client(api, key="sk-trusted")
        ans = await c.ask("gpt-4o", BANK, stream)
        assert "127,549" not in ans.text and "$47.15" in ans.text
        asked = sim_paths(st.a, st.client(api).upstream_path)
        assert len(asked) == 2, "one regeneration"
        assert "127,549" in str(asked[-1]["json"]), "the regeneration names the unverified claim"
    finally:
        await st.aclose()


async def test_primary_503_is_served_by_the_next_provider(tmp_path: Path, api: str, stream: bool) -> None:
    st = await Stack.start(tmp_path)
    try:
        st.a.set_fault("503")
        c = st.client(api)
        ans = await c.ask("gpt-4", [{"user": "Tell me about rivers"}], stream)
        assert "rivers" in ans.text and ans.model.startswith("b-claude")
        assert ans.headers["x-bulwark-provider"] == "claude"
        assert sim_paths(st.a, c.upstream_path), "the primary was tried first"
        assert sim_paths(st.b, "/messages"), "then Claude"
    finally:
        await st.aclose()
