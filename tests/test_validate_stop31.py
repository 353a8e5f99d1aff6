"""Derivations and bindings of the dev work of stop 31 (issue 17). Each GROUNDED answer failed on
the starting commit (e9ea16a); each CAUGHT pair holds a correct answer of the same shape, which
must pass, and a fabricated twin, which must still report the named number.

Shapes, from the failure classes of the dev sets (cases_a ... cases_k):
- parts per million (billion) of a ratio: a share in another scale ("31 rejects in 9,600 units,
  3,229 ppm");
- a range's scale word after its second end is the first end's too ("$4.2–4.6 million"); a range
  whose first end is one bound of a pair the data states (low / high, min / max) has that pair's
  other bound as its second end;
- bindings that were read wrong (correct answers withheld as another entity's or attribute's
  number): a name-key right after the number ("to 46% in June"); a key that counts things beside
  a value with a unit ("the median run took 615 seconds" beside `runs`); words past a parenthesis
  ("410 rolls (reorder point 250)"); the number in a record's name ("Bay 3"); a name that keys the
  fact's own record as well as a sibling elsewhere ("52 in B-07" for the recount's "B-07");
- a loan's figures by the standard amortization formula (the monthly payment, the total and the
  interest over the term, the first month's split, a balance's interest for a month, the number
  of payments);
- a compound duration the user or the data writes ("2h 35m", "1 hour 50 minutes") is one fact (its
  parts alone read as 2 hours and 35 metres): a clock time after it is derived from it;
- a term spelled with a digit ("2FA", "5G", "3D", "24/7") is no claim; "4K", "7B", "2W 1L", "8PM" stay;
- the calendar's length of a month the clause names ("February has 29 days" in 2024);
- "leaving" names a gap ("Rome (42,000, leaving 9,500)" of a 51,500 balance);
- a key in minor units beside a currency ({"balance_minor": 880125, "currency": "EUR"} is EUR 8,801.25).
"""
from __future__ import annotations

from typing import Any

import pytest

from plugins.validate.validators.base import Answer, Subject
from plugins.validate.validators.numbers import NumbersValidator
from tests.numbers_support import assert_caught, assert_grounded, run

REJECTS = {"line": "P4", "built": 9600, "rejected": 31}
LOTS = {"lots": [{"lot": "A-1", "units": 2000, "defects": 7}, {"lot": "A-2", "units": 3000, "defects": 5}]}
OUTLOOK = {"company": "Norvale", "guidance": {"revenue_low": 4200000, "revenue_high": 4600000}, "last_quarter": 4050000}
POLL = {"support_pct": {"April": 38, "July": 44}, "oppose_pct": {"April": 55, "July": 49}}
RUNS = {"before": {"median_s": 615, "runs": 240}, "after": {"median_s": 402, "runs": 251}}
RUNS_Q = "Did the change on May 4 help?"
STOCK = {"items": [{"sku": "BX-1", "on_hand": 3900, "reorder_point": 2500}, {"sku": "TP-9", "on_hand": 410, "reorder_point": 250}]}
WARDS = {"units": [{"unit": "2 East", "beds": 30, "occupied": 27}, {"unit": "2 West", "beds": 26, "occupied": 22},
                   {"unit": "3 North", "beds": 34, "occupied": 33}], "pending_admits": 7, "expected_discharges": 1}
LOAN_Q = "What's the monthly payment on a $250,000 loan at 7% over 30 years, and the total interest?"
CAR = {"loan": "CAR-7", "balance": 12480.0, "apr": 6.0, "payment": 410.0, "payments_made": 14, "term_months": 48}
INVOICE = {"invoice": "B-311", "issue_date": "2028-01-31", "terms": "Net 30", "amount_due": 912.0}
RECOUNT = {"bins": [{"bin": "B-06", "sku": "KT-9", "qty": 41}, {"bin": "B-07", "sku": "KT-9", "qty": 60}],
           "recount": {"date": "2026-11-30", "B-07": {"system": 60, "counted": 52}}}
