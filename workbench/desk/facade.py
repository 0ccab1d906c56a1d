"""The desk: the one service layer the CLI, the TUI and the plugins use.

:class:`Desk` is a façade. It holds the store, the plugins and the actor making changes,
and each of its methods is a function of one module below, by concern:

- :mod:`~workbench.desk.settings` — settings, vendor programs, the desk clock and calendar
- :mod:`~workbench.desk.customers` — customers, contracts, support, eligibility, quotes
- :mod:`~workbench.desk.intake` — a new case's form, validation, route and save
- :mod:`~workbench.desk.cases` — reading cases and the actions on their timeline
- :mod:`~workbench.desk.clocks` — deadlines, ball time and the SLA evidence timeline
- :mod:`~workbench.desk.evidence` — a case's evidence pack (CORE-SLA-4)
- :mod:`~workbench.desk.inbox` — mail in: each message taken once, on its case or in the Inbox
- :mod:`~workbench.desk.reports` — vendor and desk commitments kept, backlog, renewals due
- :mod:`~workbench.desk.escalation` — the ladder and climbing it
- :mod:`~workbench.desk.sweep` — the time-driven rules, applied once at the desk clock
- :mod:`~workbench.desk.workflows` — workflows, their steps and forms, renewals
- :mod:`~workbench.desk.records` — the event of every change (CORE-AUDIT-1)
- :mod:`~workbench.desk.agents` — the team, who acts, what each role may change (CORE-TEAM-1)
- :mod:`~workbench.desk.assignment` — who owns a case: assign, take, release, hand off (CORE-TEAM-2)
- :mod:`~workbench.desk.workload` — the lead's view: each agent's open work and ball time

Those functions take the desk as their first argument and reach the other parts only
through it, so a plugin and a part see the same desk. Every change is recorded as an
event (CORE-AUDIT-1). Nothing outside the desk calls a hook.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workbench.calendar import Calendar
from workbench.desk import (
    agents,
    assignment,
    cases,
    clocks,
    customers,
    escalation,
    evidence,
    inbox,
    intake,
    measures,
    records,
    reports,
    settings,
    sweep,
    team_demo,
    workflows,
    workload,
)
from workbench.desk.reads import ReadCache
from workbench.desk.settings import PLUGIN_TIME_LIMIT
from workbench.errors import NotFound
from workbench.model import Agent, Event, PaletteCommand, Setting, Tally, VendorProgram
from workbench.plugins import Plugins
from workbench.store.base import Store

if TYPE_CHECKING:
    from workbench.desk.kept_deadlines import KeptDeadlines


class Desk:
    """One reseller desk: its store, its plugins and the actor making changes."""

    def __init__(self, store: Store, plugins: Plugins, actor: str = "desk") -> None:
        self.store = store
        self.plugins = plugins
        self.actor = actor
        self._programs: dict[str, VendorProgram] | None = None
        self._setting_definitions: dict[str, tuple[Setting, str]] | None = None
        self._tallies: dict[str, Tally] | None = None
        self._reads: ReadCache | None = None
        self.unreadable: dict[str, str] = {}
        """Records a listing, the queue or the sweep left out because the desk cannot work
        them out (a damaged or unexpected record), each with why: the others are shown."""
        self._kept: KeptDeadlines | bool | None = None
        """The open cases' clocks kept between processes, once read (``False``: this
        desk's store keeps none; see :mod:`~workbench.desk.kept_deadlines`)."""
        self._batch_of: Desk | None = None
        """The desk this one is a batch of (:meth:`read_batch`)."""
        self.views: dict[tuple[str, str], int] = {}
        """The version (last event id) of each record a change is being made on the view of
        (see :meth:`viewing`)."""

    @contextmanager
    def viewing(self, kind: str, key: str, version: int) -> Iterator[None]:
        """Make the changes inside on a view of one record read at ``version`` (the id of
        its last event then, ``CaseView.version``): a change is refused with
        :class:`~workbench.errors.Stale` (CORE-AUDIT-1) when another agent has changed
        the record since, instead of being written over theirs."""
        self.views[(kind, key)] = version
        try:
            yield
        finally:
            del self.views[(kind, key)]

    def programs(self) -> dict[str, VendorProgram]:
        """Declared programs by id (the core's built-in included as ``core``), asked of the
        plugins once for the life of the desk; then the plugins' time limit is the desk's
        setting."""
        if self._programs is None:
            self._programs = {p.id: p for p in self.plugins.call("workbench_vendor")}
            self.plugins.time_limit = float(self.setting(PLUGIN_TIME_LIMIT))
        return self._programs

    def setting_definitions(self) -> dict[str, tuple[Setting, str]]:
        """Every declared setting by key, with the program that declares it; built once for
        the life of the desk, as the programs are (a sweep asks for settings 14,000 times)."""
        if self._setting_definitions is None:
            self._setting_definitions = settings.definitions(self)
        return self._setting_definitions

    def tallies(self) -> dict[str, Tally]:
        """The tallies the plugins declare (``workbench_tallies``) by name, asked once for the
        life of the desk; a name declared twice keeps its first declaration."""
        if self._tallies is None:
            declared: dict[str, Tally] = {}
            for answer in self.plugins.call("workbench_tallies"):
                for tally in answer:
                    declared.setdefault(tally.name, tally)
            self._tallies = declared
        return self._tallies

    def tally(self, name: str, sent_within: tuple[datetime, datetime]) -> int:
        """How many cases, closed ones included, the tally ``name`` counts among those first
        sent after ``sent_within[0]``, at or before ``sent_within[1]``: from the counts the
        store keeps, never by reading the window's cases where it keeps them (ZOHO-HOWTO-1).
        Raises ``NotFound`` for a tally no plugin declares (``workbench_tallies``)."""
        declared = self.tallies().get(name)
        if declared is None:
            raise NotFound("tally", name)
        return self.store.tally(declared.definition(), sent_within)

    def palette_commands(self) -> list[tuple[str, PaletteCommand]]:
        """(plugin, command) of each command the plugins add to the terminal desk's palette."""
        return self.plugins.palette_commands(self)

    def read_batch(self) -> Desk:
        """This desk for one batch of reads while nothing changes: the same store, plugins,
        actor and programs, reading through a fresh :class:`ReadCache` (see there what it
        remembers, and for how long)."""
        batch = Desk(self.store, self.plugins, self.actor)
        batch._programs = self.programs()
        batch._setting_definitions = self.setting_definitions()
        batch._tallies = self._tallies
        batch._reads = ReadCache()
        batch._batch_of = self._batch_of or self
        batch.unreadable = self.unreadable
        return batch

    def act_as_agent(self) -> Agent | None:
        """Resolve who this desk acts as: on a desk with agents, ``actor`` (``--as``,
        ``WORKBENCH_AGENT`` or the login name) must be an active agent's handle or login,
        and becomes the handle (bad input otherwise, CORE-TEAM-1); ``None`` on a desk
        with no agents, where the actor stays as it is. Every write checks it again."""
        agent = agents.acting(self)
        if agent is not None:
            self.actor = agent.handle
        return agent

    def is_empty(self) -> bool:
        return not any(self.store.all(kind) for kind in ("customers", "contracts", "cases", "workflows"))

    def fill_demo(self) -> list[str]:
        """Fill the desk with every plugin's demo records (``workbench demo``), worked by a
        team of four (:mod:`~workbench.desk.team_demo`)."""
        lines = team_demo.add_team(self)
        lines += records.flatten(self.plugins.call("workbench_demo", desk=self))
        return lines + team_demo.spread_work(self)

    # -- reads a batch remembers (ReadCache) -------------------------------------------

    def setting(self, key: str) -> Any:
        """A desk setting's value, or its default."""
        if self._reads is None:
            return settings.setting(self, key)
        return self._reads.setting(self, key)

    def desk_calendar(self, candidate: dict[str, Any] | None = None) -> Calendar:
        """The desk's own calendar (CORE-SLA-3); see :func:`settings.desk_calendar`."""
        if self._reads is None or candidate:
            return settings.desk_calendar(self, candidate)
        return self._reads.desk_calendar(self)

    def events(self, kind: str, key: str) -> list[Event]:
        """The events of one record, oldest first."""
        if self._reads is None:
            return records.events(self, kind, key)
        return self._reads.events(self, kind, key)

    # -- the rest, one function of a part each ----------------------------------------
    # Where a method has its module's name (``cases = cases.cases``) it comes last in its
    # group: below that line the class body's ``cases`` is the method, not the module.

    # settings.py
    now = settings.now
    at = settings.at
    today = settings.today
    timezone = settings.timezone
    locale = settings.locale
    vendors = settings.vendors
    program = settings.program
    rule_text = settings.rule_text
    set_setting = settings.set_setting
    saved_views = settings.saved_views
    save_view = settings.save_view
    settings = settings.settings

    # customers.py
    customer = customers.customer
    customer_named = customers.customer_named
    customer_of = customers.customer_of
    add_customer = customers.add_customer
    update_customer = customers.update_customer
    customer_attributes = customers.declared_customer_attributes
    contract = customers.contract
    contracts = customers.contracts
    add_contract = customers.add_contract
    update_contract = customers.update_contract
    check_contract = customers.check_contract
    active_contracts = customers.active_contracts
    has_support = customers.has_support
    quote = customers.quote
    eligibility = customers.eligibility
    customers = customers.customers

    # intake.py
    case_fields = intake.case_fields
    validate = intake.validate
    route = intake.route
    preview_case = intake.preview_case
    open_case = intake.open_case
    update_fields = intake.update_fields

    # cases.py
    case = cases.case
    view = cases.view
    case_actions = cases.actions
    close_reasons = cases.close_reasons
    vendor_times = measures.vendor_times
    note = cases.note
    send_to_vendor = cases.send_to_vendor
    vendor_reply = cases.vendor_reply
    pending = cases.pending
    customer_reply = cases.customer_reply
    resolve = cases.resolve
    attach_evidence = cases.attach_evidence
    close = cases.close
    reopen = cases.reopen
    unworkable_cases = cases.unworkable_cases
    cases = cases.cases

    # clocks.py
    deadlines = clocks.deadlines
    deadlines_for = clocks.deadlines_for
    keep_deadlines = clocks.keep_deadlines
    ball_minutes = clocks.ball_minutes
    timeline = clocks.timeline
    earlier_windows = clocks.earlier_windows
    vendor_milestones = clocks.vendor_milestones

    # evidence.py
    evidence_pack = evidence.evidence_pack

    # inbox.py
    take_mail = inbox.take_mail
    mail = inbox.mail
    mail_prefill = inbox.prefill
    open_case_from_mail = inbox.open_case_from_mail
    dismiss_mail = inbox.dismiss_mail
    attachments_folder = inbox.attachments_folder
    inbox = inbox.inbox

    # reports.py
    report_period = reports.period
    vendor_report = reports.vendor_report
    attainment_by_month = reports.attainment_by_month
    desk_report = reports.desk_report
    backlog_report = reports.backlog_report
    renewals_report = reports.renewals_report
    calendar_entries = reports.calendar_entries

    # escalation.py
    ladder = escalation.ladder
    escalation_options = escalation.escalation_options
    escalate = escalation.escalate
    set_escalation_owner = escalation.set_escalation_owner

    # sweep.py
    next_automatic = sweep.next_automatic
    sweep = sweep.sweep

    # agents.py
    agent = agents.agent
    acting_agent = agents.acting_agent
    add_agent = agents.add_agent
    edit_agent = agents.edit_agent
    agents = agents.agents

    # assignment.py
    assign = assignment.assign
    take = assignment.take
    release = assignment.release
    hand_off = assignment.hand_off

    # workload.py
    desk_minutes_by_agent = workload.desk_minutes_by_agent
    workload = workload.workload

    # workflows.py
    workflow_templates = workflows.workflow_templates
    form_fields = workflows.form_fields
    step_fields = workflows.step_fields
    workflow = workflows.workflow
    open_workflow = workflows.open_workflow
    check_step = workflows.check_step
    complete_step = workflows.complete_step
    form_text = workflows.form_text
    workflow_view = workflows.workflow_view
    renewals = workflows.renewals
    workflows = workflows.workflows
