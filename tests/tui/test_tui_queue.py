"""The queue (home): order, views, filter, live countdowns, wide characters, the sweep, the
first frame before the desk is open, deadlines in chunks."""

from __future__ import annotations

import gc
import threading
from datetime import datetime, timedelta

from rich.cells import cell_len

from workbench.desk import Desk, next_running
from workbench.store import StoreError
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens import queue
from workbench.tui.screens.case import CaseScreen
from workbench.tui.screens.dialogs import ConfirmScreen, SweepReportScreen
from workbench.tui.screens.queue import COLUMNS, QueueScreen
from workbench.tui.widgets.navbar import NavBar
from workbench.tui.widgets.table import VirtualTable
from workbench.tui.widgets.viewbar import ViewBar

SIZE = (120, 36)


def cell(row, key: str):
    """The cell of ``row`` in the queue's column ``key``."""
    return row.cells[[c.key for c in COLUMNS].index(key)]


def widths_of(grid: VirtualTable) -> dict[str, int]:
    """Each queue column's width as drawn (0: it gave way)."""
    widths = grid.column_widths(grid.scrollable_content_region.width)
    return dict(zip([c.key for c in COLUMNS], widths, strict=True))


def table(app) -> VirtualTable:
    return app.screen.query_one("#queue", VirtualTable)


async def test_queue_shows_open_cases_most_urgent_first(app, demo, wait):
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        rows = table(app).rows
        open_cases = demo.cases(open_only=True)
        assert {r.key for r in rows} == {c.id for c in open_cases}
        due = {}
        for case in open_cases:
            d = next_running(demo.deadlines(case))
            due[case.id] = d.due if d else None
        keyed = [due[r.key] for r in rows if due[r.key] is not None]
        assert keyed == sorted(keyed), "most urgent deadline first"
        assert table(app).cursor_row == 0
        assert "most urgent deadline first" in str(app.screen.query_one("#status").render())


async def test_open_a_case_from_the_queue(app, wait):
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("down", "down")
        key = table(app).cursor_key
        await pilot.press("enter")
        await wait(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.case_id == key
        assert app.screen.data is not None and app.screen.data.view.case.id == key
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)
        assert table(app).cursor_key == key


async def test_the_top_case_is_viewed_once_behind_the_load(app, demo, wait, monkeypatch):
    """Issue 16: the first case view of a process reads what every later one finds in
    memory (the closed cases' index, the event index); the queue has the top case's view
    worked out in the background once it has loaded, so the first Enter does not."""
    viewed = []
    view = demo.view

    def counted(key, *args, **kwargs):
        viewed.append(key)
        return view(key, *args, **kwargs)

    monkeypatch.setattr(demo, "view", counted)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        assert viewed == [table(app).rows[0].key]
        assert not isinstance(app.screen, CaseScreen)