POINTS = {"points": 51500, "awards": [{"to": "FCO", "economy": 42000}, {"to": "NRT", "economy": 65000}]}
LEDGER = {"account": "OPS-3", "balance_minor": 880125, "hold_minor": 4500, "currency": "EUR"}
LEDGER_JPY = {"account": "TK-1", "balance_minor": 880125, "currency": "JPY"}
GRAVITY = {"batch": 9, "readings": [{"day": 2, "sg": 1.048}, {"day": 6, "sg": 1.021}]}
PANTRY = {"items": [{"item": "flour", "unit": "kg", "par": 20, "on_hand": 12}, {"item": "sugar", "unit": "kg", "par": 15, "on_hand": 9}]}
SHOE = {"results": [{"sku": "KT-5", "name": "Kestrel Trail Shoe", "price": 89.0, "rating": {"average": 4.6, "count": 412},
                     "variants": [{"color": "Slate", "sku": "KT-5-SL"}, {"color": "Ember", "sku": "KT-5-EM"}]}]}
BIRDS = {"products": [{"name": "Kestrel", "rating": 4.6}, {"name": "Osprey", "rating": 4.1}]}
PADS = {"sku": "PAD-9", "on_hand": 980, "reorder_point": 500, "unit_cost": 12.4, "avg_daily_shipments": 40}
CLASSES = {"purchased": 12, "attended": 7, "price_per_class": 30}
SPRINT = {"name": "Sprint 12", "issues": [{"key": "AB-1", "points": 5}, {"key": "AB-2", "points": 3}],
          "previous_velocities": [{"sprint": "Sprint 8", "completed_points": 7}, {"sprint": "Sprint 9", "completed_points": 9}]}
WATER = {"sample": "well 2", "nitrate_ppm": 7.8, "limit_ppm": 10}

GROUNDED: list[tuple[Any, ...]] = [
    # parts per million of a ratio the data makes
    (REJECTS, "Line P4 rejected 31 of 9,600 units built: about 3,229 ppm."),
    (REJECTS, "The reject rate is 0.32%, or 3,229 ppm."),
    # of totals the answer verified first
    (LOTS, "Across both lots: 12 defects in 5,000 units, 2,400 ppm."),
    # parts per billion
    (REJECTS, "That is 3,229,167 ppb of the units built."),
    # the scale word of a range's second end
    (OUTLOOK, "Norvale guides revenue to $4.2–4.6 million, up from $4.05 million last quarter."),
    (OUTLOOK, "Guidance is $4.2-4.6M."),
    # amortization
    ({}, "The monthly payment is $1,663.26. Over 360 payments you pay $598,774 in total, of which $348,774 is interest.",
     LOAN_Q),
    ({}, "The first payment splits into $1,458.33 of interest and $204.93 of principal.", LOAN_Q),
    (CAR, "Of your next $410.00 payment, about $62.40 is interest and $347.60 goes to principal; 14 of 48 payments are made."),
    (RECOUNT, "After the recount there are 52 in B-07 (the system showed 60)."),
    (POINTS, "You have 51,500 points. An economy award to Rome costs 42,000, leaving 9,500."),
    (LEDGER, "OPS-3 has a balance of €8,801.25, with €45.00 on hold."),
    (LEDGER_JPY, "TK-1 holds ¥880,125."),
    (GRAVITY, "Batch 9 is at 1.021 on day 6, down from 1.048 on day 2."),
    (SHOE, "The Kestrel Trail Shoe is $89.00 in Slate and Ember, and it's rated 4.6 from 412 reviews."),
    (PADS, "PAD-9 ships 40 units a day against 980 on hand."),
    (CLASSES, "Lena bought 12 classes and attended 7."),
    (SPRINT, "Sprint 12 has 8 points committed across its issues."),
    # the length of a month
    (INVOICE, "Issued January 31, 2028 on Net 30, it is due March 1, 2028 (2028 is a leap year, so February has 29 days)."),
    (INVOICE, "March has 31 days, so a March 1 due date leaves 31 days to pay within the month."),
    # bindings
    (POLL, "Support rose from 38% in April to 44% in July."),
    (RUNS, "In the week before May 4 the median run took 615 seconds.", RUNS_Q),
    (STOCK, "Both are above their reorder points:\n- BX-1: 3,900 on hand (reorder point 2,500)\n- TP-9: 410 rolls (reorder point 250)"),
    (WARDS, "The division has 82 of 90 beds occupied (91.1%): 2 East 27/30, 2 West 22/26 and 3 North 33/34. That leaves 8 "
            "free beds. With 7 pending admits and 1 expected discharge, you'd end up with about 2 open beds."),
]

