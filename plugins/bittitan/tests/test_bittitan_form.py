"""BT-FORM-1 (the ticket form) and BT-SAFE-1 (the first-ticket reminder)."""

from __future__ import annotations

import pytest

from workbench.desk import BadInput, Invalid


def test_bt_form_1_fields_in_the_ticket_order(desk) -> None:
    """BT-FORM-1: the MigrationWiz request form, typed, with the routing questions after kind."""
    fields = {f.name: f for f in desk.case_fields("bittitan")}
    assert list(fields) == ["account_email", "region", "phone", "workgroup", "cutover_date",
                            "kind", "run_error", "not_as_documented", "items_missing",
                            "cannot_access", "project", "description", "nature"]
    kinds = {name: (f.kind, f.required) for name, f in fields.items()}
    assert kinds["account_email"] == ("email", True)
    assert kinds["region"] == ("choice", True) and fields["region"].choices == ["americas", "apac",
                                                                                "emea"]
    assert kinds["phone"] == ("text", False) and kinds["workgroup"] == ("text", False)
    assert kinds["cutover_date"] == ("date", True)
    assert fields["kind"].choices == ["guidance-request", "product-problem"]
    assert kinds["project"] == ("text", False) and kinds["description"] == ("longtext", True)
    assert all(f.rule in ("BT-FORM-1", "BT-ROUTE-2") for n, f in fields.items() if n != "nature")
    assert fields["nature"].rule == "CORE-PATH-3"


@pytest.mark.parametrize(("name", "value"), [
    ("account_email", "admin-at-northwind"),
    ("cutover_date", "24/12/2026"),
    ("region", "asia"),
    ("kind", "question"),
])
def test_bt_form_1_refuses_a_mistyped_answer(desk, customer, form, name, value) -> None:
    """BT-FORM-1: e-mail, date, region and kind are typed; a wrong one is refused by field."""
    with pytest.raises(BadInput) as refused:
        desk.open_case("bittitan", customer.id, "Help", form(**{name: value}))
    assert refused.value.field == name
    assert desk.cases() == []


@pytest.mark.parametrize("name", ["account_email", "region", "cutover_date", "kind", "description"])
def test_bt_form_1_required_answers(desk, customer, form, name) -> None:
    """BT-FORM-1: a missing required answer blocks the ticket, citing the rule."""
    answers = form()
    del answers[name]
    with pytest.raises(Invalid) as refused:
        desk.open_case("bittitan", customer.id, "Help", answers)
    errors = [(f.rule, f.field) for f in refused.value.findings if f.level == "error"]
    assert errors == [("BT-FORM-1", name)]


def test_bt_form_1_subject_is_required(desk, customer, form) -> None:
    """BT-FORM-1: the subject (a case attribute) must not be empty."""
    with pytest.raises(BadInput, match="subject"):
        desk.open_case("bittitan", customer.id, "  ", form())


def test_bt_form_1_phone_and_workgroup_are_optional_but_a_phone_must_be_one(desk, customer,
                                                                             form) -> None:
    """BT-FORM-1: phone optional; when given it must look like a phone number."""
    ok = desk.preview_case("bittitan", customer.id, "Help",
                           form(phone="+81 3-1234-5678", workgroup="Northwind IT"))
    assert not ok.blocked
    with pytest.raises(Invalid) as refused:
        desk.open_case("bittitan", customer.id, "Help", form(phone="call me"))
    assert [(f.rule, f.field) for f in refused.value.findings if f.level == "error"] == [
        ("BT-FORM-1", "phone")]
    assert desk.preview_case("bittitan", customer.id, "Help", form(phone="12345")).blocked


def test_bt_form_1_project_is_recommended_a_warning_when_empty(desk, customer, form) -> None:
    """BT-FORM-1: an empty MigrationWiz project warns without blocking."""
    empty = desk.preview_case("bittitan", customer.id, "Help", form(project=""))
    assert not empty.blocked
    assert [(f.level, f.rule, f.field) for f in empty.findings if f.field == "project"] == [
        ("warning", "BT-FORM-1", "project")]
    named = desk.preview_case("bittitan", customer.id, "Help", form())
    assert not [f for f in named.findings if f.field == "project"]


def test_bt_form_1_routing_questions_are_asked_of_a_guidance_request_only(desk, customer,
                                                                         form) -> None:
    """BT-ROUTE-2 questions are required for a guidance request, not for a product-problem."""
    answers = form()
    for name in ("run_error", "not_as_documented", "items_missing", "cannot_access"):
        del answers[name]
    with pytest.raises(Invalid) as refused:
        desk.open_case("bittitan", customer.id, "Help", answers)
    assert sorted(f.field for f in refused.value.findings if f.level == "error") == [
        "cannot_access", "items_missing", "not_as_documented", "run_error"]
    assert {f.rule for f in refused.value.findings if f.level == "error"} == {"BT-ROUTE-2"}
    problem = desk.open_case("bittitan", customer.id, "Run fails", {**answers,
                                                                    "kind": "product-problem"})
    assert problem.queue == "customer-support"


def test_bt_safe_1_reminder_on_the_first_ticket_only(desk, customer, form, ticket, clock) -> None:
    """BT-SAFE-1: the safe-sender and status-page reminder shows on the customer's first ticket."""
    preview = desk.preview_case("bittitan", customer.id, "Help", form())
    safe = [f for f in preview.findings if f.rule == "BT-SAFE-1"]
    assert len(safe) == 1 and safe[0].level == "info"
    assert "@bittitan.com" in safe[0].message and "@migrationwiz.com" in safe[0].message
    assert "status.bittitan.com" in safe[0].message
    first = ticket()
    clock("2026-11-24T11:00+09:00")
    second = ticket("Second question")
    assert any(f.rule == "BT-SAFE-1" for f in desk.view(first.id).findings)
    assert not any(f.rule == "BT-SAFE-1" for f in desk.view(second.id).findings)
    assert not any(f.rule == "BT-SAFE-1"
                   for f in desk.preview_case("bittitan", customer.id, "Third", form()).findings)
    other = desk.add_customer("株式会社さくら物流")
    assert any(f.rule == "BT-SAFE-1"
               for f in desk.preview_case("bittitan", other.id, "Help", form()).findings)


def test_bt_safe_1_reminder_leaves_with_the_closed_case(desk, ticket) -> None:
    """BT-SAFE-1: a closed first ticket no longer carries the reminder."""
    first = ticket()
    desk.close(first.id, "user-education")
    assert not any(f.rule == "BT-SAFE-1" for f in desk.validate(desk.case(first.id)))
