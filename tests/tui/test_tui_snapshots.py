"""Pictures of every screen at 120×36 on the demo desk, clock at Tue 2026-11-24 10:00 JST.

Regenerate with ``pytest tests/tui/test_tui_snapshots.py --snapshot-update``, then render
each changed SVG and look at it before keeping it."""

from __future__ import annotations

import pytest

from workbench.tui.app import WorkbenchApp

SIZE = (120, 36)


@pytest.fixture
def snap_app(demo) -> WorkbenchApp:
    return WorkbenchApp(demo, remember=False)


@pytest.fixture
def steps(wait):
    """Make a ``run_before`` that presses ``keys`` (settling after each) and runs ``then``."""
    return lambda *keys, typed=False, then=None: _steps(wait, keys, typed, then)


def _steps(settle, keys, typed, then):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if then is not None:
            await then(pilot)
            await settle(pilot, typed=typed)

    return run_before


def test_queue(snap_compare, snap_app, steps, wait):
    assert snap_compare(snap_app, terminal_size=SIZE, run_before=steps())


def test_case_overview(snap_compare, snap_app, steps, wait):
    assert snap_compare(snap_app, terminal_size=SIZE, run_before=steps("enter"))


def test_escalation_refused(snap_compare, snap_app, demo, steps, wait):
    key = next(
        c.id
        for c in demo.cases(open_only=True)
        if any(
            o.decision and not o.decision.allowed and o.track == "technical"
            for o in demo.escalation_options(c)
        )
    )

    async def refuse(pilot) -> None:
        pilot.app.open_case(key)
        await wait(pilot)
        await pilot.press("E")
        await wait(pilot, typed=True)
        await pilot.press("ctrl+s")

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=steps(then=refuse, typed=True))


def test_new_case_with_a_live_finding(snap_compare, snap_app, demo, steps, wait):
    customer = next(k.customer_id for k in demo.contracts(vendor="zoho"))

    async def fill(pilot) -> None:
        await pilot.press("n")
        await wait(pilot)
        screen = pilot.app.screen
        screen.query_one("#vendor").value = "zoho"
        await wait(pilot)
        screen.query_one("#customer").value = customer
        screen.query_one("#subject").value = "CRM workflow stops updating deliveries"
        screen.query_one("#f-customer_email").value = "someone@gmail.com"
        screen.query_one("#vendor").focus()

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=steps(then=fill, typed=True))


def test_work(snap_compare, snap_app, steps, wait):
    assert snap_compare(snap_app, terminal_size=SIZE, run_before=steps("f3"))


def test_customers(snap_compare, snap_app, steps, wait):
    assert snap_compare(snap_app, terminal_size=SIZE, run_before=steps("f4"))


def test_plugins(snap_compare, snap_app, steps, wait):
    assert snap_compare(snap_app, terminal_size=SIZE, run_before=steps("f5"))


def test_settings(snap_compare, snap_app, steps, wait):
    assert snap_compare(snap_app, terminal_size=SIZE, run_before=steps("f6"))


def test_help(snap_compare, snap_app, steps, wait):
    assert snap_compare(snap_app, terminal_size=SIZE, run_before=steps("question_mark"))


def test_team(snap_compare, snap_app, steps):
    """The lead's view: every agent's open work, and tanaka's cases below."""

    async def tanaka(pilot) -> None:
        pilot.app.screen.query_one("#team").move_to("tanaka")

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=steps("f7", then=tanaka))


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
def test_reports(snap_compare, snap_app, steps, theme):
    """F8: November's figures as bars in the theme's colours, dark and light, the backlog
    and the renewals due below them; the highlighted figure's cases under the table."""

    async def late_figure(pilot) -> None:
        pilot.app.theme = theme
        figures = pilot.app.screen.query_one("#reports")
        figures.move_to(next(r.key for r in figures.rows if r.cells[4][0] not in ("0", "")))

    assert snap_compare(snap_app, terminal_size=SIZE, run_before=steps("f8", then=late_figure))
