"""The case screen: what it shows and its actions by key, refusals with rule and reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from textual.widgets import Select, Static, TextArea

from workbench import hookimpl
from workbench.calendar import TWENTY_FOUR_SEVEN
from workbench.model import Commitment
from workbench.tui.screens.case import CaseScreen
from workbench.tui.screens.dialogs import ConfirmScreen, FormDialog, TextScreen
from workbench.tui.widgets.table import VirtualTable

SIZE = (120, 36)


@pytest.fixture
def webex_case(demo):
    """A WebEx case of the demo's WebEx customer, sent to the vendor with evidence attached."""
    customer = next(c.customer_id for c in demo.contracts(vendor="webex"))
    case = demo.open_case("webex", customer, "Meeting join fails", {"kind": "technical"})
    demo.attach_evidence(case.id, "log", "join log with the error")
    demo.send_to_vendor(case.id, "sent to Cisco")
    return case


async def open_case(pilot, wait, key: str) -> CaseScreen:
    await wait(pilot)
    pilot.app.open_case(key)
    await wait(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CaseScreen) and screen.data is not None
    return screen


async def leave_dialog(pilot) -> None:
    """Esc, and yes to discarding what was typed when the dialog asks."""
    await pilot.press("escape")
    if isinstance(pilot.app.screen, ConfirmScreen):
        await pilot.press("y")


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_case_shows_route_deadlines_ladder_ball_and_findings(app, demo, wait):
    case = next(c for c in demo.cases(open_only=True) if c.escalations)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, case.id)
        view = demo.view(case.id)
        assert case.subject in text_of(screen, "#case-head")
        route = text_of(screen, "#route")
        assert view.route.rule in route and view.route.path in route
        deadlines = text_of(screen, "#deadlines")
        for deadline in view.deadlines:
            assert deadline.name in deadlines and deadline.rule in deadlines
        escalation = text_of(screen, "#escalation")
        assert "Technical" in escalation and "Commercial" in escalation
        assert f"level {case.level('technical')}" in escalation
        for option in view.options:
            if option.decision is not None:
                assert option.decision.rule in escalation
        ball = text_of(screen, "#ball")
        assert f"{view.ball} holds the ball" in ball and "vendor" in ball and "customer" in ball
        findings = text_of(screen, "#findings")
        for finding in view.findings:
            assert finding.rule in findings
        await pilot.press("right_square_bracket")
        answers = text_of(screen, "#answers")
        for definition in demo.case_fields(case.vendor):
            if definition.name in case.fields:
                assert definition.label in answers
        await pilot.press("right_square_bracket")
        timeline = screen.query_one("#timeline", VirtualTable)
        assert len(timeline.rows) == len(view.events)
        await pilot.press("right_square_bracket")
        await wait(pilot)
        clocks = screen.query_one("#clocks", VirtualTable)
        assert len(clocks.rows) == len(demo.timeline(case.id))


async def test_add_a_note_refused_when_empty_and_written_in_place(app, demo, webex_case, wait, monkeypatch):
    monkeypatch.setenv("EDITOR", "true")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, webex_case.id)
        await pilot.press("n")
        await wait(pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog) and isinstance(dialog.focused, TextArea)
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is dialog, "the dialog stays open"
        assert "must not be empty" in text_of(dialog, "#dialog-error")
        await pilot.press(*"Called")
        await pilot.press("ctrl+o")  # no terminal to hand over to: the text stays here
        await wait(pilot)
        assert dialog.query_one(TextArea).text == "Called"
        assert any("cannot hand over" in n.message for n in app._notifications)
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is screen
        notes = [e for e in demo.events("cases", webex_case.id) if e.action == "note"]
        assert [n.data["text"] for n in notes] == ["Called"]
        timeline = screen.query_one("#timeline", VirtualTable)
        assert timeline.rows[0].cells[2] == ("note", "bold")
        assert any("note added" in n.message for n in app._notifications)


