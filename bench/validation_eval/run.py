"""Score the numeric grounding validator on a case file and time it.

    python bench/validation_eval/run.py                                   # the generated tuning set
    python bench/validation_eval/run.py --cases bench/validation_eval/independent/cases_a.jsonl
    python bench/validation_eval/run.py --cases A.jsonl --cases B.jsonl --no-timing --show-misses

A case is {"id", "scenario", "how", "messages", "answer", "fabricated": [{"text", "how"}]}.
Caught: a fabricated number is caught when the validator reports it (its text overlaps an
unverified claim) — with the shipped `then = "withhold"`, a caught number is one the user is
never shown. False flags: answers without a fabricated number that fail. Per class: the case's
`how` (independent sets) or each fabrication's `how` (generated set). Worst misses: the
fabricated numbers that passed, with the claim the validator grounded them on.

Timing: `NumbersValidator.validate` on 1k-token answers (built from the cases' own answers),
CPU time of this thread, cold (the conversation indexed too, no message seen before) and warm
(index reused, as on a regeneration).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from plugins.validate.validators.base import Answer, Subject  # noqa: E402
from plugins.validate.validators.numbers import NumbersValidator, extract_claims  # noqa: E402
from proxy.tokens import count_text  # noqa: E402

_PROSE = [
    "Let me walk you through what these figures mean and what you can do next if anything looks off to you.",
    "Everything above comes straight from the records attached to this conversation, so nothing here is an estimate.",
    "If you would like a more detailed breakdown, I can list each entry separately and explain how the totals were formed.",
    "Please keep in mind that pending items can still change until they settle, which usually happens automatically.",
    "You can also download the full statement from your account page whenever you need a copy for your records.",
    "Should you notice a charge you do not recognise, contact our support team and they will open an investigation for you.",
]
_REF = re.compile(r"\d")
_REF_TEXT = "abc " * 800


def caught(fab: str, unverified: list[str]) -> bool:
    f = fab.strip().lower()
    return any(f in u.lower() or u.lower() in f for u in unverified if u)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def _class_of(case: dict[str, Any], fab: dict[str, Any] | None) -> str:
    if "how" in case and isinstance(case["how"], str):
        return case["how"]
    return (fab or {}).get("how", "grounded")


def score(cases: list[dict[str, Any]]) -> dict[str, Any]:
    v = NumbersValidator()
    out: dict[str, Any] = {"fab_total": 0, "fab_caught": 0, "fab_kept": 0, "withheld": 0, "grounded": 0, "false_flags": 0, "fab_answers": 0,
                           "fab_answers_failed": 0, "misses": [], "fps": [], "extra_claims": 0, "extra_answers": 0}
    by_class: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])  # fab, caught, correct, flagged, kept, withheld
    by_scn: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for c in cases:
        res = v.validate(Subject(Answer(c["answer"]), {"messages": c["messages"]}, {}))
        s = by_scn[c.get("scenario", "-")]
        # withheld (shipped then = "withhold"): the answer stops at the first claim the engine is
        # sure of; an uncertain failure is only flagged (delivered whole, uncertain = "flag")
        cut = min(res.positions) if (not res.is_valid and not res.uncertain and res.positions) else None
        if c["fabricated"]:
            out["fab_answers"] += 1
            out["fab_answers_failed"] += not res.is_valid
            extra = [u for u in res.unverified if not any(caught(f["text"], [u]) for f in c["fabricated"])]
            out["extra_claims"] += len(extra)  # correct numbers flagged beside the fabricated one
            out["extra_answers"] += bool(extra)
            for f in c["fabricated"]:
                k = by_class[_class_of(c, f)]
                out["fab_total"] += 1
                ok = (not res.is_valid) and caught(f["text"], res.unverified)
                at = c["answer"].find(f["text"])
                kept = ok and cut is not None and (at < 0 or at + len(f["text"]) > cut)
                out["fab_caught"] += ok
                out["fab_kept"] += kept
                k[0] += 1
                k[1] += ok
                k[4] += kept
                s[0] += 1
                s[1] += ok
                if not ok:
                    out["misses"].append((c["id"], _class_of(c, f), f, c["answer"], res.unverified))
        else:
            k = by_class[_class_of(c, None)]
            out["grounded"] += 1
            k[2] += 1
            s[2] += 1
            if not res.is_valid:
                out["false_flags"] += 1
                k[3] += 1
                out["withheld"] += cut is not None
                k[5] += cut is not None
                s[3] += 1
                out["fps"].append((c["id"], _class_of(c, None), c["answer"], res.unverified))
    out["by_class"], out["by_scn"] = dict(by_class), dict(by_scn)
    return out


def report(name: str, cases: list[dict[str, Any]], r: dict[str, Any], show: bool, worst: int) -> None:
    ft, fc, g, ff = r["fab_total"], r["fab_caught"], r["grounded"], r["false_flags"]
    print(f"## {name}: {len(cases)} cases ({g} correct answers, {r['fab_answers']} with fabrications, {ft} fabricated numbers)")
    print()
    print("| metric | value |")
    print("|---|---|")
    fk, fw = r["fab_kept"], r["withheld"]
    print(f"| fabricated numbers caught (flagged or withheld) | {fc}/{ft} = {fc / max(ft, 1):.1%} |")
    print(f"| fabricated numbers kept from the user (withheld: the engine is sure) | {fk}/{ft} = {fk / max(ft, 1):.1%} |")
    print(f"| correct answers flagged (header, delivered whole, or withheld) | {ff}/{g} = {ff / max(g, 1):.1%} |")
    print(f"| correct answers withheld (cut short for the user) | {fw}/{g} = {fw / max(g, 1):.1%} |")
    print(f"| answers with a fabrication that failed | {r['fab_answers_failed']}/{r['fab_answers']} |")
    print(f"| answers with a fabrication where a correct number was flagged too | {r['extra_answers']}/{r['fab_answers']} "
          f"({r['extra_claims']} numbers) |")
    print()
    print("| class | fabricated caught / kept | correct flagged / withheld |")
    print("|---|---|---|")
    for cls, (n, k, gn, fp, kp, wh) in sorted(r["by_class"].items()):
        print(f"| {cls} | {f'{k}/{n} / {kp}' if n else '-'} | {f'{fp}/{gn} / {wh}' if gn else '-'} |")
    print()
    if r["misses"]:
        print(f"Worst misses (fabricated numbers delivered), {min(worst, len(r['misses']))} of {len(r['misses'])}:")
        for cid, cls, f, answer, unv in r["misses"][:worst]:
            print(f"- {cid} ({cls}): {f['text']!r} — {f.get('how', '')}")
        print()
    if r["fps"]:
        print(f"Correct answers flagged, {min(worst, len(r['fps']))} of {len(r['fps'])}:")
        for cid, cls, answer, unv in r["fps"][:worst]:
            print(f"- {cid} ({cls}): flagged {unv}")
        print()
    if show:
        print("MISSES")
        for m in r["misses"]:
            print(m)
        print("\nFALSE FLAGS")
        for f in r["fps"]:
            print(f)
        print()


def timing(cases: list[dict[str, Any]], runs: int) -> None:
    v = NumbersValidator()
    rows, stress, prose_rows = [], [], []
    i = 0
    while len(rows) < runs:
        msgs, parts, j = [], [], i
        while count_text("\n".join(parts)) < 1000:
            c = cases[j % len(cases)]
            msgs.extend(c["messages"])
            parts.append(c["answer"])
            j += 1
        text = "\n".join(parts)
        rows.append((text, {"messages": msgs}))
        stress.append((text, {"messages": cases[(j + 7) % len(cases)]["messages"]}))
        i += 1
    for i in range(runs):
        msgs, parts, j = [], [], i
        for _ in range(5):
            c = cases[j % len(cases)]
            msgs.extend(c["messages"])
            parts.append(c["answer"])
            j += 1
        k = 0
        while count_text("\n".join(parts)) < 1000:
            parts.insert(1 + (k % len(parts)), _PROSE[k % len(_PROSE)])
            k += 1
        prose_rows.append(("\n".join(parts), {"messages": msgs}))
    toks = [count_text(t) for t, _ in rows]
    ctx_toks = [sum(count_text(m.get("content") or "") for m in b["messages"]) for _, b in rows]

    def timed(rows: list, clock: Any) -> tuple[list[float], list[float]]:
        cold, warm = [], []
        for _ in range(2):
            for text, body in rows:
                subj = Subject(Answer(text), body, {})
                v.pieces.clear()  # cold: nothing of this conversation indexed before
                t0 = clock()
                v.validate(subj)
                t1 = clock()
                v.validate(subj)
                t2 = clock()
                cold.append((t1 - t0) * 1000)
                warm.append((t2 - t1) * 1000)
        return cold, warm

    cold, warm = timed(rows, time.thread_time)
    s_cold, _ = timed(stress, time.thread_time)
    w_cold, w_warm = timed(rows, time.perf_counter)
    p_cold, p_warm = timed(prose_rows, time.thread_time)
    p_claims = statistics.median(len(extract_claims(t, v.cfg)[0]) for t, _ in prose_rows)
    d_claims = statistics.median(len(extract_claims(t, v.cfg)[0]) for t, _ in rows)
    ref = []
    for _ in range(200):
        t0 = time.thread_time()
        _REF.findall(_REF_TEXT)
        ref.append((time.thread_time() - t0) * 1e6)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print("## Latency")
    print()
    print("| metric | value | target |")
    print("|---|---|---|")
    print(f"| claims per 1k-token answer (dense timing set / prose timing set) | {d_claims:.0f} / {p_claims:.0f} | |")
    print(f"| validate() CPU p50 / p99, 1k-token prose answer, cold / warm | {pct(p_cold, 50):.2f} / {pct(p_cold, 99):.2f} ms, {pct(p_warm, 50):.2f} / {pct(p_warm, 99):.2f} ms | p99 < 2 ms |")
    print(f"| validate() CPU p50 / p99, 1k-token dense answer, cold (conversation indexed too) | {pct(cold, 50):.2f} / {pct(cold, 99):.2f} ms | |")
    print(f"| validate() CPU p50 / p99, 1k-token dense answer, warm (index reused: regeneration) | {pct(warm, 50):.2f} / {pct(warm, 99):.2f} ms | |")
    print(f"| validate() CPU p50 / p99, stress: answer vs an unrelated conversation | {pct(s_cold, 50):.2f} / {pct(s_cold, 99):.2f} ms | |")
    print(f"| validate() wall p50 / p99, dense, cold / warm | {pct(w_cold, 50):.2f} / {pct(w_cold, 99):.2f} ms, {pct(w_warm, 50):.2f} / {pct(w_warm, 99):.2f} ms | |")
    print(f"| machine: 1-min load average; reference regex (findall \\d over 3.2 kB) CPU p50 | {load:.1f}; {pct(ref, 50):.0f} us | |")
    print(f"| timing inputs (cl100k tokens) | answers median {statistics.median(toks):.0f} (min {min(toks)}); conversations median {statistics.median(ctx_toks):.0f} | ~1k |")
    print()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", action="append", help="a JSONL case file (repeat for several); default: cases.jsonl")
    ap.add_argument("--show-misses", action="store_true")
    ap.add_argument("--worst", type=int, default=10, help="how many misses and false flags to list")
    ap.add_argument("--timing-runs", type=int, default=300)
    ap.add_argument("--no-timing", action="store_true")
    a = ap.parse_args()
    files = a.cases or [str(Path(__file__).with_name("cases.jsonl"))]
    all_cases: list[dict[str, Any]] = []
    for path in files:
        cases = [json.loads(line) for line in open(path) if line.strip()]
        all_cases.extend(cases)
        report(Path(path).name, cases, score(cases), a.show_misses, a.worst)
    if not a.no_timing:
        timing(all_cases, a.timing_runs)


if __name__ == "__main__":
    main()
