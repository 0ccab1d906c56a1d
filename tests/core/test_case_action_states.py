"""Which timeline actions a case's state allows: one table that the actions check and the
screens ask, and refusals that say the action in words (issue 19: "cannot pending it")."""

from __future__ import annotations

import json

from workbench.desk.cases import ALLOWED_FROM, WORKING


def test_a_refused_action_is_said_in_words(run_cli):
    assert run_cli("demo")[0] == 0
    status, out, _ = run_cli("case", "list", "--state", "closed", "--json")
    listed = json.loads(out)
    key = (listed["cases"] if isinstance(listed, dict) else listed)[0]["id"]
    status, _, err = run_cli("case", "pending", key)
    assert status == 1
    assert f"refused by CORE-CASE-1: case {key} is closed; cannot put it pending on the customer" in err
    assert "cannot pending" not in err


def test_the_desk_offers_the_actions_it_would_accept(desk):
    desk.fill_demo()
    for case in desk.cases()[:20]:
        offered = desk.case_actions(case)
        assert offered == {a for a, states in ALLOWED_FROM.items() if case.state in states}
        if case.state == "closed":
            assert offered == {"reply", "reopen"}
        else:
            assert case.state in WORKING and "note" in offered