async def choose(pilot, selector: str, value: str) -> None:
    select = pilot.app.screen.query_one(selector, Select)
    select.focus()
    select.value = value
    await pilot.pause()


async def test_escalate_refused_then_allowed_after_the_clock_moves_on(app, demo, webex_case, clock, wait):
    """CORE-ESC-2: the commercial track opens only once the technical track is stalled."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, webex_case.id)
        await pilot.press("E")
        await wait(pilot)
        await choose(pilot, "#f-track", "commercial")
        await wait(pilot, typed=True)
        dialog = app.screen
        live = text_of(dialog, "#dialog-live")
        assert "refused" in live and "CORE-ESC-2" in live, "the decision shows as the agent chooses"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is dialog, "a refusal keeps the dialog open"
        error = text_of(dialog, "#dialog-error")
        assert "Refused by CORE-ESC-2" in error
        assert "not stalled" in error and "allowed from" in error
        assert demo.case(webex_case.id).level("commercial") == 0
        assert any(n.title == "Refused by CORE-ESC-2" for n in app._notifications)
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen), "one Esc does not discard what was chosen"
        await pilot.press("n")
        assert app.screen is dialog
        await pilot.press("escape", "y")
        assert app.screen is screen

        clock(demo.now() + timedelta(days=31))
        screen.load()
        await wait(pilot)
        assert "✓ allowed" in text_of(screen, "#escalation")
        await pilot.press("E")
        await wait(pilot)
        await choose(pilot, "#f-track", "commercial")
        await pilot.press("tab", *"late")
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is screen
        case = demo.case(webex_case.id)
        assert case.level("commercial") == 1
        assert case.escalations[-1].rule == "CORE-ESC-2"
        assert "level 1" in text_of(screen, "#escalation")


async def test_vendor_escalation_refusal_names_the_vendor_rule(app, demo, clock, wait):
    """A case whose vendor refuses technical escalation until a time: refused now, allowed then."""
    found = None
    for case in demo.cases(open_only=True):
        for option in demo.escalation_options(case):
            if option.track == "technical" and option.decision and option.decision.earliest:
                found = (case, option.decision)
    if found is None:
        pytest.skip("the demo has no case waiting for a vendor escalation time")
    case, decision = found
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, case.id)
        await pilot.press("E")
        await wait(pilot)
        await choose(pilot, "#f-track", "technical")
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert f"Refused by {decision.rule}" in text_of(app.screen, "#dialog-error")
        await leave_dialog(pilot)
        clock(decision.earliest + timedelta(minutes=1))
        screen.load()
        await wait(pilot)
        await pilot.press("E")
        await wait(pilot)
        await choose(pilot, "#f-track", "technical")
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert demo.case(case.id).level("technical") == case.level("technical") + 1


async def test_timeline_actions_by_key(app, demo, webex_case, wait):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, webex_case.id)
        for key, text, state in (
            ("v", "ok", "open"),
            ("p", "id?", "pending"),
            ("c", "id", "open"),
            ("r", "fix", "resolved"),
        ):
            await pilot.press(key)
            await wait(pilot)
            await pilot.press(*text)
            await pilot.press("ctrl+s")
            await wait(pilot)
            assert app.screen is screen
            assert demo.case(webex_case.id).state == state
        assert "state resolved" in text_of(screen, "#case-head")


async def test_close_with_a_reason_from_the_vendor_list(app, demo, webex_case, wait):
    """The dialog offers the reasons an agent may give (BT-CLOSE-1: not an automatic close's)."""
    reasons = [r.code for r in demo.close_reasons(webex_case) if r.manual]
    assert "no-reply" not in reasons
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, wait, webex_case.id)
        await pilot.press("x")
        await wait(pilot)
        select = app.screen.query_one("#f-reason", Select)
        assert [value for _, value in select._options if value != Select.NULL] == reasons
        await choose(pilot, "#f-reason", reasons[0])
        await pilot.press("ctrl+s")
        await wait(pilot)
        case = demo.case(webex_case.id)
        assert case.state == "closed" and case.close_reason == reasons[0]


