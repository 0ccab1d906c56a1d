"""Reports (F8): what a lead would rather look at than read. Vendor commitments kept per
vendor and month, by severity or kind (ZOHO-SLA-3's measure, every vendor), the desk's own
first response and update attainment (CORE-SLA-3), the backlog by age and by who holds the
ball (CORE-SLA-4), the open escalations per level, and the renewals and orders coming due
per vendor (overdue, within 30, 60, 90 days; CORE-SLA-2), each as a bar drawn in the theme's
colours; every figure lists its cases (or workflows) below, and Enter opens one."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label

from workbench.tui.screens.base import DeskScreen
from workbench.tui.widgets.keybar import KeyBar
from workbench.tui.widgets.table import Column, Row, VirtualTable

BAR = 16
"""Cells of a full bar."""

FIGURE_COLUMNS = [
    Column("report", "Report", 8, priority=40),
    Column("who", "Vendor / band", 14, most=18),
    Column("what", "Commitment", 22, most=40),
    Column("kept", "Kept", 5, align="right"),
    Column("late", "Late", 5, align="right"),
    Column("running", "Open", 5, align="right"),
    Column("kept-bar", "kept", BAR),
    Column("late-bar", "late", BAR, priority=45),
]
CASE_COLUMNS = [Column("id", "Case", 10), Column("figure", "Figure", flex=True)]
TREND_MONTHS = 6
"""Months of each vendor's attainment trend, ending with the month shown."""
LEVELS = "▁▂▃▄▅▆▇█"
"""A month's share kept, from none to all, as the height of its block."""
RENEWAL_TONES = {"overdue": "breached", "within 30 days": "at-risk"}
"""The bar colour of a band of renewals and orders due (the rest: ``info``)."""


def bar(count: int, total: int, tone: str) -> tuple[str, str]:
    """``count`` of ``total`` as a bar of up to ``BAR`` cells in the theme's colour ``tone``
    (``ok``, ``breached``, ``at-risk``): the theme sets it for light and dark alike."""
    cells = round(BAR * count / total) if total else 0
    return ("▆" * cells, tone) if cells else ("·", "dim")


