"""Binding a claimed number to its entity, its attribute and its sign.

A number that the data states for a *sibling* (another ticker's return, the repo's forks stated
as its stars, a loss stated as a profit) is found by a value lookup; it must still fail, and the
engine must be sure of it (the shipped config withholds it). The shapes are the structure of the
data, not its words: JSON keys, markdown table rows and header columns, "Label: value" lines,
section headings, sentences that name their subject. When the answer's subject cannot be told
(no name, or a name the data gives to no single entity), the claim passes or stays uncertain.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from plugins.validate.validators.base import Answer, Subject
from plugins.validate.validators.numbers import NumbersValidator
from tests.helpers import openai_client
from tests.test_validate_shipped import review, shipped  # noqa: F401  (the shipped proxy.toml fixture)


def verdict(data: Any, answer: str) -> tuple[str, list[str]]:
    msgs = [{"role": "user", "content": "Tell me."},
            {"role": "tool", "tool_call_id": "c1", "content": data if isinstance(data, str) else json.dumps(data)}]
    r = NumbersValidator().validate(Subject(Answer(answer), {"messages": msgs}))
    if r.is_valid:
        return "pass", []
    return ("uncertain" if r.uncertain else "sure"), list(r.details.get("sure") or r.details.get("uncertain") or [])


HOLDINGS = {"holdings": [{"ticker": "AAPL", "return_pct": 12.4}, {"ticker": "VTI", "return_pct": 8.1}]}
REPO = {"full_name": "acme/widget", "stargazers_count": 5100, "forks_count": 3200, "open_issues_count": 87}
TABLE = "| Ticker | Return | Price |\n|---|---|---|\n| AAPL | 12.4% | $189.20 |\n| VTI | 8.1% | $245.10 |"
REPO_TABLE = "| Repo | Stars | Forks |\n|---|---|---|\n| widget | 5,100 | 3,200 |\n| gadget | 870 | 120 |"
LINES = "AAPL: 12.4%\nVTI: 8.1%\nBND: -1.2%"
ATTR_LINES = "Repository acme/widget\nStars: 5,100\nForks: 3,200\nOpen issues: 87"
SECTIONS = "Checking account:\n  Balance: $4,812.40\n  Pending: $120.00\nSavings account:\n  Balance: $12,300.00\n  Pending: $0.00"
PROSE = "AAPL returned 12.4% over the year. VTI returned 8.1% over the year. BND lost 1.2%."
SCALARS = {"returns_pct": {"AAPL": 12.4, "VTI": 8.1}}
MONTHLY = {"system_kw": 8.4, "monthly_kwh": {"May": 1168, "Jun": 1187, "Jul": 1201, "Aug": 1105}}
STANDINGS = "Table: Ashby have 47 points from 22 games. Bexley have 45 points from 22 games. Crane have 43 points from 21 games."
QUARTERS = {"quarters": [{"q": "Q2", "revenue": 18100000}, {"q": "Q3", "revenue": 18400000}], "currency": "USD"}
CAMPAIGNS = {"campaigns": ["Search", "Retargeting", "Display"], "ctr": [0.031, 0.052, 0.004], "clicks": [3100, 2600, 800]}
ROWS = {"columns": ["ticker", "return_pct"], "rows": [["AAPL", 12.4], ["VTI", 8.1]]}
CSV = "ticker,return_pct\nAAPL,12.4\nVTI,8.1"
LEAD_TIMES = {"sku_lead_times_days": {"BX-100": 14, "BX-200": 21}}
MONTH_TABLE = "| Month | Units | Revenue |\n|---|---|---|\n| Jan | 1,200 | $24,000 |\n| Feb | 1,350 | $27,000 |"

# (data, answer, the claim that must be reported as sure)
WRONG = [
    (HOLDINGS, "VTI returned 12.4% this year.", "12.4%"),
    (SCALARS, "VTI returned 12.4% this year.", "12.4%"),
    (REPO, "acme/widget has 3,200 stars on GitHub.", "3,200"),
    (REPO, "The repository has 5,100 forks.", "5,100"),
    (TABLE, "VTI returned 12.4% this year.", "12.4%"),
    (TABLE, "AAPL trades at $245.10.", "$245.10"),
    (REPO_TABLE, "widget has 3,200 stars.", "3,200"),
    (REPO_TABLE, "gadget has 5,100 stars.", "5,100"),
    (LINES, "VTI returned 12.4% this year.", "12.4%"),
    (ATTR_LINES, "The repo has 3,200 stars.", "3,200"),
    (SECTIONS, "Your checking balance is $12,300.00.", "$12,300.00"),
    (PROSE, "VTI returned 12.4% this year.", "12.4%"),
    (MONTHLY, "The best month was June (1,201 kWh).", "1,201 kWh"),
    (STANDINGS, "Bexley have 47 points.", "47"),
    (MONTH_TABLE, "February sold 1,200 units.", "1,200"),
    # parallel arrays: item i of each list of numbers is name i's
    (CAMPAIGNS, "Search had a CTR of 5.2%.", "5.2%"),
    (CAMPAIGNS, "Search drew 2,600 clicks.", "2,600"),
    ({"tickers": ["AAPL", "VTI"], "returns_pct": [12.4, 8.1]}, "VTI returned 12.4% this year.", "12.4%"),
    # rows given as arrays under a header, and CSV lines under theirs
    (ROWS, "VTI returned 12.4% this year.", "12.4%"),
    (CSV, "VTI returned 12.4% this year.", "12.4%"),
    # keys that are names or ids, the claim a few words from the name
    (LEAD_TIMES, "BX-100 has a lead time of 21 days.", "21 days"),
    (MONTHLY, "In July, the system produced 1,187 kWh.", "1,187 kWh"),
]

RIGHT = [
    (HOLDINGS, "VTI returned 8.1% and AAPL returned 12.4% this year."),
    (SCALARS, "VTI returned 8.1% and AAPL 12.4% this year."),
    (REPO, "acme/widget has 5,100 stars and 3,200 forks, with 87 open issues."),
    (TABLE, "VTI returned 8.1% this year and trades at $245.10; AAPL returned 12.4%."),
    (REPO_TABLE, "widget has 5,100 stars and 3,200 forks; gadget has 870 stars."),
    (LINES, "VTI returned 8.1% and AAPL 12.4%."),
    (ATTR_LINES, "The repo has 5,100 stars and 3,200 forks."),
    (SECTIONS, "Your checking balance is $4,812.40 and savings hold $12,300.00."),
    (PROSE, "VTI returned 8.1% this year, AAPL 12.4%."),
    (MONTHLY, "June produced 1,187 kWh; July produced 1,201 kWh."),
    (STANDINGS, "Ashby lead with 47 points, two ahead of Bexley on 45; Crane have 43 from 21 games."),
    (MONTH_TABLE, "Sales peaked in February at 1,350 units, up from 1,200 in January."),
    (CAMPAIGNS, "Search had a CTR of 3.1% and Retargeting 5.2%, with 2,600 clicks; 6,500 clicks in all."),
    ({"tickers": ["AAPL", "VTI"], "returns_pct": [12.4, 8.1]}, "VTI returned 8.1% and AAPL 12.4%."),
    (LEAD_TIMES, "BX-100 has a lead time of 14 days and BX-200 21 days."),
    (ROWS, "VTI returned 8.1% and AAPL 12.4%."),
    (CSV, "VTI returned 8.1% and AAPL 12.4%."),
    (MONTHLY, "July's 1,201 kWh beat June's 1,187 kWh."),
    ({"company": "Acme", "fy2024": {"revenue": 18400000, "net_income": -1210000}, "currency": "USD"},
     "Acme posted a net loss of $1,210,000 in FY2024 on $18,400,000 of revenue."),
    # lower-case attribute keys named far from the claim bind nothing (a derived value may coincide)
    ({"revenue": 100.0, "cost": 60.0, "profit": 40.0}, "Revenue was $100.00, so after the cost the margin left is $40.00."),
    # a sentence that names two entities may state either's number
    (HOLDINGS, "AAPL beat VTI, returning 12.4% versus 8.1%."),
    (TABLE, "AAPL beat VTI, returning 12.4% versus 8.1%."),
    # the other side of a comparison is another period's number
    (QUARTERS, "In Q3, revenue rose to $18,400,000 from $18,100,000."),
    # a noun that is a synonym of the fact's own key ("units" for qty) is no other attribute
    ({"lines": [{"sku": "A-1", "qty": 3, "unit_price": 2.5}]}, "You ordered 3 units at $2.50 each."),
]

# the subject cannot be told: never sure
AMBIGUOUS = [
    (HOLDINGS, "One of your funds returned 12.4% this year."),
    (LINES, "Your best holding returned 12.4%."),
    (REPO, "That is 3,200 in total."),
    (PROSE, "The fund returned 12.4% this year."),
    (SECTIONS, "One of the balances is $12,300.00."),
    # a noun that names two other keys binds to neither ("points": service points or points won?)
    ({"player": "M. Kowalski", "first_serves_in": 62, "service_points": 94, "first_serve_points_won": 48},
     "Kowalski landed 62 of 94 first serves and won 48 of those 62 points."),
]


@pytest.mark.parametrize("data,answer,claim", WRONG)
def test_another_entitys_or_attributes_number_is_a_sure_failure(data: Any, answer: str, claim: str) -> None:
    got, claims = verdict(data, answer)
    assert got == "sure" and claim in claims, (got, claims)


@pytest.mark.parametrize("data,answer", RIGHT)
def test_the_right_entitys_number_passes(data: Any, answer: str) -> None:
    assert verdict(data, answer)[0] == "pass"


@pytest.mark.parametrize("data,answer", AMBIGUOUS)
def test_an_answer_whose_subject_cannot_be_told_is_never_sure(data: Any, answer: str) -> None:
    assert verdict(data, answer)[0] != "sure"


# -- sign and direction ----------------------------------------------------------------------------------
PNL = {"quarter": "Q3", "currency": "USD", "net_income": -2300000, "revenue": 18400000}
MOVE = {"ticker": "VTI", "change_pct": -4.0, "close": 245.1}
VISITS = {"metric": "monthly_visitors", "change": -1200, "current": 10800}

SIGN_WRONG = [
    (PNL, "Q3 ended with a net profit of $2,300,000 on $18,400,000 of revenue.", "$2,300,000"),
    (MOVE, "VTI is up 4% today, closing at $245.10.", "4%"),
    (VISITS, "Monthly visitors increased by 1,200 to 10,800.", "1,200"),
    ("Revenue change: -4%", "Revenue grew 4% this quarter.", "4%"),
    ("Revenue fell 4% to $2.1M in Q3, while costs rose 2% to $1.9M.", "Revenue rose 4% in Q3.", "4%"),
    ("Revenue fell 4% to $2.1M in Q3, while costs rose 2% to $1.9M.", "Costs fell 2% in Q3.", "2%"),
    ({"fy": 2024, "currency": "USD", "net_loss": 2300000}, "FY2024 closed with a profit of $2,300,000.", "$2,300,000"),
    ({"fy": 2024, "currency": "USD", "operating_profit": -750000}, "The operating profit rose to $750,000.", "$750,000"),
    ({"company": "Acme", "fy2024": {"revenue": 18400000, "net_income": -1210000}, "currency": "USD"},
     "Acme made a net profit of $1,210,000 in FY2024.", "$1,210,000"),
    ({"ticker": "VTI", "day_change": -0.032}, "VTI was up 3.2% today.", "3.2%"),
    # the answer's own two levels go the other way from its verb
    ({"metric": "visitors", "y2023": 12000, "y2024": 10800}, "Visitors increased from 12,000 to 10,800.", "10,800"),
    ({"sku": "A-1", "price_2023": 12000.0, "price_2024": 10800.0}, "The price rose from $12,000.00 to $10,800.00 a unit.",
     "$10,800.00"),
]
SIGN_RIGHT = [
    (PNL, "Q3 ended with a net loss of $2,300,000 on $18,400,000 of revenue."),
    (MOVE, "VTI is down 4% today, closing at $245.10."),
    (MOVE, "VTI changed -4% today."),
    (VISITS, "Monthly visitors fell by 1,200 to 10,800."),
    ("Revenue change: -4%", "Revenue fell 4% this quarter."),
    ("Revenue fell 4% to $2.1M in Q3, while costs rose 2% to $1.9M.", "Q3 revenue was $2.1M, down 4%; costs were $1.9M, up 2%."),
    ({"metric": "visitors", "y2023": 12000, "y2024": 10800}, "Visitors fell from 12,000 to 10,800, a 10% drop."),
    ({"metric": "visitors", "y2023": 10800, "y2024": 12000}, "Visitors grew from 10,800 to 12,000."),
    ({"fy": 2024, "currency": "USD", "net_loss": 2300000}, "FY2024 closed with a net loss of $2,300,000."),
    # a negative amount is a debit, not a decrease: "up" about it compares it with something else
    ({"transactions": [{"description": "Rent", "amount": -900.0}, {"description": "Payroll", "amount": 1850.0}]},
     "Rent was $900.00, up from last month, and payroll brought in $1,850.00."),
]


@pytest.mark.parametrize("data,answer,claim", SIGN_WRONG)
def test_a_number_stated_with_the_opposite_sign_is_a_sure_failure(data: Any, answer: str, claim: str) -> None:
    got, claims = verdict(data, answer)
    assert got == "sure" and claim in claims, (got, claims)


@pytest.mark.parametrize("data,answer", SIGN_RIGHT)
def test_a_number_stated_with_its_own_sign_passes(data: Any, answer: str) -> None:
    assert verdict(data, answer)[0] == "pass"


# -- through the shipped proxy.toml chain, with the official SDK -----------------------------------------
REPO_CHAT = [
    {"role": "system", "content": "You are a GitHub assistant. Use only the tool data."},
    {"role": "user", "content": "How popular is acme/widget?"},
    {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
        "name": "get_repo", "arguments": "{\"repo\": \"acme/widget\"}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": json.dumps(REPO)},
]


@pytest.mark.parametrize("stream", [False, True])
async def test_shipped_chain_withholds_a_siblings_number(shipped: Any, sim: Any, stream: bool) -> None:  # noqa: F811
    """The forks count stated as the stars count: found in the data by value, bound to the other
    key. The shipped config regenerates, then withholds it (a sure failure), and queues a review."""
    sim.script("popular is", [{"content": "acme/widget is popular: it has 3,200 stars on GitHub."}])
    client = openai_client(shipped.url, key="sk-trusted")
    if stream:
        s = await client.chat.completions.create(model="gpt-4o-mini", messages=REPO_CHAT, stream=True)
        text = "".join([c.choices[0].delta.content or "" async for c in s if c.choices])
    else:
        r = await client.chat.completions.create(model="gpt-4o-mini", messages=REPO_CHAT)
        text = r.choices[0].message.content or ""
    assert "3,200" not in text and text
    recs = await review(shipped)
    assert recs and any("3,200" in i for i in recs[-1]["issues"])


async def test_shipped_chain_delivers_the_right_attribute(shipped: Any, sim: Any) -> None:  # noqa: F811
    sim.script("popular is", [{"content": "acme/widget has 5,100 stars and 3,200 forks."}])
    client = openai_client(shipped.url, key="sk-trusted")
    r = await client.chat.completions.create(model="gpt-4o-mini", messages=REPO_CHAT)
    assert r.choices[0].message.content == "acme/widget has 5,100 stars and 3,200 forks."
