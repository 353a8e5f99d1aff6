"""Numeric grounding: every number the answer states must come from the conversation.

Claims (`claims.py`: money, percentages, counts with what they count, quantities with units,
dates, times, durations, identifiers, number words) are checked in order, a sentence at a time,
against the facts of the conversation (`facts.py`: system and developer messages, user
messages, tool and function results, earlier tool-call arguments): by value in compatible units,
currency and period, counting the same thing, owned by the entity the sentence names, or derived
from them by a bounded search (`ground.py`). A claim that passed becomes a fact for the claims
after it, so a subtotal, its tax and their total check in turn. Numbers the user wrote are
grounded by definition.

Format variants are the same number: $47.15 / 47.15 USD / USD 47.15, 1,234 vs 1234, 47,15
European notation, 4.7k, "forty-seven", common date formats; the tolerance is the claim's own
precision ("47.2" matches 47.15, "47.51" does not), one unit of its last digit when hedged
("about 1,200").

Confidence is the share of claims grounded. Pure Python with precompiled regexes; the
conversation index is built once per request (Subject.cache) from per-message pieces cached
across requests.
"""
from __future__ import annotations

import bisect
import calendar
import dataclasses
import datetime as dt
import functools
import math
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .arith import equations, might_show_work
from .base import Subject, ValidationResult
from .claims import WEEKDAY_HEAD, WEEKDAYS, Claim, extract, has_number_word
from .direction import positions as direction_positions, verdict as direction_verdict
from .facts import Fact, PieceCache, message_texts, message_texts_meta  # noqa: F401 - message_texts: re-exported
from .ground import (
    _SYNONYMS, _kin, PERIOD_NAMES, Index, _currency_ok, _period_of, claim_sign, fact_ok, fact_sign, fuel_economy, lookup, older_entries, _NOW_WORDS, mentions, names_other,
    near, owner_ok, entity_ok, quantity_per, quotient, rate_of, _GENERIC_KEY,
)
from .scan import MONTH_NAMES, _month
from .segments import sentence_end, sentence_start, sentences
from .units import _UNIT_WORDS as UNIT_WORDS, Unit, period_factor, stem, to_base, tol_to_base
from .vocabulary import VERBS_DOWN, VERBS_UP


class NumbersConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Extra absolute / relative tolerance on top of the claim's own precision.
    abs_tolerance: float = Field(0.0, ge=0)
    rel_tolerance: float = Field(0.0, ge=0, le=0.5)
    # Hedged claims ("about 1,200", "roughly 12%") may be off by one unit of their last
    # significant digit instead of half of one.
    hedge_words: bool = True
    # Derivations from grounded numbers (sums, ratios, percentages, conversions, date arithmetic).
    derivations: bool = True
    # Check that a number belongs to the entity the sentence names ("checking" vs "savings").
    subjects: bool = True
    # Kept for configurations written for the earlier validator (no effect).
    pair_window: int = Field(8, ge=1, le=64)
    min_operand_share: float = Field(0.02, ge=0, le=0.5)
    # Roles whose messages count as grounding data.
    roles: list[str] = ["system", "developer", "user", "tool", "function"]
    # Arguments of earlier assistant tool calls count as data (they echo ids the user gave).
    include_tool_call_arguments: bool = True
    # Small integers (<= this) count as claims only before a plural noun or a unit ("3 transactions", "5 mg").
    small_integer: int = Field(10, ge=-1)
    # Years are checked only when the data states such a year (a "built in 2004" for the wrong house).
    ignore_years: bool = True
    # Share of claims that must be grounded (1.0: every one).
    min_grounded_share: float = Field(1.0, ge=0, le=1)
    # Confidence per unverified claim: "sure" (the answer's arithmetic contradicts it, another
    # entity's value, or a lookup-shaped claim in an answer the engine followed so far) or
    # "uncertain" (a derivation, unit or rounding the engine may not model). A failure with only
    # uncertain claims ends in the entry's `uncertain` action (flag by default). False: every
    # unverified claim counts as sure (the earlier behaviour).
    confidence_levels: bool = True
    # Cap on claims reported per answer.
    max_reported: int = Field(10, ge=1)
    # Claims checked per answer at most (a real answer states tens; the "dense" worst case of the
    # benchmark 120). Past it the rest is not checked and the answer is flagged as not fully
    # verified: the check runs on the event loop, and an answer of thousands of number-bearing
    # tokens (a table dump, ids) must not hold it (Redis calls would time out meanwhile).
    max_claims: int = Field(500, ge=1)


def extract_claims(text: str, cfg: NumbersConfig) -> tuple[list[Claim], int]:
    """The answer's claims (a sentence at a time, as they are checked), and 0 (kept for callers)."""
    out: list[Claim] = []
    for start, end in numbered_sentences(text):
        out.extend(_extract(text, start, end, cfg))
    return out, 0


def numbered_sentences(text: str) -> list[tuple[int, int]]:
    """The sentences that hold a digit or a number word (the others state no claim)."""
    digit = _DIGIT.search
    return [(a, b) for a, b in sentences(text) if digit(text, a, b) is not None or has_number_word(text[a:b])]


_DIGIT = re.compile(r"[0-9]")


_SPAN_CHARS = 4000  # a "sentence" longer than this (a dump without full stops) is read in pieces


