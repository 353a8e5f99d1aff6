"""Chains of computed values (issue 17): a number derived from numbers that are themselves
grounded (in the data, or derived earlier in the same answer) is grounded; a fabricated one is not.

Each case is a tool result and an answer; GROUNDED answers must pass whole, CAUGHT answers must
report the named number.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.numbers_support import assert_caught, assert_grounded, run


GROUNDED: list[tuple[Any, ...]] = [
    # cubic feet and cubic yards are volumes
    ({"order": "slab"}, "That is 8.89 cubic yards of concrete.", "The slab is 240 cubic feet."),
    # the total of the lines' results, the operands of their written-out work left out
    ({"nights": 4, "nightly_rate": 189, "tax_pct": 13.5, "resort_fee_per_night": 22},
     "Your stay:\n- Room: 4 × $189 = $756.00\n- Tax (13.5%): $102.06\n- Resort fee: 4 × $22 = $88.00\n\n**Total: $946.06**"),
    ({"nightly_rate": 189.0, "resort_fee_per_night": 25.0, "tax_pct": 12.5},
     "- Room: $756.00 ($189 × 4)\n- Resort fee: $100.00 ($25 × 4)\n- Taxes (12.5%): $94.50\n\n**Total: $950.50**"),
    # a result stated before its work, whose operand is a small half ("time-and-a-half")
    ({"employee": "Dana", "hourly_rate": 23.4, "hours": {"Mon": 8.5, "Tue": 9, "Wed": 7.5, "Thu": 10, "Fri": 6}},
     "Dana logged **41 hours** this week (8.5 + 9 + 7.5 + 10 + 6).\n\n- Regular: 40 h × $23.40 = **$936.00**\n"
     "- Overtime: 1 h × $35.10 (1.5 × $23.40) = **$35.10**\n\nGross pay: **$971.10**.",
     "Overtime is anything over 40 hours at time-and-a-half."),
    # a total stated before its parts (all of its kind up to the end of their block)
    ({"customer_id": "cus_1", "orders": [{"order_id": "A-10231", "status": "delivered", "total": 84.97},
                                         {"order_id": "A-10388", "status": "delivered", "total": 129.5},
                                         {"order_id": "A-10452", "status": "shipped", "total": 42.0},
                                         {"order_id": "A-10517", "status": "cancelled", "total": 215.25}]},
     "You've spent **$256.47** (not counting the cancelled one):\n\n- A-10231: $84.97\n- A-10388: $129.50\n"
     "- A-10452: $42.00\n\nI left out A-10517 ($215.25) because it was cancelled."),
    # a percentage on the answer's own rounded figure (14.76 squares stated as 14.8; 10% more is 16.24)
    ({"job": "Alvarez", "footprint_ft": [42, 28], "overhang_ft": 1, "pitch": "6/12", "pitch_factors": {"4/12": 1.054, "6/12": 1.118}},
     "With a 1 ft overhang all around, the 42 × 28 footprint becomes 44 × 30 = 1,320 sq ft of plan area. A 6/12 pitch "
     "factor of 1.118 gives 1,476 sq ft of roof, or 14.8 squares. With 10% waste that's 16.2 squares.",
     "Estimate shingles. One roofing square = 100 sq ft. Add 10% waste for a simple gable."),
    # a percentage of the data applied to an amount the answer derived, then the chain goes on
    ({"sale_price": 615000, "total_commission_pct": 5.5, "listing_side_share_pct": 50, "agent_split_pct": 70, "transaction_fee": 395},
     "Total commission at 5.5% of $615,000 is $33,825. The listing side gets half, $16,912.50. Your 70% split is "
     "$11,838.75 (the broker keeps $5,073.75), and after the $395 transaction fee you net **$11,443.75**."),
    # an amount over the number of periods the answer states; a rate per thousand (mills)
    ({"product": "Term20", "age": 41, "class": "preferred", "monthly_rate_per_1000": 0.42},
     "For $500,000 at your preferred rate of $0.42 per $1,000: **$210.00/month**, which is $2,520.00 a year. Paying annually "
     "drops that to **$2,394.00** (saving $126.00). Over the full 20-year term at the annual rate you'd pay $47,880.",
     "Quote me $500,000 of 20-year term.",
     "Premium = coverage / 1,000 x monthly rate. Paying annually gives a 5% discount on 12 monthly payments."),
    ({"parcel": "14-22-301-008", "market_value": 385000, "homestead": True, "mill_rate": 62.5,
      "installment_due_dates": ["2024-12-10", "2025-04-10"]},
     "Your market value of $385,000 gives an assessed value of $154,000 (40%). After the $25,000 homestead exemption, "
     "the taxable value is $129,000. At 62.5 mills, the annual tax is **$8,062.50**, payable in two installments of "
     "$4,031.25 — due December 10, 2024 and April 10, 2025.",
     "Assessed value is 40% of market value. The homestead exemption reduces assessed value by $25,000. The tax rate is "
     "expressed in mills (1 mill = $1 per $1,000 of assessed value). Taxes are paid in two equal installments."),
    # a rate on the sum of the lines before it, then the total of all lines
    ({"menu": "Garden", "price_per_guest": 68.0, "bar_package": {"name": "standard", "price_per_guest": 24.0}},
     "| Item | Amount |\n|---|---|\n| Garden menu, 140 × $68.00 | $9,520.00 |\n| Service charge 22% | $2,094.40 |\n"
     "| Sales tax 7% | $813.01 |\n| Standard bar, 140 × $24.00 | $3,360.00 |\n| **Total** | **$15,787.41** |",
     "Quote the Nguyen wedding: 140 guests on the Garden menu, plus the standard bar.",
     "Catering: per-guest menu price x guests, plus a 22% service charge on food, then 7% sales tax on food plus service charge."),
    # a count of whole things rounded up from a derived value, then the chain goes on from it
    ({"job": "PJ-4471", "qty": 2500, "up_per_sheet": 8, "overs_pct": 5, "sheet": "SRA3", "sides": 2, "price_per_sheet_2s": 0.38},
     "2,500 flyers at 8-up = 313 sheets (312.5 rounded up). With 5% overs that's **329 sheets**, printed double-sided at "
     "$0.38 per sheet = **$125.02**.", "Quote sheets for the flyer job."),
    ({"account": "EL-1", "rate_per_kwh": 0.162, "fixed_charge_monthly": 12.5, "kwh_used": 625},
     "The April period comes to $113.75: 625 kWh × $0.162 = $101.25, plus the $12.50 fixed charge."),
]

# Each fabricated variant beside the correct answer it mimics: the mechanism that grounds the one
# must not ground the other.
CAUGHT: list[tuple[tuple[Any, ...], tuple[Any, ...], str]] = [
    # a total that leaves a line out is no total of the lines
    (GROUNDED[1],
     ({"nights": 4, "nightly_rate": 189, "tax_pct": 13.5, "resort_fee_per_night": 22},
      "Your stay:\n- Room: 4 × $189 = $756.00\n- Tax (13.5%): $102.06\n- Resort fee: 4 × $22 = $88.00\n\n**Total: $966.06**"),
     "$966.06"),
    # a total stated first that leaves out one of the parts listed after it
    (GROUNDED[4],
     ({"customer_id": "cus_1", "orders": [{"order_id": "A-10231", "total": 84.97}, {"order_id": "A-10388", "total": 129.5},
                                          {"order_id": "A-10452", "total": 42.0}]},
      "You've spent **$214.47** in all:\n\n- A-10231: $84.97\n- A-10388: $129.50\n- A-10452: $42.00"),
     "$214.47"),
    # an exchange rate is no percentage to take of an amount in another currency
    (GROUNDED[6],
     ({"base": "USD", "rates": {"EUR": 0.9215, "JPY": 151.42}}, "The €340 in train tickets comes to roughly $313.31."),
     "$313.31"),
    # the user's new percentage replaces the data's: the old share's take-home is no longer grounded
    (GROUNDED[6],
     ({"artist": "Lowlight", "platforms": [{"name": "A", "payout": 4237.2}, {"name": "B", "payout": 2978.5}, {"name": "C", "payout": 116.16}],
       "label_share_pct": 55},
      "At a 40% label share you keep 60% of $7,331.86 = $4,399.12. Your take-home under the new split is **$3,299.34**.",
      "We renegotiated: as of Q3 the label takes 40%. What do I get?"),
     "$3,299.34"),
    # rounded up is the next whole number, not one more
    (GROUNDED[10],
     ({"job": "PJ-4471", "qty": 2500, "up_per_sheet": 8, "price_per_sheet_2s": 0.38},
      "2,500 flyers at 8-up need 314 sheets.", "Quote sheets for the flyer job."), "314"),
    # a volume in cubic feet is no length in feet: 240 cubic feet is 8.89 cubic yards, not 80
    (GROUNDED[0], ({"order": "slab"}, "That is 80 cubic yards of concrete.", "The slab is 240 cubic feet."), "80 cubic yards"),
]


@pytest.mark.parametrize("case", GROUNDED)
def test_chained_values_are_grounded(case: tuple[Any, ...]) -> None:
    assert_grounded(case)


@pytest.mark.parametrize("good,bad_case,bad", CAUGHT)
def test_fabricated_chain_values_are_caught(good: tuple[Any, ...], bad_case: tuple[Any, ...], bad: str) -> None:
    assert_caught(good, bad_case, bad)
