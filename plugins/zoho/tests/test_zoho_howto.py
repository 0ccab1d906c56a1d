"""The desk's how-to load (ZOHO-HOWTO-1): severity-3 how-to requests sent to Zoho in the
last 30 days, a warning above the setting (10)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

NOW = datetime.fromisoformat("2026-11-24T10:00+09:00")


@pytest.fixture
def howtos(desk, clock, customer, form):
    """Send ``count`` severity-3 how-to requests, ``ago`` before NOW (default one day)."""

    def send(count: int, ago: timedelta = timedelta(days=1), **changes) -> None:
        clock(NOW - ago)
        for _ in range(count):
            answers = form(**{"category": "how-to", "severity": "3", **changes})
            key = desk.open_case("zoho", customer.id, "how to", answers).id
            desk.send_to_vendor(key)
        clock(NOW)

    return send


def howto_finding(desk, customer, form):
    case = desk.open_case("zoho", customer.id, "one more", form(category="how-to", severity="3"))
    [finding] = [f for f in desk.view(case.id).findings if f.rule == "ZOHO-HOWTO-1"]
    return finding


@pytest.mark.parametrize(("sent", "level"), [(9, "info"), (10, "info"), (11, "warning")])
def test_warning_above_ten_zoho_howto_1(desk, customer, form, howtos, sent, level) -> None:
    howtos(sent)
    finding = howto_finding(desk, customer, form)
    assert finding.level == level
    assert f"sent {sent} severity-3 how-to requests to Zoho in the last 30 days" in finding.message
    assert f"(sending this one makes {sent + 1})" in finding.message


def test_threshold_is_a_setting_zoho_howto_1(desk, customer, form, howtos) -> None:
    howtos(4)
    desk.set_setting("zoho.howto_warning_above", 3)
    finding = howto_finding(desk, customer, form)
    assert finding.level == "warning" and "above 3" in finding.message


@pytest.mark.parametrize(("ago", "counted"), [
    (timedelta(days=30), False),
    (timedelta(days=30) - timedelta(minutes=1), True),
])
def test_thirty_day_window_zoho_howto_1(desk, customer, form, howtos, ago, counted) -> None:
    howtos(1, ago)
    assert f"sent {int(counted)} severity-3" in howto_finding(desk, customer, form).message


def test_only_sent_severity_3_requests_inside_the_sla_count_zoho_howto_1(
    desk, customer, form, howtos
) -> None:
    howtos(2)
    howtos(1, severity="2")
    howtos(1, category="feature-request")
    desk.open_case("zoho", customer.id, "not sent", form(category="how-to", severity="3"))
    assert "sent 2 severity-3" in howto_finding(desk, customer, form).message


def test_sent_case_counts_itself_zoho_howto_1(desk, customer, form, howtos) -> None:
    howtos(1)
    key = desk.cases(vendor="zoho")[0].id
    [finding] = [f for f in desk.view(key).findings if f.rule == "ZOHO-HOWTO-1"]
    assert "sent 1 severity-3" in finding.message and "sending this one" not in finding.message


def test_not_shown_on_other_cases_zoho_howto_1(desk, customer, form) -> None:
    case = desk.open_case("zoho", customer.id, "s", form())
    assert not [f for f in desk.view(case.id).findings if f.rule == "ZOHO-HOWTO-1"]
