"""Stop 33's prune shape (fails before its change): a re-run table ("I re-ran it ...: final numbers")
replaces an earlier table of the same slot: a short user message with values and that cue corrects what
the question is about, like "actually ...".

The conversations are written here (filler topics, the values, more filler, the question), through the
prune plugin with the shipped proxy.toml settings."""
from __future__ import annotations

import random
from typing import Any

import pytest

from plugins.prune import PruneConfig, select
from plugins.prune.pruner import Pruner

# The conversation helpers (shipped settings, filler topics, pruning through the plugin's code path)
# are the corrections tests' own: the same fixture, one definition.
from tests.test_prune_corrections import TOPICS, filler, kept_text, prune


# Filler that shares the question's words (the test, what it shows, what was fixed up front) and no values:
# what outscored the re-run table in heldout10's A/B conversations.
EXPERIMENT = [
    ("Should we run the test for another week?", "Extending a test is fine if the sample size was fixed up front; extending because the "
     "result is close inflates false positives. Keep the stopping rule written down and show it to the team."),
    ("How do I show an interval on a slide?", "Show the interval as a bar with the point estimate and say in words what range is "
     "plausible; a test result without its interval invites over-reading."),
    ("Is peeking at the test every day a problem?", "Peeking is fine for monitoring as long as the decision waits for the sample "
     "size you committed to up front; otherwise the error rate you report is not the one you have."),
    ("Can segments change the story?", "Segment results are exploratory unless pre-registered; the test was sized for the overall "
     "metric, so show segments as hints, not findings."),
]


def experiment_filler(r: random.Random, turns: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for _ in range(turns):
        q, a = r.choice(EXPERIMENT)
        out.append({"role": "user", "content": q})
        out.append({"role": "assistant", "content": a + " " + r.choice(TOPICS)[1]})
    return out


def _table(title: str, rows: list[tuple[str, str, str, str]]) -> str:
    lines = [title, "", "| group | visitors | orders | order rate | rel. lift vs baseline |", "|---|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def test_a_rerun_table_marked_final_replaces_the_first_one() -> None:
    r = random.Random(33)
    filler = experiment_filler
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You help a product team read experiment results."}]
    msgs.append({"role": "user", "content": "Context for the checkout test (A, the old flow, against B, the new one): the plan we "
                                            "committed to says we roll out B only if its order rate beats A by at least a 2.40% minimum lift, at 95% confidence."})
    msgs.append({"role": "assistant", "content": "Understood: the pre-agreed threshold is what the decision rests on."})
    msgs += filler(r, 34)
    msgs.append({"role": "user", "content": _table("Numbers from the dashboard:", [("A", "20,114", "702", "3.490% | -"),
                                                                                  ("B", "20,087", "729", "3.629% | +3.98%")])})
    msgs.append({"role": "assistant", "content": "Those look plausible, but check whether internal accounts are excluded."})
    msgs += filler(r, 34)
    msgs.append({"role": "user", "content": _table("I re-ran it with the internal accounts excluded. Final numbers:",
                                                   [("A", "18,902", "655", "3.465% | -"),
                                                    ("B", "18,877", "691", "3.661% | +5.66%")])})
    msgs.append({"role": "assistant", "content": "Good, that is the one to report."})
    msgs += filler(r, 34)
    msgs.append({"role": "user", "content": "For the write-up: after the cleanup, what relative uplift did B really show, "
                                            "and what bar did we commit to up front?"})
    kept = kept_text(prune(msgs))
    assert "+5.66%" in kept
    assert "2.40% minimum lift" in kept


def test_a_plan_that_lands_over_its_budget_is_chosen_again_lower(monkeypatch: pytest.MonkeyPatch) -> None:
    """A choice can land a few tokens over the budget when the real gap markers cost more than
    the estimate made while choosing (seen: 4,001 for 4,000 on a 290-call agent loop); the
    pruner aims lower by the excess instead of sending the overflow upstream."""
    targets: list[int] = []
    real_choose = select._choose

    def one_token_over_three_times(*args: Any) -> Any:
        p = real_choose(*args)
        targets.append(args[4])
        if len(targets) <= 3:  # the three normal attempts all land one token over
            p.tokens_after = args[4] + 1
        return p

    messages = [{"role": "system", "content": "You are terse."}]
    for i in range(60):
        messages.append({"role": "user", "content": f"Note {i}: the pump on line {i} reads {i * 7} psi and the valve is {'open' if i % 2 else 'shut'}."})
        messages.append({"role": "assistant", "content": f"Logged note {i}."})
    messages.append({"role": "user", "content": "What did the pump on line 3 read?"})
    monkeypatch.setattr(select, "_choose", one_token_over_three_times)
    p = Pruner(PruneConfig(max_input_tokens=600)).plan(messages, "gpt-4o", None, 600)
    assert p.fits and p.tokens_after <= 600 and p.budget == 600
    assert targets[-1] < 600  # the fourth choice aimed below the budget