async def test_clicking_a_row_twice_opens_it(app, wait):
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        second = table(app).rows[1].key
        await pilot.click("#queue", offset=(5, 2))
        assert table(app).cursor_key == second
        await pilot.click("#queue", offset=(5, 2))
        await wait(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == second


async def test_filter_as_you_type(app, demo, wait):
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("slash", *"v:zoho")
        rows = table(app).rows
        assert rows and all(cell(r, "vendor") == "Zoho" for r in rows)
        await pilot.press(*" s:pend")
        assert {r.key for r in table(app).rows} == {c.id for c in demo.cases(vendor="zoho", state="pending")}
        await pilot.press("escape", "escape")  # leave the filter, then clear it
        assert len(table(app).rows) == len(demo.cases(open_only=True))
        await pilot.press("slash", *"north")
        assert table(app).rows
        assert all(cell(r, "customer").startswith("Northwind") for r in table(app).rows)


async def test_saved_views_switch_by_key(app, demo, wait):
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("right_square_bracket")  # Mine
        assert {r.key for r in table(app).rows} == {c.id for c in demo.cases(open_only=True, assignee="sato")}
        await pilot.press("right_square_bracket")  # Unassigned
        assert {r.key for r in table(app).rows} == {c.id for c in demo.cases(open_only=True, assignee="")}
        await pilot.press("right_square_bracket")  # Breaching
        breaching = {
            c.id for c in demo.cases(open_only=True) if any(d.state == "breached" for d in demo.deadlines(c))
        }
        assert breaching and {r.key for r in table(app).rows} == breaching
        await pilot.press("right_square_bracket", "right_square_bracket")  # Waiting on vendor
        assert {r.key for r in table(app).rows} == {c.id for c in demo.cases(state="waiting-vendor")}
        await pilot.press("right_square_bracket", "right_square_bracket")  # Escalated
        assert {r.key for r in table(app).rows} == {c.id for c in demo.cases(open_only=True) if c.escalations}
        await pilot.press("right_square_bracket")  # first vendor
        vendor = demo.vendors()[0]
        assert {r.key for r in table(app).rows} == {c.id for c in demo.cases(vendor=vendor, open_only=True)}
        await pilot.press(*["left_square_bracket"] * 8)
        assert len(table(app).rows) == len(demo.cases(open_only=True))


async def test_countdowns_refresh_every_minute_without_moving_the_cursor(app, demo, clock, wait):
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("down", "down", "down")
        key, index = table(app).cursor_key, table(app).cursor_row
        before = {r.key: cell(r, "deadline") for r in table(app).rows}
        clock(demo.now() + timedelta(minutes=30))
        app.screen.tick()  # what the one-minute timer calls
        await wait(pilot)
        after = {r.key: cell(r, "deadline") for r in table(app).rows}
        assert table(app).cursor_key == key and table(app).cursor_row == index
        assert before != after, "countdowns moved on"
        assert [r.key for r in table(app).rows] == list(before), "order kept"


async def test_japanese_names_keep_the_columns_aligned(app, wait):
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        grid = table(app)
        width = grid.scrollable_content_region.width
        shown = [(c, w) for c, w in zip(COLUMNS, grid.column_widths(width), strict=True) if w]
        widths = [w for _, w in shown]
        wide = [
            i for i, r in enumerate(grid.rows) if cell_len(cell(r, "customer")) != len(cell(r, "customer"))
        ]
        assert wide, "the demo has Japanese customer names"
        starts = [1 + sum(w + 1 for w in widths[:n]) for n in range(len(shown))]
        for y in range(1, min(len(grid.rows), grid.size.height - 1) + 1):
            strip = grid.render_line(y)
            assert strip.cell_length == width
            segments = [s for s in strip if s.text != " "][: len(shown)]
            assert [cell_len(s.text) for s in segments] == widths
        for index in wide:
            text = grid.row_text(index)
            assert cell_len(text) == 1 + sum(widths) + len(widths) - 1
            for (column, _), start in zip(shown[3:], starts[3:], strict=True):
                assert _cells(text, start - 1, start) == " ", f"a gap before {column.label}"


def _cells(text: str, start: int, end: int) -> str:
    """The characters of ``text`` between two cell offsets."""
    out, position = [], 0
    for char in text:
        if start <= position < end:
            out.append(char)
        position += cell_len(char)
    return "".join(out)


async def test_sweep_runs_in_a_worker_with_a_progress_bar(app, demo, clock, wait):
    clock(demo.now() + timedelta(days=3))
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("S")
        await wait(pilot)
        assert isinstance(app.screen, ConfirmScreen), "a desk-wide action asks first"
        assert not [e for e in demo.store.events("cases") if e["action"] == "breach"]
        await pilot.press("y")
        await wait(pilot)
        done = next(n for n in app._notifications if n.title == "Sweep done")
        queue = next(s for s in app.screen_stack if isinstance(s, QueueScreen))
        assert not queue.query_one("#progress").display, "the progress bar is gone when done"
        breaches = [e for e in demo.store.events("cases") if e["action"] == "breach"]
        assert breaches, "the sweep marked breaches through the desk"
        cases = {e["key"] for e in breaches}
        assert f"{len(breaches)} breaches marked on {len(cases)} cases" in done.message
        assert cases <= {i.case.id for i in queue.items if "breaching" in i.views}
        report = app.screen
        assert isinstance(report, SweepReportScreen)
        text = str(report.query_one("#dialog-body Static").render())
        assert "+00:00" not in text and "T0" not in text, "times in the desk's zone, not raw UTC"
        first = breaches[0]
        due = datetime.fromisoformat(first["data"]["due"]).astimezone(app.timezone)
        assert f"due {due:%Y-%m-%d %H:%M}" in text


async def test_the_first_frame_comes_before_the_desk_opens(demo, tmp_path, wait):
    """Given a function that opens the desk (as ``workbench`` does), the app draws the top
    bar and an empty queue at once; other screens wait for the desk, the filter does not;
    the rows come once the desk is open."""
    release = threading.Event()

    def open_desk() -> Desk:
        release.wait(30)
        return demo

    app = WorkbenchApp(open_desk, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.desk is None and isinstance(app.screen, QueueScreen)
        assert "opening the desk…" in str(app.screen.query_one(NavBar).render())
        assert str(app.screen.query_one("#status").render()) == "Opening the desk…"
        assert table(app).row_count == 0 and table(app).empty == "Opening the desk…"
        await pilot.press("f4", "ctrl+p")
        assert isinstance(app.screen, QueueScreen), "no other screen before the desk"
        await pilot.press("slash", *"v:zoho")
        release.set()
        await wait(pilot)
        assert app.desk is demo and app.desk_name == demo.setting("desk.name")
        shown = app.export_screenshot()
        assert "opening&#160;the&#160;desk" not in shown, "the top bar is drawn again once the desk is open"
        assert app.desk_name.replace(" ", "&#160;") in shown
        assert {r.key for r in table(app).rows} == {c.id for c in demo.cases(vendor="zoho", open_only=True)}
        assert "most urgent deadline first" in str(app.screen.query_one("#status").render())
        await pilot.press("escape", "f4")
        assert type(app.screen).__name__ == "CustomersScreen"


async def test_a_desk_that_cannot_be_opened_ends_the_app_with_the_reason(tmp_path):
    def open_desk() -> Desk:
        raise StoreError("desk.json is not a Case Workbench desk")

    app = WorkbenchApp(open_desk, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(500):
            if not app.is_running:
                break
            await pilot.pause(0.01)
        assert not app.is_running, "the app ends by itself"
    assert isinstance(app.desk_error, StoreError) and app.desk is None


async def test_deadlines_are_computed_in_chunks(app, demo, wait, monkeypatch):
    """The queue asks for the deadlines of a chunk of cases at a time: the desk is held
    for one chunk, not for every open case."""
    monkeypatch.setattr(queue, "CHUNK_CASES", 3)
    asked: list[int] = []
    whole = demo.deadlines_for

    def deadlines_for(cases, keep=True):
        asked.append(len(cases))
        return whole(cases, keep)

    monkeypatch.setattr(demo, "deadlines_for", deadlines_for)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        total = len(demo.cases(open_only=True))
        assert sum(asked) == total and max(asked) == 3 and len(asked) == -(-total // 3)
        assert all(cell(r, "deadline")[0] != "…" for r in table(app).rows)


async def test_deadlines_are_worked_out_once_the_rows_are_drawn(app, demo, wait, monkeypatch):
    """The open cases are drawn first; their deadlines (and the kept clocks they read) are
    asked for only after the screen has been refreshed with the rows, not while it waits."""
    refreshed_with_rows: list[bool] = []
    refresh = QueueScreen._compositor_refresh

    def compositor_refresh(screen: QueueScreen) -> None:
        refreshed_with_rows.append(bool(screen.query_one("#queue", VirtualTable).rows))
        refresh(screen)

    asked_after_rows: list[bool] = []
    whole = demo.deadlines_for

    def deadlines_for(cases, keep=True):
        asked_after_rows.append(any(refreshed_with_rows))
        return whole(cases, keep)

    monkeypatch.setattr(QueueScreen, "_compositor_refresh", compositor_refresh)
    monkeypatch.setattr(demo, "deadlines_for", deadlines_for)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        assert asked_after_rows and all(asked_after_rows)
        assert all(cell(r, "deadline")[0] != "…" for r in table(app).rows)


async def test_a_queue_with_no_room_on_screen_still_works_out_its_deadlines(app, wait):
    """In a terminal of one line the table is never drawn: the load does not wait for it
    for ever, the deadlines come all the same."""
    async with app.run_test(size=(120, 1)) as pilot:
        await wait(pilot)
        assert table(app).rows and all(cell(r, "deadline")[0] != "…" for r in table(app).rows)


async def test_a_loaded_queue_is_kept_out_of_the_cycle_collectors_walks(app, wait):
    """Full collections walking 2,000 cases and their deadlines stalled the screen for
    40-60 ms every few seconds; once loaded, the queue's objects are frozen (gc.freeze)."""
    gc.unfreeze()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait(pilot)
            assert gc.get_freeze_count() > 0
            frozen = gc.get_freeze_count()
            await pilot.press("ctrl+r")  # reload: the new queue is frozen in turn
            await wait(pilot)
            assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()


async def test_after_a_filter_enter_opens_the_first_match(app, wait):
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("down", "down", "down")
        await pilot.press("slash", *"v:zoho", "enter")
        first = table(app).rows[0].key
        assert table(app).cursor_row == 0
        await pilot.press("enter")
        await wait(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == first
        await pilot.press("escape", "right_square_bracket")
        assert table(app).cursor_row == 0, "another view starts at its first row too"


async def test_f2_shows_the_queue_list_not_the_last_case(app, wait):
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        await pilot.press("enter")
        await wait(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("f3", "f2")
        await wait(pilot)
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("enter")
        await wait(pilot)
        await pilot.press("f2")
        await wait(pilot)
        assert isinstance(app.screen, QueueScreen), "F2 on a case of the queue goes back to the list"


async def test_at_80_by_24_the_queue_keeps_what_an_agent_reads_first(app, wait):
    """ID, severity, customer, subject, next deadline, ball and last update stay; the rest
    give way; Subject keeps room to read."""
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot)
        grid = table(app)
        assert grid.shown_columns() == [
            "id",
            "severity",
            "customer",
            "subject",
            "deadline",
            "ball",
            "updated",
        ]
        widths = widths_of(grid)
        assert widths["subject"] >= 24
        assert cell_len(grid.row_text(0)) <= grid.scrollable_content_region.width
        bar = str(app.screen.query_one(NavBar).render())
        assert all(key in bar for key in ("F2", "F3", "F4", "F5", "F6")), "every screen key stays"


async def test_wide_columns_fit_their_content_and_subject_takes_the_rest(app, demo, wait):
    async with app.run_test(size=(220, 60)) as pilot:
        await wait(pilot)
        grid = table(app)
        assert {"requester", "assignee", "vendor", "state", "esc", "updated"} <= set(grid.shown_columns())
        widths = widths_of(grid)
        customers = {cell(r, "customer") for r in grid.rows}
        assert "さくら物流" in customers, "株式会社 is dropped: the name that tells customers apart shows"
        assert widths["customer"] == max(cell_len(c) for c in customers), "measured in cells, CJK aware"
        deadlines = [cell(r, "deadline")[0] for r in grid.rows]
        assert widths["deadline"] >= max(cell_len(d) for d in deadlines), "no deadline is cut"
        drawn = [w for w in widths.values() if w]
        used = 1 + sum(drawn) + len(drawn) - 1
        assert used == grid.scrollable_content_region.width, "Subject takes what is left"
        assert widths["subject"] > 32


async def test_sort_by_any_column_by_key_or_header_click(app, demo, wait):
    async with app.run_test(size=(220, 60)) as pilot:
        await wait(pilot)
        grid = table(app)
        await pilot.press("greater_than_sign")
        assert app.screen.sort == ("ball", False), "the column after Next deadline"
        await pilot.click("#queue", offset=(3, 0))  # the ID header
        assert app.screen.sort == ("id", False)
        numbers = [int(r.key.split("-")[1]) for r in grid.rows]
        assert numbers == sorted(numbers)
        assert grid.header_label(COLUMNS[0]) == "ID▲"
        await pilot.click("#queue", offset=(3, 0))
        assert [int(r.key.split("-")[1]) for r in grid.rows] == sorted(numbers, reverse=True)
        await pilot.press("less_than_sign")
        assert [int(r.key.split("-")[1]) for r in grid.rows] == numbers
        start = next(i for i, c in enumerate(COLUMNS) if c.key == "updated")
        x = 1 + sum(w + 1 for w in grid.column_widths(grid.scrollable_content_region.width)[:start])
        await pilot.click("#queue", offset=(x + 1, 0))
        updated = [demo.case(r.key).updated_at or demo.case(r.key).opened_at for r in grid.rows]
        assert updated == sorted(updated), "least recently updated first"
        assert "sorted by Updated" in str(app.screen.query_one("#status").render())


async def test_severity_is_a_badge_and_requester_and_age_are_columns(app, demo, wait):
    async with app.run_test(size=(220, 60)) as pilot:
        await wait(pilot)
        for row in table(app).rows:
            case = demo.case(row.key)
            text, tone = cell(row, "severity")
            if case.severity:
                assert text.strip() == case.severity.split()[0] and tone.startswith("badge")
            else:
                assert (text, tone) == ("-", "dim")
            assert cell(row, "requester")[0] != "", "who asked"
            assert cell(row, "updated")[0][-1] in "mhdw"


async def test_a_filter_saved_as_a_view_is_kept_in_the_desk(app, demo, wait):
    async with app.run_test(size=(160, 40)) as pilot:
        await wait(pilot)
        await pilot.press("slash", *"v:zoho s:waiting", "enter")
        expected = {r.key for r in table(app).rows}
        await pilot.press("V")
        await wait(pilot)
        app.screen.query_one("#f-name").value = "Zoho waiting"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert demo.saved_views() == [("Zoho waiting", "v:zoho s:waiting")], "kept in the desk"
        await pilot.press("escape", "escape")  # leave the filter, then clear it
        bar = app.screen.query_one(ViewBar)
        assert "saved:Zoho waiting" in [v for v, _ in bar.views]
        bar.active = "saved:Zoho waiting"
        await wait(pilot)
        assert {r.key for r in table(app).rows} == expected
        assert bar.counts["saved:Zoho waiting"] == len(expected)
    again = WorkbenchApp(demo, remember=False)
    async with again.run_test(size=(160, 40)) as pilot:
        await wait(pilot)
        assert "saved:Zoho waiting" in [v for v, _ in again.screen.query_one(ViewBar).views]


async def test_at_80_columns_the_view_bar_scrolls_to_the_active_view(app, demo, wait):
    """The vendor tabs do not fit beside the built-in views at 80 columns: the bar shows the
    part that holds the active view, with › and ‹ where more lie, and a click lands on the
    view drawn there."""
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot)
        bar = app.screen.query_one(ViewBar)
        drawn = bar.render().plain
        assert cell_len(drawn) <= 80 and drawn.startswith(" All") and drawn.endswith("›")
        await pilot.press("left_square_bracket")  # wraps around to the last view: a vendor's
        await wait(pilot)
        last = bar.views[-1]
        assert bar.active == last[0]
        drawn = bar.render().plain
        assert cell_len(drawn) <= 80 and drawn.startswith("‹") and f" {last[1]} " in drawn
        before = bar.views[-2]
        await pilot.click(ViewBar, offset=(drawn.index(f" {before[1]} ") + 1, 0))
        await wait(pilot)
        assert bar.active == before[0], "the click lands on the view drawn there"


async def test_queue_deadlines_from_kept_clocks_equal_the_command_line_s(run_cli, wait, tmp_path):
    """The queue reads the open cases' clocks the command line kept beside the desk file
    (``desk.json.deadlines``) and shows what `case list` shows: every row's next deadline
    equal to the list's, worked out at the same clock (CORE-SLA-1..3)."""
    from pathlib import Path

    from workbench.plugins import get_plugins
    from workbench.store import open_store

    assert run_cli("demo")[0] == 0
    listed = {row["id"]: row["next_deadline"] for row in run_cli.json("case", "list")}
    kept = Path(f"{run_cli.db}.deadlines")
    written = kept.stat().st_mtime_ns
    desk = Desk(open_store(run_cli.db), get_plugins(), actor="aiko")
    desk.act_as_agent()
    app = WorkbenchApp(desk, prefs_path=tmp_path / "tui.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        items = app.screen.items
        assert {i.case.id for i in items} == set(listed)
        for item in items:
            shown = next_running(item.deadlines)
            assert (shown.to_dict() if shown else None) == listed[item.case.id], item.case.id
    assert kept.stat().st_mtime_ns == written, "all were read from the kept clocks: none written again"


async def test_the_queue_reads_only_the_open_cases_customers(app, demo, wait, monkeypatch):
    """The queue names each open case's customer: it reads those customers, not every
    customer of the desk (6,060 at 200,000 cases, a third of them with an open case)."""
    idle = demo.add_customer("Nobody With Cases KK")
    read: list[str] = []
    every = demo.customers

    def customers(keys=None):
        found = every(keys)
        read.extend(c.id for c in found)
        return found

    monkeypatch.setattr(demo, "customers", customers)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        open_cases = demo.cases(open_only=True)
        assert set(read) == {c.customer_id for c in open_cases}
        assert idle.id not in read
        named = {item.case.id: item.customer for item in app.screen.items}
        assert named == {case.id: demo.customer(case.customer_id).name for case in open_cases}
