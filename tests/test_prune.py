"""Importance-scored pruning: invariants of the core, and the plugin end to end (SDK -> proxy -> simulator)."""
from __future__ import annotations

import asyncio
import json
import random

import aiohttp
import openai
import orjson
import pytest

from plugins.prune import Prune, PruneConfig
from plugins.prune import scoring as pruning
from proxy import tokens
from tests.helpers import base_config, deep_merge, openai_client, start_proxy, start_simulator

FILLER = ("We reviewed the rollout plan and the notes from the retro; most items are routine and nobody "
          "raised concerns about the staffing or the schedule for the coming sprint. ")


def convo(seed: int, turns: int = 30, tool_every: int = 4, parallel: int = 2) -> list[dict]:
    """System + developer prompt, chatty turns, tool-call units (parallel calls), a final question."""
    r = random.Random(seed)
    msgs: list[dict] = [{"role": "system", "content": "You are a terse assistant."},
                        {"role": "developer", "content": "Answer in English."}]
    call = 0
    for t in range(turns):
        msgs.append({"role": "user", "content": f"Turn {t}: " + FILLER * r.randint(1, 4)})
        if t % tool_every == 1:
            calls = []
            for _ in range(r.randint(1, parallel)):
                call += 1
                calls.append({"id": f"call_{seed}_{call}", "type": "function",
                              "function": {"name": "lookup", "arguments": json.dumps({"q": f"item {call}"})}})
            msgs.append({"role": "assistant", "content": None, "tool_calls": calls})
            for c in calls:
                msgs.append({"role": "tool", "tool_call_id": c["id"], "content": json.dumps({"result": FILLER * r.randint(1, 3)})})
        msgs.append({"role": "assistant", "content": FILLER * r.randint(1, 5)})
    msgs.append({"role": "user", "content": "So what is the status of the rollout plan?"})
    return msgs


def check_tool_pairs(msgs: list[dict]) -> None:
    """Every tool call answered right after its message; every tool result has its call."""
    i = 0
    while i < len(msgs):
        m = msgs[i]
        if m["role"] == "tool":
            raise AssertionError(f"orphaned tool message at {i}: {m['tool_call_id']}")
        if m["role"] == "assistant" and m.get("tool_calls"):
            ids = {c["id"] for c in m["tool_calls"]}
            j = i + 1
            while j < len(msgs) and msgs[j]["role"] == "tool":
                assert msgs[j]["tool_call_id"] in ids, "tool result for another call"
                ids.discard(msgs[j]["tool_call_id"])
                j += 1
            assert not ids, f"unanswered tool calls {ids}"
            i = j
            continue
        i += 1


MARKER = "[omitted {count} messages, {tokens} tokens]"


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("fraction", [0.8, 0.5, 0.25])
def test_never_splits_tool_pairs_keeps_pins_and_fits(seed, fraction):
    msgs = convo(seed)
    tools = [{"type": "function", "function": {"name": "lookup", "description": "Look up", "parameters": {"type": "object", "properties": {
        "q": {"type": "string", "description": "query"}}}}}]
    before = tokens.count_messages(msgs, "gpt-4o", tools)
    budget = int(before * fraction)
    s = pruning.Settings(keep_last_turns=2)
    p = pruning.plan(msgs, "gpt-4o", budget, tools=tools, settings=s, marker_text=MARKER)
    assert p.fits and p.changed
    out = pruning.apply(msgs, p, MARKER)
    check_tool_pairs([m for m in out if not m["content"] or not str(m["content"]).startswith("[omitted")])
    check_tool_pairs(out)
    assert tokens.count_messages(out, "gpt-4o", tools) == p.tokens_after <= budget
    # pinned: system, developer, the question; the last two turns' user and assistant messages
    # go only once everything older is gone
    assert out[0] is msgs[0] and out[1] is msgs[1] and out[-1] is msgs[-1]
    last_users = [i for i, m in enumerate(msgs) if m["role"] == "user"][-2:]
    recent = [m for m in msgs[last_users[0]:-1] if m["role"] in ("user", "assistant") and not m.get("tool_calls")]
    older = [u for u in p.units if not u.pinned and not u.recent]
    if any(not any(x is m for x in out) for m in recent):
        assert all(u.kept_tokens < u.tokens for u in older)
    # kept messages stay in their original order (excerpts stand where their message was)
    kept = [m for m in out if not (m["role"] == "system" and str(m["content"]).startswith("[omitted"))]
    idx = [next(i for i, x in enumerate(msgs) if x is m or p.excerpts.get(i) is m) for m in kept]
    assert idx == sorted(idx)
    # one marker per run of removed units, accounting for every dropped message
    markers = [m for m in out if str(m.get("content")).startswith("[omitted")]
    assert len(markers) == len(p.gaps) and sum(int(m["content"].split()[1]) for m in markers) == p.dropped_messages == len(msgs) - len(kept)


