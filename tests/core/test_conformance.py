"""The behavioural conformance suite (workbench.testing.conformance): the four bundled plugins
pass it, a small correct plugin passes it, and each deliberately broken plugin fails it with
a problem naming the hook."""

from __future__ import annotations

import pytest

from workbench import hookimpl
from workbench.calendar import TWENTY_FOUR_SEVEN
from workbench.model import Commitment, Decision, Field, Route, Rule, Tally, VendorProgram
from workbench.testing import conformance


@pytest.mark.parametrize("vendor", ["ontime", "zoho", "bittitan", "webex"])
def test_bundled_plugin_conforms(vendor: str, clock) -> None:
    assert conformance(vendor) == []


class Acme:
    """A small vendor plugin that keeps the contract."""

    @hookimpl
    def workbench_vendor(self):
        return VendorProgram(
            id="acme",
            name="Acme Support",
            version="1.0",
            rules=[
                Rule("ACME-1", "Every Acme question goes to the Acme desk, answered within a day."),
                Rule("ACME-2", "A case goes to Acme only with the product named."),
            ],
            products=["support"],
            support_products=["support"],
            customer_attributes=self.customer_attributes(),
        )

    def customer_attributes(self) -> list[Field]:
        return [
            Field("acme.seats", "Seats", "number", help="Acme seats the customer holds", rule="ACME-1"),
            Field("acme.plan", "Plan", "choice", choices=["standard", "enterprise"]),
            Field(
                "acme.tenant",
                "Tenant ID",
                help="the customer's Acme tenant",
                when={"acme.plan": "enterprise"},
            ),
        ]

    @hookimpl
    def workbench_case_fields(self, vendor, desk):
        if vendor != "acme":
            return None
        return [
            Field("product", "Product", "choice", required=True, choices=["anvil", "rocket"], rule="ACME-2"),
            Field("serial", "Serial number", when={"product": "rocket"}),
        ]

    @hookimpl
    def workbench_route_case(self, case, desk):
        if case.vendor != "acme":
            return None
        return Route(
            "subscription-support", "acme-desk", "ACME-1", "every Acme question goes to the Acme desk"
        )

    @hookimpl
    def workbench_commitments(self, case, desk):
        if case.vendor != "acme":
            return None
        return [
            Commitment(
                "acme answer",
                case.opened_at,
                24 * 60,
                TWENTY_FOUR_SEVEN.to_dict(),
                "ACME-1",
                "Acme answers within a day, around the clock",
                met_by=["vendor-reply"],
            )
        ]

    @hookimpl
    def workbench_check_send(self, case, desk, now):
        if case.vendor != "acme" or case.fields.get("product"):
            return None
        return Decision(
            False, "ACME-2", "Acme needs the product named before the case goes out", missing=["product"]
        )

    @hookimpl
    def workbench_demo(self, desk):
        customer = desk.add_customer("Acme Demo Customer")
        desk.add_contract(customer.id, "acme", "support", desk.today())
        case = desk.open_case("acme", customer.id, "The anvil falls too slowly", {"product": "anvil"})
        return [f"acme: case {case.id}"]


class AnswersForOthers(Acme):
    @hookimpl
    def workbench_route_case(self, case, desk):
        return Route("subscription-support", "acme-desk", "ACME-1", "every question goes to the Acme desk")


class CitesUndeclaredRule(Acme):
    @hookimpl
    def workbench_route_case(self, case, desk):
        if case.vendor != "acme":
            return None
        return Route(
            "subscription-support", "acme-desk", "ACME-9", "every Acme question goes to the Acme desk"
        )


class GivesNoReason(Acme):
    @hookimpl
    def workbench_route_case(self, case, desk):
        if case.vendor != "acme":
            return None
        return Route("subscription-support", "acme-desk", "ACME-1", "")


class RefusesWithoutRule(Acme):
    @hookimpl
    def workbench_check_send(self, case, desk, now):
        if case.vendor != "acme":
            return None
        return Decision(False, "", "Acme is closed for the season, try again later")


class CalendarWithoutName(Acme):
    @hookimpl
    def workbench_commitments(self, case, desk):
        if case.vendor != "acme":
            return None
        calendar = TWENTY_FOUR_SEVEN.to_dict() | {"name": ""}
        return [
            Commitment("acme answer", case.opened_at, 60, calendar, "ACME-1", "Acme answers within the hour")
        ]


class FailsInAHook(Acme):
    @hookimpl
    def workbench_case_severity(self, case, desk):
        raise RuntimeError("the severity service is down")


