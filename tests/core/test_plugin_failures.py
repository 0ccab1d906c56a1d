"""A broken plugin never takes the desk down (README: "named and the desk carries on"): each
failure tried with a throwaway plugin installed as a package outside the repository, through
the real command."""

from __future__ import annotations

import json

ZOHO_FIELDS = [
    "customer_email=someone@gmail.com",
    "request_type=technical-support",
    "category=malfunction",
    "severity=1",
    "zoho_product=crm",
    "reproducible=no",
    "description=" + "The workflow rule 'Delivery status sync' no longer updates the deal stage in "
    "Zoho CRM; the custom function reports success but the field keeps its old value.",
    "troubleshooting=Re-ran the function by hand and checked the execution log.",
]


def warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("workbench: warning: ")]


def demo(run_cli) -> None:
    status, _, err = run_cli("demo")
    assert status == 0, err


def next_deadlines(run_cli, monkeypatch, without: str | None = None) -> dict[str, object]:
    """Each case's next deadline in ``case list --json`` (with plugin ``without`` switched off)."""
    with monkeypatch.context() as switched:
        if without:
            switched.setenv("WORKBENCH_DISABLE_PLUGINS", without)
        status, out, err = run_cli("case", "list", "--json")
    assert status == 0, err
    return {case["id"]: case["next_deadline"] for case in json.loads(out)}


def test_misspelt_hook_switches_off_that_plugin_and_every_command_carries_on(install, run_cli) -> None:
    install(
        "misspelt",
        """
        from workbench import hookimpl

        @hookimpl
        def workbench_vendr():
            return None
        """,
    )
    demo(run_cli)
    for command in (["case", "list"], ["case", "show", "C-1"], ["plugins"], ["settings"]):
        status, out, err = run_cli(*command)
        assert status == 0, err
        assert warnings(err) == [
            "workbench: warning: plugin misspelt failed to load: unknown hook 'workbench_vendr' "
            "(did you mean workbench_vendor?): it is not in the contract; its answers are missing above"
        ]
    assert "! plugin misspelt failed to load" in run_cli("plugins")[1]


GARBAGE = """
from workbench import hookimpl

@hookimpl
def workbench_vendor():
    return "a string, not a program"

@hookimpl
def workbench_commitments(case, desk):
    return "garbage"

@hookimpl
def workbench_validate_case(case, desk):
    return [42]
"""


def test_answers_of_the_wrong_type_are_left_out_naming_plugin_and_hook(install, run_cli, monkeypatch) -> None:
    install("garbage", GARBAGE)
    demo(run_cli)
    assert next_deadlines(run_cli, monkeypatch) == next_deadlines(run_cli, monkeypatch, without="garbage")
    status, out, err = run_cli("case", "list", "--json")
    assert status == 0, err
    assert (
        "workbench: warning: plugin garbage failed in hook workbench_commitments (" in err
        and "answered 'garbage' where the contract asks for list[Commitment] | None" in err
    )
    status, out, err = run_cli("case", "show", "C-1")
    assert status == 0 and "unexpected error" not in err
    status, out, err = run_cli("plugins", "--json")
    assert status == 0
    failures = {(f["plugin"], f["hook"]): f["error"] for f in json.loads(out)["failures"]}
    assert failures[("garbage", "workbench_vendor")] == (
        "answered 'a string, not a program' where the contract asks for VendorProgram | None"
    )


def test_second_plugin_declaring_a_taken_vendor_id_is_refused_naming_both(install, run_cli) -> None:
    install(
        "zoho_copy",
        """
        from workbench import hookimpl
        from workbench.model import VendorProgram

        @hookimpl
        def workbench_vendor():
            return VendorProgram(id="zoho", name="Zoho, permissive", version="9", rules=[])

        @hookimpl(tryfirst=True)
        def workbench_validate_case(case, desk):
            return []
        """,
    )
    assert run_cli("settings", "zoho.sender_email", "zoho-desk@reseller.co.jp")[0] == 0
    assert run_cli("customer", "add", "Sakura Logistics", "--attr", "zoho.region=apac-japan")[0] == 0
    contract = ("contract", "add", "--customer", "CUS-1", "--vendor", "zoho", "--product", "crm")
    assert run_cli(*contract, "--start", "2026-01-01")[0] == 0
    fields = [arg for value in ZOHO_FIELDS for arg in ("--field", value)]
    status, out, err = run_cli(
        "case", "new", "--vendor", "zoho", "--customer", "CUS-1", "--subject", "x", *fields
    )
    assert status == 2 and "ZOHO-EMAIL-1" in err
    assert warnings(err) == [
        "workbench: warning: plugin zoho_copy failed to load: declares vendor id 'zoho', which plugin zoho "
        "already declares: one program, one plugin; its answers are missing above"
    ]
    listed = json.loads(run_cli("plugins", "--json")[1])
    assert {p["plugin"]: p["program"]["name"] for p in listed["plugins"]}["zoho"] == "Zoho partner support"


