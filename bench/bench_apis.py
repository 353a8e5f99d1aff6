"""Codec overhead: the same conversation as chat completions, Responses and Messages, through the
same chain in one run.

    python bench/bench_apis.py [--requests 300] [--rounds 5] [--concurrency 16]

Starts the simulator and Bulwark (the repo's proxy.toml, full default chain, a bench key with
room for the load, abuse scoring off) as separate processes, pinned to CPUs like bench/harness.py. The conversation (system prompt, three earlier turns, a question, 64
output tokens, a unique suffix so nothing is cached) is sent as:

    chat        POST /v1/chat/completions   no codec
    responses   POST /v1/responses          decoded into the chat view; the simulator's Responses
                                            face serves it natively and its bytes are relayed
    messages    POST /v1/messages           decoded into the chat view, sent to the OpenAI face
                                            as chat, the answer encoded as an Anthropic Message

Rounds interleave the three kinds (plain, then streamed) so machine noise spreads evenly. For
each kind it reports the client latency p50/p99 at concurrency 1, the same request sent straight
to the simulator (its own Responses / Anthropic face for those kinds), Bulwark's own time
(`x-bulwark-overhead-ms`: total less the wait on the provider, median) and requests/s at
`--concurrency`; then each API's overhead as a ratio of chat's, from this one run. First it times
the codecs alone in-process (parse + decode the request, encode a chat answer for the client),
the figure machine noise does not blur.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import PY, ROOT, free_port, pct, pinned, wait_http  # noqa: E402

CLIENT_KEY = "sk-bench-apis"

KINDS = ("chat", "responses", "messages")
SYSTEM = "You are a helpful assistant for a shipping company."
TURNS = [("What does a harbour master do?", "They coordinate ships entering and leaving the port."),
         ("And a pilot?", "A pilot boards ships to steer them through local waters."),
         ("Who pays the pilot?", "Usually the ship owner, through port fees.")]


def body_for(kind: str, n: int, stream: bool) -> tuple[str, dict[str, Any]]:
    question = f"Summarise the roles above in one sentence (#{n})."
    if kind == "chat":
        msgs = [{"role": "system", "content": SYSTEM}]
        for u, a in TURNS:
            msgs += [{"role": "user", "content": u}, {"role": "assistant", "content": a}]
        body: dict[str, Any] = {"model": "gpt-4o-mini", "messages": msgs + [{"role": "user", "content": question}], "max_tokens": 64}
        if stream:
            body["stream_options"] = {"include_usage": True}
        path = "/chat/completions"
    elif kind == "responses":
        items: list[dict[str, Any]] = []
        for u, a in TURNS:
            items += [{"role": "user", "content": u}, {"role": "assistant", "content": a}]
        body = {"model": "gpt-4o-mini", "instructions": SYSTEM, "input": items + [{"role": "user", "content": question}], "max_output_tokens": 64}
        path = "/responses"
    else:
        msgs = []
        for u, a in TURNS:
            msgs += [{"role": "user", "content": u}, {"role": "assistant", "content": a}]
        body = {"model": "gpt-4o-mini", "system": SYSTEM, "messages": msgs + [{"role": "user", "content": question}], "max_tokens": 64}
        path = "/messages"
    if stream:
        body["stream"] = True
    return path, body


async def one(s: aiohttp.ClientSession, base: str, kind: str, n: int, stream: bool, direct: bool) -> tuple[float, float | None]:
    path, body = body_for(kind, n, stream)
    headers = {"Authorization": f"Bearer {CLIENT_KEY}", "x-api-key": "sk-sim", "anthropic-version": "2023-06-01"}
    t0 = time.perf_counter()
    async with s.post(base + path, data=json.dumps(body), headers={"Content-Type": "application/json", **headers}) as r:
        async for _ in r.content.iter_any():
            pass
        if r.status != 200:
            raise RuntimeError(f"{kind} {path} -> {r.status}")
        overhead = None if direct else float(r.headers["x-bulwark-overhead-ms"])
    return time.perf_counter() - t0, overhead


async def sequential(base: str, kind: str, count: int, stream: bool, direct: bool, start: int) -> tuple[list[float], list[float]]:
    lat, own = [], []
    async with aiohttp.ClientSession() as s:
        for i in range(count):
            t, o = await one(s, base, kind, start + i, stream, direct)
            lat.append(t)
            if o is not None:
                own.append(o)
    return lat, own


async def throughput(base: str, kind: str, count: int, stream: bool, concurrency: int, start: int) -> float:
    sem = asyncio.Semaphore(concurrency)
    conn = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=conn) as s:
        async def go(i: int) -> None:
            async with sem:
                await one(s, base, kind, start + i, stream, False)

        t0 = time.perf_counter()
        await asyncio.gather(*(go(i) for i in range(count)))
        return count / (time.perf_counter() - t0)


def codec_cpu(iterations: int = 20000) -> dict[str, float]:
    """Microseconds per request spent in the codecs: parse (+ decode into the chat view) the
    request, encode a chat answer into the client's API. Chat's figure is the parse and dump
    every request pays anyway."""
    import orjson

    from proxy.wire import codecs
    from proxy.wire.apis import chat_usage

    answer = {"id": "chatcmpl-bench", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini", "usage": chat_usage(60, 14),
              "choices": [{"index": 0, "finish_reason": "stop",
                           "message": {"role": "assistant", "content": "Harbour masters coordinate ships; pilots steer them in."}}]}
    out = {}
    for kind in KINDS:
        raw = orjson.dumps(body_for(kind, 1, False)[1])
        t0 = time.perf_counter()
        for _ in range(iterations):
            body = orjson.loads(raw)
            if kind == "chat":
                orjson.dumps(answer)
            else:
                _, wire = codecs.decode(kind, body)
                orjson.dumps(codecs.encode_answer(kind, answer, wire))
        out[kind] = (time.perf_counter() - t0) / iterations * 1e6
    return out


def config(sim_port: int) -> Path:
    """proxy.toml as shipped, every provider on the simulator, plus a key limits never stop."""
    text = (ROOT / "proxy.toml").read_text()
    text = text.replace("[plugins.ratelimit.abuse]\n", "[plugins.ratelimit.abuse]\nenabled = false\n", 1)
    text = text.replace("http://127.0.0.1:9000", f"http://127.0.0.1:{sim_port}")
    text = text.replace("${BULWARK_DATA_DIR:-./var}", tempfile.mkdtemp(prefix="bulwark-bench-apis-"))
    big = 10**9
    key = (f'[[auth.keys]]\nname = "bench-apis"\nkey = "{CLIENT_KEY}"\ntier = "trusted"\nlimits = {{ rpm = {big}, tpm = {big}, '
           f'max_concurrent = {big}, user_rpm = {big}, user_tpm = {big}, budget_usd_day = {big}, budget_usd_month = {big} }}\n\n')
    at = text.index("[providers.")  # the key blocks of [auth] end where the providers begin
    path = Path(tempfile.mkstemp(prefix="bulwark-bench-apis-", suffix=".toml")[1])
    path.write_text(text[:at] + key + text[at:])
    return path


async def main(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    cpu = codec_cpu()
    print("== codec CPU per request, in-process (parse/decode the request + encode the answer) ==")
    for kind in KINDS:
        print(f"{kind:<10} {cpu[kind]:6.1f} us" + ("" if kind == "chat" else f"   (+{cpu[kind] - cpu['chat']:.1f} us over chat)"))
    sim_port, proxy_port = free_port(), free_port()
    procs = [subprocess.Popen(pinned(0, [PY, "-m", "proxy", "--log-level", "WARNING", "simulate", "--port", str(sim_port)]),
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    await wait_http(f"http://127.0.0.1:{sim_port}/v1/models")
    log = open(tempfile.mkstemp(prefix="bulwark-bench-apis-log-")[1], "w")
    procs.append(subprocess.Popen(pinned(1, [PY, "-m", "proxy", "--log-level", "WARNING", "serve", "-c", str(config(sim_port)),
                                             "--port", str(proxy_port)]),
                                  cwd=ROOT, env={**os.environ, "OPENAI_API_KEY": "sk-sim"}, stdout=subprocess.DEVNULL, stderr=log))
    await wait_http(f"http://127.0.0.1:{proxy_port}/readyz", 60)
    proxy, sim = f"http://127.0.0.1:{proxy_port}/v1", f"http://127.0.0.1:{sim_port}/v1"  # the simulator has all three faces
    try:
        for stream in (False, True):
            data: dict[str, dict[str, list[float]]] = {k: {"lat": [], "direct": [], "own": [], "rps": []} for k in KINDS}
            n = 0
            for kind in KINDS:  # warm-up: connections, tokenizers, first-use imports
                await sequential(proxy, kind, 20, stream, False, n)
                n += 20
            for _ in range(args.rounds):
                for kind in KINDS:
                    per = max(1, args.requests // args.rounds)
                    lat, own = await sequential(proxy, kind, per, stream, False, n)
                    direct, _ = await sequential(sim, kind, per, stream, True, n)
                    n += per
                    rps = await throughput(proxy, kind, per, stream, args.concurrency, n)
                    n += per
                    d = data[kind]
                    d["lat"] += lat
                    d["direct"] += direct
                    d["own"] += own
                    d["rps"].append(rps)
            report(data, stream, args)
    finally:
        for p in procs:
            p.terminate()
            p.wait(30)


def report(data: dict[str, dict[str, list[float]]], stream: bool, args: argparse.Namespace) -> None:
    print(f"\n== {'streamed' if stream else 'plain'}: {args.requests} sequential requests per kind in {args.rounds} interleaved rounds, "
          f"throughput at concurrency {args.concurrency} ==")
    print(f"{'kind':<10} {'p50 ms':>8} {'p99 ms':>8} {'direct p50':>11} {'p50-direct':>11} {'own p50 ms':>11} {'own p99':>8} {'req/s':>7}")
    rows = {}
    for kind in KINDS:
        d = data[kind]
        p50, p99, direct = statistics.median(d["lat"]) * 1000, pct(d["lat"], 99) * 1000, statistics.median(d["direct"]) * 1000
        own50, own99 = statistics.median(d["own"]), pct(d["own"], 99)
        rps = statistics.median(d["rps"])
        rows[kind] = (p50 - direct, own50, rps)
        print(f"{kind:<10} {p50:8.2f} {p99:8.2f} {direct:11.2f} {p50 - direct:11.2f} {own50:11.2f} {own99:8.2f} {rps:7.0f}")
    base_added, base_own, base_rps = rows["chat"]
    for kind in ("responses", "messages"):
        added, own, rps = rows[kind]
        print(f"{kind} vs chat: Bulwark's own time x{own / base_own:.2f}, added latency x{added / base_added:.2f}, "
              f"throughput x{rps / base_rps:.2f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=300, help="sequential requests per kind (and as many for throughput)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--concurrency", type=int, default=16)
    asyncio.run(main(ap.parse_args()))
