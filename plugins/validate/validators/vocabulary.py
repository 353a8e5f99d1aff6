"""Direction words, one vocabulary for every validator that reads which way a number goes.

Four readers use it, each with the part that fits what it reads:

- `direction` (does "rose from X to Y" agree with X and Y?): verbs of change and comparisons of a
  level ("ahead of", "below"), plus "up" / "down" and their phrases ("went up", "short of").
- `claims` (is a claim a change, "a 25% increase", "$40 cheaper"?): everything above plus the
  loose cues of an amount of change: more / less, over / under, cuts, savings, discounts.
- `facts` / `ground` (the sign of a value: "fell 4%", `net_loss`, "a loss stated as a profit"):
  verbs of change, up / down, higher / lower, and the money words profit / surplus / loss / deficit.
- `numbers` ("<verb> from X to Y" where Y goes the other way): the verbs of change only.

Verbs are listed with every inflection (no prefix match: "ris" would read "risk"). Nouns that
double as a count ("slides", "sinks", "sunk costs") are left out.
"""
from __future__ import annotations


def _forms(*groups: str) -> frozenset[str]:
    return frozenset(w for g in groups for w in g.split())


# verbs (and their nouns) of a change
RISE = _forms("rise rises rising rose risen", "increase increases increased increasing",
              "grow grows growing grew grown growth", "gain gains gained gaining",
              "climb climbs climbed climbing", "jump jumps jumped jumping", "surge surges surged surging",
              "soar soars soared soaring", "spike spiked spiking")
FALL = _forms("fall falls falling fell fallen", "drop drops dropped dropping",
              "decline declines declined declining", "decrease decreases decreased decreasing",
              "slip slips slipped slipping", "slid sliding", "shrink shrinks shrank shrunk shrinking",
              "dip dips dipped dipping", "plunge plunges plunged plunging", "sank",
              "lose loses lost losing", "tumble tumbles tumbled tumbling", "plummet plummets plummeted plummeting",
              "slump slumps slumped slumping")
# transitive: someone made it go that way ("raised the fee from $10 to $12", "cut the wait to 9 min")
RAISE = _forms("raise raises raised raising", "boost boosts boosted boosting")
CUT = _forms("cut cuts cutting", "reduce reduces reduced reducing reduction")
# a level against another ("1,480 MWh ahead of budget", "3 % below target")
ABOVE = _forms("higher above ahead exceed exceeds exceeded exceeding")
BELOW = _forms("lower below behind")
# money that is a direction in itself (a profit of -2.3 is a loss); "losse" is the stem of a key's "losses"
PROFIT = _forms("profit profits profitable surplus earned")
LOSS = _forms("loss losses losse deficit")
# a change, either way
CHANGE = _forms("change changed difference differ swing delta moved move shift")

# The direction checker's words, phrases included (it matches them as a regex).
DIRECTION_UP = RISE | RAISE | ABOVE | frozenset(("up", "added", "went up", "goes up", "is up", "was up"))
DIRECTION_DOWN = FALL | CUT | BELOW | frozenset(("down", "went down", "goes down", "short of"))
# The sign of a number, in the data or the answer.
SIGN_UP = RISE | PROFIT | frozenset(("up", "higher", "added"))
SIGN_DOWN = FALL | LOSS | frozenset(("down", "lower"))
# A claim that is an amount of change ("a 25% increase", "$40 off", "+23").
CHANGE_UP = RISE | RAISE | ABOVE | frozenset(("up", "more", "over", "improvement", "+"))
CHANGE_DOWN = FALL | CUT | BELOW | LOSS | frozenset(("down", "less", "under", "cheaper", "savings", "saving", "save",
                                                    "discount", "off", "slower", "-"))
# Verbs of change alone ("rose from X to Y").
VERBS_UP = RISE | RAISE
VERBS_DOWN = FALL | CUT
