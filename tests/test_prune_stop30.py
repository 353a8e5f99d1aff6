"""Pruning keeps the current value when it was updated (issue 18, stop 30): the fresh reading of a
repeated tool call in an agent loop when the question ends in a clause that only picks the version
("as of your latest reading"), the line of a long pasted log that reassigns a task when the question
names the task in other words, and a note saying it is the revised version of an earlier note among
templated notes. The word forms that join them ("moves" / "moved") are checked on their own. The
conversations are written here and pruned with the shipped proxy.toml settings."""
from __future__ import annotations

import json
import random
from typing import Any

from plugins.prune.scoring import _parts, _query, analyse
from plugins.prune.words import stem
from tests.test_prune_corrections import kept_text, prune


def test_a_verb_form_meets_its_other_forms() -> None:
    """"moved" and "moving" stemmed to "mov", "moves" to "move": a question about getting something
    "moved" met no line saying it "moves to" someone. A short stem that lost its "e" gets it back."""
    assert stem("moved") == stem("moving") == stem("moves") == stem("move")
    assert stem("rated") == stem("rating") == stem("rate") and stem("coded") == stem("code")
    assert stem("stopped") == "stop" and stem("hopping") == "hop" and stem("fixed") == "fix"  # as before


def _call(cid: str, name: str, args: dict[str, Any], result: Any) -> list[dict[str, Any]]:
    return [{"role": "assistant", "content": None,
             "tool_calls": [{"id": cid, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}]},
            {"role": "tool", "tool_call_id": cid, "content": json.dumps(result, indent=1)}]


HEADLINES = ["Regional rail strike called off after late talks", "Harbour authority approves new ferry terminal",
             "Storm warning lifted for the northern coast", "City council delays vote on parking fees",
             "Museum reopens its west wing after repairs", "Local bakery wins national bread award",
             "Cycling lanes extended along the river path", "School board adopts four-day timetable trial"]


def _card_loop(r: random.Random) -> list[dict[str, Any]]:
    """An agent loop: the travel card's balance, a booking that spends from it, the balance again, and
    many long feed reads whose call name says "latest" between them."""
    msgs: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a finance operations agent. Use the tools."},
        {"role": "user", "content": "Check what is left on the team travel card, book the Lisbon offsite hotel on it, "
                                    "and skim the news feeds for anything that affects the trip."}]
    n = 0

    def feeds(k: int) -> None:
        nonlocal n
        for _ in range(k):
            n += 1
            items = [{"headline": r.choice(HEADLINES), "source": r.choice(["wire", "local", "metro"]), "minutes_ago": r.randrange(5, 500)}
                     for _ in range(14)]
            msgs.extend(_call(f"call_{n}", "fetch_latest_headlines", {"feed": r.choice(["europe", "travel", "business"])}, {"items": items}))

    feeds(4)
    msgs.extend(_call("call_b1", "get_card_balance", {"card": "team-travel"}, {"card": "team-travel", "remaining": 4180, "currency": "EUR"}))
    feeds(5)
    msgs.extend(_call("call_h", "book_hotel", {"card": "team-travel", "hotel": "Lisbon offsite", "nights": 3},
                      {"status": "confirmed", "charged": 1370, "remaining_after_charge": 2810}))
    feeds(5)
    msgs.extend(_call("call_b2", "get_card_balance", {"card": "team-travel"}, {"card": "team-travel", "remaining": 2315, "currency": "EUR"}))
    feeds(5)
    msgs.append({"role": "assistant", "content": "The hotel is booked and I re-checked the card. Want a summary for the team?"})
    return msgs


