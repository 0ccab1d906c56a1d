"""Every hook of the contract, exercised through the desk service with a throwaway vendor.

Each ``test_hook_<name>`` shows what the desk does with that hook's answers; the contract
test requires one per hook.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from workbench import hookimpl
from workbench.calendar import TWENTY_FOUR_SEVEN
from workbench.desk import BadInput, Invalid, Refused
from workbench.model import (
    Action,
    CloseReason,
    Commitment,
    Decision,
    Eligibility,
    Field,
    Finding,
    Ladder,
    MailDraft,
    Quote,
    QuoteLine,
    Route,
    Rule,
    Rung,
    Setting,
    StepTemplate,
    Tally,
    VendorProgram,
    WorkflowTemplate,
)
from workbench.testing import make_desk


class Acme:
    """A small vendor program that answers every hook, for the acme vendor only."""

    @hookimpl
    def workbench_vendor(self):
        return VendorProgram(
            id="acme",
            name="Acme Support",
            version="1.0",
            rules=[
                Rule("ACME-1", "Acme answers within 8 hours."),
                Rule("ACME-2", "Escalate after the answer is late."),
            ],
            products=["licence", "support", "tuning"],
            support_products=["support"],
            consulting_products=["tuning"],
            settings=[Setting("acme.answer_hours", 8, "Acme's answer time.", kind="number", rule="ACME-1")],
        )

    @hookimpl
    def workbench_case_fields(self, vendor, desk):
        if vendor != "acme":
            return None
        return [
            Field("kind", "Kind", "choice", required=True, choices=["question", "tuning"], rule="ACME-1"),
            Field("details", "Details", "longtext", help="What happened"),
        ]

    @hookimpl
    def workbench_validate_case(self, case, desk):
        if case.vendor != "acme":
            return None
        if "secret" in case.fields.get("details", ""):
            return [Finding("error", "ACME-1", "no secrets in tickets", "details")]
        if not case.fields.get("details"):
            return [Finding("warning", "ACME-1", "details help Acme answer faster", "details")]
        return []

    @hookimpl
    def workbench_route_case(self, case, desk):
        if case.vendor != "acme":
            return None
        if case.fields.get("kind") == "tuning":
            return Route("consulting", "acme-consulting", "ACME-1", "tuning is consulting")
        return Route("subscription-support", "acme-support", "ACME-1", "questions go to support")

    @hookimpl
    def workbench_case_severity(self, case, desk):
        return "2" if case.vendor == "acme" else None

    @hookimpl
    def workbench_check_send(self, case, desk, now):
        if case.vendor != "acme" or case.fields.get("details"):
            return None
        return Decision(False, "ACME-1", "Acme needs the details before it takes a case", missing=["Details"])

    @hookimpl
    def workbench_compose_mail(self, case, purpose, text, desk):
        if case.vendor != "acme" or purpose != "vendor":
            return None
        if not case.fields.get("details"):
            return Decision(False, "ACME-1", "Acme's ticket needs the details", missing=["Details"])
        return MailDraft(
            ["tickets@acme.example"],
            f"Ticket: {case.subject}",
            f"{text}\nDetails: {case.fields['details']}\n",
            "ACME-1",
            "Acme takes tickets by e-mail",
        )

    @hookimpl
    def workbench_commitments(self, case, desk):
        if case.vendor != "acme":
            return None
        return [
            Commitment(
                "acme answer",
                case.opened_at,
                int(desk.setting("acme.answer_hours")) * 60,
                TWENTY_FOUR_SEVEN.to_dict(),
                "ACME-1",
                "Acme answers within 8 hours",
                met_by=["vendor-reply"],
            )
        ]

    @hookimpl
    def workbench_escalation_ladder(self, case, desk):
        if case.vendor != "acme":
            return None
        return Ladder([Rung(1, "Acme engineer", "technical", "the answer is late", "ACME-2")], "ACME-2")

    @hookimpl
    def workbench_check_escalation(self, case, track, level, desk, now):
        if case.vendor != "acme" or track != "technical":
            return None
        late_from = case.opened_at + timedelta(hours=8)
        if now < late_from:
            return Decision(False, "ACME-2", "Acme's answer is not late yet", earliest=late_from)
        return Decision(True, "ACME-2", "Acme's answer is late")

    @hookimpl
    def workbench_close_reasons(self, case, desk):
        if case.vendor != "acme":
            return None
        return [CloseReason("answered", "Acme answered", "ACME-1")]

    @hookimpl
    def workbench_sweep(self, case, desk, now):
        if case.vendor != "acme" or now < case.opened_at + timedelta(hours=1):
            return None
        return [
            Action(
                "reminder",
                f"acme-nudge:{case.id}",
                "ACME-1",
                "nudge Acme after an hour",
                {"email": "Dear Acme, any news?"},
            )
        ]

    @hookimpl
    def workbench_sweep_desk(self, desk, now):
        return [
            Action(
                "open-workflow",
                f"acme-renewal:{c.id}",
                "ACME-1",
                "licence renews in 30 days",
                {"vendor": "acme", "template": "renewal", "contract_id": c.id, "anchor": c.end.isoformat()},
            )
            for c in desk.contracts(vendor="acme")
            if c.product == "licence" and c.end and (c.end - desk.today()).days <= 30
        ]

    @hookimpl
    def workbench_eligibility(self, customer, desk):
        return [
            Eligibility(
                "acme priority",
                "acme",
                customer.users >= 100,
                customer.users >= 100,
                "ACME-1",
                f"{customer.users} users (100 needed)",
            )
        ]

    @hookimpl
    def workbench_check_contract(self, contract, desk):
        if contract.vendor == "acme" and contract.product == "support" and not contract.list_price:
            return [Finding("error", "ACME-1", "support needs a list price", "list_price")]
        return []

    @hookimpl
    def workbench_quote(self, contract, desk):
        if contract.vendor != "acme":
            return None
        fee = contract.list_price // 10
        return Quote(
            contract.id,
            [QuoteLine("support fee", fee, "JPY", "ACME-1", "10% of list price")],
            "ACME-1",
            "rounded down to whole yen",
        )

    @hookimpl
    def workbench_workflow_templates(self, vendor, desk):
        if vendor != "acme":
            return None
        return [
            WorkflowTemplate(
                "renewal",
                "acme",
                "Acme renewal",
                [
                    StepTemplate("notice", "Notice sent", "ACME-1", offset_days=-14),
                    StepTemplate("order", "Order placed", "ACME-1", offset_days=-7, form="order"),
                    StepTemplate("renewed", "Renewed", "ACME-1", offset_days=0),
                ],
                "ACME-1",
                kind="renewal",
            )
        ]

    @hookimpl
    def workbench_form_fields(self, vendor, form, desk):
        if vendor != "acme" or form != "order":
            return None
        return [Field("po", "PO number", "text", required=True), Field("seats", "Seats", "number")]

    @hookimpl
    def workbench_check_step(self, workflow, step, data, desk, now):
        if workflow.vendor != "acme" or step != "order":
            return None
        if data.get("seats", 0) > 500:
            return Decision(
                False, "ACME-1", "more than 500 seats needs Acme's approval", missing=["approval"]
            )
        return Decision(True, "ACME-1", "order complete")

    @hookimpl
    def workbench_step_state(self, workflow, step, desk, now):
        if workflow.vendor != "acme" or step.id != "order":
            return None
        return "at-risk" if workflow.steps[0].done_at is None else "ok"

    @hookimpl
    def workbench_workflow_findings(self, workflow, desk, now):
        if workflow.vendor != "acme":
            return None
        return [Finding("info", "ACME-1", "Acme renews on the anchor date")]

    @hookimpl
    def workbench_mail_domains(self, vendor, desk):
        return ["acme.example"] if vendor == "acme" else None

    @hookimpl
    def workbench_tallies(self):
        return [Tally("acme.questions", "ACME-1", "questions sent to Acme", {"fields.kind": ["question"]})]

    @hookimpl
    def workbench_demo(self, desk):
        customer = desk.add_customer("Acme Demo KK")
        desk.open_case("acme", customer.id, "Demo question", {"kind": "question", "details": "x"})
        return ["acme: 1 customer, 1 case"]


@pytest.fixture
def acme(clock):
    return make_desk([("acme", Acme())])


def _customer_with_support(desk, users=10):
    customer = desk.add_customer("Northwind Traders", users=users)
    desk.add_contract(
        customer.id, "acme", "support", date(2026, 1, 1), date(2027, 12, 31), list_price=100_000
    )
    return customer


def test_hook_workbench_vendor(acme) -> None:
    assert acme.programs()["acme"].name == "Acme Support"
    assert "acme" in acme.vendors() and "core" not in acme.vendors()
    setting = next(s for s in acme.settings() if s.key == "acme.answer_hours")
    assert (setting.value, setting.default, setting.program) == (8, 8, "acme")
    assert acme.rule_text("ACME-2") == "Escalate after the answer is late."


def test_hook_workbench_case_fields(acme) -> None:
    customer = _customer_with_support(acme)
    assert [f.name for f in acme.case_fields("acme")] == ["kind", "details", "nature"]  # CORE-PATH-3
    with pytest.raises(Invalid, match="Kind is required"):
        acme.open_case("acme", customer.id, "Help", {"details": "x"})
    with pytest.raises(BadInput, match="kind: 'bug' is not one of: question, tuning"):
        acme.open_case("acme", customer.id, "Help", {"kind": "bug"})
    with pytest.raises(BadInput, match="colour: not a field of the acme form"):
        acme.open_case("acme", customer.id, "Help", {"colour": "red"})


def test_hook_workbench_validate_case(acme) -> None:
    customer = _customer_with_support(acme)
    with pytest.raises(Invalid) as refused:
        acme.open_case("acme", customer.id, "Help", {"kind": "question", "details": "my secret"})
    assert refused.value.findings[0].rule == "ACME-1"
    assert acme.cases() == []
    preview = acme.preview_case("acme", customer.id, "Help", {"kind": "question"})
    assert not preview.blocked and preview.findings[0].level == "warning"


def test_hook_workbench_route_case(acme) -> None:
    customer = _customer_with_support(acme)
    case = acme.open_case("acme", customer.id, "Help", {"kind": "question", "details": "x"})
    assert (case.path, case.queue, case.route_rule) == ("subscription-support", "acme-support", "ACME-1")
    rerouted = acme.update_fields(case.id, {"kind": "tuning"})
    assert (rerouted.path, rerouted.queue) == ("consulting", "acme-consulting")
    event = acme.events("cases", case.id)[-1]
    assert (event.action, event.rule, event.reason) == ("reroute", "ACME-1", "tuning is consulting")


def test_consulting_without_support_is_refused_core_path_2(acme) -> None:
    """CORE-PATH-2: a consulting path, or a consulting contract, needs active support."""
    customer = acme.add_customer("No Support Ltd")
    with pytest.raises(Invalid) as refused:
        acme.open_case("acme", customer.id, "Tune it", {"kind": "tuning", "details": "slow"})
    assert refused.value.findings[0].rule == "CORE-PATH-2"
    with pytest.raises(Invalid, match="CORE-PATH-2"):
        acme.add_contract(customer.id, "acme", "tuning", date(2026, 11, 1))
    assert acme.contracts() == []


def test_hook_workbench_case_severity(acme) -> None:
    customer = _customer_with_support(acme)
    assert acme.open_case("acme", customer.id, "Help", {"kind": "question"}).severity == "2"


def test_hook_workbench_commitments(acme, clock) -> None:
    customer = _customer_with_support(acme)
    case = acme.open_case("acme", customer.id, "Help", {"kind": "question", "details": "sync"})
    acme.send_to_vendor(case.id)
    vendor = next(d for d in acme.deadlines(case) if d.name == "acme answer")
    assert vendor.due == case.opened_at + timedelta(hours=8) and vendor.state == "ok"
    assert vendor.calendar == "24x7"
    clock(case.opened_at + timedelta(hours=7))
    assert next(d for d in acme.deadlines(case) if d.name == "acme answer").state == "at-risk"
    acme.pending(case.id, "need logs")
    clock(case.opened_at + timedelta(hours=31))
    acme.customer_reply(case.id, "logs attached")
    paused = next(d for d in acme.deadlines(acme.case(case.id)) if d.name == "acme answer")
    assert paused.due == case.opened_at + timedelta(hours=32)  # 24 h pending left out (CORE-SLA-1)
    acme.vendor_reply(case.id, "fixed")
    met = next(d for d in acme.deadlines(acme.case(case.id)) if d.name == "acme answer")
    assert met.state == "met" and met.met_at == case.opened_at + timedelta(hours=31)


def test_desk_clock_pauses_on_customer_not_on_vendor_core_sla_3(acme, clock) -> None:
    """CORE-SLA-3: waiting on the customer pauses the desk's clock, waiting on the vendor does not."""
    customer = _customer_with_support(acme)
    clock("2026-11-24T10:00+09:00")
    case = acme.open_case("acme", customer.id, "Help", {"kind": "question"})
    first = next(d for d in acme.deadlines(case) if d.name == "desk first response")
    assert first.due == datetime.fromisoformat("2026-11-24T14:00+09:00") and first.rule == "CORE-SLA-3"
    acme.update_fields(case.id, {"details": "calendar sync stops"})
    acme.send_to_vendor(case.id)
    clock("2026-11-24T13:00+09:00")
    assert (
        next(d for d in acme.deadlines(acme.case(case.id)) if d.name == "desk first response").due
        == first.due
    )
    acme.vendor_reply(case.id)
    acme.pending(case.id)
    clock("2026-11-25T13:00+09:00")
    acme.customer_reply(case.id)
    moved = next(d for d in acme.deadlines(acme.case(case.id)) if d.name == "desk first response")
    assert moved.due == datetime.fromisoformat("2026-11-25T14:00+09:00")