class ReportsScreen(DeskScreen):
    """A month's figures, each drilling down to its cases (palette: Go to Reports)."""

    CSS_PATH = "reports.tcss"
    SECTION = "reports"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("comma", "month(-1)", "Month before"),
        Binding("full_stop", "month(1)", "Month after"),
        Binding("b", "group", "By severity / kind"),
        Binding("tab", "switch", "Figures / cases", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.month: date | None = None
        self.by = "severity"
        """What the vendor figures are grouped by: ``severity`` or ``kind`` (``b`` switches)."""
        self.figures: dict[str, tuple[str, list[str]]] = {}
        """Each figure's label and what is behind it: case IDs, or workflow IDs (renewals)."""

    def compose(self) -> ComposeResult:
        yield self.nav()
        yield Label("", id="reports-period", classes="status")
        yield VirtualTable(
            FIGURE_COLUMNS, select_label="Cases", empty="Nothing sent this month.", id="reports"
        )
        yield VirtualTable(CASE_COLUMNS, empty="No case behind this figure.", id="reports-cases")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#reports").focus()
        self.wb.desk_changed.subscribe(self, lambda change: self.load())
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="reports")
    def load(self) -> None:
        if self.month is None:
            self.month = self.ask(self.desk.today).replace(day=1)
        first = self.month
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        vendor = self.ask(self.desk.vendor_report, first, last, None, self.by)
        trend = self.ask(self.desk.attainment_by_month, months_before(first, TREND_MONTHS - 1), last)
        own = self.ask(self.desk.desk_report, first, last)
        backlog = self.ask(self.desk.backlog_report)
        renewals = self.ask(self.desk.renewals_report)
        self.back(self.show, first, vendor, trend, own, backlog, renewals)

    def show(
        self,
        first: date,
        vendor: dict[str, Any],
        trend: dict[str, Any],
        own: dict[str, Any],
        backlog: dict[str, Any],
        renewals: dict[str, Any],
    ) -> None:
        self.query_one("#reports-period", Label).update(
            f"Cases sent in {first:%Y-%m}, by {vendor['by']} · , and . change the month, b groups by "
            f"{'kind' if vendor['by'] == 'severity' else 'severity'} · backlog and renewals as of now"
        )
        self.figures = {}
        rows = []
        for n, row in enumerate(vendor["rows"]):
            key = f"vendor-{n}"
            cases = row["met"] + row["late"] + row["running"]
            group = row[vendor["by"]]
            self.figures[key] = (
                f"{row['vendor']} {row['commitment']}{_of(vendor['by'], group)} ({row['rule']})",
                cases,
            )
            what = row["commitment"] + _of(vendor["by"], group).replace(",", " ·", 1)
            rows.append(self._row(key, "vendor", row["vendor"], what, row))
        rows += self._trend(first, trend)
        for n, row in enumerate(own["by_vendor"]):
            key = f"desk-{n}"
            cases = row["met"] + row["late"] + row["running"]
            self.figures[key] = (f"desk {row['commitment']} for {row['vendor']} ({row['rule']})", cases)
            rows.append(self._row(key, "desk", row["vendor"], row["commitment"], row))
        total = sum(band["count"] for band in backlog["by_age"])
        for band in backlog["by_age"]:
            key = f"age-{band['band']}"
            self.figures[key] = (f"open {band['band']} (CORE-SLA-4)", band["cases"])
            cells = [("backlog", "dim"), band["band"], "open cases by age", "", "", str(band["count"])]
            rows.append(Row(key, [*cells, bar(band["count"], total, "at-risk"), ""]))
        for held in backlog["by_ball"]:
            key = f"ball-{held['ball']}"
            self.figures[key] = (f"open, the ball with the {held['ball']} (CORE-SLA-4)", held["cases"])
            cells = [
                ("backlog", "dim"),
                held["ball"],
                "open cases by who holds the ball",
                "",
                "",
                str(held["count"]),
            ]
            rows.append(Row(key, [*cells, bar(held["count"], total, "info"), ""]))
        for level in backlog["escalations"]:
            key = f"escalation-{level['track']}-{level['level']}"
            label = f"{level['track']} escalation, oldest {level['oldest_days']} d"
            self.figures[key] = (f"{label} (CORE-ESC-1)", level["cases"])
            cells = [("backlog", "dim"), f"level {level['level']}", label, "", "", str(level["count"])]
            rows.append(Row(key, [*cells, bar(level["count"], total, "at-risk"), ""]))
        due = len(renewals["rows"])
        for count in renewals["by_vendor"]:
            key = f"renewal-{count['vendor']}-{count['band']}"
            workflows = [
                r["workflow"]
                for r in renewals["rows"]
                if r["vendor"] == count["vendor"] and r["band"] == count["band"]
            ]
            self.figures[key] = (
                f"{count['vendor']} renewals and orders {count['band']} (CORE-SLA-2)",
                workflows,
            )
            tone = RENEWAL_TONES.get(count["band"], "info")
            cells = [
                ("renewal", "dim"),
                count["vendor"],
                "overdue" if count["band"] == "overdue" else f"due {count['band']}",
                "",
                "",
                str(count["count"]),
            ]
            rows.append(Row(key, [*cells, bar(count["count"], due, tone), ""]))
        self.query_one("#reports", VirtualTable).set_rows(rows)
        self._show_cases()

    def _trend(self, first: date, trend: dict[str, Any]) -> list[Row]:
        """Per vendor, the share of its commitments kept in each of the last months, one
        block of two cells a month (its height the share; · where nothing was decided)."""
        months = [f"{months_before(first, n):%Y-%m}" for n in range(TREND_MONTHS - 1, -1, -1)]
        by_vendor: dict[str, dict[str, dict[str, Any]]] = {}
        for row in trend["rows"]:
            by_vendor.setdefault(row["vendor"], {})[row["month"]] = row
        rows = []
        for vendor, by_month in sorted(by_vendor.items()):
            key = f"trend-{vendor}"
            met = [c for m in months for c in by_month.get(m, {}).get("met", [])]
            late = [c for m in months for c in by_month.get(m, {}).get("late", [])]
            self.figures[key] = (
                f"{vendor} commitments kept {months[0]} to {months[-1]} (ZOHO-SLA-3)",
                list(dict.fromkeys(late + met)),  # late first: the cases to look at
            )
            blocks = "".join(_level(by_month.get(m, {}).get("kept_share")) * 2 for m in months)
            what = f"kept per month, {months[0]} to {months[-1]}"
            rows.append(
                Row(
                    key,
                    [
                        ("trend", "dim"),
                        (vendor, "bold"),
                        what,
                        (str(len(met)), "ok" if met else "dim"),
                        (str(len(late)), "breached" if late else "dim"),
                        "",
                        (blocks, "ok"),
                        "",
                    ],
                )
            )
        return rows

    def _row(self, key: str, report: str, who: str, what: str, row: dict[str, Any]) -> Row:
        kept, late, running = len(row["met"]), len(row["late"]), len(row["running"])
        return Row(
            key,
            [
                (report, "dim"),
                (who, "bold"),
                what,
                (str(kept), "ok" if kept else "dim"),
                (str(late), "breached" if late else "dim"),
                str(running),
                bar(kept, kept + late, "ok"),
                bar(late, kept + late, "breached"),
            ],
        )

    def _show_cases(self) -> None:
        key = self.query_one("#reports", VirtualTable).cursor_key
        label, cases = self.figures.get(key or "", ("", []))
        self.query_one("#reports-cases", VirtualTable).set_rows([Row(c, [(c, "bold"), label]) for c in cases])

    @on(VirtualTable.Highlighted, "#reports")
    def _highlighted(self) -> None:
        self._show_cases()

    @on(VirtualTable.Selected, "#reports")
    def _to_cases(self) -> None:
        self.query_one("#reports-cases").focus()

    @on(VirtualTable.Selected, "#reports-cases")
    async def _open(self, event: VirtualTable.Selected) -> None:
        figure = self.query_one("#reports", VirtualTable).cursor_key or ""
        if figure.startswith("renewal-"):
            await self.wb.open_workflow(event.key)
        else:
            self.wb.open_case(event.key)

    def action_group(self) -> None:
        """Group the vendor figures by the cases' kind instead of their severity, or back."""
        self.by = "kind" if self.by == "severity" else "severity"
        self.load()

    def action_switch(self) -> None:
        table = self.query_one("#reports-cases" if self.query_one("#reports").has_focus else "#reports")
        table.focus()

    def action_month(self, step: int) -> None:
        if self.month is None:
            return
        moved = self.month + timedelta(days=32 * step) if step > 0 else self.month - timedelta(days=1)
        self.month = moved.replace(day=1)
        self.load()


def _of(by: str, group: str) -> str:
    """``, severity 2`` or ``, outage``: the group a vendor figure is of (none for ``-``)."""
    if group == "-":
        return ""
    return f", severity {group}" if by == "severity" else f", {group}"


def months_before(first: date, count: int) -> date:
    """The first day of the month ``count`` months before the month of ``first``."""
    index = first.year * 12 + first.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _level(share: float | None) -> str:
    return "·" if share is None else LEVELS[min(int(share * len(LEVELS)), len(LEVELS) - 1)]
