"""Pruning through the shipped proxy.toml (budget 6000 input tokens), one test per finding:
an agent loop is shortened inside the current turn and answered instead of refused, the
answer that holds a decision survives a topic change, a pasted document keeps the clause the
question is about, and 400 comes only when the system prompt and the question alone do not fit."""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import openai
import pytest

from proxy import tokens
from tests.helpers import openai_client, start_proxy
from tests.shipped import shipped_config
from tests.test_prune import check_tool_pairs

MODEL = "gpt-4o-mini"
BUDGET = 6000  # [plugins.prune] max_input_tokens in the shipped proxy.toml
TOOLS = [{"type": "function", "function": {"name": n, "description": "Inspect the service.", "parameters": {
    "type": "object", "properties": {"arg": {"type": "string", "description": "what"}}, "required": ["arg"]}}}
    for n in ("read_file", "search_logs")]
HEAVY = [{"name": "test", "key": "sk-test", "tier": "standard", "limits": {"tpm": 1_000_000, "rpm": 1000}}]


@pytest.fixture
async def proxy(sim: Any, tmp_path: Path) -> Any:
    p = await start_proxy(shipped_config(sim, tmp_path, keys=HEAVY))
    yield p
    await p.aclose()


def log_lines(r: random.Random, n: int) -> str:
    return "\n".join(f"2025-03-{r.randint(1, 28):02d}T10:{r.randint(0, 59):02d}:00Z INFO checkout[{r.randint(100, 999)}] "
                     f"request served id={r.randint(10000, 99999)} took={r.randint(1, 900)}ms" for _ in range(n))


def agent_loop(interrupted: bool) -> list[dict[str, Any]]:
    """One request, 12 tool calls with ~700-token results (~9k tokens): the production config
    (the needed value) first, then logs."""
    r = random.Random(4)
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are an engineering agent for the checkout service."},
                                  {"role": "user", "content": "Checkout times out under load. Investigate and tell me what to change."}]
    for k in range(12):
        cid = f"call_{k}"
        name, arg = ("read_file", "config/checkout.production.toml") if k == 0 else ("search_logs", f"checkout timeout {k}")
        out = ("# checkout configuration (production)\n[checkout]\nretry_limit = 7\npool_size = 40\n" + log_lines(r, 22)) if k == 0 else log_lines(r, 25)
        msgs.append({"role": "assistant", "content": None, "tool_calls": [{"id": cid, "type": "function",
                                                                          "function": {"name": name, "arguments": json.dumps({"arg": arg})}}]})
        msgs.append({"role": "tool", "tool_call_id": cid, "content": out})
    if interrupted:
        msgs.append({"role": "user", "content": "Wait: what retry limit does the production config set?"})
    return msgs


@pytest.mark.parametrize("interrupted", [False, True], ids=["loop-in-progress", "question-after-the-loop"])
async def test_an_agent_loop_is_shortened_and_answered_not_refused(proxy: Any, sim: Any, interrupted: bool) -> None:
    msgs = agent_loop(interrupted)
    before = tokens.count_messages(msgs, MODEL, TOOLS)
    assert 8500 < before < 9500
    raw = await openai_client(proxy.url).chat.completions.with_raw_response.create(model=MODEL, messages=msgs, tools=TOOLS)
    assert raw.status_code == 200 and raw.parse().choices[0].message is not None  # the simulator answered
    sent = sim.requests[-1]["json"]["messages"]
    assert tokens.count_messages(sent, MODEL, TOOLS) <= BUDGET < before
    assert int(raw.headers["x-bulwark-pruned-tokens"]) == before - tokens.count_messages(sent, MODEL, TOOLS)
    check_tool_pairs(sent)  # every call still answered, no orphan result
    calls = [m for m in sent if m.get("tool_calls")]
    assert len(calls) >= 8  # the loop is shortened inside the turn, not cut off
    assert sent[0] == msgs[0] and sent[1] == msgs[1]  # the system prompt and the request
    if interrupted:
        assert sent[-1] == msgs[-1]
        kept = "\n".join(m.get("content") or "" for m in sent)
        assert "retry_limit = 7" in kept  # the result the question is about
    else:
        assert sent[-1] == msgs[-1]  # the latest result, whole
    assert any("Bulwark kept the parts of this message" in (m.get("content") or "") for m in sent if m["role"] == "tool")


