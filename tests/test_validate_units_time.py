"""Units, times, dates and listed totals as first-class grounding (issue 17, correct answers that
were withheld): a compound unit before a number is the earlier number's ("9.2 t/ha (386.4 t"),
a record's date belongs to all its attributes, number words are read one number at a time
("three four-hour blocks"), a date-time in prose carries its time of day, the time between two
date-times is a duration the data gives, and three or more numbers of one kind listed in a line
add up. Each case also keeps a fabricated variant failing."""
from __future__ import annotations

import json
from typing import Any

from plugins.validate.validators.base import Answer, Subject
from plugins.validate.validators.numbers import NumbersValidator


def verdict(messages: list[dict[str, Any]], answer: str) -> tuple[str, list[str]]:
    r = NumbersValidator().validate(Subject(Answer(answer), {"messages": messages}))
    if r.is_valid:
        return "pass", []
    return ("uncertain" if r.uncertain else "sure"), list(r.details.get("sure") or r.details.get("uncertain") or [])


def tool(data: Any, question: str = "Tell me.") -> list[dict[str, Any]]:
    return [{"role": "user", "content": question},
            {"role": "tool", "tool_call_id": "c1", "content": data if isinstance(data, str) else json.dumps(data)}]


FIELDS = {"fields": [{"field": "North", "area_ha": 42, "harvest_t": 386.4, "moisture_pct": 13.8},
                     {"field": "East", "area_ha": 35, "harvest_t": 301.0, "moisture_pct": 14.6}]}


def test_compound_unit_before_a_number_is_the_earlier_numbers() -> None:
    # "ha" of "9.2 t/ha" named the area key: 386.4 t (North's harvest) was withheld as another attribute
    assert verdict(tool(FIELDS), "North yielded 9.2 t/ha (386.4 t over 42 ha).") == ("pass", [])


def test_compound_unit_does_not_hide_a_wrong_value() -> None:
    assert verdict(tool(FIELDS), "North yielded 9.2 t/ha (391.4 t over 42 ha).")[0] != "pass"


LAB = {"results": [{"test": "creatinine", "value": 1.3, "unit": "mg/dL"}, {"test": "glucose", "value": 112, "unit": "mg/dL"}],
       "previous": {"collected": "2026-08-28", "creatinine": 1.0, "glucose": 104}}


def test_a_records_date_is_the_date_of_its_attributes() -> None:
    answer = "Creatinine rose from 1.0 to 1.3 mg/dL since 2026-08-28, a 30% increase."
    assert verdict(tool(LAB), answer) == ("pass", [])
    assert verdict(tool(LAB), answer.replace("2026-08-28", "2026-08-21"))[0] != "pass"


GRANT = [{"role": "system", "content": "Grant NSF-2291 (PI: Dr. Reyes), period 2025-09-01 to 2028-08-31.\n"
                                       "Spent to date (as of 2026-11-30): personnel $168,420."},
         {"role": "user", "content": "How many days until the grant ends, from 2026-11-30?"}]


def test_date_words_are_no_entity_names() -> None:
    # "end date" named the "Spent to date" line: the grant's end date was withheld
    assert verdict(GRANT, "From 2026-11-30 to the 2028-08-31 end date is 640 days.") == ("pass", [])
    assert verdict(GRANT, "From 2026-11-30 to the 2028-09-30 end date is 670 days.")[0] != "pass"


CC = {"site": "Leeds", "intervals": [{"start": "08:00", "end": "12:00", "offered": 1420}, {"start": "12:00", "end": "16:00", "offered": 1655},
                                     {"start": "16:00", "end": "20:00", "offered": 980}]}


def test_number_words_one_number_at_a_time() -> None:
    # "three four-hour blocks" was read as 7 hours
    answer = "The report runs from 8:00 AM to 8:00 PM in three four-hour blocks: 8 AM-noon, noon-4 PM and 4-8 PM."
    assert verdict(tool(CC), answer) == ("pass", [])
    assert verdict(tool(CC), answer.replace("8:00 PM", "9:00 PM"))[0] != "pass"


INVOICE = [{"role": "user", "content": "INVOICE FRT-88213\nPickup 2026-11-09 08:30; delivered 2026-11-12 14:10\n"
                                       "Pieces: 14 pallets\nHow long was it in transit?"}]


def test_prose_date_time_carries_its_time_and_transit_duration() -> None:
    answer = "Picked up 2026-11-09 at 8:30 AM and delivered 2026-11-12 at 2:10 PM: 77 h 40 min in transit."
    assert verdict(INVOICE, answer) == ("pass", [])
    assert verdict(INVOICE, answer.replace("2:10 PM", "3:10 PM"))[0] != "pass"
    assert verdict(INVOICE, answer.replace("77 h 40 min", "75 h 40 min"))[0] != "pass"


