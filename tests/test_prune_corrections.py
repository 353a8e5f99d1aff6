"""Pruning keeps what replaced a value: a later correction of a slot ("actually the kickoff moved to
10:30"), the newer of two versions of a pasted document, and, when a pasted table is shortened, its
header row with the rows the question names. The conversations are written here (filler topics,
then the fact, its echoes, the correction, more filler, the question), through the prune plugin
with the shipped proxy.toml settings, and once end to end through the shipped chain on both
state backends."""
from __future__ import annotations

import random
import tomllib
from pathlib import Path
from typing import Any

import pytest

from plugins.prune import Prune, PruneConfig
from proxy import tokens
from tests.helpers import openai_client
from tests.shipped import SHIPPED, shipped_proxy

MODEL = "gpt-4o-mini"
BUDGET = 6000  # [plugins.prune] max_input_tokens of the shipped proxy.toml

TOPICS = [
    ("the office move", "The movers want the floor plan, the crates are labelled by team, and IT will unplug the desks on Friday."),
    ("the hiring loop", "We have two panels left, the take-home exercise needs a rubric, and the recruiter wants feedback within a day."),
    ("the newsletter", "The draft has four sections, the photos need credits, and marketing wants a shorter subject line."),
    ("the laptop refresh", "Finance approved the order, the old machines get wiped, and the vendor ships them in two batches."),
    ("the quarterly review", "The slides need the churn chart, the narrative is too long, and the appendix repeats the summary."),
]


def pruner() -> Prune:
    raw = tomllib.loads(SHIPPED.read_text())
    return Prune(PruneConfig.model_validate(raw["plugins"]["prune"]), None)


