"""ZOHO-HOWTO-1 from the tally the desk keeps (``zoho.howto``): the count equals counting the
cases themselves, whatever happened to them, and a how-to case's finding reads no case."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import suppress
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from workbench import Invalid, Refused
from workbench import clock as desk_clock
from workbench.compaction import compact_desk
from workbench.desk import Desk
from workbench.model import Case, Customer
from workbench.plugins import get_plugins
from workbench.store import FileStore
from workbench.store.snapshot import Snapshot
from workbench.store.tallies import tallies_path
from workbench.transfer import export_file, import_file

SENDER = "zoho-desk@reseller.co.jp"
PARTNER_CONTRACT_UNTIL = "2027-03-31"
DESCRIPTION = (
    "Since this morning the workflow rule 'Delivery status sync' no longer updates the deal stage "
    "in Zoho CRM; the custom function reports success but the field keeps its old value."
)
START = datetime.fromisoformat("2026-10-01T09:00+09:00")
CATEGORIES = ["how-to", "malfunction", "feature-request", "product-limitation", "integration"]
WINDOW = timedelta(days=30)


def old_howto_count(desk: Desk, after: datetime, until: datetime) -> int:
    """ZOHO-HOWTO-1 as it was counted before the tally: every Zoho case sent in the window,
    read and judged one by one (severity-3 technical support inside the SLA, ZOHO-SEV-1)."""
    return sum(
        1
        for case in desk.cases(vendor="zoho", sent_within=(after, until))
        if case.fields.get("request_type") == "technical-support"
        and case.fields.get("severity") == "3"
        and case.fields.get("category") not in ("feature-request", "product-limitation")
    )


def old_howto_text(desk: Desk, case: Case) -> str:
    """The ZOHO-HOWTO-1 finding's text as the old computation wrote it."""
    now = desk.now()
    count = old_howto_count(desk, now - WINDOW, now)
    limit = int(desk.setting("zoho.howto_warning_above"))
    text = f"the desk sent {count} severity-3 how-to requests to Zoho in the last 30 days"
    if case.sent_at is None:
        text += f" (sending this one makes {count + 1})"
    return f"{text}, above {limit}" if count > limit else f"{text}; a warning shows above {limit}"


def zoho_desk(path: Path) -> Desk:
    return Desk(FileStore(path, compact_on_write=False), get_plugins(), actor="aiko")


def desk_with_customer(path: Path) -> tuple[Desk, Customer]:
    """A Zoho desk file with the desk's sender and partner contract set, and one customer
    with an active CRM subscription."""
    desk = zoho_desk(path)
    desk.set_setting("zoho.sender_email", SENDER)
    desk.set_setting("zoho.partner_contract_until", PARTNER_CONTRACT_UNTIL)
    customer = desk.add_customer(
        "株式会社さくら物流",
        email="it@sakura-logistics.co.jp",
        domain="sakura-logistics.co.jp",
        users=120,
        attributes={"zoho.region": "apac-japan", "zoho.super_admin_email": "admin@sakura-logistics.co.jp"},
    )
    desk.add_contract(customer.id, "zoho", "crm", date(2026, 1, 1), date(2027, 12, 31), quantity=120)
    return desk, customer


def answers(request_type: str, category: str, severity: str) -> dict[str, str]:
    form = {
        "customer_email": "it@sakura-logistics.co.jp",
        "request_type": request_type,
        "severity": severity,
        "zoho_product": "crm",
        "reproducible": "no",
        "description": DESCRIPTION,
        "troubleshooting": "Re-ran the function by hand and checked the execution log.",
    }
    if request_type == "technical-support":
        form["category"] = category
    return form


