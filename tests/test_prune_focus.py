"""Pruning a conversation around the long paste the question is about: a pasted source file whose
setting the question names in other words ("base delay" for RETRY_BACKOFF_MS), and the newest of
three drafts of a document when the question asks for the newest. The conversations are written
here and pruned with the shipped proxy.toml settings."""
from __future__ import annotations

import random
from typing import Any

import pytest

from plugins.prune import lexicon
from plugins.prune.excerpt import Query, excerpt_text
from plugins.prune.words import terms_of
from proxy import tokens
from tests.test_prune_corrections import MODEL, kept_text, prune

NOUNS = ["invoice", "tenant", "webhook", "ledger", "payout", "export", "report", "region", "config", "event"]
VERBS = ["load", "parse", "merge", "flush", "group", "store", "resolve", "expand", "render", "score"]
PROSE = ["the on-call engineer archives the dependency lockfiles after each postmortem",
         "a new analyst profiles the freshness checks once a source is onboarded",
         "the release manager pins the state locks when the pager goes quiet",
         "the platform team tags the staging environment at the start of each sprint"]
CHAT = ["Could you give me a few tips on {} before the next quarter? My cousin {} keeps asking about it since {} March.",
        "Is it normal that the team reviews the {} every Monday? {} says it took {} minutes last time.",
        "Quick one on {}: who should own it when the lead is away? {} covered it for {} days in June.",
        "Different subject, but how often should we revisit the {}? {} thinks every {} weeks is plenty."]
NAMES = ["Marta", "Oskar", "Priya", "Goran", "Ingrid", "Tomasz", "Aoife", "Delphine"]
TOPICS = ["pension statements", "seating chart", "boss encounter", "lesson objectives", "pub quiz", "freight quotations",
          "grocery spending", "torque wrenches", "patch notes", "settlement letter", "damp readings", "mock exams"]


def _module(r: random.Random, special: list[str], at: float = 0.55) -> str:
    """A generated Python module of ~80 functions and constant blocks, `special` lines at `at` of the way in."""
    blocks = ['"""Internal module; see the team wiki for context."""', "from __future__ import annotations", "import logging, time",
              "logger = logging.getLogger(__name__)"]
    n = 80
    for k in range(n):
        if k == int(n * at):
            blocks.append("\n".join(special))
        if k % 6 == 0:
            blocks.append("\n".join(f"{r.choice(NOUNS).upper()}_{r.choice(['LIMIT', 'CHUNK', 'TTL_S', 'POLL_MS', 'WORKERS'])} = "
                                    f"{r.randrange(2, 99999)}" for _ in range(3)))
        name = f"{r.choice(VERBS)}_{r.choice(NOUNS)}_{r.choice(['rows', 'items', 'entries'])}"
        blocks.append(f'def {name}(records, config):\n    """{r.choice(PROSE).capitalize()}."""\n    if not records:\n        return []\n'
                      f'    out = []\n    for item in records:\n        if item.get("{r.choice(NOUNS)}_id") is None:\n            continue\n'
                      f'        out.append(item)\n    logger.debug("{name}: %d items", len(out))\n    return out')
    return "\n\n\n".join(blocks)