def filler(r: random.Random, turns: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for _ in range(turns):
        topic, line = r.choice(TOPICS)
        out.append({"role": "user", "content": f"About {topic}: what should we do next? {line}"})
        out.append({"role": "assistant", "content": " ".join(r.choice(TOPICS)[1] for _ in range(5))})
    return out


def kept_text(out: list[dict[str, Any]]) -> str:
    return "\n".join(tokens.content_text(m.get("content")) for m in out[:-1])


def prune(msgs: list[dict[str, Any]], budget: int = BUDGET) -> list[dict[str, Any]]:
    assert tokens.count_messages(msgs, MODEL) > budget
    res = pruner().pruner.prune(msgs, MODEL, None, budget)
    assert res.fits and tokens.count_messages(res.messages, MODEL) <= budget
    return res.messages


CORRECTIONS = ["Correction: it moved to 10:30, not 09:15.", "Actually, make that 10:30 instead.", "Update: we start at 10:30 now."]


def kickoff_conversation(seed: int, correction: str = CORRECTIONS[0], tail: int = 100) -> list[dict[str, Any]]:
    """The start time, echoed in long agendas; a short correction that hardly names the slot; a long
    stretch of other topics; the question uses the slot's words (those of the stale messages)."""
    r = random.Random(seed)
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are a project assistant."}]
    msgs += filler(r, 6)
    msgs.append({"role": "user", "content": "The partner kickoff workshop starts at 09:15 in the Harbour room; please draft an agenda."})
    for k in range(3):  # the stale value, repeated in long, detailed answers
        msgs.append({"role": "assistant", "content": f"Agenda draft {k + 1} for the partner kickoff workshop (starts 09:15, Harbour room): "
                     + " ".join(f"Item {j}: {r.choice(TOPICS)[1]}" for j in range(12)) + " Doors open at 09:15 sharp."})
        msgs.append({"role": "user", "content": "Looks fine, keep going with the details. " + r.choice(TOPICS)[1]})
    msgs += filler(r, 4)
    msgs.append({"role": "user", "content": correction})
    msgs.append({"role": "assistant", "content": "Noted."})
    msgs += filler(r, tail)
    msgs.append({"role": "user", "content": "Remind me, what time does the partner kickoff workshop start?"})
    return msgs


@pytest.mark.parametrize("budget", [BUDGET, 4000])
@pytest.mark.parametrize("correction", CORRECTIONS)
@pytest.mark.parametrize("seed", range(6))
def test_a_short_correction_outlives_the_value_it_replaces(seed: int, correction: str, budget: int) -> None:
    out = prune(kickoff_conversation(seed, correction), budget)
    assert "10:30" in kept_text(out)


def test_a_correction_inside_a_long_answer_survives_its_excerpt() -> None:
    """The assistant corrects the value in the middle of a long answer about something else: when the
    answer is shortened, the corrected line is what the question needs of it."""
    msgs = kickoff_conversation(2, "Thanks. " + TOPICS[1][1], tail=60)
    r = random.Random(21)
    i = next(i for i, m in enumerate(msgs) if m["content"] == "Noted.")
    body = [r.choice(TOPICS)[1] for _ in range(40)]
    body.insert(23, "I re-checked the invitation: the start time changed to 10:30, not 09:15 as I wrote before.")
    msgs[i] = {"role": "assistant", "content": "Here is the status of the hiring loop and the office move.\n" + "\n".join(body)}
    assert "10:30" in kept_text(prune(msgs, 4000))


def test_a_correction_without_a_cue_word_for_the_slot_still_counts_when_it_points_back() -> None:
    """'Scratch that' / 'instead': the correction names the new value and little of the slot; it is
    linked to the message before it that it replaces."""
    r = random.Random(11)
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are a logistics assistant."}]
    msgs += filler(r, 5)
    msgs.append({"role": "user", "content": "Ship the spare compressor parts to the Rotterdam depot, dock 7, for the March overhaul."})
    for _ in range(3):
        msgs.append({"role": "assistant", "content": "Shipping plan for the spare compressor parts to the Rotterdam depot, dock 7: "
                     + " ".join(r.choice(TOPICS)[1] for _ in range(10))})
        msgs.append({"role": "user", "content": "OK. " + r.choice(TOPICS)[1]})
    msgs.append({"role": "user", "content": "Scratch that: use the Antwerp depot instead, dock 12."})
    msgs.append({"role": "assistant", "content": "Understood."})
    msgs += filler(r, 80)
    msgs.append({"role": "user", "content": "Which depot and dock are the spare compressor parts going to?"})
    text = kept_text(prune(msgs))
    assert "Antwerp" in text and "dock 12" in text


POLICY = [
    "Section {n}. Meals while travelling are reimbursed against receipts up to the daily limit for the destination city.",
    "Section {n}. Economy class is the default for flights shorter than six hours; longer flights may be booked in premium economy.",
    "Section {n}. Taxis are reimbursed when public transport is not available or the trip starts before 06:00.",
    "Section {n}. Hotel bookings go through the travel desk; personal loyalty points may be kept.",
    "Section {n}. Expense reports are filed within thirty days of the trip with every receipt attached.",
]


def policy(version: int, stipend: str) -> str:
    lines = [f"TRAVEL AND REMOTE WORK POLICY, version {version}"]
    for n in range(1, 61):
        lines.append(POLICY[n % len(POLICY)].format(n=n))
        if n == 37:
            lines.append(f"Section 37a. The remote work stipend is {stipend} per month, paid with the salary.")
    return "\n".join(lines)


def two_versions(seed: int, question: str) -> list[dict[str, Any]]:
    """A policy pasted, discussed, then its updated draft (one value changed), more discussion, the question."""
    r = random.Random(seed)
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are an HR assistant."}]
    msgs.append({"role": "user", "content": "Here is the policy:\n" + policy(1, "EUR 60")})
    msgs.append({"role": "assistant", "content": "Thanks, I have read the policy."})
    msgs += filler(r, 6)
    msgs.append({"role": "user", "content": "HR sent the updated draft of the policy:\n" + policy(2, "EUR 85")})
    msgs.append({"role": "assistant", "content": "Thanks, I have read the updated policy."})
    msgs += filler(r, 25)
    msgs.append({"role": "user", "content": question})
    return msgs


@pytest.mark.parametrize("budget", [2000, 3000])
@pytest.mark.parametrize("question", ["What does the updated draft of the policy change?",
                                      "Summarise what HR changed in the policy.",
                                      "How much is the remote work stipend per month?"])
@pytest.mark.parametrize("seed", range(3))
def test_the_newer_version_of_a_document_keeps_what_it_changed(seed: int, question: str, budget: int) -> None:
    """Both versions are shortened; the newer one keeps the line that differs from the older one
    (its new value), whether the question names that line's words or only asks what changed."""
    out = prune(two_versions(seed, question), budget)
    newer = next(m["content"] for m in out if "updated draft" in str(m["content"]) and m["role"] == "user" and m is not out[-1])
    assert "EUR 85" in newer


def table(rows: int) -> str:
    r = random.Random(8)
    sites = ["Delft", "Gouda", "Breda", "Assen", "Emmen", "Venlo", "Hoorn", "Zwolle", "Tiel", "Weert"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    lines = ["site,month,energy_kwh,peak_kw,outage_minutes,technician"]
    for k in range(rows):
        site, month = sites[k % len(sites)], months[(k // len(sites)) % len(months)]
        minutes = "417" if (site, month) == ("Breda", "Aug") else str(r.randint(0, 90))
        lines.append(f"{site},{month},{r.randint(20000, 90000)},{r.randint(40, 190)},{minutes},tech{r.randint(10, 99)}")
    return "\n".join(lines)


def test_a_shortened_table_keeps_its_header_and_the_row_asked_about() -> None:
    r = random.Random(3)
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are an operations analyst."}]
    msgs.append({"role": "user", "content": "Monthly site metrics export:\n" + table(120)})
    msgs.append({"role": "assistant", "content": "Got the export; 120 rows across ten sites."})
    msgs += filler(r, 20)
    msgs.append({"role": "user", "content": "How many outage minutes did Breda have in Aug?"})
    out = prune(msgs, 3000)
    excerpt = next(m["content"] for m in out if m["role"] == "user" and "Bulwark kept the parts" in str(m["content"]))
    lines = excerpt.split("\n")
    assert "site,month,energy_kwh,peak_kw,outage_minutes,technician" in lines  # the header row, as its own line
    row = next(line for line in lines if line.startswith("Breda,Aug,"))
    assert row.split(",")[4] == "417"  # the row itself, whole


QUOTES = [("Aldane", "1400", "fourteen hundred"), ("Bergmann", "1200", "twelve hundred"), ("Corvell", "1300", "thirteen hundred"),
          ("Dunmore", "1700", "seventeen hundred"), ("Estrada", "1900", "nineteen hundred"), ("Falkner", "1500", "fifteen hundred"),
          ("Garrick", "1100", "eleven hundred"), ("Holloway", "1600", "sixteen hundred"), ("Ingram", "2000", "two thousand"),
          ("Jessop", "1800", "eighteen hundred")]


@pytest.mark.parametrize("target", range(len(QUOTES)))
def test_a_number_in_words_meets_its_digits(target: int) -> None:
    """Paraphrase by number form: the question says "twelve hundred", the quote says 1200. Ten
    look-alike quotes sit in the history, more than the budget keeps; only the figure tells them apart."""
    r = random.Random(17)
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are a purchasing assistant."}]
    for name, price, _ in QUOTES:
        msgs += filler(r, 4)
        terms = " ".join(r.sample(TOPICS, 3)[k][1] for k in range(3))
        msgs.append({"role": "user", "content": f"Quote from {name}: {price} for the server racks, delivery included. "
                                                f"Their sales note also says: {terms}"})
        msgs.append({"role": "assistant", "content": "Logged that quote for the server racks."})
    msgs += filler(r, 30)
    name, _, spoken = QUOTES[target]
    msgs.append({"role": "user", "content": f"Which company offered {spoken} for the server racks?"})
    assert name in kept_text(prune(msgs, 600))


# -- end to end: the shipped proxy.toml chain -------------------------------------------------------

_KEYS = [{"name": "test", "key": "sk-test", "tier": "standard", "limits": {"tpm": 1_000_000, "rpm": 1000}}]


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_shipped_chain_sends_the_correction_upstream(backend: str, sim: Any, tmp_path: Path, unique_prefix: str,
                                                          redis_url: str) -> None:
    msgs = kickoff_conversation(1, CORRECTIONS[1], tail=160)
    before = tokens.count_messages(msgs, MODEL)
    assert before > BUDGET
    async with shipped_proxy(backend, sim, tmp_path, unique_prefix, redis_url, keys=_KEYS) as proxy:
        raw = await openai_client(proxy.url).chat.completions.with_raw_response.create(model=MODEL, messages=msgs)
        assert raw.status_code == 200
        sent = sim.requests[-1]["json"]["messages"]
        assert tokens.count_messages(sent, MODEL) <= BUDGET < before
        assert int(raw.headers["x-bulwark-pruned-tokens"]) == before - tokens.count_messages(sent, MODEL)
        assert sent[-1] == msgs[-1]
        assert "10:30" in kept_text(sent)


def _slot_conversation(seed: int, fact: str, echoes: list[str], correction: str, question: str) -> list[dict[str, Any]]:
    r = random.Random(seed)
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are a helpful assistant."}]
    msgs += filler(r, 10)
    msgs += [{"role": "user", "content": fact}, {"role": "assistant", "content": "Noted."}]
    for e in echoes:
        msgs += filler(r, 8)
        msgs += [{"role": "user", "content": e}, {"role": "assistant", "content": "Done, I used that."}]
    msgs += filler(r, 6)
    msgs += [{"role": "user", "content": correction}, {"role": "assistant", "content": "Thanks, noted."}]
    msgs += filler(r, 90)
    msgs.append({"role": "user", "content": question})
    return msgs


@pytest.mark.parametrize("seed", [1, 2])
def test_a_corrected_spelling_is_a_value_and_its_correction_survives(seed: int) -> None:
    """A name has no digit, yet "Wolski was a typo" corrects it: the correction names what it corrects."""
    msgs = _slot_conversation(seed, "New client: the contact is Katarzyna Wolski, head of procurement at Brzozowski Foods.",
                              ["Draft a subject line for the kickoff email to Katarzyna Wolski.", "Add Katarzyna Wolski to the invite list."],
                              "Oops: her surname is Wolska, the feminine form. Wolski was a typo in our CRM.",
                              "Write the greeting line of the kickoff email to the procurement contact.")
    assert "Wolska" in kept_text(prune(msgs, 3000))


@pytest.mark.parametrize("seed", [1, 2])
def test_it_should_be_x_not_y_is_a_correction(seed: int) -> None:
    msgs = _slot_conversation(seed, "The vet prescribed meloxicam for Biscuit, our terrier: 2.5 ml twice a day with food.",
                              ["Make me a reminder card for Biscuit: 2.5 ml twice a day.", "So that is 5 ml a day of meloxicam in total for Biscuit."],
                              "The vet just rang back: she made a mistake on the label. It should be 1.5 ml once a day, not twice.",
                              "What exactly do I give Biscuit tonight, and how often from now on?")
    assert "1.5 ml once a day" in kept_text(prune(msgs, 3000))
