"""Zoho's deadlines: ZOHO-SLA-1 (24x5 in the region's time zone, upper bound due, lower bound
target; acknowledgement from the send, identification an update interval between Zoho's
responses) and ZOHO-SLA-2 (severity-1 downtime / outage / sign-in run 24x7)."""

from __future__ import annotations

from datetime import datetime

import pytest

ACK, IDENT = "Zoho acknowledgement", "Zoho issue identification"


def zoho(desk, key: str) -> dict:
    """The case's vendor deadlines by name (the latest identification window)."""
    return {d.name: d for d in desk.deadlines(desk.case(key)) if d.clock == "vendor"}


def windows(desk, key: str) -> list:
    """Every identification window of the case, oldest first."""
    return [d for d in desk.deadlines(desk.case(key)) if d.name == IDENT]


def answered(desk, clock, key: str, reply: str, back: str) -> None:
    """Zoho responds at ``reply`` (ISO) and the desk hands the case back to Zoho at ``back``."""
    clock(reply)
    desk.vendor_reply(key, "update from Zoho")
    clock(back)
    desk.send_to_vendor(key, "over to Zoho again")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- ZOHO-SLA-1: the table ------------------------------------------------------------------


@pytest.mark.parametrize(("severity", "ack_target", "ack_due", "id_target", "id_due"), [
    ("1", "11:00", "13:00", "2026-11-24T13:00", "2026-11-24T19:00"),
    ("2", "16:00", "22:00", "2026-11-25T11:00", "2026-11-26T11:00"),
    ("3", "2026-11-25T02:00", "2026-11-25T10:00", "2026-11-26T11:00", "2026-11-27T11:00"),
])
def test_table_upper_bound_is_due_lower_bound_is_target_zoho_sla_1(
    desk, clock, sent, severity, ack_target, ack_due, id_target, id_due
) -> None:
    """Sent Tuesday 10:00 Tokyo, apac-japan: the acknowledgement counts from the send; after
    Zoho's response at 10:30 the desk hands the case back at 11:00, and the identification
    window counts from then."""
    key = sent("2026-11-24T10:00+09:00", severity=severity)

    def tokyo(value: str) -> datetime:
        return at(value + "+09:00" if "T" in value else f"2026-11-24T{value}+09:00")

    acknowledgement = zoho(desk, key)[ACK]
    assert acknowledgement.due == tokyo(ack_due) and acknowledgement.target == tokyo(ack_target)
    answered(desk, clock, key, "2026-11-24T10:30+09:00", "2026-11-24T11:00+09:00")
    found = zoho(desk, key)
    assert found[ACK].state == "met"
    assert found[IDENT].due == tokyo(id_due) and found[IDENT].target == tokyo(id_target)
    for deadline in found.values():
        assert deadline.rule == "ZOHO-SLA-1"
        assert deadline.calendar == "24x5 Asia/Tokyo"
        assert "upper bound is the deadline" in deadline.reason and "average" in deadline.reason
    assert "sending the case" in found[ACK].reason
    assert "restarts after every Zoho response" in found[IDENT].reason


def test_no_identification_window_before_zohos_first_response_zoho_sla_1(desk, clock, sent) -> None:
    """Identification is the time *between* Zoho's responses: none runs from the send."""
    key = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-25T10:00+09:00")
    assert list(zoho(desk, key)) == [ACK] and zoho(desk, key)[ACK].state == "breached"


def test_window_restarts_at_every_zoho_response_zoho_sla_1(desk, clock, sent) -> None:
    """Severity 1 (2–8 h): each time the case is back with Zoho after a response, a new
    window runs from then; a late window stays breached in the case's evidence."""
    key = sent("2026-11-24T10:00+09:00", severity="1")
    answered(desk, clock, key, "2026-11-24T10:30+09:00", "2026-11-24T11:00+09:00")
    clock("2026-11-24T18:59+09:00")
    [first] = windows(desk, key)
    assert first.state == "at-risk" and first.due == at("2026-11-24T19:00+09:00")
    clock("2026-11-24T19:00+09:00")
    assert windows(desk, key)[0].state == "breached"
    answered(desk, clock, key, "2026-11-24T20:00+09:00", "2026-11-24T20:30+09:00")
    first, second = windows(desk, key)
    assert first.state == "met-late" and first.met_at == at("2026-11-24T20:00+09:00")
    assert second.start == at("2026-11-24T20:30+09:00") and second.state == "ok"
    assert second.due == at("2026-11-25T04:30+09:00")