def test_duration_between_two_tool_date_times_across_midnight() -> None:
    data = {"legs": [{"departs": "2026-03-01T22:15:00Z", "arrives": "2026-03-02T06:05:00Z"}]}
    assert verdict(tool(data), "The flight takes 7 hours 50 minutes.") == ("pass", [])
    assert verdict(tool(data), "The flight takes 8 hours 50 minutes.")[0] != "pass"


TIX = [{"role": "user", "content": "Harbour Arena. Capacity 8,200. Sold: floor 1,950 at $145; lower bowl 3,420 at $98; "
                                   "upper bowl 2,210 at $62. Comps: 180. Last stop sold 83.6% of capacity."}]


def test_total_of_items_listed_in_a_line() -> None:
    answer = "7,580 paid tickets is 92.4% of the 8,200 capacity, 8.8 points above the last stop's 83.6%."
    assert verdict(TIX, answer) == ("pass", [])
    assert verdict(TIX, answer.replace("7,580", "7,850").replace("92.4%", "95.7%"))[0] != "pass"


HOURS = [{"role": "system", "content": "Customer-facing support hours: chat 24/7; phone Mon-Fri 8am-6pm ET."},
         {"role": "user", "content": "When can customers reach us?"}]


def test_hour_with_am_pm_and_no_minutes_in_the_data() -> None:
    assert verdict(HOURS, "Phone support runs Monday-Friday, 8am-6pm Eastern.") == ("pass", [])
    assert verdict(HOURS, "Phone support runs Monday-Friday, 9am-6pm Eastern.")[0] != "pass"


MEETING = [{"role": "system", "content": "The user's time zone is Asia/Tokyo (UTC+9, no daylight saving)."},
           {"role": "user", "content": "When is the review in my time?"},
           {"role": "tool", "tool_call_id": "c1", "content": json.dumps(
               {"title": "Q3 Review", "start": "2024-11-05T15:00:00Z", "end": "2024-11-05T16:30:00Z"})}]


def test_utc_instant_in_a_zone_named_in_prose_crosses_midnight() -> None:
    answer = "The review starts at midnight (12:00 AM) on Wednesday, November 6 Tokyo time and runs until 1:30 AM."
    assert verdict(MEETING, answer) == ("pass", [])
    # the offset subtracted instead of added: 6:00 AM on November 5
    assert verdict(MEETING, "The review starts at 6:00 AM on Tuesday, November 5 Tokyo time.")[0] != "pass"


def test_zone_named_in_prose_does_not_shift_local_times() -> None:
    data = {"timezone": "CEST (UTC+2)", "sessions": [{"title": "Lunch", "start": "12:30", "end": "13:45"}]}
    assert verdict(tool(data), "Lunch is from 12:30 to 1:45 PM.") == ("pass", [])
    assert verdict(tool(data), "Lunch is from 12:30 to 3:45 PM.")[0] != "pass"


FLEET = {"month": "2026-10", "vehicles": [{"unit": "T-104", "km": 6840, "litres": 1573.2, "fuel_cost": 2485.66},
                                          {"unit": "V-022", "km": 4410, "litres": 529.2, "fuel_cost": 836.14}]}


def test_fuel_economy_of_a_records_distance_and_litres() -> None:
    assert verdict(tool(FLEET), "T-104 averaged 23.0 L/100 km and the van V-022 12.0 L/100 km.") == ("pass", [])
    assert verdict(tool(FLEET), "T-104 averaged 21.0 L/100 km and the van V-022 12.0 L/100 km.")[0] != "pass"


def test_fuel_economy_of_totals_the_answer_states() -> None:
    answer = "The fleet drove 11,250 km on 2,102.4 L, or 18.7 L/100 km."
    assert verdict(tool(FLEET), answer) == ("pass", [])
    assert verdict(tool(FLEET), answer.replace("18.7", "16.7"))[0] != "pass"


SALES = {"currency": "USD", "unit": "millions", "data": [{"quarter": "2023-Q2", "sales": 1.57}, {"quarter": "2024-Q2", "sales": 1.73}]}


def test_scale_given_by_a_unit_key_and_a_year_after_a_quarter() -> None:
    answer = "Q2 2024 sales were $1.73 million versus $1.57 million in Q2 2023."
    assert verdict(tool(SALES), answer) == ("pass", [])
    assert verdict(tool(SALES), answer.replace("$1.73 million", "$1.83 million"))[0] != "pass"
    assert verdict(tool(SALES), answer.replace("$1.73 million", "$1.73 billion"))[0] != "pass"