def test_hook_workbench_escalation_ladder(acme) -> None:
    customer = _customer_with_support(acme)
    case = acme.open_case("acme", customer.id, "Help", {"kind": "question"})
    ladder = acme.ladder(case)
    assert [(r.track, r.level, r.role) for r in ladder.rungs] == [
        ("technical", 1, "Acme engineer"),
        ("commercial", 1, "account manager"),
        ("commercial", 2, "sales executive"),
    ]


def test_hook_workbench_check_escalation(acme, clock) -> None:
    """CORE-ESC-1: refused too early with the earliest time, allowed after it."""
    customer = _customer_with_support(acme)
    case = acme.open_case("acme", customer.id, "Help", {"kind": "question"})
    clock(case.opened_at + timedelta(hours=8) - timedelta(minutes=1))
    with pytest.raises(Refused) as refused:
        acme.escalate(case.id, "technical", "no answer")
    assert refused.value.decision.rule == "ACME-2"
    assert refused.value.decision.earliest == case.opened_at + timedelta(hours=8)
    assert acme.case(case.id).escalations == []
    clock(case.opened_at + timedelta(hours=8))
    escalated = acme.escalate(case.id, "technical", "no answer", owner="Kenji (Acme)")
    assert (escalated.level("technical"), escalated.escalations[0].owner) == (1, "Kenji (Acme)")
    with pytest.raises(Refused, match="top of the technical ladder"):
        acme.escalate(case.id, "technical")


