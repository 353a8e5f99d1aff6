"""Evaluate Bulwark's importance-scored pruning against keep-last-N and drop-oldest.

    python bench/prune_eval.py                 # 200 work chats (4k-64k tokens) + 3 x 30 agent / document / decision conversations
    python bench/prune_eval.py --n 50 --seed 3 --json results.json

For every conversation (see convgen.py) and every budget, each method cuts the history to
the same budget (prompt tokens, tool definitions included, counted with proxy.tokens):
- bulwark:      the prune plugin's own code path (plugins.prune.pruner) with the shipped
                proxy.toml [plugins.prune] settings (marker on)
- keep-last-N:  the system prompt plus the largest number N of whole recent turns that fits
- drop-oldest:  drop the oldest non-system unit (tool calls stay with their results) until it fits
It reports input-token reduction and needle retention (the needle's value still in the
context), then times pruning of a 200-message, 32k-token conversation after its first sight.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import convgen  # noqa: E402

from plugins.prune import scoring as pruning  # noqa: E402
from plugins.prune.pruner import Pruner  # noqa: E402
from proxy import tokens  # noqa: E402

MARKER = "[{count} earlier message(s) omitted by Bulwark to fit the context budget]"  # the plugin default
FRACTIONS = [0.6, 0.45, 0.3, 0.2]
ABSOLUTE = [8000, 6000, 4000]  # 6000: the shipped max_input_tokens


def _shipped() -> Any:
    import tomllib

    from plugins.prune import PruneConfig

    raw = tomllib.loads((Path(__file__).resolve().parent.parent / "proxy.toml").read_text())
    return PruneConfig.model_validate(raw["plugins"]["prune"])


PRUNER = Pruner(_shipped())


def bulwark(conv: convgen.Conversation, budget: int) -> list[dict[str, Any]] | None:
    res = PRUNER.prune(conv.messages, conv.model, conv.tools, budget)
    return res.messages if res.fits else None


def _fits(msgs: list[dict[str, Any]], conv: convgen.Conversation, budget: int) -> bool:
    return tokens.count_messages(msgs, conv.model, conv.tools) <= budget


def keep_last_n(conv: convgen.Conversation, budget: int) -> list[dict[str, Any]] | None:
    msgs = conv.messages
    system = [m for m in msgs if m["role"] == "system"]
    starts = [i for i, m in enumerate(msgs) if m["role"] == "user"]
    best = None
    for k in range(1, len(starts) + 1):  # turns from the end
        cand = system + [m for m in msgs[starts[-k]:] if m["role"] != "system"]
        if _fits(cand, conv, budget):
            best = cand
        else:
            break
    return best


def drop_oldest(conv: convgen.Conversation, budget: int) -> list[dict[str, Any]] | None:
    msgs = conv.messages
    units = pruning.build_units(msgs)
    counts = tokens.message_counts(msgs, conv.model)
    total = tokens.count_messages(msgs, conv.model, conv.tools)
    last_user = max(i for i, m in enumerate(msgs) if m["role"] == "user")
    dropped: set[int] = set()
    for u in units:
        if total <= budget:
            break
        if u.role in ("system", "developer") or u.messages[0] >= last_user:
            continue
        dropped.update(u.messages)
        total -= sum(counts[i] for i in u.messages)
    if total > budget:
        return None
    return [m for i, m in enumerate(msgs) if i not in dropped]


def bulwark_no_relevance(conv: convgen.Conversation, budget: int) -> list[dict[str, Any]] | None:
    """Ablation: the same scorer without the BM25 term (recency, role, references only)."""
    s = pruning.Settings(weights=pruning.Weights(relevance=0.0))
    p = pruning.plan(conv.messages, conv.model, budget, tools=conv.tools, settings=s, marker_text=MARKER, marker_mode="single")
    if not p.fits:
        return None
    return pruning.apply(conv.messages, p, MARKER) if p.changed else conv.messages


def bulwark_no_excerpts(conv: convgen.Conversation, budget: int) -> list[dict[str, Any]] | None:
    """Ablation: units kept whole or dropped, never excerpted."""
    s = pruning.Settings(excerpt_min_tokens=10**9)
    p = pruning.plan(conv.messages, conv.model, budget, tools=conv.tools, settings=s, marker_text=MARKER, marker_mode="single")
    if not p.fits:
        return None
    return pruning.apply(conv.messages, p, MARKER) if p.changed else conv.messages


METHODS = {"bulwark": bulwark, "keep-last-N": keep_last_n, "drop-oldest": drop_oldest, "ablation: bulwark w/o relevance": bulwark_no_relevance,
           "ablation: bulwark w/o excerpts": bulwark_no_excerpts}


def evaluate(convs: list[convgen.Conversation]) -> dict[str, Any]:
    budgets: list[tuple[str, Any]] = [(f"{int(f * 100)}% of conversation", f) for f in FRACTIONS] + [(f"{b} tokens", b) for b in ABSOLUTE]
    rows = []
    for label, spec in budgets:
        for name, fn in METHODS.items():
            kept = total = 0
            all_kept = convs_n = 0
            reductions = []
            failed = 0
            for conv in convs:
                before = tokens.count_messages(conv.messages, conv.model, conv.tools)
                budget = int(before * spec) if isinstance(spec, float) else spec
                if budget >= before:
                    continue  # nothing to prune at this budget
                out = fn(conv, budget)
                if out is None:
                    failed += 1
                    continue
                after = tokens.count_messages(out, conv.model, conv.tools)
                assert after <= budget, (name, conv.seed, after, budget)
                reductions.append(1 - after / before)
                k = sum(convgen.needle_kept(out, n) for n in conv.needles)
                kept += k
                total += len(conv.needles)
                all_kept += k == len(conv.needles)
                convs_n += 1
            rows.append({
                "budget": label, "method": name, "conversations": convs_n, "failed": failed,
                "token_reduction": statistics.mean(reductions) if reductions else 0.0,
                "needle_retention": kept / total if total else 0.0,
                "all_needles_kept": all_kept / convs_n if convs_n else 0.0,
            })
    return {"rows": rows}


def timing_conversation(seed: int = 11, n_messages: int = 200, target: int = 32_000) -> convgen.Conversation:
    conv = convgen.make_conversation(seed, int(target * 1.3), verbosity=18)
    msgs = conv.messages[: n_messages - 1]
    while msgs[-1]["role"] == "assistant" and msgs[-1].get("tool_calls") or msgs[-1]["role"] == "tool":
        msgs.pop()
    msgs.append(conv.messages[-1])  # the final question
    k = 0
    while tokens.count_messages(msgs, conv.model, conv.tools) < target:  # pad assistant answers to the size
        i = 2 + (k * 7) % (len(msgs) - 3)
        if msgs[i]["role"] == "assistant" and msgs[i].get("content"):
            msgs[i] = {**msgs[i], "content": msgs[i]["content"] + " " + convgen.GENERIC[k % len(convgen.GENERIC)]}
        k += 1
    while len(msgs) < n_messages:  # short filler exchange before the question
        msgs.insert(-1, {"role": "user" if len(msgs) % 2 else "assistant", "content": "Thanks, that helps."})
    needles = [n for n in conv.needles if n.message_index < len(msgs) - 1]
    return convgen.Conversation(conv.seed, msgs, needles)


def timing(runs: int = 500) -> dict[str, Any]:
    conv = timing_conversation()
    before = tokens.count_messages(conv.messages, conv.model, conv.tools)
    raw = orjson.dumps({"model": conv.model, "messages": conv.messages, "tools": conv.tools})
    budget = int(before * 0.5)

    def once() -> tuple[float, float]:
        body = orjson.loads(raw)  # a fresh parse, as each request brings new objects
        t, c = time.perf_counter(), time.thread_time()
        p = pruning.plan(body["messages"], body["model"], budget, tools=body["tools"], marker_text=MARKER, marker_mode="single")
        pruning.apply(body["messages"], p, MARKER)
        return (time.perf_counter() - t) * 1000, (time.thread_time() - c) * 1000

    first = once()[0]
    pairs = [once() for _ in range(runs)]
    wall, cpu = sorted(w for w, _ in pairs), sorted(c for _, c in pairs)
    p99 = int(len(wall) * 0.99) - 1
    return {
        "messages": len(conv.messages), "tokens": before, "budget": budget, "first_ms": first,
        "p50_ms": wall[len(wall) // 2], "p99_ms": wall[p99], "max_ms": wall[-1], "runs": runs,
        "cpu_p50_ms": cpu[len(cpu) // 2], "cpu_p99_ms": cpu[p99], "loadavg": os.getloadavg()[0], "cpus": os.cpu_count(),
    }


def table(result: dict[str, Any]) -> str:
    lines = ["| budget | method | convs | input-token reduction | needle retention | all needles kept |", "|---|---|---:|---:|---:|---:|"]
    for r in result["rows"]:
        lines.append(f"| {r['budget']} | {r['method']} | {r['conversations']} | {r['token_reduction'] * 100:.1f} % | "
                     f"{r['needle_retention'] * 100:.1f} % | {r['all_needles_kept'] * 100:.1f} % |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=500, help="timing repetitions")
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--timing-only", action="store_true", help="only the 200-message timing")
    ap.add_argument("--kinds", type=int, default=30, help="conversations of each extra kind (agent, document, decision)")
    ap.add_argument("--methods", nargs="*", help=f"only these methods (of: {', '.join(METHODS)}); e.g. --methods bulwark for a quick check")
    args = ap.parse_args()
    if args.methods:
        unknown = set(args.methods) - set(METHODS)
        if unknown:
            ap.error(f"unknown methods: {sorted(unknown)}")
        for name in list(METHODS):
            if name not in args.methods:
                del METHODS[name]
    tokens.warm()
    result: dict[str, Any] = {}
    if args.timing_only:
        args.n = 0
    t0 = time.perf_counter()
    convs = convgen.generate(args.n, args.seed)
    sizes = [tokens.count_messages(c.messages, c.model, c.tools) for c in convs]
    needles = sum(len(c.needles) for c in convs)
    if convs:
        print(f"{len(convs)} conversations, {min(sizes)}-{max(sizes)} tokens (median {int(statistics.median(sizes))}), "
              f"{min(len(c.messages) for c in convs)}-{max(len(c.messages) for c in convs)} messages, {needles} needles "
              f"({sum(n.where == 'tool' for c in convs for n in c.needles)} in tool results); generated in {time.perf_counter() - t0:.1f} s")
        result = evaluate(convs)
        print(table(result))
    if args.kinds and not args.timing_only:
        by_kind: dict[str, list[convgen.Conversation]] = {}
        for kind, conv in convgen.generate_kinds(args.kinds, args.seed):
            by_kind.setdefault(kind, []).append(conv)
        for kind, cs in by_kind.items():
            sz = [tokens.count_messages(c.messages, c.model, c.tools) for c in cs]
            print(f"\n{kind}: {len(cs)} conversations, {min(sz)}-{max(sz)} tokens")
            res = evaluate(cs)
            result[kind] = res
            print(table(res))
    tm = timing(args.runs)
    result["timing"] = tm
    print(f"\npruning a {tm['messages']}-message, {tm['tokens']}-token conversation to {tm['budget']} tokens: first sight "
          f"{tm['first_ms']:.1f} ms; then wall p50 {tm['p50_ms']:.2f} ms, p99 {tm['p99_ms']:.2f} ms, max {tm['max_ms']:.2f} ms; "
          f"CPU p50 {tm['cpu_p50_ms']:.2f} ms, p99 {tm['cpu_p99_ms']:.2f} ms over {tm['runs']} runs "
          f"(load average {tm['loadavg']:.1f} on {tm['cpus']} CPUs)")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