async def test_edit_fields_reroutes_and_validates(app, demo, wait):
    case = next(
        c for c in demo.cases(vendor="bittitan", open_only=True) if c.fields.get("kind") == "guidance-request"
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_case(pilot, wait, case.id)
        await pilot.press("e")
        await wait(pilot)
        dialog = app.screen
        field = dialog.query_one("#f-cutover_date")
        field.focus()
        field.value = "next week"
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is dialog
        assert "is not a date" in text_of(dialog, "#problem-cutover_date")
        field.value = (demo.today() + timedelta(days=1)).isoformat()
        await wait(pilot)
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert isinstance(app.screen, CaseScreen)
        changed = demo.case(case.id)
        assert changed.fields["cutover_date"] == (demo.today() + timedelta(days=1)).isoformat()
        assert changed.queue == "customer-support", "BT-ROUTE-2: an imminent cutover goes to support"


class RootCausePolicy:
    """A desk's own policy plugin: a root-cause deadline met only by a vendor reply that
    names the milestone ``root-cause``."""

    @hookimpl
    def workbench_commitments(self, case, desk):
        if case.sent_at is None:
            return None
        return [
            Commitment(
                name="root cause",
                start=case.sent_at,
                minutes=600,
                calendar=TWENTY_FOUR_SEVEN.to_dict(),
                rule="CORE-SLA-1",
                reason="the desk's policy: the vendor names the root cause within 10 hours",
                met_by=["vendor-reply:root-cause"],
            )
        ]


async def test_vendor_reply_names_the_milestones_that_meet_a_deadline(app, demo, webex_case, wait):
    """A reply naming a milestone meets the deadline that asks for it: the dialog says so
    where a commitment names one, and says none where none does."""
    demo.plugins.pm.register(RootCausePolicy(), name="root-cause-policy")
    try:
        async with app.run_test(size=SIZE) as pilot:
            for case, expected in (
                (webex_case, "root-cause: meets root cause"),
                (
                    demo.open_case("webex", webex_case.customer_id, "Not sent", {"kind": "technical"}),
                    "no deadline of this case is met by a named milestone",
                ),
            ):
                await open_case(pilot, wait, case.id)
                await pilot.press("v")
                await wait(pilot)
                field = app.screen.query_one("#field-milestone")
                assert expected in str(field.query_one(".field-help", Static).render())
                await leave_dialog(pilot)
                await wait(pilot)
                await pilot.press("escape")
                await wait(pilot)
    finally:
        demo.plugins.pm.unregister(name="root-cause-policy")


async def test_owner_of_an_escalation_is_recorded_from_the_case_screen_zoho_esc_2(app, demo, wait):
    """ZOHO-ESC-2: "owner not yet recorded" until the desk records the named owner, by key."""
    case = next(
        c
        for c in demo.cases(vendor="zoho", open_only=True)
        if any(
            o.decision and o.decision.allowed for o in demo.escalation_options(c) if o.track == "technical"
        )
    )
    escalated = demo.escalate(case.id, "technical", "production down")
    level = escalated.level("technical")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, case.id)
        assert "owner not yet recorded" in text_of(screen, "#findings")
        await pilot.press("w")
        await wait(pilot)
        assert isinstance(app.screen, FormDialog)
        await choose(pilot, "#f-escalation", f"technical level {level}")
        app.screen.query_one("#f-owner").focus()
        await pilot.press(*"Priya")
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert app.screen is screen
        assert "owner not yet recorded" not in text_of(screen, "#findings")
    assert demo.case(case.id).escalations[-1].owner == "Priya"


async def test_met_deadlines_read_as_words(app, demo, wait):
    """Once "met met 2026-…": the state once, then when."""
    case = next(
        c for c in demo.cases(open_only=True) if any(d.state == "met-late" for d in demo.deadlines(c))
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, case.id)
        text = text_of(screen, "#deadlines")
        assert "met-late at 20" in text
        assert "met met" not in text