def _chat(r: random.Random, turns: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for _ in range(turns):
        out.append({"role": "user", "content": r.choice(CHAT).format(r.choice(TOPICS), r.choice(NAMES), r.randrange(2, 29))})
        if r.random() < 0.4:
            out.append({"role": "assistant", "content": f"Usually {r.choice(PROSE)}; {r.choice(PROSE)}, and {r.choice(PROSE)}."})
        else:
            out.append({"role": "assistant", "content": "Good question, it depends on the team."})
    return out


def _code_review(seed: int, special: list[str], question: str) -> list[dict[str, Any]]:
    r = random.Random(seed)
    paste = "Can you review payments/client.py before I open the PR?\n\n```python\n" + _module(r, special) + "\n```"
    return ([{"role": "system", "content": "You are a code-review assistant. Answer from the conversation."}]
            + _chat(r, 10) + [{"role": "user", "content": paste}, {"role": "assistant", "content": "Thanks, I have read it."}]
            + _chat(r, 110) + [{"role": "user", "content": question}])


RETRY = ["RETRY_BACKOFF_MS = 750", "RETRY_BACKOFF_CAP_MS = 7500", "", "",
         'def _sleep_before_retry(attempt):\n    """Wait before the next attempt."""\n'
         "    time.sleep(min(RETRY_BACKOFF_MS * 2 ** attempt, RETRY_BACKOFF_CAP_MS) / 1000)"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_pasted_file_the_question_is_about_keeps_more_than_its_best_matching_lines(seed: int, monkeypatch: Any) -> None:
    """The file cut to ~100 tokens (its best-matching lines and the import lines) while a hundred
    off-topic chat lines stayed whole; when the question's words are not the code's, the answer is a
    few lines away from the best match and was lost. (Without the naming map, so only room helps.)"""
    monkeypatch.setattr(lexicon, "NAMING", {})
    msgs = _code_review(seed, RETRY, "In the payments client I pasted, what base delay does it use between retries?")
    for budget in (4000, 6000, 8000):
        out = prune(msgs, budget)
        paste = next(m for m in out if m["role"] == "user" and "payments/client.py" in m["content"])
        assert tokens.count_text(paste["content"], MODEL) >= 0.08 * budget - 20, budget  # (the note is counted in it)
        assert "RETRY_BACKOFF_MS = 750" in kept_text(out), budget


def _query(question: str) -> Query:
    return Query({t: 1.0 for t in terms_of(question)}, lexicon.answer_kinds(question))


@pytest.mark.parametrize("special, question, answer", [
    (["MAX_BATCH_ROWS = 2048", "MAX_BATCH_BYTES = 4194304"], "What is the largest number of records the exporter will put into one chunk?",
     "MAX_BATCH_ROWS = 2048"),
    (["SESSION_IDLE_TIMEOUT_S = 1800", "SESSION_ABSOLUTE_TIMEOUT_S = 43200"],
     "In that auth module, after how long without activity does a login expire?", "SESSION_IDLE_TIMEOUT_S = 1800"),
])
def test_a_setting_named_in_other_words_is_in_a_small_excerpt(special: list[str], question: str, answer: str) -> None:
    """The question's words (largest, records, chunk; without activity, login, expire) are not the
    code's (MAX, ROWS, BATCH; IDLE, SESSION, TIMEOUT): a 128-token excerpt kept other constants."""
    doc = _module(random.Random(5), special)
    out = excerpt_text(doc, 128, MODEL, _query(question))
    assert answer in out and tokens.count_text(out, MODEL) <= 128


def _policy(r: random.Random, days: int, intro: str) -> str:
    lines = [intro, "", "RETURNS AND REFUNDS POLICY, FERNWOOD HOME GOODS", ""]
    for k in range(1, 71):
        if k == 41:
            lines.append(f"{k}. Customers may return an item within {days} days of delivery for a full refund.")
        else:
            words = r.sample(PROSE, 2) + [f"{r.choice(TOPICS)} {r.randrange(100)}", r.choice(NOUNS) + r.choice(VERBS)]
            lines.append(f"{k}. " + "; ".join(words).capitalize() + ".")
    return "\n".join(lines)


def test_the_newest_draft_wins_when_the_question_asks_for_it() -> None:
    """Three drafts that share ~half their words (each redraft rewrote the filler clauses), the older
    one's intro sharing a word with the question ("came back"): they were not taken for versions,
    and version two got the relevance and the room (the newest a 65-token excerpt)."""
    r = random.Random(11)
    drafts = [_policy(r, 30, "Here is the first draft they sent over:"),
              _policy(r, 60, "They came back with version two, a few clauses changed:"),
              _policy(r, 45, "And now version three arrived, please keep it alongside the others:")]
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You help a shop owner with supplier paperwork."}]
    for d in drafts:
        msgs += _chat(r, 25) + [{"role": "user", "content": d}, {"role": "assistant", "content": "Noted, I have filed it."}]
    msgs += _chat(r, 40) + [{"role": "user", "content": "Per the most recent version of the returns policy, how long do customers "
                                                       "have to send something back for their money?"}]
    for budget in (3000, 4000, 6000):
        out = prune(msgs, budget)
        assert "within 45 days of delivery" in kept_text(out), budget
        size = {d[:40]: 0 for d in drafts}
        for m in out:
            for d in drafts:
                if m["role"] == "user" and d[:40] in m["content"]:
                    size[d[:40]] = tokens.count_text(m["content"], MODEL)
        newest, older = size[drafts[2][:40]], size[drafts[1][:40]]
        assert newest > older, (budget, size)


@pytest.mark.parametrize("seed, decision", [
    (21, "My recommendation: book The Granary at Wexcombe. It is step-free and the set menu fits your budget."),
    (22, "Then go with The Granary at Wexcombe: it is a short walk from the church and the set menu fits."),
    (23, "In that case book The Granary at Wexcombe, it is step-free and quiet enough for speeches."),
])
def test_the_assistants_recommendation_survives_when_the_question_asks_what_was_agreed(seed: int, decision: str) -> None:
    """The options, the user's constraint, then the assistant committing to one, the user never
    replying "agreed": the question shares no word with the recommendation, which scored like chat
    and went first."""
    r = random.Random(seed)
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You help plan a family wedding."}] + _chat(r, 10)
    msgs += [{"role": "user", "content": "We need a place for the rehearsal dinner the night before the wedding, about 30 people."},
             {"role": "assistant", "content": "Three candidates: Seaview Harbour Room, lively but up a flight of stairs; Ostler's Barn, "
                                              "rustic but a taxi ride away; and The Granary at Wexcombe, smaller and step-free."},
             {"role": "user", "content": "Grandma uses a wheelchair and we want to walk from the church."},
             {"role": "assistant", "content": decision}]
    msgs += _chat(r, 150) + [{"role": "user", "content": "Remind me where we agreed the night-before-the-wedding meal should happen?"}]
    for budget in (4000, 6000):
        assert decision in kept_text(prune(msgs, budget)), budget


def test_a_first_person_quote_with_a_value_survives_in_a_pasted_transcript() -> None:
    """A deposition of ~200 Q/A pairs of third-person talk and one answer in the first person with the
    time in words: the question ("when did the witness say he walked out") shares no word with it,
    and a 400-token excerpt kept the lines about witnesses and nights instead."""
    r = random.Random(31)
    lines = ["Deposition of Mr D. Harlow, warehouse supervisor", ""]
    for k in range(200):
        lines += [f"Q: How often should the {r.choice(NOUNS)} team review the {r.choice(TOPICS)} on the night of a witness statement?", "",
                  f"A: {r.choice(PROSE).capitalize()}, because the night shift reads the witness statements first.", ""]
        if k == 120:
            lines += ["Q: Thank you. Let us move on.", "",
                      "A: I left the warehouse at about ten past nine, through the loading bay door, because the front was locked.", ""]
    doc = "\n".join(lines)
    question = "According to the deposition, when did the witness say he walked out on the night in question?"
    q = Query({t: 1.0 for t in terms_of(question)}, lexicon.answer_kinds(question), said=True)
    out = excerpt_text(doc, 400, MODEL, q)
    assert "ten past nine" in out and tokens.count_text(out, MODEL) <= 400
    assert "ten past nine" not in excerpt_text(doc, 400, MODEL, Query(dict(q), q.ask))  # the rule, not the words, keeps it


def test_a_list_entry_asked_for_by_its_place_survives_with_the_edit_that_replaced_another() -> None:
    """A shopping list in a long chatty message, then, much later, "scrap number 7 and put X there"
    and a question about "position 6 and position 7": neither needed line shares a word with it
    (only the list place does), and pruning kept neither."""
    r = random.Random(41)
    items = ["sweetcorn cobs", "smoked paprika", "burger buns", "coleslaw mix", "charcoal briquettes", "lemonade for the kids",
             "halloumi slices", "paper plates", "ice cubes"]
    chat = " ".join(r.choice(PROSE).capitalize() + "." for _ in range(12))
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are a helpful personal assistant."}] + _chat(r, 6)
    msgs += [{"role": "user", "content": chat + "\n\nCan you hold on to my shopping list for Saturday?\n"
                                         + "\n".join(f"{k}. {x}" for k, x in enumerate(items, 1)) + "\n\n" + chat},
             {"role": "assistant", "content": "Got it, I'll keep the list for Saturday's barbecue."}]
    msgs += _chat(r, 60)
    msgs += [{"role": "user", "content": chat + "\n\nChange to the shopping list: scrap number 7 entirely, and in that spot put "
                                         "a jar of black garlic paste. Everything else stays.\n\n" + chat},
             {"role": "assistant", "content": "Done, the list is updated."}]
    msgs += _chat(r, 60) + [{"role": "user", "content": "Read me back what sits at position 6 and at position 7 right now."}]
    kept = kept_text(prune(msgs, 6000))
    assert "lemonade for the kids" in kept and "a jar of black garlic paste" in kept