def test_deterministic_across_fresh_copies():
    msgs = convo(3, turns=40)
    budget = tokens.count_messages(msgs, "gpt-4o") // 3
    outs = []
    for _ in range(3):
        fresh = orjson.loads(orjson.dumps(msgs))
        p = pruning.plan(fresh, "gpt-4o", budget, marker_text=MARKER)
        outs.append(orjson.dumps(pruning.apply(fresh, p, MARKER)))
    assert outs[0] == outs[1] == outs[2]


def test_relevant_and_referenced_units_outrank_chatter():
    msgs = convo(5, turns=40, tool_every=100)
    needle = {"role": "user", "content": "Note: the Falcon staging database listens on port 54321 since the firewall change."}
    msgs.insert(4, needle)
    msgs.insert(5, {"role": "assistant", "content": "Noted."})
    msgs[-1] = {"role": "user", "content": "Which port is the Falcon staging database on again?"}
    before = tokens.count_messages(msgs, "gpt-4o")
    p = pruning.plan(msgs, "gpt-4o", before // 4)
    out = pruning.apply(msgs, p)
    assert any(m is needle for m in out)
    # drop-oldest at the same budget would have lost it
    assert len(out) < len(msgs) // 2


def test_fits_means_unchanged_and_pinned_overflow_is_reported():
    msgs = convo(1, turns=5)
    before = tokens.count_messages(msgs, "gpt-4o")
    p = pruning.plan(msgs, "gpt-4o", before)
    assert not p.changed and p.fits and p.tokens_after == before
    # Only the system and developer prompts and the question are pinned: 400 only when they do not fit.
    pinned = tokens.count_messages([msgs[0], msgs[1], msgs[-1]], "gpt-4o")
    p = pruning.plan(msgs, "gpt-4o", pinned)
    assert p.fits and pruning.apply(msgs, p) == [msgs[0], msgs[1], msgs[-1]]
    p = pruning.plan(msgs, "gpt-4o", pinned - 1)
    assert not p.fits and p.pinned_tokens == pinned


def test_orphan_tool_results_stay_with_their_neighbour():
    msgs = [{"role": "system", "content": "s"}, {"role": "user", "content": FILLER * 3},
            {"role": "tool", "tool_call_id": "nope", "content": "orphan " + FILLER},
            {"role": "assistant", "content": FILLER * 3}, {"role": "user", "content": "q"}]
    units = pruning.build_units(msgs)
    assert [u.messages for u in units] == [[0], [1, 2], [3], [4]]


def test_budget_from_request_fields():
    plug = Prune(PruneConfig(max_input_tokens=100_000, output_reserve_default=1000), None)
    assert plug.budget_for({}, "gpt-4o") == (100_000, 128_000, 1000)
    assert plug.budget_for({"max_tokens": 30_000}, "gpt-4o")[0] == 98_000
    assert plug.budget_for({"max_completion_tokens": 500, "max_tokens": 30_000}, "gpt-4") == (8_192 - 500, 8_192, 500)
    plug = Prune(PruneConfig(context_windows={"my-llama": 4096}), None)
    assert plug.budget_for({}, "my-llama-8b")[0] == 0


def test_bad_marker_text_is_a_config_error():
    with pytest.raises(ValueError, match="marker_text"):
        Prune(PruneConfig(marker_text="{oops}"), None)


# -- end to end ----------------------------------------------------------------------------

def prune_cfg(sim_url: str, **prune: object) -> dict:
    return deep_merge(base_config(sim_url, plugins=["prune"]), {"plugins": {"prune": {"max_input_tokens": 600, **prune}}})


async def test_e2e_pruned_request_reaches_upstream_with_header_and_metrics(sim):
    proxy = await start_proxy(prune_cfg(sim.url, keep_last_turns=1))
    seen: list[tuple] = []
    proxy.services.metrics.inc = lambda name, amount=1.0, **labels: seen.append((name, amount, labels))
    try:
        client = openai_client(proxy.url)
        msgs = convo(2, turns=12)
        raw = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=msgs)
        removed = int(raw.headers["x-bulwark-pruned-tokens"])
        assert raw.parse().choices[0].message.content
        sent = sim.requests[-1]["json"]["messages"]
        assert len(sent) < len(msgs)
        assert sent[0] == msgs[0] and sent[1] == msgs[1] and sent[-1] == msgs[-1]
        check_tool_pairs(sent)
        before = tokens.count_messages(msgs, "gpt-4o-mini")
        assert tokens.count_messages(sent, "gpt-4o-mini") == before - removed <= 600
        assert any(m["role"] == "system" and "omitted by Bulwark" in (m["content"] or "") for m in sent)
        names = {n: (a, lab) for n, a, lab in seen}
        assert names["bulwark_pruned_tokens_total"][0] == removed
        assert names["bulwark_pruned_requests_total"][1] == {"mode": "enforce"}
        assert names["bulwark_saved_usd_total"][1] == {"reason": "pruning"} and names["bulwark_saved_usd_total"][0] > 0
        # streamed answers carry the header too
        async with client.chat.completions.with_streaming_response.create(model="gpt-4o-mini", messages=msgs, stream=True) as resp:
            assert int(resp.headers["x-bulwark-pruned-tokens"]) == removed
            async for _ in resp.iter_lines():
                pass
    finally:
        await proxy.aclose()