class HowtoTally(RuleBasedStateMachine):
    """A Zoho desk file changed at random, compacted at random points, exported and
    imported; the tally always equals counting the cases (ZOHO-HOWTO-1)."""

    cases = Bundle("cases")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="howto-tally-"))
        self.generation = 0
        self.now = START
        desk_clock.set_now(self.now)
        self.desk, self.customer = desk_with_customer(self.folder / "desk-0.json")
        self.desk.set_setting("zoho.howto_warning_above", 3)

    def later(self, hours: int) -> None:
        self.now += timedelta(hours=hours)
        desk_clock.set_now(self.now)

    @rule(
        target=cases,
        request_type=st.sampled_from(["technical-support", "technical-support", "payment-renewal"]),
        category=st.sampled_from(["how-to", *CATEGORIES]),
        severity=st.sampled_from(["1", "2", "3", "3", "3"]),
        hours=st.integers(0, 72),
        sent=st.booleans(),
    )
    def new_case(self, request_type: str, category: str, severity: str, hours: int, sent: bool) -> str:
        self.later(hours)
        form = answers(request_type, category, severity)
        case = self.desk.open_case("zoho", self.customer.id, "a question", form)
        if sent:
            self.desk.send_to_vendor(case.id)
        return case.id

    @rule(key=cases, hours=st.integers(0, 72))
    def send(self, key: str, hours: int) -> None:
        self.later(hours)
        with suppress(Refused, Invalid):
            self.desk.send_to_vendor(key)

    @rule(key=cases, hours=st.integers(0, 72))
    def close_or_reopen(self, key: str, hours: int) -> None:
        self.later(hours)
        with suppress(Refused, Invalid):
            if self.desk.case(key).is_open:
                self.desk.close(key, "resolved")
            else:
                self.desk.reopen(key)

    @rule(key=cases, severity=st.sampled_from(["1", "2", "3"]), category=st.sampled_from(CATEGORIES))
    def reclassify(self, key: str, severity: str, category: str) -> None:
        if self.desk.case(key).fields.get("request_type") == "technical-support":
            with suppress(Refused, Invalid):
                self.desk.update_fields(key, {"severity": severity, "category": category})

    @rule()
    def compact(self) -> None:
        compact_desk(self.desk)

    @rule()
    def compact_keeping_what_was_kept(self) -> None:
        """A compaction by anyone (no plugins asked): the kept tallies are carried over."""
        self.desk.store.compact()

    @precondition(lambda self: self.generation < 2)
    @rule()
    def export_and_import(self) -> None:
        exported = self.folder / f"export-{self.generation}.json"
        export_file(self.desk, "json", exported)
        self.generation += 1
        target = zoho_desk(self.folder / f"desk-{self.generation}.json")
        import_file(target, str(exported))
        self.desk.store.close()
        self.desk = target

    @invariant()
    def the_tally_is_the_count_of_the_cases_zoho_howto_1(self) -> None:
        for days_back, length in ((0, 30), (0, 2), (1, 3), (3, 10), (10, 30)):
            until = self.now - timedelta(days=days_back)
            after = until - timedelta(days=length)
            assert self.desk.tally("zoho.howto", (after, until)) == old_howto_count(self.desk, after, until)

    @invariant()
    def a_howto_case_shows_what_the_old_count_showed_zoho_howto_1(self) -> None:
        howtos = [c for c in self.desk.cases(vendor="zoho") if c.fields.get("severity") == "3"]
        for case in howtos[:2]:
            found = [f for f in self.desk.view(case.id).findings if f.rule == "ZOHO-HOWTO-1"]
            expected = old_howto_text(self.desk, case) if found else None
            assert not found or found[0].message.startswith(expected), (found, expected)

    def teardown(self) -> None:
        self.desk.store.close()
        desk_clock.set_now(None)
        shutil.rmtree(self.folder, ignore_errors=True)


