"""The team: the desk's agents with each one's open work (the lead's workload), the cases
of the highlighted agent, and the keys to add or change an agent and to reassign a case
(CORE-TEAM-1, CORE-TEAM-2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label, Static

from workbench.model import Agent, Case, Field
from workbench.render import duration, local
from workbench.tui.format import escape
from workbench.tui.screens.base import DeskScreen
from workbench.tui.screens.dialogs import FormDialog
from workbench.tui.widgets.keybar import KeyBar
from workbench.tui.widgets.table import Column, Row, VirtualTable

if TYPE_CHECKING:
    from workbench.desk.workload import AgentLoad

AGENT_COLUMNS = [
    Column("handle", "Agent", 12),
    Column("name", "Name", flex=True),
    Column("role", "Role", 6),
    Column("open", "Open", 5, align="right"),
    Column("breaching", "Breach", 6, align="right"),
    Column("at-risk", "Risk", 5, align="right"),
    Column("vendor", "Vendor", 6, align="right"),
    Column("customer", "Cust.", 5, align="right"),
    Column("desk", "Desk time", 10, align="right"),
    Column("untouched", "Oldest untouched", 24),
]
CASE_COLUMNS = [
    Column("id", "ID", 7),
    Column("vendor", "Vendor", 8),
    Column("state", "State", 14),
    Column("subject", "Subject", flex=True),
    Column("flags", "", 10),
]
UNASSIGNED = "(unassigned)"
NOBODY = "nobody"


class TeamScreen(DeskScreen):
    """Who works the desk and what each has open; a lead reassigns from here."""

    CSS_PATH = "team.tcss"
    SECTION = "team"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("A", "reassign", "Assign case"),
        Binding("a", "add", "Add agent"),
        Binding("e", "edit", "Edit agent"),
        Binding("tab", "switch", "Agents / cases", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loads: dict[str, AgentLoad] = {}
        self.team: dict[str, Agent] = {}
        self.cases: dict[str, Case] = {}
        self.me: Agent | None = None

    def compose(self) -> ComposeResult:
        yield self.nav()
        yield Label("", id="team-who", classes="status")
        yield VirtualTable(AGENT_COLUMNS, select_label="Cases", empty="No agents yet.", id="team")
        yield Static(id="team-agent", classes="box")
        yield VirtualTable(CASE_COLUMNS, empty="No open case.", id="team-cases")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#team-agent").border_title = "Agent"
        self.query_one("#team").focus()
        self.wb.desk_changed.subscribe(self, lambda change: self.load())
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="team")
    def load(self) -> None:
        team = self.ask(self.desk.agents)
        loads = self.ask(self.desk.workload)
        cases = {c.id: c for c in self.ask(self.desk.cases, open_only=True)}
        self.back(self.show, team, loads, cases, self.ask(self.desk.acting_agent))

    def show(
        self, team: list[Agent], loads: list[AgentLoad], cases: dict[str, Case], me: Agent | None
    ) -> None:
        self.team = {a.handle: a for a in team}
        self.loads = {load.handle or UNASSIGNED: load for load in loads}
        self.cases = cases
        self.me = me
        who = self.query_one("#team-who", Label)
        if me is None:
            who.update("No agents: anyone acts. Add the first agent — you, the desk's lead — with a.")
        else:
            who.update(f"You act as {me.handle} ({me.role}) · a lead reassigns any case, an agent their own")
        rows = [self._agent_row(key) for key in self.loads]
        rows += [self._agent_row(a.handle) for a in team if a.handle not in self.loads]
        self.query_one("#team", VirtualTable).set_rows(rows)
        self._show_agent()

    def _agent_row(self, key: str) -> Row:
        agent = self.team.get(key)
        load = self.loads.get(key)
        name = agent.name if agent else "nobody holds these"
        role = (agent.role if agent.active else "off") if agent else ""
        if load is None:
            return Row(key, [(key, "bold"), name, (role, "dim"), *[("", "")] * 7])
        untouched = (
            f"{load.oldest_untouched} {local(load.untouched_since, self.wb.timezone)}"
            if load.oldest_untouched
            else "—"
        )
        return Row(
            key,
            [
                (key, "bold"),
                name,
                (role, "info" if role == "lead" else ""),
                str(len(load.cases)),
                (str(len(load.breaching)), "breached" if load.breaching else "dim"),
                (str(len(load.at_risk)), "at-risk" if load.at_risk else "dim"),
                str(len(load.waiting_vendor)),
                str(len(load.waiting_customer)),
                duration(load.desk_minutes),
                untouched,
            ],
        )

    def _current(self) -> str | None:
        return self.query_one("#team", VirtualTable).cursor_key

    def _show_agent(self) -> None:
        key = self._current()
        box = self.query_one("#team-agent", Static)
        load = self.loads.get(key or "")
        agent = self.team.get(key or "")
        if agent is not None:
            box.update(
                f"[b]{escape(agent.name)}[/b] ({agent.handle}) · {agent.role}"
                f"{'' if agent.active else ' · not active'}"
                + (f" · {escape(agent.email)}" if agent.email else "")
                + (f" · login {escape(agent.login)}" if agent.login else "")
            )
        else:
            box.update("The open cases nobody is assigned to." if key else "")
        rows = []
        for case_id in load.cases if load else []:
            case = self.cases.get(case_id)
            if case is None:
                continue
            flag = ("breached", "breached") if case_id in load.breaching else ("at risk", "at-risk")
            rows.append(
                Row(
                    case_id,
                    [
                        (case_id, "bold"),
                        case.vendor,
                        case.state,
                        case.subject,
                        flag if case_id in load.breaching or case_id in load.at_risk else "",
                    ],
                )
            )
        self.query_one("#team-cases", VirtualTable).set_rows(rows)

    @on(VirtualTable.Highlighted, "#team")
    def _highlighted(self) -> None:
        self._show_agent()

    @on(VirtualTable.Selected, "#team")
    def _to_cases(self) -> None:
        self.query_one("#team-cases").focus()

    @on(VirtualTable.Selected, "#team-cases")
    def _open(self, event: VirtualTable.Selected) -> None:
        self.wb.open_case(event.key)

    def action_switch(self) -> None:
        table = self.query_one("#team-cases" if self.query_one("#team").has_focus else "#team")
        table.focus()

    # -- changes -------------------------------------------------------------------------------

    def action_reassign(self) -> None:
        """Reassign the highlighted case of the lower table to an active agent, or to nobody."""
        case_id = self.query_one("#team-cases", VirtualTable).cursor_key
        if case_id is None:
            self.app.notify("Choose an agent with open cases first.", markup=False)
            return
        case = self.cases[case_id]
        active = [h for h, a in sorted(self.team.items()) if a.active and h != case.assignee]
        fields = [
            Field(
                "assignee", "Agent", "choice", required=True, choices=[*active, NOBODY], rule="CORE-TEAM-2"
            ),
            Field("note", "Note", "text", help="Where the case stands, for the next agent."),
        ]

        def submit(values: dict[str, Any]) -> Case:
            note = values.get("note") or ""
            if values["assignee"] == NOBODY:
                return self.desk.release(case_id, note)
            return self.desk.assign(case_id, values["assignee"], note)

        def finished(result: Case | None) -> None:
            if result is not None:
                self.wb.changed(result, f"{result.id} → {result.assignee or 'nobody'}")

        self.app.push_screen(
            FormDialog(
                f"Reassign {case_id}",
                fields,
                submit,
                intro=f"{escape(case.subject)} · now {case.assignee or 'nobody'}",
                submit_label="Reassign",
            ),
            finished,
        )

    def action_add(self) -> None:
        first = not self.team
        fields = _agent_fields(with_handle=True)
        values = {"role": "lead", "login": self.desk.actor} if first else {"role": "agent"}

        def submit(given: dict[str, Any]) -> Agent:
            return self.desk.add_agent(
                given.get("handle") or "",
                given.get("name") or "",
                email=given.get("email") or "",
                role=given.get("role") or "agent",
                login=given.get("login") or "",
            )

        def finished(result: Agent | None) -> None:
            if result is not None:
                if first:
                    self.desk.act_as_agent()
                self.wb.changed(result, f"agent {result.handle} added ({result.role})")

        intro = "The desk's first agent is its lead, and you (your login below)." if first else ""
        self.app.push_screen(FormDialog("Add agent", fields, submit, values=values, intro=intro), finished)

    def action_edit(self) -> None:
        agent = self.team.get(self._current() or "")
        if agent is None:
            self.app.notify("Choose an agent first.", markup=False)
            return
        fields = [*_agent_fields(with_handle=False), Field("active", "Active", "bool")]

        def submit(given: dict[str, Any]) -> Agent:
            return self.desk.edit_agent(
                agent.handle,
                name=given.get("name") or "",
                email=given.get("email") or "",
                role=given.get("role") or agent.role,
                login=given.get("login") or "",
                active=bool(given.get("active")),
            )

        def finished(result: Agent | None) -> None:
            if result is not None:
                self.wb.changed(result, f"agent {result.handle} saved")

        self.app.push_screen(
            FormDialog(f"Agent {agent.handle}", fields, submit, values=agent.to_dict()), finished
        )


def _agent_fields(with_handle: bool) -> list[Field]:
    handle = [
        Field("handle", "Handle", required=True, help="lower-case letters, digits, . _ -", rule="CORE-TEAM-1")
    ]
    return [
        *(handle if with_handle else []),
        Field("name", "Display name", required=True),
        Field("email", "E-mail", "email"),
        Field("role", "Role", "choice", required=True, choices=["agent", "lead"], rule="CORE-TEAM-1"),
        Field("login", "Login name", help="the login that acts as this agent without --as"),
    ]
