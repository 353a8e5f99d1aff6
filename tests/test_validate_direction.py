"""Direction words against the numbers they compare, and entity binding in pasted tables.

A direction word ("rose", "down", "ahead of", "improved") states the sign of a change; the
answer's own numbers ("from X to Y", "Y vs X") or the data's other end ("by D to Y") give the
actual sign. A contradiction is reported on the change's number, its text widened to the word.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from plugins.validate.validators.base import Answer, Subject
from plugins.validate.validators.numbers import NumbersValidator
from plugins.validate.validators.scan import scan


def run(data: Any, answer: str, role: str = "tool") -> tuple[str, list[str]]:
    body = data if isinstance(data, str) else json.dumps(data)
    if role == "tool":
        msgs = [{"role": "user", "content": "Tell me."}, {"role": "tool", "tool_call_id": "c1", "content": body}]
    else:
        msgs = [{"role": "user", "content": body}]
    r = NumbersValidator().validate(Subject(Answer(answer), {"messages": msgs}))
    if r.is_valid:
        return "pass", []
    return ("uncertain" if r.uncertain else "sure"), list(r.details.get("sure") or []) + list(r.details.get("uncertain") or [])


@pytest.mark.parametrize("data,answer,word", [
    ({"last_week_pct": 81.3, "this_week_pct": 76.5}, "Occupancy is up 4.8 points, from 81.3 % to 76.5 %.", "up"),
    ({"old_payment": 1968.0, "new_payment": 2241.0}, "Your payment goes down by $273, from $1,968.00 to $2,241.00 a month.", "down"),
    ({"q2": 41.8, "q3": 43.15}, "ARPU slipped $1.35 to $43.15 in Q3 (from $41.80).", "slipped"),
    ({"actual_mwh": 15320, "budget_mwh": 16800}, "Generation is 1,480 MWh ahead of budget (15,320 vs 16,800 MWh).", "ahead of"),
    ({"wk47_per_cm2": 0.142, "wk48_per_cm2": 0.118}, "Defect density worsened from 0.142 to 0.118 defects/cm² this week.", "worsened"),
])
def test_direction_contradicted_by_the_answers_own_numbers(data: Any, answer: str, word: str) -> None:
    v, bad = run(data, answer)
    assert v == "sure" and any(word in b for b in bad), (v, bad)


@pytest.mark.parametrize("data,answer,word", [
    ({"before": 2240, "after": 2227}, "Chen gained 13 points and is now rated 2227.", "gained"),
    ("Visitors Oct 41,200, Nov 38,900. How did November do?", "November visitors rose by 2,300 to 38,900.", "rose"),
])
def test_direction_contradicted_by_the_datas_other_end(data: Any, answer: str, word: str) -> None:
    v, bad = run(data, answer, "user" if isinstance(data, str) else "tool")
    assert v != "pass" and any(word in b for b in bad), (v, bad)


@pytest.mark.parametrize("data,answer", [
    ({"last_week_pct": 81.3, "this_week_pct": 76.5}, "Occupancy is down 4.8 points, from 81.3 % to 76.5 %."),
    ({"before": 2240, "after": 2227}, "Chen lost 13 points and is now rated 2227."),
    ({"actual_mwh": 15320, "budget_mwh": 16800}, "Generation is 1,480 MWh below budget (15,320 vs 16,800 MWh)."),
    ({"wk47_per_cm2": 0.142, "wk48_per_cm2": 0.118}, "Defect density improved from 0.142 to 0.118 defects/cm² this week."),
    ({"occ_pct": 78.1, "occ_pct_last_year": 72.0}, "Occupancy was 78.1 %, up 6.1 points from 72.0 % a year ago."),
    ({"plan_days": 30, "used": 12}, "You can pause for up to 30 days; you have used 12."),
])
def test_right_direction_passes(data: Any, answer: str) -> None:
    assert run(data, answer)[0] == "pass"


def test_a_month_before_a_thousands_number_is_no_date() -> None:
    assert [(m.lastgroup, m.group(0)) for m in scan("Oct 41,200, Nov 38,900")] == [("num", "41,200"), ("num", "38,900")]
    assert [m.lastgroup for m in scan("due Oct 12, 2024")] == ["mdy"]


CSV = "What's Ramos's rating?\n\nname,rating,score\nOkafor,2311,4.5\nLindqvist,2256,4.0\nRamos,2198,4.0"


def test_a_pasted_tables_rows_own_their_cells() -> None:
    assert run(CSV, "Ramos is rated 2256.", "user")[0] == "sure"
    assert run(CSV, "Ramos is rated 2198.", "user")[0] == "pass"


def test_user_prose_numbers_stay_the_users() -> None:
    data = "My bill: electricity $115.30, delivery $38.75, water $46.20, sewer $52.10."
    assert run(data, "Energy $115.30 plus delivery $38.75 plus water $46.20 comes to $200.25.", "user")[0] == "pass"


def test_possessive_and_id_keyed_records_name_their_entity() -> None:
    lines = {"lines": [{"name": "Mark", "data_gb": 18.4}, {"name": "Asha", "data_gb": 11.2}]}
    assert run(lines, "Asha's line used 18.4 GB this cycle.")[0] == "sure"
    assert run(lines, "Asha's line used 11.2 GB this cycle.")[0] == "pass"
    units = {"units": {"SURG-2": {"beds": 24, "occupied": 17}, "SURG-3": {"beds": 20, "occupied": 20}}}
    assert run(units, "SURG-3 has 17 beds occupied.")[0] == "sure"
    assert run(units, "SURG-2 has 17 beds occupied.")[0] == "pass"


def test_a_split_of_another_athlete_is_not_rescued_as_a_clock_time() -> None:
    data = {"athletes": [{"name": "Gebre", "splits": {"30k": "1:38:22"}}, {"name": "Wanjiru", "splits": {"30k": "1:38:50"}}]}
    assert run(data, "Wanjiru passed in 1:38:22.") == ("sure", ["1:38:22"])
    assert run(data, "Wanjiru passed in 1:38:50.")[0] == "pass"


# -- superseded values: a re-fetched tool result, a changed field, a user's correction ---------------------
def _call(cid: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"role": "assistant", "content": None,
            "tool_calls": [{"id": cid, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}]}


def _check(msgs: list[dict[str, Any]], answer: str) -> str:
    r = NumbersValidator().validate(Subject(Answer(answer), {"messages": msgs}))
    return "pass" if r.is_valid else ("uncertain" if r.uncertain else "sure")


def _refetch(first: dict[str, Any], second: dict[str, Any], args2: dict[str, Any] | None = None,
             ask_between: bool = True) -> list[dict[str, Any]]:
    msgs = [{"role": "user", "content": "Status?"}, _call("c1", "ed_status", {"site": "A"}),
            {"role": "tool", "tool_call_id": "c1", "content": json.dumps(first)}]
    if ask_between:
        msgs.append({"role": "user", "content": "And now?"})
    msgs += [_call("c2", "ed_status", args2 if args2 is not None else {"site": "A"}),
             {"role": "tool", "tool_call_id": "c2", "content": json.dumps(second)}]
    return msgs


def test_a_refetched_value_supersedes_the_earlier_one() -> None:
    msgs = _refetch({"boarding": 9, "eta": "2026-12-08", "dep": "14:20"}, {"boarding": 12, "eta": "2026-12-11", "dep": "15:05"})
    assert _check(msgs, "The ED has 9 patients boarding.") != "pass"
    assert _check(msgs, "The ED has 12 patients boarding.") == "pass"
    assert _check(msgs, "Delivery is expected on 8 December.") != "pass"
    assert _check(msgs, "Delivery is expected on 11 December.") == "pass"
    assert _check(msgs, "It now departs at 14:20.") != "pass"
    assert _check(msgs, "It now departs at 15:05, moved from 14:20.") == "pass"
    assert _check(msgs, "Boarding rose from 9 to 12, 3 more.") == "pass"


def test_another_entitys_fetch_supersedes_nothing() -> None:
    msgs = _refetch({"boarding": 9}, {"boarding": 12}, {"site": "B"})
    assert _check(msgs, "Site A has 9 patients boarding and site B 12.") == "pass"
    msgs = _refetch({"boarding": 9}, {"boarding": 12}, {"site": "A", "round": 6}, ask_between=False)
    assert _check(msgs, "The ED has 12 patients boarding.") == "pass"


def test_a_new_field_and_a_change_record_supersede_the_old_value() -> None:
    msgs = [{"role": "user", "content": "Due date?"}, _call("c1", "loans", {}),
            {"role": "tool", "tool_call_id": "c1", "content": json.dumps({"loans": [{"title": "Overstory", "due": "2026-12-10"}]})},
            _call("c2", "renew", {}), {"role": "tool", "tool_call_id": "c2", "content": json.dumps({"ok": True, "new_due": "2026-12-31"})}]
    assert _check(msgs, "It is now due on 10 December 2026.") != "pass"
    assert _check(msgs, "It is now due on 31 December 2026.") == "pass"
    msgs = [{"role": "user", "content": "Premium?"}, _call("c1", "policy", {}),
            {"role": "tool", "tool_call_id": "c1", "content": json.dumps({"premium_month": 38.5, "deductible": 250})},
            _call("c2", "policy_changes", {}),
            {"role": "tool", "tool_call_id": "c2", "content": json.dumps({"changes": [{"field": "premium_month", "new": 42.1}]})}]
    assert _check(msgs, "Your monthly premium is $38.50.") != "pass"
    assert _check(msgs, "Your monthly premium is $42.10, with a $250 deductible.") == "pass"


def test_a_user_correction_without_the_words_of_the_original() -> None:
    msgs = [{"role": "user", "content": "Price of Unlimited Plus is $65/month."},
            {"role": "assistant", "content": "Got it."},
            {"role": "user", "content": "Correction: it went up to $70/month this week. How much for 12 months?"}]
    assert _check(msgs, "At $65/month, 12 months cost $780.") != "pass"
    assert _check(msgs, "12 months cost $780.") != "pass"
    assert _check(msgs, "At $70/month, 12 months cost $840.") == "pass"


# -- date and time arithmetic the answer shows ----------------------------------------------------------
def _user(text: str, answer: str) -> str:
    return _check([{"role": "user", "content": text}], answer)


def test_dates_and_times_derived_in_the_answer() -> None:
    assert _user("Invoice dated 2026-11-18, net 30. Due date?", "It is due on 18 December 2026 (30 days after 18 November).") == "pass"
    assert _user("Invoice dated 2026-11-18, net 30. Due date?", "It is due on 19 December 2026.") != "pass"
    assert _user("Brewed 2026-11-27. Primary is 10 days, then 14 days conditioning. Packaging date?",
                 "Primary ends on 7 December; add 14 days and packaging falls on 21 December 2026.") == "pass"
    assert _user("Membership runs 2026-09-15 to 2027-03-14 inclusive. How many days?",
                 "From 15 September 2026 through 14 March 2027 inclusive is 181 days.") == "pass"
    assert _user("Membership runs 2026-09-15 to 2027-03-14. How many days?", "That is 182 days.") != "pass"
    assert _user("Booked 16:10 for a 50-minute prep then a 15-minute x-ray. Done when?",
                 "16:10 + 50 min + 15 min = 17:15, so you should be done by 5:15 pm.") == "pass"
    assert _user("Left 2026-12-02 23:15 with a 30-hour cold-box rating. Latest unload?",
                 "30 hours after 23:15 on 2 December is 05:15 on 4 December (5:15 am).") == "pass"
    assert _user("Left 2026-12-02 23:15 with a 30-hour cold-box rating. Latest unload?",
                 "30 hours after 23:15 on 2 December is 06:15 on 4 December.") != "pass"


def test_a_count_of_the_answers_own_list() -> None:
    assert _user("How do I book a room?", "Three quick steps:\n\n1. Open the app.\n2. Pick a slot.\n3. Confirm it.") == "pass"
    assert _user("Documents?", "You'll need 3 things:\n- Photo ID\n- A payslip\n- The statement\n\nThat's all.") == "pass"
    assert _user("Documents?", "You'll need 4 things:\n- Photo ID\n- A payslip\n- The statement\n\nThat's all.") != "pass"


def test_a_setpoint_in_celsius_converts() -> None:
    data = {"setpoint_c": 4, "max_c": 7.8}
    assert run(data, "Setpoint 4 °C = 39.2 °F; the peak of 7.8 °C was 46.0 °F.")[0] == "pass"
    assert run(data, "Setpoint 4 °C = 41.2 °F.")[0] != "pass"


def test_readings_of_a_logger_fall_on_its_interval() -> None:
    data = {"interval_min": 15, "start": "2026-11-28T22:00", "readings_c": [5.1, 5.0, 4.9, 5.3, 6.8, 8.4, 9.1, 8.7]}
    assert run(data, "The excursion ran from 11:15 PM to 11:45 PM.")[0] == "pass"
    assert run(data, "The excursion ran from 11:10 PM.")[0] != "pass"