UNITS = {"property": "Linden Court", "units": [{"unit": "1A", "tenant": "Morales", "rent": 1450, "status": "occupied"},
                                                {"unit": "1B", "tenant": None, "rent": 1425, "status": "vacant"}]}
RENT = [{"role": "user", "content": "What's the asking rent on 1B?"},
        {"role": "tool", "tool_call_id": "c1", "content": json.dumps(UNITS)},
        {"role": "assistant", "content": "1B is vacant with an asking rent of $1,425."},
        {"role": "user", "content": "We dropped 1B's asking rent by $50 this morning. What's the annual rent from 1B?"}]


def test_value_the_user_corrected_later_is_stale() -> None:
    # before: $1,425 (superseded) and 12 x $1,425 passed
    kind, bad = verdict(RENT, "At $1,425 a month, 1B would bring in $17,100 a year.")
    assert kind == "uncertain" and "$1,425 a month" in bad
    # the other unit's rent is not corrected; the corrected figure itself comes from the user
    assert verdict(RENT, "1A stays at $1,450 a month.") == ("pass", [])


FIELDS_FIX = [{"role": "user", "content": "Give me East's yield."},
              {"role": "tool", "tool_call_id": "c1", "content": json.dumps(
                  {"fields": [{"field": "North", "area_ha": 42, "harvest_t": 386.4}, {"field": "East", "area_ha": 35, "harvest_t": 301.0},
                              {"field": "South", "area_ha": 28, "harvest_t": 179.2}]})},
              {"role": "user", "content": "The co-op re-weighed East's trailers; the corrected East harvest is 315.0 t. The farm total?"}]


def test_column_total_uses_the_correction() -> None:
    assert verdict(FIELDS_FIX, "The farm total is 880.6 t.") == ("pass", [])
    assert verdict(FIELDS_FIX, "The farm total is 866.6 t.")[0] != "pass"  # the first weighing's total
    assert verdict(FIELDS_FIX, "North harvested 386.4 t.") == ("pass", [])  # another record's value stands


CROPS = {"fields": [{"field": "North", "moisture_pct": 13.8, "protein_pct": 12.1}, {"field": "East", "moisture_pct": 14.6, "protein_pct": 11.4}]}
MILES = {"recent": [{"route": "JFK-LAX", "tier_miles": 2475, "award_miles": 4950}, {"route": "LAX-SEA", "tier_miles": 954, "award_miles": 1908}]}


def test_attribute_named_right_after_the_number() -> None:
    assert verdict(tool(CROPS), "North's wheat tested at 13.8% protein.") == ("sure", ["13.8%"])
    assert verdict(tool(CROPS), "North's wheat tested at 12.1% protein and 13.8% moisture.") == ("pass", [])
    assert verdict(tool(MILES), "Your JFK-LAX flight earned 4,950 tier miles.") == ("sure", ["4,950"])
    assert verdict(tool(MILES), "Your JFK-LAX flight earned 4,950 award miles.") == ("pass", [])


def test_words_after_a_share_or_an_adjective_name_no_attribute() -> None:
    mail = {"sent": 48200, "delivered": 47655, "open_rate": 0.2714}
    assert verdict(tool(mail), "27.1% of delivered emails were opened.") == ("pass", [])
    logger = {"interval_min": 15, "readings_c": [5.1, 8.4, 9.1]}
    assert verdict(tool(logger), "Three 15-minute readings were out of range.") == ("pass", [])


TRADES = {"trades": [{"side": "buy", "pair": "BTC/USDC", "qty": 0.015, "price": 68400.0}],
          "closing_prices_usd": {"BTC": 71250.0, "ETH": 3390.0}}


def test_own_attribute_after_the_number_names_no_other_entity() -> None:
    # "price" also labels the closing-prices object: the trade's own price was withheld as another entity's
    assert verdict(tool(TRADES), "The fee was about $1.03 at the $68,400.00 trade price.")[0] != "sure"
    assert verdict(tool(TRADES), "The trade price was $68,900.00.")[0] != "pass"


def test_glued_hours_and_minutes_are_a_duration() -> None:
    data = {"flight": "XA 112", "block_time_min": 430}
    assert verdict(tool(data), "Flight time is 7h10m.") == ("pass", [])
    assert verdict(tool(data), "Flight time is 7h40m.")[0] != "pass"
