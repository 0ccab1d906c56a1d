"""``workbench contract …`` and ``workbench quote``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from workbench.cli.common import Output, check_filters, given, parse_date, parse_pairs, with_desk, words

if TYPE_CHECKING:
    from workbench.desk import Desk


@click.group()
def contract() -> None:
    """Contracts: vendor, product, dates, quantities, list price."""


@contract.command("add")
@click.option("--customer", "customer_id", required=True)
@click.option("--vendor", required=True)
@click.option("--product", required=True)
@click.option("--start", required=True, help="YYYY-MM-DD")
@click.option("--end", default=None, help="YYYY-MM-DD")
@click.option("--quantity", type=int, default=1)
@click.option("--list-price", type=int, default=0, help="Whole currency units (yen).")
@click.option("--currency", default="JPY")
@click.option(
    "--attr",
    "attrs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Vendor-specific facts (`workbench contract fields VENDOR` lists those a vendor takes).",
)
@with_desk
def contract_add(
    desk: Desk,
    customer_id: str,
    vendor: str,
    product: str,
    start: str,
    end: str | None,
    quantity: int,
    list_price: int,
    currency: str,
    attrs: tuple[str, ...],
) -> Output:
    """Add a contract (the vendor's contract rules run first)."""
    from workbench.desk import attribute_value

    attributes = {k: attribute_value(v) for k, v in parse_pairs(attrs, "--attr").items()}
    created = desk.add_contract(
        customer_id,
        vendor,
        product,
        parse_date(start, "--start"),
        parse_date(end, "--end"),
        quantity,
        list_price,
        currency,
        attributes,
    )
    return Output(created.to_dict(), f"{created.id} {created.vendor} {created.product} for {customer_id}")


@contract.command("edit")
@click.argument("contract_id")
@click.option("--product", default=None)
@click.option("--start", default=None, help="YYYY-MM-DD")
@click.option("--end", default=None, help="YYYY-MM-DD, or 'none' for an open-ended contract.")
@click.option("--quantity", type=int, default=None)
@click.option("--list-price", type=int, default=None, help="Whole currency units (yen).")
@click.option("--currency", default=None)
@click.option(
    "--attribute",
    "--attr",
    "attrs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Set a vendor-specific fact; KEY= with nothing after it removes one.",
)
@with_desk
def contract_edit(
    desk: Desk,
    contract_id: str,
    product: str | None,
    start: str | None,
    end: str | None,
    quantity: int | None,
    list_price: int | None,
    currency: str | None,
    attrs: tuple[str, ...],
) -> Output:
    """Correct a contract (checked like a new one: the vendor's contract rules run first)."""
    from workbench.desk import attribute_value

    current = desk.contract(contract_id)
    changes = given(
        product=product,
        start=parse_date(start, "--start"),
        quantity=quantity,
        list_price=list_price,
        currency=currency,
    )
    if end is not None:
        changes["end"] = None if end.strip().lower() == "none" else parse_date(end, "--end")
    if attrs:
        attributes = dict(current.attributes)
        for name, text in parse_pairs(attrs, "--attribute").items():
            if text.strip():
                attributes[name] = attribute_value(text)
            else:
                attributes.pop(name, None)
        changes["attributes"] = attributes
    updated = desk.update_contract(contract_id, **changes)
    before, after = current.to_dict(), updated.to_dict()
    changed = [name for name in after if before[name] != after[name]]
    return Output(
        updated.to_dict(),
        f"{updated.id} {updated.vendor} {updated.product} "
        + (f"updated: {', '.join(changed)}" if changed else "unchanged"),
    )


@contract.command("fields")
@click.argument("vendor")
@with_desk
def contract_fields(desk: Desk, vendor: str) -> Output:
    """The attributes VENDOR's contracts take (`--attr KEY=VALUE`), and for which products."""
    program = desk.program(vendor)
    fields = program.contract_attributes
    lines = [
        f"{f.name:16} {f.kind:7} {f.label}"
        + (f" — {', '.join(f'{k} {v}' for k, v in f.when.items())}" if f.when else "")
        + (f" ({f.rule})" if f.rule else "")
        for f in fields
    ]
    return Output(
        [f.to_dict() for f in fields],
        lines or [f"{program.name} declares no contract attributes: any KEY=VALUE is kept as given"],
    )


@contract.command("list")
@click.option("--customer", "customer_id", default=None)
@click.option("--vendor", default=None)
@with_desk
def contract_list(desk: Desk, customer_id: str | None, vendor: str | None) -> Output:
    """Contracts, optionally of one customer or vendor."""
    check_filters(desk, vendor, customer_id)
    found = desk.contracts(customer_id, vendor)
    return Output(
        [c.to_dict() for c in found],
        [
            f"{c.id:6} {c.customer_id:8} {c.vendor:9} {c.product:22} {c.start}–{c.end or ''}"
            f"  ×{c.quantity}  {c.list_price:,} {c.currency}"
            for c in found
        ]
        or ["no contracts"],
    )


@contract.command("show")
@click.argument("contract_id")
@with_desk
def contract_show(desk: Desk, contract_id: str) -> Output:
    """A contract and what its vendor's rules say of it."""
    found = desk.contract(contract_id)
    findings = desk.check_contract(found)
    text = [
        f"{found.id} {found.vendor} {found.product} for {found.customer_id}",
        f"  {found.start} – {found.end or 'open-ended'}  ×{found.quantity}  "
        f"list price {found.list_price:,} {found.currency}",
        *[f"  {k}: {v}" for k, v in found.attributes.items()],
        *["  " + line for line in words(desk).findings(findings)],
    ]
    return Output({"contract": found.to_dict(), "findings": [f.to_dict() for f in findings]}, text)


@click.command()
@click.argument("contract_id")
@with_desk
def quote(desk: Desk, contract_id: str) -> Output:
    """Fees derived from list prices.

    Each with the vendor's rule, e.g. OnTime's maintenance (20 %) and technical support (15 %)
    of the licence list price."""
    found = desk.quote(contract_id)
    text = [
        f"Quote for {found.contract_id} ({found.rule})",
        *[
            f"  {line.item:32} {line.amount:>12,} {line.currency}  — {line.reason} ({line.rule})"
            for line in found.lines
        ],
    ]
    if found.note:
        text.append(f"  {found.note}")
    return Output(found.to_dict(), text)
