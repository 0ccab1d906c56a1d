"""CORE-SLA-3: a resolution sent to the customer meets the first response; a resolved case's
desk clocks stop and a reopen restarts the update clock; a closed case has no running or
paused clock. The desk's own policy on waiting for its customer is off by default."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from workbench.desk import BadInput, next_running
from workbench.model import Case, Deadline

T0 = datetime.fromisoformat("2026-11-24T10:00+09:00")


@pytest.fixture
def case(desk, clock):
    """A WebEx case opened Tuesday 10:00 Tokyo (first response due 14:00 on the desk calendar)."""
    clock(T0)
    customer = desk.add_customer("Contoso Japan KK", email="it@contoso.example")
    return desk.open_case("webex", customer.id, "Meeting join fails", {"kind": "technical"})


def desk_clocks(desk, key: str) -> dict:
    case = desk.case(key)
    shown = case.outcomes if not case.is_open else desk.deadlines(case)
    return {d.name: d for d in shown if d.clock == "desk"}


def test_a_resolution_sent_to_the_customer_meets_the_first_response_core_sla_3(desk, case, clock) -> None:
    clock(T0 + timedelta(hours=3, minutes=59))
    desk.resolve(case.id, "Clear the browser cache, then join again.", to_customer=True)
    first = desk_clocks(desk, case.id)["desk first response"]
    assert first.state == "met" and first.met_at == T0 + timedelta(hours=3, minutes=59)


def test_a_resolution_kept_inside_the_desk_stops_the_clock_without_meeting_it_core_sla_3(
    desk, case, clock
) -> None:
    clock(T0 + timedelta(hours=1))
    desk.resolve(case.id, "duplicate of C-9")
    clock(T0 + timedelta(days=10))
    first = desk_clocks(desk, case.id)["desk first response"]
    assert (first.state, first.stopped_at) == ("stopped", T0 + timedelta(hours=1))
    assert next_running(desk.deadlines(desk.case(case.id))) is None


def test_a_breach_before_the_resolve_stays_but_no_longer_runs_core_sla_3(desk, case, clock) -> None:
    clock(T0 + timedelta(hours=5))
    desk.resolve(case.id, "fixed")
    first = desk_clocks(desk, case.id)["desk first response"]
    assert first.state == "breached" and first.stopped_at == T0 + timedelta(hours=5)
    assert next_running(desk.deadlines(desk.case(case.id))) is None, "not breaching in the queue"


def test_a_reopen_restarts_the_update_clock_core_sla_3(desk, case, clock) -> None:
    clock(T0 + timedelta(hours=1))
    desk.note(case.id, "looking into it", to_customer=True)
    clock(T0 + timedelta(hours=2))
    desk.resolve(case.id, "fixed", to_customer=True)
    assert desk_clocks(desk, case.id)["desk update"].state == "stopped"
    clock(T0 + timedelta(days=3))
    desk.reopen(case.id, "it came back")
    update = desk_clocks(desk, case.id)["desk update"]
    assert update.start == T0 + timedelta(days=3) and update.state == "ok"


def test_a_closed_case_has_no_running_or_paused_clock_core_sla_3(desk, case, clock) -> None:
    clock(T0 + timedelta(hours=1))
    desk.pending(case.id, "waiting for the customer's log")
    assert desk_clocks(desk, case.id)["desk first response"].state == "paused"
    clock(T0 + timedelta(hours=2))
    desk.close(case.id, "withdrawn")
    states = {d.name: d.state for d in desk.case(case.id).outcomes}
    assert states["desk first response"] == "stopped"
    assert not {"ok", "at-risk", "paused"} & set(states.values())


def test_a_case_closed_before_the_rule_keeps_no_running_or_paused_clock_core_sla_3(run_cli) -> None:
    """A case closed by an earlier version stored its clocks as they were at the close, paused
    or running: read back, every one of them is stopped at the close (a met or breached clock
    keeps its outcome) — in `case show`, `case list --all`, the timeline and the evidence pack."""
    from workbench.store import FileStore

    now = ("--now", "2026-11-24T10:00+09:00")
    assert run_cli("customer", "add", "Contoso Japan KK", *now)[0] == 0
    opened = ("case", "new", "--vendor", "webex", "--customer", "CUS-1", "--subject", "s")
    assert run_cli(*opened, "--field", "kind=technical", *now)[0] == 0
    assert (
        run_cli("case", "note", "C-1", "we look into it", "--to-customer", "--now", "2026-11-24T10:30+09:00")[
            0
        ]
        == 0
    )
    assert run_cli("case", "close", "C-1", "--reason", "withdrawn", "--now", "2026-11-24T12:00+09:00")[0] == 0
    store = FileStore(run_cli.db)
    with store.transaction() as tx:  # the record as the earlier version stored it: one clock running
        record = tx.get("cases", "C-1")
        first, update = record["outcomes"]
        assert (first["state"], update["name"], update["state"]) == ("met", "desk update", "stopped")
        update.update(state="ok", stopped_at=None, due="2026-12-31T09:00:00+00:00", remaining_minutes=60)
        tx.put("cases", "C-1", record)
    store.close()
    later = ("--now", "2026-11-30T10:00+09:00")
    status, out, _ = run_cli("case", "list", "--all", "--json", *later)
    assert [c["next_deadline"] for c in json.loads(out)] == [None]
    status, out, err = run_cli("case", "show", "C-1", "--json", *later)
    assert status == 0, err
    states = {d["name"]: (d["state"], d["stopped_at"]) for d in json.loads(out)["deadlines"]}
    assert states == {
        "desk first response": ("met", None),
        "desk update": ("stopped", "2026-11-24T03:00:00+00:00"),
    }
    paused = Deadline("desk update", "desk", None, "desk", "CORE-SLA-3", "", "paused")
    closed = Case("C-9", "webex", "CUS-1", "s", T0, state="closed", closed_at=T0, outcomes=[paused])
    assert Case.from_dict(closed.to_dict()).outcomes[0].state == "stopped"


def test_a_resolution_to_the_customer_needs_its_message_core_sla_3(desk, case) -> None:
    with pytest.raises(BadInput, match="needs the message"):
        desk.resolve(case.id, " ", to_customer=True)


def test_the_desk_policy_close_is_off_by_default_and_uses_no_reply_core_sla_3(desk, case, clock) -> None:
    desk.pending(case.id, "waiting")
    clock(T0 + timedelta(hours=200))
    desk.sweep()
    assert desk.case(case.id).state == "pending"
    desk.set_setting("core.pending_close_hours", "72")
    desk.sweep()
    closed = desk.case(case.id)
    assert (closed.state, closed.close_reason) == ("closed", "no-reply")
    assert desk.events("cases", case.id)[-1].rule == "CORE-SLA-3"


def test_a_new_desk_has_no_name_until_it_gives_itself_one(desk) -> None:
    assert desk.setting("desk.name") == ""
    desk.fill_demo()
    assert desk.setting("desk.name") == "Demo desk"


def test_resolve_to_the_customer_on_the_command_line_core_sla_3(run_cli) -> None:
    assert run_cli("customer", "add", "Contoso Japan KK", "--now", "2026-11-24T10:00+09:00")[0] == 0
    assert (
        run_cli(
            "case",
            "new",
            "--vendor",
            "webex",
            "--customer",
            "CUS-1",
            "--subject",
            "s",
            "--field",
            "kind=technical",
            "--now",
            "2026-11-24T10:00+09:00",
        )[0]
        == 0
    )
    status, out, _ = run_cli(
        "case",
        "resolve",
        "C-1",
        "Join again after clearing the cache.",
        "--to-customer",
        "--json",
        "--now",
        "2026-11-24T11:00+09:00",
    )
    assert status == 0
    first = next(d for d in json.loads(out)["deadlines"] if d["name"] == "desk first response")
    assert first["state"] == "met"


def test_demo_customers_carry_only_their_vendors_attributes(desk) -> None:
    """A customer with only WebEx or OnTime contracts gets no Zoho region, so no Zoho priority
    support eligibility (ZOHO-PRIO-1 answers for Zoho customers only)."""
    desk.fill_demo()
    for customer in desk.customers():
        vendors = {c.vendor for c in desk.contracts(customer_id=customer.id)}
        vendors |= {c.vendor for c in desk.cases(customer_id=customer.id)}
        shown = {e.vendor for e in desk.eligibility(customer.id)}
        assert "zoho" not in shown or "zoho" in vendors, customer.name
