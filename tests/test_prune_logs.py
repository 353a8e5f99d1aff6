"""Pruning keeps the facts of long logs, contracts and e-mail threads (issue 18): the failing test and its
assert line in a CI log full of PASSED lines, the "Attn:" addressee of a notices clause in a long pasted
agreement, and the new room and PIN in the latest e-mail of a rescheduled thread. The word forms that
join a question to them ("assertion" / "assert", "failure" / "failed", "AssertionError") are checked
on their own. The conversations are written here and pruned with the shipped proxy.toml settings."""
from __future__ import annotations

import json
import random
from typing import Any

from plugins.prune.scoring import analyse
from plugins.prune.words import stem, terms_of
from tests.test_prune_corrections import filler, kept_text, prune

PARTS = ["refund", "ledger", "coupon", "tenant", "cursor", "quota", "session", "webhook", "invoice", "receipt", "archive"]
VERBS = ["compute", "parse", "merge", "rotate", "apply", "flush", "split", "expire"]


def test_an_action_noun_meets_its_verb() -> None:
    """"assertion" and "failure" stemmed to themselves ("assertion", "failur"), so a question about
    "the assertion" or "the failure" met no "assert" / "FAILED" line of a log."""
    assert stem("assertion") == stem("asserted") == stem("assert") == stem("assertions")
    assert stem("failure") == stem("failed") == stem("failing") == stem("fail") == stem("failures")
    assert stem("measured") == stem("measure") and stem("configured") == stem("configure")
    assert stem("optional") == stem("option")  # the "-al" of an "-ion" word goes first, as before
    assert "assert" in terms_of("Explain the assertion") and "fail" in terms_of("what was the failure?")


def test_a_pascal_case_name_is_also_its_words_for_a_message() -> None:
    """ "AssertionError" counted as one word ("assertionerror"): a message whose only mention of the
    failure is the exception name met no question about an assertion or an error."""
    tf = analyse("tests/catalog/test_invoice.py:640: AssertionError; then a TimeoutException").tf
    assert {stem("assertion"), "error", "timeout", stem("exception")} <= tf.keys()
    assert "assertionerror" in tf  # the name whole too


def _ci_log(r: random.Random, failing: str, assertion: str) -> str:
    lines = []
    for k in range(420):
        t = f"[01:{40 + k // 60:02d}:{k % 60:02d}]"
        x = r.random()
        name = f"test_{r.choice(VERBS)}_{r.choice(PARTS)}_{r.choice(PARTS)}_{r.choice(['edge', 'case', 'bulk', 'utc'])}"
        if x < 0.72:
            lines.append(f"{t} PASSED tests/{r.choice(PARTS)}/test_{r.choice(PARTS)}.py::{name}")
        elif x < 0.84:
            lines.append(f"{t} Step {r.randrange(1, 40)}/{r.randrange(40, 60)} : RUN pip install -r requirements/{r.choice(PARTS)}.txt")
        elif x < 0.92:
            lines.append(f"{t} Downloading {r.choice(PARTS)}-{r.choice(PARTS)}-{r.randrange(1, 9)}.{r.randrange(30)}.{r.randrange(9)}-py3-none-any.whl")
        else:
            lines.append(f"{t} SKIPPED tests/{r.choice(PARTS)}/test_{r.choice(PARTS)}.py::{name} (requires redis)")
        if k == 230:
            lines += [f"_________________________ {failing} _________________________",
                      f"    def {failing}(fixture_coupon):",
                      "        result = render_currency(fixture_receipt)",
                      ">       assert result.total == expected_total",
                      f"E       {assertion}",
                      "",
                      "tests/catalog/test_invoice.py:640: AssertionError"]
    lines += ["=========================== short test summary info ============================",
              f"FAILED tests/catalog/test_invoice.py::{failing}", "=================== 1 failed, 301 passed, 25 skipped in 81.20s ==================="]
    return "\n".join(lines)


