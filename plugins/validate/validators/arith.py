"""Shown work: arithmetic the answer writes out ("38 min x $0.12 = $4.56", "$5,460 / 12 = $455.00").

An equation of the answer is read as `expression = result` (or `≈`): numbers (with their
currency sign, thousands separators and a `%`, which counts as a hundredth), the operators
`× x * / ÷ + − -` (a `-` only between spaces), parentheses, and up to four unit words after a
number ("142 min", "6 g protein"). Juxtaposed numbers, ranges, arrows and a lone number before
`=` (a conversion, "240 cubic feet = 8.89 cubic yards") are no expression: nothing is said
about those.

Two more layouts state a result beside its work without `=`, and are read the same way
except that they only ever ground (a miscalculation needs the `=` the writer committed to; a
cell "2 x 4" beside a price is a lumber size, not work): a result with its work in parentheses
right after it or right before it ("$756.00 ($189 × 4)", "24/30 (80%)"), and a table row whose
cell ends with the work and whose next cell is the result alone ("| Overtime (12 h × $42.75) |
$513.00 |").

`equations(text, s0, s1)` maps the start of each result number in the span to
`(verdict, operands)`: "ok" when the expression evaluates to the result within its precision
(one unit of the last digit for `≈` or a hedge, half of one otherwise, and 0.3 % for the
operands' own rounding), "bad" when it is clearly off. A result the answer computed right is
grounded when its operands are (the caller checks them against the data); a result computed
wrong is a fabrication the engine is sure of, whatever fact happens to equal it.
"""
from __future__ import annotations

import re

_NUM = re.compile(
    r"(?P<cur>US\$|[$€£¥₹])?\s?(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?P<pct>\s?%)?")
_TOKEN = re.compile(
    r"(?P<num>(?:(?:US\$|[$€£¥₹])\s?)?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:\s?%)?(?![\d:])(?!\.\d)(?!/[A-Za-z]))"
    r"|(?P<bold>\*\*|__)"
    r"|(?P<op>[×÷+−]|(?<=\s)[-x*](?=\s)|/(?=\s*[\d$€£¥(]))"
    r"|(?P<eq>=|≈|~=)"
    r"|(?P<lp>\()|(?P<rp>\))"
    r"|(?P<word>[A-Za-z][A-Za-z0-9³²/.'-]*|[°µ][A-Za-z]*|¢)"
    r"|(?P<sp>[ \t]+)"
    r"|(?P<other>.)", re.DOTALL)
_MAX_UNIT_WORDS = 4


def _value(tok: str) -> tuple[float, bool, int]:
    m = _NUM.match(tok.strip())
    assert m is not None
    n = m.group("n").replace(",", "")
    dec = len(n.split(".")[1]) if "." in n else 0
    return float(n), bool(m.group("pct")), dec


class _Parser:
    __slots__ = ("toks", "i", "operands", "plain")

    def __init__(self, toks: list[tuple[str, str, int]]) -> None:
        self.toks = toks
        self.i = 0
        self.operands: list[float] = []
        self.plain = False  # an operand that is no percentage was read (a base a "+ 20%" applies to)

    def peek(self) -> str | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def expr(self) -> float | None:
        v = self.term()
        while v is not None and self.peek() == "op" and self.toks[self.i][1] in "+−-":
            op = self.toks[self.i][1]
            self.i += 1
            at = self.i
            w = self.term()
            if w is None:
                return None
            if self.plain and self.i == at + 1 and self.toks[at][0] == "num" and _value(self.toks[at][1])[1]:
                w = v * w  # "$9 + 20%" is $9 and a fifth of it, not 9.20 (but 6.25% + 0.75% is 7%)
            v = v + w if op == "+" else v - w
        return v

    def term(self) -> float | None:
        v = self.factor()
        while v is not None and self.peek() == "op" and self.toks[self.i][1] in "×*x/÷":
            op = self.toks[self.i][1]
            self.i += 1
            w = self.factor()
            if w is None:
                return None
            if op in "/÷":
                if w == 0:
                    return None
                v = v / w
            else:
                v = v * w
        return v

    def units(self) -> None:
        k = 0
        while self.peek() == "word" and k < _MAX_UNIT_WORDS:
            self.i += 1
            k += 1

    def factor(self) -> float | None:
        t = self.peek()
        if t == "num":
            v, pct, _ = _value(self.toks[self.i][1])
            self.operands.append(v)
            self.plain = self.plain or not pct
            self.i += 1
            self.units()
            return v / 100 if pct else v
        if t == "lp":
            self.i += 1
            v = self.expr()
            if v is None or self.peek() != "rp":
                return None
            self.i += 1
            self.units()
            return v
        return None