class WhenNamesNoField(Acme):
    @hookimpl
    def workbench_case_fields(self, vendor, desk):
        if vendor != "acme":
            return None
        return [
            Field("product", "Product", "choice", choices=["anvil", "rocket"]),
            Field("serial", "Serial number", when={"model": "rocket"}),
        ]


class WhenWaitsForNoChoice(Acme):
    @hookimpl
    def workbench_case_fields(self, vendor, desk):
        if vendor != "acme":
            return None
        return [
            Field("product", "Product", "choice", choices=["anvil", "rocket"]),
            Field("serial", "Serial number", when={"product": "catapult"}),
        ]


class ChoiceWithoutChoices(Acme):
    @hookimpl
    def workbench_case_fields(self, vendor, desk):
        if vendor != "acme":
            return None
        return [Field("product", "Product", "choice")]


class AttributeOutsideItsProgram(Acme):
    def customer_attributes(self) -> list[Field]:
        return [Field("seats", "Seats", "number")]


class AttributeRequired(Acme):
    def customer_attributes(self) -> list[Field]:
        return [Field("acme.tenant", "Tenant ID", required=True)]


class AttributeChoiceWithoutChoices(Acme):
    def customer_attributes(self) -> list[Field]:
        return [Field("acme.plan", "Plan", "choice")]


class AttributeWhenNamesNoAttribute(Acme):
    def customer_attributes(self) -> list[Field]:
        return [Field("acme.tenant", "Tenant ID", when={"acme.edition": "enterprise"})]


class AttributeWithoutLabel(Acme):
    def customer_attributes(self) -> list[Field]:
        return [Field("acme.tenant", " ")]


class TallyOutsideItsProgram(Acme):
    @hookimpl
    def workbench_tallies(self):
        return [Tally("questions", "ACME-1", "questions sent to Acme", {"vendor": ["acme"]})]


class TallyOfNumbers(Acme):
    @hookimpl
    def workbench_tallies(self):
        return [Tally("acme.urgent", "ACME-1", "urgent requests sent to Acme", {"fields.priority": [1]})]


class TallyCitingNoRule(Acme):
    @hookimpl
    def workbench_tallies(self):
        return [Tally("acme.all", "ACME-9", "every request sent to Acme", {"vendor": ["acme"]})]


def test_a_plugin_that_keeps_the_contract_conforms(clock) -> None:
    assert conformance("acme", [("acme", Acme())]) == []


@pytest.mark.parametrize(
    ("broken", "name", "problem"),
    [
        (AnswersForOthers, "acme", "workbench_route_case answers for another vendor's case"),
        (CitesUndeclaredRule, "acme", "cites ACME-9, which the catalogue does not declare"),
        (GivesNoReason, "acme", "gives no reason in words ('')"),
        (RefusesWithoutRule, "acme", "workbench_check_send on C-1: Decision(allowed=False, rule=''"),
        (CalendarWithoutName, "acme", "commitment 'acme answer' has a calendar without a name"),
        (FailsInAHook, "acme", "plugin acme failed in hook workbench_case_severity"),
        (
            WhenNamesNoField,
            "acme",
            "workbench_case_fields: field 'serial' is shown when 'model' holds a value, but there is no such",
        ),
        (WhenWaitsForNoChoice, "acme", "waits for product='catapult', which is not one of product's choices"),
        (ChoiceWithoutChoices, "acme", "field 'product' is a choice that offers no choices"),
        (AttributeOutsideItsProgram, "acme", "customer attribute 'seats' is not named acme.NAME"),
        (AttributeRequired, "acme", "customer attribute 'acme.tenant' is required"),
        (AttributeChoiceWithoutChoices, "acme", "customer attribute 'acme.plan' is a choice that offers no"),
        (
            AttributeWhenNamesNoAttribute,
            "acme",
            "customer attribute 'acme.tenant' is shown when 'acme.edition' holds a value, but there is no",
        ),
        (AttributeWithoutLabel, "acme", "customer attribute 'acme.tenant' has no label"),
        (TallyOutsideItsProgram, "acme", "workbench_tallies: tally 'questions' is not named acme.NAME"),
        (TallyOfNumbers, "acme", "'fields.priority' must name a record value and list strings or booleans"),
        (TallyCitingNoRule, "acme", "tally 'acme.all' cites undeclared rule 'ACME-9'"),
        (Acme, "acme_plugin", "declares program 'acme' under the entry-point name 'acme_plugin'"),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_each_defect_fails_the_suite_naming_it(broken, name, problem, clock) -> None:
    problems = conformance("acme", [(name, broken())])
    assert any(problem in p for p in problems), problems