def test_a_ci_log_keeps_the_failure_lines_a_question_about_the_failure_asks_for() -> None:
    """The log is ~10k tokens of PASSED / "Step ... RUN" lines that share the question's words ("test",
    "run"); the summary's FAILED line shares "failing", the assert line in the failure block above it
    shares nothing. The excerpt kept the FAILED line and "Step ... RUN" lines, not the assert line;
    under a question about a failure, lines that mark one (FAILED, an error type, pytest's
    "E   assert") count more in a log's excerpt (carried into a tool result's own query too)."""
    for seed in range(3):
        r = random.Random(seed)
        failing = f"test_{VERBS[seed]}_refund_tenant_case"
        assertion = f"assert {r.randrange(10000, 99999)} == {r.randrange(10000, 99999)}"
        call = {"id": "call_1", "type": "function", "function": {"name": "run_tests", "arguments": json.dumps({"suite": "all"})}}
        msgs: list[dict[str, Any]] = [
            {"role": "system", "content": "You are a coding assistant embedded in the team's repository."},
            *filler(r, 10),
            {"role": "user", "content": "Run today's test suite and tell me what's broken."},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_1", "content": _ci_log(r, failing, assertion)},
            {"role": "assistant", "content": "The suite has finished; there's one failure in the output."},
            *filler(r, 30),
            {"role": "user", "content": "Which test is failing on today's run, and what exactly did it print?"}]
        kept = kept_text(prune(msgs, 4000))
        assert f"FAILED tests/catalog/test_invoice.py::{failing}" in kept, seed
        assert assertion in kept, seed


CLAUSES = ["The Supplier shall perform the Services with the skill, care and diligence expected of a competent provider.",
           "The Customer may, on reasonable notice and no more than once in any contract year, audit the Supplier's compliance.",
           "Each party shall keep the other party's Confidential Information secret and use it only for the purposes of this Agreement.",
           "Either party may suspend performance on written notice where the other party fails to pay undisputed sums.",
           "Any notice of a change request shall describe the change and its effect on the Charges.",
           "The parties shall attempt in good faith to resolve any dispute through their respective relationship managers.",
           "Notice of any claim under this clause shall be given promptly and in any event within the claim period.",
           "A notice of breach shall describe the breach in reasonable detail and be addressed to the defaulting party.",
           "Any notice given by e-mail is deemed received on the next Business Day.",
           "Each party shall notify the other of any change to its registered address within ten Business Days."]
HEADS = ["Services", "Audit Rights", "Confidentiality", "Change Control", "Records", "Disputes", "Insurance", "Publicity"]


def _agreement(r: random.Random, addressee: str) -> str:
    out = ["MASTER SERVICES AGREEMENT", "", "This Agreement is made between the Customer and the Supplier."]
    for n in range(1, 71):
        out.append("")
        if n == 14:
            out += ["14. Termination", "14.1 Either party may terminate this Agreement for material breach not remedied within the cure period.",
                    "14.2 Termination for Convenience. Either party may terminate this Agreement on ninety (90) days' prior written notice."]
        elif n == 58:
            out += ["58. Notices", "58.1 Notices shall be in writing and delivered by hand or by recorded delivery.",
                    f"58.2 Notices to the Supplier shall be sent to: Attn: {addressee}, General Counsel, 39 Mill Lane."]
        else:
            out.append(f"{n}. {r.choice(HEADS)}")
            out += [f"{n}.{k} {' '.join(r.sample(CLAUSES, 2))}" for k in range(1, 4)]
    return "\n".join(out)


def test_an_attn_line_survives_a_question_about_whom_to_notify() -> None:
    """Dozens of clauses mention notice ("on reasonable notice", "written notice"), and the question's
    "addressed to" matches none of them, nor the "Attn:" line: the excerpt kept the termination clause
    and notice clauses, not the addressee. Under a question about whom something goes to, lines
    naming an addressee ("Attn:", "For the attention of", "addressed to") count more."""
    for seed, addressee in enumerate(["Mateo Haverkamp", "Wen Delacroix", "Ines Okafor"]):
        r = random.Random(seed)
        msgs = [{"role": "system", "content": "You are a contracts assistant for an in-house legal team."},
                *filler(r, 20),
                {"role": "user", "content": "Here is the executed agreement we signed:\n\n" + _agreement(r, addressee)},
                {"role": "assistant", "content": "Thanks, I have the agreement."},
                *filler(r, 30),
                {"role": "user", "content": "How much notice do we have to give to terminate for convenience, and who exactly must "
                                            "the notice be addressed to?"}]
        kept = kept_text(prune(msgs, 4000))
        assert f"Attn: {addressee}" in kept, seed
        assert "ninety (90) days" in kept, seed


SIGN = ("This e-mail and any attachments are confidential and intended solely for the addressee. If you have received it "
        "in error please notify the sender and delete it.")
BODY = ["Adding Procurement for visibility.", "Thanks all for the quick turnaround on this.",
        "We would like to cover the renewal terms and the roadmap for next year.",
        "Please see the attached agenda and let me know if anything is missing.",
        "Parking is available in the visitor area, just give your name at the barrier.",
        "Looping in our solutions engineer who can speak to the integration questions.",
        "We'd also like a short demo of the reporting module if time allows."]


