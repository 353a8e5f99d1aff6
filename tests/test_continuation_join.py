"""The seam between what a client already has and a continuation: `plugins.fallback.join`."""
from __future__ import annotations

import pytest

from plugins.fallback.join import WINDOW, Joiner, prompt_prefix


def join(before: str, *pieces: str) -> str:
    """What the client ends up with when the continuation arrives in `pieces`."""
    j = Joiner(before)
    out = before
    for p in pieces:
        got = j.feed(p)
        if got is not None:
            out += got
    return out + j.flush()


@pytest.mark.parametrize(("before", "pieces", "expected"), [
    ("a Simul", ["Simulated", " reply."], "a Simulated reply."),          # cut inside a word, model re-writes it
    ("a Simul", ["Sim", "ulated reply."], "a Simulated reply."),          # ... arriving in pieces
    ("a reply", ["reply.", " Then"], "a reply. Then"),                    # cut after a word, repeated
    ("Simulated reply", ["A member of"], "Simulated reply A member of"),  # a new word: never "replyA"
    ("It is ", ["  Paris"], "It is Paris"),                               # no double space
    ("Done.", ["Next step"], "Done. Next step"),
    ("Done.", [",", " then"], "Done., then"),                             # punctuation attaches
    ("line one", ["\n\nline two"], "line one\n\nline two"),               # the model's own separator is kept
    ("X. The cat", ["The cat sat."], "X. The cat sat."),                  # a repeated phrase is dropped
    ("The capital of France is ", ["The capital of France is Paris."], "The capital of France is Paris."),
    ("I said that ", ["that is fine"], "I said that that is fine"),       # one repeated whole word may be meant
    ("in the", ["theory, yes"], "in theory, yes"),                        # the fragment was re-written as a longer word
    ("", ["Fresh start"], "Fresh start"),                                 # a restart needs no seam
    ("word", [], "word"),                                                 # an empty continuation adds nothing
])
def test_join(before: str, pieces: list[str], expected: str) -> None:
    assert join(before, *pieces) == expected


def test_the_joiner_waits_only_while_an_overlap_is_still_possible() -> None:
    j = Joiner("The river flows")
    assert j.feed("The ri") is None  # could be "The river flows" again
    assert j.feed("ver runs") == " The river runs"  # it did not repeat: all of it, after a space
    assert j.decided and j.feed(" on") == " on"


def test_a_new_word_is_sent_as_soon_as_it_differs() -> None:
    j = Joiner("The river flows")
    assert j.feed("q") == " q"  # "q" starts no candidate: decided at once
    assert j.feed("uietly") == "uietly"


def test_the_held_text_is_bounded() -> None:
    before = "word " * 400
    j = Joiner(before)
    got = j.feed(before[: WINDOW + 100])  # a continuation repeating a long stretch
    assert got is not None and j.decided


@pytest.mark.parametrize(("shown", "asked"), [
    ("The river fl", "The river "), ("The river flows.", "The river flows."), ("Simulated", "Simulated"), ("", "")])
def test_prompt_prefix_drops_a_trailing_fragment(shown: str, asked: str) -> None:
    assert prompt_prefix(shown) == asked