def test_no_window_while_the_desk_holds_the_ball_zoho_sla_1(desk, clock, sent) -> None:
    """A Zoho response hands the ball to the desk: Zoho owes nothing until the desk sends."""
    key = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-24T10:30+09:00")
    desk.vendor_reply(key, "please send the execution log")
    clock("2026-11-26T10:00+09:00")
    assert windows(desk, key) == []
    desk.send_to_vendor(key, "log attached")
    [window] = windows(desk, key)
    assert window.start == at("2026-11-26T10:00+09:00") and window.state == "ok"


def test_clock_starts_when_the_case_is_sent_not_when_opened_zoho_sla_1(desk, clock, customer, form) -> None:
    clock("2026-11-24T10:00+09:00")
    key = desk.open_case("zoho", customer.id, "s", form(severity="1")).id
    assert zoho(desk, key) == {}
    clock("2026-11-24T12:00+09:00")
    desk.send_to_vendor(key)
    assert zoho(desk, key)[ACK].due == at("2026-11-24T15:00+09:00")


def test_deadline_runs_across_a_weekend_zoho_sla_1(desk, clock, sent) -> None:
    """Severity 3 back with Zoho Thursday 10:00: 38 h to Friday 24:00, Saturday and Sunday do
    not count."""
    key = sent("2026-11-26T09:00+09:00", severity="3")
    assert zoho(desk, key)[ACK].due == at("2026-11-27T09:00+09:00")  # 24 h: Friday, no weekend yet
    answered(desk, clock, key, "2026-11-26T09:30+09:00", "2026-11-26T10:00+09:00")
    found = zoho(desk, key)
    assert found[IDENT].target == at("2026-11-30T10:00+09:00")  # 48 h: Monday 10:00
    assert found[IDENT].due == at("2026-12-01T10:00+09:00")  # 72 h: Tuesday 10:00


def test_deadline_from_friday_evening_resumes_monday_00_00_zoho_sla_1(desk, sent) -> None:
    """Severity 2 sent Friday 20:00: 4 h on Friday, the other 8 h from Monday 00:00."""
    found = zoho(desk, sent("2026-11-27T20:00+09:00", severity="2"))
    assert found[ACK].due == at("2026-11-30T08:00+09:00")
    assert found[ACK].target == at("2026-11-30T02:00+09:00")


def test_friday_2359_leaves_one_minute_of_the_week_zoho_sla_1(desk, sent) -> None:
    found = zoho(desk, sent("2026-11-27T23:59+09:00", severity="1"))
    assert found[ACK].due == at("2026-11-30T02:59+09:00")


def test_weekend_counts_in_the_time_zone_of_the_desks_region_zoho_sla_1(desk, sent) -> None:
    """Friday 20:00 in New York is Saturday 10:00 in Tokyo: on the usa calendar 4 h of Friday
    still count; on apac-japan none do."""
    desk.set_setting("zoho.region", "usa")
    key = sent("2026-11-27T20:00-05:00", severity="2")
    found = zoho(desk, key)
    assert found[ACK].due == at("2026-11-30T08:00-05:00")
    assert found[ACK].calendar == "24x5 America/New_York"
    assert "usa" in found[ACK].reason
    desk.set_setting("zoho.region", "apac-japan")
    assert zoho(desk, key)[ACK].due == at("2026-11-30T12:00+09:00")


def test_region_time_zone_is_a_setting_zoho_sla_1(desk, sent) -> None:
    """Friday 20:00 New York is 19:00 in Chicago: 5 h of Friday count there, 7 h on Monday."""
    desk.set_setting("zoho.region", "usa")
    desk.set_setting("zoho.timezone.usa", "America/Chicago")
    found = zoho(desk, sent("2026-11-27T20:00-05:00", severity="2"))
    assert found[ACK].due == at("2026-11-30T07:00-06:00")
    assert found[ACK].calendar == "24x5 America/Chicago"


