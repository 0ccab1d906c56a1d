"""Isolation first: ONTIME-TRIAGE-1 (the isolation answer sets path and queue) and
ONTIME-TRIAGE-2 (manual / FAQ and platform settings first, path self-service)."""

from __future__ import annotations

import pytest

from workbench.desk import BadInput, Invalid

DOMINO = {"platform": "hcl-notes-domino", "platform_version": "Domino 12.0.2"}


def _open(desk, customer, **fields):
    return desk.open_case("ontime", customer.id, "Week view shows blank entries", fields)


def test_form_carries_platform_list_version_and_isolation_ontime_triage_1(desk) -> None:
    fields = {f.name: f for f in desk.case_fields("ontime")}
    assert fields["platform"].choices == [
        "hcl-notes-domino", "hcl-verse-smartcloud-notes", "microsoft-365-exchange-online",
        "microsoft-exchange-on-premises"]
    assert "HCL Verse / SmartCloud Notes" in fields["platform"].help
    assert fields["platform_version"].kind == "text"
    assert fields["isolation"].choices == ["not-checked", "reproduces-without-ontime", "does-not-reproduce"]
    assert fields["isolation"].default == "not-checked"
    assert fields["isolation"].rule == "ONTIME-TRIAGE-1"


def test_a_platform_outside_the_list_is_refused_ontime_triage_1(desk, customer) -> None:
    with pytest.raises(BadInput, match="platform"):
        _open(desk, customer, platform="Google Calendar")


def test_not_checked_waits_in_triage_on_self_service_ontime_triage_2(desk, customer) -> None:
    """A new case without an isolation answer: queue triage, path self-service, and the
    guidance to check the manual / FAQ and the platform settings first."""
    case = _open(desk, customer, **DOMINO)
    assert case.fields["isolation"] == "not-checked"
    assert (case.path, case.queue, case.route_rule) == ("self-service", "triage", "ONTIME-TRIAGE-2")
    assert "not checked yet" in case.route_reason
    [guidance] = [f for f in desk.view(case.id).findings if f.rule == "ONTIME-TRIAGE-2"]
    assert guidance.level == "info"
    assert "manual / FAQ" in guidance.message
    assert "HCL Notes/Domino, version Domino 12.0.2" in guidance.message


def test_reproduces_without_ontime_goes_to_platform_support_ontime_triage_1(desk, customer) -> None:
    case = _open(desk, customer, **DOMINO, isolation="reproduces-without-ontime",
                 platform_partner="さくら物流 情報システム部")
    assert (case.path, case.queue, case.route_rule) == ("platform", "platform-support", "ONTIME-TRIAGE-1")
    assert "さくら物流 情報システム部 works it" in case.route_reason
    assert "OnTime is not escalated" in case.route_reason


def test_platform_support_without_a_partner_is_warned_ontime_triage_1(desk, customer) -> None:
    case = _open(desk, customer, **DOMINO, isolation="reproduces-without-ontime")
    [warning] = [f for f in desk.view(case.id).findings
                 if f.rule == "ONTIME-TRIAGE-1" and f.field == "platform_partner"]
    assert warning.level == "warning"


def test_does_not_reproduce_is_an_ontime_product_question_ontime_triage_1(desk, customer) -> None:
    case = _open(desk, customer, **DOMINO, isolation="does-not-reproduce")
    assert (case.path, case.queue, case.route_rule) == (
        "subscription-support", "subscription-support", "ONTIME-TRIAGE-1")
    assert "does not reproduce on HCL Notes/Domino" in case.route_reason


@pytest.mark.parametrize("answer", ["reproduces-without-ontime", "does-not-reproduce"])
def test_an_isolation_answer_needs_the_platform_it_was_checked_on_ontime_triage_1(
    desk, customer, answer
) -> None:
    with pytest.raises(Invalid) as refused:
        _open(desk, customer, isolation=answer)
    [error] = [f for f in refused.value.findings if f.level == "error"]
    assert (error.rule, error.field) == ("ONTIME-TRIAGE-1", "platform")


