"""Products and fees: what needs what (ONTIME-PROD-2) and the yearly fees (ONTIME-PROD-1).

A contract's ``list_price`` is the whole contract's list price in whole currency units; for a
licence that is the licence list price the maintenance and technical-support fees come from.
"""

from __future__ import annotations

from datetime import date, timedelta

from workbench.model import Contract, Finding, Quote, QuoteLine
from workbench_ontime.program import LICENSE, MAINTENANCE, TECHNICAL_SUPPORT, VENDOR

TITLES = {LICENSE: "licence", MAINTENANCE: "maintenance", TECHNICAL_SUPPORT: "technical support"}
BASE = {MAINTENANCE: LICENSE, TECHNICAL_SUPPORT: MAINTENANCE}
"""The product each add-on needs active beside it (ONTIME-PROD-2)."""
FEE_PERCENT = {MAINTENANCE: 20, TECHNICAL_SUPPORT: 15}
"""Yearly fee as a share of the current licence list price (ONTIME-PROD-1)."""


def rounding(currency: str) -> str:
    """How fees are rounded, in words (the same words on every quote line)."""
    unit = "yen" if currency == "JPY" else f"{currency} units"
    return f"rounded down to whole {unit}"


def yearly_fee(product: str, licence: Contract) -> int:
    """The yearly fee of ``product`` for ``licence``: a whole percentage of its list price,
    rounded down (integer arithmetic, so never a fraction of a yen)."""
    return licence.list_price * FEE_PERCENT[product] // 100


def fee_text(product: str, licence: Contract) -> str:
    """``240,000 JPY a year (20 % of licence K-1's list price 1,200,000 JPY, rounded down …)``."""
    return (f"{yearly_fee(product, licence):,} {licence.currency} a year ({FEE_PERCENT[product]} % of "
            f"licence {licence.id}'s list price {licence.list_price:,} {licence.currency}, "
            f"{rounding(licence.currency)})")


def active(desk, customer_id: str, product: str, day: date) -> list[Contract]:
    """The customer's OnTime contracts of ``product`` active on ``day``."""
    return [c for c in desk.active_contracts(customer_id, VENDOR, on=day) if c.product == product]


def has_technical_support(desk, customer_id: str, day: date) -> bool:
    """Technical support counts only beside active maintenance (ONTIME-PROD-2)."""
    return bool(active(desk, customer_id, TECHNICAL_SUPPORT, day)) and bool(
        active(desk, customer_id, MAINTENANCE, day)
    )


def covered_until(bases: list[Contract], day: date) -> date | None:
    """The last day of unbroken coverage by ``bases`` from ``day`` on (the day before ``day``
    when it is not covered); ``None`` when the coverage is open-ended."""
    until = day - timedelta(days=1)
    while True:
        covering = [b for b in bases if b.active_on(until + timedelta(days=1))]
        if not covering:
            return until
        if any(b.end is None for b in covering):
            return None
        until = max(b.end for b in covering)


def check_contract(contract: Contract, desk) -> list[Finding]:
    """ONTIME-PROD-2 on a new contract (an error refuses it) and on a stored one (flagged)."""
    base = BASE.get(contract.product)
    if base is None:
        return []
    name, base_name = TITLES[contract.product], TITLES[base]
    bases = [c for c in desk.contracts(contract.customer_id, VENDOR)
             if c.product == base and c.id != contract.id]
    until = covered_until(bases, contract.start)
    if until is not None and until < contract.start:
        return [Finding("error", "ONTIME-PROD-2",
                        f"{name} from {contract.start} needs an active {base_name} on that date, "
                        f"and the customer has none: {name} is an add-on to {base_name}", "product")]
    if until is None or (contract.end is not None and contract.end <= until):
        return []
    today = desk.today()
    if contract.active_on(today) and today > until:
        return [Finding("error", "ONTIME-PROD-2",
                        f"{name} is active today but its {base_name} ended on {until}: {name} cannot "
                        f"be active without active {base_name}", "product")]
    ends = f"ends on {contract.end}" if contract.end else "is open-ended"
    return [Finding("warning", "ONTIME-PROD-2",
                    f"{base_name} runs only until {until} while this {name} {ends}: renew "
                    f"{base_name} to keep {name} active", "end")]


def quote(contract: Contract, desk) -> Quote:
    """Yearly fees from the licence list price (ONTIME-PROD-1).

    A licence's quote shows both add-on fees; a maintenance or technical-support contract's
    shows its own fee for each licence active on its start.
    """
    if contract.product == LICENSE:
        licences, products = [contract], [MAINTENANCE, TECHNICAL_SUPPORT]
    else:
        licences, products = active(desk, contract.customer_id, LICENSE, contract.start), [contract.product]
    lines = [
        QuoteLine(
            item=f"{TITLES[product]}, yearly ({licence.id})",
            amount=yearly_fee(product, licence),
            currency=licence.currency,
            rule="ONTIME-PROD-1",
            reason=f"{FEE_PERCENT[product]} % of licence {licence.id}'s list price "
            f"{licence.list_price:,} {licence.currency}, {rounding(licence.currency)}",
        )
        for licence in licences
        for product in products
    ]
    notes = ["Yearly fees: a percentage of the current licence list price (maintenance 20 %, "
             "technical support 15 % and only with active maintenance), computed per licence and "
             + rounding(contract.currency) + "."]
    if not licences:
        notes.append(f"No licence is active on {contract.start}: there is no list price to quote from.")
    notes += [f"{f.message} ({f.rule})." for f in check_contract(contract, desk) if f.level == "error"]
    return Quote(contract_id=contract.id, lines=lines, rule="ONTIME-PROD-1", note=" ".join(notes))
