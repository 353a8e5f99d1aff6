"""Generate the labelled evaluation set for numeric grounding (cases.jsonl).

Each case is a conversation (system / user / tool messages with the data), an answer, and
the list of numbers in the answer that are fabricated (empty for a grounded answer). The
generator is deliberately adversarial:
- grounded answers restate the data through format variants ($47.15 / 47.15 USD / USD
  47.15 / EUR 47,15 / 1,234 vs 1234 / 4.7k / number words / other date formats / a fraction
  as a percentage / hedged rounding) and derived values (sums, differences, column totals,
  quantity x price, tax at a rate, percent changes, counts of items), and carry non-claims
  (list markers, years in running text, ordinals, numbers the user asked about);
- fabrications are mostly near misses: transposed digits (47.51 for 47.15), an extra or
  missing zero, one cent / one unit off, a wrong rounding, a derived value that is slightly
  wrong, a date one day or one month off, an identifier with one digit changed, plus a few
  gross ones ($127,549 for $47.15).
A fabricated value is checked against every value the scenario defines so a "fabrication"
is never accidentally a true fact.

    python bench/validation_eval/generate.py [--seed 7] [--n 400] [--out bench/validation_eval/cases.jsonl]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


def words(n: int) -> str:
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else "-" + ONES[n % 10])
    if n < 1000:
        return ONES[n // 100] + " hundred" + ("" if n % 100 == 0 else " " + words(n % 100))
    return words(n // 1000) + " thousand" + ("" if n % 1000 == 0 else " " + words(n % 1000))


def q2(x: float) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def us(x: float, dec: int = 2) -> str:
    return f"{x:,.{dec}f}"


def eu(x: float, dec: int = 2) -> str:
    return f"{x:,.{dec}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def money_variant(r: random.Random, v: float, cur: str = "USD") -> str:
    """A correct rendering of an amount, in one of many styles."""
    sym = {"USD": "$", "EUR": "€", "GBP": "£"}[cur]
    styles = ["sym", "sym", "code_after", "code_before", "plain_nocomma", "sym_space"]
    if cur == "EUR":
        styles += ["eu", "eu_code", "eu_after"]
    if v >= 1000:
        styles += ["compact", "hedged"]
    if v == int(v) and v < 100:
        styles += ["words"]
    s = r.choice(styles)
    if s == "sym":
        return f"{sym}{us(v)}"
    if s == "sym_space":
        return f"{sym} {us(v)}"
    if s == "code_after":
        return f"{us(v)} {cur}"
    if s == "code_before":
        return f"{cur} {us(v)}"
    if s == "plain_nocomma":
        return f"{sym}{v:.2f}"
    if s == "eu":
        return f"{eu(v)} €"
    if s == "eu_code":
        return f"EUR {eu(v)}"
    if s == "eu_after":
        return f"{eu(v)} EUR"
    if s == "compact":
        k = Decimal(str(v / 1000)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{sym}{k}k"
    if s == "hedged":
        rounded = int(Decimal(str(v)).quantize(Decimal("1E2"), rounding=ROUND_HALF_UP))
        return f"about {sym}{rounded:,}"
    if s == "words":
        return f"{words(int(v))} dollars" if cur == "USD" else f"{words(int(v))} euros"
    raise AssertionError(s)


def date_variant(r: random.Random, d: dt.date) -> str:
    s = r.choice(["iso", "long", "long_noyear", "dmy", "us_slash", "short", "ordinal"])
    if s == "iso":
        return d.isoformat()
    if s == "long":
        return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
    if s == "long_noyear":
        return f"{MONTHS[d.month - 1]} {d.day}"
    if s == "dmy":
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    if s == "us_slash":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if s == "short":
        return f"{MONTHS[d.month - 1][:3]} {d.day}, {d.year}"
    return f"{MONTHS[d.month - 1]} {d.day}{'th' if 11 <= d.day <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(d.day % 10, 'th')}"


# --------------------------------------------------------------------------------------- fabrications

def near_miss_money(r: random.Random, v: float) -> tuple[float, str]:
    cents = f"{v:.2f}"
    kinds = ["transpose", "extra_zero", "drop_zero", "cent_off", "unit_off", "tens_off", "gross", "transpose_cents", "wrong_round"]
    k = r.choice(kinds)
    if k in ("transpose", "transpose_cents"):
        digits = [c for c in cents]
        idx = [i for i in range(len(digits) - 1) if digits[i].isdigit() and digits[i + 1].isdigit() and digits[i] != digits[i + 1]]
        if k == "transpose_cents":
            idx = [i for i in idx if i > cents.index(".")] or idx
        if idx:
            i = r.choice(idx)
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
            return float("".join(digits)), k
        k = "cent_off"
    if k == "extra_zero":
        return round(v * 10, 2), k
    if k == "drop_zero":
        return round(v / 10, 2), k
    if k == "cent_off":
        return round(v + r.choice([-0.01, 0.01, 0.02, -0.03]), 2), k
    if k == "unit_off":
        return round(v + r.choice([-1, 1, 2]), 2), k
    if k == "tens_off":
        return round(v + r.choice([-10, 10, 100, -100]), 2), k
    if k == "wrong_round":
        return float(q2(v + r.choice([0.1, -0.1, 0.2]))), k
    return round(r.uniform(10, 200_000), 2), "gross"


def fab_date(r: random.Random, d: dt.date) -> tuple[dt.date, str]:
    k = r.choice(["day", "day", "month", "year"])
    if k == "day":
        return d + dt.timedelta(days=r.choice([-1, 1, 2, -2, 7])), "date_day"
    if k == "month":
        m = d.month % 12 + 1
        return d.replace(month=m, day=min(d.day, 28)), "date_month"
    return d.replace(year=d.year + r.choice([-1, 1])), "date_year"


def fab_ident(r: random.Random, s: str) -> tuple[str, str]:
    chars = list(s)
    idx = [i for i, c in enumerate(chars) if c.isdigit()]
    if r.random() < 0.5 and len(idx) >= 2:
        i = r.choice(idx[:-1])
        j = i + 1 if chars[i + 1].isdigit() else i
        if chars[i] != chars[j]:
            chars[i], chars[j] = chars[j], chars[i]
            return "".join(chars), "id_transpose"
    i = r.choice(idx)
    chars[i] = str((int(chars[i]) + r.randint(1, 9)) % 10)
    return "".join(chars), "id_digit"


# --------------------------------------------------------------------------------------- scenarios

def rand_date(r: random.Random) -> dt.date:
    return dt.date(r.choice([2024, 2025, 2026]), r.randint(1, 12), r.randint(1, 28))


def amount(r: random.Random, lo: float = 5, hi: float = 5000) -> float:
    v = round(r.uniform(lo, hi), 2)
    if r.random() < 0.15:
        v = float(int(v))
    return v


class Case:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.parts: list[str] = []
        self.fabricated: list[dict[str, str]] = []
        self.truth: set[str] = set()  # canonical true values (to keep fabrications honest)


def _true_money(case: Case, *vals: float) -> None:
    for v in vals:
        case.truth.add(f"{abs(v):.2f}")


def scenario_bank(r: random.Random, case: Case, fabricate: bool) -> None:
    cur = r.choice(["USD", "USD", "EUR", "GBP"])
    acct = f"ACC-{r.randint(10_000_000, 99_999_999)}"
    bal = amount(r, 20, 20_000)
    n = r.randint(3, 7)
    txs = []
    for i in range(n):
        d = rand_date(r)
        txs.append({"date": d.isoformat(), "description": r.choice(["Grocery", "Rent", "Coffee", "Transfer", "Salary", "Utilities"]), "amount": round(-amount(r, 3, 900), 2)})
    total = round(sum(abs(t["amount"]) for t in txs), 2)
    pending = amount(r, 5, 400)
    tool = {"account_id": acct, "currency": cur, "balance": bal, "pending": pending, "transactions": txs}
    question = r.choice(["What's my current balance and recent spending?", "Can you summarise my account?",
                         f"I think I spent around {r.randint(2, 9)}00 last month; what does the account say?"])
    case.messages = [
        {"role": "system", "content": "You are a banking assistant. Answer only from the tool results."},
        {"role": "user", "content": question},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_account", "arguments": json.dumps({"account_id": acct})}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": json.dumps(tool)},
    ]
    _true_money(case, bal, pending, total, bal - pending, bal + pending, *[t["amount"] for t in txs])
    after = round(bal - pending, 2)
    facts = [
        ("money", bal, "Your balance on account {id} is {v}."),
        ("money", pending, "There is {v} pending."),
        ("money", after, "After the pending charge clears you will have {v}."),
        ("money", total, "Your {n} recent transactions add up to {v}."),
        ("money", abs(txs[0]["amount"]), "The largest recent item, {desc} on {d}, was {v}." if False else "The {desc} payment on {d} was {v}."),
    ]
    if r.random() < 0.5:
        case.parts.append(f"Here is a summary of account {acct}:\n")
        bullets = True
    else:
        bullets = False
    chosen = r.sample(facts, r.randint(2, 4))
    fab_i = r.randrange(len(chosen)) if fabricate else -1
    for k, (kind, v, tmpl) in enumerate(chosen):
        shown_id = acct if not (fabricate and k == fab_i and r.random() < 0.25) else None
        if fabricate and k == fab_i:
            if shown_id is None and "{id}" in tmpl:
                bad, how = fab_ident(r, acct)
                text = tmpl.format(id=bad, v=money_variant(r, v, cur), n=n, desc=txs[0]["description"], d=date_variant(r, dt.date.fromisoformat(txs[0]["date"])))
                case.fabricated.append({"text": bad, "how": how})
            else:
                while True:
                    bv, how = near_miss_money(r, v)
                    if f"{bv:.2f}" not in case.truth and bv > 0:
                        break
                rendered = money_variant(r, bv, cur)
                if rendered.startswith("about") or rendered.endswith("k") or "dollars" in rendered or "euros" in rendered:
                    rendered = f"{ {'USD': '$', 'EUR': '€', 'GBP': '£'}[cur]}{us(bv)}".replace(" ", "")
                text = tmpl.format(id=acct, v=rendered, n=n, desc=txs[0]["description"], d=date_variant(r, dt.date.fromisoformat(txs[0]["date"])))
                case.fabricated.append({"text": rendered, "how": how})
        else:
            text = tmpl.format(id=acct, v=money_variant(r, v, cur), n=words(n) if r.random() < 0.3 else n, desc=txs[0]["description"], d=date_variant(r, dt.date.fromisoformat(txs[0]["date"])))
        case.parts.append((f"{k + 1}. " if bullets else "") + text + ("\n" if bullets else " "))
    if r.random() < 0.3:
        case.parts.append(r.choice(["Let me know if you need anything else since 2019 we have kept records.", "Statements from 2023 are also available.", "Tip 1: set up alerts."]))


def scenario_order(r: random.Random, case: Case, fabricate: bool) -> None:
    order = r.choice(["ORD-", "#", "SO-", ""]) + str(r.randint(100_000, 9_999_999))
    items = []
    for _ in range(r.randint(2, 4)):
        items.append({"sku": f"SKU-{r.randint(1000, 9999)}", "name": r.choice(["Desk lamp", "Cable", "Monitor", "Chair", "Mug", "Keyboard"]), "qty": r.randint(1, 6), "unit_price": amount(r, 3, 400)})
    subtotal = float(sum(q2(i["qty"] * i["unit_price"]) for i in items))
    rate = r.choice([0.05, 0.07, 0.0825, 0.1, 0.19, 0.2])
    tax = float(q2(subtotal * rate))
    ship = r.choice([0.0, 4.99, 9.95, 12.5])
    total = float(q2(subtotal + tax + ship))
    ship_date = rand_date(r)
    tool = {"order_id": order, "items": items, "subtotal": subtotal, "tax_rate": rate, "tax": tax, "shipping": ship, "total": total, "ship_date": ship_date.isoformat(), "status": "shipped"}
    case.messages = [
        {"role": "system", "content": "You are a shop assistant. Use the order data."},
        {"role": "user", "content": f"Where is my order {order}? It was {len(items)} things I think."},
        {"role": "tool", "tool_call_id": "call_9", "content": json.dumps(tool)},
    ]
    _true_money(case, subtotal, tax, ship, total, *[i["unit_price"] for i in items], *[i["qty"] * i["unit_price"] for i in items])
    it = items[0]
    line = float(q2(it["qty"] * it["unit_price"]))
    pct = f"{rate * 100:g}%"
    facts = [
        ("money", total, "Order {id} came to {v} in total."),
        ("money", subtotal, "The items cost {v} before tax."),
        ("money", tax, f"Tax at {pct} was {{v}}."),
        ("money", line, f"{it['qty']} x {it['name']} at {it['unit_price']:.2f} each is {{v}}."),
        ("date", ship_date, "It shipped on {v}."),
    ]
    chosen = r.sample(facts, r.randint(2, 4))
    fab_i = r.randrange(len(chosen)) if fabricate else -1
    for k, (kind, v, tmpl) in enumerate(chosen):
        if k == fab_i:
            if kind == "date":
                bd, how = fab_date(r, v)
                rendered = date_variant(r, bd)
                while bd.day == v.day and bd.month == v.month and "," not in rendered and "/" not in rendered and "-" not in rendered and not rendered[0].isdigit():
                    rendered = date_variant(r, bd)  # a year-only change needs a rendering with the year
                case.fabricated.append({"text": rendered, "how": how})
            elif r.random() < 0.2:
                bad, how = fab_ident(r, order)
                case.parts.append(f"Order {bad} is on its way. ")
                case.fabricated.append({"text": bad, "how": how})
                rendered = money_variant(r, v)
            else:
                while True:
                    bv, how = near_miss_money(r, v)
                    if f"{bv:.2f}" not in case.truth and bv > 0:
                        break
                rendered = f"${us(bv)}" if r.random() < 0.6 else f"{us(bv)} USD"
                case.fabricated.append({"text": rendered, "how": how})
        else:
            rendered = date_variant(r, v) if kind == "date" else money_variant(r, v)
        case.parts.append(tmpl.format(id=order, v=rendered) + " ")


def scenario_metrics(r: random.Random, case: Case, fabricate: bool) -> None:
    prev = r.randint(1_200, 90_000)
    growth = r.uniform(-0.3, 0.6)
    cur = int(prev * (1 + growth))
    churn = round(r.uniform(0.01, 0.2), 4)
    arpu = amount(r, 5, 80)
    text = (f"Monthly report. Active users last month: {prev:,}. Active users this month: {cur:,}. "
            f"Churn rate: {churn}. ARPU: ${arpu:.2f}. Support tickets: {r.randint(11, 400)}.")
    case.messages = [
        {"role": "system", "content": "Summarise the report for the user. " + text},
        {"role": "user", "content": "How did we do this month?"},
    ]
    change = (cur - prev) / prev * 100
    case.truth |= {str(prev), str(cur)}
    facts = []
    facts.append(("count", cur, "We had {v} active users"))
    facts.append(("count", prev, "compared with {v} last month"))
    facts.append(("pct", change, "a change of {v}"))
    facts.append(("pct", churn * 100, "churn was {v}"))
    facts.append(("money", arpu, "ARPU stood at {v}"))
    chosen = r.sample(facts, r.randint(2, 4))
    fab_i = r.randrange(len(chosen)) if fabricate else -1
    out = []
    for k, (kind, v, tmpl) in enumerate(chosen):
        if kind == "count":
            if k == fab_i:
                bv = r.choice([v + 1, v - 1, v * 10, int(str(v)[::-1]) if str(v)[::-1] != str(v) else v + 100, v + 1000])
                rendered = f"{bv:,}"
                case.fabricated.append({"text": rendered, "how": "count"})
            else:
                rendered = r.choice([f"{v:,}", f"{v}", f"{Decimal(v / 1000).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}k", f"about {int(Decimal(v).quantize(Decimal('1E2'), rounding=ROUND_HALF_UP)):,}"])
        elif kind == "pct":
            if k == fab_i:
                bv = abs(v) + r.choice([1.0, -1.0, 2.5, 5.0, 10.0]) if abs(v) > 11 else abs(v) + r.choice([1.0, 2.5, 5.0])
                rendered = f"{bv:.1f}%"
                case.fabricated.append({"text": rendered, "how": "percent"})
            else:
                rendered = r.choice([f"{abs(v):.1f}%", f"{abs(v):.1f} percent", f"{abs(v):.0f}%"])
        else:
            if k == fab_i:
                bv, how = near_miss_money(r, v)
                rendered = f"${bv:.2f}"
                case.fabricated.append({"text": rendered, "how": how})
            else:
                rendered = money_variant(r, v)
        out.append(tmpl.format(v=rendered))
    case.parts.append(", ".join(out) + ".")


def scenario_subscription(r: random.Random, case: Case, fabricate: bool) -> None:
    price = r.choice([9.99, 14.99, 19.0, 29.0, 49.99, 99.0, 119.88])
    disc = r.choice([10, 15, 20, 25, 30])
    renew = rand_date(r)
    seats = r.randint(11, 250)
    sub = f"SUB-{r.randint(1000, 99999)}-{r.choice(['A', 'B', 'X'])}"
    sys = (f"Customer subscription {sub}: plan Pro, {seats} seats, list price ${price} per seat per month, "
           f"loyalty discount {disc}%, renews on {renew.strftime('%d %B %Y')}.")
    case.messages = [{"role": "system", "content": sys}, {"role": "user", "content": "When do I renew and what will I pay?"}]
    discounted = float(q2(price * (1 - disc / 100)))
    monthly = float(q2(discounted * seats))
    _true_money(case, price, discounted, monthly)
    facts = [
        ("date", renew, "Your plan renews on {v}."),
        ("money", discounted, f"With your {disc}% discount each seat costs {{v}}."),
        ("count", seats, "You have {v} seats."),
        ("money", float(q2(price * seats)), "At list price that would be {v} a month."),
        ("money", float(q2(price * disc / 100)), "The discount saves {v} per seat."),
    ]
    chosen = r.sample(facts, r.randint(2, 3))
    fab_i = r.randrange(len(chosen)) if fabricate else -1
    for k, (kind, v, tmpl) in enumerate(chosen):
        if k == fab_i:
            if kind == "date":
                bd, how = fab_date(r, v)
                rendered = r.choice([bd.isoformat(), f"{MONTHS[bd.month - 1]} {bd.day}, {bd.year}"])
                case.fabricated.append({"text": rendered, "how": how})
            elif kind == "count":
                bv = v + r.choice([1, -1, 10, 5])
                rendered = str(bv)
                case.fabricated.append({"text": rendered, "how": "count"})
            else:
                while True:
                    bv, how = near_miss_money(r, v)
                    if f"{bv:.2f}" not in case.truth and bv > 0:
                        break
                rendered = f"${us(bv)}"
                case.fabricated.append({"text": rendered, "how": how})
        else:
            rendered = date_variant(r, v) if kind == "date" else str(v) if kind == "count" else money_variant(r, v)
        case.parts.append(tmpl.format(v=rendered) + " ")


def scenario_invoice(r: random.Random, case: Case, fabricate: bool) -> None:
    """German plain-text invoice (EU number format), English answer; up to three fabrications."""
    inv = f"INV-{r.choice([2024, 2025])}-{r.randint(1, 9999):04d}"
    net = amount(r, 80, 40_000)
    vat_rate = r.choice([7, 19])
    vat = float(q2(net * vat_rate / 100))
    gross = float(q2(net + vat))
    issued = rand_date(r)
    due = issued + dt.timedelta(days=r.choice([14, 30]))
    text = (f"Rechnung {inv} vom {issued.day:02d}.{issued.month:02d}.{issued.year}\n"
            f"Nettobetrag: {eu(net)} EUR\nMwSt {vat_rate} %: {eu(vat)} EUR\nGesamtbetrag: {eu(gross)} EUR\n"
            f"Zahlbar bis {due.day:02d}.{due.month:02d}.{due.year}. Skonto 2 % bei Zahlung innerhalb von 10 Tagen.")
    case.messages = [
        {"role": "system", "content": "Answer in English. The customer's invoice:\n" + text},
        {"role": "user", "content": "How much do I owe and by when?"},
    ]
    _true_money(case, net, vat, gross)
    parts = [
        ("ident", inv, "Invoice {v}"),
        ("money", gross, "comes to {v} in total"),
        ("money", net, "({v} net"),
        ("money", vat, "plus {v} VAT at " + str(vat_rate) + "%)"),
        ("date", due, "and is due on {v}."),
    ]
    nfab = r.choice([1, 1, 2, 3]) if fabricate else 0
    fab_idx = set(r.sample(range(len(parts)), nfab))
    out = []
    for k, (kind, v, tmpl) in enumerate(parts):
        if k in fab_idx:
            if kind == "ident":
                bad, how = fab_ident(r, v)
                rendered = bad
            elif kind == "date":
                bd, how = fab_date(r, v)
                rendered = r.choice([f"{MONTHS[bd.month - 1]} {bd.day}, {bd.year}", bd.isoformat(), f"{bd.day} {MONTHS[bd.month - 1]} {bd.year}"])
            else:
                while True:
                    bv, how = near_miss_money(r, v)
                    if f"{bv:.2f}" not in case.truth and bv > 0:
                        break
                rendered = r.choice([f"€{us(bv)}", f"{us(bv)} EUR", f"EUR {eu(bv)}"])
            case.fabricated.append({"text": rendered, "how": how})
        else:
            rendered = v if kind == "ident" else date_variant(r, v) if kind == "date" else money_variant(r, v, "EUR")
        out.append(tmpl.format(v=rendered))
    case.parts.append(" ".join(out))
    if r.random() < 0.4:
        disc = float(q2(gross * 0.98))
        case.parts.append(f" If you pay within 10 days you get a 2% discount and pay {money_variant(r, disc, 'EUR')}.")


def scenario_travel(r: random.Random, case: Case, fabricate: bool) -> None:
    """Flights: times, flight numbers, weekday dates, fares with taxes, a booking reference."""
    d = rand_date(r)
    dep_h, dep_m = r.randint(5, 21), r.choice([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55])
    dur = r.randint(55, 600)
    arr = dt.datetime(d.year, d.month, d.day, dep_h, dep_m) + dt.timedelta(minutes=dur)
    flight = f"{r.choice(['LH', 'BA', 'AF', 'UA', 'KL'])}{r.randint(100, 9999)}"
    fare = amount(r, 60, 2500)
    taxes = amount(r, 20, 300)
    total = float(q2(fare + taxes))
    pnr = "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(3)) + str(r.randint(100, 999))
    tool = {"booking": pnr, "segments": [{"flight": flight, "date": d.isoformat(), "departure": f"{dep_h:02d}:{dep_m:02d}",
                                           "arrival": arr.strftime("%H:%M"), "duration_min": dur}],
            "fare": fare, "taxes": taxes, "total": total, "currency": "USD", "bags": r.randint(0, 2)}
    case.messages = [
        {"role": "system", "content": "You are a travel assistant."},
        {"role": "user", "content": f"Details of booking {pnr} please"},
        {"role": "tool", "content": json.dumps(tool)},
    ]
    _true_money(case, fare, taxes, total)
    wd = d.strftime("%A")
    facts = [
        ("ident", flight, "Flight {v}"),
        ("date", d, f"leaves on {wd}, {{v}}"),
        ("time", f"{dep_h:02d}:{dep_m:02d}", "at {v}"),
        ("time", arr.strftime("%H:%M"), "and lands at {v}."),
        ("money", total, "The total price is {v}"),
        ("money", fare, "({v} fare"),
        ("money", taxes, "plus {v} in taxes)."),
        ("ident", pnr, "Your booking reference is {v}."),
    ]
    nfab = r.choice([1, 1, 2]) if fabricate else 0
    fab_idx = set(r.sample(range(len(facts)), nfab))
    out = []
    for k, (kind, v, tmpl) in enumerate(facts):
        if k in fab_idx:
            if kind == "ident":
                rendered, how = fab_ident(r, v)
            elif kind == "date":
                bd, how = fab_date(r, v)
                rendered = f"{MONTHS[bd.month - 1]} {bd.day}, {bd.year}"
            elif kind == "time":
                hh, mm = int(v[:2]), int(v[3:])
                mm2 = (mm + r.choice([5, 10, 30])) % 60
                rendered, how = f"{(hh + (1 if r.random() < 0.3 else 0)) % 24:02d}:{mm2:02d}", "time"
            else:
                while True:
                    bv, how = near_miss_money(r, v)
                    if f"{bv:.2f}" not in case.truth and bv > 0:
                        break
                rendered = f"${us(bv)}"
            case.fabricated.append({"text": rendered, "how": how})
        else:
            if kind == "date":
                rendered = r.choice([f"{MONTHS[v.month - 1]} {v.day}", f"{v.day} {MONTHS[v.month - 1][:3]} {v.year}", v.isoformat()])
            elif kind == "time":
                hh, mm = int(v[:2]), int(v[3:])
                rendered = r.choice([v, f"{(hh - 1) % 12 + 1}:{mm:02d} {'AM' if hh < 12 else 'PM'}"]) if False else v
            elif kind == "money":
                rendered = money_variant(r, v)
            else:
                rendered = v
        out.append(tmpl.format(v=rendered))
    case.parts.append(" ".join(out))


def scenario_totals(r: random.Random, case: Case, fabricate: bool) -> None:
    """Expense reports: totals and averages of a list. The fabrication is a wrong total (an item
    left out, or two digits swapped), the classic way a model gets arithmetic wrong."""
    n = r.randint(3, 6)
    items = [{"merchant": r.choice(["Hotel", "Taxi", "Lunch", "Train", "Parking", "Books"]), "amount": amount(r, 8, 600)} for _ in range(n)]
    total = float(q2(sum(i["amount"] for i in items)))
    avg = float(q2(total / n))
    case.messages = [
        {"role": "system", "content": "You summarise expense reports."},
        {"role": "user", "content": "What did I spend on this trip?"},
        {"role": "tool", "content": json.dumps({"report": f"EXP-{r.randint(10000, 99999)}", "items": items})},
    ]
    _true_money(case, total, avg, *[i["amount"] for i in items])
    big = max(items, key=lambda i: i["amount"])
    claims = [f"The largest was {big['merchant']} at {money_variant(r, big['amount'])}."]
    if fabricate:
        how = r.choice(["omit_item", "omit_item", "transpose"])
        if how == "omit_item":
            drop = r.randrange(n)
            bv = float(q2(total - items[drop]["amount"]))
        else:
            bv, _ = near_miss_money(r, total)
        if f"{bv:.2f}" in case.truth:
            bv = float(q2(total + 1.1))
        rendered = f"${us(bv)}"
        case.fabricated.append({"text": rendered, "how": "wrong_total_" + how})
        claims.insert(0, f"You spent {rendered} across {n} expenses.")
    else:
        claims.insert(0, f"You spent {money_variant(r, total)} across {n} expenses, about {money_variant(r, avg)} each on average.")
    case.parts.append(" ".join(claims))


SCENARIOS = [scenario_bank, scenario_order, scenario_metrics, scenario_subscription, scenario_invoice, scenario_travel, scenario_totals]


def make(seed: int, n: int) -> list[dict[str, Any]]:
    r = random.Random(seed)
    out = []
    for i in range(n):
        fabricate = r.random() < 0.5
        case = Case()
        sc = SCENARIOS[i % len(SCENARIOS)]
        sc(r, case, fabricate)
        out.append({
            "id": f"{sc.__name__.removeprefix('scenario_')}-{i:04d}",
            "scenario": sc.__name__.removeprefix("scenario_"),
            "messages": case.messages,
            "answer": "".join(case.parts).strip(),
            "fabricated": case.fabricated,
        })
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--n", type=int, default=700)
    ap.add_argument("--out", default=str(Path(__file__).with_name("cases.jsonl")))
    a = ap.parse_args()
    cases = make(a.seed, a.n)
    with open(a.out, "w") as f:
        for c in cases:
            f.write(json.dumps(c) + "\n")
    fab = sum(len(c["fabricated"]) for c in cases)
    print(f"wrote {len(cases)} cases ({sum(1 for c in cases if not c['fabricated'])} grounded, {fab} fabricated numbers) to {a.out}")


if __name__ == "__main__":
    main()