async def test_a_closed_case_offers_only_what_can_be_done(app, demo, wait):
    """A closed case shows no ball, no escalation to climb, and only the keys that work:
    a customer reply and reopening (once it showed 'ball desk', offered escalation and kept
    keys that only refused on save)."""
    from workbench.tui.widgets.keybar import KeyBar

    closed = next(c for c in demo.cases() if c.state == "closed")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, closed.id)
        shown = {description for _, description, _, _ in screen.query_one(KeyBar).entries()}
        assert {"Customer reply", "Reopen"} <= shown
        assert not shown & {"Escalate", "Send", "Pending", "Resolve", "Close", "Note", "Vendor reply"}
        assert "ball" not in text_of(screen, "#case-head")
        assert "reopen the case to escalate" in text_of(screen, "#escalation")
        await pilot.press("E", "s", "p")
        assert app.screen is screen, "the keys do nothing on a closed case"
        await pilot.press("o")
        await wait(pilot)
        await pilot.press(*"customer asked again", "ctrl+s")
        await wait(pilot)
        assert demo.case(closed.id).state != "closed"
        shown = {description for _, description, _, _ in screen.query_one(KeyBar).entries()}
        assert {"Note", "Resolve", "Close"} <= shown, "reopened: the working keys are back"


@pytest.mark.parametrize("swept", [True, False], ids=["swept", "no sweep"])
async def test_sla_evidence_keeps_a_breach_after_a_response_core_sla_4(app, demo, wait, swept):
    """A late first response shows its breach and then when it was met; the update
    window that breached (C-32 on the demo) stays in the evidence once a response restarts
    it, whether a sweep recorded the breach or not (CORE-SLA-2)."""
    case = next(
        c
        for c in demo.cases(open_only=True)
        if {d.name: d.state for d in demo.deadlines(c)}.get("desk update") == "breached"
    )
    if swept:
        demo.sweep()
    demo.note(case.id, "an update for the customer", to_customer=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, case.id)
        await pilot.press("4")
        await wait(pilot)
        rows = screen.query_one("#clocks", VirtualTable).rows
        seen = [(r.cells[1], r.cells[3][0]) for r in rows]
        assert ("desk update", "breach") in seen, "the breach before the response is kept"
        assert ("desk update", "start") in seen
        late = [what for name, what in seen if name == "desk first response"]
        if "met-late" in late:
            assert late.index("breach") < late.index("met-late"), "breached, then met late"


async def test_an_ontime_case_reads_its_reproduction_steps_as_its_description(app, demo, wait):
    """ONTIME-ESC-2: OnTime's form tells what happened as reproduction steps, and the
    overview shows them where other vendors' cases show their description."""
    case = next(
        c for c in demo.cases(open_only=True) if c.vendor == "ontime" and c.fields.get("reproduction_steps")
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, case.id)
        talk = text_of(screen, "#conversation")
        assert case.fields["reproduction_steps"][:30] in talk
        assert "No description." not in talk


async def test_the_conversation_reads_on_the_case(app, demo, wait):
    """The overview shows the description and the last message; the timeline tells an
    internal note from a message to the customer, and Enter reads a row in full."""
    case = next(c for c in demo.cases(open_only=True) if c.fields.get("description"))
    long_note = "Checked the logs.\nSecond line: the nightly import times out at 02:00."
    demo.note(case.id, long_note)
    demo.note(case.id, "We are on it and will update you by noon.", to_customer=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, case.id)
        talk = text_of(screen, "#conversation")
        assert case.fields["description"][:30] in talk
        assert "We are on it" in talk and "to customer" in talk, "the last message, and to whom"
        await pilot.press("3")
        await wait(pilot)
        timeline = screen.query_one("#timeline", VirtualTable)
        audiences = {r.cells[2][0]: r.cells[3] for r in timeline.rows}
        assert audiences["note"] == ("internal", "dim")
        assert audiences["respond"] == ("to customer", "ok")
        note_row = next(i for i, r in enumerate(timeline.rows) if r.cells[2][0] == "note")
        timeline.cursor_row = note_row
        await pilot.press("enter")
        await wait(pilot)
        reader = app.screen
        assert isinstance(reader, TextScreen)
        text = str(reader.query_one("#dialog-body Static").render())
        assert "Second line: the nightly import times out at 02:00." in text, "the full text"
        assert "internal" in text