def test_commercial_escalation_needs_evidence_and_a_stalled_track_core_esc_2(acme, clock) -> None:
    customer = _customer_with_support(acme)
    case = acme.open_case("acme", customer.id, "Help", {"kind": "question", "details": "sync"})
    acme.send_to_vendor(case.id)
    sent = acme.case(case.id).sent_at
    clock(sent + timedelta(days=31))
    with pytest.raises(Refused) as refused:
        acme.escalate(case.id, "commercial")
    assert refused.value.decision.rule == "CORE-ESC-2"
    assert refused.value.decision.missing == ["technical evidence"]
    clock(sent + timedelta(days=9))  # history in time order (CORE-AUDIT-1): before the reply
    acme.attach_evidence(case.id, "reproduction", "steps 1-2-3 reproduce it")
    clock(sent + timedelta(days=10))
    acme.vendor_reply(case.id, "looking")
    clock(sent + timedelta(days=39))
    with pytest.raises(Refused) as early:
        acme.escalate(case.id, "commercial")
    assert early.value.decision.earliest == sent + timedelta(days=40)
    clock(sent + timedelta(days=40))
    assert acme.escalate(case.id, "commercial").escalations[-1].role == "account manager"


def test_hook_workbench_close_reasons(acme, clock) -> None:
    customer = _customer_with_support(acme)
    case = acme.open_case("acme", customer.id, "Help", {"kind": "question"})
    with pytest.raises(Refused, match="refused by ACME-1: 'resolved' is not a closure reason for acme"):
        acme.close(case.id, "resolved")
    clock(case.opened_at + timedelta(hours=9))
    closed = acme.close(case.id, "answered")
    assert closed.state == "closed" and closed.close_reason == "answered"
    kept = {d.name: d.state for d in closed.outcomes}
    assert kept["acme answer"] == "breached"  # CORE-AUDIT-1: outcomes kept for reporting
    assert acme.events("cases", case.id)[-1].rule == "ACME-1"


