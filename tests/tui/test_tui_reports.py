"""The Reports screen (palette: Go to Reports): vendor commitments kept and the desk's own per
vendor (ZOHO-SLA-3's measure, CORE-SLA-3) and the backlog by age (CORE-SLA-4), drawn as bars
in the theme's colours; every figure lists its cases, and Enter opens one."""

from __future__ import annotations

from datetime import date

import pytest
from rich.cells import cell_len

from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.case import CaseScreen
from workbench.tui.screens.reports import BAR, ReportsScreen
from workbench.tui.widgets.table import VirtualTable

from .conftest import SIZE
from .test_tui_themes import contrast, hard_to_read


async def test_figures_drill_down_to_their_cases(app, demo, wait):
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    vendor = demo.vendor_report(first, last)
    backlog = demo.backlog_report()
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await app.switch_mode("reports")
        await wait(pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        figures = screen.query_one("#reports", VirtualTable)
        keys = [row.key for row in figures.rows]
        assert len([k for k in keys if k.startswith("vendor-")]) == len(vendor["rows"])
        assert len([k for k in keys if k.startswith("age-")]) == len(backlog["by_age"])
        assert len([k for k in keys if k.startswith("ball-")]) == len(backlog["by_ball"])
        assert len([k for k in keys if k.startswith("escalation-")]) == len(backlog["escalations"])
        for level in backlog["escalations"]:
            figures.move_to(f"escalation-{level['track']}-{level['level']}")
            await wait(pilot)
            shown = [r.key for r in screen.query_one("#reports-cases", VirtualTable).rows]
            assert shown == level["cases"]
        for index, row in enumerate(vendor["rows"]):
            cells = figures.rows[keys.index(f"vendor-{index}")].cells
            assert cells[3][0] == str(len(row["met"])) and cells[4][0] == str(len(row["late"]))
            decided = len(row["met"]) + len(row["late"])
            if decided:
                assert len(cells[6][0].strip("·")) == round(BAR * len(row["met"]) / decided)
                assert cells[6][1] in ("ok", "dim") and cells[7][1] in ("breached", "dim")
        late = next(i for i, row in enumerate(vendor["rows"]) if row["late"])
        figures.move_to(f"vendor-{late}")
        await wait(pilot)
        cases = screen.query_one("#reports-cases", VirtualTable)
        row = vendor["rows"][late]
        assert [r.key for r in cases.rows] == row["met"] + row["late"] + row["running"]
        await pilot.press("enter")
        await wait(pilot)
        assert cases.has_focus
        cases.move_to(row["late"][0])
        await pilot.press("enter")
        await wait(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == row["late"][0]


async def test_month_keys_and_palette_entry(demo, wait, tmp_path):
    app = WorkbenchApp(demo, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await app.switch_mode("reports")
        await wait(pilot)
        label = app.screen.query_one("#reports-period")
        assert "2026-11" in str(label.render())
        await pilot.press("comma")
        await wait(pilot)
        assert "2026-10" in str(label.render())
        await pilot.press("full_stop", "full_stop")
        await wait(pilot)
        assert "2026-12" in str(label.render())


BAR_CELLS = "▁▂▃▄▅▆▇█"


def bars_hard_to_see(app: WorkbenchApp) -> list[str]:
    """The bars of the figures drawn off the cursor row (and left of the scrollbar) whose
    colour is under 3:1 against their background (WCAG's least contrast for graphics a
    reader must make out)."""
    figures = app.screen.query_one("#reports", VirtualTable)
    cursor_line = figures.region.y + 1 + figures.cursor_row - round(figures.scroll_y)
    lines = range(figures.region.y + 1, figures.region.bottom)
    found, seen = [], 0
    for y, line in enumerate(app.screen._compositor.render_full_update().strips):
        x = 0
        for segment in (segment for strip in line for segment in strip):
            style, start = segment.style, x
            x += cell_len(segment.text)
            if y not in lines or y == cursor_line or start >= figures.region.right - 1 or style is None:
                continue
            if not any(ch in BAR_CELLS for ch in segment.text):
                continue
            seen += 1
            if style.color and style.bgcolor and contrast(style.color, style.bgcolor) < 3:
                found.append(f"line {y}: {segment.text.strip()!r} {style.color.name} on {style.bgcolor.name}")
    assert seen, "no bar was drawn to look at"
    return found


@pytest.mark.parametrize("size", [SIZE, (80, 24), (220, 60)])
@pytest.mark.parametrize("theme", ["textual-light", "solarized-light", "textual-dark"])
async def test_reports_read_in_light_and_dark_themes(demo, wait, tmp_path, theme, size):
    """Text reads, and every bar stands out from its background, in light and dark themes
    at 80, 120 and 220 columns (the bars take the theme's own colours)."""
    app = WorkbenchApp(demo, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=size) as pilot:
        app.theme = theme
        await wait(pilot)
        await app.switch_mode("reports")
        await wait(pilot)
        await pilot.pause(0.1)
        assert app.screen.query_one("#reports", VirtualTable).rows
        assert hard_to_read(app) == []
        assert bars_hard_to_see(app) == []


async def test_case_screen_writes_the_evidence_pack_by_key(app, demo, wait, tmp_path):
    """CORE-SLA-4: P on a case asks a format and a file and writes the pack the command writes."""
    from workbench.documents import evidence_document

    key = next(
        c.id for c in demo.cases(open_only=True) if any(e["what"] == "breach" for e in demo.timeline(c.id))
    )
    target = tmp_path / "pack.html"
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        app.open_case(key)
        await wait(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("P")
        await wait(pilot)
        app.screen.query_one("#f-file").value = str(target)
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert isinstance(app.screen, CaseScreen)
    assert target.read_text(encoding="utf-8") == evidence_document(demo.evidence_pack(key), "html")
    assert "<td>breach</td>" in target.read_text(encoding="utf-8")


async def test_renewals_and_orders_due_per_vendor_drill_down_to_their_workflows(app, demo, wait):
    """CORE-SLA-2 for dated steps: each vendor's renewals and orders overdue or due within
    30, 60 and 90 days are a figure on F8's Reports; Enter lists the workflows behind it and
    opens one on the Work screen."""
    from workbench.tui.screens.workflows import WorkflowsScreen

    renewals = demo.renewals_report()
    assert renewals["by_vendor"], "the demo has renewals coming due"
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("f8")
        await wait(pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        figures = screen.query_one("#reports", VirtualTable)
        for count in renewals["by_vendor"]:
            key = f"renewal-{count['vendor']}-{count['band']}"
            figures.move_to(key)
            await wait(pilot)
            row = figures.rows[[r.key for r in figures.rows].index(key)]
            assert row.cells[5] == str(count["count"])
            shown = [r.key for r in screen.query_one("#reports-cases", VirtualTable).rows]
            assert shown == [
                r["workflow"]
                for r in renewals["rows"]
                if r["vendor"] == count["vendor"] and r["band"] == count["band"]
            ]
        overdue = next(r for r in renewals["rows"] if r["band"] == "overdue")
        figures.move_to(f"renewal-{overdue['vendor']}-overdue")
        await wait(pilot)
        assert figures.rows[figures.cursor_row].cells[6][1] == "breached", "overdue in the breach colour"
        await pilot.press("enter")
        await wait(pilot)
        screen.query_one("#reports-cases", VirtualTable).move_to(overdue["workflow"])
        await pilot.press("enter")
        await wait(pilot)
        assert isinstance(app.screen, WorkflowsScreen)
        assert app.screen.query_one("#workflows", VirtualTable).cursor_key == overdue["workflow"]


async def test_b_groups_the_vendor_figures_by_kind_and_back(app, demo, wait):
    """ZOHO-SLA-3 per kind as per severity: b regroups the month's vendor figures by what the
    cases are about (the program's kind field) and back; each figure keeps its cases."""
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    by_kind = demo.vendor_report(first, last, by="kind")
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("f8")
        await wait(pilot)
        screen = app.screen
        figures = screen.query_one("#reports", VirtualTable)
        await pilot.press("b")
        await wait(pilot)
        assert "by kind" in str(screen.query_one("#reports-period").render())
        for index, row in enumerate(by_kind["rows"]):
            cells = figures.rows[[r.key for r in figures.rows].index(f"vendor-{index}")].cells
            assert row["kind"] == "-" or cells[2].endswith(f"· {row['kind']}")
            figures.move_to(f"vendor-{index}")
            await wait(pilot)
            shown = [r.key for r in screen.query_one("#reports-cases", VirtualTable).rows]
            assert shown == row["met"] + row["late"] + row["running"]
        await pilot.press("b")
        await wait(pilot)
        assert "by severity" in str(screen.query_one("#reports-period").render())


async def test_each_vendor_s_attainment_over_six_months_drills_down(app, demo, wait):
    """ZOHO-SLA-3's trend, every vendor: a row per vendor with a block per month (its height
    the share kept, · where nothing was decided), the counts of the six months, and the
    cases behind them below."""
    from workbench.tui.screens.reports import LEVELS

    trend = demo.attainment_by_month(date(2026, 6, 1), date(2026, 11, 30))
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("f8")
        await wait(pilot)
        screen = app.screen
        figures = screen.query_one("#reports", VirtualTable)
        vendors = sorted({r["vendor"] for r in trend["rows"]})
        assert [r.key for r in figures.rows if r.key.startswith("trend-")] == [f"trend-{v}" for v in vendors]
        for vendor in vendors:
            rows = [r for r in trend["rows"] if r["vendor"] == vendor]
            figures.move_to(f"trend-{vendor}")
            await wait(pilot)
            cells = figures.rows[figures.cursor_row].cells
            assert cells[3][0] == str(sum(len(r["met"]) for r in rows))
            assert cells[4][0] == str(sum(len(r["late"]) for r in rows))
            blocks = cells[6][0]
            assert len(blocks) == 12
            november = next((r for r in rows if r["month"] == "2026-11"), None)
            if november and november["kept_share"] is not None:
                assert blocks[-1] in LEVELS
            shown = {r.key for r in screen.query_one("#reports-cases", VirtualTable).rows}
            assert shown == {c for r in rows for c in r["met"] + r["late"]}
