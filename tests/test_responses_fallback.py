"""/v1/responses through the fallback cascade of the shipped proxy.toml: a failing OpenAI
Responses upstream is replaced by the chat-only providers (through translation), then by
Bulwark's own tiers, and the client always gets a Responses-shaped answer."""
from __future__ import annotations

from pathlib import Path

from tests.test_wire_harness import Stack, sim_paths


async def test_primary_503_is_served_by_the_next_provider_plain(tmp_path: Path) -> None:
    st = await Stack.start(tmp_path)
    try:
        st.a.set_fault("503")
        raw = await st.openai.responses.with_raw_response.create(model="gpt-4", input="Tell me about rivers")
        resp = raw.parse()
        assert resp.status == "completed" and resp.output_text
        assert resp.model.startswith("b-claude"), resp.model  # the cascade's next step answered
        assert raw.headers["x-bulwark-provider"] == "claude"
        assert sim_paths(st.a, "/responses"), "the primary was asked first, natively"
        assert sim_paths(st.b, "/messages"), "the next step got a translated request"
    finally:
        await st.aclose()


async def test_stream_cut_mid_answer_is_continued_by_the_next_provider(tmp_path: Path) -> None:
    """The native Responses stream breaks after two words; Claude (through the chat codecs)
    finishes it in the same response: one id, one output item, one numbering."""
    import json

    st = await Stack.start(tmp_path, a_fields={"stream_delay_ms": 5}, server={"debug_headers": True})
    try:
        st.a.set_fault("cut=6")  # created, in_progress, item, part, 2 text deltas, then the connection drops
        async with st.openai.responses.with_streaming_response.create(model="gpt-4", input="Tell me about rivers", stream=True) as raw:
            lines = [ln async for ln in raw.iter_lines()]
        events = [json.loads(ln[5:]) for ln in lines if ln.startswith("data:")]
        assert [e["sequence_number"] for e in events] == list(range(len(events)))
        assert {e["response"]["id"] for e in events if "response" in e} == {events[0]["response"]["id"]}
        deltas = [e for e in events if e["type"] == "response.output_text.delta"]
        assert len({d["item_id"] for d in deltas}) == 1, "the continuation writes into the same output item"
        done = events[-1]
        assert done["type"] == "response.completed"
        text = done["response"]["output"][0]["content"][0]["text"]
        assert text == "".join(d["delta"] for d in deltas) and text.startswith("Simulated reply")
        assert len(deltas) > 2 and sim_paths(st.b, "/messages"), "Claude continued the answer"
    finally:
        await st.aclose()


async def test_bulwarks_own_tiers_answer_in_responses_shape(tmp_path: Path) -> None:
    st = await Stack.start(tmp_path)
    try:
        st.a.set_fault("503")  # the "*" cascade: sim, then the rules tier
        raw = await st.openai.responses.with_raw_response.create(model="gpt-4o-mini", input="What are your opening hours?")
        r = raw.parse()
        assert raw.headers["x-bulwark-provider"] == "rules" and r.output_text == "We are open 9:00-17:00 CET."
        async with st.openai.responses.stream(model="gpt-4o-mini", input="What are your opening hours?") as s:
            final = await s.get_final_response()
        assert final.output_text == "We are open 9:00-17:00 CET." and final.model == "bulwark-rules"
    finally:
        await st.aclose()