def test_the_howto_tally_equals_counting_the_cases_after_any_changes_zoho_howto_1() -> None:
    run_state_machine_as_test(
        HowtoTally,
        settings=settings(
            max_examples=10,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


@pytest.fixture
def large_desk(tmp_path, clock) -> Desk:
    """A desk file holding 120 closed how-to requests sent in the last 30 days, compacted
    (the tally kept), and 3 open ones sent since."""
    clock(START)
    desk, customer = desk_with_customer(tmp_path / "desk.json")
    for number in range(123):
        clock(START + timedelta(hours=4 * number))
        key = desk.open_case("zoho", customer.id, "how to", answers("technical-support", "how-to", "3")).id
        desk.send_to_vendor(key)
        if number < 120:
            desk.close(key, "resolved")
        if number == 119:
            compact_desk(desk)
    clock(START + timedelta(days=21))
    return desk


def test_a_howto_finding_reads_no_case_of_the_window_zoho_howto_1(large_desk, monkeypatch) -> None:
    """The finding on a how-to case counts 123 requests from the kept tally and the three open
    ones: not one closed case is read from the snapshot, nor its closed-cases table."""
    reads: list[str] = []
    for name in ("closed_case", "closed", "iter_closed"):
        original = getattr(Snapshot, name)
        monkeypatch.setattr(
            Snapshot, name, lambda self, *args, _o=original, _n=name: reads.append(_n) or _o(self, *args)
        )
    large_desk.store.refresh()
    [case] = [c for c in large_desk.cases(open_only=True)][:1]
    [finding] = [f for f in large_desk.view(case.id).findings if f.rule == "ZOHO-HOWTO-1"]
    assert "the desk sent 123 severity-3 how-to requests to Zoho in the last 30 days" in finding.message
    assert reads == []


def test_kept_tallies_of_another_definition_are_not_believed_zoho_howto_1(large_desk, tmp_path) -> None:
    """A plugin that now counts otherwise (here: a definition the desk never kept) is answered
    from the cases; the next compaction keeps the new definition."""
    store = large_desk.store
    changed = {**large_desk.tallies()["zoho.howto"].definition(), "where_not": {}}
    now = large_desk.now()
    assert store.tally(changed, (now - WINDOW, now)) == 123
    assert store.keep_tallies([changed]) is True
    assert store.keep_tallies([changed]) is False
    assert store.tally(changed, (now - WINDOW, now)) == 123


def _flip_a_byte(data: bytes) -> bytes:
    return data[:-20] + (b"x" if data[-20:-19] != b"x" else b"y") + data[-19:]


def _move_a_day(data: bytes) -> bytes:
    """The third day's line claims another day (its CRC no longer holds)."""
    lines = data.split(b"\n")
    lines[3] = lines[3][:11] + b"1999-01-01" + lines[3][21:]
    return b"\n".join(lines)


@pytest.mark.parametrize("damage", [_flip_a_byte, _move_a_day])
def test_a_damaged_tallies_file_falls_back_to_the_cases_zoho_howto_1(large_desk, damage) -> None:
    """Derived data that fails its checks is not believed, whichever line is hit: the count
    comes from the cases, never a count with a day's cases missing."""
    path = Path(tallies_path(large_desk.store.path))
    path.write_bytes(damage(path.read_bytes()))
    reopened = zoho_desk(Path(large_desk.store.path))
    now = reopened.now()
    assert reopened.tally("zoho.howto", (now - WINDOW, now)) == 123


def test_case_show_gives_the_howto_count_after_compact_zoho_howto_1(run_cli, clock) -> None:
    """Through the command line: after `workbench compact` keeps the tally, `case show` of a
    how-to case says what the old count said."""
    clock(START)
    desk, customer = desk_with_customer(run_cli.db)
    keys = []
    for number in range(12):
        clock(START + timedelta(days=number))
        key = desk.open_case("zoho", customer.id, "how to", answers("technical-support", "how-to", "3")).id
        desk.send_to_vendor(key)
        desk.close(key, "resolved")
        keys.append(key)
    clock(START + timedelta(days=35))
    fresh = desk.open_case("zoho", customer.id, "one more", answers("technical-support", "how-to", "3")).id
    desk.store.close()
    now = (START + timedelta(days=35, hours=1)).isoformat()
    status, _, err = run_cli("compact", "--now", now)
    assert status == 0, err
    assert Path(tallies_path(str(run_cli.db))).exists()
    status, out, err = run_cli("case", "show", fresh, "--now", now)
    assert status == 0, err
    expected = (
        "the desk sent 6 severity-3 how-to requests to Zoho in the last 30 days (sending this one makes 7)"
    )
    assert " ".join(out.split()).count(expected) == 1, out
