"""Numeric grounding beyond format variants: units, subjects, derivations (issue 17, finding 3).

Each case is a tool result, an answer, and the claims that must (or must not) be reported.
They follow the failure classes found on independent data: correct values derived from
several numbers or converted between units and periods must pass; a number that only
coincides with an unrelated value, carries the wrong unit, scale or period, or belongs to
another entity must be caught.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from plugins.validate.validators.base import Answer, Subject
from plugins.validate.validators.numbers import NumbersValidator
from tests.numbers_support import run


GROUNDED = [
    # totals of line items, closing balances, net pay
    ({"opening_balance": 1800.0, "transactions": [{"amount": -45.5}, {"amount": 1200.0}, {"amount": -310.25}]},
     "You opened at $1,800.00 and closed the month at $2,644.25."),
    ({"gross": 3500.0, "deductions": [{"type": "tax", "amount": 410.0}, {"type": "pension", "amount": 175.0}]},
     "From $3,500.00 gross, $410.00 tax and $175.00 pension leave $2,915.00 net."),
    ({"lines": [{"desc": "Bolts", "qty": 8, "unit_price": 2.5}, {"desc": "Nuts", "qty": 20, "unit_price": 0.4}], "tax_rate": 0.1},
     "Bolts: 8 x $2.50 = $20.00. Nuts: 20 x $0.40 = $8.00. Subtotal $28.00, tax $2.80, total $30.80."),
    # per-period conversions
    ({"plan": "Team", "price_per_user_month": 15.0, "users": 9}, "For 9 users that is $135 a month, or $1,620 a year."),
    ({"base_salary": 66000, "pay_periods_per_year": 24}, "Your salary of $66,000 is $2,750 per paycheck and $5,500 a month."),
    ({"hoa_monthly": 220, "property_tax_annual": 3000}, "HOA is $220 a month and property tax $3,000 a year, about $250 a month."),
    # ratios and averages
    ({"player": "Kim", "games": 20, "points": 486}, "Kim averages 24.3 points per game (486 points in 20 games)."),
    ({"amount_billed": 90.0, "minutes": 1500}, "You paid $0.06 per minute for 1,500 minutes."),
    ({"scores": [71, 84, 90, 79]}, "The scores 71, 84, 90 and 79 average 81."),
    # unit conversions and scales
    ({"weight_kg": 50}, "It weighs 50 kg, about 110 lb."),
    ({"egress_mb": 3200}, "You served 3.2 GB last month."),
    ({"avg_seconds": 0.0031}, "Queries average 3.1 ms."),
    ({"distance_km": 250}, "The trip is 250 km, roughly 155 miles."),
    ("Oven: 200°C", "Set the oven to 392°F."),
    # percentages, percentage points, percent change on the right base
    ({"before_rate": 0.031, "after_rate": 0.046}, "The rate rose from 3.1% to 4.6%, up 1.5 percentage points."),
    ({"jan": 1600.0, "feb": 2000.0}, "Spending went from $1,600.00 to $2,000.00, a 25% increase."),
    ({"list": 500000, "now": 475000}, "The price was cut from $500,000 to $475,000, a 5% reduction."),
    # 12- and 24-hour times, dates derived from terms
    ({"dep_local": "2024-05-02T15:45", "arr_local": "2024-05-02T21:10"}, "You leave at 3:45 pm and land at 9:10 pm."),
    ({"invoice_date": "2024-02-10", "terms": "Net 30"}, "With Net 30 terms it is due on March 11, 2024."),
    ({"check_in": "2024-07-28", "check_out": "2024-08-02"}, "You stay from July 28 to August 2, 5 nights."),
    # more of the same classes, other words
    ({"employees": [{"name": "Ana Diaz", "salary": 64000}, {"name": "Raj Patel", "salary": 71000}]},
     "Ana Diaz earns $64,000 and Raj Patel $71,000, a gap of $7,000."),
    ({"conversion_before": 0.024, "conversion_after": 0.031}, "Conversion went from 2.4% to 3.1%, up 0.7 percentage points."),
    ({"flight": "LH 400", "dep_local": "2024-09-01T22:10", "arr_local": "2024-09-02T12:05"},
     "LH 400 departs at 10:10 pm and lands at 12:05 pm the next day."),
    ({"height_cm": 180}, "You are 180 cm tall, about 5 ft 11 in."),
    ({"readings": [{"day": "Mon", "steps": 8000}, {"day": "Tue", "steps": 12000}]}, "You averaged 10,000 steps a day."),
    ({"loan": 20000, "rate_apr": 0.06}, "At 6% APR the first year's interest on $20,000 is about $1,200."),
    ({"tickets_sold": 340, "capacity": 400}, "340 of 400 seats are sold, so the venue is 85% full with 60 seats left."),
    ({"items": [{"name": "Chair", "qty": 4, "price": 55.0}, {"name": "Desk", "qty": 1, "price": 240.0}]},
     "4 chairs at $55.00 each come to $220.00; with the desk the total is $460.00."),
    ({"price_per_kg": 4.5, "kg": 3}, "3 kg cost $13.50."),
]


@pytest.mark.parametrize("data,answer", GROUNDED)
def test_correct_derived_and_converted_numbers_pass(data: Any, answer: str) -> None:
    res = run(data, answer)
    assert res.is_valid, res.issues


CAUGHT = [
    # a coincidence with an unrelated number of another unit or subject
    ({"product": "Basic", "out_of_network_atm_fee": 3.0, "atm_fee_rebates": "not included"},
     "Each out-of-network withdrawal costs $3.00 after your 3 free withdrawals.", "3 free withdrawals"),
    ({"strength": None, "refills_remaining": 2, "drug": "Melatonin"}, "Take melatonin 2 mg at bedtime.", "2 mg"),
    ({"seat": "17C", "bags_included": 0}, "You are in seat 17C with a 17 kg carry-on.", "17 kg"),
    # wrong unit or scale
    ({"limit_g": 3}, "Do not take more than 3 mg a day.", "3 mg"),
    ({"p99_seconds": 2.4}, "The p99 is 2.4 ms.", "2.4 ms"),
    ({"generation_mwh": 5.1}, "The panels made 5.1 kWh this year.", "5.1 kWh"),
    ({"speed_kmh": 100}, "The limit is 100 mph.", "100 mph"),
    ({"price": 60.0, "currency": "GBP"}, "The jacket costs €60.00.", "€60.00"),
    # wrong period
    ({"addon": "SSO", "price": 30.0, "billing_period": "year"}, "SSO costs $30 per month.", "$30 per month"),
    ({"hoa_monthly": 400}, "HOA dues are $400 a year.", "$400 a year"),
    # wrong derivations
    ({"jan": 1600.0, "feb": 2000.0}, "Spending went from $1,600.00 to $2,000.00, a 20% increase.", "20%"),
    ({"before_rate": 0.02, "after_rate": 0.015}, "The defect rate fell from 2.0% to 1.5%, 25 percentage points better.", "25 percentage points"),
    ({"avg_monthly_bill": 120.0}, "A year at that rate is about $1,540.", "$1,540"),
    ({"dep_local": "2024-05-02T19:40"}, "You leave at 9:40 pm.", "9:40 pm"),
    # the right number for the wrong entity
    ({"accounts": [{"type": "checking", "balance": 1520.0}, {"type": "savings", "balance": 8800.0}]},
     "Your checking account has $8,800.00.", "$8,800.00"),
    ({"players": [{"name": "Ana Ruiz", "pts": 18}, {"name": "Ben Ode", "pts": 27}]},
     "Ana Ruiz scored 27 points.", "27 points"),
    ({"teams": [{"team": "Red", "wins": 12}, {"team": "Blue", "wins": 9}]}, "Blue won 12 games.", "12"),
    ({"shipments": [{"id": "SHP-1", "eta": "2024-06-20"}, {"id": "SHP-2", "eta": "2024-06-24"}]},
     "SHP-1 arrives on June 24, 2024.", "June 24, 2024"),
    # more of the same classes, other words
    ({"dose_mg": 250, "interval_hours": 8}, "Take 250 mg every 6 hours.", "6 hours"),
    ({"guests": 4, "nights": 3, "rate": 150.0}, "Your stay of 4 nights costs $450.00.", "4 nights"),
    ({"stock": 40, "reorder_point": 15}, "You have 15 units in stock.", "15"),
    ({"avg_response_ms": 230}, "Average response time is 230 seconds.", "230 seconds"),
    ({"plan": "Basic", "price_month": 10.0, "seats": 5}, "Basic costs $10 a year for 5 seats.", "$10 a year"),
    ({"q1_revenue": 120000, "q2_revenue": 150000}, "Revenue rose from $120,000 to $150,000, up 20%.", "20%"),
]


@pytest.mark.parametrize("data,answer,bad", CAUGHT)
def test_fabrications_are_caught(data: Any, answer: str, bad: str) -> None:
    res = run(data, answer)
    assert not res.is_valid, f"{bad!r} passed"
    assert any(bad in u or u in bad for u in res.unverified), res.unverified


# -- shown work and the confidence of a failure ----------------------------------------------------

CALLS = {"calls": [{"country": "Mexico", "minutes": 142, "rate": 0.05, "charge": 7.10},
                   {"country": "United Kingdom", "minutes": 38, "rate": 0.12, "charge": 4.56}]}


def test_arithmetic_the_answer_writes_out_right_grounds_its_result() -> None:
    res = run({"rooms": [{"name": "hall", "wall_area": 1250}], "coats": 2, "coverage_per_gallon": 350},
              "The hall needs 1,250 × 2 / 350 = 7.14 gallons.")
    assert res.is_valid, res.unverified


def test_arithmetic_the_answer_writes_out_wrong_is_a_sure_fabrication() -> None:
    """$7.10 is a number of the data (Mexico's charge), but 38 x $0.12 is $4.56."""
    res = run(CALLS, "- Mexico: 142 min × $0.05 = $7.10\n- United Kingdom: 38 min × $0.12 = $7.10")
    assert not res.is_valid and not res.uncertain
    assert res.details["sure"] == ["$7.10"]
    assert len(res.positions) == 1 and res.positions[0] > 40  # withholding starts at the UK line


def test_a_lookup_with_no_basis_is_sure() -> None:
    res = run({"balance": 47.15, "currency": "USD"}, "Your balance is $127,549 today.")
    assert not res.is_valid and not res.uncertain and res.details["sure"] == ["$127,549"]


def test_a_result_of_a_calculation_the_engine_cannot_follow_is_uncertain() -> None:
    """A multi-step derivation the engine does not model: flagged, not withheld."""
    res = run({"slab_ft": [24, 30], "thickness_in": 4, "price_per_yd3": 165.0, "delivery": 95.0},
              "With 10% extra that comes to about 9.8 cubic yards.")
    assert not res.is_valid and res.uncertain and res.details["sure"] == []


def test_after_an_uncertain_claim_the_next_ones_are_uncertain_too() -> None:
    res = run({"lines": [{"item": "bolts", "qty": 8, "price": 2.5}]},
              "Per unit that comes to $3.10. The bill is $61.00.")
    assert not res.is_valid and res.uncertain and res.details["uncertain"] == ["$3.10", "$61.00"]


def test_confidence_levels_off_makes_every_failure_sure() -> None:
    from plugins.validate.validators.numbers import NumbersConfig
    msgs = [{"role": "tool", "tool_call_id": "c1", "content": json.dumps({"price_per_yd3": 165.0})}]
    v = NumbersValidator(NumbersConfig(confidence_levels=False))
    res = v.validate(Subject(Answer("With 10% extra that comes to about 9.8 cubic yards."), {"messages": msgs}))
    assert not res.is_valid and not res.uncertain


def test_an_uncertain_failure_is_flagged_without_regeneration_by_default() -> None:
    from plugins.validate.config import ValidatorEntry
    e = ValidatorEntry(type="numbers", action="regenerate")
    assert e.uncertain == "flag" and e.final_for(True) == "flag" and not e.regenerates(True)
    assert e.final_for(False) == "withhold" and e.regenerates(False)
    same = ValidatorEntry(type="numbers", action="regenerate", uncertain="same")
    assert same.final_for(True) == "withhold" and same.regenerates(True)
    assert ValidatorEntry(type="structured", action="regenerate").uncertain == "same"


@pytest.mark.parametrize("data,answer", [
    # the total of amounts the answer just listed
    ({"line_haul": 710.24, "fuel_surcharge": 174.01, "liftgate": 75.0},
     "Line haul $710.24, fuel surcharge $174.01 and the $75.00 liftgate fee: $959.25 total."),
    # a share with its parts in the same sentence
    ({"orchestra": {"sold": 1183, "capacity": 1300}}, "The orchestra is 91% sold (1,183 of 1,300)."),
    # compound units named by a key
    ({"patient": {"scr_mg_dl": 1.4}}, "Her creatinine is 1.4 mg/dL."),
    ({"room": {"area_sq_ft": 1250}}, "The room is 1,250 sq ft."),
    # a derived number restated in another unit
    ({"boxes": 4, "box_weight_kg": 12.5}, "The 4 boxes of 12.5 kg weigh 50 kg in all, or 110.2 lb."),
])
def test_listed_totals_shares_key_units_and_restatements_pass(data: Any, answer: str) -> None:
    res = run(data, answer)
    assert res.is_valid, res.unverified


def test_an_answer_with_thousands_of_claims_is_checked_up_to_the_cap_and_flagged() -> None:
    """The check runs on the event loop: an answer of thousands of number-bearing tokens is
    checked up to `max_claims`; when what was checked holds, the rest is flagged as not checked
    (uncertain: delivered, marked) instead of holding the loop for seconds."""
    from plugins.validate.validators.base import Answer, Subject
    from plugins.validate.validators.numbers import NumbersConfig, NumbersValidator

    data = " ".join(f"row {i}: {1000 + i} units" for i in range(40))
    v = NumbersValidator(NumbersConfig(max_claims=30))
    answer = " ".join(f"Row {i} has {1000 + i} units." for i in range(40))
    r = v.validate(Subject(Answer(answer), {"messages": [{"role": "user", "content": data}]}, {}))
    assert not r.is_valid and r.uncertain and r.details["claims"] <= 40 and "not checked" in r.issues[0]
    full = NumbersValidator().validate(Subject(Answer(answer), {"messages": [{"role": "user", "content": data}]}, {}))
    assert full.is_valid  # under the default cap the same answer is checked whole and holds


PAYSLIP = {"employee": "J. Ferreira", "hourly_rate": 28.5, "regular_hours": 160, "overtime_hours": 12,
           "overtime_multiplier": 1.5, "deductions": {"tax": 1120.4, "pension": 285.0}}


def test_work_in_a_table_cell_grounds_the_next_cell_and_the_signed_net() -> None:
    """Each row's cell shows its work and the next cell its result; the net adds the gross and the
    deductions with the minus signs the table gives them (a minus before the currency sign)."""
    answer = ("| Item | Amount |\n|---|---|\n| Regular (160 h × $28.50) | $4,560.00 |\n"
              "| Overtime (12 h × $42.75) | $513.00 |\n| **Gross** | **$5,073.00** |\n"
              "| Tax | −$1,120.40 |\n| Pension | −$285.00 |\n| **Net** | **$3,667.60** |")
    res = run(PAYSLIP, answer)
    assert res.is_valid, res.unverified


def test_a_wrong_net_after_the_signed_deductions_is_still_caught() -> None:
    answer = ("| Regular (160 h × $28.50) | $4,560.00 |\n| Overtime (12 h × $42.75) | $513.00 |\n"
              "| **Gross** | **$5,073.00** |\n| Tax | −$1,120.40 |\n| Pension | −$285.00 |\n| **Net** | **$3,867.60** |")
    res = run(PAYSLIP, answer)
    assert not res.is_valid and res.unverified == ["$3,867.60"]


@pytest.mark.parametrize("data, answer", [
    ({"room_rate": 189, "nights": 4, "resort_fee": 25}, "Room: $756.00 ($189 × 4); resort fee: $100.00 ($25 × 4)."),
    ({"sites": [{"site": "101", "enrolled": 24, "target": 30}]}, "Site 101 is at 24/30 (80%) of its target."),
    ({"route_miles": 420, "mpg": 32}, "You'll need about 13.1 gallons (420 ÷ 32) for the trip."),
])
def test_a_result_beside_its_parenthesized_work_is_grounded(data: Any, answer: str) -> None:
    res = run(data, answer)
    assert res.is_valid, res.unverified


def test_work_beside_a_result_never_condemns_it() -> None:
    """A lumber size beside its price is no equation: "2 × 4" does not make $3.50 a miscalculation."""
    res = run({"items": [{"name": "2 x 4 stud", "price": 3.5}]}, "| 2 × 4 stud | $3.50 |")
    assert res.is_valid, res.unverified
    res = run({"room_rate": 189, "nights": 4}, "Room: $800.00 ($189 × 4).")
    assert not res.is_valid and res.uncertain  # flagged like any number the engine cannot derive, not "miscalculated"


def test_a_phrasal_up_states_no_change_so_a_share_is_grounded() -> None:
    """"ended up in good parts" is no increase: 93.0% is 4,464 kg of the 4,800 kg coil."""
    res = run({"coil_weight_kg": 4800, "part_weight_kg": 0.62, "good_parts": 7200},
              "7,200 brackets × 0.62 kg = 4,464 kg of the 4,800 kg coil ended up in good parts — a **93.0% material yield**.")
    assert res.is_valid, res.unverified


def test_the_results_of_written_out_lines_add_up_to_the_total_after_them() -> None:
    data = {"courses": [{"course": "CHEM 201", "credits": 3, "grade": "A"}, {"course": "MATH 221", "credits": 4, "grade": "B+"},
                        {"course": "PE 105", "credits": 2, "grade": "C"}]}
    user = "Grade points: A 4.0, B+ 3.3, C 2.0. How many quality points do I have?"
    ok = run(data, "CHEM 201 3 × 4.0 = 12.0; MATH 221 4 × 3.3 = 13.2; PE 105 2 × 2.0 = 4.0. That's 29.2 points over 9 credits.", user)
    assert ok.is_valid, ok.unverified
    bad = run(data, "CHEM 201 3 × 4.0 = 12.0; MATH 221 4 × 3.3 = 13.2; PE 105 2 × 2.0 = 4.0. That's 31.2 points over 9 credits.", user)
    assert not bad.is_valid and bad.unverified == ["31.2"]


@pytest.mark.parametrize("data, user, answer", [
    ({"days_to_answer": 21}, "Complaint was served November 16. When's our answer due?",
     "You have 21 days from service on November 16, which lands on **Monday, December 7, 2026**."),
    ({"last_exam": "2026-06-18", "interval_months": 6}, "When is my next checkup?",
     "Your last exam was June 18, 2026 and your recall interval is 6 months, so you're due around **December 18, 2026**."),
    ({"start": "2026-03-01", "term_months": 12, "notice_days": 60}, "When does the lease end?",
     "The lease started March 1, 2026 for 12 months, so it ends **February 28, 2027**. Send the renewal by **December 30, 2026**."),
])
def test_dates_a_yearless_user_date_or_a_month_count_derives_are_grounded(data: Any, user: str, answer: str) -> None:
    res = run(data, answer, user)
    assert res.is_valid, res.unverified


def test_a_month_count_goes_with_its_own_records_date() -> None:
    """FVRCP's 1-year validity does not make rabies (3 years from 2024-01-22) due on Jan 22, 2025."""
    data = {"vaccines": [{"name": "Rabies", "given": "2024-01-22", "valid_years": 3},
                         {"name": "FVRCP", "given": "2025-12-15", "valid_years": 1}]}
    assert run(data, "FVRCP is due Dec 15, 2026. Rabies is good until Jan 22, 2027.").is_valid
    res = run(data, "FVRCP is due Dec 15, 2026. Rabies is good until Jan 22, 2025.")
    assert not res.is_valid and res.unverified == ["Jan 22, 2025"]


FORECAST = {"forecast": [{"date": "2026-12-05", "high_c": 4, "low_c": -7}, {"date": "2026-12-06", "high_c": -2, "low_c": -11}]}


def test_below_zero_celsius_converts_with_its_sign_and_a_swing_converts_without_the_offset() -> None:
    ok = run(FORECAST, "Sat: high 39 °F, low 19 °F. Sun: high 28 °F, low 12 °F. Saturday swings about 20 °F.")
    assert ok.is_valid, ok.unverified
    zones = {"zones": {"Z1": {"min_c": 16.5, "max_c": 27.0}}}
    assert run(zones, "Z1 ran from 61.7 °F to 80.6 °F, a swing of 18.9 °F.").is_valid
    bad = run(zones, "Z1 ran from 61.7 °F to 80.6 °F, a swing of 50.9 °F.")  # 10.5 °C read as a temperature
    assert not bad.is_valid and bad.unverified == ["50.9 °F"]
    neg = run(FORECAST, "Sunday's low is -20 °F.")  # -11 °C is 12 °F; a negative claim is no swing
    assert not neg.is_valid


def test_an_arrival_time_is_the_departure_plus_the_block_time_in_the_arrivals_zone() -> None:
    flight = {"dep": {"airport": "JFK", "scheduled_local": "2024-07-14T19:45", "utc_offset": "-04:00"},
              "arr": {"airport": "LHR", "utc_offset": "+01:00"}, "block_time_min": 430}
    ok = run(flight, "Arrival at LHR is 07:55 local on 15 July (that's 02:55 in New York).")
    assert ok.is_valid, ok.unverified
    bad = run(flight, "Arrival at LHR is 08:55 local on 15 July.")
    assert not bad.is_valid


def test_a_clock_time_and_an_offset_are_no_durations_to_shift_by() -> None:
    """15:00 in Tokyo (+09:00) is 07:00 in London (+01:00), not 8:00."""
    zones = {"Tokyo": {"utc_offset": "+09:00"}, "London": {"utc_offset": "+01:00"}}
    res = run(zones, "A 15:00 call in Tokyo is at 8:00 am for you in London.", "My Tokyo call is at 15:00 their time.")
    assert not res.is_valid and res.unverified == ["8:00 am"]


def test_days_of_supply_from_a_quantity_and_its_directions_or_daily_use() -> None:
    rx = {"prescriptions": [{"drug": "Lisinopril", "qty": 90, "sig": "Take 1 tablet by mouth daily", "last_fill": "2024-06-05"},
                            {"drug": "Metformin", "qty": 90, "sig": "1 tab twice daily", "last_fill": "2024-06-10"}]}
    ok = run(rx, "Your lisinopril fill of 90 tablets at one a day is a 90-day supply, so it runs out around September 3, 2024. "
                 "Metformin at 1 tablet twice a day is a 45-day supply.")
    assert ok.is_valid, ok.unverified
    stock = {"items": [{"name": "vancomycin", "on_hand": 96, "avg_daily_use": 16}, {"name": "heparin", "on_hand": 1210, "avg_daily_use": 110},
                       {"name": "ceftriaxone", "on_hand": 450, "avg_daily_use": 30}]}
    assert run(stock, "Ceftriaxone has about 15 days of supply on hand.").is_valid


def test_a_value_derived_from_another_entitys_record_is_not_this_ones() -> None:
    """1,210 / 110 = 11 days is heparin's supply; the sentence is about ceftriaxone."""
    stock = {"items": [{"name": "heparin", "on_hand": 1210, "avg_daily_use": 110}, {"name": "ceftriaxone", "on_hand": 450, "avg_daily_use": 30}]}
    res = run(stock, "Ceftriaxone has about 11 days of supply on hand.")
    assert not res.is_valid and res.unverified == ["11 days"]
    fields = {"fields": [{"field": "North 40", "acres": 38.5, "harvest_bu": 7469}, {"field": "Hilltop", "acres": 15.0, "harvest_bu": 2565}]}
    assert run(fields, "Hilltop came in at 171 bushels per acre.").is_valid
    res = run(fields, "Hilltop came in at 194 bushels per acre.")
    assert not res.is_valid and "194" in res.unverified[0]


def test_a_verb_after_the_counted_noun_ends_its_phrase() -> None:
    """"306 seats gives a load factor": the claim counts seats (the flight's `seats`), not "gives"."""
    flight = {"flight": "SR 318", "seats": 306, "booked": 289, "gate": "B7"}
    res = run(flight, "289 booked on 306 seats gives a load factor of 94.4%, leaving 17 seats unsold.")
    assert res.is_valid, res.unverified


def test_a_prose_fact_named_by_its_own_words_belongs_to_no_plan_the_sentence_names() -> None:
    msgs = [{"role": "system", "content": "Membership options: Basic $29/month with a 12-month contract; Annual Prepaid $299 per year "
                                          "paid upfront. Enrollment fee $49, waived for Annual Prepaid."},
            {"role": "user", "content": "Which is cheaper for a year, Basic or Annual Prepaid?"}]
    answer = "For a year, Basic costs $348 in dues plus the $49 enrollment fee, $397 in total, while Annual Prepaid is $299."
    res = NumbersValidator().validate(Subject(Answer(answer), {"messages": msgs}))
    assert res.is_valid, res.unverified


def test_a_points_balance_plus_its_activity_and_a_records_figure_per_the_wholes_count() -> None:
    acct = {"opening_balance": 88510, "activity": [{"desc": "Flight", "points": 6240}, {"desc": "Hotel", "points": 1500},
                                                  {"desc": "Upgrade", "points": -12000}]}
    assert run(acct, "Starting from 88,510 points you end with 84,250 points.").is_valid
    stats = {"rounds": 24, "players": [{"player": "Kairo", "kills": 27, "damage": 4152}, {"player": "Vexa", "kills": 19, "damage": 3264}]}
    assert run(stats, "Kairo put up 4,152 damage over 24 rounds, an ADR of 173.").is_valid
    res = run(stats, "Over the map, Kairo averaged an ADR of 136.")  # Vexa's 3,264 / 24
    assert not res.is_valid
    team = {"games_played": 14, "players": [{"name": "T. Brooks", "points": 301, "games": 14}, {"name": "K. Nair", "points": 226, "games": 13}]}
    res = run(team, "Nair has 226 points, which is 16.1 points per game.")  # over the team's 14, not her own 13 games
    assert not res.is_valid


@pytest.mark.parametrize("data, answer", [
    ({"bill": 186.40, "tip_pct": 20, "drink": 9}, "Sam: $9 + 20% = **$10.80**."),
    ({"patient": {"name": "L. Haddad", "weight_kg": 18}, "product": {"dose_mg_per_kg": 15, "strength_mg": 160, "per_ml": 5}},
     "Dose: 18 kg × 15 mg/kg = 270 mg.\nVolume: 270 mg ÷ (160 mg / 5 mL) = 270 ÷ 32 = **8.44 mL**."),
    ({"adults": 118, "kids": 14, "adult_plate": 62, "kids_plate": 28}, "Food: 118 × $62 = $7,316 + 14 × $28 = $392 → $7,708."),
    ("Sales tax here: state 6.25%, county 0.75%, city 1.00%.", "Combined rate is 6.25% + 0.75% + 1.00% = 8.00%."),
])
def test_written_out_steps_read_as_the_writer_meant(data: Any, answer: str) -> None:
    """A markup ("$9 + 20%"), a chain ("= 270 ÷ 32 = 8.44": 270 starts the next step), and a
    result of the last step of a run-on line ("… + 14 × $28 = $392") are no miscalculations."""
    res = run(data, answer)
    assert res.is_valid, res.unverified


def test_a_value_derived_in_the_named_records_own_data_outweighs_another_records_equal_value() -> None:
    order = {"items": [{"sku": "TEE", "name": "tees", "qty": 3, "unit": 18.0}, {"sku": "HOOD", "name": "hoodie", "qty": 1, "unit": 54.0}]}
    res = run(order, "Items: 3 tees ($54.00) + 1 hoodie ($54.00) = $108.00.")
    assert res.is_valid, res.unverified


def test_hi_lo_and_air_keys_in_celsius_are_temperatures() -> None:
    wx = {"daily": [{"day": "Thu", "hi_c": -1, "lo_c": -9}, {"day": "Fri", "hi_c": 3, "lo_c": -4}], "supply_air_c": 16.8}
    res = run(wx, "The coldest night is Thursday at -9°C (16°F); Thursday's high is -1°C / 30°F. Supply air hit 16.8 °C.")
    assert res.is_valid, res.unverified


def test_a_standard_conversion_factor_the_answer_shows_is_grounded_but_not_a_low_precision_lookalike() -> None:
    assert run({"weight_kg": 12.5}, "At 2.2046 lb per kg, 12.5 kg is 27.56 lb.").is_valid
    res = run({"weight_kg": 12.5}, "That parcel is about 1.8 kg over.")
    assert not res.is_valid  # (1.8 is a factor too, but a measured quantity with a unit is no factor shown)


def test_a_dropped_minus_on_a_temperature_is_caught() -> None:
    wx = {"units": "F", "daily": [{"day": "Sat", "hi_f": 14, "lo_f": -7, "wind_mph": 18}]}
    assert run(wx, "Tonight drops to -7°F; today's high is only 14°F, a 21°F swing.").is_valid
    res = run(wx, "Tonight drops to **7°F**, with 18 mph wind. Today's high is only 14°F.")
    assert not res.is_valid and res.unverified == ["7°F"]


def test_a_reading_stated_for_another_entrys_date_is_flagged() -> None:
    labs = {"results": [{"test": "LDL", "value": 131, "unit": "mg/dL", "date": "2026-11-28"},
                        {"test": "LDL", "value": 118, "unit": "mg/dL", "date": "2026-08-20"}]}
    assert run(labs, "His current LDL is **131 mg/dL** (drawn 2026-11-28).").is_valid
    res = run(labs, "His current LDL is **118 mg/dL** (drawn 2026-11-28).")
    assert not res.is_valid and res.uncertain  # flagged: the engine is not sure which entry the writer meant
    assert run(labs, "LDL rose to 131 mg/dL on 2026-11-28, up from 118 mg/dL.").is_valid  # the earlier value, said as such


def test_a_rate_per_kilogram_applies_to_a_weight_in_pounds_converted() -> None:
    """4.4 mg/kg for a 48.4 lb dog (21.95 kg) is 96.6 mg, not 4.4 x 48.4 = 213 mg."""
    rx = {"patient": {"name": "Rex", "weight_lb": 48.4}, "drug": {"name": "carprofen", "dose_mg_per_kg": 4.4}}
    assert run(rx, "Rex weighs 48.4 lb (21.95 kg), so the dose is 96.6 mg.").is_valid
    res = run(rx, "Rex weighs 48.4 lb, so the dose is 213 mg.")
    assert not res.is_valid and res.unverified == ["213 mg"]


def test_a_dose_per_kilogram_times_the_weight_in_pounds_is_caught_from_the_users_own_numbers() -> None:
    user = "Dog is 44 lb. Drug label: 5 mg per kg once daily for 14 days. How many mg per dose?"
    res = NumbersValidator().validate(Subject(Answer("For a 44 lb dog at 5 mg/kg, give **220 mg** once daily."),
                                              {"messages": [{"role": "user", "content": user}]}))
    assert not res.is_valid and res.unverified == ["220 mg"]
    ok = NumbersValidator().validate(Subject(Answer("For a 44 lb dog (about 20 kg) at 5 mg/kg, give **100 mg** once daily."),
                                             {"messages": [{"role": "user", "content": user}]}))
    assert ok.is_valid, ok.unverified


def test_a_weekday_that_contradicts_its_date_is_caught() -> None:
    term = {"term_start": "2027-01-04", "first_session": "2027-01-11"}
    assert run(term, "Classes resume on Monday, January 11, 2027.").is_valid
    res = run(term, "Classes resume on Friday, January 11, 2027.")
    assert not res.is_valid and not res.uncertain and res.unverified == ["Friday, January 11, 2027"]
    res = run(term, "Classes resume on **Friday, January 11**.")  # the year is the data's: flagged, not sure
    assert not res.is_valid and res.uncertain
