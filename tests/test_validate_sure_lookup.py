"""The "sure" line of the numbers validator (withhold the answer) for a lookup-shaped claim: sure
only when the claim binds to the data (names a data attribute, misreads a stated value, totals a
counted list); a date the sentence derives, a conversion, a count, or a number inside a stated
change is only flagged (uncertain)."""
import json

from plugins.validate.validators.base import Answer, Subject
from plugins.validate.validators.numbers import NumbersValidator


def _check(data: dict | str, answer: str, question: str = "What are the figures?"):
    content = data if isinstance(data, str) else json.dumps(data)
    msgs = [{"role": "user", "content": question}, {"role": "tool", "tool_call_id": "t1", "content": content}]
    return NumbersValidator().validate(Subject(Answer(answer), {"messages": msgs}, {}))


def test_incidental_date_is_flagged_not_withheld():
    r = _check({"employee": "Dana Ruiz", "gross_pay": 4210.55, "pay_date": "2026-12-15"},
               "Your gross pay is $4,210.55, paid on December 15. W-2s are posted by January 31.")
    assert not r.is_valid and r.uncertain


def test_date_from_date_arithmetic_is_flagged_not_withheld():
    r = _check({"served_on": "2026-11-16", "answer_window_days": 21},
               "You were served on November 16. Counting 21 days from service, the answer lands on December 8, 2026.")
    assert not r.is_valid and r.uncertain
    # (with "Monday" before it the date contradicts its own weekday, December 8, 2026 being a
    # Tuesday: that is sure, see test_a_weekday_that_contradicts_its_date_is_caught)


def test_month_heading_is_flagged_not_withheld():
    r = _check({"hotel": "Harborview Inn", "period": "2024-07", "adr": 189.5},
               "**Harborview Inn — June 2024**\nAverage daily rate: $189.50.")
    assert not r.is_valid and r.uncertain


def test_conversion_to_another_unit_is_flagged_not_withheld():
    r = _check({"forecast": [{"day": "Sat", "high_c": 4, "low_c": -7, "high": "4 °C", "low": "-7 °C"}]},
               "Saturday looks cold: a low of 18 °F.")
    assert not r.is_valid and r.uncertain


def test_count_of_things_is_flagged_not_withheld():
    r = _check({"returns": [{"order": "A1", "status": "refunded"}, {"order": "A2", "status": "pending"},
                            {"order": "A3", "status": "refunded"}, {"order": "A4", "status": "rejected"},
                            {"order": "A5", "status": "pending"}]},
               "**2 returns** are still pending (orders A2 and A5).", "How many of my returns are still pending?")
    assert not r.is_valid and r.uncertain


def test_number_inside_a_stated_change_is_flagged_not_withheld():
    r = _check({"account": "Roth IRA", "value_jan_1": 24180, "value_today": 27730},
               "Your Roth IRA went from $24,180 to $27,730, up $3,560 this year.")
    assert not r.is_valid and r.uncertain


def test_misread_stated_value_is_still_withheld():
    r = _check({"transactions": [{"description": "Rent", "amount": 147.84}, {"description": "Coffee", "amount": 4.5}]},
               "The Rent payment was $14.78.")
    assert not r.is_valid and not r.uncertain


def test_total_of_a_counted_list_is_still_withheld():
    r = _check({"items": [{"merchant": "Train", "amount": 167.8}, {"merchant": "Taxi", "amount": 182.94},
                          {"merchant": "Lunch", "amount": 268.0}, {"merchant": "Hotel", "amount": 501.92}]},
               "You spent $1,052.72 across 4 expenses.")
    assert not r.is_valid and not r.uncertain


def test_value_for_a_named_attribute_is_still_withheld():
    r = _check({"policy": "HX-2201", "deductible": 500, "premium_monthly": 84.2},
               "Your deductible is $750.")
    assert not r.is_valid and not r.uncertain


def test_shown_work_with_a_multiplier_word_is_flagged_not_withheld():
    r = _check({"drug": "Amoxicillin", "tablet_mg": 100, "tablets_per_dose": 2, "doses_per_day": 2},
               "Take 2 × 100 mg twice daily = 400 mg per day.")
    assert not r.is_valid and r.uncertain


