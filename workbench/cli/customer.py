"""``workbench customer …`` and ``workbench eligibility``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from workbench.cli.common import Output, given, parse_pairs, with_desk

if TYPE_CHECKING:
    from workbench.desk import Desk


@click.group()
def customer() -> None:
    """Customers: e-mail, domain, users, and what vendor programs record of them."""


CUSTOMER_OPTIONS = [
    click.option("--email", default=None, help="Contact e-mail."),
    click.option("--domain", default=None, help="The customer's mail domain."),
    click.option("--users", type=int, default=None, help="User licence count."),
    click.option("--notes", default=None),
    click.option(
        "--attribute",
        "--attr",
        "attrs",
        multiple=True,
        metavar="KEY=VALUE",
        help="What a vendor program records of the customer (`workbench customer attributes` "
        "lists them, e.g. zoho.region=apac-japan); KEY= with nothing after it removes one.",
    ),
]


def attribute_changes(current: dict[str, Any], attrs: tuple[str, ...]) -> dict[str, Any]:
    """``current`` with ``--attr KEY=VALUE`` applied (``KEY=`` removes one)."""
    attributes = dict(current)
    for key, value in parse_pairs(attrs, "--attr").items():
        attributes[key] = value
    return attributes


def customer_options(command: Callable) -> Callable:
    for option in reversed(CUSTOMER_OPTIONS):
        command = option(command)
    return command


@customer.command("add")
@click.argument("name")
@customer_options
@with_desk
def customer_add(desk: Desk, name: str, attrs: tuple[str, ...], **values: Any) -> Output:
    """Add a customer called NAME."""
    created = desk.add_customer(name, attributes=attribute_changes({}, attrs), **given(**values))
    return Output(created.to_dict(), f"{created.id} {created.name}")


@customer.command("edit")
@click.argument("customer_id")
@click.option("--name", default=None)
@customer_options
@with_desk
def customer_edit(desk: Desk, customer_id: str, attrs: tuple[str, ...], **values: Any) -> Output:
    """Change a customer's details."""
    changes = given(**values)
    if attrs:
        changes["attributes"] = attribute_changes(desk.customer(customer_id).attributes, attrs)
    updated = desk.update_customer(customer_id, **changes)
    return Output(updated.to_dict(), f"{updated.id} {updated.name} updated")


@customer.command("attributes")
@with_desk
def customer_attributes(desk: Desk) -> Output:
    """What the vendor programs record of a customer (`--attr KEY=VALUE`)."""
    declared = desk.customer_attributes()
    lines = [
        f"{key:26} {field.kind:7} {field.label}"
        + (f" ({', '.join(field.choices)})" if field.choices else "")
        + (f" — {field.help}" if field.help else "")
        + (f" ({field.rule})" if field.rule else "")
        for key, (_, field) in declared.items()
    ]
    return Output(
        [{"program": program.id, **field.to_dict()} for program, field in declared.values()],
        lines or ["no installed program declares customer attributes"],
    )


@customer.command("list")
@with_desk
def customer_list(desk: Desk) -> Output:
    """Every customer."""
    found = desk.customers()
    return Output(
        [c.to_dict() for c in found],
        [f"{c.id:8} {c.name}  {c.users} users  {c.domain}" for c in found] or ["no customers"],
    )


@customer.command("show")
@click.argument("customer_id")
@with_desk
def customer_show(desk: Desk, customer_id: str) -> Output:
    """A customer with contracts, eligibility and cases."""
    found = desk.customer(customer_id)
    contracts = desk.contracts(customer_id=customer_id)
    eligibility = desk.eligibility(customer_id)
    cases = desk.cases(customer_id=customer_id)
    text = [
        f"{found.id} {found.name}",
        f"  e-mail {found.email or '-'}  domain {found.domain or '-'}  users {found.users}",
        *[f"  {key} {value}" for key, value in found.attributes.items()],
        "Contracts:",
        *[f"  {c.id} {c.vendor} {c.product} {c.start}–{c.end or ''}" for c in contracts],
        "Eligibility:",
        *[
            f"  {e.program}: {'eligible' if e.eligible else 'not eligible'}"
            f"{', claimable' if e.claimable else ''} — {e.reason} ({e.rule})"
            for e in eligibility
        ],
        "Cases:",
        *[f"  {c.id} [{c.state}] {c.vendor} {c.subject}" for c in cases],
    ]
    return Output(
        {
            "customer": found.to_dict(),
            "contracts": [c.to_dict() for c in contracts],
            "eligibility": [e.to_dict() for e in eligibility],
            "cases": [c.to_dict() for c in cases],
            "history": [e.to_dict() for e in desk.events("customers", customer_id)],
        },
        text,
    )


@click.command()
@click.argument("customer_id")
@with_desk
def eligibility(desk: Desk, customer_id: str) -> Output:
    """Priority and program eligibility of a customer, with reasons."""
    found = desk.eligibility(customer_id)
    return Output(
        [e.to_dict() for e in found],
        [
            f"{e.program}: {'eligible' if e.eligible else 'not eligible'}"
            f"{', claimable' if e.claimable else ', not claimable' if e.eligible else ''}"
            f" — {e.reason} ({e.rule})"
            for e in found
        ]
        or ["no program has a rule for this customer"],
    )