def _tokens(seg: str, base: int) -> list[tuple[str, str, int]]:
    out = []
    for m in _TOKEN.finditer(seg):
        kind = m.lastgroup or "other"
        if kind in ("sp", "bold"):
            continue  # (markdown emphasis: "= **259 kcal**")
        out.append((kind, m.group(0), base + m.start()))
    return out


def might_show_work(seg: str) -> bool:
    """Can seg hold an equation or a result beside its work (a cheap test before tokenizing: a
    few substring scans, no regex)?"""
    if "=" in seg or "≈" in seg:
        return True
    if "(" not in seg and "|" not in seg:
        return False
    return "×" in seg or "÷" in seg or "*" in seg or "/" in seg or " x " in seg or " + " in seg or " − " in seg or " - " in seg


def equations(text: str, s0: int, s1: int) -> dict[int, tuple[str, list[float]]]:
    """Result start -> ("ok" | "bad", operand values) for the equations written in text[s0:s1]."""
    out: dict[int, tuple[str, list[float]]] = {}
    seg = text[s0:s1]
    if not might_show_work(seg):
        return out
    toks = _tokens(seg, s0)
    if "=" in seg or "≈" in seg:
        _with_equals(text, toks, out)
    if "(" in seg:
        _beside_parenthesized(toks, out)
    if "|" in seg:
        _table_rows(toks, out)
    return out


def _whole(toks: list[tuple[str, str, int]]) -> tuple[float, list[float]] | None:
    """The value and operands of toks when all of them are one expression with an operator."""
    if not toks or toks[0][0] not in ("num", "lp") or not any(t[0] == "op" for t in toks):
        return None
    p = _Parser(toks)
    v = p.expr()
    if v is None or p.i != len(toks):
        return None
    return v, p.operands


def _tolerance(r: float, dec: int, approx: bool) -> float:
    """A stated result's precision: one unit of its last digit when hedged ("≈", "about"), half of one
    otherwise, and a little for the operands' own rounding."""
    unit = 10.0 ** -dec
    return (unit if approx else unit / 2) * 1.000001 + abs(r) * (0.012 if approx else 0.003)


def _matches(v: float, rtok: str) -> bool:
    """Does a stated result equal the work's value within the result's own precision?"""
    r, rpct, dec = _value(rtok)
    tol = _tolerance(r, dec, False)
    return abs(abs(v) - r) <= tol or (rpct and abs(abs(v) * 100 - r) <= tol)


def _beside_parenthesized(toks: list[tuple[str, str, int]], out: dict[int, tuple[str, list[float]]]) -> None:
    """"$756.00 ($189 × 4)" (the result, then its work) and "24/30 (80%)" (the work, then the result)."""
    n = len(toks)
    for k, (kind, _, _) in enumerate(toks):
        if kind != "lp":
            continue
        close = next((j for j in range(k + 1, min(n, k + 40)) if toks[j][0] in ("rp", "lp")), None)
        if close is None or toks[close][0] != "rp":
            continue  # (nested parentheses: not this simple layout)
        inner = toks[k + 1:close]
        # the result, then its work: the number (and up to four unit words) right before "("
        j = k - 1
        while j >= 0 and toks[j][0] == "word" and k - j <= _MAX_UNIT_WORDS:
            j -= 1
        if j >= 0 and toks[j][0] == "num" and toks[j][2] not in out:
            work = _whole(inner)
            if work is not None and _matches(work[0], toks[j][1]):
                out[toks[j][2]] = ("ok", work[1])
        # the work, then its result: "(80%)" holding one number after an expression
        if len(inner) == 1 and inner[0][0] == "num" and inner[0][2] not in out:
            start = k - 1
            while start > 0 and toks[start - 1][0] in ("num", "op", "word") and k - start < 12:
                start -= 1
            for a in range(start, k):
                if toks[a][0] != "num":
                    continue
                work = _whole(toks[a:k])
                if work is not None:
                    if _matches(work[0], inner[0][1]):
                        out[inner[0][2]] = ("ok", work[1])
                    break  # the longest expression that parses is the one meant


