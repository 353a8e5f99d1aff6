"""The rules and human tiers: matching, templates, well-formed answers, tickets, webhooks, the tickets CLI."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import openai
import openai.types.chat as oa
import pytest
from aiohttp import web

from proxy.config import parse_config
from proxy.errors import ConfigError
from proxy.providers.human import webhook_payload
from proxy.providers.rules import RulesProvider
from tests.helpers import base_config, openai_client, start_proxy

RULES = {
    "model_name": "bulwark-rules",
    "default_answer": "Degraded service for {model}; please retry.",
    "rules": [
        {"name": "order", "regex": r"(?i)\border\s+#?(?P<order>\d+)", "answer": "Order {order} is on its way ({missing})."},
        {"name": "hours", "keywords": ["opening hours", "open"], "answer": "We are open 9-17."},
        {"name": "vip", "keywords": ["refund"], "models": ["gpt-4*"], "answer": "A refund specialist will write."},
        {"name": "support-only", "keywords": ["password"], "routes": ["support"], "answer": "Use the reset link."},
    ],
}


def rules_provider(options: dict[str, Any] = RULES) -> RulesProvider:
    cfg = parse_config({"providers": {"r": {"type": "rules", "options": options}}})
    return RulesProvider("r", cfg.providers["r"], None)


def body(text: str) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "system", "content": "x"}, {"role": "user", "content": "old open question"},
                                       {"role": "assistant", "content": "a"}, {"role": "user", "content": text}]}


def test_rules_match_latest_user_message_in_order() -> None:
    p = rules_provider()
    assert p.answer_for(body("Where is order #1234?"), "m", None) == ("order", "Order 1234 is on its way ({missing}).")
    assert p.answer_for(body("What are your opening hours?"), "m", None) == ("hours", "We are open 9-17.")
    assert p.answer_for(body("reopened"), "m", None)[0] is None  # keywords match whole words only
    assert p.answer_for(body("I want a refund"), "gpt-4o", None)[0] == "vip"
    assert p.answer_for(body("I want a refund"), "claude", None)[0] is None  # model filter
    assert p.answer_for(body("forgot password"), "m", "support")[0] == "support-only"
    assert p.answer_for(body("forgot password"), "m", "sales")[0] is None  # route filter
    assert p.answer_for(body("anything else"), "gpt-x", None) == (None, "Degraded service for gpt-x; please retry.")


def test_rules_config_errors_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"providers\.r\.options\.rules\.0"):
        rules_provider({"rules": [{"answer": "no matcher"}]})
    with pytest.raises(ConfigError, match=r"providers\.r\.options\.rules\.0\.regex|does not compile"):
        rules_provider({"rules": [{"regex": "(", "answer": "x"}]})
    with pytest.raises(ConfigError, match=r"providers\.r\.options\.colour"):
        rules_provider({"colour": "red"})


def _cfg(tmp_path: Path, webhook: str | None = None, fmt: str = "slack", **state: Any) -> dict[str, Any]:
    cfg = base_config("http://127.0.0.1:9/v1", providers={
        "rules": {"type": "rules", "options": RULES},
        "norules": {"type": "rules", "options": {"default_answer": "", "rules": [{"keywords": ["hours"], "answer": "9-17"}]}},
        "human": {"type": "human", "options": {"message": "A person will reply (ticket {ticket_id}).", "webhook_format": fmt,
                                               **({"webhook_url": webhook, "webhook_timeout": 2} if webhook else {})}},
    }, models={"routes": {"faq": {"provider": "rules"}, "strict": {"provider": "norules"}, "escalate": {"provider": "human"}}},
        state={"backend": "memory", "data_dir": str(tmp_path), **state})
    return cfg


async def test_rules_answers_are_well_formed_plain_and_streamed(tmp_path: Path) -> None:
    proxy = await start_proxy(_cfg(tmp_path))
    try:
        client = openai_client(proxy.url)
        raw = await client.chat.completions.with_raw_response.create(model="faq", messages=[{"role": "user", "content": "opening hours?"}])
        c = raw.parse()
        assert c.model == "bulwark-rules" and c.choices[0].message.content == "We are open 9-17." and c.choices[0].finish_reason == "stop"
        assert c.usage is not None and c.usage.completion_tokens > 0 and c.id.startswith("chatcmpl-")
        assert raw.headers["x-bulwark-provider"] == "rules"
        chunks = [ch async for ch in await client.chat.completions.create(
            model="faq", messages=[{"role": "user", "content": "where is order 77"}], stream=True, stream_options={"include_usage": True})]
        assert chunks[0].choices[0].delta.role == "assistant"
        assert "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices) == "Order 77 is on its way ({missing})."
        assert [ch.choices[0].finish_reason for ch in chunks if ch.choices][-1] == "stop"
        assert chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0
        assert len({ch.id for ch in chunks}) == 1 and {ch.model for ch in chunks} == {"bulwark-rules"}
        plain = [ch async for ch in await client.chat.completions.create(model="faq", messages=[{"role": "user", "content": "hi"}], stream=True)]
        assert all(ch.usage is None for ch in plain) and plain[-1].choices[0].finish_reason == "stop"
        with pytest.raises(openai.InternalServerError) as ei:  # no default answer: 503, so a cascade moves on
            await client.chat.completions.create(model="strict", messages=[{"role": "user", "content": "hello"}])
        assert ei.value.status_code == 503 and ei.value.code == "no_rule_matched"
    finally:
        await proxy.aclose()


class Hook:
    def __init__(self, status: int = 200, delay: float = 0.0) -> None:
        self.status, self.delay = status, delay
        self.calls: list[dict[str, Any]] = []
        self.got = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append(await request.json())
        self.got.set()
        await asyncio.sleep(self.delay)
        return web.Response(status=self.status, text="ok")


async def _hook_server(hook: Hook) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/hook"


async def test_human_ticket_webhook_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hook = Hook()
    runner, url = await _hook_server(hook)
    proxy = await start_proxy(_cfg(tmp_path, url))
    try:
        client = openai_client(proxy.url)
        raw = await client.chat.completions.with_raw_response.create(model="escalate", messages=[{"role": "user", "content": "My invoice is wrong"}])
        c = raw.parse()
        ticket = raw.headers["x-bulwark-ticket"]
        assert c.model == "bulwark-human" and c.choices[0].message.content == f"A person will reply (ticket {ticket})."
        oa.ChatCompletion.model_validate(c.model_dump())
        await asyncio.wait_for(hook.got.wait(), 5)
        assert "My invoice is wrong" in hook.calls[0]["text"] and hook.calls[0]["ticket"]["id"] == ticket
        for _ in range(50):  # the webhook outcome is written in the background
            rec = await proxy.services.state.journal("tickets").get(ticket)
            if rec and "notified" in rec:
                break
            await asyncio.sleep(0.02)
        assert rec is not None and rec["notified"] is True and rec["status"] == "open" and rec["key_name"] == "test"
    finally:
        await proxy.aclose()
        await runner.cleanup()
    # The CLI reads the same JSONL journal through the config file.
    cfg_path = tmp_path / "proxy.toml"
    cfg_path.write_text(f'[providers.h]\ntype = "human"\n[state]\nbackend = "memory"\ndata_dir = "{tmp_path}"\n')
    from proxy.cli import main

    assert await asyncio.to_thread(main, ["tickets", "list", "--config", str(cfg_path)]) == 0
    assert ticket in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["tickets", "resolve", ticket, "--note", "refunded", "--config", str(cfg_path)]) == 0
    assert await asyncio.to_thread(main, ["tickets", "list", "--status", "resolved", "--json", "--config", str(cfg_path)]) == 0
    out = capsys.readouterr().out
    rows = json.loads(out[out.index("["):])
    assert rows[0]["id"] == ticket and rows[0]["status"] == "resolved" and rows[0]["note"] == "refunded"
    assert await asyncio.to_thread(main, ["tickets", "resolve", "nope", "--config", str(cfg_path)]) == 1


async def test_human_webhook_failure_never_fails_the_answer(tmp_path: Path) -> None:
    hook = Hook(status=500)
    runner, url = await _hook_server(hook)
    proxy = await start_proxy(_cfg(tmp_path, url, fmt="pagerduty"))
    try:
        client = openai_client(proxy.url)
        raw = await client.chat.completions.with_raw_response.create(model="escalate", messages=[{"role": "user", "content": "help"}])
        assert raw.parse().model == "bulwark-human"
        ticket = raw.headers["x-bulwark-ticket"]
        await asyncio.wait_for(hook.got.wait(), 5)
        assert hook.calls[0]["event_action"] == "trigger" and hook.calls[0]["dedup_key"] == ticket
        for _ in range(50):
            rec = await proxy.services.state.journal("tickets").get(ticket)
            if rec and "notified" in rec:
                break
            await asyncio.sleep(0.02)
        assert rec is not None and rec["notified"] is False and rec["notify_result"] == "HTTP 500"
    finally:
        await proxy.aclose()
        await runner.cleanup()


async def test_human_tickets_in_redis_stream(tmp_path: Path, redis_url: str, unique_prefix: str) -> None:
    proxy = await start_proxy(_cfg(tmp_path, backend="redis", redis_url=redis_url, key_prefix=unique_prefix))
    try:
        client = openai_client(proxy.url)
        raw = await client.chat.completions.with_raw_response.create(model="escalate", messages=[{"role": "user", "content": "call me"}])
        ticket = raw.headers["x-bulwark-ticket"]
        from proxy.state.redis import RedisState

        other = RedisState(redis_url, unique_prefix)  # another replica sees the same ticket
        try:
            rec = await other.journal("tickets").get(ticket)
            assert rec is not None and rec["message"] == "call me"
        finally:
            keys = [k async for k in other._r.scan_iter(match="{" + unique_prefix + "*", count=1000)]  # journal + ticket group
            await other._r.delete(*keys)
            await other.aclose()
    finally:
        await proxy.aclose()


def test_webhook_payload_shapes() -> None:
    t = {"id": "t1", "request_id": "r1", "model": "gpt-4", "message": "hi"}
    assert webhook_payload("slack", t)["text"].startswith("Bulwark escalated request r1")
    pd = webhook_payload("pagerduty", t, "rk")
    assert pd["routing_key"] == "rk" and pd["payload"]["severity"] == "warning" and pd["payload"]["source"] == "bulwark"
    assert webhook_payload("generic", t)["event"] == "bulwark.ticket.created"
