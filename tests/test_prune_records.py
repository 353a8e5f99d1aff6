"""Pruning long records and late corrections: a pasted table shortened to the row the question
names (a row's neighbours are other records, not its context), and a correction made a hundred turns after the value it replaces,
in the wordings people use ("it's now ...", "not what I wrote", "I misread"). The
conversations are written here and pruned with the shipped proxy.toml settings."""
from __future__ import annotations

import random
from typing import Any

import pytest

from plugins.prune import lexicon, supersede
from plugins.prune.excerpt import Query, excerpt_text
from plugins.prune.words import terms_of
from proxy import tokens
from tests.test_prune_corrections import BUDGET, MODEL, filler, kept_text, prune, pruner

SURNAMES = ["Ilves", "Jovanovic", "Grimaldi", "Rourke", "Esposito", "Quintero", "Novak", "Fairbanks", "Zielinski",
            "Underhill", "Brannigan", "Lachance", "Cormier", "Bellweather", "Vasquez", "Salazar", "Achterberg",
            "Oyelaran", "Desrosiers", "Petrakis", "Yilmaz", "Xiong", "Uchida", "Szabo", "Engstrom", "Nakagawa"]


def _table(r: random.Random, answer_row: int) -> tuple[str, str]:
    rows = ["job_id,customer,street,inverter_model,inverter_serial,kw,commissioned"]
    serial = ""
    for k, name in enumerate(SURNAMES * 2):
        s = f"HX9-{r.randrange(10000, 99999)}-{chr(65 + r.randrange(26))}"
        if k == answer_row:
            name, serial = "Kowalczyk", s
        rows.append(f"SOL-{2400 + k},{name}{'' if k < len(SURNAMES) else '-Lund'},{r.randrange(100, 9999)} Heron Pl,"
                    f"HX9-11.4,{s},{r.choice(['5.2', '8.1', '9.6'])},2025-0{r.randrange(1, 9)}-1{r.randrange(0, 9)}")
    return "Here's the commissioning export, keep it handy:\n\n```csv\n" + "\n".join(rows) + "\n```", serial


def _query(question: str) -> Query:
    return Query({t: 1.0 for t in terms_of(question)}, lexicon.answer_kinds(question))


@pytest.mark.parametrize("answer_row", [3, 20, 41])
def test_a_csv_row_named_by_its_key_survives_with_its_header(answer_row: int) -> None:
    """The rows after a matching row (and after the header) used to take half its relevance, as a
    transcript's answer takes its question's, so a small excerpt kept the header and the rows after
    it, not the row."""
    doc, serial = _table(random.Random(answer_row), answer_row)
    q = _query("The manufacturer needs the inverter serial for the Kowalczyk job. What is it?")
    out = excerpt_text(doc, 100, MODEL, q)  # room for the note and about two lines
    assert serial in out
    assert tokens.count_text(out, MODEL) <= 100
    out = excerpt_text(doc, 160, MODEL, q)
    assert serial in out and "job_id,customer,street,inverter_model,inverter_serial" in out  # the header comes with the row


def test_a_markdown_price_row_beats_the_intro_and_the_next_vintage() -> None:
    r = random.Random(7)
    lines = ["| producer | wine | vintage | format | price per case |", "|---|---|---|---|---|"]
    for k in range(50):
        lines.append(f"| Bodega {SURNAMES[k % len(SURNAMES)]} | Tinto {k} | {2015 + k % 8} | 12x750 | €{r.randrange(40, 200)}.{r.randrange(10, 99)} |")
    lines.insert(30, "| Bodegas Altanza | Lealtanza Reserva | 2018 | 12x750 | €112.90 |")
    lines.insert(31, "| Bodegas Altanza | Lealtanza Reserva | 2019 | 12x750 | €118.40 |")
    doc = "Our agent sent the autumn ex-cellar price list for the next container:\n\n" + "\n".join(lines)
    msgs = [{"role": "system", "content": "You help a wine importer."}, *filler(r, 8), {"role": "user", "content": doc},
            {"role": "assistant", "content": "Thanks, noted."}, *filler(r, 40),
            {"role": "user", "content": "What's the ex-cellar price per case on the 2019 Altanza Reserva in that list?"}]
    kept = kept_text(prune(msgs))
    assert "€118.40" in kept
    assert "| producer | wine | vintage |" in kept


