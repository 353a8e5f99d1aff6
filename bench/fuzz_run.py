"""The fuzz run behind bench/README.md's table: hostile input against the full shipped chain.

    python bench/fuzz_run.py [--examples 200] [--mutations 2000] [--seed 1616]

Bulwark runs with the repository's `proxy.toml` in front of the simulator (the same
background stack as tests/test_hostile.py, limits raised so the fuzz reaches the inner
plugins). Three sources of input:

1. schemathesis over Bulwark's published OpenAPI document: every operation, `--examples`
   valid ("positive") and as many invalid ("negative") requests each;
2. random mutations of valid /v1/responses and /v1/messages bodies (tests/test_wire_fuzz.py's
   mutator, `--mutations` in all);
3. a fixed list of malformed bodies (bad UTF-8, deep nesting, huge numbers, wrong types).

Every answer is classified by status; "bad" is a 500, any other 5xx the upstream did not
cause, a stack trace in the body, or a 4xx that is not in the client's API error shape. The
script prints one row per endpoint and exits 1 if anything was bad.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import schemathesis  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402

from proxy.openapi import document  # noqa: E402
from tests.test_hostile import CLIENT_KEY, PROVIDER_SECRET, BackgroundBulwark  # noqa: E402
from tests.test_wire_fuzz import BASES, mutate  # noqa: E402

MALFORMED = [
    b"\xff\xfe\xfa invalid utf-8", b"[" * 100_000 + b"]" * 100_000, b"null", b"1e5", b'"str"', b"{}",
    b'{"model": "gpt-4o-mini", "max_tokens": 1' + b"0" * 400 + b', "messages": [{"role": "user", "content": "hi"}]}',
    b'{"model": "gpt-4o-mini", "temperature": 1e999, "messages": [{"role": "user", "content": "hi"}]}',
    b'{"model": 5, "messages": "nope"}', b'{"model": "gpt-4o-mini", "messages": [{"role": 7}]}',
    b'{"model": "gpt-4o-mini", "max_tokens": -5, "messages": [{"role": "user", "content": "hi"}]}',
    b'{"model": "gpt-4o-mini", "max_tokens": 9223372036854775807, "messages": [{"role": "user", "content": "hi"}]}',
]


class Tally:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.bad: list[str] = []

    def add(self, endpoint: str, status: int, text: str, content_type: str) -> None:
        row = self.rows[endpoint]
        row["requests"] += 1
        row[f"{status // 100}xx"] += 1
        why = ""
        if status == 500 or (status >= 500 and status not in (502, 503, 504)):
            why = f"status {status}"
        elif "Traceback" in text:
            why = "stack trace in the body"
        elif status >= 400 and content_type.startswith("application/json"):
            try:
                body = json.loads(text)
            except ValueError:
                why = "error body is not JSON"
            else:
                err = body.get("error") if isinstance(body, dict) else None
                anthropic = endpoint.startswith("/v1/messages")
                ok = (isinstance(err, dict) and {"type", "message"} <= set(err)) if anthropic else \
                    (isinstance(err, dict) and {"message", "type", "param", "code"} <= set(err))
                if not ok:
                    why = "error not in the API's shape"
        if why:
            row["bad"] += 1
            self.bad.append(f"{endpoint} {status} {why}: {text[:200]}")

    def table(self) -> str:
        cols = ["requests", "2xx", "4xx", "5xx", "bad"]
        out = ["| endpoint | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
        total: dict[str, int] = defaultdict(int)
        for ep in sorted(self.rows):
            out.append(f"| `{ep}` | " + " | ".join(str(self.rows[ep].get(c, 0)) for c in cols) + " |")
            for c in cols:
                total[c] += self.rows[ep].get(c, 0)
        out.append("| **all** | " + " | ".join(f"**{total[c]}**" for c in cols) + " |")
        return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--examples", type=int, default=200, help="schemathesis examples per operation")
    ap.add_argument("--mutations", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1616)
    args = ap.parse_args()

    import os
    import tempfile

    os.environ["BULWARK_FUZZ_PROVIDER_KEY"] = PROVIDER_SECRET
    tally = Tally()
    auth = {"Authorization": f"Bearer {CLIENT_KEY}"}
    with tempfile.TemporaryDirectory() as data, BackgroundBulwark({"_data_dir": data}) as bw:
        schema = schemathesis.openapi.from_dict(document("http://127.0.0.1"))
        for result in schema.get_all_operations():
            op = result.ok()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @settings(max_examples=args.examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
                @given(case=op.as_strategy(generation_mode=mode))
                def run(case: Any) -> None:
                    label = f"{case.path} ({case.meta.generation.mode.value if case.meta else 'generated'})"
                    resp = case.call(base_url=bw.base, headers={**(case.headers or {}), **auth}, timeout=60)
                    tally.add(label, resp.status_code, resp.text, resp.headers.get("Content-Type", ""))

                try:
                    run()
                except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
                    pass
        rng = random.Random(args.seed)
        headers = {**auth, "content-type": "application/json", "anthropic-version": "2023-06-01"}
        with requests.Session() as s:
            for i in range(args.mutations):
                path = rng.choice(list(BASES))
                base = json.loads(json.dumps(BASES[path]))
                # each base prompt differs, so the abuse scoring's repeated-prompt signal does not
                # end the run with a block after the first few dozen (that is tested elsewhere)
                for m in base.get("input") or base.get("messages") or []:
                    m["content"] = f"{m['content']} (case {i}: what is {i} plus {rng.randint(1, 99)}?)"
                r = s.post(bw.base + "/v1" + path, data=json.dumps(mutate(rng, base)), headers=headers, timeout=60)
                tally.add(f"/v1{path} (mutated)", r.status_code, r.text, r.headers.get("Content-Type", ""))
            for body in MALFORMED:
                for path in ("/chat/completions", "/responses", "/messages"):
                    r = s.post(bw.base + "/v1" + path, data=body, headers=headers, timeout=60)
                    tally.add(f"/v1{path} (malformed)", r.status_code, r.text, r.headers.get("Content-Type", ""))
    print(f"fuzz run: schemathesis {schemathesis.__version__}, {args.examples} positive + {args.examples} negative examples per operation, "
          f"{args.mutations} mutations (seed {args.seed}), {len(MALFORMED)} malformed bodies x 3 APIs; full shipped chain\n")
    print(tally.table())
    if tally.bad:
        print(f"\n{len(tally.bad)} bad answers:")
        for line in tally.bad[:30]:
            print("  " + line)
        return 1
    print("\nno 500, no stack trace, every error in its API's shape")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