def _table_rows(toks: list[tuple[str, str, int]], out: dict[int, tuple[str, list[float]]]) -> None:
    """"| Overtime (12 h × $42.75) | $513.00 |": a cell ending with work, the next cell its result."""
    rows: list[list[list[tuple[str, str, int]]]] = [[[]]]
    for t in toks:
        if t[0] == "other" and t[1] == "\n":
            rows.append([[]])
        elif t[0] == "other" and t[1] == "|":
            rows[-1].append([])
        else:
            rows[-1][-1].append(t)
    for row in rows:
        for work_cell, result_cell in zip(row, row[1:]):
            result = [t for t in result_cell if not (t[0] == "other" and t[1] in "−-+")]  # (a deduction: "−$1,120.40")
            if len(result) != 1 or result[0][0] != "num" or result[0][2] in out:
                continue
            for start in range(len(work_cell)):
                if work_cell[start][0] not in ("num", "lp"):
                    continue
                work = _whole(work_cell[start:])
                if work is not None:
                    if _matches(work[0], result[0][1]):
                        out[result[0][2]] = ("ok", work[1])
                    break  # the longest expression that parses is the one meant


def _with_equals(text: str, toks: list[tuple[str, str, int]], out: dict[int, tuple[str, list[float]]]) -> None:
    """"expression = result" (or "≈"): ok, or bad when the result is clearly off."""
    for k, (kind, tok, pos) in enumerate(toks):
        if kind != "eq" or k + 1 >= len(toks) or toks[k + 1][0] != "num":
            continue
        after = k + 2
        while after < len(toks) and toks[after][0] == "word" and after - k - 2 < _MAX_UNIT_WORDS:
            after += 1
        if after < len(toks) and toks[after][0] == "op":
            continue  # "= 270 ÷ 32 = 8.44": the number after "=" starts the next step, it is no result
        left_end = k
        # the clause before "=": back to a breaker (punctuation other than parentheses, an
        # earlier "=", a line break, a table cell)
        j = left_end
        while j > 0:
            kj, tj, _ = toks[j - 1]
            if kj == "eq" or (kj == "other" and tj not in "()"):
                break
            j -= 1
        parsed = []  # every expression ending at "=", longest first
        for start in range(j, left_end):
            if toks[start][0] not in ("num", "lp"):
                continue
            p = _Parser(toks[start:left_end])
            v = p.expr()
            if v is not None and p.i == left_end - start and any(x[0] == "op" for x in toks[start:left_end]):
                parsed.append((v, p.operands))
        if not parsed:
            continue
        rtok = toks[k + 1][1]
        r, rpct, dec = _value(rtok)
        tol = _tolerance(r, dec, tok != "=" or _hedged_before(text, pos))

        def cands(v: float) -> list[float]:
            return [abs(v), abs(v) * 100] if rpct else [abs(v)]
        # the longest expression that parses is the one meant, unless a shorter tail of it gives the
        # result ("118 × $62 = $7,316 + 14 × $28 = $392": the second step is 14 × $28)
        ok = next((x for x in parsed if any(abs(cv - r) <= tol for cv in cands(x[0]))), None)
        if ok is not None:
            out[toks[k + 1][2]] = ("ok", ok[1])
            continue
        v, operands = parsed[0]
        if all(abs(cv - r) > max(tol * 2, abs(r) * 0.02) for cv in cands(v)) and not _scaled(abs(v), r):
            out[toks[k + 1][2]] = ("bad", operands)


def _scaled(v: float, r: float) -> bool:
    """The result is the value in another unit of a metric scale (400 mg / 250 mL = 1,600 mcg/mL)."""
    if not v or not r:
        return False
    q = r / v
    return any(abs(q - 10.0 ** k) <= 10.0 ** k * 0.004 for k in (-6, -3, -2, -1, 1, 2, 3, 6))


def _hedged_before(text: str, pos: int) -> bool:
    after = text[pos:pos + 16].lower()
    return any(w in after for w in ("about", "roughly", "approx", "around", "~"))