def test_not_checked_needs_no_platform_yet_ontime_triage_2(desk, customer) -> None:
    """A first call often comes before anyone knows the platform: the case opens in triage."""
    case = _open(desk, customer)
    assert case.queue == "triage"


def test_changing_the_answer_reroutes_and_records_why_ontime_triage_1(desk, customer) -> None:
    case = _open(desk, customer, **DOMINO)
    moved = desk.update_fields(case.id, {"isolation": "reproduces-without-ontime"})
    assert (moved.path, moved.queue) == ("platform", "platform-support")
    moved = desk.update_fields(case.id, {"isolation": "does-not-reproduce"})
    assert (moved.path, moved.queue) == ("subscription-support", "subscription-support")
    reroutes = [e for e in desk.events("cases", case.id) if e.action == "reroute"]
    assert [(e.rule, e.after["queue"]) for e in reroutes] == [
        ("ONTIME-TRIAGE-1", "platform-support"), ("ONTIME-TRIAGE-1", "subscription-support")]
    assert reroutes[0].before["queue"] == "triage"
    assert "reproduces on HCL Notes/Domino" in reroutes[0].reason
    assert "does not reproduce" in reroutes[1].reason
    back = desk.update_fields(case.id, {"isolation": "not-checked"})
    assert (back.queue, back.route_rule) == ("triage", "ONTIME-TRIAGE-2")
    assert desk.events("cases", case.id)[-1].rule == "ONTIME-TRIAGE-2"


def test_a_change_that_keeps_the_route_is_no_reroute_ontime_triage_1(desk, customer) -> None:
    case = _open(desk, customer, **DOMINO, isolation="does-not-reproduce")
    desk.update_fields(case.id, {"browser": "Google Chrome"})
    assert desk.events("cases", case.id)[-1].action == "fields"


# -- the end users' own platform settings are part of the isolation ---------------------------


def test_intake_asks_about_the_end_users_own_settings_ontime_triage_1(desk) -> None:
    field = next(f for f in desk.case_fields("ontime") if f.name == "user_settings")
    assert field.rule == "ONTIME-TRIAGE-1" and field.default == "not-checked"
    assert field.choices == ["not-checked", "explain-it", "not-the-cause"]
    assert "meeting-response" in field.help


@pytest.mark.parametrize(("answer", "level", "words"), [
    ("not-checked", "warning", "not checked yet"),
    ("not-the-cause", "info", "they do not explain"),
])
def test_the_case_shows_where_the_users_settings_stand_ontime_triage_1(
    desk, customer, answer, level, words
) -> None:
    case = _open(desk, customer, **DOMINO, isolation="does-not-reproduce", user_settings=answer)
    [shown] = [f for f in desk.view(case.id).findings
               if f.rule == "ONTIME-TRIAGE-1" and f.field == "user_settings"]
    assert shown.level == level and words in shown.message


def test_users_own_settings_explaining_it_go_to_platform_support_ontime_triage_1(
    desk, customer
) -> None:
    case = _open(desk, customer, **DOMINO, isolation="does-not-reproduce", user_settings="explain-it")
    assert (case.path, case.queue, case.route_rule) == ("platform", "platform-support", "ONTIME-TRIAGE-1")
    assert "end users' own settings" in case.route_reason


def test_unchecked_users_settings_refuse_escalation_ontime_triage_1(
        desk, customer, contact, complete) -> None:
    case = _open(desk, customer, **{**complete, "user_settings": "not-checked"})
    option = next(o for o in desk.view(case.id).options if o.track == "technical")
    assert not option.decision.allowed and option.decision.rule == "ONTIME-TRIAGE-1"
    assert option.decision.missing == ["user_settings: do the end users' own settings explain it?"]
    desk.update_fields(case.id, {"user_settings": "not-the-cause"})
    assert desk.escalate(case.id).escalations[0].rule == "ONTIME-ESC-1"