@pytest.mark.parametrize("value, stale, correction, question", [
    ("16:40", "14:05", "oh, airline email: it's now 16:40.", "What time should the shuttle collect us if we want to be at the airport two hours before takeoff?"),
    ("850 mg", "500 mg", "pharmacy called - it's 850 mg, not what I wrote. same frequency", "What is Mr Duarte's total daily amount of the diabetes tablet, in milligrams?"),
    ("$81,950", "$84,300", "ugh, misread the form, box 1 is actually $81,950", "Using my salary figure from the W-2, what's my taxable income after the standard deduction?"),
])
def test_a_correction_a_hundred_turns_after_the_value_survives(value: str, stale: str, correction: str, question: str) -> None:
    """The value is stated and echoed early; the correction comes ~110 units later (the old window
    was 60 units back), in words that share nothing with the question."""
    r = random.Random(value)
    facts = {"16:40": ("Flights are booked! Lisbon to Copenhagen on the 14th, departing 14:05.", "With a 14:05 departure you'd want to be at the airport by around noon."),
             "850 mg": ("Patient note: Mr Duarte takes metformin 500 mg twice daily.", "Recorded: metformin 500 mg twice daily."),
             "$81,950": ("My W-2 box 1 wages are $84,300 this year.", "At $84,300 of wages, after the standard deduction you'd be mid-bracket.")}[value]
    msgs = [{"role": "system", "content": "You are a helpful assistant."}, *filler(r, 5),
            {"role": "user", "content": facts[0]}, {"role": "assistant", "content": facts[1]}, *filler(r, 55),
            {"role": "user", "content": correction}, {"role": "assistant", "content": "Noted."}, *filler(r, 90),
            {"role": "user", "content": question}]
    kept = kept_text(prune(msgs))
    assert value in kept
    # the correction is linked to the value it replaces: it takes that message's relevance to the question
    plan = pruner().pruner.plan(msgs, MODEL, None, BUDGET)
    unit = next(u for u in plan.units if correction in str(msgs[u.messages[0]].get("content")))
    assert unit.rel_norm >= 0.4


@pytest.mark.parametrize("text, strength", [
    ("oh, airline email: it's now 16:40.", 1),
    ("pharmacy called - it's 850 mg, not what I wrote. same frequency", 2),
    ("ugh, misread the form, box 1 is actually $81,950", 2),
    ("sorry, I misspoke earlier: the gate code is 4471", 2),
])
def test_correction_wordings_are_cues(text: str, strength: int) -> None:
    assert supersede.correction_cue(text) >= strength


def test_a_measured_amount_is_the_kind_a_dose_question_asks_for() -> None:
    asked = lexicon.answer_kinds("What is Mr Duarte's total daily amount of the diabetes tablet, in milligrams?")
    assert asked & lexicon.value_kinds("pharmacy called - it's 850 mg, not what I wrote")
    assert not lexicon.value_kinds("pharmacy called, same frequency as before") & lexicon.BIT["measure"]


def test_a_question_spelling_out_an_abbreviation_meets_it() -> None:
    """"auxiliary power unit" in the question, "APU" in the history: the message using the
    abbreviation is the one the question is about."""
    from plugins.prune.scoring import acronyms

    assert "apu" in acronyms("Which bulletin covers the auxiliary power unit's starter-generator?")
    assert acronyms("What is the time of the call?") == []  # function words end a run
    r = random.Random(11)
    msgs = [{"role": "system", "content": "You help an aircraft maintenance planner."}, *filler(r, 30),
            {"role": "user", "content": "Logbook: APU starter-generator brushes replaced on LN-NFB, 412 hours to the next check."},
            {"role": "assistant", "content": "Logged."}, *filler(r, 30),
            {"role": "user", "content": "Bulletin for the starter-generator on the main engine: SB 72-0031, done in March."},
            {"role": "assistant", "content": "Logged."}, *filler(r, 30),
            {"role": "user", "content": "How many hours are left before the auxiliary power unit starter-generator is due again?"}]
    kept = kept_text(prune(msgs, 3000))
    assert "412 hours" in kept
    plan = pruner().pruner.plan(msgs, MODEL, None, 3000)
    apu = next(u for u in plan.units if "APU starter" in str(msgs[u.messages[0]].get("content")))
    main = next(u for u in plan.units if "main engine" in str(msgs[u.messages[0]].get("content")))
    assert apu.rel_norm > main.rel_norm


def test_a_title_does_not_end_a_transcript_sentence() -> None:
    """A long transcript line was cut after "DR." and its speaker left as a segment of its own."""
    from plugins.prune.excerpt import segments

    line = "[00:21:45] DR. AMARA OSEI: Honestly? " + "The tide gauges just keep writing down the truth. " * 8
    segs = segments(line)
    assert segs[0].startswith("[00:21:45] DR. AMARA OSEI: Honestly?")
    assert not any(s.strip() in ("[00:21:45] DR.", "DR.") for s in segs)



@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_short_user_statement_of_a_value_outlives_filler(seed: int) -> None:
    """'rent is $2,150' shares no word with 'after housing, how much of my pay is left': a short
    statement of a value by the user (not a question) is kept before long filler answers."""
    r = random.Random(seed)
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are a helpful assistant."}]
    msgs += filler(r, 15)
    msgs += [{"role": "user", "content": "Signed the lease - rent is $2,150 including parking."}, {"role": "assistant", "content": "Congratulations!"}]
    msgs += filler(r, 90)
    msgs.append({"role": "user", "content": "After housing, how much of my salary remains each month?"})
    assert "$2,150" in kept_text(prune(msgs, 3000))


def test_an_iso_month_meets_its_name() -> None:
    """'September's generation' meets '"2025-09": "1,284.6 kWh"': an ISO date's month counts also as its name."""
    assert "september" in terms_of('"2025-09": "1,284.6 kWh"')
    assert "march" in terms_of("due 2026-03-12")
    assert not {"september", "march"} & set(terms_of("build 2.14.7, 10:30, 2025-13, 12-09"))
