"""A form field asked for on several answers of another field (``when`` with a list: "required
for P1 or P2"), through the desk and the command line (DESIGN: plugin contract, intake form)."""

from __future__ import annotations

import pytest

from workbench import Invalid, hookimpl
from workbench.model import Field
from workbench.testing import make_desk


class Priorities:
    """OnTime's form, with a business impact required for priority P1 or P2."""

    @hookimpl(tryfirst=True)
    def workbench_case_fields(self, vendor, desk):
        if vendor != "ontime":
            return None
        return [
            Field("priority", "Priority", "choice", required=True, choices=["P1", "P2", "P3"]),
            Field("impact", "Business impact", "longtext", required=True, when={"priority": ["P1", "P2"]}),
        ]


@pytest.fixture
def desk(clock):
    desk = make_desk([("priorities", Priorities())])
    desk.add_customer("Northwind Traders")
    return desk


@pytest.mark.parametrize("priority", ["P1", "P2"])
def test_field_is_required_on_any_of_its_when_values(desk, priority) -> None:
    with pytest.raises(Invalid, match="impact"):
        desk.open_case("ontime", "CUS-1", "Calendar is down", {"priority": priority})
    case = desk.open_case(
        "ontime", "CUS-1", "Calendar is down", {"priority": priority, "impact": "no meetings"}
    )
    assert case.fields["impact"] == "no meetings"


def test_field_is_not_asked_for_on_other_values(desk) -> None:
    case = desk.open_case("ontime", "CUS-1", "Colours look odd", {"priority": "P3"})
    assert "impact" not in case.fields or not case.fields["impact"]


def test_case_fields_says_which_values_ask_for_it(run_cli, install) -> None:
    install(
        "priorities",
        """
        from workbench import hookimpl
        from workbench.model import Field

        @hookimpl(tryfirst=True)
        def workbench_case_fields(vendor, desk):
            if vendor != "ontime":
                return None
            return [
                Field("priority", "Priority", "choice", required=True, choices=["P1", "P2", "P3"]),
                Field("impact", "Business impact", "longtext", required=True,
                      when={"priority": ["P1", "P2"]}),
            ]
        """,
    )
    status, out, err = run_cli("case", "fields", "ontime")
    assert status == 0, err
    (impact,) = [line for line in out.splitlines() if line.startswith("impact ")]
    assert impact.split(None, 2)[2].startswith("required when priority=P1 or P2")
