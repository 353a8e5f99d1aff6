"""Validator speed work (issues 17 and 20): each faster form gives what the form it replaced gave.

The faster forms: unit matching with only the alternatives that can start where the unit may
start (`units._unit_match`), direction words as a trie with a first-letter test, sentence starts
found with rfind, the derivation search's recent answer figures sorted once per answer state,
and a first-letter test before the word alternations of the grounding. Each test compares with
the slower form on the dev sets' texts and on generated ones, and checks that the faster form is
the one in use (it fails on the engine before this work).
"""
from __future__ import annotations

import bisect
import glob
import json
import random
import re
import time
from pathlib import Path

import pytest

from plugins.validate.validators import direction, numbers, segments, units
from plugins.validate.validators.base import Answer, Subject
from plugins.validate.validators.facts import Fact
from plugins.validate.validators.ground import Index
from plugins.validate.validators.numbers import NumbersValidator

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    out: list[str] = []
    files = [ROOT / "bench/validation_eval/cases.jsonl"] + sorted(Path(p) for p in glob.glob(str(ROOT / "bench/validation_eval/independent/cases_*.jsonl")))
    for f in files[:4]:
        for line in open(f):
            if line.strip():
                c = json.loads(line)
                out.append(c["answer"])
                out.extend(m["content"] for m in c["messages"] if isinstance(m.get("content"), str))
    return out


# -- units ------------------------------------------------------------------------------------------
def _same_match(a: re.Match[str] | None, b: re.Match[str] | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.span() == b.span() and a.groupdict() == b.groupdict() and a.span("u") == b.span("u")


def test_unit_match_is_the_full_pattern_match(texts: list[str]) -> None:
    n = 0
    for t in texts[:1500]:
        for m in re.finditer(r"\d(?!\d)", t):
            p = m.end()
            assert _same_match(units._unit_match(t, p), units._UNIT_RE.match(t, p)), (t[max(0, p - 20):p + 20], p)
            n += 1
    rnd = random.Random(5)
    pieces = list(units._UNIT_WORDS) + ["degrees", "degree", "l/100 km", "L / 100km", "for", "per", "Kelvin", "\u017f", "\u00b5",
                                        "\u03bcg", "\u00b0C", "\u00baF", " ", "\u00a0", "-", ".", ",", "x", "D", "K", "\u212a", "3", "\n"]
    for _ in range(20000):
        t = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 6)))
        for p in range(min(len(t), 3)):
            assert _same_match(units._unit_match(t, p), units._UNIT_RE.match(t, p)), (t, p)
            n += 1
    assert n > 20000


def test_unit_after_does_not_try_every_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    full = units._UNIT_RE

    class Counting:
        def match(self, text: str, pos: int) -> re.Match[str] | None:
            calls.append(pos)
            return full.match(text, pos)
    monkeypatch.setattr(units, "_UNIT_RE", Counting())
    assert units.unit_after("It weighs 5 kg today", 11).text == "kg"
    assert units.unit_after("$47.15, due", 6).unit is None
    assert calls == []  # (ASCII text: the pattern of the few alternatives that can start there)
    assert units.unit_after("22\u00b0C inside", 2).text == "\u00b0C"
    assert calls  # a non-ASCII character where a unit may start takes the full pattern


# -- direction words ------------------------------------------------------------------------------
_PLAIN_DIR = re.compile(r"(?<![A-Za-z-])(?:" + "|".join(sorted((re.escape(w) for w in direction._WORDS), key=len, reverse=True))
                        + r")(?![A-Za-z-])", re.IGNORECASE)
_WORD_RUN = re.compile(r"[A-Za-z]+")


def _plain_positions(text: str) -> list[int]:
    return [m.start() for m in _WORD_RUN.finditer(text) if m.group(0).lower() in direction._FIRST]


def test_direction_trie_matches_the_plain_alternation(texts: list[str]) -> None:
    rnd = random.Random(1)
    ws = list(direction._WORDS) + ["went", "up", "short", "of", "up-to", "x", "-", " ", "RISE", "risen", "\u017f", "\u212a",
                                   "\u0130", "\u0131", "fellow", "ups", "is", "was"]
    gen = [" ".join(rnd.choice(ws) for _ in range(rnd.randint(1, 8))) for _ in range(5000)]
    gen += ["".join(rnd.choice(ws) for _ in range(rnd.randint(1, 5))) for _ in range(5000)]
    for t in texts + gen:
        assert [(m.span(), m.group(0)) for m in direction._DIR.finditer(t)] == [(m.span(), m.group(0)) for m in _PLAIN_DIR.finditer(t)], t
        assert direction.positions(t) == _plain_positions(t), t
    # the trie, not the ~150-word alternation the engine tried at every word start
    assert "(?=[" in direction._DIR.pattern and "deteriorating|deteriorated" not in direction._DIR.pattern and "(?=[" in direction._FIRST_RUN.pattern


# -- sentence starts ------------------------------------------------------------------------------
def test_sentence_start_is_the_walk_back(texts: list[str]) -> None:
    rnd = random.Random(3)
    al = list("ab.!? \n\tDr.Jan.e\u00a0\u2003X")
    gen = ["".join(rnd.choice(al) for _ in range(rnd.randint(0, 40))) for _ in range(4000)]
    for t in texts[:300] + gen:
        for p in range(-1, len(t) + 1):
            assert segments.sentence_start(t, p) == segments._sentence_start_walk(t, p), (t, p)
    with pytest.raises(IndexError):
        segments.sentence_start("abc", 5)  # (as the walk did)