async def test_e2e_unpruned_and_shadow_requests_stay_byte_identical(sim):
    msgs = convo(4, turns=12)
    raw = b'{"model":  "gpt-4o-mini",\n "messages": ' + orjson.dumps(msgs) + b' , "temperature": 0.5}'
    for cfg, expect in ((prune_cfg(sim.url, max_input_tokens=100_000), None), (prune_cfg(sim.url, mode="shadow"), "shadow")):
        proxy = await start_proxy(cfg)
        try:
            async with aiohttp.ClientSession() as s:
                async with s.post(f"{proxy.url}/chat/completions", data=raw, headers={
                        "Authorization": "Bearer sk-test", "Content-Type": "application/json"}) as r:
                    assert r.status == 200, await r.text()
                    assert "x-bulwark-pruned-tokens" not in r.headers
                    if expect == "shadow":
                        assert int(r.headers["x-bulwark-prune-shadow-tokens"]) > 0
            assert sim.requests[-1]["body"] == raw
        finally:
            await proxy.aclose()


async def test_e2e_pinned_set_too_large_is_context_length_exceeded(sim):
    proxy = await start_proxy(prune_cfg(sim.url, max_input_tokens=200))
    try:
        client = openai_client(proxy.url)
        n = len(sim.requests)
        with pytest.raises(openai.BadRequestError) as ei:
            await client.chat.completions.create(model="gpt-4o-mini", messages=[
                {"role": "system", "content": FILLER * 10}, {"role": "user", "content": "hi"}])
        e = ei.value
        assert e.status_code == 400 and e.code == "context_length_exceeded" and e.param == "messages"
        assert e.type == "invalid_request_error" and "maximum context length" in e.message
        assert len(sim.requests) == n  # never sent upstream
    finally:
        await proxy.aclose()


