"""A commitment in business days of its calendar, not only minutes (DESIGN: plugin contract,
deadlines; CORE-SLA-1: on a named business calendar)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from workbench import hookimpl
from workbench.calendar import weekdays
from workbench.model import Commitment
from workbench.testing import make_desk

TOKYO = ZoneInfo("Asia/Tokyo")


class FourDays:
    @hookimpl
    def workbench_commitments(self, case, desk):
        calendar = weekdays("Asia/Tokyo", "09:00", "18:00", name="Tokyo office hours")
        return [
            Commitment(
                "answer in four days",
                case.opened_at,
                0,
                calendar.to_dict(),
                "CORE-SLA-1",
                "answered within four business days",
                business_days=4,
            )
        ]


def test_business_days_skip_the_weekend_on_the_commitments_calendar_core_sla_1(clock) -> None:
    desk = make_desk([("four_days", FourDays())])
    customer = desk.add_customer("Northwind Traders")
    case = desk.open_case("ontime", customer.id, "Calendar shows wrong time")  # Tue 24 Nov 10:00
    (deadline,) = [d for d in desk.deadlines(case) if d.name == "answer in four days"]
    assert deadline.due == datetime(2026, 11, 30, 10, 0, tzinfo=TOKYO)  # Mon: Sat and Sun are off
    assert deadline.calendar == "Tokyo office hours"
    assert deadline.minutes == 4 * 9 * 60
    clock("2026-11-30T09:00:00+09:00")
    (later,) = [d for d in desk.deadlines(case) if d.name == "answer in four days"]
    assert (later.state, later.remaining_minutes) == ("at-risk", 60)