def test_a_clause_that_only_picks_the_version_is_no_part_of_the_question() -> None:
    """"..., as of your latest reading?" was a second part of the question (two of its words are query
    terms), and the units most relevant to that part were the feed reads whose call name holds "latest":
    they took relevance 1 and the card balances went. A clause whose words, version selectors aside, are
    fewer than two asks nothing of its own."""
    q = {t: 1.0 for t in analyse("How much is left on the team travel card as of your latest reading").tf}
    assert _parts("How much is left on the team travel card, as of your latest reading?", q) == ()
    assert _parts("Remind me the hotel's check-in time, and the taxi firm's phone number?", q | {
        t: 1.0 for t in analyse("hotel check-in time taxi firm phone number").tf}) != ()  # two things asked: two parts
    msgs = _card_loop(random.Random(30)) + [
        {"role": "user", "content": "How much can we still put on the team travel card, as of your latest reading?"}]
    for budget in (6000, 4000):
        kept = kept_text(prune(msgs, budget))
        assert '"remaining": 2315' in kept, budget


def test_a_repeated_call_under_a_question_about_now_ranks_the_fresh_reading_first() -> None:
    """Of two identical calls, the earlier result's items are repeated later (by the second call itself),
    so the stale reading scored higher than the fresh one and went last. Under a question about the value
    now, the later reading is the current one: it scores higher, the stale one keeps half its relevance.
    Under a question about the earlier reading nothing is demoted."""
    from tests.test_prune_corrections import MODEL, pruner

    loop = _card_loop(random.Random(31))

    def readings(question: str) -> list[Any]:
        msgs = loop + [{"role": "user", "content": question}]
        p = pruner().pruner.plan(msgs, MODEL, None, 3000)
        return [u for u in p.units if u.role == "tool" and "get_card_balance" in json.dumps(msgs[u.messages[0]])]

    stale, fresh = readings("What is the team travel card's remaining balance now?")
    assert fresh.score > stale.score and stale.rel_norm <= 0.5 * fresh.rel_norm
    stale, fresh = readings("What did the first balance check of the team travel card say, before the hotel?")
    assert stale.score > fresh.score and stale.rel_norm == fresh.rel_norm


SPEAKERS = ["Odile Marchand", "Tobias Lind", "Yara Haddad", "Piet de Graaf", "Nnamdi Obi"]
CHATTER = ["Can we park that until the next session?", "I think we should ask the caretaker before we decide.",
           "Quick update on the newsletter: mostly on track.", "My concern with the kit order is the delivery date.",
           "Let's check with the treasurer and revisit at the next meeting.", "Does anyone have context on the pitch booking?",
           "For the summer fair I'd rather write up the options first.", "On the minibus rota, the coaches said it's fine."]


def _committee_log(r: random.Random, lines: int, item: str | None, at: int) -> str:
    out = []
    for k in range(lines):
        out.append(f"[00:{k // 2:02d}:{(k * 37) % 60:02d}] {r.choice(SPEAKERS)}: {r.choice(CHATTER)} {r.choice(CHATTER)}")
        if k == at and item:
            out.append(f"[00:{k // 2:02d}:{(k * 37 + 11) % 60:02d}] {r.choice(SPEAKERS)}: {item}")
    return "\n".join(out)


def test_a_line_of_a_long_paste_that_updates_the_value_asked_for_is_kept() -> None:
    """Two pasted committee logs: the first assigns a task (owner, date), a line deep in the second says
    it updates that ("Updating the task list: ... moves to <new owner> ... New due date ..."). The question
    names the task in other words and asks who has it now: its excerpt took the lines sharing the
    question's words and left that one out. A line saying it updates a value of the kind asked for is
    worth about the best line under a question about the current value."""
    r = random.Random(300)
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are the sports club's secretary assistant."}]
    first = _committee_log(r, 110, "Action: the fire-door inspection. Marit Olsen owns it, due 3 May.", 60)
    second = _committee_log(r, 110, "Updating the task list: the fire-door inspection moves to Keith Barros because Marit is "
                                    "travelling. New due date 17 May.", 75)
    msgs += [{"role": "user", "content": "Here is last month's committee log:\n\n" + first},
             {"role": "assistant", "content": "Got it, I have last month's log."}]
    for _ in range(6):
        msgs += [{"role": "user", "content": "Unrelated: " + r.choice(CHATTER)}, {"role": "assistant", "content": " ".join(r.sample(CHATTER, 4))}]
    msgs += [{"role": "user", "content": "And this month's log:\n\n" + second},
             {"role": "assistant", "content": "Thanks, I have this month's log too."}]
    for _ in range(6):
        msgs += [{"role": "user", "content": "Unrelated: " + r.choice(CHATTER)}, {"role": "assistant", "content": " ".join(r.sample(CHATTER, 4))}]
    msgs.append({"role": "user", "content": "Who ended up responsible for getting the emergency exits checked, and by when?"})
    for budget in (6000, 4000):
        kept = kept_text(prune(msgs, budget))
        assert "Keith Barros" in kept and "17 May" in kept, budget