def _mail(r: random.Random, sender: str, lines: list[str]) -> str:
    body = r.sample(BODY, 3) + lines
    return (f"From: {sender} <team@meridian.example>\nTo: vendor-review list\nSent: {r.randrange(1, 28)} May 2026 10:19\n"
            f"Subject: RE: Quarterly vendor review with Meridian Labs\n\nHi all,\n\n" + "\n\n".join(body)
            + f"\n\nBest regards,\n{sender}\n\n{SIGN}")


def _threads(seed: int, between: int) -> tuple[list[dict[str, Any]], str, str]:
    r = random.Random(seed)
    room, pin = f"D{seed + 3}-1{seed}4", f"63{seed}9 4{seed}1"
    old = "\n\n-----Original Message-----\n".join(
        [_mail(r, "Bram Nakashima", ["We'll meet on Thursday at 9:15 in room F4-215; remote participants can dial in with PIN 4935 899."])]
        + [_mail(r, name, []) for name in ("Amara Brennan", "Olu Szabo", "Tomas Kowalczyk")])
    new = "\n\n-----Original Message-----\n".join(
        [_mail(r, "Bram Nakashima", [f"Unfortunately we need to move the review to Monday at 15:10. It is now in room {room}, and the "
                                     f"new dial-in PIN is {pin}. Earlier details no longer apply."]), _mail(r, "Ilse Vasquez", [])])
    msgs = [{"role": "system", "content": "You are an executive assistant."},
            {"role": "user", "content": "Pasting the invite thread so you have context for the vendor review:\n\n" + old},
            {"role": "assistant", "content": "Got it, thanks."},
            *filler(r, between),
            {"role": "user", "content": "A new e-mail just came in from them, earlier quoted text trimmed:\n\n" + new},
            {"role": "assistant", "content": "Understood, I've noted the change."},
            *filler(r, 6),
            {"role": "user", "content": "So where is the vendor review happening now, and what PIN do I use if I have to join remotely?"}]
    return msgs, room, pin


def test_an_e_mail_that_says_it_updates_a_thread_is_its_newest_version() -> None:
    """The new e-mail shares half its words with the old thread (Jaccard ~0.5, under the 0.6 of two
    versions of one document), and the old one has a question word the new one lacks ("remote"),
    so they were not taken for versions: the old thread kept the relevance and the room, the new
    one a 65-token excerpt without the room. A newer message that says it updates ("is now",
    "no longer apply") is the newest version by its own words."""
    for seed in range(3):
        msgs, room, pin = _threads(seed, 20)
        kept = kept_text(prune(msgs, 4000))
        assert room in kept and pin in kept, seed


NOUNS = ("orchard drainage ditch tractor pallet racking forklift manifest carton rota barn seedling compost trellis hedge "
         "greenhouse irrigation valve gutter shed fence paddock silo harvest trailer sprayer mower boiler radiator kiln "
         "ladder chisel lathe anvil bellows furnace crucible trowel spade wheelbarrow hosepipe sprinkler turbine pylon "
         "culvert sluice weir lock towpath barge jetty slipway winch hoist gantry crane scaffold girder rivet").split()
ADJS = "muddy wobbly rusty noisy dusty narrow steep leaky spare broken heavy fragile seasonal overdue".split()


def _long_chat(r: random.Random, n: int) -> list[dict[str, Any]]:
    """n question/answer pairs whose answers are long enough to be taken for documents (40+ terms)."""
    out: list[dict[str, Any]] = []
    for _ in range(n):
        out.append({"role": "user", "content": f"What should we do about the {r.choice(ADJS)} {r.choice(NOUNS)}?"})
        out.append({"role": "assistant", "content": " ".join(
            f"Check the {r.choice(ADJS)} {a} before the {b}, then log the {c}." for a, b, c in
            zip(r.sample(NOUNS, 14), r.sample(NOUNS, 14), r.sample(NOUNS, 14)))})
    return out


def test_an_update_answers_a_thread_pasted_long_before() -> None:
    """The same with ~70 long messages between the thread and its update: versions were looked
    for among the last 60 long messages only. An update is compared with the relevant ones further
    back too."""
    msgs, room, pin = _threads(5, 4)
    msgs[3:3] = _long_chat(random.Random(5), 70)
    longs = [m for m in msgs if len(analyse(str(m.get("content") or "")).terms) >= 40]  # (what versions compares)
    assert len(longs) > 62
    kept = kept_text(prune(msgs, 4000))
    assert room in kept and pin in kept