async def test_the_what_if_clock_is_set_in_the_tui_and_shown_in_the_top_bar(app, demo, wait):
    from workbench import clock
    from workbench.tui.widgets.navbar import NavBar

    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait(pilot)
            await pilot.press("at")
            await wait(pilot)
            app.screen.query_one("#f-now").value = "2026-11-30T09:00"
            await pilot.press("ctrl+s")
            await wait(pilot)
            assert demo.now() == datetime(2026, 11, 30, 0, 0, tzinfo=UTC), "read in the desk's zone"
            bar = str(app.screen.query_one(NavBar).render())
            assert "what-if 2026-11-30 09:00" in bar
            await pilot.press("at")
            await wait(pilot)
            app.screen.query_one("#f-now").value = ""
            await pilot.press("ctrl+s")
            await wait(pilot)
            assert clock.fixed() is None, "empty goes back to the desk's own clock"
    finally:
        clock.set_now(None)


async def test_findings_name_the_tui_key_not_a_command_line(app, demo, wait):
    """ZOHO-ESC-2's finding once told TUI users to run `workbench case owner …`: on the
    case screen it names the key that does it."""
    case = next(
        c
        for c in demo.cases(vendor="zoho", open_only=True)
        if any(
            o.decision and o.decision.allowed for o in demo.escalation_options(c) if o.track == "technical"
        )
    )
    demo.escalate(case.id, "technical", "production down")
    raw = " ".join(f.message for f in demo.validate(demo.case(case.id)))
    assert "`workbench case owner" in raw, "the desk's text names the command line"
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, case.id)
        findings = text_of(screen, "#findings")
        assert "workbench case" not in findings
        assert "key w (Owner) on the case" in findings


async def test_a_pending_case_says_when_the_rules_act_next(app, demo, clock, wait):
    """BT-PENDING-1 and the like: the case screen says when the next reminder or automatic
    close comes, as the rules (the sweep's hooks) would take it."""
    case, (at, action) = next(
        (c, found)
        for c in demo.cases(open_only=True)
        if c.state == "pending" and (found := demo.next_automatic(c)) and found[0] > demo.now()
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_case(pilot, wait, case.id)
        text = text_of(screen, "#automatic")
        assert action.kind in text and action.rule in text
        assert f"{at.astimezone(app.timezone):%Y-%m-%d %H:%M}" in text
    clock(at)
    assert any(a["rule"] == action.rule for a in demo.sweep().applied), "the sweep does it then"


async def test_at_120_columns_the_case_key_bar_keeps_take_and_assign(app, demo, wait):
    """The keys that matter stay within the width: on an unassigned case at 120 columns the
    bar shows the conversation, Resolve, Take and Assign (what gives way is listed by ?);
    on a case already yours Take is not offered (CORE-TEAM-2)."""
    from workbench.tui.widgets.keybar import KeyBar

    case = next(c for c in demo.cases(open_only=True) if not c.assignee and c.state == "open")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_case(pilot, wait, case.id)
        drawn = screen.query_one(KeyBar).render().plain
        assert len(drawn) <= 120
        for shown in ("n Note", "c Customer reply", "v Vendor reply", "r Resolve", "t Take", "A Assign"):
            assert shown in drawn, (shown, drawn)
        await pilot.press("t")
        await wait(pilot)
        assert demo.case(case.id).assignee == demo.actor
        drawn = screen.query_one(KeyBar).render().plain
        assert "t Take" not in drawn and "A Assign" in drawn
