"""Score Bulwark's pruning on the independent evaluation set (cases.jsonl, built by build.py).

    python bench/prune_eval_independent/build.py          # writes cases.jsonl (gitignored)
    python bench/prune_eval_independent/run.py            # the shipped budget and a sweep
    python bench/prune_eval_independent/run.py --budgets 6000 --show-failures

Per case and budget (prompt tokens, counted with proxy.tokens for the case's model, tool
definitions included), each method cuts the conversation to fit:
- bulwark: the prune plugin's own code path (`plugins.prune.pruner.prune`) with the settings
  of the shipped proxy.toml `[plugins.prune]` (only the budget varies);
- keep-last-N: the system prompt plus the largest number of whole recent turns that fits
  (a turn starts at a user message; an agent loop inside a turn is kept or dropped whole).
Scored as build.py's README suggests: recall (all `needed` strings present in the kept
contents and tool-call arguments), misleading (a `forbidden_stale` string kept while a
needed one is lost), structure (system prompt and final question unchanged, every kept tool
call answered, no orphan result), budget respected, refused (the 400 a client would get).
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
import tomllib
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from plugins.prune import PruneConfig  # noqa: E402
from plugins.prune.pruner import Pruner  # noqa: E402
from proxy import tokens  # noqa: E402

MODEL = "gpt-4o"
BUDGETS = [6000, 4000, 8000, 12000, 16000]


def shipped_prune() -> PruneConfig:
    raw = tomllib.loads((ROOT / "proxy.toml").read_text())
    return PruneConfig.model_validate(raw["plugins"]["prune"])


def texts(messages: list[dict[str, Any]]) -> str:
    out = []
    for m in messages:
        out.append(tokens.content_text(m.get("content")))
        for c in m.get("tool_calls") or []:
            fn = c.get("function") or {}
            out.append(str(fn.get("arguments", "")))
    return "\n".join(out)


def structure_ok(orig: list[dict[str, Any]], out: list[dict[str, Any]]) -> bool:
    if out[0] != orig[0] or out[-1] != orig[-1]:
        return False
    open_calls: set[str] = set()
    for m in out:
        if m.get("role") == "tool":
            cid = m.get("tool_call_id")
            if cid not in open_calls:
                return False
            open_calls.discard(cid)
            continue
        if open_calls:  # a call left unanswered before the next message
            return False
        for c in m.get("tool_calls") or []:
            open_calls.add(c.get("id"))
    return not open_calls


def keep_last_n(case: dict[str, Any], budget: int) -> list[dict[str, Any]] | None:
    msgs, tools = case["messages"], case.get("tools") or None
    system = [m for m in msgs if m["role"] == "system"]
    starts = [i for i, m in enumerate(msgs) if m["role"] == "user"]
    best = None
    for k in range(1, len(starts) + 1):
        cand = system + [m for m in msgs[starts[-k]:] if m["role"] != "system"]
        if tokens.count_messages(cand, MODEL, tools) <= budget:
            best = cand
        else:
            break
    return best


def bulwark_method(cfg: PruneConfig) -> Callable[[dict[str, Any], int], list[dict[str, Any]] | None]:
    def run(case: dict[str, Any], budget: int) -> list[dict[str, Any]] | None:
        pruner = Pruner(cfg.model_copy(update={"max_input_tokens": budget}))
        result = pruner.prune(case["messages"], MODEL, case.get("tools") or None, budget)
        return result.messages if result.fits else None

    return run


def score(cases: list[dict[str, Any]], methods: dict[str, Any], budgets: list[int]) -> list[dict[str, Any]]:
    rows = []
    for budget in budgets:
        for name, fn in methods.items():
            for case in cases:
                before = tokens.count_messages(case["messages"], MODEL, case.get("tools") or None)
                out = fn(case, budget) if before > budget else case["messages"]
                row: dict[str, Any] = {"budget": budget, "method": name, "id": case["id"], "kind": case["kind"], "before": before}
                if out is None:
                    row |= {"refused": True, "recall": 0.0, "pass": False, "misleading": False, "structure": True, "in_budget": True}
                else:
                    kept = texts(out[:-1])
                    got = [n for n in case["needed"] if n in kept]
                    stale = any(s in kept for s in case.get("forbidden_stale") or [])
                    after = tokens.count_messages(out, MODEL, case.get("tools") or None)
                    row |= {"refused": False, "recall": len(got) / len(case["needed"]), "pass": len(got) == len(case["needed"]),
                            "misleading": stale and len(got) < len(case["needed"]), "structure": structure_ok(case["messages"], out),
                            "in_budget": after <= budget, "after": after, "lost": [n for n in case["needed"] if n not in got]}
                rows.append(row)
    return rows


def report(rows: list[dict[str, Any]]) -> str:
    lines = []
    by = collections.defaultdict(list)
    for r in rows:
        by[(r["budget"], r["method"])].append(r)
    lines.append("| budget | method | cases passed (all needed kept) | needed strings kept | refused (400) | misleading | structure ok | within budget |")
    lines.append("|---:|---|---:|---:|---:|---:|---:|---:|")
    for (budget, method), rs in by.items():
        n = len(rs)
        kept = sum(r["recall"] for r in rs) / n
        lines.append(f"| {budget} | {method} | {sum(r['pass'] for r in rs)}/{n} ({100 * sum(r['pass'] for r in rs) / n:.0f} %) | "
                     f"{100 * kept:.1f} % | {sum(r['refused'] for r in rs)} | {sum(r['misleading'] for r in rs)} | "
                     f"{sum(r['structure'] for r in rs)}/{n} | {sum(r['in_budget'] for r in rs)}/{n} |")
    return "\n".join(lines)


def by_kind(rows: list[dict[str, Any]], budget: int) -> str:
    kinds = collections.defaultdict(lambda: collections.defaultdict(list))
    for r in rows:
        if r["budget"] == budget:
            kinds[r["kind"]][r["method"]].append(r)
    methods = sorted({r["method"] for r in rows})
    lines = [f"| kind (budget {budget}) | cases | " + " | ".join(f"{m} passed" for m in methods) + " |",
             "|---|---:|" + "---:|" * len(methods)]
    for kind, ms in kinds.items():
        n = len(next(iter(ms.values())))
        lines.append(f"| {kind} | {n} | " + " | ".join(f"{sum(r['pass'] for r in ms[m])}/{n}" for m in methods) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=str(HERE / "cases.jsonl"))
    ap.add_argument("--budgets", type=int, nargs="*", default=BUDGETS)
    ap.add_argument("--show-failures", action="store_true")
    ap.add_argument("--json", help="write every row here")
    args = ap.parse_args()
    path = Path(args.cases)
    if not path.exists():
        print(f"{path} is missing: run python bench/prune_eval_independent/build.py first", file=sys.stderr)
        return 2
    cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    tokens.warm()
    cfg = shipped_prune()
    methods = {"bulwark": bulwark_method(cfg), "keep-last-N": keep_last_n}
    rows = score(cases, methods, args.budgets)
    print(f"{len(cases)} cases; shipped [plugins.prune]: max_input_tokens={cfg.max_input_tokens}, keep_last_turns={cfg.keep_last_turns}\n")
    print(report(rows))
    print()
    print(by_kind(rows, args.budgets[0]))
    if args.show_failures:
        print()
        for r in rows:
            if r["method"] == "bulwark" and not r["pass"]:
                print(f"budget {r['budget']}: {r['id']} lost {r.get('lost')} {'(refused)' if r['refused'] else ''}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
