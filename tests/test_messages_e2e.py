"""Inbound Anthropic Messages (/v1/messages) with the official anthropic SDK, through the
shipped proxy.toml: create, stream, tools, count_tokens, errors in Anthropic's shape."""
from __future__ import annotations

from pathlib import Path

from tests.test_wire_harness import Stack


async def test_messages_create_through_the_shipped_chain(tmp_path: Path) -> None:
    st = await Stack.start(tmp_path)
    try:
        msg = await st.anthropic.messages.create(
            model="gpt-4o-mini", max_tokens=100, messages=[{"role": "user", "content": "Tell me about rivers"}])
        assert msg.type == "message" and msg.role == "assistant"
        assert msg.content[0].type == "text" and "rivers" in msg.content[0].text
        assert msg.stop_reason == "end_turn" and msg.usage.output_tokens > 0
    finally:
        await st.aclose()