def test_hook_workbench_sweep(acme, clock) -> None:
    customer = _customer_with_support(acme)
    case = acme.open_case("acme", customer.id, "Help", {"kind": "question"})
    clock(case.opened_at + timedelta(hours=2))
    report = acme.sweep()
    assert [a["key"] for a in report.applied] == [f"acme-nudge:{case.id}"]
    again = acme.sweep()
    assert again.applied == [] and again.breaches == []
    reminders = [e for e in acme.events("cases", case.id) if e.action == "reminder"]
    assert len(reminders) == 1 and reminders[0].data["email"] == "Dear Acme, any news?"


def test_sweep_records_each_breach_once_core_sla_2(acme, clock) -> None:
    customer = _customer_with_support(acme)
    case = acme.open_case("acme", customer.id, "Help", {"kind": "question"})
    clock(case.opened_at + timedelta(hours=8, minutes=1))
    breaches = acme.sweep().breaches
    assert {b["deadline"] for b in breaches} == {"acme answer", "desk first response"}
    assert acme.sweep().breaches == []
    assert len([e for e in acme.events("cases", case.id) if e.action == "breach"]) == 2


def test_hook_workbench_sweep_desk(acme, clock) -> None:
    customer = _customer_with_support(acme)
    licence = acme.add_contract(customer.id, "acme", "licence", date(2026, 1, 1), date(2026, 12, 20))
    report = acme.sweep()
    assert len(report.opened) == 1
    workflow = acme.workflow(report.opened[0])
    assert (workflow.contract_id, workflow.anchor) == (licence.id, date(2026, 12, 20))
    assert [s.due for s in workflow.steps] == [date(2026, 12, 6), date(2026, 12, 13), date(2026, 12, 20)]
    assert acme.sweep().opened == []