def test_sentence_start_of_a_long_sentence_is_not_a_walk() -> None:
    text = "A dump " + "x1 " * 40000 + "end"
    t0 = time.perf_counter()
    for _ in range(200):
        assert segments.sentence_start(text, len(text)) == 0
    # the walk back took ~10 ms a call here (a Python step per character); rfind takes ~0.1 ms
    assert time.perf_counter() - t0 < 0.5


# -- the derivation search's recent answer figures -------------------------------------------------------
def _answer_fact(v: float, dec: int, unit: units.Unit | None = None) -> Fact:
    return Fact(v, unit, unit.dim if unit is not None else None, None, None, "", frozenset(), -1, "answer", dec)


def test_recent_slack_is_built_once_per_answer_state() -> None:
    idx = Index([])
    idx.answer = [_answer_fact(12.5, 1), _answer_fact(300.0, 0), _answer_fact(4.25, 2)]
    first = numbers._recent_slack(idx)
    assert numbers._recent_slack(idx) is first  # same list, same length: the memo
    bbs, items, smax = first
    assert bbs == sorted(bbs) and [b for b, _, _ in items] == [idx.answer[2], idx.answer[0], idx.answer[1]]
    assert smax == pytest.approx(0.05)
    idx.answer.append(_answer_fact(7.0, 0))
    assert numbers._recent_slack(idx) is not first and len(numbers._recent_slack(idx)[1]) == 4
    same_len = list(idx.answer)  # a new list of the same length (what the second pass assigns)
    idx.answer = same_len
    assert numbers._recent_slack(idx)[1] is not first[1]


def test_find_window_keeps_every_near_figure() -> None:
    """_find's bisect window over the sorted figures keeps each one the exact test keeps."""
    rnd = random.Random(11)
    for _ in range(3000):
        idx = Index([])
        idx.answer = [_answer_fact(round(rnd.uniform(0, 1000), d), d) for d in (rnd.choice((0, 1, 2)) for _ in range(rnd.randint(0, 20)))]
        target, t = rnd.uniform(0.01, 1000), rnd.choice((0.0, 0.005, 0.5, 5.0))
        want = {id(b) for b in idx.answer[-numbers._RECENT:]
                if abs(b.b - target) <= t + (numbers._rounding_slack(b) if b.dec and b.unit is None else 0.0)}
        bbs, items, smax = numbers._recent_slack(idx)
        pad = t + smax + 1e-9 * (abs(target) + t + smax) + 1e-12
        lo, hi = bisect.bisect_left(bbs, target - pad), bisect.bisect_right(bbs, target + pad)
        got = {id(b) for b, bb, s in items[lo:hi] if abs(bb - target) <= t + s}
        assert got == want


def test_find_still_grounds_a_total_of_answer_figures() -> None:
    msgs = [{"role": "user", "content": "What do I owe?"},
            {"role": "tool", "tool_call_id": "c1", "content": json.dumps({"items": [{"name": "desk", "price": 129.5},
                                                                                    {"name": "lamp", "price": 42.0}]})}]
    r = NumbersValidator().validate(Subject(Answer("The desk is $129.50 and the lamp $42.00, so $171.50 in all."), {"messages": msgs}))
    assert r.is_valid


# -- word alternations with a first-letter test ----------------------------------------------------------
_HEADED = ["_GAP_WORDS", "_CALC", "_DATE_ARITH", "_PAST", "_COUNTED", "_MULTIPLIER"]
_HEAD = re.compile(r"\(\?=\[[^\]]*\]\)")


@pytest.mark.parametrize("name", _HEADED)
def test_first_letter_test_changes_no_match(name: str, texts: list[str]) -> None:
    new = getattr(numbers, name)
    assert _HEAD.search(new.pattern) is not None  # the test is there
    old = re.compile(_HEAD.sub("", new.pattern, count=1), new.flags)
    words = re.findall(r"[A-Za-z' ]+", old.pattern)  # every alternative, so a missing first letter shows
    rnd = random.Random(9)
    gen = [" ".join(rnd.choice(words + ["X", "\u017fo", "\u212aey", "12", "3 days", "."]) for _ in range(6)) for _ in range(2000)]
    gen += [w.upper() for w in words] + [w.title() for w in words] + words
    for t in texts + gen:
        assert [(m.span(), m.groups()) for m in new.finditer(t)] == [(m.span(), m.groups()) for m in old.finditer(t)], t


def test_gap_words_read_once_per_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    searched = []
    real = numbers._GAP_WORDS

    class Counting:
        def search(self, text: str, a: int, b: int) -> re.Match[str] | None:
            searched.append((a, b))
            return real.search(text, a, b)
    monkeypatch.setattr(numbers, "_GAP_WORDS", Counting())
    msgs = [{"role": "user", "content": "How far off am I?"},
            {"role": "tool", "tool_call_id": "c1", "content": json.dumps({"goal": 10000, "saved": 9975})}]
    answer = "You still need 4,321 more, 5,432 more or 6,543 more to reach it."
    r = NumbersValidator().validate(Subject(Answer(answer), {"messages": msgs}))
    assert not r.is_valid and len(r.unverified) == 3
    assert len(searched) == 1  # three failed claims of one sentence, one search