NOTE_SENTENCES = ["Recruitment happened through community centres.", "Follow-up lasted about a year.",
                  "Reviewer comments focused on missing covariates.", "The authors modelled attendance using registry data.",
                  "Worth citing for the methods, less so for the effect sizes.", "Selection bias is acknowledged as a limitation.",
                  "The discussion section argues that the effect is larger in rural areas.", "Results held after adjusting for income."]
AUTHORS = ["Okafor", "Lindqvist", "Moreau", "Takahashi", "Silva", "Novak", "Brennan", "Costa", "Weiss", "Duarte"]


def test_a_note_that_calls_itself_the_revised_version_of_an_earlier_note_replaces_it() -> None:
    """Notes on one report, then many notes on other reports in the same words, then "the revised
    version of <the report>" with the final figure. Templated notes share most words with each other, so
    the term sets could not tell the two versions from the rest: the revision, late and referenced by
    nothing after it, went before filler notes whose author names recur. A message calling itself a newer
    version of what an earlier document names (an item rare in the conversation) replaces that document."""
    r = random.Random(3030)

    def body(k: int) -> str:
        return " ".join(r.sample(NOTE_SENTENCES, k))

    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You help with a literature review."}]
    msgs += [{"role": "user", "content": "Notes on the draft of Hallbjorn & Ruiz (2021), the coastal ferry-commuting survey, before review:\n\n"
                                         + body(6) + "\n\n" + body(6) + "\n\nDraft sample: 5,120 commuters."},
             {"role": "assistant", "content": "Logged the draft notes."}]
    for k in range(90):
        msgs.append({"role": "user", "content": f"Notes on {r.choice(AUTHORS)} et al. ({2014 + k % 9}):\n" + body(r.randrange(3, 6))})
        msgs.append({"role": "assistant", "content": "Logged. " + body(1)})
        if k == 60:
            msgs += [{"role": "user", "content": "Here is the revised version of Hallbjorn & Ruiz (2021). A few exclusions changed:\n\n"
                                                 + body(6) + "\n\n" + body(6) + "\n\nAnalysed sample: 5,012 commuters."},
                     {"role": "assistant", "content": "Logged the revised version."}]
    msgs.append({"role": "user", "content": "How many people were in the final sample of the coastal ferry-commuting survey?"})
    for budget in (6000, 4000):
        kept = kept_text(prune(msgs, budget))
        assert "5,012 commuters" in kept, budget


def test_query_flags_the_question_about_the_current_value() -> None:
    """The query says whether the question asks for the value as it stands now (2), is neutral (1) or asks
    for an earlier one (0)."""
    from plugins.prune import scoring
    from plugins.prune.units import Settings

    def flag(q: str) -> int:
        msgs = [{"role": "system", "content": "s"}, {"role": "user", "content": q}]
        units = scoring.build_units(msgs)
        feats = [analyse(m["content"]) for m in msgs]
        return _query(msgs, feats, units, [1], Settings()).current

    assert flag("Who owns the migration now?") == 2 and flag("Who ended up with the task?") == 2
    assert flag("Who owns the migration?") == 1
    assert flag("Who owned it originally, in the first plan?") == 0