def test_hook_workbench_eligibility(acme) -> None:
    small, large = acme.add_customer("Small KK", users=99), acme.add_customer("Large KK", users=100)
    assert [e.eligible for e in acme.eligibility(small.id)] == [False]
    assert [e.eligible for e in acme.eligibility(large.id)] == [True]


def test_hook_workbench_check_contract(acme) -> None:
    customer = acme.add_customer("Northwind")
    with pytest.raises(Invalid, match="support needs a list price"):
        acme.add_contract(customer.id, "acme", "support", date(2026, 1, 1))
    with pytest.raises(BadInput, match="'gold' is not a Acme Support product"):
        acme.add_contract(customer.id, "acme", "gold", date(2026, 1, 1))


def test_hook_workbench_quote(acme) -> None:
    customer = _customer_with_support(acme)
    contract = acme.contracts(customer.id)[0]
    quote = acme.quote(contract.id)
    assert [(line.amount, line.rule) for line in quote.lines] == [(10_000, "ACME-1")]


def test_hook_workbench_workflow_templates(acme) -> None:
    assert [t.id for t in acme.workflow_templates("acme")] == ["renewal"]
    with pytest.raises(BadInput, match="needs an anchor date"):
        acme.open_workflow("acme", "renewal")


def test_hook_workbench_form_fields(acme) -> None:
    workflow = acme.open_workflow("acme", "renewal", anchor=date(2027, 1, 31))
    acme.complete_step(workflow.id, "notice")
    with pytest.raises(Invalid) as invalid:  # a form error is bad input
        acme.complete_step(workflow.id, "order", {"seats": "10"})
    assert [(f.field, f.message) for f in invalid.value.findings] == [("po", "PO number is required")]
    acme.complete_step(workflow.id, "order", {"po": "PO-77", "seats": "10"})
    assert acme.form_text(workflow.id, "order") == ["PO number: PO-77", "Seats: 10"]


