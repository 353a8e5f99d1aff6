"""Pruning does not depend on PYTHONHASHSEED: replicas of the proxy (and a replay of one request)
prune the same conversation identically. String hashes are randomised per process, so iterating a set
of words (or a dict built in that order) changed which neighbour of a line an excerpt kept, and the
order of float sums, between processes. The conversation is written here; each prune runs in its own
interpreter with another seed, with the shipped proxy.toml settings."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run as a script in a subprocess: build the conversation, prune it, print the kept messages.
SCRIPT = r'''
import random, sys, tomllib
import orjson
sys.path.insert(0, sys.argv[1])
from plugins.prune import PruneConfig
from plugins.prune.pruner import Pruner

WORDS = ["ferry", "voucher", "glacier", "mortgage", "trellis", "compost", "invoice", "harbour", "lantern", "saddle",
         "quarry", "orchard", "beacon", "cellar", "gazebo", "pylon", "kettle", "meadow", "turbine", "anchor"]
FILL = ["The committee noted the item and moved on without further discussion.",
        "Several members asked for the figures to be circulated before the next session.",
        "It was agreed that the working group would report back in due course.",
        "No objections were raised and the chair thanked everyone for attending."]
r = random.Random("prune-determinism")
lines = []
for k in range(60):
    a, b = r.sample(WORDS, 2)
    # a line reaching one query word, a line reaching none (lifted by both neighbours), a line reaching another
    lines.append(f"Then the {a} came up again, raised by the {r.choice(['north', 'south', 'east'])} office.")
    lines.append(f"Tag Q{r.randrange(1000, 9999)}-{k} was noted for it.")
    lines.append(f"The {b} and the {b} schedule were reviewed with the {r.choice(['budget', 'rota', 'plan'])}.")
    lines.append(r.choice(FILL))
doc = "\n".join(lines)
msgs = [{"role": "system", "content": "You are a helpful assistant."}]
for t in range(6):
    msgs.append({"role": "user", "content": f"Small question {t}: how should I plan the week? " + r.choice(FILL)})
    msgs.append({"role": "assistant", "content": " ".join(r.choice(FILL) for _ in range(4))})
msgs.append({"role": "user", "content": "Here are the minutes of the last meeting:\n\n" + doc})
msgs.append({"role": "assistant", "content": "Thanks, I have read the minutes."})
for t in range(4):
    msgs.append({"role": "user", "content": f"Unrelated {t}: any tips for a quiet weekend? " + r.choice(FILL)})
    msgs.append({"role": "assistant", "content": " ".join(r.choice(FILL) for _ in range(3))})
msgs.append({"role": "user", "content": "Summarise what the minutes said about the " + ", ".join(WORDS) + " topics."})
raw = tomllib.loads((__import__("pathlib").Path(sys.argv[1]) / "proxy.toml").read_text())
cfg = PruneConfig.model_validate(raw["plugins"]["prune"])
budget = int(sys.argv[2])
res = Pruner(cfg.model_copy(update={"max_input_tokens": budget})).prune(msgs, "gpt-4o", None, budget)
assert res.plan.changed and res.plan.excerpted_messages, "the minutes must be excerpted for this test to mean anything"
sys.stdout.write(orjson.dumps(res.messages).decode())
'''


def _kept(seed: int, budget: int) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT), str(budget)], env=env, capture_output=True, text=True,
                         check=False, cwd=str(ROOT))
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_prune_is_identical_under_every_hash_seed() -> None:
    for budget in (2500, 3500):
        kept = {seed: _kept(seed, budget) for seed in range(6)}
        assert kept[0]
        differ = [seed for seed, k in kept.items() if k != kept[0]]
        assert not differ, f"budget {budget}: seeds {differ} kept other messages than seed 0"
