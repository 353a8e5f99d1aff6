"""Joining a regenerated continuation onto the part of a live answer the client already has.

The model is asked to continue from where the delivered prefix stops, but models often start
over (the whole answer, or the sentence that was cut) or repeat the last words. `Joiner`
holds the first words of the continuation until it can tell, drops what repeats the prefix,
and joins at a word boundary: no doubled space, no two words run together.
"""
from __future__ import annotations

import re

_WS = re.compile(r"\s+")
_MIN_OVERLAP_WORDS = 1  # a word repeated exactly at the join is a repeat far more often than meant
_DECIDE_WORDS = 6  # words of continuation after which a repeat of the prefix is ruled out


def _norm(s: str) -> str:
    return _WS.sub(" ", s).strip()


def _sentence_tail(prefix: str) -> str:
    """The part of the prefix after its last sentence end (where a restart of the cut sentence begins)."""
    i = max(prefix.rfind(". "), prefix.rfind("! "), prefix.rfind("? "), prefix.rfind("\n"))
    return prefix[i + 1:] if i >= 0 else prefix


def _skip_normalized(raw: str, count: int) -> int:
    """The index in `raw` after which `count` characters of its normalized form have passed."""
    seen = 0
    i = 0
    n = len(raw)
    while i < n and raw[i].isspace():
        i += 1
    while i < n and seen < count:
        if raw[i].isspace():
            while i < n and raw[i].isspace():
                i += 1
            seen += 1
            continue
        i += 1
        seen += 1
    return i


class Joiner:
    """Feed the continuation's text pieces; get back the text to append to the prefix."""

    __slots__ = ("prefix", "_buf", "_decided", "_restarts", "_tail_words")

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._buf = ""
        self._decided = not prefix.strip()
        # Longest first: the whole answer restarted, then only the sentence that was cut.
        restarts = [_norm(prefix), _norm(_sentence_tail(prefix))]
        self._restarts = sorted({r for r in restarts if r}, key=len, reverse=True)
        self._tail_words = _norm(prefix).split(" ")[-40:]

    def feed(self, piece: str, final: bool = False) -> str:
        if self._decided:
            if not self.prefix and not self._buf:
                self._buf = "x"  # only the very start of an answer loses its leading white space
                return piece.lstrip()
            return piece
        self._buf += piece
        cont = _norm(self._buf)
        if not final and (not cont or any(r.startswith(cont) for r in self._restarts)):
            return ""  # may still be a restart of the prefix: wait
        for r in self._restarts:
            if cont.startswith(r) and (len(cont) == len(r) or cont[len(r)] == " " or not r[-1].isalnum()):
                return self._decide(_skip_normalized(self._buf, len(r)))
        words = cont.split(" ")
        if not final and len(words) < _DECIDE_WORDS and words[0] in self._tail_words:
            return ""  # may still repeat the last words of the prefix
        return self._decide(self._overlap(words))

    def _overlap(self, words: list[str]) -> int:
        tail = self._tail_words
        for k in range(min(len(tail), len(words) - 1), _MIN_OVERLAP_WORDS - 1, -1):
            if tail[-k:] == words[:k]:
                return _skip_normalized(self._buf, len(" ".join(words[:k])))
        return 0

    def _decide(self, cut: int) -> str:
        self._decided = True
        rest = self._buf[cut:]
        self._buf = "x"
        if not rest:
            return ""
        head = self.prefix[-1:] if self.prefix else ""
        if not head or head.isspace():
            return rest.lstrip(" \t")
        if rest[0].isspace():
            return rest
        if head.isalnum() and (rest[0].isalnum() or rest[0] in "$€£¥(\"'"):
            return " " + rest
        if head in ",;:" and rest[0].isalnum():
            return " " + rest
        return rest
