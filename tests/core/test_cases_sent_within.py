"""``Desk.cases(sent_within=…)``: the cases sent to the vendor in a window, as the store's
index of sent cases finds them (ZOHO-HOWTO-1 counts a month of them on every view)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from workbench.desk import Desk
from workbench.plugins import get_plugins
from workbench.store import FileStore


@pytest.mark.parametrize("days", [1, 7, 30, 400])
def test_zoho_howto1_cases_sent_in_a_window_are_those_a_full_filter_finds(tmp_path, clock, days):
    """On a desk file with closed cases (compacted, so its index is in use) and cases
    changed since, every vendor's sent cases in a window equal filtering every case."""
    store = FileStore(tmp_path / "desk.json")
    desk = Desk(store, get_plugins(), actor="tester")
    desk.fill_demo()
    now = desk.now()
    sendable = [c for c in desk.cases(open_only=True) if c.state == "open"]
    for case in sendable[:3]:
        desk.send_to_vendor(case.id, "sent")
        desk.close(case.id, desk.close_reasons(case)[0].code)
    store.compact()
    assert store.closed_index_in_use()
    desk.send_to_vendor(sendable[3].id, "after the snapshot")
    every = desk.cases()
    assert any(c.state == "closed" and c.sent_at for c in every)
    for vendor in (None, "zoho", "bittitan"):
        for end in (now, now - timedelta(days=3), now + timedelta(days=1)):
            window = (end - timedelta(days=days), end)
            expected = [
                c.id
                for c in every
                if (vendor is None or c.vendor == vendor) and c.sent_at and window[0] < c.sent_at <= window[1]
            ]
            found = desk.cases(vendor=vendor, sent_within=window)
            assert [c.id for c in found] == expected
    store.close()