async def test_e2e_summary_mode_fills_in_on_a_later_turn():
    sim = await start_simulator()
    sim.script("### 1", [{"content": json.dumps([f"summary line {i}" for i in range(40)])}])
    proxy = await start_proxy(prune_cfg(sim.url, summary={"enabled": True, "model": "gpt-4o-mini"}, max_input_tokens=900))
    try:
        client = openai_client(proxy.url)
        msgs = convo(6, turns=10, tool_every=100)
        raw = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=msgs)
        assert "x-bulwark-pruned-tokens" in raw.headers
        first = sim.requests[-1]["json"]["messages"]
        assert not any("summary line" in (m.get("content") or "") for m in first)
        for _ in range(100):  # the summary is computed in the background
            if not len(proxy.services.tasks):
                break
            await asyncio.sleep(0.02)
        assert any(r["json"] and "### 1" in str(r["json"].get("messages")) for r in sim.requests)
        await client.chat.completions.create(model="gpt-4o-mini", messages=msgs)
        # (the second request may itself start a summary of units it now drops: skip those calls)
        second = [r for r in sim.requests if r["json"] and "### 1" not in str(r["json"].get("messages"))][-1]["json"]["messages"]
        summary = [m for m in second if "summary line" in (m.get("content") or "")]
        assert summary and summary[0]["content"].startswith("[Summary of")
        assert tokens.count_messages(second, "gpt-4o-mini") <= 900
    finally:
        await proxy.aclose()
        await sim.aclose()