def _bounded(text: str, spans: list[tuple[int, int]]) -> Any:
    """The sentence spans, each over _SPAN_CHARS cut at a space: extraction then stops with the
    claim cap instead of reading a whole dump first."""
    for start, end in spans:
        while end - start > _SPAN_CHARS:
            cut = text.rfind(" ", start + _SPAN_CHARS // 2, start + _SPAN_CHARS)
            cut = cut if cut > start else start + _SPAN_CHARS
            yield start, cut
            start = cut
        yield start, end


def _extract(text: str, start: int, end: int, cfg: NumbersConfig) -> list[Claim]:
    return extract(text, start, end, cfg.small_integer, cfg.ignore_years, cfg.abs_tolerance, cfg.rel_tolerance, cfg.hedge_words)


class NumbersValidator:
    """Numeric grounding against the conversation's own data."""

    name = "numbers"
    Config = NumbersConfig

    def __init__(self, config: NumbersConfig | None = None) -> None:
        self.cfg = config or NumbersConfig()
        self.pieces = PieceCache()

    def index(self, subject: Subject) -> Index:
        idx = subject.cache.get("numbers.index")
        if idx is None:
            roles = set(self.cfg.roles)
            pieces, meta = [], []
            for t, src, m in message_texts_meta(subject.body, roles, self.cfg.include_tool_call_arguments):
                pieces.append(self.pieces.get(t, src))
                meta.append(m)
            idx = subject.cache["numbers.index"] = Index(pieces, meta)
        idx.answer = []  # a new answer starts with no verified claims of its own
        return idx

    def session(self, subject: Subject) -> "NumbersSession":
        return NumbersSession(self, subject)

    def validate(self, subject: Subject) -> ValidationResult:
        text = subject.answer.content
        if not text:
            return ValidationResult.ok(self.name, claims=0)
        sess = self.session(subject)
        claims: list[Claim] = []
        bad: list[Claim] = []
        sure: list[Claim] = []
        cap = self.cfg.max_claims
        unchecked_from: int | None = None
        at: list[tuple[int, Fact]] = []  # (where, fact) of each verified claim the answer states, in order
        for start, end in _bounded(text, numbered_sentences(text)):
            if len(claims) >= cap:
                unchecked_from = start
                break
            for c in sess.claims(text, start, end):
                if len(claims) >= cap:  # (one long "sentence" can hold thousands)
                    unchecked_from = c.start
                    break
                claims.append(c)
                n = len(sess.idx.answer)
                if not sess.verify(text, c):
                    bad.append(c)
                    if sess.sure:
                        sure.append(c)
                elif len(sess.idx.answer) > n:
                    at.append((c.start, sess.idx.answer[-1]))
            if unchecked_from is not None:
                break
        if bad and unchecked_from is None:
            # "comes to $256.47: $84.97, $129.50 and $42.00": a total stated before its parts
            sure_ids = {id(c) for c in sure}
            bad = [c for c in bad if id(c) in sure_ids or not _total_of_what_follows(sess.idx, c, text)]
            if bad and len(bad) < len(claims) and self.cfg.derivations:
                bad = _second_pass(sess, text, bad, sure_ids, at)
        if not claims:
            return ValidationResult.ok(self.name, claims=0)
        if unchecked_from is not None and not bad:  # what was checked holds; the rest was not checked
            return ValidationResult(False, 1.0, [f"more than {cap} numeric claims: the rest of the answer was not checked"],
                                    self.name, [], {"claims": len(claims), "ungrounded": 0, "unchecked_from": unchecked_from},
                                    [unchecked_from], uncertain=True)
        share = 1.0 - len(bad) / len(claims)
        if not bad or (self.cfg.min_grounded_share < 1.0 and share >= self.cfg.min_grounded_share):
            return ValidationResult(True, share, [], self.name, [], {"claims": len(claims), "ungrounded": len(bad)})
        shown = bad[: self.cfg.max_reported]
        issues = [f"unverified {c.kind} {c.text!r}: not found in the conversation's data" for c in shown]
        sure_ids = {id(c) for c in sure}  # by identity: `c not in sure` compared dataclasses pairwise (O(n^2))
        details = {"claims": len(claims), "ungrounded": len(bad), "sure": [c.text for c in sure],
                   "uncertain": [c.text for c in bad if id(c) not in sure_ids]}
        # Withholding starts at the first claim the engine is sure of; when it is sure of none,
        # the failure is uncertain (the entry's `uncertain` action applies: flag by default).
        positions = [c.start for c in (sure or bad)]
        return ValidationResult(False, share, issues, self.name, [c.text for c in shown], details, positions,
                                uncertain=not sure)


class NumbersSession:
    """One answer being checked claim by claim, in order (the live stream guard's view, and the
    whole-answer check's): the claims of a span, and whether each is grounded."""

    __slots__ = ("v", "subject", "_idx", "_first_failed", "sure", "final")

    def __init__(self, validator: NumbersValidator, subject: Subject) -> None:
        self.v = validator
        self.subject = subject
        self._idx: Index | None = None
        self._first_failed: int | None = None  # where the earliest claim that failed so far starts
        self.sure = False  # the last claim that failed is one the engine is sure is unsupported
        self.final: set[int] = set()  # ids of failed claims no other reading may rescue (another entity's, the other sign, wrong work)

    @property
    def idx(self) -> Index:
        if self._idx is None:
            self._idx = self.v.index(self.subject)
        return self._idx

    def claims(self, text: str, start: int, end: int) -> list[Claim]:
        return _extract(text, start, end, self.v.cfg)

    def verify(self, text: str, c: Claim) -> bool:
        g = Grounding(self.idx, self.v.cfg, text, c)
        ok = g.grounded()
        if ok:
            n = len(self.idx.answer)
            _remember(self.idx, c, text)
            if len(self.idx.answer) > n:  # (a date, an identifier: nothing to remember)
                self.idx.memo.setdefault("answer_at", []).append((c.start, self.idx.answer[-1]))
                if _work_operand(self.idx, c, text):
                    # "Room: 4 × $189 = $756.00": the $189 is an operand of the line's work, no item of the total after it
                    self.idx.memo.setdefault("operands", set()).add(id(self.idx.answer[-1]))
            if g.by_work and self.idx.answer and self.idx.answer[-1].src == "answer":
                # the results of written-out lines add up to the total after them ("3 × 4.0 = 12.0; ...; 40.3 points")
                self.idx.memo.setdefault("work_results", []).append(self.idx.answer[-1])
            if c.kind == "time" and c.minutes:
                self.idx.memo.setdefault("answer_minutes", set()).update(c.minutes)  # "17:15, so 5:15 pm"
            elif c.kind == "date":
                years = {b.year for b, _, _ in self.idx.date_list[:8]}
                for y, mo, d in c.dates:
                    if d is None:
                        continue
                    for yy in ([y] if y is not None else sorted(years | {yr + 1 for yr in years})[:4]):
                        try:  # ("7 December": in the year of the data's dates, or the next)
                            self.idx.memo.setdefault("answer_dates", []).append(dt.date(yy, mo, d))
                        except ValueError:
                            pass
            return True
        if g.wrong_owner or g.wrong_sign or g.wrong_direction or g.miscalculated or g.period_slip or g.superseded:
            self.final.add(id(c))
        earlier = self._first_failed is not None and self._first_failed < c.start
        self.sure = not self.v.cfg.confidence_levels or g.sure(earlier)
        if self._first_failed is None or c.start < self._first_failed:
            self._first_failed = c.start
        return False


_MONTH_WORD = re.compile(r"\b(?:" + MONTH_NAMES + r")\b")
_YEAR_WORD = re.compile(r"\b((?:19|20)\d\d)\b")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_BOUND_PAIR = {"low": "high", "min": "max", "minimum": "maximum", "lower": "upper", "floor": "ceiling", "from": "to", "start": "end",
               "lo": "hi", "bottom": "top"}
_BOUND_PAIR.update({v: k for k, v in list(_BOUND_PAIR.items())})
_PASSES = 3  # rounds of the whole-answer second pass (a claim it grounds is an operand of the next round)
_AROUND = (6, 10)  # verified figures before / after a failed claim its second pass may combine
# Failed claims at most for the second pass to run: an answer with more is not one whose totals
# come before their parts, it is one its data does not support (an unrelated conversation), and
# the pass would re-check every one of them (~11 % of such an answer's validation).
_SECOND_PASS_MAX = 16


def _second_pass(sess: "NumbersSession", text: str, bad: list[Claim], sure_ids: set[int],
                 at: list[tuple[int, Fact]]) -> list[Claim]:
    """The whole answer read, a claim that failed in order may be one operation over figures the
    answer verified, some of them stated after it: a total before its parts ("comes to $844.02.
    That is a subtotal of $781.50 ... plus 8% tax of $62.52"), a net before the amount and the
    discount ("came to $110.23. The items total $122.48 ... took 10% off ($12.25)"). Only the
    answer's own verified figures are operands here (no data fact: what the data combines with
    was tried in order), at least one of them stated after the claim; sure failures stay.
    Bounded: `_PASSES` rounds over the failed claims, each with at most 16 figures (256 pairs).
    (The live stream checks in order and cannot see what follows: it still flags these.)"""
    if len(bad) > _SECOND_PASS_MAX:
        return bad
    idx = sess.idx
    full = idx.answer
    cfg = sess.v.cfg
    last: list[int] = []  # where the claims the last round grounded start
    try:
        for round_ in range(_PASSES):
            rescued: list[Claim] = []
            for c in bad:
                if id(c) in sure_ids or not c.values or c.kind not in ("money", "number", "percent") or c.change \
                        or id(c) in sess.final:
                    continue
                before = [f for pos, f in at if pos < c.start]
                after = [(pos, f) for pos, f in at if pos > c.end][:_AROUND[1]]
                ok = False
                if after:
                    # "a total cost of $2,370 ($1,000 + $750 + $620)": work right, its operands verified after it
                    idx.answer = before[-_AROUND[0]:] + [f for _, f in after]
                    ok = Grounding(idx, cfg, text, c)._shown_work() == "ok"
                    if not ok and c.kind != "percent" and not c.hedged:
                        ok = _from_answer(idx, text, c, before[-_AROUND[0]:], after)
                if not ok and round_ and last and last[0] < c.start:
                    # a claim after one the last round grounded, checked in order again ("$23.70 per share" of the $2,370)
                    idx.answer = before
                    ok = Grounding(idx, cfg, text, c).grounded()
                if ok:
                    idx.answer = full
                    _remember(idx, c, text)
                    at.append((c.start, full[-1]))
                    rescued.append(c)
            if not rescued:
                break
            last = sorted(c.start for c in rescued)
            at.sort(key=lambda x: x[0])
            gone = {id(c) for c in rescued}
            bad = [c for c in bad if id(c) not in gone]
    finally:
        idx.answer = full
    return bad


_LESS_LINE = re.compile(r"\s*(?:[-*•+]|\d{1,2}[.)]|\|)\s*(?:\*\*)?\s*(?:[−–]|-(?!-)|less\b|minus\b)", re.IGNORECASE)
_SUBTOTAL_LINE = re.compile(r"\*\*|\b(?:gross|subtotal|sub-total|total)\b", re.IGNORECASE)
_LIST_LINES = 12  # list items or table rows above a claim whose columns it may total
_LIST_LINE = re.compile(r"(?:[-*•+]|\d{1,2}[.)]|\|)\s*\S")
_TABLE_RULE = re.compile(r"\|?\s*:?-{3,}")
_MEAN_WORDS = re.compile(r"\b(?:average|averaged|averages|avg|mean|weighted|blended|overall|per)\b", re.IGNORECASE)
_GAP_WORDS = re.compile(r"\b(?=[abdefglmnorstu])(?:short|shortfall|more|less|fewer|left|leaving|leaves|remaining|remain|remains|over|under|difference|net|gap|need|needs|"
                        r"to go|away|behind|ahead|below|above|exceeds?|overage|surplus|deficit|saves?|saving|still)\b", re.IGNORECASE)
_SENTENCE_OPERANDS = 5  # verified figures of the claim's sentence a three-operand expression may use


def _combine(x: tuple[float, Any, float, bool], y: tuple[float, Any, float, bool], op: str) -> tuple[float, Any, float, bool] | None:
    """x op y over (value, dimension, relative rounding, is a share): sums keep one dimension (a
    share adds only to a share), a product has at most one operand with a dimension, a quotient of
    two of one dimension has none."""
    if op in "+-":
        if x[1] != y[1] or x[3] != y[3]:
            return None
        r = x[0] + y[0] if op == "+" else x[0] - y[0]
        return (r, x[1], 0.0, x[3]) if r > 0 else None
    if op == "*":
        if x[1] is not None and y[1] is not None:
            return None
        return (x[0] * y[0], x[1] or y[1], 0.0, False)
    if not y[0]:
        return None
    if y[1] is None:
        return (x[0] / y[0], x[1], 0.0, False)
    return (x[0] / y[0], None, 0.0, False) if x[1] == y[1] else None


def _exact(idx: Index, f: Fact) -> float:
    """The rounding a verified figure may carry: none when the data states it, else half its last digit."""
    return 0.0 if not f.dec or _in_data(idx, f.v) else _rounding_slack(f)


_PAREN_OPEN = re.compile(r"[\s*]*\(")


def _parts_in_parentheses(idx: Index, text: str, c: Claim, v: float, tol: float, after: list[tuple[int, Fact]]) -> bool:
    """"€3,000.00 (malt 1,260 + hops 480 + yeast 150 + energy 310 + labour 800)", "748.0 t (paper
    412.5, plastic 96.2, glass 188.0, metal 51.3)": the parentheses right after the claim hold its
    parts, each a figure the answer verified, and nothing else that is a number; they add up to
    it in its own unit."""
    m = _PAREN_OPEN.match(text, c.end)
    if m is None:
        return False
    close = text.find(")", m.end(), m.end() + 300)
    if close < 0:
        return False
    inside = [(pos, f) for pos, f in after if m.end() <= pos < close]
    nums = list(_NUMBER.finditer(text, m.end(), close))
    if len(inside) < 2 or len(nums) != len(inside) or any(f.dim == "percent" or f.pct_of for _, f in inside):
        return False
    if any(f.unit is not None and f.unit != c.unit for _, f in inside) or len({f.dim for _, f in inside} - {None, c.dim}) > 0:
        return False
    total = sum(-f.v if f.neg else f.v for _, f in inside)
    slack = sum(0.0 if not f.dec or _in_data(idx, f.v) else 0.5 * 10 ** -f.dec for _, f in inside)
    return abs(abs(total) - v) <= tol + slack


def _from_answer(idx: Index, text: str, c: Claim, before: list[Fact], after: list[tuple[int, Fact]]) -> bool:
    """Is c one operation over two verified figures (one of them stated after it), or the sum of
    the verified figures of its kind that follow it, two or more in a row within its block? A sum
    ends the figures of its kind in the block (or the block restates c next): "$214.47 in all:
    $84.97, $129.50, $42.00" is no total of the first two."""
    v, tol = c.values[0]
    if not v or c.unit is not None and c.unit.dim in ("pp", "temp"):
        return False
    V = to_base(v, c.unit, c.inverse) if c.unit is not None else v
    T = tol_to_base(v, tol, c.unit, c.inverse) if c.unit is not None else tol
    cd = c.dim if c.kind != "number" or c.unit is not None else None
    operands = idx.memo.get("operands") or set()
    block_end = text.find("\n\n", after[0][0])
    if block_end < 0:
        block_end = len(text)
    items = [(pos, f) for pos, f in after if pos < block_end and f.dim == cd and f.per == c.per and not f.pct_of
             and id(f) not in operands and _currency_ok(c.currency, f.cur)]
    kind = [f for _, f in items]

    def ends(k: int) -> bool:
        """No number after kind[k] in the block but c restated ("| **Total** | **$602.50** |"):
        the parts end there (a number that is no claim counts too: "plus 3 carried over")."""
        m = _NUMBER.search(text, items[k][0])
        return m is not None and all(abs(float(n.group(0).replace(",", "")) - v) <= tol
                                     for n in _NUMBER.finditer(text, m.end(), block_end))

    if _parts_in_parentheses(idx, text, c, v, tol, after):
        return True
    total = slack = 0.0
    for k, f in enumerate(kind):  # "$602.50: 3 nights x $189.00 = $567.00, city tax $13.50, minibar $22.00"
        total += _signed_b(f)
        slack += _exact(idx, f)
        if k and abs(total - V) <= T + slack and ends(k):
            return True
    where = {id(f): k for k, f in enumerate(kind)}
    later = [f for _, f in after]
    pool = before + later
    for a in later:
        if a.pct_of or not a.b:
            continue
        for b in pool:
            if b is a or b.pct_of or not b.b:
                continue
            if b.dim == "percent" and a.dim == cd and a.dim is not None and a.dim != "percent":
                p, sp = b.v / 100, _exact(idx, b) / 100  # the 8% tax of a total stated before the subtotal
                if any(abs(a.b * k - V) <= T + _exact(idx, a) * k + a.b * sp for k in (p, 1 + p, 1 - p) if k > 0):
                    return True
                continue
            if id(a) not in where or id(b) not in where or not ends(max(where[id(a)], where[id(b)])):
                continue
            t = T + _exact(idx, a) + _exact(idx, b)
            if (abs(a.b + b.b - V) <= t or abs(abs(a.b - b.b) - V) <= t):
                return True  # a subtotal and its tax; the items and the coupon
    return False


def _remember(idx: Index, c: Claim, text: str) -> None:
    """A verified claim is a fact for the claims after it (a subtotal, then its tax, then the total)."""
    if not c.values or c.kind in ("ident", "date", "year", "ordinal"):
        return
    v, tol = c.values[0]
    dim = c.dim if c.kind != "percent" else "percent"
    dec = 0
    s = c.text.replace(",", "")
    if "." in s:
        dec = len(s.split(".")[1].split(" ")[0].rstrip("%"))
    f = Fact(v, c.unit, dim, c.currency, c.per, "", frozenset({c.noun} if c.noun else ()), -1, "answer", dec,
             neg=_minus_before(text, c) or _less_line(text, c))  # (a deduction the answer lists: "−$285.00", "- − Churn: $5,870")
    if c.hedged:
        f.pct_of = True  # (marks an approximate figure: "about 50 gallons")
    idx.answer.append(f)


def _less_line(text: str, c: Claim) -> bool:
    """Is the claim the first number of a list line that starts with a minus ("- − Churn: $5,870",
    "- Less: 5% vacancy $3,960")?"""
    ls = text.rfind("\n", 0, c.start) + 1
    return _LESS_LINE.match(text, ls) is not None and _NUMBER.search(text, ls, c.start) is None


def _total_of_what_follows(idx: Index, c: Claim, text: str) -> bool:
    """Is an unverified claim the total of the verified figures of its kind stated right after it
    ("The April period comes to $113.75: 625 kWh × $0.162 = $101.25, plus the $12.50 fixed
    charge"; "Total value is $264,810:\n- Year 1: $84,000 ...")? All of them up to the end of the
    block they start (a blank line), two or more, the operands of written-out work left out: a
    total of only some of them is no total of the list."""
    if not c.values or c.kind == "percent" or c.hedged or (c.unit is not None and c.unit.dim in ("pp", "temp")):
        return False
    operands = idx.memo.get("operands") or set()
    items = [(pos, f) for pos, f in idx.memo.get("answer_at", ()) if pos >= c.end and f.dim == c.dim and f.per == c.per
             and not f.pct_of and id(f) not in operands]
    if len(items) < 2:
        return False
    block_end = text.find("\n\n", items[0][0])  # (the list may start after a blank line: "Total: $X\n\n- a\n- b")
    if block_end < 0:
        block_end = len(text)
    fs = [f for pos, f in items if pos < block_end][:_RECENT]
    if len(fs) < 2:
        return False
    v, tol = c.values[0]
    V = to_base(v, c.unit, c.inverse) if c.unit is not None else v
    T = tol_to_base(v, tol, c.unit, c.inverse) if c.unit is not None else tol
    slack = sum(_rounding_slack(f) for f in fs if not _in_data(idx, f.v))  # (a figure the data states is exact)
    return abs(sum(f.b for f in fs) - V) <= T + slack or abs(sum(_signed_b(f) for f in fs) - V) <= T + slack


def _in_data(idx: Index, x: float, t: float | None = None) -> bool:
    """Does the conversation state x (within t; default: exactly, up to float noise)?"""
    if t is None:
        t = abs(x) * 1e-9
    i = bisect.bisect_left(idx.vals, x - t)
    return i < len(idx.vals) and idx.vals[i] <= x + t


def _work_operand(idx: Index, c: Claim, text: str) -> bool:
    """Is the claim an operand of arithmetic its sentence writes out (and no result of it): "4 × $189
    = $756.00", "$100.00 ($25 × 4)"?"""
    if not c.values or not might_show_work(text[max(0, c.start - 200):c.end + 200]):
        return False
    s0 = sentence_start(text, c.start)
    s1 = sentence_end(text, c.end, True) or len(text)
    key = ("eq", s0, text[s0:s1])
    eqs = idx.memo.get(key)
    if eqs is None:
        eqs = idx.memo[key] = equations(text, s0, s1)
    if not eqs or any(c.start - 2 <= pos < c.end for pos in eqs):
        return False
    v = c.values[0][0]
    return any(abs(x - v) <= 1e-9 * max(1.0, v) for _, ops in eqs.values() for x in ops)


def _minus_before(text: str, c: Claim) -> bool:
    """Is the claim stated negative: "-42.10", or a minus before its currency sign ("−$1,120.40",
    which the scanner reads as $1,120.40), and not a dash between two numbers ("3-5")?"""
    if c.kind == "percent":
        return False
    if c.change == "down":
        return True
    i = c.start - 1
    while i >= 0 and text[i] in " \u00a0*":
        i -= 1  # ("**−$285**" and "− $285")
    if i < 0 or text[i] not in "−-":
        return False
    j = i - 1
    while j >= 0 and text[j] == " ":
        j -= 1
    return j < 0 or not (text[j].isalnum() or text[j] in "%)")


def _signed_b(f: Fact) -> float:
    return -f.b if f.neg else f.b


def _rounding_slack(f: Fact) -> float:
    """Half a unit of the stated number's last digit, in base units (each listed figure may be rounded)."""
    return (0.5 * 10 ** -f.dec) * (f.b / f.v if f.v else 1.0)


def _recent_slack(idx: Index) -> tuple[list[float] | None, list[tuple[Fact, float, float]], float]:
    """The last _RECENT verified answer figures as (fact, base value, rounding slack), the slack 0
    for a whole number or one with a unit, sorted by value (with the values, for bisect), and the
    largest slack. Built once per state of idx.answer: a derivation search asks for it ~1,000
    times per 1k-token answer (`_find`), and the answer changes only by an append or by a new list
    (`_second_pass`, a new answer); the memo holds the list itself, so `is` cannot match a new
    list that reuses a freed one's id. The values None when one is not finite (no order to bisect).
    (`_find` only asks whether any candidate combines, so their order does not matter.)"""
    ans = idx.answer
    rec = idx.memo.get("recent_slack")
    if rec is None or rec[0] is not ans or rec[1] != len(ans):
        items = sorted(((b, b.b, _rounding_slack(b) if b.dec and b.unit is None else 0.0) for b in ans[-_RECENT:]), key=lambda x: x[1])
        bbs: list[float] | None = [x[1] for x in items]
        if not all(map(math.isfinite, bbs)) or not all(map(math.isfinite, (x[2] for x in items))):
            bbs = None
        smax = max((x[2] for x in items), default=0.0) if bbs is not None else 0.0
        rec = idx.memo["recent_slack"] = (ans, len(ans), (bbs, items, smax))
    return rec[2]


def _months_of(f: Fact) -> tuple[int, ...]:
    """The number of months a fact states: "interval_months": 6, a 24-month warranty, 3 years."""
    if not f.v or f.v != int(f.v) or f.v > 120:
        return ()
    if (f.unit is not None and f.unit.dim == "time" and abs(f.unit.factor - 2629746) < 1) or "months" in f.toks or "month" in f.toks:
        return (int(f.v),)
    if f.v <= 10 and ((f.unit is not None and f.unit.dim == "time" and abs(f.unit.factor - 31556952) < 1) or "years" in f.toks):
        return (int(f.v) * 12,)
    return ()


@functools.lru_cache(maxsize=8192)  # (the same dates move by the same counts for every date claim of an answer)
def _add_months(base: dt.date, k: int) -> dt.date | None:
    """base plus k calendar months, the day clamped to the month's last ("Aug 31 + 6 months" is Feb 28)."""
    m = base.month - 1 + k
    y, mo = base.year + m // 12, m % 12 + 1
    if not 1 <= y <= 9999:
        return None
    last = (dt.date(y + (mo == 12), mo % 12 + 1, 1) - dt.timedelta(days=1)).day if y < 9999 or mo < 12 else 31
    return dt.date(y, mo, min(base.day, last))


def _in_years(mo: int, d: int, y: int) -> list[dt.date]:
    out = []
    for yy in (y, y - 1):
        try:
            out.append(dt.date(yy, mo, d))
        except ValueError:
            pass
    return out


# "increased from 75 mcg", "up from $70,000", "was previously 84": the claim is the earlier value on
# purpose. (`_PAST` without "was", "were", "before": "her heart rate was 76" states a current reading.)
_EARLIER_SAID = re.compile(r"\b(?:from|previously|formerly|originally|earlier|old|prior)\b[^.;\n]*$", re.IGNORECASE)


class Grounding:
    """Is one claim grounded? Direct, then converted, then derived."""

    __slots__ = ("idx", "cfg", "text", "c", "_ctx", "wrong_owner", "wrong_sign", "miscalculated", "_sign", "superseded", "_now",
                 "wrong_direction", "_work", "by_work", "_sb", "other_entity", "period_slip", "bad_range")

    def __init__(self, idx: Index, cfg: NumbersConfig, text: str, c: Claim) -> None:
        self.idx, self.cfg, self.text, self.c = idx, cfg, text, c
        self._ctx: Any = None
        self.wrong_owner = False  # the claim's value is another entity's (or attribute's): no derivation rescues it
        self.wrong_sign = False  # the data states the value with the other sign (a loss as a profit)
        self.miscalculated = False  # the answer's own arithmetic gives another result
        self._sign: Any = 0  # the claim's stated direction, read on first need
        self.superseded = False  # the value equals one the user corrected later (stale): flagged, not sure
        self._now: bool | None = None
        self.wrong_direction = False  # a direction word the data's other end contradicts: flagged, not sure
        self._work: list[float] | None = None  # the operands of shown work found wrong
        self.by_work = False  # grounded as the result of arithmetic the answer wrote out
        self.other_entity = False  # a direct hit failed its owner because it is another entity's value (not attribute's)
        self.period_slip = False  # the data states this amount for another period ("annual premium $812" for a 6-month 812)
        self.bad_range = False  # the second end of a range from the data's lower bound, not its upper one
        self._sb: tuple[int, int, int, int] | None = None  # the claim's sentence, for its (start, end)

    def _bounds(self) -> tuple[int, int]:
        """The claim's sentence (computed once: most checks read it; a direction check may widen the claim)."""
        c, sb = self.c, self._sb
        if sb is None or sb[0] != c.start or sb[1] != c.end:
            sb = self._sb = (c.start, c.end, sentence_start(self.text, c.start), sentence_end(self.text, c.end, True) or len(self.text))
        return sb[2], sb[3]

    def grounded(self) -> bool:
        c = self.c
        if c.values and c.kind not in ("ident", "date", "year", "ordinal") and self.cfg.derivations:
            shown = self._shown_work()
            if shown == "bad":
                self.miscalculated = True
                return False
            if shown == "ok":
                self.by_work = True
                return True
        if c.values and c.kind in ("number", "money", "percent") and self.cfg.subjects and self._wrong_direction():
            return False
        if c.values and c.kind in ("number", "money", "percent") and self.cfg.subjects and self._reversed():
            self.wrong_sign = True  # "increased from 12,000 to 10,800": the answer's own numbers go the other way
            return False
        if c.kind == "ident":
            return any(i in self.idx.idents for i in c.idents)
        if c.kind == "date":
            if self._weekday_wrong():
                return False
            return self._date()
        if c.kind == "time" and c.minutes:
            if c.values and self.cfg.subjects and not self._direct() and self.wrong_owner:
                return False  # "Wanjiru passed in 1:38:22": Gebre's split, not a clock time to derive
            if self._time():
                return True
            if not c.values:
                return False
        if c.kind == "year":
            return self._year()
        if c.kind == "ordinal":
            return self._direct() or any(d == c.values[0][0] for _, d in self.idx.month_days)
        if self._direct():
            return True
        if self.period_slip:
            return False  # the data's amount for another period: no combination of its numbers rescues it
        if c.range_lo is not None and c.values and self._other_bound():
            return False  # "$9.3–9.5 billion" from a low of 9.3 and a high of 9.5: the data's own high, not a derivation
        if c.integer and c.values and c.kind == "number" and c.unit is None and self._list_count():
            return True
        if c.integer and c.values and len(str(int(c.values[0][0]))) >= 4 and str(int(c.values[0][0])) in self.idx.idents \
                and not self.wrong_owner:
            return True  # (a value bound to another key is no identifier either: "3,200 stars" for the forks count)
        if c.integer and c.values and self._code_number():
            return True
        if c.values and c.unit is None and c.kind == "number" and self._constant_operand():
            return True
        if c.kind == "number" and not c.integer and c.values and (c.unit is None or c.per is not None) \
                and _conversion_factor(c.values[0][0], c.values[0][1]):
            return True  # "1 kg = 2.2046 lb", "0.3048 m per foot": a standard factor the answer shows
        if self.cfg.derivations and self.other_entity and not self.wrong_sign and c.values and c.kind in ("number", "money"):
            # the hoodie's $54.00 is also 3 tees x $18.00: a value derived inside the named entity's
            # own record rescues what another entity's equal value condemned
            if any(self._derived_data(v, tol, owned=True) for v, tol in c.values if v):
                self.wrong_owner = False
                return True
        if not self.cfg.derivations or self.wrong_owner or self.wrong_sign:
            return False  # (the data states this value for another entity, or with the other sign)
        return self._derived()

    # -- confidence of a failure ----------------------------------------------------------------
    def sure(self, failed_before: bool) -> bool:
        """Is the engine sure this unverified claim is unsupported (withhold), or may it be a
        derivation or a unit it does not model (flag)? Sure: the answer's own arithmetic gives
        another result; the value is another entity's; or a lookup-shaped claim: nothing in its
        sentence derives it (no operator, no calculation word, no hedge), and every claim of the
        answer before it was verified (an answer the engine follows up to that number)."""
        c = self.c
        if self.miscalculated and self._loose_work():
            return False  # the written-out arithmetic is one the parser may have misread: flagged
        if self.wrong_owner and not (self.miscalculated or self.wrong_sign) and c.kind != "ident":
            if self.text.startswith("|", sentence_start(self.text, c.start)):
                return False  # a table cell: its columns are often computed from each other ("GD +21" = gf - ga)
            if self._own_key_named():
                return False  # "Received 96 units" for {"received": 96}: the words name the value's own key
        if self.miscalculated or self.wrong_owner or self.wrong_sign or self.period_slip or self.bad_range:
            return True
        if c.values and c.kind in ("number", "money") and self._scale_slip():
            return True  # "75 mg" for {"strength_mcg": 75}, "$31.40 per kWh" for {"peak_cents_per_kwh": 31.4}
        if c.kind == "ident" and self._in_keys():
            return False  # "FY2024" where the data has "budget_fy2024": a label its keys spell, not a misread id
        if c.kind == "ident":  # an identifier is never computed; one whose numbers the data states is misread
            groups = [float(g) for g in _NUMBER.findall(c.text.replace(",", ""))]
            return not groups or not all(self._stated_raw((g, 0.5)) for g in groups)
        if c.hedged or failed_before or self.superseded or self.wrong_direction:
            return False
        if c.values and self._stated_raw(c.values[0]):
            return False  # the data states this number: its unit, key or owner did not bind (an unmodelled shape)
        s0 = sentence_start(self.text, c.start)
        if self.text.startswith("|", s0):
            return False  # a table row: its columns are often computed from each other
        s1 = sentence_end(self.text, c.end, True) or len(self.text)
        if c.kind == "time" and _ZONE.search(self.text, s0, s1) is not None:
            return False  # a time in a named zone: a conversion (DST, offsets) the data may not spell out
        if _WORKED.search(self.text, 0, s1) is not None:
            return False  # the answer shows its working: a calculation answer, where the engine is weak
        if _CALC.search(self.text, s0, s1) is not None:
            return False
        # A lookup-shaped claim is sure only when it binds to the data: a date or time no date
        # arithmetic produced; a number whose words name a data attribute of its kind, that misreads
        # a value the data states (digits swapped, dropped or scaled), or that totals a list the
        # sentence counts. A number the data names nothing for ("16\" on center", "2.5 kg steps", a
        # weighted grade, a sum the answer does not itemise) may be derived or incidental: flagged.
        if _CHANGE.search(self.text, s0, s1) is not None:
            return False  # "went from $24,180 to $27,730, up 3.6%": a change, its ends and steps are worked out
        if c.kind == "time" and (self.idx.offsets or self.idx.zones or self.idx.utc_moments):
            return False  # the data's times carry UTC offsets (or are UTC instants): a local time is a conversion
        if c.unit is not None and self._converted_unit():
            return False  # "19 °F" where the data gives °C: a conversion
        if c.kind == "number" and c.integer and c.unit is None and c.noun is not None and c.values and c.values[0][0] <= 50:
            return False  # "2 returns", "4 stops": a count of things the engine could not count
        if c.kind in ("date", "time", "year", "ordinal"):
            if c.kind == "date" and c.dates and all(d is None for _, _, d in c.dates):
                return False  # "June 2024": a month, the period of a heading, not a looked-up date
            return _DATE_ARITH.search(self.text, s0, s1) is None
        return self._names_attribute() or self._misread() or self._counted_total(s0, s1)

    def _scale_slip(self) -> bool:
        """The number the claim states is a data value in another unit of the same kind (its scale
        slipped): 75 mg for 75 mcg, 6 kg for 6 lb, $31.40 for 31.4 cents."""
        c = self.c
        v, tol = c.values[0]
        t = max(tol, abs(v) * 1e-9)
        vals, idx = self.idx.vals, self.idx
        if c.unit is not None and c.unit.dim not in ("temp", "pp", "count", "fuel"):
            i = bisect.bisect_left(vals, v - t)
            while i < len(vals) and vals[i] <= v + t:
                f = idx.facts[idx.by_v[i][1]]
                if f.src == "data" and f.unit is not None and f.unit.dim == c.unit.dim and f.unit.offset == c.unit.offset \
                        and abs(f.unit.factor - c.unit.factor) > 1e-9 * max(f.unit.factor, c.unit.factor):
                    return True
                i += 1
        if c.kind == "money" and c.unit is None and v >= 1:
            i = bisect.bisect_left(vals, (v - t) / 100)
            while i < len(vals) and vals[i] <= (v + t) / 100:
                f = idx.facts[idx.by_v[i][1]]
                if f.src == "data" and f.dim == "money" and ("cent" in f.toks or "cents" in f.toks) and f.per == c.per:
                    return True
                i += 1
        return False

    def _converted_unit(self) -> bool:
        """Does the data state this dimension only in other units (the claim is a conversion)?"""
        u = self.c.unit
        same = [f.unit for f in self.idx.facts if f.src != "answer" and f.unit is not None and f.unit.dim == u.dim]
        return bool(same) and all(abs(x.factor - u.factor) > 1e-9 * max(abs(u.factor), 1e-12) or x.offset != u.offset for x in same)

    def _names_attribute(self) -> bool:
        """Do the claim's words (noun, the words before and after it) name a data key of a fact of
        the claim's dimension ("the deductible is $750" for {"deductible": 500})?"""
        c = self.c
        ctx = self._context()
        words = {stem(w.lower()) for w in ctx.close + ctx.near + ctx.after + ctx.far if w[:1].isalpha() and len(w) > 2}
        if c.noun:
            words.add(stem(c.noun.lower()))
        words -= _GENERIC_KEY
        if not words:
            return False
        dim = c.dim if c.kind != "percent" else "percent"
        # (`words` holds no generic key word, so meeting `f.toks` is meeting its specific part)
        return any(f.src != "answer" and f.dim == dim and not words.isdisjoint(f.toks) for f in self.idx.facts)

    def _misread(self) -> bool:
        """Is the claim's value a data value (or a derived one) with its digits swapped, one digit
        dropped or doubled, or the decimal point moved (14.78 for 147.84, $5,816.40 for 581.64)?"""
        if not self.c.values:
            return False
        v = abs(self.c.values[0][0])
        dv = _digits(v)
        if len(dv) < 3:
            return False
        derived, _ = self.idx.derived()
        for w in [f.v for f in self.idx.facts if f.src != "answer"] + derived:
            if w == 0 or abs(w - v) < 1e-9:
                continue
            dw = _digits(w)
            if len(dw) < 3:
                continue
            if dw == dv:
                return True  # the same digits, scaled
            if len(dw) == len(dv):
                diff = [k for k in range(len(dv)) if dw[k] != dv[k]]
                if len(diff) == 2 and dw[diff[0]] == dv[diff[1]] and dw[diff[1]] == dv[diff[0]]:
                    return True  # two digits swapped
                if len(diff) == 1 and diff[0] >= len(dv) - 2:
                    return True  # a cent off
            elif abs(len(dw) - len(dv)) == 1:
                a, b = (dw, dv) if len(dw) > len(dv) else (dv, dw)
                if any(a[:k] + a[k + 1:] == b for k in range(len(a))):
                    return True  # a digit dropped or added
        return False

    def _counted_total(self, s0: int, s1: int) -> bool:
        """"You spent $904.15 across 4 expenses": the sentence counts N items and the data lists
        exactly N values of the claim's dimension under one key: the claim totals that list."""
        ns = {int(m.group(1) or m.group(2)) for m in _COUNTED.finditer(self.text, s0, s1)}
        ns.discard(0)
        ns.discard(1)
        if not ns:
            return False
        dim = self.c.dim
        groups: dict[tuple[int, str], int] = {}
        for f in self.idx.facts:
            if f.src == "data" and f.dim == dim and f.key and f.obj >= 0:
                k = (id(f.pc), f.key)
                groups[k] = groups.get(k, 0) + 1
        return not ns.isdisjoint(groups.values())

    def _own_key_named(self) -> bool:
        """Is a fact stating the claim's value one of the right entity whose whole key the words right
        before the claim name (the other-attribute verdict came from the claim's noun)?"""
        c = self.c
        if not c.values:
            return False
        close = {stem(w) for w in self._context().close}
        v, tol = c.values[0]
        for f in lookup(self.idx, c, v, tol):
            own = f.toks - _GENERIC_KEY
            if f.key and own and own <= close and self._owner(f):
                return True
        return False

    def _in_keys(self) -> bool:
        """Does a data key spell the claim's text ("budget_fy2024" for "FY2024")?"""
        t = _NON_ALNUM.sub("", self.c.text.lower())
        return len(t) >= 3 and any(t in _NON_ALNUM.sub("", f.key) for f in self.idx.facts if f.src != "answer" and f.key)

    def _loose_work(self) -> bool:
        """Is the shown work the engine found wrong possibly misread: the expression it evaluated
        is the tail of a longer one ("12 × m6i.xlarge × $0.192 × 730 h", "90 minutes plus 30 s × 40"),
        mixes time units ("724 × 30 s / 418 min"), or carries a multiplier word ("2 × 100 mg
        twice daily")?"""
        text, c = self.text, self.c
        s0 = sentence_start(text, c.start)
        eq = max(text.rfind("=", s0, c.start), text.rfind("≈", s0, c.start))
        if eq < 0:
            return False
        cut = max(text.rfind(":", s0, eq), text.rfind(";", s0, eq), text.rfind("=", s0, eq), s0 - 1) + 1
        lhs = text[cut:eq]
        nums = list(_NUMBER.finditer(lhs))
        if not nums:
            return False
        tail = text[c.start:sentence_end(text, c.end, True) or len(text)][:40]
        if _MULTIPLIER.search(lhs) is not None:
            return True
        scales = {_TIME_SCALE[m.group(0).strip().lower()] for m in _TIME_WORD.finditer(lhs + " " + tail[:len(c.text) + 12])}
        if len(scales) > 1:
            return True
        ops = self._work or []
        at = next((m.start() for m in nums if ops and abs(float(m.group(0).replace(",", "")) - ops[0]) < 1e-9), None)
        return at is not None and _OPERATOR.search(lhs, 0, at) is not None  # operators before the first operand read

    def _stated_raw(self, vt: tuple[float, float]) -> bool:
        v, tol = vt
        t = max(tol, abs(v) * 1e-9)
        vals = self.idx.vals
        i = bisect.bisect_left(vals, v - t)
        return i < len(vals) and vals[i] <= v + t

    def _wrong_direction(self) -> bool:
        """Is this the number of a direction word the sentence's own numbers (or the data) contradict
        ("rose by 2,300 to 38,900" after 41,200)? Its text is widened to the word."""
        text, c = self.text, self.c
        memo = self.idx.memo
        key = ("dirpos", text)  # (the answer's text object: its hash is computed once)
        pos = memo.get(key)
        if pos is None:
            pos = memo[key] = direction_positions(text)
        if not pos:
            return False
        i = bisect.bisect_left(pos, c.start - 160)
        if i >= len(pos) or pos[i] > c.end + 160:
            return False  # no direction word near this number
        s0, s1 = self._bounds()
        r = direction_verdict(self.idx, text, s0, s1)
        if r is None or not c.start <= r[0] < max(c.end, c.start + 1):
            return False
        _, a, b, sure = r
        c.text = text[a:b]
        c.start = min(c.start, a)
        if sure:
            self.wrong_sign = True
        else:
            self.wrong_direction = True
        return True

    def _reversed(self) -> bool:
        """Is this claim the Y of "<rose|fell> ... from X to Y" where Y goes the other way from X?"""
        text, c = self.text, self.c
        m = _FROM_TO.search(text, max(0, c.start - 48), c.end + 1)
        if m is None or not c.start <= m.start("y") < c.end:
            return False
        s0 = sentence_start(text, c.start)
        verb = None
        for w in _DIR_VERB.findall(text, max(s0, m.start() - 60), m.start() + 1):
            verb = w.lower()
        if verb is None:
            return False
        x, y = float(m.group("x").replace(",", "")), float(m.group("y").replace(",", ""))
        if x == y:
            return False
        up = verb in VERBS_UP
        return (y < x) if up else (y > x)

    # -- shown work ------------------------------------------------------------------------
    def _shown_work(self) -> str | None:
        """"ok" when the claim is the result of arithmetic the answer writes out right, from
        numbers the conversation (or the answer before it) states; "bad" when it is computed wrong."""
        c, text = self.c, self.text
        memo = self.idx.memo
        key = ("work?", text)
        maybe = memo.get(key)
        if maybe is None:
            maybe = memo[key] = might_show_work(text)
        if not maybe:
            return None
        s0, s1 = self._bounds()
        key = ("eq", s0, text[s0:s1])
        eqs = self.idx.memo.get(key)
        if eqs is None:
            eqs = self.idx.memo[key] = equations(text, s0, s1)
        if not eqs:
            return None
        hit = None
        for pos in range(max(c.start - 2, s0), c.end):
            hit = eqs.get(pos)
            if hit is not None:
                break
        if hit is None:
            return None
        verdict, operands = hit
        if verdict == "bad":
            self._work = operands
            return "bad"
        return "ok" if all(self._stated(x) for x in operands) else None

    def _constant_operand(self) -> bool:
        """A standard constant the answer multiplies or divides by in work it writes out right
        ("612 kWh/month × 12 = 7,344 kWh", "126 mg/dL ÷ 18 ≈ 7.0 mmol/L", "× 131.25 = 6.6%")."""
        c, text = self.c, self.text
        v = c.values[0][0]
        if v not in _CONSTANTS and v != 131.25 and not any(abs(f - v) <= 1e-9 for f in _FACTORS):
            return False
        if not might_show_work(text[max(0, c.start - 200):c.end + 200]):
            return False
        s0, s1 = self._bounds()
        key = ("eq", s0, text[s0:s1])
        eqs = self.idx.memo.get(key)
        if eqs is None:
            eqs = self.idx.memo[key] = equations(text, s0, s1)
        return any(verdict == "ok" and not (c.start - 2 <= pos < c.end) and any(abs(x - v) <= 1e-9 for x in ops)
                   for pos, (verdict, ops) in eqs.items())

    def _stated(self, x: float) -> bool:
        """An operand of shown work: a number of the conversation, of the answer, or a small constant."""
        if x in _CONSTANTS or (x * 2 == int(x * 2) and 0 <= x <= 12):
            return True  # (a small whole number or half: a count, "time-and-a-half" 1.5)
        t = abs(x) * 1e-6 + 0.0051
        idx = self.idx
        if _in_data(idx, x, t):
            return True
        if any(abs(f.v - x) <= t for f in idx.answer):
            return True
        # a number the answer wrote before (an operand that is no claim: "38 min", "0.333 ft")
        return _num_in(self.text[:self.c.start], x)

    # -- direct --------------------------------------------------------------------------------
    def _context(self) -> Any:
        if self._ctx is None:
            s0, s1 = self._bounds()
            self._ctx = mentions(self.idx, self.text, self.c, s0, s1)
        return self._ctx

    def _owner(self, f: Fact) -> bool:
        if not self.cfg.subjects:
            return True
        return owner_ok(self.idx, f, self._context(), self.c)

    def _sign_ok(self, f: Fact) -> bool:
        """The claim states the fact's direction (or either has none)."""
        fs = fact_sign(f)
        if fs is None:
            return True
        if self._sign == 0:
            s0, s1 = self._bounds()
            self._sign = claim_sign(self.text, self.c, s0, s1)
        return self._sign is None or self._sign == fs

    def _dated_sibling(self, f: Fact) -> bool:
        """f is a field of one entry of a dated list (vitals, lab results, readings), and the claim's
        sentence names the date of another entry of that list and not f's own ("LDL is 118 mg/dL
        (drawn 2026-11-28)" when 118 is the 2026-08-20 result)."""
        pc = f.pc
        if pc is None or f.src != "data" or len(pc.dates) < 2 or f.obj < 0:
            return False
        node = pc.objs.get(f.obj)
        if node is None or node.key or node.parent < 0:
            return False  # not an entry of a list
        said = self._sentence_dates()
        if not said:
            return False
        own: set[tuple[int, int, int]] = set()
        siblings: set[tuple[int, int, int]] = set()
        for y, mo, d, obj, _ in pc.dates:
            o = pc.objs.get(obj)
            if obj == f.obj:
                own.add((y, mo, d))
            elif o is not None and o.parent == node.parent and not o.key:
                siblings.add((y, mo, d))

        def hit(dates: set[tuple[int, int, int]]) -> bool:
            return any(mo == m2 and d == d2 and (y is None or y == y2) for y, mo, d in said for y2, m2, d2 in dates)
        return bool(own) and not hit(own) and hit(siblings - own)

    def _sentence_dates(self) -> list[tuple[int | None, int, int]]:
        s0, s1 = self._bounds()
        key = ("sdates", s0, s1)
        memo = self.idx.memo
        out = memo.get(key)
        if out is None:
            out = memo[key] = [(y, mo, d) for cl in _extract(self.text, s0, s1, self.cfg) if cl.kind == "date"
                               for y, mo, d in cl.dates if d is not None]
        return out

    def _direct(self) -> bool:
        c = self.c
        stale = self.idx.stale
        for k, (v, tol) in enumerate(c.values):
            for f in lookup(self.idx, c, v, tol):
                if stale and id(f) in stale and not self._past():
                    self.superseded = True  # the user corrected this value later in the conversation
                    continue
                if f.src == "data" and self._latest() and id(f) in older_entries(self.idx):
                    self.superseded = True  # "your latest TSH is 5.9": an earlier entry of a dated list
                    continue
                if k and not f.dec:
                    continue  # "3,000" read the European way (3.000) is no count of 3
                if fact_ok(c, f):
                    if self._owner(f):
                        if not self.cfg.subjects:
                            return True
                        if self._dated_sibling(f) and _EARLIER_SAID.search(self.text, max(0, c.start - 32), c.start) is None:
                            self.superseded = True  # "at her Nov 30 visit ... 76 bpm": Nov 2's reading (flagged, not sure)
                            continue
                        if c.noun is not None and names_other(self.idx, f, self._context(), c):
                            self.wrong_owner = True  # "3,200 stars" for the forks count
                            continue
                        if self._sign_ok(f):
                            return True
                        self.wrong_sign = True
                        continue
                    if self._name_number(f):
                        continue  # "about 5 open beds" beside "5 North": the number in another record's name binds nothing
                    self.wrong_owner = True
                    if self.cfg.subjects and not entity_ok(self.idx, f, self._context(), c):
                        self.other_entity = True
                elif self.cfg.subjects and c.noun is not None and not self._name_number(f) \
                        and names_other(self.idx, f, self._context(), c):
                    self.wrong_owner = True  # the claim counts another attribute's thing ("3,200 stars": the forks)
                elif f.src == "data" and c.kind == "money" and c.per in PERIOD_NAMES and _period_of(f) not in (None, c.per) \
                        and fact_ok(c, f, period_needed=False) and self._owner(f):
                    self.period_slip = True  # "your annual premium is $812.00" for {"premium_6mo": 812}
            if c.kind == "number" and c.unit is None and 0 < v < 1:  # "0.125" for a rate of 12.5 %
                for f in lookup(self.idx, c, v * 100, tol * 100):
                    if f.dim == "percent":
                        return True
        return False

    @staticmethod
    def _name_number(f: Fact) -> bool:
        """Is f the number inside the name its record is known by ("ward": "5 North", "Line 3"): a
        string value whose other words are the record's labels?"""
        if not f.textual or f.src != "data" or f.pc is None or f.dim is not None:
            return False
        src = f.sign[0] if isinstance(f.sign, tuple) and f.sign and isinstance(f.sign[0], str) else ""
        if not src or len(src) > 24 or any(ch in src for ch in ":\n=,;"):
            return False  # (a "Forks: 3,200" line of prose labels its value; a name is a short string value of its own)
        o = f.pc.objs.get(f.obj)
        if o is None or not o.labels:
            return False
        words = (set(f.toks) - {stem(t) for t in _NON_WORD.split(f.key) if t}) or set(f.toks)  # ("sprint": "Sprint 39")
        return bool(words) and words <= o.labels

    def _list_count(self) -> bool:
        """"3 groups are below par:" then three list items: a count of the answer's own list (its items
        are claims of their own)."""
        v = self.c.values[0][0]
        if not 2 <= v <= 30:
            return False
        text = self.text
        eol = text.find("\n", self.c.end)
        if eol < 0 or text.rfind(":", self.c.end, eol) < 0:
            return False  # (the count's line ends in a colon: the list follows)
        n = 0
        for line in text[eol + 1:].split("\n"):
            st = line.strip()
            if not st:
                if n:
                    break
                continue
            if _LIST_ITEM.match(st) is None:
                break
            n += 1
            if n > v:
                return False
        return n == v

    def _code_number(self) -> bool:
        """"week 26" for "2024-W26", "quarter 3" for "Q3"."""
        before = self.text[max(0, self.c.start - 16):self.c.start].split()
        if not before:
            return False
        word = before[-1].lower().strip("(,")
        n = str(int(self.c.values[0][0]))
        return bool(word) and (word[0], n) in self.idx.code_numbers

    def _year(self) -> bool:
        v = self.c.values[0][0]
        years = [f for f in lookup(self.idx, self.c, v, 0.5) if f.src == "data" and f.unit is None]
        if not years:
            return True  # the data states no such number: a year in passing, not a claim
        return any(self._owner(f) for f in years)

    def _latest(self) -> bool:
        """Does the claim's clause call it the latest / current value ("your latest TSH is", "now at")?"""
        r = self._now
        if r is None:
            s0 = sentence_start(self.text, self.c.start)
            r = self._now = _NOW_WORDS.search(self.text, max(s0, self.c.start - 40), self.c.start) is not None
        return r

    def _past(self) -> bool:
        """Does the answer name this number as the earlier value ("moved from 8 December", "was 9",
        "previously $65")? Then a superseded value grounds it."""
        return _PAST.search(self.text, max(0, self.c.start - 40), self.c.start) is not None

    def _weekday_wrong(self) -> bool:
        """"Friday, January 11, 2027" when January 11, 2027 is a Monday: the weekday the answer puts
        before a date contradicts the calendar. Sure when the year is stated; flagged when it is the
        data's year (the only year the data's dates have)."""
        c = self.c
        m = WEEKDAY_HEAD.match(c.text)  # (the claim starts at its weekday: claims.py)
        if m is None or len(c.dates) != 1:
            return False
        y, mo, d = c.dates[0]
        if d is None:
            return False
        stated = y is not None
        if not stated:
            years = {b.year for b, _, _ in self.idx.date_list}
            if len(years) != 1:
                return False
            y = years.pop()
        try:
            actual = dt.date(y, mo, d).weekday()
        except ValueError:
            return False
        if WEEKDAYS[m.group(1)] == actual:
            return False
        if stated:
            self.miscalculated = True
        else:
            self.superseded = True
        return True

    def _date(self) -> bool:
        idx = self.idx
        if idx.stale_dates and any(d is not None and ((y, mo, d) in idx.stale_dates or y is None and any(
                (mo, d) == (m2, d2) for _, m2, d2 in idx.stale_dates)) for y, mo, d in self.c.dates) and not self._past():
            self.superseded = True  # the date a re-fetched result replaced ("still expects 8 December")
            return False
        for y, mo, d in self.c.dates:
            if d is None:
                if (y or 0, mo) in idx.month_years or any(m == mo for _, m in idx.month_years if y is None):
                    return True
            elif y is None:
                if (mo, d) in idx.month_days:
                    return True
            elif (y, mo, d) in idx.dates:
                owners = idx.date_owners.get((y, mo, d), [])
                if not owners or any(self._owner(f) for f in owners):
                    return True
                return False  # another shipment's date ("June 24" is SHP-1002's ETA)
        if not self.cfg.derivations:
            return False
        shifted = self._zone_dates()
        for y, mo, d in self.c.dates:
            if d is not None and ((y, mo, d) in shifted or (y is None and any((m2, d2) == (mo, d) for _, m2, d2 in shifted))):
                return True  # 2024-11-05T15:00Z is November 6 in Tokyo (UTC+9)
        days = self._day_counts() | self._sentence_days()
        data_months, answer_months = self._month_counts()
        shifted, shifted_md = self._month_dates(data_months)
        bases = [b for b, _, _ in idx.date_list] + idx.memo.get("answer_dates", [])[-_RECENT:]
        n_data = len(idx.date_list)
        data_dates = idx.memo.get("data_dates")
        if data_dates is None:
            data_dates = idx.memo["data_dates"] = {b for b, _, _ in idx.date_list}
        for y, mo, d in self.c.dates:
            if d is None:
                continue
            if idx.moments and self._moment_date(y, mo, d):
                return True
            if (y is not None and (y, mo, d) in shifted) or (y is None and (mo, d) in shifted_md):
                return True  # a data date plus its record's months (a 6-month recall, a 12-month lease ending the day before)
            # a date the user gave without a year ("served November 16") counts from the claim's
            # year or the one before ("December 7, 2026" is 21 days after it)
            yearless = [bd for m2, d2 in idx.month_days for bd in _in_years(m2, d2, y)] if y else []
            for k, base in enumerate(bases + yearless):
                try:
                    target = dt.date(y or base.year, mo, d)
                except ValueError:
                    continue
                delta = abs((target - base).days)
                if delta in days:
                    return True
                # (the memo covers the data's dates with the data's months; an answer's date or a
                # yearless one takes any month count)
                months = answer_months + ([n for n, _ in data_months] if k >= n_data and base not in data_dates else [])
                for n in months:
                    for step in (n, -n):
                        later = _add_months(base, step)
                        if later is not None and (later == target or (step > 0 and later - dt.timedelta(days=1) == target)):
                            return True
        return False

    def _month_dates(self, data_months: list[tuple[int, tuple[int, int] | None]]) -> tuple[set[tuple[int, int, int]], set[tuple[int, int]]]:
        """Every data date moved by a month count of its own record (or of the user), once per request."""
        memo = self.idx.memo.get("month_dates")
        if memo is None:
            full: set[tuple[int, int, int]] = set()
            md: set[tuple[int, int]] = set()
            for base, k, obj in self.idx.date_list:
                for n, owner in data_months:
                    if owner is not None and owner != (k, obj):
                        continue  # the data's month count goes with its own record's date (FVRCP's 1 year is not rabies')
                    for step in (n, -n):
                        later = _add_months(base, step)
                        if later is None:
                            continue
                        hits = [later, later - dt.timedelta(days=1)] if step > 0 else [later]
                        for x in hits:
                            full.add((x.year, x.month, x.day))
                            if x.year == base.year:
                                md.add((x.month, x.day))
            memo = self.idx.memo["month_dates"] = (full, md)
        return memo

    def _month_counts(self) -> tuple[list[tuple[int, tuple[int, int] | None]], list[int]]:
        """Numbers of months the data gives (a 6-month interval, a 12-month term), each with the
        record it belongs to (None: the user's, for any date), and those of the answer's verified
        claims (they go with any date)."""
        idx = self.idx
        out = idx.memo.get("months")
        if out is None:
            out = idx.memo["months"] = [(n, (idx.piece_no.get(id(f.pc), -1), f.obj) if f.src == "data" else None)
                                        for f in idx.facts for n in _months_of(f)]
        return out, [n for f in idx.answer[-_RECENT:] for n in _months_of(f)]

    def _zone_dates(self) -> set[tuple[int, int, int]]:
        """The dates a date-time of the data falls on in each time zone the data names."""
        out = self.idx.memo.get("zone_dates")
        if out is None:
            out = set()
            offs = list(self.idx.offsets | self.idx.zones)[:8]
            for mins in self.idx.utc_moments[:64]:
                for o in offs:
                    try:
                        day = dt.date.fromordinal(int((mins + o * 60) // 1440))
                    except (ValueError, OverflowError):
                        continue
                    out.add((day.year, day.month, day.day))
            self.idx.memo["zone_dates"] = out
        return out

    def _sentence_days(self) -> set[int]:
        """Day counts the claim's sentence states ("due 18 December (30 days after 18 November)"): each
        is a claim checked in turn."""
        s0, s1 = self._bounds()
        out = set()
        for m in _DAYS_SAID.finditer(self.text, s0, s1):
            n = int(m.group(1))
            out.add(n * 7 if m.group(2).lower().startswith("w") else n)
        return out

    def _moment_date(self, y: int | None, mo: int, d: int) -> bool:
        """A date-time of the data plus a duration of the data (2026-12-02 23:15 plus 30 hours: 4 December)."""
        durs = [f.b / 60 for f in self.idx.facts + self.idx.answer[-_RECENT:]
                if f.unit is not None and f.unit.dim == "time" and 3600 <= f.b <= 60 * 86400][:32]
        for m0 in self.idx.moments[:16]:
            for du in durs:
                day = dt.date.fromordinal(int((m0 + du) // 1440))
                if day.month == mo and day.day == d and (y is None or day.year == y):
                    return True
        return False

    def _day_counts(self) -> set[int]:
        """Numbers of days the data (or a verified claim) gives: "Net 30", a 21-day loan, 12 transit days."""
        base = self.idx.memo.get("days")
        if base is None:
            base = self.idx.memo["days"] = self._days_of(self.idx.facts) | set(self.idx.terms)
        return base | self._days_of(self.idx.answer)

    @staticmethod
    def _days_of(facts: list[Fact]) -> set[int]:
        out: set[int] = set()
        for f in facts:
            if not f.v or f.v != int(f.v) or f.v > 400:
                continue
            if (f.unit is not None and f.unit.dim == "time" and abs(f.unit.factor - 86400) < 1) or \
                    any(t in f.toks for t in ("day", "days", "term", "supply", "transit", "period", "loan", "night", "before", "after", "window")):
                out.add(int(f.v))
            if f.unit is not None and f.unit.dim == "time" and abs(f.unit.factor - 604800) < 1:
                out.add(int(f.v) * 7)
        return out

    def _time(self) -> bool:
        idx = self.idx
        times = {m for m, _, _ in idx.times}
        if idx.stale_minutes and any(m in idx.stale_minutes for m in self.c.minutes) and not self._past():
            self.superseded = True  # the departure time a re-fetched result re-timed
            return False
        for m in self.c.minutes:
            if m in times:
                return True
        said = idx.memo.get("answer_minutes")
        if said and any(m in said for m in self.c.minutes):
            return True  # the answer's own verified time in the other notation
        if not self.cfg.derivations:
            return False
        if self.idx.zones and self.idx.utc_moments:  # 2024-11-05T15:00Z at 12:00 AM in Tokyo (UTC+9)
            zoned = {int(round(u + z * 60)) % 1440 for u in self.idx.utc_moments[:64] for z in self.idx.zones}
            if any(m in zoned for m in self.c.minutes):
                return True
        shifts = self._shifts()
        if said:
            times = times | said  # (a verified time of the answer plus a duration: "arrive 17:15, leave 17:45")
        for m in self.c.minutes:
            for t in times:
                if (m - t) % 1440 in shifts or (t - m) % 1440 in shifts:
                    return True
        return False

    def _shifts(self) -> set[int]:
        """Minutes a time may move by: a duration of the data, a time-zone offset, the gap between two offsets."""
        base = self.idx.memo.get("shifts")
        if base is None:
            base = self._shifts_of(self.idx.facts, True) | self._interval_steps()
            zone = self._zone_moves(8)
            if zone:  # a departure's local time plus the block time, in the arrival's zone
                # (an offset, "+09:00", and a clock time, "15:00", read as 9 and 15 hours are no block time)
                not_durations = {int(round(abs(o) * 60)) for o in self.idx.offsets} | {m for m, _, _ in self.idx.times}
                durations = sorted(d for d in self._shifts_of(self.idx.facts, False) if d not in not_durations)[:24]
                base |= {(d + z) % 1440 for d in durations for z in zone}
            self.idx.memo["shifts"] = base
        out = base | self._shifts_of(self.idx.answer, False)
        mins = [int(round(f.b / 60)) for f in self.idx.answer[-_RECENT:] if f.unit is not None and f.unit.dim == "time"
                and 0 < f.b and abs(f.b / 60 - round(f.b / 60)) < 1e-6][-8:]
        for i, a in enumerate(mins):  # "16:10 + 50 min + 15 min": two durations the answer verified
            for b in mins[i + 1:]:
                out.add((a + b) % 1440)
        out.discard(0)
        return out

    def _zone_moves(self, limit: int | None = None) -> set[int]:
        """Minutes a clock moves between the data's time zones: each offset (from UTC) and each gap."""
        offs = list(self.idx.offsets)[:limit]
        out = {int(round(o * 60)) % 1440 for o in offs} | {int(round((a - b) * 60)) % 1440 for a in offs for b in offs}
        out.discard(0)
        return out

    def _interval_steps(self) -> set[int]:
        """{"interval_min": 15, "readings_c": [...12 values]}: reading k is k intervals after the start."""
        out: set[int] = set()
        for f in self.idx.facts:
            if f.unit is None or f.unit.dim != "time" or not f.toks & _INTERVAL_WORDS or not 0 < f.b <= 86400:
                continue
            pc = f.pc
            n = max((len(col) for col in pc.columns), default=0) if pc is not None else 0
            step = int(round(f.b / 60))
            for k in range(2, min(max(n, 2), 96) + 1):
                out.add((k * step) % 1440)
        out.discard(0)
        return out

    def _shifts_of(self, facts: list[Fact], offsets: bool) -> set[int]:
        idx = self.idx
        out: set[int] = set()
        if offsets:
            out |= self._zone_moves()
        for f in facts:
            if f.unit is not None and f.unit.dim == "time" and f.b <= 86400 and f.key != "" or (f.src == "answer" and f.unit is not None and f.unit.dim == "time"):
                mins = f.b / 60
                if abs(mins - round(mins)) < 1e-6 and 0 < mins < 1440:
                    out.add(int(round(mins)))
            elif f.unit is not None and f.unit.dim == "time" and f.src != "answer" and 0 < f.b <= 86400:
                mins = f.b / 60
                if abs(mins - round(mins)) < 1e-6:
                    out.add(int(round(mins)))
            if f.unit is not None and f.unit.dim == "time" and 86400 < f.b <= 7 * 86400:
                mins = f.b / 60  # "30 hours after 23:15": a time of day on a later date
                if abs(mins - round(mins)) < 1e-6:
                    out.add(int(round(mins)) % 1440)
        out.discard(0)
        return out

    # -- derived -------------------------------------------------------------------------------
    def _derived(self) -> bool:
        c = self.c
        if c.kind == "percent":
            return self._percent() or self._answer_columns()
        if c.unit is not None and c.unit.dim == "pp":
            return self._points()
        if c.unit is not None and c.unit.dim == "ppm" and c.kind == "number" and self._ppm_share():
            return True
        if c.unit is None and c.kind == "number" and _POINTS_AFTER.match(self.text, c.end) is not None and self._points():
            return True  # "8.8 points above the last stop's 83.6%": a difference of two percentages
        if c.kind == "number" and c.unit is not None and c.unit.dim == "time" and self._month_length():
            return True
        for v, tol in c.values:
            if v == 0:
                continue
            if self._converted_period(v, tol) or self._derived_data(v, tol) or self._with_given(v, tol) \
                    or self._listed_total(v, tol):
                return True
            if c.kind == "money" or (c.kind == "number" and c.integer and c.unit is None):
                if self._amortized(v, tol):
                    return True
            if c.unit is not None and c.unit.dim == "time" and self._durations(v, tol):
                return True
            if c.unit is not None and c.unit.dim == "fuel" and self._fuel(v, tol):
                return True
            if c.noun == "time" and c.per in _PERIOD_SECONDS and self._frequency(v, tol):
                return True
        return self._rounded_up() or self._sentence_work() or self._answer_columns() or self._sentence_gap()

    def _other_bound(self) -> bool:
        """The claim is the second end of a range whose first end is one bound of a pair the data
        states (keys with low / high, min / max, from / to, ...): a range quoted from the data is
        that pair, so the second end is the first end's partner, and the data's differs ("guided
        $9.3–9.5 billion" for a low of 9.1e9 and a high of 9.3e9: the answer's range starts at the
        high). A range computed from the data's bounds is not cut: only a value no lookup found."""
        lo, lt = self.c.range_lo
        v, tol = self.c.values[0]
        for f in self.idx.facts:
            if f.src != "data" or not f.key or abs(f.v - abs(lo)) > max(lt, abs(lo) * 1e-9):
                continue
            toks = _NON_WORD.split(f.key)
            hi = [_BOUND_PAIR.get(t) or t for t in toks]
            if hi == toks:
                continue
            sep = "_" if "_" in f.key else "-" if "-" in f.key else ""
            hk = sep.join(hi) if sep else "".join(hi)
            for g in self.idx.facts:
                if g.pc is f.pc and g.obj == f.obj and g.key == hk:
                    self.bad_range = abs(g.v - abs(v)) > max(tol, abs(v) * 1e-9)
                    return self.bad_range
        return False

    def _amortized(self, v: float, tol: float) -> bool:
        """A loan's figures by the standard amortization formula, from a principal (or balance), an
        annual rate and a term the conversation states: the monthly payment P·i / (1 - (1 + i)^-n),
        the total paid over n payments, the interest in it, the first month's interest P·i and
        principal; a balance's interest for one month (5.49% ÷ 12 × $17,342.61) and the rest of a
        stated payment; and the term in months (years × 12) as a count of payments or months.
        Built once per conversation (at most 8 amounts x 4 rates x 4 terms)."""
        idx = self.idx
        got = idx.memo.get("amort")
        if got is None:
            got = idx.memo["amort"] = _amortization(idx)
        money, counts = got
        if not money:
            return False
        c = self.c
        if c.kind == "number":
            words = {stem(w.lower()) for w in self._context().after[:2]} | ({stem(c.noun)} if c.noun else set())
            return not words.isdisjoint(_PAYMENT_WORDS) and any(abs(n - v) < 1e-9 for n in counts)
        return near(money, v, tol + abs(v) * 1e-6) >= 0

    def _month_length(self) -> bool:
        """"February has 29 days" (2024), "30 days in April": the calendar's length of a month the
        claim's clause names, in a year of the conversation's dates or one the sentence names."""
        c, text = self.c, self.text
        v = c.values[0][0]
        if abs(c.unit.factor - 86400.0) > 1e-6 or v not in (28.0, 29.0, 30.0, 31.0):
            return False
        s0, s1 = self._bounds()
        near_words = _MONTH_WORD.findall(text, max(s0, c.start - 24), min(s1, c.end + 16))
        if not near_words:
            return False
        years = {int(y) for y in _YEAR_WORD.findall(text, s0, s1)} | {d.year for d, _, _ in self.idx.date_list[:16]}
        if not years:
            years = {2023, 2024}  # (no year said: a common one or a leap one)
        for w in near_words:
            mo = _month(w)
            if mo and any(calendar.monthrange(y, mo)[1] == v for y in years):
                return True
        return False

    def _ppm_share(self) -> bool:
        """"93 defects in 15,000 units, 6,200 ppm": parts per million (billion) of a ratio are a
        share in another scale. Read as the percentage it is (x 1e-4), when the data states no
        concentration in ppm (a water test's "7.8 ppm" is a measured value, not a ratio)."""
        c = self.c
        if any(f.src != "answer" and f.unit is not None and f.unit.dim == "ppm" for f in self.idx.facts):
            return False
        k = c.unit.factor / 1e4
        g = Grounding(self.idx, self.cfg, self.text, dataclasses.replace(
            c, kind="percent", unit=None, values=[(v * k, tol * k) for v, tol in c.values]))
        return g._percent()

    def _sentence_gap(self) -> bool:
        """The gap between two figures the answer verified in the claim's sentence (or the one
        before) that the sentence names as a gap: "Gold needs 50,000, so you're 8,750 short" of
        41,250; "expected 545 units and you counted 549, a net overage of 4 units"; "9,975, only
        25 short" of the 10,000 goal. The two figures are of one kind (a plain claim may count
        what a figure with a unit measures: miles read as a length); at most 8 figures (28 pairs)."""
        c, text = self.c, self.text
        if not c.values or c.kind not in ("money", "number") or c.unit is not None or c.per is not None:
            return False
        s0, s1 = self._bounds()
        key = ("gapw", s0, text[max(0, s0 - 1):s1])  # (once per sentence: each of its claims that fails asks; \b reads text[s0 - 1])
        memo = self.idx.memo
        gap = memo.get(key)
        if gap is None:
            gap = memo[key] = _GAP_WORDS.search(text, s0, s1) is not None
        if not gap:
            return False
        p0 = sentence_start(text, s0 - 2) if s0 >= 2 else s0
        mine = {id(f) for f in self.idx.answer[-_RECENT:]}
        figs = [f for pos, f in self.idx.memo.get("answer_at", ()) if p0 <= pos < c.start and id(f) in mine and f.v
                and not f.pct_of and f.dim != "percent"][-8:]
        v, tol = c.values[0]
        cd = c.dim if c.kind != "number" else None
        for i, a in enumerate(figs):
            for b in figs[i + 1:]:
                if a.unit != b.unit and a.unit is not None and b.unit is not None:
                    continue
                if a.dim != b.dim and a.dim is not None and b.dim is not None:
                    continue
                got = a.dim or b.dim
                if cd is not None and got != cd or cd is None and got == "money":
                    continue
                if not _currency_ok(c.currency, a.cur or b.cur):
                    continue
                if abs(abs(a.v - b.v) - v) <= tol + _exact(self.idx, a) / max(1e-12, a.b / a.v) + _exact(self.idx, b) / max(1e-12, b.b / b.v):
                    return True
        return False

    def _answer_columns(self) -> bool:
        """The total, mean or weighted mean of a column of the list or table the answer just wrote
        (the lines right before the claim's line, or before its row): "- Omar: 455 h -> 15.2 h /
        - Ivy: 312 h -> 10.4 h / - Tess: 198 h -> 6.6 h // That's 32.2 hours"; a table's gain
        column with a loss in it; "- Homework (20%): 92 ... Current grade: 85.6%". A column is the
        k-th verified figure of each line; the lines have the same number of verified figures. Bounded: at most `_LIST_LINES` lines and 4 columns."""
        c, text = self.c, self.text
        if not c.values or c.kind not in ("money", "number", "percent") or (c.unit is not None and c.unit.dim in ("pp", "temp")):
            return False
        lines = self._list_above()
        if len(lines) < 2:
            return False
        mine = {id(f) for f in self.idx.answer}
        at = [(pos, f) for pos, f in self.idx.memo.get("answer_at", ()) if id(f) in mine and lines[0][0] <= pos < lines[-1][1]]
        rows = [[f for pos, f in at if a <= pos < b] for a, b in lines]
        signs = [-1.0 if _LESS_LINE.match(text, a) is not None else 1.0 for a, _ in lines]  # "- − Churn: $5,870"
        while rows and not rows[0]:
            rows.pop(0)  # (a table's header row)
            signs.pop(0)
            lines = lines[1:]
        if len(rows) < 2 or any(not r for r in rows):
            return False
        if len({len(r) for r in rows}) != 1:
            # rows of different shapes: their last figures, from a subtotal row on ("- **Gross: $1,218.88** /
            # - 401(k) 5%: −$60.94 / - FICA 7.65%: −$93.24 / ... **Net: $952.70**")
            return self._suffix_total([r[-1] for r in rows], signs, lines)
        cols = [[r[k] for r in rows] for k in range(min(len(rows[0]), 4))]
        v, tol = c.values[0]
        cd = c.dim if c.kind != "number" or c.unit is not None else None
        V = to_base(v, c.unit, c.inverse) if c.unit is not None else v
        T = tol_to_base(v, tol, c.unit, c.inverse) if c.unit is not None else tol
        s0, s1 = self._bounds()
        mean = _MEAN_WORDS.search(text, s0, s1) is not None
        for col in cols:
            f0 = col[0]
            if any(f.dim != f0.dim or f.unit != f0.unit or f.per != f0.per or f.pct_of for f in col):
                continue
            slack = sum(_exact(self.idx, f) for f in col)
            total = sum(_signed_b(f) * (1.0 if f.neg else sg) for f, sg in zip(col, signs))
            if f0.dim == cd and _currency_ok(c.currency, f0.cur) and (f0.per == c.per or c.per is None):
                if abs(abs(total) - V) <= T + slack:
                    return True
                if mean and abs(abs(total) / len(col) - V) <= T + slack / len(col):
                    return True
            if mean or c.kind == "percent":
                for w in cols:  # a weighted mean: the weights in one column (shares or counts), the values in another
                    if w is col or any(f.dim not in (None, "percent") or not f.b for f in w):
                        continue
                    ws = [f.b for f in w]
                    sw = sum(ws)
                    if not sw:
                        continue
                    wm = sum(x * _signed_b(f) for x, f in zip(ws, col)) / sw
                    if (f0.dim == cd or (cd == "percent" and f0.dim is None)) and abs(wm - V) <= T + max(_exact(self.idx, f) for f in col):
                        return True
        return False

    def _suffix_total(self, last: list[Fact], signs: list[float], lines: list[tuple[int, int]]) -> bool:
        """The last figures of the rows from a subtotal row (bold, or named gross / subtotal / total)
        down to the claim add up to it (each with its sign); or all of them do."""
        c = self.c
        v, tol = c.values[0]
        cd = c.dim if c.kind != "number" or c.unit is not None else None
        if any(f.dim != cd or f.per != c.per or f.pct_of or not _currency_ok(c.currency, f.cur) for f in last):
            return False
        V = to_base(v, c.unit, c.inverse) if c.unit is not None else v
        T = tol_to_base(v, tol, c.unit, c.inverse) if c.unit is not None else tol
        total = slack = 0.0
        for k in range(len(last) - 1, -1, -1):
            f = last[k]
            total += _signed_b(f) * (1.0 if f.neg else signs[k])
            slack += _exact(self.idx, f)
            if k < len(last) - 1 and abs(total - V) <= T + slack and \
                    (k == 0 or _SUBTOTAL_LINE.search(self.text, lines[k][0], lines[k][1]) is not None):
                return True
        return False

    def _list_above(self) -> list[tuple[int, int]]:
        """(start, end) of the list items or table rows right above the claim's line (or its row),
        in order: consecutive lines that start with a bullet, a number and a dot, or a pipe (table
        separators skipped); stops at a blank line or any other line."""
        text, c = self.text, self.c
        ls = text.rfind("\n", 0, c.start) + 1
        out: list[tuple[int, int]] = []
        end = ls - 1
        while end > 0 and len(out) < _LIST_LINES:
            start = text.rfind("\n", 0, end) + 1
            line = text[start:end].strip()
            if not line:
                if not out and end == ls - 1:
                    end = start - 1  # (one blank line between the list and the sentence that totals it)
                    continue
                break
            if _TABLE_RULE.match(line) is None:
                if _LIST_LINE.match(line) is None:
                    break
                out.append((start, end))
            end = start - 1
        out.reverse()
        return out

    def _sentence_work(self) -> bool:
        """Three figures the claim's sentence verified before it, in one expression of two operations
        the sentence does not write out: "4 tickets at $65.00 face value plus a $7.50 service fee each
        come to $290.00" is 4 x (65 + 7.5). Bounded: the last `_SENTENCE_OPERANDS` figures of the
        sentence (at most 60 ordered triples x 32 expressions), only when the claim failed
        otherwise; not for a small whole count (a coincidence of three numbers is too likely)."""
        c = self.c
        if not c.values or c.kind not in ("money", "number") or (c.unit is not None and c.unit.dim in ("pp", "temp")):
            return False
        v, tol = c.values[0]
        if not v or (c.integer and c.kind == "number" and v < 100):
            return False
        s0, _ = self._bounds()
        mine = {id(f) for f in self.idx.answer[-_RECENT:]}
        # (no percentages: a rate applied to the wrong base, or two discounts added, are the miscalculations
        # three operands make most often: "80% of $4,380 after the $1,000 deductible" is not 4,380 x 0.8 - 1,000)
        figs = [f for pos, f in self.idx.memo.get("answer_at", ()) if s0 <= pos < c.start and id(f) in mine and f.b
                and not f.pct_of and f.dim != "percent"]
        figs = figs[-_SENTENCE_OPERANDS:]
        if len(figs) < 3:
            return False
        cd = c.dim if c.kind != "number" or c.unit is not None else None
        V = to_base(v, c.unit, c.inverse) if c.unit is not None else v
        T = tol_to_base(v, tol, c.unit, c.inverse) if c.unit is not None else tol
        ops = [(f.b, f.dim, _exact(self.idx, f) / f.b, False) for f in figs]
        for i, x in enumerate(ops):
            for j, y in enumerate(ops):
                if j == i:
                    continue
                for k, z in enumerate(ops):
                    if k == i or k == j:
                        continue
                    t = T + abs(V) * (x[2] + y[2] + z[2])
                    for o1 in "+-*/":
                        xy = _combine(x, y, o1)
                        if xy is not None:
                            for o2 in "+-*/":
                                r = _combine(xy, z, o2)
                                if r is not None and r[1] == cd and abs(r[0] - V) <= t:
                                    return True
                        yz = _combine(y, z, o1)
                        if yz is not None:
                            for o2 in "+-*/":
                                r = _combine(x, yz, o2)
                                if r is not None and r[1] == cd and abs(r[0] - V) <= t:
                                    return True
        return False

    def _rounded_up(self) -> bool:
        """A whole count of things to get, rounded up from what the data derives ("312.5 sheets,
        so 313"; 6.2 boxes' worth needs 7 boxes), when the sentence says it rounds up or needs them:
        the value is derived in (n - 1, n)."""
        c = self.c
        if not (c.kind == "number" and c.integer and c.unit is None and c.noun is not None and c.values and c.per is None):
            return False
        v = c.values[0][0]
        if not 1 <= v <= 100000:
            return False
        s0, s1 = self._bounds()
        if _ROUND_UP.search(self.text, s0, s1) is None:
            return False
        vals, ds = self.idx.derived()
        i = bisect.bisect_right(vals, v - 1 + 1e-9)
        while i < len(vals) and vals[i] < v - 1e-9:
            d = ds[i]
            if d.dim is None and d.unit is None and d.cur is None and d.kind in ("ratio", "rate", "product", "mean") and \
                    (d.of is None or not self.cfg.subjects or entity_ok(self.idx, d.of, self._context(), c)):
                return True  # (a count of things per container: 2,500 flyers at 8 a sheet)
            i += 1
        return self._with_given(v - 0.5, 0.4999)

    def _fuel(self, v: float, tol: float) -> bool:
        """Fuel economy of a distance and a volume the answer verified ("18,465 km on 3,689.7 L, or
        20.0 L/100 km"), or of one of them with a fact."""
        c = self.c
        V = to_base(v, c.unit, c.inverse)
        T = tol_to_base(v, tol, c.unit, c.inverse) * 1.000001
        given = [f for f in self._given() if f.unit is not None and f.unit.dim in ("length", "volume")]
        if not given:
            return False
        others = given + [f for f in self.idx.facts if f.unit is not None and f.unit.dim in ("length", "volume")][:200]
        for a in given:
            for b in others:
                e = fuel_economy(a, b)
                if e is not None and abs(e - V) <= T:
                    return True
        return False

    def _frequency(self, v: float, tol: float) -> bool:
        """"three times a day" for every 8 hours: the period over an interval of the data."""
        per = _PERIOD_SECONDS[str(self.c.per)]
        return any(f.b and abs(per / f.b - v) <= tol for f in self.idx.facts + self.idx.answer
                   if f.unit is not None and f.unit.dim == "time")

    def _converted_period(self, v: float, tol: float) -> bool:
        """$29 a month -> $348 a year; a $78,000 salary -> $6,500 a month."""
        c = self.c
        cp = c.per if c.per in PERIOD_NAMES else None
        if cp is None:
            return False
        periodic = self.idx.memo.get("periodic")
        if periodic is None:
            periodic = self.idx.memo["periodic"] = [f for f in self.idx.facts if _period_of(f) is not None]
        stale = self.idx.stale
        for f in periodic + self.idx.answer[-_RECENT:]:
            if stale and id(f) in stale:
                continue
            fp = _period_of(f)
            if fp is None or fp == cp:
                continue
            k = period_factor(fp, cp)
            if k is None:
                continue
            if abs(f.v * k - v) <= tol * 1.0001 + f.v * k * 1e-9 and fact_ok(c, f, period_needed=False):
                return True
        return False

    def _weighted(self) -> bool:
        """The sentence asks for a weighted figure ("credit-weighted GPA"): a plain mean will not do."""
        s0 = sentence_start(self.text, self.c.start)
        return "weighted" in self.text[s0:self.c.start].lower()

    def _match_derived(self, d: Any, v: float, tol: float) -> bool:
        c = self.c
        if d.of is not None and self.cfg.subjects and not entity_ok(self.idx, d.of, self._context(), c):
            return False  # heparin's 1,210 / 110 a day stated as ceftriaxone's days of supply
        if d.kind == "mean" and self._weighted():
            return False
        if not _currency_ok(c.currency, d.cur):
            return False
        cd = c.dim
        if cd is not None and d.dim is not None and cd != d.dim:
            return False
        if c.unit is not None and d.dim is None and cd not in ("percent",):
            return False  # "9 g" is no ratio of two numbers
        if c.kind == "money" and d.dim not in ("money", None):
            return False
        if d.kind == "count" and c.noun is None and c.unit is None:
            return True
        if c.noun is not None and c.unit is None and c.integer and d.dim is not None:
            return False  # "600 requests" is no product of gigabytes
        if c.noun is not None and c.unit is None and c.integer and c.per is None and c.noun != "multiple" \
                and d.kind in ("ratio", "rate", "duration"):
            return False  # "10 seats" counts seats: no ratio of two numbers is a count of them
        if c.per is not None and c.per not in PERIOD_NAMES and not (d.per and stem(d.per) == stem(c.per)):
            # a rate claim: "points per game" -> a ratio whose denominator counts games
            words = {c.per, stem(c.per)} | _SYNONYMS.get(stem(c.per), set())
            u = UNIT_WORDS.get(c.per)
            if u is not None:
                words.add(u.dim)  # "per square foot" for a ratio over an area
            if d.kind not in ("rate", "ratio", "mean") or not (d.rate_toks & words or any(t.startswith(c.per[:4]) for t in d.rate_toks if len(c.per) >= 4)):
                if not (c.unit is not None and c.unit.dim == "time" and d.kind in ("rate", "ratio")):
                    return False
        return True

    def _derived_data(self, v: float, tol: float, owned: bool = False) -> bool:
        vals, ds = self.idx.derived()
        if owned:  # only values derived inside one record (their owner is checked in _match_derived)
            hit = self.idx.memo.get("owned")
            if hit is None:
                kept = [d for d in ds if d.of is not None]  # (still sorted by value)
                hit = self.idx.memo["owned"] = ([d.v for d in kept], kept)
            vals, ds = hit
        c = self.c
        targets = [(v, tol)]
        if c.per_n != 1.0 and c.per_n:
            targets.append((v / c.per_n, tol / c.per_n))
        cp = c.per if c.per in PERIOD_NAMES else None
        for tv, tt in targets:
            if c.unit is not None:
                # derived values are in the operands' units: compare in base units when both have one
                for d in _range(self.idx, tv, tt, c.unit, c.inverse, deltas=not _minus_before(self.text, c)):
                    if self._match_derived(d, tv, tt):
                        return True
            # a derived 338.405 rounds (half up) to a stated 338.41; a derived 9.5 does not round to 9
            i = bisect.bisect_left(vals, tv - tt)
            upper = tv + (tt * 0.999 if tt >= 0.5 else tt)
            while i < len(vals) and vals[i] <= upper:
                d = ds[i]
                if (c.unit is None or d.unit is None or d.unit == c.unit) and self._match_derived(d, tv, tt):
                    if cp is None or d.per is None or d.per not in PERIOD_NAMES or d.per == cp:
                        return True
                i += 1
            den = UNIT_WORDS.get(c.per) if c.per else None
            if den is not None:  # a rate per km stated per mile
                for d in ds:
                    if d.kind == "rate" and d.den is not None and d.den.dim == den.dim and d.den != den:
                        k = den.factor / d.den.factor
                        if abs(d.v * k - tv) <= tt and (c.unit is None or d.unit == c.unit):
                            return True
            if cp is not None:  # a monthly column total as a yearly figure
                for d in ds:
                    if d.per in PERIOD_NAMES and d.per != cp:
                        k = period_factor(d.per, cp)
                        if k and abs(d.v * k - tv) <= tt and self._match_derived(d, tv, tt):
                            return True
        return False

    def _given(self) -> list[Fact]:
        """Numbers the answer already verified (the most recent ones: a subtotal, its tax, then the
        total) and the user's own numbers: they combine with any fact."""
        return self.idx.answer[-_RECENT:] + self.idx.user

    def _listed_total(self, v: float, tol: float) -> bool:
        """The total of three or more amounts the answer just stated in a row (line items, the
        parts of a bill, hours per person), in the claim's unit; each stated figure may be rounded."""
        c = self.c
        if c.kind == "percent" or (c.unit is not None and c.unit.dim in ("pp", "temp")):
            return False
        cd = c.dim
        V = to_base(v, c.unit, c.inverse) if c.unit is not None else v
        T = tol_to_base(v, tol, c.unit, c.inverse) if c.unit is not None else tol
        run = [f for f in self.idx.answer[-_RECENT:] if f.dim == cd and f.per == c.per and not f.pct_of]
        operands = self.idx.memo.get("operands")
        if operands and self._run_total([f for f in run if id(f) not in operands], V, T):
            return True  # the results of the lines, without the operands their work wrote out
        work = [f for f in self.idx.memo.get("work_results", ())[-_RECENT:] if f.dim == cd and f.per == c.per]
        if len(work) >= 2:  # the results of the lines of work (between them: their operands), ending at the last
            total = sum(_signed_b(f) for f in work)
            slack = sum(_rounding_slack(f) for f in work)
            for f in work[:-1]:
                if abs(total - V) <= T + slack:
                    return True
                total -= _signed_b(f)
                slack -= _rounding_slack(f)
        return self._run_total(run, V, T)

    @staticmethod
    def _run_total(run: list[Fact], V: float, T: float) -> bool:
        """Do three or more figures in a row of run add up to V (each stated figure may be rounded)?"""
        n = len(run)
        signed = any(f.neg for f in run)  # gross, then "−tax", "−pension": the net adds them with their signs
        for i in range(n):
            total = signed_total = 0.0
            slack = 0.0
            pos = neg = False
            for j in range(i, n):
                f = run[j]
                total += f.b
                signed_total += _signed_b(f)
                slack += _rounding_slack(f)
                neg = neg or f.neg
                pos = pos or not f.neg
                # (a run with items of both signs totals only with its signs: "- + New: $9,100 / - − Churn: $5,870")
                if j - i >= 2 and ((not (pos and neg) and abs(total - V) <= T + slack) or (signed and abs(signed_total - V) <= T + slack)):
                    return True
        return False

    def _with_given(self, v: float, tol: float) -> bool:
        """v = a op b, with a a verified answer number or a user number and b any fact, in base
        units: a sum keeps its unit, a product or a ratio has one operand without a unit (a count,
        a share, a multiplier) or is a rate times what it is per."""
        c = self.c
        given = self._given()
        if not given:
            return False
        cd = c.dim if c.kind != "number" or c.unit is not None else None
        V = to_base(v, c.unit, c.inverse) if c.unit is not None else v
        T = tol_to_base(v, tol, c.unit, c.inverse) if c.unit is not None else tol
        for a in given:
            if not a.b:
                continue
            # a stated decimal is rounded ("43.2"); a stated whole number is taken as exact
            arel = (0.5 * 10 ** -a.dec) / a.v if a.src == "answer" and a.v and a.dec else 0.0
            if a.src == "answer" and a.pct_of:  # an approximate figure combines only into another one
                if not c.hedged:
                    continue
                arel = max(arel, 0.05)
            if a.dim == "percent":  # a verified percentage applies to an amount: v = b x p, b x (1 +- p)
                p = a.v / 100
                for k in (p, 1 + p, 1 - p):
                    if k > 0 and self._find(V / k, T / k, cd, a, "pct"):
                        return True
                if p < 1 and cd in ("money", None) and self._on_run(V / p, T / p, cd):
                    return True  # "7% sales tax on food plus service charge": a rate on the sum of the lines before
                continue
            if a.dim == cd and cd is not None and _currency_ok(c.currency, a.cur) and self._data_pct(a, V, T, arel):
                return True
            if cd is None or a.dim in (None, cd):
                floor = 0.5 if (c.money_like or a.dec) else V * 0.02
                for x, op in ((V - a.b, "sum"), (V + a.b, "diff"), (a.b - V, "diff")):
                    if (x >= floor or (op == "diff" and a.b >= floor)) and self._find(x, T, cd, a, op):
                        return True
            if a.dim is None or a.dim == "percent":  # a count / multiplier: b carries the unit
                if self._find(V / a.b, T / a.b + V / a.b * arel, cd, a, "prod") or \
                        self._find(V * a.b, T * a.b + V * a.b * arel, cd, a, "ratio"):
                    return True
            elif a.dim == cd and not (a.per and a.per in UNIT_WORDS and UNIT_WORDS[a.per].dim == "mass"):
                # a carries the unit: b is a count (not for a dose per body weight, "5 mg/kg": what it
                # multiplies is a weight in kilograms, taken above; 44 lb is no count of 44)
                if self._find(V / a.b, (T / a.b) * (1 + arel), None, a, "prod") or \
                        self._find(a.b / V, a.b / V * (T / V + arel), None, a, "ratio"):
                    return True
                if cd == "money" and not c.integer and self._find(V * 1000 / a.b, (T * 1000 / a.b) * (1 + arel), None, a, "mille"):
                    return True  # a rate per thousand: 62.5 mills on $129,000 is $8,062.50
            if cd is None and a.dim is not None and a.dim not in ("money", "percent") and c.noun is not None:
                # a count of portions: 4 g at 500 mg a tablet is 8 tablets
                if self._find(V * a.b, V * a.b * 1e-6 + T * a.b, a.dim, a, "portion") or \
                        self._find(a.b / V, a.b / V * (T / V) + 1e-12, a.dim, a, "portion"):
                    return True
            if a.dim is not None and a.v:
                for b in self._rates(cd, a):  # a quantity times a rate per it: 4 nights x EUR 189 a night
                    if abs(b.b * quantity_per(b, a) - V) <= T + V * arel:
                        return True
                if cd is not None:  # a quantity over its rate: 88 GB at 4 GB a day, 480 km at 80 km/h
                    for b in self.idx.rates + self.idx.answer[-_RECENT:]:
                        q = quotient(a, b)
                        if q is not None and q[1] == cd and abs(q[0] - V) <= T + V * arel:
                            return True
            if cd == "time" and a.dim is None and a.v and c.unit is not None and c.hedged:
                # a supply over a daily use: a 300-unit pen at 34 units a day lasts about 8.8 days
                for b in self.idx.answer[-_RECENT:]:
                    if b is not a and b.v and b.dim is None and \
                            abs(a.v / b.v - v) <= tol + v * arel:
                        return True
        return False

    def _on_run(self, target: float, t: float, cd: str | None) -> bool:
        """Is target the sum of two or three figures of the claim's kind the answer stated last in a
        row (each may be rounded)?"""
        run = [f for f in self.idx.answer[-_RECENT:] if f.dim == cd and f.unit is None and not f.pct_of and f.per is None]
        n = len(run)
        for i in range(max(0, n - 8), n):
            total = slack = 0.0
            for j in range(i, min(n, i + 3)):
                total += run[j].b
                slack += _rounding_slack(run[j]) if run[j].dec else 0.0
                if j > i and abs(total - target) <= t + slack:
                    return True
        return False

    def _data_pct(self, a: Fact, V: float, T: float, arel: float) -> bool:
        """V is a percentage of the data applied to an amount the answer verified: the listing side's
        50% of the $33,825 commission, 40% of the market value, $1,476 plus 10% waste."""
        pcts = self.idx.memo.get("data_pcts")
        if pcts is None:
            stale = self.idx.stale
            seen: set[float] = set()
            pcts = []
            # (a percentage the user states may replace the data's, "the label takes 40% now": then
            # only the user's percentages apply, and those are given already)
            user_pct = any(f.dim == "percent" for f in self.idx.user)
            for f in ([] if user_pct else self.idx.facts):
                if f.dim == "percent" and f.src != "answer" and 0 < f.v < 1000 and f.v not in seen and not (stale and id(f) in stale):
                    seen.add(f.v)
                    pcts.append(f.v / 100)
            pcts = self.idx.memo["data_pcts"] = pcts[:48]
        slack = T + V * arel
        for p in pcts:
            for k in (p, 1 + p, 1 - p):
                if k > 0 and abs(a.b * k - V) <= slack:
                    return True
        return False

    def _rates(self, dim: str | None, q: Fact) -> list[Fact]:
        return [f for f in self.idx.rates + self.idx.answer[-_RECENT:] if f.dim == dim and rate_of(f, q)]

    def _find(self, target: float, t: float, dim: str | None, a: Fact, op: str) -> bool:
        """A fact b (in base units of `dim`, or a plain number) equal to target that combines with a."""
        if target <= 0:
            return False
        idx = self.idx
        cands: list[Fact] = []
        if dim is not None and dim in idx.by_b:
            vals, facts = idx.by_b[dim]
            i = bisect.bisect_left(vals, target - t)
            while i < len(vals) and vals[i] <= target + t:
                cands.append(facts[i])
                i += 1
        i = bisect.bisect_left(idx.vals, target - t)
        while i < len(idx.vals) and idx.vals[i] <= target + t:
            f = idx.facts[idx.by_v[i][1]]
            if f.unit is None or (op == "prod" and dim is None and rate_of(a, f)):
                cands.append(f)  # (6 overtime hours for $36.00 an hour)
            i += 1
        # (the answer's own figure may be rounded: "14.8 squares" for 14.76, whose 10% more is 16.2)
        bbs, items, smax = _recent_slack(idx)
        if bbs is None:
            lo, hi = 0, len(items)
        else:  # (sorted by value: only those near the target; the window is padded, the test below exact)
            pad = t + smax + 1e-9 * (abs(target) + t + smax) + 1e-12
            lo, hi = bisect.bisect_left(bbs, target - pad), bisect.bisect_right(bbs, target + pad)
        for k in range(lo, hi):
            b, bb, s = items[k]
            if abs(bb - target) <= t + s:
                cands.append(b)
        if op == "prod" and dim is None and a.dim == "money":
            # an amount times a number of periods the answer states: $2,394.00 a year over the 20-year term
            cands.extend(b for b in idx.answer[-_RECENT:] if b.unit is not None and b.unit.dim == "time" and not b.dec
                         and 2 <= b.v <= 100 and abs(b.v - target) <= t)
        stale = idx.stale
        # (a superseded value still combines with the value that replaced it: "the late shows added 175 units")
        return any(b is not a and not (stale and id(b) in stale and abs(stale[id(b)].v - a.v) > 1e-9 * max(1.0, abs(a.v)))
                   and self._combo_ok(a, b, op, dim) for b in cands)

    def _combo_ok(self, a: Fact, b: Fact, op: str, dim: str | None) -> bool:
        """Units of a combination: "4 mg" is no sum of 2 tablets and 2 tablets; 18 kg no product of 3 and 6 t."""
        c = self.c
        if b.per == "__len__" and a.src != "answer" or b.per == "__weighted__" or b.obj < 0 and b.src != "answer":
            return False
        if op in ("sum", "diff"):
            pc = b.pc
            o = pc.objs.get(b.obj) if pc is not None else None
            if o is not None and len(o.keys) > 6:
                return False  # a nutrition label's fields do not add up to a stated number
            if (b.dim == "percent") != (a.dim == "percent"):
                return False
            if a.src == "answer" and abs(a.v - b.v) <= 1e-9 * max(1.0, a.v):
                return False  # a stated number plus the fact it came from is that number twice
            if a.per != b.per and not (a.per is None and b.per is None):
                return False  # "3 a day" and 30 tablets do not add up
            if a.dim is None and b.dim is None and not a.dec and not b.dec and "user" not in (a.src, b.src) \
                    and not any(_kin(x, y) or x == y for x in a.toks for y in b.toks):
                return False  # 8 rebounds and 25 points are no 33 of anything
            if c.noun is not None and c.unit is None and c.integer and (a.dim is not None or b.dim is not None
                                                                        or not fact_ok(c, b)):
                return False  # "33 tablets" is no sum of 30 tablets and 3 days
            if a.dim is not None and b.dim is not None and a.dim != b.dim:
                return False
            got = a.dim or b.dim
            if dim is not None and got != dim and not (dim == "money" and got is None and (a.dec or b.dec)):
                return False
            if dim not in (None, "money") and (a.dim != dim or b.dim != dim):
                return False  # 1.5 g plus 8 servings is no weight
            return _currency_ok(c.currency, a.cur or b.cur)
        if op == "pct":
            return b.dim != "percent" and (dim is None or b.dim in (dim, None))
        if op == "mille":  # a plain rate of the data with decimals, or one the answer states
            return b.dim is None and b.unit is None and (b.dec > 0 or b.src == "answer")
        if op == "portion":
            return b.dim == a.dim and b.unit is not None
        if a.dim is None and b.dim is None and not a.dec and not b.dec and a.src != "user" and b.src != "user":
            return False  # two whole numbers of a box score multiply into nothing anyone states
        if dim is None:
            if op == "prod" and a.dim == "money" and b.src == "answer" and b.unit is not None and b.unit.dim == "time":
                return b is not a  # (the periods an amount recurs over, stated by the answer)
            return b.dim in (None, "percent") or a.dim is None or rate_of(a, b)
        return b.dim == dim or (dim == "money" and b.dim is None and b.dec > 0)

    def _durations(self, v: float, tol: float) -> bool:
        """The time between two times of the data (or two dates), less or plus a time-zone shift."""
        c = self.c
        secs = to_base(v, c.unit)
        t = tol_to_base(v, tol, c.unit)
        gaps = self.idx.memo.get("gaps")
        if gaps is None:
            gaps = self.idx.memo["gaps"] = self._gaps()
        shifts = [0.0] + [f.b for f in self.idx.answer[-_RECENT:] if f.unit is not None and f.unit.dim == "time"]
        if c.unit is not None and abs(c.unit.factor - 86400) < 1:
            s0 = sentence_start(self.text, c.start)
            s1 = sentence_end(self.text, c.end, True) or len(self.text)
            if _INCLUSIVE.search(self.text, s0, s1) is not None:
                shifts.append(-86400.0)  # "15 September through 14 March inclusive is 181 days": both ends count
        return any(near(gaps, secs + sh, t) >= 0 or (sh and near(gaps, secs - sh, t) >= 0) for sh in shifts)

    def _gaps(self) -> list[float]:
        """Seconds between two times of the data (either way round midnight, give or take the gap
        between two time zones), between two offsets, between two dates."""
        idx = self.idx
        times = sorted({m for m, _, _ in idx.times})[:40]
        offs = sorted(idx.offsets)
        shifts = {0} | {int(round((a - b) * 60)) for a in offs for b in offs}
        out: set[float] = set()
        for i, a in enumerate(times):
            for b in times[i + 1:]:
                for gap in ((b - a) * 60, ((a - b) % 1440) * 60):
                    for sh in shifts:
                        out.add(gap - sh * 60)
                        out.add(gap + sh * 60)
        for i, a in enumerate(offs):  # "London is 5 hours ahead"
            for b in offs[i + 1:]:
                out.add(abs(b - a) * 3600)
        moments = sorted(set(idx.moments))[:64]
        for i, a in enumerate(moments):  # two date-times (in transit from pickup to delivery)
            for b in moments[i + 1:]:
                out.add((b - a) * 60.0)
        dates = sorted({d for d, _, _ in idx.date_list})[:60]
        for i, a in enumerate(dates):
            for b in dates[i + 1:]:
                out.add((b - a).days * 86400.0)
        return sorted(x for x in out if x > 0)

    def _percent(self) -> bool:
        c = self.c
        for v, tol in c.values:
            if v == 0:
                continue
            if self._pct_pairs(v, tol) or self._pct_given(v, tol) or self._of_ratio(v, tol):
                return True
        return False

    def _of_ratio(self, v: float, tol: float) -> bool:
        """A share with its parts in the same sentence: "91% sold (1,183 of 1,300)", "22 of 26
        positions (84.6%)", both numbers stated by the data or the answer."""
        s0, s1 = self._bounds()
        for m in _OF.finditer(self.text, s0, s1):
            a, b = float(m.group(1).replace(",", "")), float(m.group(2).replace(",", ""))
            if b and abs(a / b * 100 - v) <= tol + 1e-9 and self._stated(a) and self._stated(b):
                return True
        return False

    def _pct_candidates(self, x: float, y: float) -> list[float]:
        """The percentages two numbers make; an increase is over the smaller, a decrease over the larger."""
        lo, hi = (x, y) if x <= y else (y, x)
        if lo <= 0:
            return []
        ch = self.c.change
        up, down = (hi - lo) / lo * 100, (hi - lo) / hi * 100
        if ch == "up":
            return [up]
        if ch == "down":
            return [down]
        return [x / y * 100, y / x * 100, up, down, 100 - lo / hi * 100]

    def _pct_pairs(self, v: float, tol: float) -> bool:
        table = self.idx.memo.get("pct")
        if table is None:
            table = self.idx.memo["pct"] = self._pct_table()
        vals = table[self.c.change if self.c.change in ("up", "down") else "any"]
        return near(vals, v, tol) >= 0

    def _pct_table(self) -> dict[str, list[float]]:
        """Every percentage two related numbers of the data make, by direction (built once per request)."""
        up: list[float] = []
        down: list[float] = []
        other: list[float] = []
        for fs in self._related():
            fs = [f for f in fs if f.v and f.per != "__len__"][:24]
            n = len(fs)
            for i in range(n):
                a = fs[i]
                for j in range(i + 1, n):
                    b = fs[j]
                    if (a.dim == "percent") != (b.dim == "percent"):
                        continue
                    lo, hi = (a.v, b.v) if a.v <= b.v else (b.v, a.v)
                    up.append((hi - lo) / lo * 100)
                    down.append((hi - lo) / hi * 100)
                    other += (lo / hi * 100, hi / lo * 100, 100 - lo / hi * 100)
        up.sort()
        down.sort()
        return {"up": up, "down": down, "any": sorted(up + down + other)}

    def _related(self) -> list[list[Fact]]:
        out = []
        for p in self.idx.pieces:
            out.extend(p.groups)
            out.extend(p.lines)
            out.extend(p.columns)
            for scalars, cols in p.parents:
                for col in cols:
                    out.append(list(scalars) + col[:12])
        return out

    def _pct_given(self, v: float, tol: float) -> bool:
        """A percentage of a verified answer number (or a user number) and a fact: a share, a
        change of a from b (on the right base), or a change of `a` (a difference) over its base."""
        given = self._given()
        if not given:
            return False
        r = v / 100
        rt = tol / 100
        ch = self.c.change
        for a in given:
            if not a.v or a.dim == "percent" or a.per == "__len__":
                continue
            arel = (0.5 * 10 ** -a.dec) / a.v if a.src == "answer" and a.dec else 0.0
            sols: list[tuple[float, float, float]] = []  # (b, relative tolerance of b, partner sign)
            if ch in (None, "change"):
                sols += [(a.v / r, rt / r, 0.0), (a.v * r, rt / r, 0.0)]
            if ch in (None, "change", "up"):  # b is a's new value, or its old one; or a is the rise over base b
                sols += [(a.v * (1 + r), rt / (1 + r), 0.0), (a.v / (1 + r), rt / (1 + r), 0.0), (a.v / r, rt / r, 1.0)]
            if ch in (None, "change", "down") and r < 1:
                sols += [(a.v * (1 - r), rt / (1 - r), 0.0), (a.v / (1 - r), rt / (1 - r), 0.0), (a.v / r, rt / r, -1.0)]
            for target, rel, partner in sols:
                if target <= 0:
                    continue
                t = target * (rel + arel) + 1e-9
                for b in self._plain_near(target, t, a):
                    if partner and ch in ("up", "down"):
                        # a change of a over the base b: the other end (b + a up, b - a down) must be a fact too
                        other = b.v + partner * a.v
                        if other <= 0 or not self._plain_near(other, max(t, other * 1e-9), a):
                            continue
                    return True
        return False

    def _plain_near(self, target: float, t: float, a: Fact) -> list[Fact]:
        idx = self.idx
        out = []
        i = bisect.bisect_left(idx.vals, target - t)
        while i < len(idx.vals) and idx.vals[i] <= target + t:
            b = idx.facts[idx.by_v[i][1]]
            if b.dim != "percent" and b.per != "__len__" and b is not a and (a.dim == b.dim or (a.dim is None and b.dim is None)):
                out.append(b)
            i += 1
        out.extend(b for b in idx.answer if b is not a and b.dim != "percent" and abs(b.v - target) <= t)
        return out

    def _points(self) -> bool:
        """Percentage points (or basis points): the difference of two percentages."""
        c = self.c
        factor = c.unit.factor if c.unit is not None else 1.0
        data = self.idx.memo.get("pcts")
        if data is None:
            data = self.idx.memo["pcts"] = [f.v for f in self.idx.facts if f.dim in ("percent", "pp")]
        pcts = sorted(set(data + [f.v for f in self.idx.answer if f.dim == "percent"]))
        for v, tol in c.values:
            pv, pt = v * factor, tol * factor
            for i, a in enumerate(pcts):
                j = bisect.bisect_left(pcts, a + pv - pt - 1e-9)
                if j < len(pcts) and pcts[j] <= a + pv + pt + 1e-9 and j != i:
                    return True
            if any(abs(x - pv) <= pt for x in data):
                return True
        return False


# Words and signs of a calculation: a claim in such a sentence may be a derivation the engine
# does not model (several steps, an unmodelled unit or scale, rounding of a computed value).
_CALC = re.compile(
    r"[×=≈÷→+]| [x*] |−| / |\b(?=[acdeghlmnoprstvw])(?:total|average|avg|mean|per|each|so|that's|which is|means|comes to|works out|gives|net|"
    r"after|remaining|left|more|less|difference|combined|altogether|rate|split|share|convert|converted|equals|"
    r"about|roughly|approximately|around|nearly|almost|over|minus|plus|times|would|rounds?|rounded|half|double|"
    r"twice|triple|worth|vs|versus|against)\b", re.IGNORECASE)
_OF = re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s+(?:of|out of|/)\s+(?:the\s+)?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d%])")
_POINTS_AFTER = re.compile(r"\s*(?:percentage[ -])?(?:points?|pts?)\b", re.IGNORECASE)
_WORKED = re.compile(r"[=×≈→÷]")
# a count rounded up to whole things: said so, or things one needs to get
_ROUND_UP = re.compile(r"\bround(?:ed|ing|s)? up\b|\bup to (?:the next|a whole)\b|\b(?:need|needs|needed|order|buy|requires?|at least)\b",
                       re.IGNORECASE)
# a date or time the sentence derives: a span of days, weeks or hours, "Day 28", "later", "by", "due"
_DATE_ARITH = re.compile(r"\b\d+(?:\.\d+)?[ -]?(?:days?|weeks?|months?|years?|hours?|hrs?|h|minutes?|mins?|business days?|nights?)\b"
                         r"|\bday\s+\d+\b|\b(?=[abdeflstuw])(?:later|earlier|after|before|since|until|till|from now|ago|elapsed|within|by|"
                         r"deadline|due)\b", re.IGNORECASE)
_MULTIPLIER = re.compile(r"\b(?=[adehmnptw])(?:twice|thrice|daily|weekly|monthly|nightly|hourly|per|each|a day|a week)\b", re.IGNORECASE)
_TIME_WORD = re.compile(r"(?<=\d)\s?(?:seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h)\b|\b(?:seconds?|minutes?|hours?)\b", re.IGNORECASE)
_TIME_SCALE = {w: k for k, ws in enumerate((("second", "seconds", "sec", "secs", "s"), ("minute", "minutes", "min", "mins"),
                                            ("hour", "hours", "hr", "hrs", "h"))) for w in ws}
_OPERATOR = re.compile(r"[×÷+−*/]|\s[x-]\s|\b(?:plus|minus|times)\b", re.IGNORECASE)
# a change the sentence states: "from X to Y", "up 3.6%", "down $1,200"
_CHANGE = re.compile(r"\bfrom\s+\**[$€£]?(?!(?:19|20)\d\d\b)\d[\d,.]*[^.;!?\d]{0,40}?\bto\s+\**[$€£]?\d|\b(?:up|down)\s+\**[$€£]?\d", re.IGNORECASE)
# "across 5 expenses", "your 6 recent transactions": a count of the items a total sums
_COUNTED = re.compile(r"\b(?=[afioty])(?:across|over|from|of|in|for|your|the|all|these)\s+(?:your\s+|the\s+|all\s+|these\s+)?(\d{1,2})\s+"
                      r"(?:recent\s+)?[a-z]+s\b|\b(?:across|over)\s+(\d{1,2})\b", re.IGNORECASE)
# "rose from 12,000 to 10,800": the two ends of a change the answer states, and the verb before them
_INTERVAL_WORDS = frozenset(("interval", "every", "cadence", "step", "sampling", "frequency"))
_LIST_ITEM = re.compile(r"(?:[-*•–]|\d{1,2}[.)])\s+\S")
_DAYS_SAID = re.compile(r"\b(\d{1,3})[ -](days?|weeks?)\b", re.IGNORECASE)
_INCLUSIVE = re.compile(r"\binclusive\b|\bboth (?:days|dates|ends) (?:included|counted)\b|\bcounting both\b", re.IGNORECASE)
# words that name an earlier value: "from", "was", "previously", "(old: ...)", "instead of"
_PAST = re.compile(r"\b(?=[bdefhioprsuw])(?:from|was|were|had been|previously|originally|earlier|formerly|before|old|prior|initially|"
                   r"instead of|rather than|replac(?:es|ing|ed)|superseded|down from|up from)\b[^.;:!?\d]{0,24}$", re.IGNORECASE)
_FROM_TO = re.compile(r"\bfrom\s+[$€£]?(?P<x>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*%?\s+to\s+[$€£]?"
                      r"(?P<y>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d:/.-]\d)")
_DIR_VERB = re.compile(r"\b(?:" + "|".join(sorted(VERBS_UP | VERBS_DOWN, key=len, reverse=True)) + r")\b", re.IGNORECASE)
_ZONE = re.compile(r"\b(?:UTC|GMT|[A-Z]{1,2}[SD]T|CES?T|IST|JST|AEST|AEDT|local|time zone|timezone)\b")
_CONSTANTS = frozenset((7.0, 12.0, 24.0, 30.0, 52.0, 60.0, 100.0, 365.0, 1000.0, 1440.0, 3600.0))
# Standard conversion factors an answer states while showing a conversion (lb per kg and back,
# cm per inch, m per foot, km per mile and back, L per US gallon, g per ounce, °F per °C step,
# lb per US gallon of water, sq ft per m², acres per hectare, kPa per psi, mmol/L per mg/dL of glucose).
_FACTORS = (2.20462, 0.453592, 2.54, 0.3048, 3.28084, 1.60934, 0.621371, 3.78541, 0.264172, 28.3495, 1.8, 8.34,
            10.7639, 0.092903, 2.47105, 0.404686, 6.89476, 0.145038, 0.0555, 18.0, 0.0259, 38.67, 4.184)


_MONTH_S = 2629746.0  # the time unit's month (a twelfth of its year), in seconds
_PAYMENT_WORDS = frozenset(("payment", "pay", "month", "installment", "instalment"))
_LOAN_TOKS = frozenset(("principal", "loan", "balance", "amount", "financed", "borrowed"))


def _amortization(idx: Index) -> tuple[list[float], list[int]]:
    """The figures `Grounding._amortized` accepts, sorted; and the terms in months (payments)."""
    facts = [f for f in idx.facts if f.src != "answer"]
    rates = [f.v for f in facts if f.dim == "percent" and 0 < f.v <= 30][:4]
    terms: list[int] = []
    for f in facts:
        if f.unit is not None and f.unit.dim == "time" and f.unit.factor >= _MONTH_S * 0.99:
            n = f.b / _MONTH_S
            if abs(n - round(n)) < 1e-6 and 6 <= round(n) <= 600 and round(n) not in terms:
                terms.append(round(n))
    terms = terms[:4]
    if not rates or not terms:
        return [], []
    amounts = sorted({f.v for f in facts if f.v >= 500 and (f.dim == "money" or (f.dim is None and not _LOAN_TOKS.isdisjoint(f.toks)))},
                     reverse=True)[:8]
    pays = [f.v for f in facts if f.dim == "money" and f.v > 0]
    out: list[float] = []
    for r in rates:
        i = r / 1200
        for p in amounts:
            out.append(p * i)
            out += [q - p * i for q in pays if 0 < p * i < q < p]
            for n in terms:
                m = p * i / (1 - (1 + i) ** -n)
                mc = round(m, 2)
                out += [m, m * n, mc * n, m * n - p, mc * n - p, m - p * i, mc - round(p * i, 2)]
    return sorted(out), terms


def _conversion_factor(v: float, tol: float) -> bool:
    """Is v one of `_FACTORS` at the precision it is stated with (2.2046, 0.3048, 3.785)?"""
    if tol > abs(v) * 0.005:
        return False  # three significant digits at least: "0.5" or "1.8 kg" is no factor being shown
    return any(abs(f - v) <= tol * 1.000001 for f in _FACTORS)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+")


def _digits(x: float) -> str:
    """A value's significant digits, without the decimal point (147.84 -> "14784", 0.5 -> "5")."""
    return f"{x:.2f}".rstrip("0").rstrip(".").replace(".", "").lstrip("0")


def _num_in(text: str, x: float) -> bool:
    t = abs(x) * 1e-6 + 1e-9
    return any(abs(float(m.group(0).replace(",", "")) - x) <= t for m in _NUMBER.finditer(text))


_RECENT = 16  # verified answer numbers a derivation may use (the last ones stated)
_PERIOD_SECONDS = {"minute": 60.0, "hour": 3600.0, "day": 86400.0, "week": 604800.0, "month": 2629746.0, "year": 31556952.0}


def _range(idx: Index, v: float, tol: float, unit: Unit, inverse: bool, deltas: bool = True) -> list[Any]:
    """Derived values with another unit of the claim's dimension that equal v in base units (and
    temperature differences in another scale, for a claim that is no negative temperature)."""
    table = idx.memo.get("derived_base")
    if table is None:
        table = {}
        for d in idx.derived()[1]:
            if d.unit is None:
                continue
            if d.unit.dim == "temp" and d.kind in ("diff", "sum"):
                # a swing of 10.5 °C is one of 18.9 °F (no offset), never 50.9 °F
                table.setdefault("temp_delta", []).append((d.v * d.unit.factor, d))
            else:
                table.setdefault(d.unit.dim, []).append((to_base(d.v, d.unit), d))
        for xs in table.values():
            xs.sort(key=lambda x: x[0])
        idx.memo["derived_base"] = table = {k: ([b for b, _ in xs], [d for _, d in xs]) for k, xs in table.items()}
    out = []
    if deltas and unit.dim == "temp" and "temp_delta" in table:
        vals, ds = table["temp_delta"]
        target, t = v * unit.factor, tol * unit.factor * 1.000001
        i = bisect.bisect_left(vals, target - t)
        while i < len(vals) and vals[i] <= target + t:
            if ds[i].unit != unit:
                out.append(ds[i])
            i += 1
    if unit.dim not in table:
        return out
    vals, ds = table[unit.dim]
    target = to_base(v, unit, inverse)
    t = tol_to_base(v, tol, unit, inverse) * 1.000001
    i = bisect.bisect_left(vals, target - t)
    while i < len(vals) and vals[i] <= target + t:
        if ds[i].unit != unit or inverse:  # (an inverse unit, L/100 km, is another unit than km/L)
            out.append(ds[i])
        i += 1
    return out