CAUGHT: list[tuple[tuple[Any, ...], tuple[Any, ...], str]] = [
    ((REJECTS, "Line P4 rejected 31 of 9,600 units built: about 3,229 ppm."),
     (REJECTS, "Line P4 rejected 31 of 9,600 units built: about 3,100 ppm."), "3,100 ppm"),
    ((LOTS, "Across both lots: 12 defects in 5,000 units, 2,400 ppm."),
     (LOTS, "Across both lots: 12 defects in 5,000 units, 4,200 ppm."), "4,200 ppm"),
    ((OUTLOOK, "Norvale guides revenue to $4.2–4.6 million."),
     (OUTLOOK, "Norvale guides revenue to $4.6–5.0 million."), "5.0 million"),
    ((POLL, "Support rose from 38% in April to 44% in July."),
     (POLL, "Support rose from 38% in April to 49% in July."), "49%"),
    ((RUNS, "In the week before May 4 the median run took 615 seconds.", RUNS_Q),
     (RUNS, "In the week before May 4 the median run took 402 seconds.", RUNS_Q), "402 seconds"),
    (({}, "The monthly payment is $1,663.26.", LOAN_Q), ({}, "The monthly payment is $1,836.26.", LOAN_Q), "$1,836.26"),
    (({}, "Over 360 payments you pay $348,774 in interest.", LOAN_Q),
     ({}, "Over 360 payments you pay $384,774 in interest.", LOAN_Q), "$384,774"),
    ((INVOICE, "February has 29 days in 2028."), (INVOICE, "February has 28 days in 2028."), "28 days"),
    ((RECOUNT, "After the recount there are 52 in B-07."), (RECOUNT, "After the recount there are 41 in B-07."), "41"),
    ((POINTS, "You have 51,500 points. An economy award to Rome costs 42,000, leaving 9,500."),
     (POINTS, "You have 51,500 points. An economy award to Rome costs 42,000, leaving 8,500."), "8,500"),
    ((LEDGER, "OPS-3 has a balance of €8,801.25."), (LEDGER, "OPS-3 has a balance of €8,810.25."), "€8,810.25"),
    ((PANTRY, "Flour: 12 kg on hand against a par of 20 kg."), (PANTRY, "Flour: 20 kg on hand."), "20 kg"),
    ((PADS, "PAD-9 ships 40 units a day."), (PADS, "PAD-9 ships 500 units a day."), "500"),
    # a concentration the data measures in ppm is a value, not a share of its numbers
    ((WATER, "Well 2 tested at 7.8 ppm nitrate, under the 10 ppm limit."),
     (WATER, "Well 2 tested at 78 ppm nitrate, over the 10 ppm limit."), "78 ppm"),
]


@pytest.mark.parametrize("case", GROUNDED)
def test_grounded(case: tuple[Any, ...]) -> None:
    assert_grounded(case)


@pytest.mark.parametrize("good,bad_case,bad", CAUGHT)
def test_caught(good: tuple[Any, ...], bad_case: tuple[Any, ...], bad: str) -> None:
    assert_caught(good, bad_case, bad)


TRIP = "The train leaves Lyon at 09:40 and the trip takes 2h 35m. When do I arrive?"


def _user_only(user: str, answer: str) -> list[str]:
    res = NumbersValidator().validate(Subject(Answer(answer), {"messages": [{"role": "user", "content": user}]}))
    return res.unverified


def test_a_compound_duration_the_user_writes_is_one_fact() -> None:
    assert _user_only(TRIP, "The trip takes 2h 35m, so you arrive at 12:15.") == []
    assert _user_only("The ferry takes 1 hour 50 minutes and leaves at 14:20. When does it arrive?",
                      "It arrives at 16:10 (1 hour 50 minutes after 14:20).") == []
    assert _user_only(TRIP, "The trip takes 2h 35m, so you arrive at 12:35.") == ["12:35"]


def test_a_term_spelled_with_a_digit_is_no_claim() -> None:
    assert _user_only("How do I secure the admin panel?", "Turn on 2FA for every admin, and our desk is staffed 24/7.") == []
    assert _user_only("Which plan?", "Plan B has 5G coverage and streams in 3D.") == []
    # a scale, a record or a time glued to its digit is still a number
    assert "4K" in " ".join(_user_only("How many views?", "The clip has 4K views."))
    assert _user_only("How did they do?", "They went 2W 1L at home.") != []


def test_a_pronoun_after_a_subject_name_is_that_name() -> None:
    # "Osprey, and it is rated 4.6": the pronoun is Osprey, whose rating is 4.1
    assert run(BIRDS, "Osprey ships today, and it is rated 4.1.").is_valid
    res = run(BIRDS, "Osprey ships today, and it is rated 4.6.")
    assert not res.is_valid and "4.6" in res.unverified
