"""Customers and their contracts, with what follows from them: support (CORE-PATH-2),
eligibility and quotes. A contract is checked by its vendor's contract rules before it is saved."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING, Any

from workbench.desk.records import flatten, key_number, record_event, save_changed
from workbench.desk.values import EMAIL, parse_value
from workbench.errors import BadInput, Invalid, NotFound
from workbench.model import (
    Case,
    Contract,
    Customer,
    Eligibility,
    Field,
    Finding,
    Quote,
    VendorProgram,
)

if TYPE_CHECKING:
    from workbench.desk.facade import Desk


EDITABLE_CONTRACT_FIELDS = ("product", "start", "end", "quantity", "list_price", "currency", "attributes")
"""What a desk agent may correct on a stored contract (``Desk.update_contract``)."""


def customer_of(desk: Desk, case: Case) -> Customer | None:
    record = desk.store.get("customers", case.customer_id)
    return Customer.from_dict(record) if record else None


def customer(desk: Desk, key: str) -> Customer:
    record = desk.store.get("customers", key)
    if record is None:
        raise NotFound("customer", key)
    return Customer.from_dict(record)


def customers(desk: Desk, keys: Collection[str] | None = None) -> list[Customer]:
    """Every customer in ID order, or only those of ``keys`` (the queue names the customers
    of the open cases: a third of the desk's customers at 200,000 cases, each read)."""
    return sorted(
        (Customer.from_dict(r) for r in desk.store.all("customers") if keys is None or r.get("id") in keys),
        key=lambda c: key_number(c.id),
    )


def add_customer(desk: Desk, name: str, **values: Any) -> Customer:
    """Create a customer; e-mail addresses, domain, users and the attributes vendor programs
    declare (``attributes``: typed by their fields, a key none declares refused) are checked."""
    customer = Customer(id="", name=name.strip(), created_at=desk.now(), **values)
    customer.attributes = customer_attributes(desk, customer.attributes)
    _check_customer(customer)
    with desk.store.transaction() as tx:
        # Under the writer lock: two agents adding "Twin 1" and "twin  1" at once cannot
        # both pass the check.
        _check_name_free(desk, customer.name)
        customer.id = f"CUS-{tx.next_number('customers')}"
        record = customer.to_dict()
        tx.put("customers", customer.id, record)
        record_event(desk, tx, "customers", customer.id, "create", None, record)
    return customer


def _check_name_free(desk: Desk, name: str, key: str = "") -> None:
    """Refuse ``name`` when a customer other than ``key`` is called so (CORE-CUST-1); called
    under the writer lock, so two agents giving one name at once cannot both pass."""
    twin = desk.customer_named(name)
    if twin is not None and twin.id != key:
        raise BadInput(
            "name",
            f"{twin.id} is already called {twin.name!r}; change it with `customer edit {twin.id}`",
            rule="CORE-CUST-1",
        )


def customer_named(desk: Desk, name: str) -> Customer | None:
    """The customer of that name (case and spaces ignored), if any."""
    wanted = "".join(name.split()).casefold()
    return next((c for c in desk.customers() if "".join(c.name.split()).casefold() == wanted), None)


def update_customer(desk: Desk, key: str, **changes: Any) -> Customer:
    current = desk.customer(key)
    if not changes:
        raise BadInput("customer", "nothing to change: give at least one new value")
    unknown = set(changes) - set(Customer.__dataclass_fields__) | ({"id"} & set(changes))
    if unknown:
        raise BadInput("customer", f"cannot change {', '.join(sorted(unknown))}")
    updated = Customer.from_dict({**current.to_dict(), **changes})
    updated.attributes = customer_attributes(desk, updated.attributes, kept=current.attributes)
    _check_customer(updated)
    save_changed(
        desk,
        "customers",
        key,
        current.to_dict(),
        updated.to_dict(),
        "update",
        guard=(lambda tx, fresh: _check_name_free(desk, updated.name, key)) if "name" in changes else None,
        check=lambda record: _check_customer(Customer.from_dict(record)),
    )
    return updated


def declared_customer_attributes(desk: Desk) -> dict[str, tuple[VendorProgram, Field]]:
    """Every customer attribute the installed programs declare: key -> (program, field)."""
    return {
        field.name: (program, field)
        for program in desk.programs().values()
        for field in program.customer_attributes
    }


def customer_attributes(
    desk: Desk, given: dict[str, Any], kept: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``given`` typed by the fields the programs declare; an empty value drops the attribute.
    A key no installed program declares is refused naming it. What the customer already
    holds (``kept``, the same key and value) stays as it is: an attribute of a program not
    installed here, or a value moved from an older desk."""
    declared = declared_customer_attributes(desk)
    typed: dict[str, Any] = {}
    for key, value in given.items():
        if value is None or value == "":
            continue
        if kept is not None and key in kept and kept[key] == value:
            typed[key] = value
            continue
        if key not in declared:
            import difflib  # a misspelt attribute's only

            close = difflib.get_close_matches(key, list(declared), n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise BadInput(
                key,
                f"not a customer attribute any installed program declares ({hint}declared: "
                f"{', '.join(declared) or 'none'}; `workbench customer attributes` lists them)",
            )
        field = declared[key][1]
        typed[key] = parse_value(key, field.kind, value, field.choices)
    return typed


def contract(desk: Desk, key: str) -> Contract:
    record = desk.store.get("contracts", key)
    if record is None:
        raise NotFound("contract", key)
    return Contract.from_dict(record)


def contracts(desk: Desk, customer_id: str | None = None, vendor: str | None = None) -> list[Contract]:
    """Contracts of one customer and / or vendor (filtered before they are typed)."""
    wanted = {"customer_id": customer_id, "vendor": vendor}
    match = {name: value for name, value in wanted.items() if value is not None}
    return sorted(
        (Contract.from_dict(r) for r in desk.store.all("contracts", match=match)),
        key=lambda c: key_number(c.id),
    )


def check_contract(desk: Desk, contract: Contract) -> list[Finding]:
    findings = flatten(desk.plugins.call("workbench_check_contract", contract=contract, desk=desk))
    return findings


def add_contract(
    desk: Desk,
    customer_id: str,
    vendor: str,
    product: str,
    start: date,
    end: date | None = None,
    quantity: int = 1,
    list_price: int = 0,
    currency: str = "JPY",
    attributes: dict[str, Any] | None = None,
) -> Contract:
    """Create a contract; the vendor's contract rules run first and an error blocks it."""
    desk.customer(customer_id)
    contract = Contract(
        id="",
        customer_id=customer_id,
        vendor=vendor,
        product=product,
        start=start,
        end=end,
        quantity=quantity,
        list_price=list_price,
        currency=currency,
        attributes=attributes or {},
        created_at=desk.now(),
    )
    with desk.store.transaction() as tx:
        _validate_contract(desk, contract)  # the vendor's rules see the contracts as of the lock
        contract.id = f"K-{tx.next_number('contracts')}"
        record = contract.to_dict()
        tx.put("contracts", contract.id, record)
        record_event(desk, tx, "contracts", contract.id, "create", None, record)
    return contract


def update_contract(desk: Desk, key: str, **changes: Any) -> Contract:
    """Correct a stored contract (see :data:`EDITABLE_CONTRACT_FIELDS`); it is checked
    exactly as a new one is, the vendor's contract rules included, and an error blocks
    it. A contract keeps its customer and vendor. Saving the same values writes nothing."""
    current = desk.contract(key)
    if not changes:
        raise BadInput("contract", "nothing to change: give at least one new value")
    for name, owner in (("customer_id", "customer"), ("vendor", "vendor")):
        if name in changes and changes[name] != getattr(current, name):
            raise BadInput(
                name,
                f"{key} is a contract of {getattr(current, name)}; a contract cannot move to "
                f"another {owner}: add a new contract instead",
            )
    unknown = sorted(set(changes) - set(EDITABLE_CONTRACT_FIELDS) - {"customer_id", "vendor"})
    if unknown:
        raise BadInput(
            unknown[0],
            f"cannot be changed on a contract (these can: {', '.join(EDITABLE_CONTRACT_FIELDS)})",
        )
    updated = dataclasses.replace(current, **changes)
    if updated == current:
        return current
    save_changed(
        desk,
        "contracts",
        key,
        current.to_dict(),
        updated.to_dict(),
        "update",
        check=lambda record: _validate_contract(desk, Contract.from_dict(record)),
    )
    return updated


def _validate_contract(desk: Desk, contract: Contract) -> None:
    """Refuse a contract with a product its vendor does not sell, an end before its
    start, a negative quantity or price, or an error of the vendor's contract rules."""
    program = desk.program(contract.vendor)
    if program.products and contract.product not in program.products:
        raise BadInput(
            "product",
            f"{contract.product!r} is not a {program.name} product ({', '.join(program.products)})",
            rule=program.products_rule or "CORE-PATH-1",
        )
    contract.attributes = contract_attributes(program, contract.product, contract.attributes)
    if contract.end is not None and contract.end < contract.start:
        raise BadInput("end", f"ends {contract.end} before it starts {contract.start}")
    if contract.quantity < 0 or contract.list_price < 0:
        raise BadInput("quantity" if contract.quantity < 0 else "list_price", "must not be negative")
    findings = desk.check_contract(contract)
    if any(f.level == "error" for f in findings):
        raise Invalid(findings)


def contract_attributes(program: VendorProgram, product: str, given: dict[str, Any]) -> dict[str, Any]:
    """``given`` checked against the attributes the program declares for ``product`` and typed
    by them; a program that declares none takes any."""
    if not program.contract_attributes:
        return given
    declared = {f.name: f for f in program.contract_attributes if f.applies({"product": product})}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        known = ", ".join(declared) or "none"
        raise BadInput(
            unknown[0], f"not an attribute of a {program.name} {product} contract (it takes: {known})"
        )
    typed = {}
    for name, value in given.items():
        definition = declared[name]
        typed[name] = parse_value(name, definition.kind, value, definition.choices)
    return typed


def active_contracts(desk: Desk, customer_id: str, vendor: str, on: date | None = None) -> list[Contract]:
    day = on or desk.today()
    return [c for c in desk.contracts(customer_id, vendor) if c.active_on(day)]


def has_support(desk: Desk, customer_id: str, vendor: str, on: date | None = None) -> bool:
    """Whether the customer holds an active subscription with support (CORE-PATH-2)."""
    support = set(desk.program(vendor).support_products)
    return any(c.product in support for c in desk.active_contracts(customer_id, vendor, on))


def quote(desk: Desk, key: str) -> Quote:
    contract = desk.contract(key)
    quote = desk.plugins.first("workbench_quote", contract=contract, desk=desk)
    if quote is None:
        raise BadInput("contract", f"{contract.vendor} gives no quote for {contract.product!r}")
    return quote


def eligibility(desk: Desk, customer_id: str) -> list[Eligibility]:
    customer = desk.customer(customer_id)
    return flatten(desk.plugins.call("workbench_eligibility", customer=customer, desk=desk))


def _check_customer(customer: Customer) -> None:
    if not customer.name:
        raise BadInput("name", "must not be empty")
    if customer.email and not EMAIL.match(customer.email):
        raise BadInput("email", f"{customer.email!r} is not an e-mail address")
    if customer.domain and ("@" in customer.domain or "." not in customer.domain):
        raise BadInput("domain", f"{customer.domain!r} is not a domain name (e.g. example.co.jp)")
    if not isinstance(customer.users, int) or customer.users < 0:
        raise BadInput("users", "must be a whole number, zero or more")
