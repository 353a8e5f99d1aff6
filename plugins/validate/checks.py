"""The span checks of a live answer: how far its text may be released, or where it fails.

`TextChecks.step(text, released, final)` answers with the position up to which the text is
safe to send and, when a claim failed, where the unverified text starts. Numbers are checked
a sentence at a time (a claim's unit and subject may follow it: "$58.20 is the gas charge"),
so a sentence holding a claim is held from the claim until the sentence ends; text before a
claim, and sentences without one, go out at once. Deny patterns are checked on everything
released; only the unfinished tail that could still become a finding is held.
"""
from __future__ import annotations

from dataclasses import dataclass

from .outcome import Bound
from .validators.base import Subject, ValidationResult
from .validators.segments import sentence_end, sentence_start, unsettled_from

_LOOKBACK = 256  # characters of delivered text a deny pattern may reach back into


@dataclass(slots=True)
class Failure:
    pos: int  # where the text that must not be delivered (as is) starts
    results: list[tuple[Bound, ValidationResult]]
    claims: list[str]


def _sentence_start_within(text: str, pos: int, reach: int) -> int:
    """`sentence_start`, reading back at most `reach` characters: a sentence that goes on and on
    is checked in windows from a word boundary, so each streamed event costs what it adds, not
    the whole sentence again (a 3,000-number one-sentence answer cost 0.4 s of CPU streamed)."""
    lo = pos - reach
    if lo <= 0:
        return sentence_start(text, pos)
    s = sentence_start(text[lo:pos + 1], pos - lo)
    if s > 0 or text[lo - 1] == "\n":  # (0: no start in the window, or a sentence that begins right at it)
        return lo + s
    space = text.find(" ", lo, pos)  # no sentence start in reach: begin after a word boundary
    return pos if space < 0 else space + 1


class TextChecks:
    def __init__(self, validators: list[Bound], subject: Subject, max_hold: int) -> None:
        self.subject = subject
        self.numbers = [(b, b.validator.session(subject)) for b in validators if b.entry.type == "numbers"]
        self.patterns = [b for b in validators if b.entry.type == "patterns"]
        self.max_hold = max_hold
        self.ok_upto = 0  # numbers: the text before this is checked
        self.accepted: set[tuple[str, int]] = set()  # (validator, start) let through by a `flag` decision

    @property
    def active(self) -> bool:
        return bool(self.numbers or self.patterns)

    def step(self, text: str, released: int, final: bool) -> tuple[int, Failure | None]:
        limit, failure = self._numbers(text, released, final)
        if self.patterns:
            plimit, pfail = self._patterns(text, released, limit, final)
            if pfail is not None and (failure is None or pfail.pos < failure.pos):
                return pfail.pos, pfail
            limit = min(limit, plimit)
        return limit, failure

    def accept(self, failure: Failure) -> None:
        """A `flag` decision: deliver the failing span as is and go on checking after it."""
        for b, _ in failure.results:
            self.accepted.add((b.entry.label, failure.pos))

    def rewind(self, pos: int) -> None:
        """The text from `pos` on is discarded (a regeneration continues from there)."""
        self.ok_upto = min(self.ok_upto, pos)

    # -- numbers ------------------------------------------------------------------------------
    def _numbers(self, text: str, released: int, final: bool) -> tuple[int, Failure | None]:
        n = len(text)
        if not self.numbers:
            return (n if final else unsettled_from(text, released)), None
        pos = max(released, self.ok_upto)
        while pos < n:
            s0 = _sentence_start_within(text, pos, self.max_hold)
            end = sentence_end(text, pos, final)
            if end is None and n - s0 > self.max_hold:
                end = unsettled_from(text, pos)  # a sentence that goes on and on: check what has settled
                if end <= pos:
                    return pos, None
            region_end = n if end is None else end
            pending = []
            for b, sess in self.numbers:
                for c in sess.claims(text, s0, region_end):
                    if c.end > pos and (b.entry.label, max(c.start, released)) not in self.accepted:
                        pending.append((max(c.start, released), c, b, sess))
            pending.sort(key=lambda x: x[0])
            if end is None:
                first = pending[0][0] if pending else n
                return max(pos, min(first, unsettled_from(text, pos))), None
            for start, c, b, sess in pending:
                if not sess.verify(text, c):
                    # the check may widen the claim to the words that make it wrong ("Friday, January
                    # 4", "rose 2.2%"): what is held back starts there (never before what was released)
                    start = max(min(start, c.start), released)
                    issue = f"unverified {c.kind} {c.text!r}: not found in the conversation's data"
                    res = ValidationResult.fail(b.entry.label, [issue], 0.0, [c.text], positions=[start],
                                                uncertain=not getattr(sess, "sure", True))
                    return start, Failure(start, [(b, res)], [c.text])
            self.ok_upto = pos = end
        return n, None

    # -- deny patterns, secrets, links ---------------------------------------------------------------
    def _patterns(self, text: str, released: int, limit: int, final: bool) -> tuple[int, Failure | None]:
        for b in self.patterns:
            cut = limit if final else min(limit, b.validator.unsettled_from(text, released))
            lo = max(0, released - _LOOKBACK)
            for s, e, issue, what in b.validator.find(text[lo:cut], self.subject):
                s, e = s + lo, e + lo
                at = max(s, released)
                if e > released and (b.entry.label, at) not in self.accepted:
                    res = ValidationResult.fail(b.entry.label, [issue], 0.0, [what], positions=[at])
                    return at, Failure(at, [(b, res)], [what])
            limit = cut
        return limit, None