def test_hook_failing_on_every_case_is_one_warning_line_with_a_count(install, run_cli) -> None:
    install(
        "flaky",
        """
        from workbench import hookimpl

        @hookimpl
        def workbench_commitments(case, desk):
            raise RuntimeError("the SLA service is down")
        """,
    )
    demo(run_cli)
    status, out, err = run_cli("case", "list", "--json")
    assert status == 0
    cases = len(json.loads(out))
    (line,) = warnings(err)
    assert line.startswith("workbench: warning: plugin flaky failed in hook workbench_commitments (")
    assert line.endswith(" calls): RuntimeError: the SLA service is down; its answers are missing above")
    assert int(line.split(" (")[1].split(" calls")[0]) >= cases > 1


def test_hook_past_the_time_limit_is_reported_and_left_out(install, run_cli, monkeypatch) -> None:
    install(
        "slow",
        """
        import time
        from workbench import hookimpl

        @hookimpl
        def workbench_commitments(case, desk):
            time.sleep(60)
            return []
        """,
    )
    demo(run_cli)
    assert run_cli("settings", "core.plugin_time_limit", "0.3")[0] == 0
    status, out, err = run_cli("case", "list", "--json")
    assert status == 0
    shown = {case["id"]: case["next_deadline"] for case in json.loads(out)}
    assert shown == next_deadlines(run_cli, monkeypatch, without="slow")
    assert warnings(err) == [
        "workbench: warning: plugin slow failed in hook workbench_commitments: ran past the time limit of "
        "0.3 s (core.plugin_time_limit): its answer is left out and the hook is not called again; its "
        "answers are missing above"
    ]


def test_entry_point_named_otherwise_than_its_program_names_the_real_cause(install, run_cli) -> None:
    install(
        "acme_named",
        """
        from workbench import hookimpl
        from workbench.model import Rule, VendorProgram

        @hookimpl
        def workbench_vendor():
            return VendorProgram(id="acme", name="Acme", version="1", rules=[Rule("ACME-1", "Acme answers.")])
        """,
        entry_name="acme_plugin",
    )
    assert run_cli("customer", "add", "Northwind Traders")[0] == 0
    status, out, err = run_cli("case", "new", "--vendor", "acme", "--customer", "CUS-1", "--subject", "x")
    assert status == 2
    assert "declares program 'acme' under the entry-point name 'acme_plugin'" in err
    assert "unknown vendor" not in err and "declares no program" not in err


COMMANDS = """
import click
from workbench import Output, hookimpl, with_desk

@click.command("acme-status")
@click.option("--vendor", default="ontime")
@with_desk
def acme_status(desk, vendor):
    '''How many open cases a vendor has.'''
    count = len(desk.cases(vendor=vendor, open_only=True))
    return Output({"vendor": vendor, "open": count}, f"{count} open {vendor} cases")

@click.command("case")
def not_the_case_command():
    '''Shadows the core's case command: left out.'''
    click.echo("shadowed")

@hookimpl
def workbench_commands():
    return [acme_status, not_the_case_command]
"""


def test_hook_workbench_commands(install, run_cli) -> None:
    """A plugin adds a subcommand that reads the desk like the core's commands; a name the
    core has stays the core's."""
    install("acme_commands", COMMANDS)
    demo(run_cli)
    status, out, err = run_cli("acme-status", "--vendor", "zoho", "--json")
    assert status == 0, err
    zoho_open = len([c for c in json.loads(run_cli("case", "list", "--json")[1]) if c["vendor"] == "zoho"])
    assert json.loads(out) == {"vendor": "zoho", "open": zoho_open}
    assert run_cli("acme-status")[1].strip().endswith("open ontime cases")
    status, out, _ = run_cli("case", "list")
    assert status == 0 and "shadowed" not in out


def test_a_change_made_off_the_main_thread_goes_on_past_a_hanging_hook_and_is_made_once(clock) -> None:
    """The terminal desk makes its changes in worker threads, where no signal can stop a hook:
    the hook runs in a runner thread and the change goes on at core.plugin_time_limit, without
    its answer; the contract is saved once, and the failure names the plugin and hook."""
    import threading
    from datetime import date

    from workbench import hookimpl
    from workbench.testing import make_desk

    release = threading.Event()

    class HangingCheck:
        @hookimpl
        def workbench_check_contract(self, contract, desk):
            release.wait(60)
            return []

    desk = make_desk([("hanging_check", HangingCheck())])
    desk.set_setting("core.plugin_time_limit", "0.2")
    customer = desk.add_customer("Northwind Traders")
    made = []
    worker = threading.Thread(
        target=lambda: made.append(desk.add_contract(customer.id, "ontime", "license", date(2026, 4, 1)))
    )
    try:
        worker.start()
        worker.join(30)
        assert not worker.is_alive() and not release.is_set(), "the change went on while the hook hung"
    finally:
        release.set()
    assert [c.id for c in desk.contracts(customer.id)] == [made[0].id]
    assert [str(f) for f in desk.plugins.failures] == [
        "plugin hanging_check failed in hook workbench_check_contract: ran past the time limit of 0.2 s "
        "(core.plugin_time_limit): its answer is left out and the hook is not called again"
    ]
