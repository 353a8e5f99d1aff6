"""Facts inside a passage in another language, and a group's decision inside a pasted chat (issue 18)."""
from plugins.prune import lexicon
from plugins.prune.excerpt import Query, excerpt_text
from plugins.prune.words import terms_of
from plugins.prune.scoring import STOPWORDS
from plugins.prune.words import words

MODEL = "gpt-4o"
FILLER = ("Do you think it is worth moving the pallet manifest to dock seven, or is that overkill? "
          "We had about 30 questions about the cassette this week, more than usual. Is that a sign of something? ")


def _query(question: str, **kw: bool) -> Query:
    return Query({t: 1.0 for t in words(question.lower(), STOPWORDS)}, lexicon.answer_kinds(question), **kw)


def test_a_forwarded_letter_in_another_language_keeps_its_code():
    doc = (FILLER * 3 + "\n\nForwarding what the B&B in Bologna sent me, it's in Italian:\n\n"
           "> Buongiorno! Vi aspettiamo venerdì. Il check-in è dalle 15 alle 20; se arrivate più tardi, trovate le chiavi "
           "nella cassetta accanto al citofono, il codice è 2817. La colazione è servita dalle 7:30 alle 10 nella sala al piano terra.\n\n"
           "Any luck in Bologna with the late trains, or should we land earlier?\n" + FILLER * 3)
    q = _query("We're landing late in Bologna. What's the combination for the key safe by the intercom?")
    assert "2817" in excerpt_text(doc, 130, MODEL, q)


def test_a_pasted_chat_keeps_the_line_that_settled_it():
    lines = ["[Mateo] ok we need to decide band rehearsal", "[Kofi] I vote the studio above the laundrette"]
    lines += [f"[Dev] Is it normal for the dish pit number {k} to be this running behind? Nobody at the terrace seemed bothered." for k in range(12)]
    lines += ["[Dev] update on band rehearsal: the first idea is off the table, it fell through",
              "[Lotte] Room B at Kettleworks has a drum kit already, cheaper too", "[Dev] sounds good to me",
              "[Mateo] Remind me why we re-index the cassette at all? I knew the reasoning once and it has gone.",
              "[Mateo] agreed, I've reserved Room B at Kettleworks every Thursday"]
    lines += [f"[Priya] I am writing notes for electrician {k}. Could you explain the kitchen worktop?" for k in range(12)]
    q = _query("remind me which rehearsal space we settled on?", decided=True)
    assert "reserved Room B at Kettleworks" in excerpt_text("\n".join(lines), 120, MODEL, q)