def test_hook_workbench_check_step(acme) -> None:
    workflow = acme.open_workflow("acme", "renewal", anchor=date(2027, 1, 31))
    with pytest.raises(Refused, match="steps complete in order: 'Notice sent' comes first"):
        acme.complete_step(workflow.id, "renewed")
    acme.complete_step(workflow.id, "notice")
    with pytest.raises(Refused) as refused:
        acme.complete_step(workflow.id, "order", {"po": "PO-1", "seats": "900"})
    assert refused.value.decision.missing == ["approval"]
    assert acme.workflow(workflow.id).steps[1].done_at is None


def test_hook_workbench_workflow_findings(acme) -> None:
    workflow = acme.open_workflow("acme", "renewal", anchor=date(2026, 12, 1))
    view = acme.workflow_view(workflow.id)
    assert [f.message for f in view.findings] == ["Acme renews on the anchor date"]
    assert view.state == "breached"  # notice was due 2026-11-17, the desk clock is 2026-11-24


def test_hook_workbench_step_state(acme) -> None:
    """CORE-SLA-2: the vendor's answer is a step's state; without one its due date decides."""
    workflow = acme.open_workflow("acme", "renewal", anchor=date(2027, 1, 31))
    states = acme.workflow_view(workflow.id).step_states
    assert states == {"notice": "ok", "order": "at-risk", "renewed": "ok"}
    acme.complete_step(workflow.id, "notice")
    view = acme.workflow_view(workflow.id)
    assert view.step_states == {"notice": "done", "order": "ok", "renewed": "ok"}
    assert view.to_dict()["step_states"]["order"] == "ok" and view.state == "ok"


def test_hook_workbench_demo(acme) -> None:
    assert "acme: 1 customer, 1 case" in acme.fill_demo()
    assert any(c.vendor == "acme" for c in acme.cases())


def test_hook_workbench_check_send(acme) -> None:
    customer = _customer_with_support(acme)
    case = acme.open_case("acme", customer.id, "Help", {"kind": "question"})
    with pytest.raises(Refused) as refused:
        acme.send_to_vendor(case.id)
    assert (refused.value.decision.rule, refused.value.decision.missing) == ("ACME-1", ["Details"])
    assert acme.case(case.id).state == "open" and acme.case(case.id).sent_at is None
    acme.update_fields(case.id, {"details": "the sync job stops at 02:00"})
    assert acme.send_to_vendor(case.id).state == "waiting-vendor"


def test_hook_workbench_compose_mail(acme, tmp_path) -> None:
    """The vendor's draft becomes a message that names its case (subject, Message-ID), from
    the desk's sender; a refusal is raised with its rule; the core writes to the customer."""
    from workbench.mail.compose import case_of_message_id, compose
    from workbench.mail.outbound import send

    customer = _customer_with_support(acme)
    case = acme.open_case("acme", customer.id, "Sync stops", {"kind": "question"})
    acme.set_setting("mail.from", "desk@reseller.example")
    with pytest.raises(Refused) as refused:
        compose(acme, case.id, "vendor", "")
    assert (refused.value.decision.rule, refused.value.decision.missing) == ("ACME-1", ["Details"])
    acme.update_fields(case.id, {"details": "the sync job stops at 02:00"})
    composed = compose(acme, case.id, "vendor", "Please look.")
    message = composed.message
    assert (message["From"], message["To"]) == ("desk@reseller.example", "tickets@acme.example")
    assert message["Subject"] == f"[{case.id}] Ticket: Sync stops"
    assert case_of_message_id(message["Message-ID"]) == case.id
    assert message.get_content() == "Please look.\nDetails: the sync job stops at 02:00\n"
    changed, _ = send(acme, composed, eml=tmp_path / "ticket.eml")
    assert changed.state == "waiting-vendor"
    assert acme.events("cases", case.id)[-1].data["mail"]["message_id"] == message["Message-ID"]
    with pytest.raises(Refused, match="CORE-SLA-3"):  # the core: the customer has no e-mail
        compose(acme, case.id, "response", "We are on it.")
    acme.update_customer(customer.id, email="it@northwind.example")
    assert compose(acme, case.id, "response", "We are on it.").message["To"] == "it@northwind.example"