async def test_the_answer_holding_a_decision_survives_a_topic_change(proxy: Any, sim: Any) -> None:
    r = random.Random(9)
    filler = ["We reviewed the rollout plan and the retro notes; nothing new for the sprint.",
              "The team agreed the dashboards need a cleanup before the quarterly review."]
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are a helpful assistant."},
                                  {"role": "user", "content": "Compare Northwind, Bluepeak and Helix for the analytics contract."},
                                  {"role": "assistant", "content": "Northwind is cheap but slow. Bluepeak has the best support. "
                                                                   "Helix is strongest on data. My recommendation: Bluepeak Cloud."},
                                  {"role": "user", "content": "Agreed, let's do that."},
                                  {"role": "assistant", "content": "Noted."}]
    for t in range(120):  # unrelated topics for most of the conversation
        msgs.append({"role": "user", "content": f"Topic {t}: how should we plan the offsite agenda and the hiring loop? " + r.choice(filler)})
        msgs.append({"role": "assistant", "content": " ".join(r.choice(filler) for _ in range(6))})
    msgs.append({"role": "user", "content": "Remind me, who did we pick back then?"})
    assert tokens.count_messages(msgs, MODEL) > 2 * BUDGET
    await openai_client(proxy.url).chat.completions.create(model=MODEL, messages=msgs)
    sent = sim.requests[-1]["json"]["messages"]
    assert any("My recommendation: Bluepeak Cloud" in (m.get("content") or "") for m in sent)


async def test_a_pasted_document_keeps_the_clause_the_question_is_about(proxy: Any, sim: Any) -> None:
    r = random.Random(2)
    clauses = [f"{i}. The parties shall cooperate in good faith on matter {i} and keep records for review." for i in range(1, 700)]
    clauses[412] = "413. Either party may terminate this Agreement for convenience by giving ninety (90) days' written notice."
    msgs = [{"role": "system", "content": "You are a contracts assistant."},
            {"role": "user", "content": "Here is the master services agreement:\n" + "\n".join(clauses)},
            {"role": "assistant", "content": "I have read it; it covers cooperation, records, notice and termination."},
            {"role": "user", "content": "What notice period applies if we terminate the agreement for convenience?"}]
    assert tokens.count_messages(msgs, MODEL) > 2 * BUDGET
    r.shuffle(clauses)  # (the document itself stays in order; the shuffle only burns the seed)
    await openai_client(proxy.url).chat.completions.create(model=MODEL, messages=msgs)
    sent = sim.requests[-1]["json"]["messages"]
    assert tokens.count_messages(sent, MODEL) <= BUDGET
    assert any("ninety (90) days' written notice" in (m.get("content") or "") for m in sent)


async def test_400_only_when_the_system_prompt_and_the_question_do_not_fit(proxy: Any, sim: Any) -> None:
    client = openai_client(proxy.url)
    big = " ".join(["policy"] * 7000)
    # A huge *older* message is shortened, not refused.
    await client.chat.completions.create(model=MODEL, messages=[
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": big},
        {"role": "assistant", "content": "Understood."}, {"role": "user", "content": "Summarise the policy in a line."}])
    n = len(sim.requests)
    with pytest.raises(openai.BadRequestError) as ei:  # a system prompt larger than the budget cannot be helped
        await client.chat.completions.create(model=MODEL, messages=[{"role": "system", "content": big},
                                                                    {"role": "user", "content": "hi"}])
    e = ei.value
    assert e.code == "context_length_exceeded" and e.param == "messages" and "system/developer messages and the latest user message" in e.message
    assert len(sim.requests) == n


async def test_a_huge_conversation_is_planned_off_the_event_loop(sim: Any, proxy: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Planning a very large conversation is heavy (an 8,000-row table took 3 s of CPU); it runs
    in a worker thread, so a small request sent while the big one is being planned is answered
    first. Ordered by what the simulator received, not timed: with the plan on the loop, nothing
    else runs until it is done, so the big request always reached the upstream first."""
    import asyncio
    import threading

    from plugins.prune import pruner as pruner_mod

    real_plan = pruner_mod.Pruner.plan
    planning = threading.Event()

    def marked_plan(self: Any, messages: Any, *a: Any, **kw: Any) -> Any:
        if len(messages) > 3:
            planning.set()
        return real_plan(self, messages, *a, **kw)

    monkeypatch.setattr(pruner_mod.Pruner, "plan", marked_plan)
    r = random.Random(5)
    table = "id,name,qty,price\n" + "\n".join(f"R{i},item{i},{r.randint(1, 500)},{r.uniform(1, 900):.2f}" for i in range(6000))
    big = [{"role": "system", "content": "Answer from the data."}, {"role": "user", "content": "Inventory:\n" + table},
           {"role": "assistant", "content": "Loaded."}, {"role": "user", "content": "How many units of item17?"}]
    client = openai_client(proxy.url, key="sk-test", timeout=120)
    big_call = asyncio.create_task(client.chat.completions.create(model=MODEL, messages=big))
    while not planning.is_set():
        await asyncio.sleep(0.001)
    small = await client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "ping while you prune"}])
    assert small.choices[0].message.content
    await big_call
    paths = [str(q.get("json", {}).get("messages", [{}])[-1].get("content", "")) for q in sim.requests if q.get("json")]
    assert paths.index("ping while you prune") < paths.index("How many units of item17?"), paths[-2:]
