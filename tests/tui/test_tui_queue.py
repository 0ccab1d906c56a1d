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

SIZE = (120, 36)


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
        assert rows and all(r.cells[1] == "zoho" for r in rows)
        await pilot.press(*" s:pend")
        assert {r.key for r in table(app).rows} == {c.id for c in demo.cases(vendor="zoho", state="pending")}
        await pilot.press("escape", "escape")  # leave the filter, then clear it
        assert len(table(app).rows) == len(demo.cases(open_only=True))
        await pilot.press("slash", *"north")
        assert table(app).rows
        assert all(r.cells[2].startswith("Northwind") for r in table(app).rows)


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
        deadline = [c.key for c in COLUMNS].index("deadline")
        before = {r.key: r.cells[deadline] for r in table(app).rows}
        clock(demo.now() + timedelta(minutes=30))
        app.screen.tick()  # what the one-minute timer calls
        await wait(pilot)
        after = {r.key: r.cells[deadline] for r in table(app).rows}
        assert table(app).cursor_key == key and table(app).cursor_row == index
        assert before != after, "countdowns moved on"
        assert [r.key for r in table(app).rows] == list(before), "order kept"


async def test_japanese_names_keep_the_columns_aligned(app, wait):
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        grid = table(app)
        width = grid.scrollable_content_region.width
        widths = grid.column_widths(width)
        wide = [i for i, r in enumerate(grid.rows) if cell_len(r.cells[2]) != len(r.cells[2])]
        assert wide, "the demo has Japanese customer names"
        starts = [1 + sum(w + 1 for w in widths[:n]) for n in range(len(COLUMNS))]
        for y in range(1, min(len(grid.rows), grid.size.height - 1) + 1):
            strip = grid.render_line(y)
            assert strip.cell_length == width
            segments = [s for s in strip if s.text != " "][: len(COLUMNS)]
            assert [cell_len(s.text) for s in segments] == widths
        for index in wide:
            text = grid.row_text(index)
            assert cell_len(text) == 1 + sum(widths) + len(widths) - 1
            for column, start in zip(COLUMNS[3:], starts[3:], strict=True):
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

    def deadlines_for(cases):
        asked.append(len(cases))
        return whole(cases)

    monkeypatch.setattr(demo, "deadlines_for", deadlines_for)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot)
        total = len(demo.cases(open_only=True))
        assert sum(asked) == total and max(asked) == 3 and len(asked) == -(-total // 3)
        assert all(r.cells[7][0] != "…" for r in table(app).rows)


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
