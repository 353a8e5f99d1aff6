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