def test_single_marker_mode_and_markers_that_do_not_fit():
    msgs = convo(7, turns=30)
    before = tokens.count_messages(msgs, "gpt-4o")
    p = pruning.plan(msgs, "gpt-4o", before // 3, marker_text=MARKER, marker_mode="single")
    out = pruning.apply(msgs, p, MARKER)
    markers = [m for m in out if str(m.get("content")).startswith("[omitted")]
    assert len(markers) == 1 and int(markers[0]["content"].split()[1]) == p.dropped_messages
    assert tokens.count_messages(out, "gpt-4o") == p.tokens_after <= before // 3
    # a budget the pinned set meets exactly: no room for a marker, so none is added
    pinned = pruning.plan(msgs, "gpt-4o", 1).pinned_tokens
    p = pruning.plan(msgs, "gpt-4o", pinned, marker_text=MARKER)
    out = pruning.apply(msgs, p, MARKER)
    assert p.fits and not p.markers and tokens.count_messages(out, "gpt-4o") <= pinned
    assert not any(str(m.get("content")).startswith("[omitted") for m in out)


def test_saved_dollars_use_the_pricing_table():
    from proxy.pricing import default_pricing

    plug = Prune(PruneConfig(), None)
    price, known = default_pricing().lookup("gpt-4o")
    assert known and plug.saved_usd("gpt-4o", 1_000_000) == pytest.approx(price.input)


def _random_history(r: random.Random) -> list[dict]:
    """Arbitrary valid histories: developer/system anywhere, parallel tool calls, legacy function calls."""
    msgs: list[dict] = [{"role": "system", "content": "sys " + FILLER}]
    call = 0
    for _ in range(r.randint(3, 25)):
        kind = r.random()
        if kind < 0.1:
            msgs.append({"role": "developer", "content": "dev note " + FILLER})
        msgs.append({"role": "user", "content": f"{r.randint(0, 999)} " + FILLER * r.randint(0, 3)})
        if kind < 0.5:
            calls = []
            for _ in range(r.randint(1, 3)):
                call += 1
                calls.append({"id": f"c{call}", "type": "function", "function": {"name": "f", "arguments": "{}"}})
            msgs.append({"role": "assistant", "content": r.choice([None, "checking"]), "tool_calls": calls})
            for c in r.sample(calls, len(calls)):  # results in any order
                msgs.append({"role": "tool", "tool_call_id": c["id"], "content": FILLER * r.randint(0, 3)})
        elif kind < 0.6:
            msgs.append({"role": "assistant", "content": None, "function_call": {"name": "g", "arguments": "{}"}})
            msgs.append({"role": "function", "name": "g", "content": FILLER})
        msgs.append({"role": "assistant", "content": FILLER * r.randint(0, 4)})
    return msgs


@pytest.mark.parametrize("seed", range(40))
def test_random_histories_keep_pairs_pins_and_budget(seed):
    r = random.Random(seed)
    msgs = _random_history(r)
    before = tokens.count_messages(msgs, "gpt-4")
    budget = int(before * r.uniform(0.05, 0.95))
    k = r.randint(0, 3)
    p = pruning.plan(msgs, "gpt-4", budget, settings=pruning.Settings(keep_last_turns=k), marker_text=MARKER, marker_mode=r.choice(["gap", "single"]))
    if not p.fits:
        assert p.pinned_tokens > budget
        return
    out = pruning.apply(msgs, p, MARKER)
    body = [m for m in out if not str(m.get("content")).startswith("[omitted")]
    check_tool_pairs(body)
    for i, m in enumerate(body):  # legacy function results follow their call
        if m["role"] == "function":
            assert body[i - 1].get("function_call")
    assert tokens.count_messages(out, "gpt-4") == p.tokens_after <= budget
    ids = {id(m) for m in body}
    assert all(id(m) in ids for m in msgs if m["role"] in ("system", "developer"))
    users = [i for i, m in enumerate(msgs) if m["role"] == "user"]
    assert id(msgs[users[-1]]) in ids  # the question
    # the last k turns' user and assistant messages go only once every older unit lost what it
    # could; an older unit still there only filled slack a recent one could not use
    lost = [u.tokens - u.kept_tokens for u in p.units if u.recent and u.kept_tokens < u.tokens]
    if lost:
        older = [u for u in p.units if not u.pinned and not u.recent and not u.keep and u.kept_tokens]
        assert all(u.kept_tokens < min(lost) for u in older)


async def test_e2e_shadow_with_the_sdk_forwards_the_sdk_bytes(sim):
    import httpx2 as httpx  # the HTTP client this openai SDK is built on

    sent: list[bytes] = []

    async def capture(request: httpx.Request) -> None:
        sent.append(request.read())

    proxy = await start_proxy(prune_cfg(sim.url, mode="shadow"))
    try:
        client = openai_client(proxy.url, http_client=httpx.AsyncClient(event_hooks={"request": [capture]}))
        msgs = convo(8, turns=12)
        raw = await client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=msgs)
        assert int(raw.headers["x-bulwark-prune-shadow-tokens"]) > 0 and "x-bulwark-pruned-tokens" not in raw.headers
        assert sim.requests[-1]["body"] == sent[-1]
        assert sim.requests[-1]["json"]["messages"] == msgs
        await client.close()
    finally:
        await proxy.aclose()


def test_odd_messages_never_crash_the_planner():
    msgs = [{"role": "system", "content": "s"}, "not a message", {"role": "user", "content": [
        {"type": "text", "text": FILLER * 4}, {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]},
        {"role": "assistant"}, {"content": FILLER * 3}, {"role": "user", "content": "final?"}]
    before = tokens.count_messages([m for m in msgs if isinstance(m, dict)], "gpt-4o")
    p = pruning.plan(msgs, "gpt-4o", before // 2, settings=pruning.Settings(keep_last_turns=1), marker_text=MARKER)
    out = pruning.apply(msgs, p, MARKER)
    assert p.fits and p.changed and out[0] is msgs[0] and out[-1] is msgs[-1]
    assert tokens.count_message(msgs[2], "gpt-4o") >= tokens.IMAGE_TOKENS
