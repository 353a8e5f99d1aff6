"""Where a continuation's text meets what the client already has: at a word boundary.

A stream that broke mid-way left the client with `before` (possibly ending inside a word:
"...Simul"). The next model is asked to go on from `prompt_prefix(before)`, which is
`before` without that trailing fragment, so it starts a fresh word; it often repeats the
fragment ("Simulated"), sometimes a few words more, sometimes it starts something new.
`Joiner` holds the continuation's first characters until it can tell which, then lets the
rest through:

    before "...a Simul"   continuation "Simulated reply."       -> client gets "ated reply."
    before "...a reply"   continuation "reply. Then"            -> ". Then"
    before "...a reply"   continuation "A member of"            -> " A member of"   (no "replyA")
    before "...is "       continuation "  Paris"                -> "Paris"          (no double space)
    before "X. The cat"   continuation "The cat sat"            -> " sat"           (no repeated words)

An overlap counts when it starts at the fragment (the model re-wrote the word it was not
shown) or spans at least two words (a repeated phrase): a single repeated whole word the
model *was* shown ("that that") may be meant, so it is kept.
"""
from __future__ import annotations

import re

_FRAGMENT = re.compile(r"\w+\Z")
# Ends that want a space before a following word ("reply" + "A", "done." + "Next").
_CLOSES = set(".,;:!?)]}")
_OPENS = set("([{")
WINDOW = 1000  # how far back a repeated phrase is looked for (and how much is held, at most)


def prompt_prefix(before: str) -> str:
    """`before` without a trailing word fragment (the model regenerates the word), unless
    that would leave nothing."""
    m = _FRAGMENT.search(before)
    if m is None:
        return before
    head = before[:m.start()]
    return head if head.strip() else before


def _word_starts(text: str, start: int) -> list[int]:
    return [i for i in range(start, len(text)) if not text[i].isspace() and (i == 0 or text[i - 1].isspace())]


class Joiner:
    """Feed the continuation's text in pieces; get back what to send (None: still deciding)."""

    __slots__ = ("before", "_held", "decided", "_candidates")

    def __init__(self, before: str) -> None:
        self.before = before
        self._held = ""
        self.decided = not before  # a restart from nothing needs no seam
        frag = _FRAGMENT.search(before)
        frag_at = frag.start() if frag is not None else len(before)
        # Suffixes of `before` that a repeating continuation would begin with, longest first.
        self._candidates = [before[i:] for i in _word_starts(before, max(0, len(before) - WINDOW))
                            if i >= frag_at or len(before[i:].split()) >= 2]

    def feed(self, text: str) -> str | None:
        if self.decided:
            return text
        self._held += text
        out = self._decide(final=len(self._held) > WINDOW + 64)
        return out

    def flush(self) -> str:
        """The continuation ended (or finished its choice): decide with what there is."""
        if self.decided:
            return ""
        return self._decide(final=True) or ""

    def _decide(self, final: bool) -> str | None:
        held = self._held
        lead = held.lstrip()
        if not lead and not final:
            return None
        for s in self._candidates:
            if lead.startswith(s):
                return self._done(lead[len(s):])
            if s.startswith(lead) and not final:
                return None  # could still turn out to repeat `s`: wait for more
        return self._done(self._seam(held[:len(held) - len(lead)], lead))

    def _seam(self, space: str, lead: str) -> str:
        last = self.before[-1]
        if last.isspace() or not lead:
            return lead  # the client's text already ends at a boundary
        if space:
            return space + lead  # the model chose its own separator (a newline, a space)
        first = lead[0]
        if (last.isalnum() or last in _CLOSES) and (first.isalnum() or first in _OPENS):
            return " " + lead
        return lead

    def _done(self, out: str) -> str:
        self.decided = True
        self._held = ""
        return out
