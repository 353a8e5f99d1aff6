"""Issue 17, dev work of stop 29: fewer correct answers flagged (what a count counts, keys that
name a state, records named by a number) and unit-scale slips caught.

Each case is a tool result and an answer, in the style of tests/test_validate_chains.py:
GROUNDED answers must pass whole, CAUGHT answers must report the named number.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.numbers_support import assert_caught, assert_grounded, run


GROUNDED: list[tuple[Any, ...]] = [
    # a participle after the number says what happened, not what is counted
    ({"team": "Owls", "points_for": 1022, "points_against": 913},
     "The Owls have 1,022 points scored and 913 allowed this season."),
    # a trailing participle after the counted noun: the head is the noun
    ({"member": "K-2291", "qualifying_miles_needed": 60000, "qualifying_miles": 41800},
     "You have 41,800 of the 60,000 qualifying miles needed for Gold."),
    # a key that names a state or an event counts whatever the sentence counts
    ({"grade": 7, "enrolled": 214, "chronically_absent": 19},
     "In grade 7, 19 of 214 students are chronically absent."),
    ({"line": 3, "units_started": 4800, "scrapped": 87},
     "Line 3 started 4,800 units and 87 units were scrapped."),
    ({"club": "downtown", "avg_checked_in": 142, "capacity": 220},
     "On weekdays the club averages 142 members, out of a 220 capacity."),
    # "sales fell from 148 to 121, 27 fewer": a comparative is no head noun
    ({"q3_2025": {"sales": 148}, "q3_2026": {"sales": 121}},
     "Sales fell from 148 to 121, 27 fewer than a year ago."),
    # a key in cents is money: 11.9 cents per kWh is the data's 11.9
    ({"plan": "TOU-2", "peak_cents_per_kwh": 31.4, "offpeak_cents_per_kwh": 11.9},
     "Peak power costs 31.4 cents per kWh and off-peak 11.9 cents per kWh."),
    ({"item": "mug", "price_cents": 1899}, "The mug costs $18.99."),
    # a key that is a long unit word: {"gallons": 165} is 165 gallons
    ({"vans": [{"unit": "V-11", "miles": 2310, "gallons": 154}, {"unit": "V-14", "miles": 1980, "gallons": 165}]},
     "V-14 drove 1,980 miles on 165 gallons."),
    # a six-month amount doubled is the year's; an amount with its period adjective before it
    ({"policy": "AUTO-1", "premium_6mo": 812.0}, "Your premium is $812.00 per six-month term, so the annual premium is $1,624.00."),
    ({"plan": "Flex", "monthly_fee": 45}, "On Flex your annual cost is $540."),
    # cents in the user's prose are hundredths of the currency
    ({"year": 2026}, "At 65 cents per mile, 1,200 business miles is a deduction of $780.00.",
     "The standard mileage rate is 65 cents per mile and I drove 1,200 business miles."),
    # a currency code after the period of a key ("_per_night_usd") is its currency, not what it is per
    ({"conf": "HM-1", "check_in": "2026-09-18", "check_out": "2026-09-21", "resort_fee_per_night_usd": 25.0},
     "For 3 nights, resort fees come to $75."),
    # a count of nights in the data is a number of nights
    ({"conf": "HM-1", "nights": 3, "room": "King"}, "Your booking is for 3 nights in a King room."),
    # "over a year" is the amount's period
    ({"plan": "Team", "seats": 10, "price_per_seat_monthly_usd": 12.0},
     "10 seats at $12 per seat is $120 a month, or $1,440 over a year."),
    # `sold` is a count of what was sold, not an amount of money
    ({"event": "Gala", "capacity": 12500, "sold": 11865}, "11,865 of the 12,500 seats are sold, so 635 seats are still available."),
    # a key that says percent may hold the percentage itself: 0.3464 is 0.3464 %
    ({"entry": "E-1", "entered_value": 16200.0, "mpf_pct": 0.3464},
     "The merchandise processing fee is 0.3464% of the entered value, which is $56.12."),
]


CAUGHT: list[tuple[tuple[Any, ...], tuple[Any, ...], str]] = [
    # a record named by a number ("section": "104"): another section's value is another entity's
    (({"sections": [{"section": "103", "available": 14}, {"section": "104", "available": 2}]},
      "Section 104 still has 2 seats available."),
     ({"sections": [{"section": "103", "available": 14}, {"section": "104", "available": 2}]},
      "Section 104 still has 14 seats available."), "14"),
    # a dose strength in micrograms stated in milligrams
    (({"rx": "RX-1", "drug": "levothyroxine", "strength_mcg": 75}, "Your levothyroxine tablets are 75 mcg."),
     ({"rx": "RX-1", "drug": "levothyroxine", "strength_mcg": 75}, "Your levothyroxine tablets are 75 mg."), "75 mg"),
    # cents stated as dollars
    (({"plan": "TOU-2", "peak_cents_per_kwh": 31.4}, "Peak power costs $0.314 per kWh."),
     ({"plan": "TOU-2", "peak_cents_per_kwh": 31.4}, "Peak power costs $31.40 per kWh."), "$31.40"),
    # a six-month amount stated as the year's (the sum 742 + 70 = 812 does not rescue it)
    (({"terms": [{"term": "2025", "premium_6mo": 742.0}, {"term": "2026", "premium_6mo": 812.0}]},
      "Your premium went from $742.00 to $812.00 per six-month term, an increase of $70.00."),
     ({"terms": [{"term": "2025", "premium_6mo": 742.0}, {"term": "2026", "premium_6mo": 812.0}]},
      "Your premium went from $742.00 to $812.00 per six-month term, an increase of $70.00. "
      "That makes your new annual premium $812.00."), "$812.00"),
]


# Slips of scale and period are failures the engine is sure of (the data states the number in
# another unit or for another period): the answer is cut there, not only flagged.
SURE: list[tuple[Any, str, str]] = [
    ({"rx": "RX-1", "drug": "levothyroxine", "strength_mcg": 75}, "Your levothyroxine tablets are 75 mg.", "75 mg"),
    ({"plan": "TOU-2", "peak_cents_per_kwh": 31.4}, "Peak power costs $31.40 per kWh.", "$31.40 per kWh"),
    ({"bag": "B-2", "weight_lb": 6.0}, "Your bag weighs 6 kg.", "6 kg"),
    ({"policy": "AUTO-1", "premium_6mo": 812.0}, "Your annual premium is $812.00.", "$812.00"),
]


@pytest.mark.parametrize("case", GROUNDED)
def test_scale_values_are_grounded(case: tuple[Any, ...]) -> None:
    assert_grounded(case)


@pytest.mark.parametrize("good,bad_case,bad", CAUGHT)
def test_scale_fabrications_are_caught(good: tuple[Any, ...], bad_case: tuple[Any, ...], bad: str) -> None:
    assert_caught(good, bad_case, bad)


@pytest.mark.parametrize("data,answer,bad", SURE)
def test_scale_slips_are_sure(data: Any, answer: str, bad: str) -> None:
    res = run(data, answer)
    assert not res.is_valid and not res.uncertain, (answer, res.unverified, res.details)
    assert bad in res.details["sure"], res.details