def test_same_table_for_every_partner_tier_zoho_sla_1(desk, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="2")
    before = zoho(desk, key)[ACK].due
    desk.set_setting("zoho.partner_tier", "premium")
    assert zoho(desk, key)[ACK].due == before


def test_acknowledgement_is_met_by_zohos_first_response_of_any_kind_zoho_sla_1(
    desk, clock, sent
) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-24T12:59+09:00")
    desk.vendor_reply(key, "looking")
    assert zoho(desk, key)[ACK].state == "met"
    late = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-24T13:01+09:00")
    desk.vendor_reply(late, "sorry for the delay")
    assert zoho(desk, late)[ACK].state == "met-late"


def test_a_vendor_reply_needs_no_milestone_zoho_sla_1(desk, sent) -> None:
    """Any Zoho response meets the wait it ends: no milestone is offered."""
    key = sent("2026-11-24T10:00+09:00", severity="1")
    assert desk.vendor_milestones(desk.case(key)) == {}


def test_time_pending_on_the_customer_is_left_out_zoho_sla_1(desk, clock, sent) -> None:
    key = sent("2026-11-24T10:00+09:00", severity="1")
    clock("2026-11-24T11:00+09:00")
    desk.pending(key, "need a log")
    assert zoho(desk, key)[ACK].state == "paused"
    clock("2026-11-24T13:00+09:00")
    desk.customer_reply(key, "log attached")
    assert zoho(desk, key)[ACK].due == at("2026-11-24T15:00+09:00")


def test_non_technical_request_runs_on_24x5_by_its_severity_zoho_sla_1(desk, sent) -> None:
    found = zoho(desk, sent("2026-11-27T23:00+09:00", request_type="payment-renewal",
                            category=None, severity="1"))
    assert found[ACK].rule == "ZOHO-SLA-1"
    assert found[ACK].due == at("2026-11-30T02:00+09:00")


# -- ZOHO-SLA-2: 24x7 against 24x5 ----------------------------------------------------------


@pytest.mark.parametrize("category", ["downtime", "outage", "sign-in"])
def test_severity_1_critical_category_runs_24x7_zoho_sla_2(desk, clock, sent, category) -> None:
    """Sent Friday 23:00 Tokyo: 3 h on 24x7 end Saturday 02:00; back with Zoho Saturday 01:00,
    8 h end Saturday 09:00."""
    key = sent("2026-11-27T23:00+09:00", severity="1", category=category)
    assert zoho(desk, key)[ACK].due == at("2026-11-28T02:00+09:00")
    answered(desk, clock, key, "2026-11-28T00:30+09:00", "2026-11-28T01:00+09:00")
    found = zoho(desk, key)
    assert found[IDENT].due == at("2026-11-28T09:00+09:00")
    assert found[ACK].calendar == "24x7" and found[ACK].rule == "ZOHO-SLA-2"
    assert "works weekends" in found[ACK].reason


@pytest.mark.parametrize(("severity", "category"), [("1", "malfunction"), ("1", "data-integrity"),
                                                    ("2", "sign-in"), ("2", "outage")])
def test_other_cases_wait_for_monday_on_24x5_zoho_sla_2(desk, sent, severity, category) -> None:
    found = zoho(desk, sent("2026-11-27T23:00+09:00", severity=severity, category=category))
    assert found[ACK].calendar == "24x5 Asia/Tokyo" and found[ACK].rule == "ZOHO-SLA-1"
    assert found[ACK].due > at("2026-11-30T00:00+09:00")


def test_critical_case_on_a_weekday_is_the_same_on_both_calendars_zoho_sla_2(desk, sent) -> None:
    """Tuesday 10:00 + 3 h is 13:00 on 24x7 and on 24x5: the calendars differ at weekends only."""
    critical = zoho(desk, sent("2026-11-24T10:00+09:00", severity="1", category="outage"))
    other = zoho(desk, sent("2026-11-24T10:00+09:00", severity="1", category="malfunction"))
    assert critical[ACK].due == other[ACK].due == at("2026-11-24T13:00+09:00")
    assert critical[ACK].calendar != other[ACK].calendar
