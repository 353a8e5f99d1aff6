"""Derivations of three or more numbers (issue 17, dev work of stop 30): values a correct answer
computes from several grounded or already verified numbers. Each GROUNDED answer failed on the
starting commit (8f35dac); each CAUGHT pair holds a correct answer of the same shape, which must
pass, and a fabricated twin, which must still report the named number.

Shapes, from the failure classes of the dev sets (cases_a ... cases_k):
- a total stated before its parts (the subtotal and its tax, the items and the coupon, parts in
  parentheses right after it): the whole-answer second pass;
- the total, mean or weighted mean of a column of the list or table the answer just wrote, rows
  that subtract ("- − Churn"), rows of different shapes from a subtotal row down;
- a standard constant in work written out right ("× 12", "÷ 18");
- the gap between two figures the sentence names as a gap ("8,750 short").
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.numbers_support import assert_caught, assert_grounded

INVOICE = {"invoice": "INV-20931", "lines": [{"item": "API Pro plan", "amount": 499.0},
                                           {"item": "extra seats", "qty": 7, "unit_price": 35.0, "amount": 245.0},
                                           {"item": "overage blocks", "qty": 3, "unit_price": 12.5, "amount": 37.5}],
           "tax_pct": 8}
ORDER = {"order": "W-4410", "items": [{"sku": "SOCK-T", "qty": 2, "price": 24.99}, {"sku": "PACK-D", "qty": 1, "price": 59.0},
                                      {"sku": "GEL-E", "qty": 3, "price": 4.5}], "coupon": {"code": "SPRING10", "pct_off": 10},
         "shipping": 0}
ACCRUAL = {"rate": "1 hour per 30 worked", "worked": {"Omar": 455, "Ivy": 312, "Tess": 198}}
GRADES = {"student": "Ana", "weights_pct": {"homework": 20, "quizzes": 30, "midterm": 20, "project": 30},
          "scores": {"homework": 92, "quizzes": 84, "midterm": 78, "project": 88}}
POSITIONS = {"positions": [{"symbol": "VTI", "shares": 42, "cost": 251.10, "last": 286.40, "gain": 1482.60},
                           {"symbol": "AAPL", "shares": 15, "cost": 171.25, "last": 232.80, "gain": 923.25},
                           {"symbol": "TLT", "shares": 30, "cost": 98.60, "last": 91.15, "gain": -223.50}]}
MRR = {"month": "2026-11", "starting_mrr": 182400, "new": 9100, "expansion": 3250, "churn": 5870}
MILES = {"member": "J. Okafor", "tier_miles_ytd": 41250, "gold_threshold": 50000}

GROUNDED: list[tuple[Any, ...]] = [
    # a total before its subtotal and tax
    (INVOICE, "Invoice INV-20931 comes to $844.02. That is a subtotal of $781.50 (the $499.00 API Pro plan, 7 extra seats "
              "at $35.00 = $245.00, and 3 overage blocks at $12.50 = $37.50) plus 8% tax of $62.52."),
    # a net before the items' total and the coupon
    (ORDER, "Order W-4410 came to $110.23. The items total $122.48 (2 pairs of trail socks at $24.99, the $59.00 day pack "
            "and 3 energy gels at $4.50), the SPRING10 coupon took 10% off ($12.25), and shipping was free."),
    # parts in parentheses right after the total
    ({"stream": ["paper", "plastic", "glass", "metal"], "t": [412.5, 96.2, 188.0, 51.3], "contamination_t": 63.2},
     "Gross intake was 748.0 t (paper 412.5, plastic 96.2, glass 188.0, metal 51.3). Removing 63.2 t of contamination "
     "leaves 684.8 t saleable."),
    # the total of a list's last column
    (ACCRUAL, "Q3 sick leave accrued (1 hr per 30 worked):\n- Omar: 455 h → 15.2 h\n- Ivy: 312 h → 10.4 h\n"
              "- Tess: 198 h → 6.6 h\n\nThat's 32.2 hours across the three."),
    # a weighted mean, the weights in one column of the list
    (GRADES, "Ana's weighted grade:\n\n- Homework (20%): 92\n- Quizzes (30%): 84\n- Midterm (20%): 78\n- Project (30%): 88\n\n"
             "**Current grade: 85.6%**"),
    # a table's gain column with a loss in it
    (POSITIONS, "| Symbol | Shares | Cost | Last | Gain/Loss |\n|---|---|---|---|---|\n"
                "| VTI | 42 | $251.10 | $286.40 | +$1,482.60 |\n| AAPL | 15 | $171.25 | $232.80 | +$923.25 |\n"
                "| TLT | 30 | $98.60 | $91.15 | −$223.50 |\n\nNet unrealized: **+$2,182.35**."),
    # a bridge whose last row subtracts
    (MRR, "November MRR bridge:\n\n- Starting MRR: $182,400\n- + New: $9,100\n- + Expansion: $3,250\n- − Churn: $5,870\n\n"
          "**Ending MRR: $188,880**."),
    # a standard constant in work written out right
    ({"meter": "M-1", "avg_monthly_kwh": 612}, "612 kWh/month × 12 = **7,344 kWh per year**."),
    # the gap between two figures the sentence names as a gap
    (MILES, "You have 41,250 tier miles; Gold needs 50,000, so you're 8,750 short."),
]


@pytest.mark.parametrize("case", GROUNDED, ids=[f"g{i}" for i in range(len(GROUNDED))])
def test_derived_values_are_grounded(case: tuple[Any, ...]) -> None:
    assert_grounded(case)


CAUGHT: list[tuple[tuple[Any, ...], tuple[Any, ...], str]] = [
    # a total before its parts that is a cent off their sum
    (GROUNDED[0], (INVOICE, "Invoice INV-20931 comes to $844.12. That is a subtotal of $781.50 (the $499.00 API Pro plan, "
                            "7 extra seats at $35.00 = $245.00, and 3 overage blocks at $12.50 = $37.50) plus 8% tax of $62.52."),
     "$844.12"),
    # parts in parentheses that do not add up to the total
    (GROUNDED[2], ({"stream": ["paper", "plastic", "glass", "metal"], "t": [412.5, 96.2, 188.0, 51.3]},
                   "Gross intake was 758.0 t (paper 412.5, plastic 96.2, glass 188.0, metal 51.3)."), "758.0 t"),
    # a column total that is off
    (GROUNDED[3], (ACCRUAL, "Q3 sick leave accrued (1 hr per 30 worked):\n- Omar: 455 h → 15.2 h\n- Ivy: 312 h → 10.4 h\n"
                            "- Tess: 198 h → 6.6 h\n\nThat's 34.2 hours across the three."), "34.2 hours"),
    # the plain mean stated as the weighted one
    (GROUNDED[4], (GRADES, "Ana's weighted grade:\n\n- Homework (20%): 92\n- Quizzes (30%): 84\n- Midterm (20%): 78\n"
                           "- Project (30%): 88\n\n**Current grade: 87.6%**"), "87.6%"),
    # the loss added as a gain
    (GROUNDED[5], (POSITIONS, "| Symbol | Shares | Cost | Last | Gain/Loss |\n|---|---|---|---|---|\n"
                              "| VTI | 42 | $251.10 | $286.40 | +$1,482.60 |\n| AAPL | 15 | $171.25 | $232.80 | +$923.25 |\n"
                              "| TLT | 30 | $98.60 | $91.15 | −$223.50 |\n\nNet unrealized: **+$2,629.35**."), "$2,629.35"),
    # churn added instead of subtracted
    (GROUNDED[6], (MRR, "November MRR bridge:\n\n- Starting MRR: $182,400\n- + New: $9,100\n- + Expansion: $3,250\n"
                        "- − Churn: $5,870\n\n**Ending MRR: $200,620**."), "$200,620"),
    # a gap computed wrong
    (GROUNDED[8], (MILES, "You have 41,250 tier miles; Gold needs 50,000, so you're 9,750 short."), "9,750"),
]


@pytest.mark.parametrize("good,bad_case,bad", CAUGHT, ids=[f"c{i}" for i in range(len(CAUGHT))])
def test_fabricated_derivations_are_caught(good: tuple[Any, ...], bad_case: tuple[Any, ...], bad: str) -> None:
    assert_caught(good, bad_case, bad)


def test_the_second_pass_is_bounded_by_the_failed_claims(monkeypatch: pytest.MonkeyPatch) -> None:
    # A total before its parts is rescued by the whole-answer second pass; in an answer its data does
    # not support (more failed claims than _SECOND_PASS_MAX) the pass does not run at all: it would
    # re-check every failed claim for nothing (a bound on the validator's CPU, issue 20).
    from plugins.validate.validators import numbers

    from tests.numbers_support import run
    answer = GROUNDED[0][1]
    assert run(INVOICE, answer).is_valid
    noise = " ".join(f"Line {i}: {1000 + 37 * i} units." for i in range(numbers._SECOND_PASS_MAX + 1))
    calls = []
    real = numbers._second_pass
    monkeypatch.setattr(numbers, "_second_pass", lambda *a, **k: calls.append(len(a[2])) or real(*a, **k))
    res = run(INVOICE, answer + "\n\n" + noise)
    assert calls and calls[-1] > numbers._SECOND_PASS_MAX  # the pass was asked, with too many failures
    assert "$844.02" in " ".join(res.unverified)  # ... and returned them unrescued
    monkeypatch.setattr(numbers, "_SECOND_PASS_MAX", 10**6)
    assert "$844.02" not in " ".join(run(INVOICE, answer + "\n\n" + noise).unverified)  # unbounded, it is rescued