def test_hook_workbench_tallies(acme, clock) -> None:
    """A tally counts the cases sent in a window whose record holds its values, closed ones
    included; a tally no plugin declares is bad input."""
    customer = _customer_with_support(acme)
    start = clock(datetime.fromisoformat("2026-11-02T10:00+09:00"))
    for number, kind in enumerate(["question", "question", "tuning", "question"]):
        clock(start + timedelta(hours=number))
        case = acme.open_case("acme", customer.id, "Help", {"kind": kind, "details": "sync stops"})
        if number < 3:
            acme.send_to_vendor(case.id)
        if number == 0:
            acme.close(case.id, acme.close_reasons(acme.case(case.id))[0].code)
    now = acme.now()
    assert acme.tally("acme.questions", (now - timedelta(days=1), now)) == 2
    assert acme.tally("acme.questions", (start, now)) == 1  # after the first instant, not at it
    assert acme.tallies()["acme.questions"].counts(acme.case(case.id)) is True
    with pytest.raises(BadInput, match="no tally with ID 'acme.answers'"):
        acme.tally("acme.answers", (start, now))


def test_hook_workbench_mail_domains(acme, clock) -> None:
    """A message on an Acme case from a domain Acme declares (or its subdomain) is Acme's
    answer; the same message from anywhere else changes no clock."""
    from workbench.mail.inbound import read_message

    customer = _customer_with_support(acme)
    case = acme.open_case("acme", customer.id, "Help", {"kind": "question", "details": "sync stops"})
    acme.send_to_vendor(case.id)

    def mail(sender: str, number: int) -> bytes:
        head = f"From: {sender}\r\nSubject: [{case.id}] answer\r\nMessage-ID: <{number}@x>\r\n"
        return f"{head}\r\nhi\r\n".encode()

    other = acme.take_mail(read_message(mail("help@acme.example.net", 1)), "test")
    assert other.rule == "CORE-AUDIT-1" and acme.case(case.id).state == "waiting-vendor"
    answer = acme.take_mail(read_message(mail("help@eu.acme.example", 2)), "test")
    assert answer.rule == "CORE-SLA-4" and acme.case(case.id).state == "open"
    assert acme.events("cases", case.id)[-1].action == "vendor-reply"


def test_escalation_owner_recorded_after_the_fact(acme, clock) -> None:
    customer = _customer_with_support(acme)
    case = acme.open_case("acme", customer.id, "Help", {"kind": "question"})
    clock(case.opened_at + timedelta(hours=8))
    acme.escalate(case.id, "technical", "late")
    with pytest.raises(BadInput, match="no commercial escalation at level 1"):
        acme.set_escalation_owner(case.id, "commercial", 1, "Mina")
    updated = acme.set_escalation_owner(case.id, "technical", 1, "Mina (Acme support lead)")
    assert updated.escalations[0].owner == "Mina (Acme support lead)"
    assert acme.events("cases", case.id)[-1].action == "escalation-owner"


def test_a_sweep_that_opens_an_overdue_workflow_also_applies_its_reminder(desk, clock) -> None:
    """CORE-SLA-2 / ONTIME-RENEW-1: a renewal the sweep opens late is reminded in the same
    sweep, so a second sweep at the same time changes nothing."""
    customer = desk.add_customer("北斗精機株式会社")
    desk.add_contract(customer.id, "ontime", "license", date(2025, 12, 14), list_price=600_000)
    first = desk.sweep()
    assert len(first.opened) == 1
    assert any(a.get("workflow") == first.opened[0] and a["kind"] == "reminder" for a in first.applied)
    second = desk.sweep()
    assert second.applied == [] and second.opened == []
