"""Renewals and orders: checklists sorted by deadline; completing a step, refused and done."""

from __future__ import annotations

from textual.widgets import Static

from workbench.tui.screens.dialogs import FormDialog
from workbench.tui.widgets.table import VirtualTable

SIZE = (120, 36)


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_workflows_are_checklists_most_urgent_first(app, demo, wait):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await wait(pilot)
        screen = app.screen
        rows = screen.query_one("#workflows", VirtualTable).rows
        open_ids = {w.id for w in demo.workflows(open_only=True)}
        assert {r.key for r in rows} == open_ids
        dues = [demo.workflow(r.key).next_step.due for r in rows]
        dated = [d for d in dues if d is not None]
        assert dated == sorted(dated) and dues[: len(dated)] == dated, "by next due date"
        first = demo.workflow_view(rows[0].key)
        steps = screen.query_one("#steps", VirtualTable)
        assert [r.key for r in steps.rows] == [s.id for s in first.workflow.steps]
        assert first.next_step.rule in text(screen, "#workflow")
        await pilot.press("right_square_bracket")  # Renewals
        assert {r.key for r in screen.query_one("#workflows", VirtualTable).rows} == {
            v.workflow.id for v in demo.renewals()
        }


async def test_complete_a_step_refused_then_done(app, demo, wait):
    """Steps complete in order (the template's rule); the next one completes."""
    view = next(
        v
        for v in demo.renewals()
        if v.next_step and not v.next_step.form and v.next_decision and v.next_decision.allowed
    )
    workflow = view.workflow
    later = workflow.steps[-1]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await wait(pilot)
        screen = app.screen
        table = screen.query_one("#workflows", VirtualTable)
        table.move_to(workflow.id)
        await pilot.press("enter")  # to the checklist
        steps = screen.query_one("#steps", VirtualTable)
        assert steps.has_focus and steps.cursor_key == view.next_step.id
        steps.move_to(later.id)
        await pilot.press("enter")
        await wait(pilot, typed=True)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        assert "refused" in text(dialog, "#dialog-live") and "comes first" in text(dialog, "#dialog-live")
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is dialog
        assert "Refused by" in text(dialog, "#dialog-error")
        assert demo.workflow(workflow.id).steps[-1].done_at is None
        await pilot.press("escape")

        await pilot.press("d")
        await wait(pilot, typed=True)
        assert "allowed" in text(app.screen, "#dialog-live")
        await pilot.press("ctrl+s")
        await wait(pilot)
        done = demo.workflow(workflow.id)
        assert next(s for s in done.steps if s.id == view.next_step.id).done_at is not None
        assert screen.query_one("#steps", VirtualTable).rows[0].cells[0] == ("✓", "ok")


async def test_a_step_asks_for_its_form_and_says_what_is_missing(app, demo, wait):
    view = next(
        v
        for v in (demo.workflow_view(w.id) for w in demo.workflows(open_only=True))
        if v.next_step
        and v.next_step.form
        and any(f.required for f in demo.form_fields(v.workflow.vendor, v.next_step.form))
    )
    fields = demo.form_fields(view.workflow.vendor, view.next_step.form)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await wait(pilot)
        app.screen.query_one("#workflows", VirtualTable).move_to(view.workflow.id)
        await pilot.press("d")
        await wait(pilot, typed=True)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        labels = " ".join(str(label.render()) for label in dialog.query(".field-label"))
        assert all(f.label in labels for f in fields if not f.when)
        live = text(dialog, "#dialog-live")
        assert "refused" in live and "missing" in live
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is dialog and "is required" in text(dialog, "#dialog-error")


async def test_renewals_show_their_date_and_state_and_steps_stay_at_80(app, demo, wait):
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot)
        await pilot.press("f3")
        await wait(pilot)
        table = app.screen.query_one("#workflows", VirtualTable)
        assert {"renews", "state", "progress", "due"} <= set(table.shown_columns())
        renews = [c.key for c in table.columns].index("renews")
        for row in table.rows:
            workflow = demo.workflow(row.key)
            view = demo.workflow_view(row.key)
            if view.template and view.template.kind == "renewal" and workflow.anchor:
                assert row.cells[renews][0] == workflow.anchor.isoformat()
        assert any(r.cells[renews][0] != "-" for r in table.rows), "the demo has renewals"