def test_shown_work_mixing_time_units_is_flagged_not_withheld():
    r = _check({"line": "L2", "units": 724, "cycle_time_s": 30, "run_time_min": 418},
               "Performance: 724 × 30 s / 418 min = 86.6%")
    assert not r.is_valid and r.uncertain


def test_tail_of_a_longer_expression_is_flagged_not_withheld():
    r = _check({"instances": 12, "type": "m6i.xlarge", "hourly_usd": 0.192, "hours": 730},
               "Compute: 12 × m6i.xlarge × $0.192 × 730 h = $1,681.92")
    assert not r.is_valid and r.uncertain


def test_plainly_wrong_shown_work_is_still_withheld():
    r = _check({"sku": "P-9", "qty": 5, "unit_price": 9.4}, "Cost: 5 × $9.40 = $49.00")
    assert not r.is_valid and not r.uncertain


def test_computed_table_cell_equal_to_another_entity_value_is_flagged_not_withheld():
    data = {"teams": [{"team": "Ashby", "p": 22, "w": 14, "d": 5, "l": 3, "gf": 47, "ga": 21},
                      {"team": "Bexley", "p": 22, "w": 13, "d": 6, "l": 3, "gf": 39, "ga": 18},
                      {"team": "Crane", "p": 21, "w": 13, "d": 4, "l": 4, "gf": 44, "ga": 25}]}
    answer = ("| Pos | Team | P | Pts | GD | PPG |\n|---|---|---|---|---|---|\n| 1 | Ashby | 22 | 47 | +26 | 2.14 |\n"
              "| 2 | Bexley | 22 | 45 | +21 | 2.05 |\n| 3 | Crane | 21 | 43 | +19 | 2.05 |\n")
    r = _check(data, answer, "Give me the table with points and goal difference.")
    assert not r.is_valid and r.uncertain


def test_local_time_of_a_utc_instant_is_flagged_not_withheld():
    data = {"meeting": "Quarterly review", "start_utc": "2026-12-09T16:30:00Z", "duration_min": 90,
            "attendees_tz": {"Berlin": "+01:00", "New York": "-05:00", "Tokyo": "+09:00"}}
    r = _check(data, "Quarterly review, Wed Dec 9 (90 min):\n- New York: 11:30 AM–1:00 PM", "What time is the review?")
    assert not r.is_valid and r.uncertain


def test_label_spelled_by_a_data_key_is_not_withheld():
    data = {"township": "Harlan", "population_2020": 12874, "budget_fy2024": 4962310, "employees_fte": 41}
    r = _check(data, "Its FY2024 budget is $4,962,310, with a staff of 41 full-time equivalents.")
    assert r.is_valid or r.uncertain


def test_ldl_improving_is_a_fall_not_a_wrong_direction():
    data = {"patient": "P-118", "ldl_mg_dl": [{"date": "2026-06-02", "value": 142}, {"date": "2026-11-30", "value": 118}]}
    r = _check(data, "LDL improved by 24 mg/dL (142 → 118).", "How did my cholesterol change?")
    assert r.is_valid or r.uncertain


def test_a_year_span_is_no_stated_change():
    r = _check({"report": "EU e-bike market", "market_size_usd_bn": 2.4, "cagr_pct": 8.7, "from_year": 2024, "to_year": 2030},
               "The report sizes the market at $3.1 billion, growing at a CAGR of 8.7% from 2024 to 2030.")
    assert not r.is_valid and not r.uncertain


def test_value_under_its_own_named_key_is_not_withheld():
    msgs = [{"role": "user", "content": "How many SKU 88-1042 do we have?"},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
                "name": "stock", "arguments": json.dumps({"sku": "88-1042"})}}]},
            {"role": "tool", "tool_call_id": "c1", "content": json.dumps({"on_hand": 140, "location": "B-12-3"})},
            {"role": "user", "content": "The PO from Halvorsen just got received, 2 pallets. Update it."},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "c2", "type": "function", "function": {
                "name": "receive_po", "arguments": json.dumps({"po": "PO-66120", "sku": "88-1042"})}}]},
            {"role": "tool", "tool_call_id": "c2", "content": json.dumps({"ok": True, "received": 96, "on_hand": 236})}]
    answer = "Received **96 units** on PO-66120. SKU 88-1042 now has **236 on hand** at B-12-3 (up from 140)."
    r = NumbersValidator().validate(Subject(Answer(answer), {"messages": msgs}, {}))
    assert r.is_valid or r.uncertain
