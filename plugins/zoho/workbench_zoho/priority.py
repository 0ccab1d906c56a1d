"""Priority support for large-user accounts (ZOHO-PRIO-1)."""

from __future__ import annotations

from workbench import DeskReader
from workbench.model import Customer, Eligibility
from workbench_zoho.program import CUSTOMER_REGION, REGIONS, SUPER_ADMIN, VENDOR

PROGRAM = "Zoho priority support (large-user accounts)"


def is_zoho_customer(customer: Customer, desk: DeskReader) -> bool:
    """A customer in a Zoho region, or with a Zoho contract or case."""
    return (customer.attributes.get(CUSTOMER_REGION) in REGIONS
            or bool(desk.contracts(customer_id=customer.id, vendor=VENDOR))
            or bool(desk.cases(vendor=VENDOR, customer_id=customer.id)))


def eligibility(customer: Customer) -> Eligibility:
    """Eligible at or above the region's user threshold (every partner tier gets it);
    claimable once the super-admin e-mail and the domain are recorded, because Zoho
    checks the claim against both."""
    recorded = customer.attributes.get(CUSTOMER_REGION, "")
    region = REGIONS.get(recorded)
    if region is None:
        return Eligibility(PROGRAM, VENDOR, False, False, "ZOHO-PRIO-1",
                           f"the customer's Zoho region is not recorded ({CUSTOMER_REGION} "
                           f"{recorded or 'none'}; one of {', '.join(REGIONS)}): the user "
                           "threshold depends on it")
    count = f"{customer.users} user licences in {region.id} ({region.name})"
    if customer.users < region.priority_users:
        return Eligibility(PROGRAM, VENDOR, False, False, "ZOHO-PRIO-1",
                           f"{count}: priority support starts at {region.priority_users} there")
    admin = customer.attributes.get(SUPER_ADMIN, "")
    missing = [label for label, value in (("super-admin e-mail", admin),
                                          ("domain", customer.domain)) if not value]
    if missing:
        return Eligibility(PROGRAM, VENDOR, True, False, "ZOHO-PRIO-1",
                           f"eligible by count, not claimable yet: {count}, at or above "
                           f"{region.priority_users}; Zoho checks the claim against the "
                           f"super-admin e-mail ({SUPER_ADMIN}) and domain, so record the "
                           f"{' and '.join(missing)}")
    return Eligibility(PROGRAM, VENDOR, True, True, "ZOHO-PRIO-1",
                       f"{count}, at or above {region.priority_users}, every partner tier gets it; "
                       f"claimable: Zoho checks super-admin {admin} and "
                       f"domain {customer.domain}")
