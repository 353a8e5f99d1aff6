"""Score the numeric grounding validator on cases.jsonl and time it.

    python bench/validation_eval/run.py [--cases bench/validation_eval/cases.jsonl] [--show-misses]

Detection: a fabricated number counts as caught when the validator reports it (its text
overlaps an unverified claim). False flags: grounded answers (no fabricated number) that
the validator fails. Timing: `NumbersValidator.validate` on 1k-token answers (built from the
cases' own answers) with a fresh per-request cache (index of the conversation included) and
warm (index already built, as on a regeneration).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default=str(Path(__file__).with_name("cases.jsonl")))
    ap.add_argument("--show-misses", action="store_true")
    ap.add_argument("--timing-runs", type=int, default=300)
    a = ap.parse_args()
    cases = [json.loads(line) for line in open(a.cases)]
    v = NumbersValidator()
    fab_total = fab_caught = 0
    grounded = false_flags = 0
    by_how: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_scn: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    misses, fps = [], []
    answers_failed_with_fab = 0
    for c in cases:
        res = v.validate(Subject(Answer(c["answer"]), {"messages": c["messages"]}, {}))
        s = by_scn[c["scenario"]]
        if c["fabricated"]:
            if not res.is_valid:
                answers_failed_with_fab += 1
            for f in c["fabricated"]:
                fab_total += 1
                ok = (not res.is_valid) and caught(f["text"], res.unverified)
                fab_caught += ok
                by_how[f["how"]][0] += 1
                by_how[f["how"]][1] += ok
                s[0] += 1
                s[1] += ok
                if not ok:
                    misses.append((c["id"], f, c["answer"], res.unverified))
        else:
            grounded += 1
            s[2] += 1
            if not res.is_valid:
                false_flags += 1
                s[3] += 1
                fps.append((c["id"], c["answer"], res.issues))

    # timing. realistic: consecutive cases merged into one conversation with one ~1k-token answer
    # (grounded in it, fabrications included). stress: the same answers checked against an
    # unrelated conversation, so nearly every claim misses and goes through every derivation.
    rows, stress = [], []
    i = 0
    while len(rows) < a.timing_runs:
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
    # prose: the same conversations, a 1k-token answer where the numbers sit in ordinary prose
    # (a few case answers, the rest explanatory sentences without numbers: ~15-25 claims)
    prose_rows = []
    for i in range(a.timing_runs):
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

    # CPU time of this thread (what the validator costs) and wall time (what it costs on this box now).
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

    print(f"cases: {len(cases)} ({grounded} grounded answers, {len(cases) - grounded} with fabrications, {fab_total} fabricated numbers)")
    print()
    print("| metric | value | target |")
    print("|---|---|---|")
    print(f"| fabricated numbers caught | {fab_caught}/{fab_total} = {fab_caught / fab_total:.1%} | >= 97 % |")
    print(f"| grounded answers wrongly flagged | {false_flags}/{grounded} = {false_flags / grounded:.1%} | <= 1 % |")
    print(f"| answers with a fabrication that failed | {answers_failed_with_fab}/{len(cases) - grounded} | |")
    print(f"| claims per 1k-token answer (dense timing set / prose timing set) | {d_claims:.0f} / {p_claims:.0f} | |")
    print(f"| validate() CPU p50 / p99, 1k-token prose answer, cold / warm | {pct(p_cold, 50):.2f} / {pct(p_cold, 99):.2f} ms, {pct(p_warm, 50):.2f} / {pct(p_warm, 99):.2f} ms | p99 < 2 ms |")
    print(f"| validate() CPU p50 / p99, 1k-token answer, cold (conversation indexed too) | {pct(cold, 50):.2f} / {pct(cold, 99):.2f} ms | p99 < 2 ms |")
    print(f"| validate() CPU p50 / p99, 1k-token answer, warm (index reused: regeneration) | {pct(warm, 50):.2f} / {pct(warm, 99):.2f} ms | |")
    print(f"| validate() CPU p50 / p99, stress: answer vs an unrelated conversation | {pct(s_cold, 50):.2f} / {pct(s_cold, 99):.2f} ms | |")
    print(f"| validate() wall p50 / p99, cold / warm | {pct(w_cold, 50):.2f} / {pct(w_cold, 99):.2f} ms, {pct(w_warm, 50):.2f} / {pct(w_warm, 99):.2f} ms | |")
    print(f"| machine: 1-min load average; reference regex (findall \\d over 3.2 kB) CPU p50 | {load:.1f}; {pct(ref, 50):.0f} us | |")
    print(f"| timing inputs (cl100k tokens) | answers median {statistics.median(toks):.0f} (min {min(toks)}); conversations median {statistics.median(ctx_toks):.0f} | ~1k |")
    print()
    print("| fabrication kind | caught |")
    print("|---|---|")
    for how, (n, k) in sorted(by_how.items()):
        print(f"| {how} | {k}/{n} |")
    print()
    print("| scenario | fabricated caught | grounded flagged |")
    print("|---|---|---|")
    for scn, (n, k, g, fp) in sorted(by_scn.items()):
        print(f"| {scn} | {k}/{n} | {fp}/{g} |")
    if a.show_misses:
        print("\nMISSES")
        for m in misses:
            print(m)
        print("\nFALSE FLAGS")
        for f in fps:
            print(f)


if __name__ == "__main__":
    main()
