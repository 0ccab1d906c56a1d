"""The behavioural conformance suite: what a vendor plugin does, checked against the contract.

``conformance("acme")`` (from :mod:`workbench.testing`) answers the problems found, each
naming the hook, on a desk of its own with every installed plugin:

- the plugin loaded, and its entry point is named as its program id;
- every hook answers ``None`` for another vendor's case, contract, customer and workflow (a
  hook whose answers add up may answer an empty list; a first-result hook may not: it would
  stop the others);
- on the program's own demo records (``workbench_demo``, the desk's own methods), every rule
  an answer cites is in the program's catalogue (or the core's), with a reason in words;
  a decision that refuses carries a rule and a reason; a commitment's calendar has a name;
- the intake form's fields are well formed: names unique, choices where a field is a
  choice, ``when`` conditions naming other fields of the form with values they can hold;
- the customer attributes it declares are well formed as fields are, each named
  ``PROGRAM.NAME``, labelled, and not required;
- the tallies it declares (``workbench_tallies``) are each named ``PROGRAM.NAME``, cite a
  declared rule, say what they count and compare values that are strings or booleans;
- no failure of the plugin was recorded while the suite ran.

An empty list: the plugin conforms.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from workbench.desk import Desk
from workbench.model import (
    Action,
    Case,
    CloseReason,
    Commitment,
    Contract,
    Decision,
    Eligibility,
    Field,
    Finding,
    Ladder,
    Route,
    Step,
    Workflow,
)
from workbench.plugins import Plugins, get_plugins
from workbench.store.memory import MemoryStore

OTHER = "conformance-other"
"""The vendor of the records that belong to no plugin: every hook answers ``None`` for them."""

MIN_REASON_WORDS = 3


def conformance(program_id: str, extra: list[tuple[str, object]] | None = None) -> list[str]:
    """The problems of the plugin that declares ``program_id`` (empty when it conforms).
    ``extra`` (name, object) pairs are registered beside the installed plugins."""
    plugins = get_plugins(extra)
    problems = [
        f"the plugin failed to load: {failure.error}"
        for failure in plugins.failures
        if failure.hook is None and program_id in (failure.plugin, failure.program)
    ]
    if problems:
        return problems
    if program_id not in plugins.names():
        return [f"no installed plugin is named {program_id!r} (the entry point is named as the program id)"]
    desk = Desk(MemoryStore(), plugins, actor="conformance")
    program = desk.programs().get(program_id)
    if program is None:
        return [f"plugin {program_id} declares no program (workbench_vendor answered None)"]
    suite = _Suite(desk, plugins, program_id)
    suite.foreign_records_get_no_answer()
    suite.intake_form_is_well_formed()
    suite.customer_attributes_are_well_formed()
    suite.tallies_are_well_formed()
    suite.own_decisions_cite_declared_rules()
    suite.problems += [
        f"a failure was recorded while the suite ran: {failure}"
        for failure in plugins.failures
        if failure.plugin == program_id
    ]
    return suite.problems


class _Suite:
    def __init__(self, desk: Desk, plugins: Plugins, name: str) -> None:
        self.desk = desk
        self.plugins = plugins
        self.name = name
        self.problems: list[str] = []
        programs = desk.programs()
        self.rules = {rule.id for rule in programs[name].rules} | {rule.id for rule in programs["core"].rules}

    def ask(self, hook: str, **kwargs: Any) -> tuple[bool, Any]:
        """The plugin's own answer to ``hook`` (contained: a failure is recorded), and
        whether it implements the hook at all."""
        for impl in getattr(self.plugins.pm.hook, hook).get_hookimpls():
            if impl.plugin_name == self.name:
                wanted = list(impl.argnames) + [a for a in impl.kwargnames if a in kwargs]
                return True, impl.function(**{a: kwargs[a] for a in wanted})
        return False, None

    # -- another vendor's records ---------------------------------------------------------

    def foreign_records_get_no_answer(self) -> None:
        desk, now = self.desk, self.desk.now()
        customer = desk.add_customer("Another vendor's customer")
        case = Case(
            id="C-OTHER",
            vendor=OTHER,
            customer_id=customer.id,
            subject="another vendor's case",
            opened_at=now,
        )
        contract = Contract(
            id="K-OTHER", customer_id=customer.id, vendor=OTHER, product="other", start=desk.today()
        )
        step = Step(id="first", title="first step", rule="OTHER-1", due=desk.today() + timedelta(days=1))
        workflow = Workflow(
            id="W-OTHER",
            vendor=OTHER,
            template="other",
            title="another vendor's workflow",
            steps=[step],
            opened_at=now,
        )
        questions = {
            "workbench_case_fields": {"vendor": OTHER},
            "workbench_validate_case": {"case": case},
            "workbench_route_case": {"case": case},
            "workbench_case_severity": {"case": case},
            "workbench_check_send": {"case": case, "now": now},
            "workbench_compose_mail": {"case": case, "purpose": "vendor", "text": ""},
            "workbench_commitments": {"case": case},
            "workbench_escalation_ladder": {"case": case},
            "workbench_check_escalation": {"case": case, "track": "technical", "level": 1, "now": now},
            "workbench_close_reasons": {"case": case},
            "workbench_sweep": {"case": case, "now": now},
            "workbench_eligibility": {"customer": customer},
            "workbench_check_contract": {"contract": contract},
            "workbench_quote": {"contract": contract},
            "workbench_workflow_templates": {"vendor": OTHER},
            "workbench_check_step": {"workflow": workflow, "step": "first", "data": {}, "now": now},
            "workbench_form_fields": {"vendor": OTHER, "form": "other"},
            "workbench_workflow_findings": {"workflow": workflow, "now": now},
            "workbench_step_state": {"workflow": workflow, "step": step, "now": now},
        }
        for hook, kwargs in questions.items():
            _, answer = self.ask(hook, desk=desk, **kwargs)
            adds_up = not getattr(self.plugins.pm.hook, hook).spec.opts["firstresult"]
            if answer is not None and not (adds_up and answer == []):
                what = next(iter(kwargs))
                self.problems.append(
                    f"{hook} answers for another vendor's {what} ({_short(answer)}): answer None when "
                    f"the {what} is not {self.name}'s"
                )

    # -- the intake form ------------------------------------------------------------------

    def intake_form_is_well_formed(self) -> None:
        _, fields = self.ask("workbench_case_fields", vendor=self.name, desk=self.desk)
        self.fields_are_well_formed("workbench_case_fields: field", fields or [])

    def customer_attributes_are_well_formed(self) -> None:
        """The customer attributes the program declares: fields as the form's are, each
        named ``PROGRAM.NAME`` with a label, and none required (a customer of another vendor
        has none)."""
        where = "workbench_vendor: customer attribute"
        attributes = self.desk.programs()[self.name].customer_attributes
        for field in attributes:
            if not field.name.startswith(f"{self.name}.") or field.name == f"{self.name}.":
                self.problems.append(f"{where} {field.name!r} is not named {self.name}.NAME")
            if not field.label.strip():
                self.problems.append(f"{where} {field.name!r} has no label")
            if field.required:
                self.problems.append(
                    f"{where} {field.name!r} is required: a customer of another vendor has none of "
                    "the program's attributes, so none may be required"
                )
        self.fields_are_well_formed(where, attributes)

    def tallies_are_well_formed(self) -> None:
        """Each tally named ``PROGRAM.NAME``, citing a declared rule, with a text, counting by
        at least one condition on string or boolean values (what every store compares)."""
        _, tallies = self.ask("workbench_tallies")
        for tally in tallies or []:
            where = f"workbench_tallies: tally {tally.name!r}"
            if not tally.name.startswith(f"{self.name}.") or tally.name == f"{self.name}.":
                self.problems.append(f"{where} is not named {self.name}.NAME")
            if tally.rule not in self.rules:
                self.problems.append(f"{where} cites undeclared rule {tally.rule!r}")
            if len(tally.text.split()) < MIN_REASON_WORDS:
                self.problems.append(f"{where} does not say in words what it counts")
            if not tally.where:
                self.problems.append(f"{where} has no condition: it would count every case sent")
            for path, values in (*tally.where.items(), *tally.where_not.items()):
                if not path or not values or not all(isinstance(v, str | bool) for v in values):
                    self.problems.append(
                        f"{where}: {path!r} must name a record value and list strings or booleans, "
                        f"not {values!r}"
                    )

    def fields_are_well_formed(self, where: str, fields: list[Field]) -> None:
        """Names unique, choices where a field is a choice, a default among them, declared
        rules, ``when`` conditions naming other fields with values they can hold."""
        by_name: dict[str, Field] = {}
        for field in fields:
            if not field.name or field.name in by_name:
                self.problems.append(f"{where} {field.name!r} is unnamed or named twice")
            by_name[field.name] = field
            if field.kind == "choice" and not field.choices:
                self.problems.append(f"{where} {field.name!r} is a choice that offers no choices")
            if field.default is not None and field.choices and field.default not in field.choices:
                self.problems.append(
                    f"{where} {field.name!r} defaults to {field.default!r}, not one of its choices"
                )
            if field.rule and field.rule not in self.rules:
                self.problems.append(f"{where} {field.name!r} cites undeclared rule {field.rule}")
        for field in fields:
            for other, wanted in field.when.items():
                source = by_name.get(other)
                if source is None or other == field.name:
                    self.problems.append(
                        f"{where} {field.name!r} is shown when {other!r} holds a value, "
                        "but there is no such other field"
                    )
                    continue
                values = wanted if isinstance(wanted, list) else [wanted]
                if source.kind == "choice" and any(v not in source.choices for v in values):
                    self.problems.append(
                        f"{where} {field.name!r} waits for {other}={wanted!r}, "
                        f"which is not one of {other}'s choices"
                    )

    # -- the program's own records --------------------------------------------------------

    def own_decisions_cite_declared_rules(self) -> None:
        desk = self.desk
        demo_hooks = [
            i for i in desk.plugins.pm.hook.workbench_demo.get_hookimpls() if i.plugin_name == self.name
        ]
        if not demo_hooks:
            self.problems.append(
                "workbench_demo: not implemented, so no record of the program could be made to check "
                "the rules its answers cite"
            )
            return
        demo_hooks[0].function(desk=desk)
        now, today = desk.now(), desk.today()
        cases = desk.cases(vendor=self.name)
        contracts = desk.contracts(vendor=self.name)
        workflows = desk.workflows(vendor=self.name)
        customers = {c.customer_id for c in [*cases, *contracts]}
        if not (cases or contracts or workflows):
            self.problems.append("workbench_demo: made no case, contract or workflow of the program")
        for case in cases:
            for hook, kwargs in (
                ("workbench_validate_case", {}),
                ("workbench_route_case", {}),
                ("workbench_check_send", {"now": now}),
                ("workbench_commitments", {}),
                ("workbench_escalation_ladder", {}),
                ("workbench_close_reasons", {}),
                ("workbench_sweep", {"now": now}),
            ):
                self.check(hook, self.ask(hook, case=case, desk=desk, **kwargs)[1], case.id)
            for track in ("technical", "commercial"):
                for level in (1, 2, 3):
                    kwargs = {"case": case, "track": track, "level": level, "desk": desk, "now": now}
                    self.check(
                        "workbench_check_escalation",
                        self.ask("workbench_check_escalation", **kwargs)[1],
                        case.id,
                    )
        for contract in contracts:
            for hook in ("workbench_check_contract", "workbench_quote"):
                self.check(hook, self.ask(hook, contract=contract, desk=desk)[1], contract.id)
        for customer_id in sorted(customers):
            customer = desk.customer(customer_id)
            self.check(
                "workbench_eligibility",
                self.ask("workbench_eligibility", customer=customer, desk=desk)[1],
                customer_id,
            )
        for workflow in workflows:
            findings = self.ask("workbench_workflow_findings", workflow=workflow, desk=desk, now=now)[1]
            self.check("workbench_workflow_findings", findings, workflow.id)
            for step in workflow.steps:
                if step.done_at is None:
                    kwargs = {"workflow": workflow, "step": step.id, "data": {}, "desk": desk, "now": now}
                    self.check(
                        "workbench_check_step", self.ask("workbench_check_step", **kwargs)[1], workflow.id
                    )
        self.check(
            "workbench_sweep_desk", self.ask("workbench_sweep_desk", desk=desk, now=now)[1], str(today)
        )

    def check(self, hook: str, answer: Any, record: str) -> None:
        """Every decision in ``answer`` cites a declared rule with a reason in words."""
        for item in answer if isinstance(answer, list) else [answer]:
            for rule, reason, refuses in _decisions(item):
                where = f"{hook} on {record}"
                if not rule:
                    self.problems.append(f"{where}: {_short(item)} cites no rule")
                elif rule not in self.rules:
                    self.problems.append(f"{where}: cites {rule}, which the catalogue does not declare")
                if reason is not None and len(reason.split()) < MIN_REASON_WORDS:
                    kind = "a refusal" if refuses else _short(item)
                    self.problems.append(f"{where}: {kind} gives no reason in words ({reason!r})")
            if isinstance(item, Commitment) and not (item.calendar or {}).get("name"):
                self.problems.append(
                    f"{hook} on {record}: commitment {item.name!r} has a calendar without a name"
                )


def _decisions(item: Any) -> list[tuple[str, str | None, bool]]:
    """(rule, reason or None where the type has none, whether it refuses) of one answer."""
    if isinstance(item, Decision):
        return [(item.rule, item.reason, not item.allowed)]
    if isinstance(item, (Route, Commitment, Action, Eligibility)):
        return [(item.rule, item.reason, False)]
    if isinstance(item, Finding):
        return [(item.rule, item.message, item.level == "error")]
    if isinstance(item, Ladder):
        return [(item.rule, None, False)] + [(rung.rule, None, False) for rung in item.rungs]
    if isinstance(item, CloseReason):
        return [(item.rule, item.text, False)]
    return []


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = ["OTHER", "conformance"]
