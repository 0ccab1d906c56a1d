"""The plugin contract's failure modes, discovery and the headless core (DESIGN: plugin contract)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from workbench import hookimpl
from workbench.model import Action, CloseReason, Finding, Ladder, Rung
from workbench.plugins import get_plugins
from workbench.testing import make_desk

VENDORS = ["bittitan", "core", "ontime", "webex", "zoho"]


ACME = """
from workbench import hookimpl
from workbench.model import Rule, VendorProgram

@hookimpl
def workbench_vendor():
    return VendorProgram(id="acme", name="Acme Support", version="2.0",
                         rules=[Rule("ACME-1", "Acme answers every ticket within a day.")])
"""


def test_bundled_vendors_and_core_are_discovered_through_the_entry_point_group() -> None:
    plugins = get_plugins()
    assert plugins.names() == VENDORS
    assert plugins.failures == []
    assert plugins.distributions["zoho"].startswith("workbench-zoho ")
    assert plugins.distributions["core"].startswith("case-workbench ")


def test_third_party_plugin_outside_the_repository_is_discovered_and_listed(tmp_path, install) -> None:
    install("acme", ACME)
    desk = make_desk()
    assert "acme" in desk.plugins.names()
    assert desk.programs()["acme"].rules[0].id == "ACME-1"
    # and through the real command, in a fresh process
    env = {**os.environ, "WORKBENCH_DB": str(tmp_path / "desk.json")}
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "plugins", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    listed = {p["plugin"]: p for p in json.loads(result.stdout)["plugins"]}
    assert listed["acme"]["program"]["name"] == "Acme Support"
    assert listed["acme"]["package"] == "workbench-acme-thirdparty 1.0"


def test_plugin_that_fails_to_import_is_reported_by_name_and_the_desk_carries_on(install) -> None:
    install("broken", "raise ImportError('no module named acme_sdk')\n")
    plugins = get_plugins()
    assert [str(f) for f in plugins.failures] == [
        "plugin broken failed to load: ImportError: no module named acme_sdk"
    ]
    assert plugins.names() == VENDORS


def test_misspelt_hook_switches_off_that_plugin_only_and_names_it(clock) -> None:
    class Misspelt:
        @hookimpl
        def workbench_vendr(self):
            return None

        @hookimpl
        def workbench_validate_case(self, case, desk):
            return [Finding("error", "CORE-PATH-1", "never saved")]

    desk = make_desk([("misspelt", Misspelt())])
    assert [str(f) for f in desk.plugins.failures] == [
        "plugin misspelt failed to load: unknown hook 'workbench_vendr' (did you mean workbench_vendor?): "
        "it is not in the contract"
    ]
    assert "misspelt" not in desk.plugins.names()
    customer = desk.add_customer("Northwind Traders")
    assert desk.open_case("ontime", customer.id, "Calendar shows wrong time").id == "C-1"


def test_hook_wrapper_is_refused_at_load_with_its_name(clock) -> None:
    """A new-style wrapper used to load, and its generator came back as "the answer"."""

    class Wrapping:
        @hookimpl(wrapper=True)
        def workbench_route_case(self, case, desk):
            return (yield)

    desk = make_desk([("wrapping", Wrapping())])
    assert [str(f) for f in desk.plugins.failures] == [
        "plugin wrapping failed to load: hook workbench_route_case is declared as a hook wrapper: "
        "the contract takes plain implementations only"
    ]
    customer = desk.add_customer("Northwind Traders")
    route = desk.preview_case("ontime", customer.id, "Calendar shows wrong time", {}).route
    assert route.rule.startswith(("ONTIME-", "CORE-"))


def test_hook_arguments_the_contract_does_not_give_refuse_the_plugin(clock) -> None:
    class Asking:
        @hookimpl
        def workbench_route_case(self, case, desk, customer):
            return None

    plugins = get_plugins([("asking", Asking())])
    assert "asking" not in plugins.names()
    (failure,) = plugins.failures
    assert failure.plugin == "asking" and failure.hook is None
    assert "{'customer'}" in failure.error and "can not be found in the hookspec" in failure.error


def test_first_result_hook_stops_at_the_first_answer_through_pluggy(clock) -> None:
    """``firstresult`` means what the spec says: after the first answer no plugin is asked."""
    asked = []

    class First:
        @hookimpl(tryfirst=True)
        def workbench_close_reasons(self, case, desk):
            asked.append("first")
            return [CloseReason("done", "done", "CORE-PATH-1")]

    class Later:
        @hookimpl
        def workbench_close_reasons(self, case, desk):
            asked.append("later")
            return [CloseReason("later", "never offered", "CORE-PATH-1")]

    desk = make_desk([("later", Later()), ("first", First())])
    customer = desk.add_customer("Northwind Traders")
    case = desk.open_case("ontime", customer.id, "Calendar shows wrong time")
    assert [r.code for r in desk.close_reasons(case)] == ["done"]
    assert asked == ["first"]
    with pytest.raises(TypeError, match="workbench_close_reasons is a firstresult hook"):
        desk.plugins.call("workbench_close_reasons", case=case, desk=desk)


def test_vendor_ladder_without_a_commercial_track_gets_the_cores_core_esc_2(clock) -> None:
    class Technical:
        @hookimpl(tryfirst=True)
        def workbench_escalation_ladder(self, case, desk):
            return Ladder(
                [Rung(1, "tier 2", "technical", "a log", "CORE-ESC-1")], "CORE-ESC-1", "tier 2 only"
            )

    desk = make_desk([("technical", Technical())])
    customer = desk.add_customer("Northwind Traders")
    case = desk.open_case("ontime", customer.id, "Calendar shows wrong time")
    ladder = desk.ladder(case)
    assert [(r.track, r.level, r.role) for r in ladder.rungs] == [
        ("technical", 1, "tier 2"),
        ("commercial", 1, "account manager"),
        ("commercial", 2, "sales executive"),
    ]
    assert {r.rule for r in ladder.rungs if r.track == "commercial"} == {"CORE-ESC-2"}


def test_trace_plugins_prints_each_hook_call_with_its_time(tmp_path) -> None:
    env = {**os.environ, "WORKBENCH_DB": str(tmp_path / "desk.json"), "WORKBENCH_TRACE_PLUGINS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "settings", "--now", "2026-11-24T10:00+09:00"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    traced = [line for line in result.stderr.splitlines() if line.startswith("workbench: trace: ")]
    vendor = next(line for line in traced if "workbench_vendor()" in line)
    assert re.search(r"\[[\w, ]*\bcore\b[\w, ]*\] \d+ answer\(s\) in \d+\.\d\d ms$", vendor), vendor
    untraced = subprocess.run(
        [sys.executable, "-m", "workbench", "settings"],
        capture_output=True,
        text=True,
        env={**env, "WORKBENCH_TRACE_PLUGINS": ""},
        check=True,
    )
    assert "trace" not in untraced.stderr


def test_plugin_raising_inside_a_hook_is_reported_and_other_answers_still_count(clock) -> None:
    class Exploding:
        @hookimpl
        def workbench_validate_case(self, case, desk):
            raise RuntimeError("database is down")

    class Policy:
        @hookimpl
        def workbench_validate_case(self, case, desk):
            return [Finding("warning", "CORE-SLA-3", "tell the customer within 4 hours")]

    desk = make_desk([("policy", Policy()), ("exploding", Exploding())])
    customer = desk.add_customer("Northwind Traders")
    preview = desk.preview_case("ontime", customer.id, "Calendar shows wrong time", {})
    assert [str(f) for f in desk.plugins.failures] == [
        "plugin exploding failed in hook workbench_validate_case: RuntimeError: database is down"
    ]
    assert "tell the customer within 4 hours" in [f.message for f in preview.findings]
    assert preview.route is not None


def test_disable_plugins_blocks_them_by_name(monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_DISABLE_PLUGINS", "zoho, webex")
    plugins = get_plugins()
    assert plugins.names() == ["bittitan", "core", "ontime"]
    assert plugins.disabled == ["zoho", "webex"]


def test_core_and_plugins_never_import_textual() -> None:
    """The core minus workbench.tui, and every vendor plugin, stay headless."""
    code = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        import workbench
        for info in pkgutil.walk_packages(workbench.__path__, "workbench."):
            if not info.name.startswith(("workbench.tui", "workbench.__main__")):
                importlib.import_module(info.name)
        for name in ("workbench_ontime", "workbench_zoho", "workbench_bittitan", "workbench_webex"):
            module = importlib.import_module(name)
            for info in pkgutil.walk_packages(module.__path__, name + "."):
                if ".tests" not in info.name:
                    importlib.import_module(info.name)
        from workbench.plugins import get_plugins
        get_plugins()
        print(sorted(m for m in sys.modules if m.split(".")[0] == "textual"))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_case_of_a_switched_off_vendor_says_why_it_cannot_be_worked(monkeypatch, capsys, tmp_path) -> None:
    from workbench.cli import main

    db = str(tmp_path / "desk.json")
    now = "2026-11-24T10:00+09:00"
    _run(main, capsys, ["demo", "--db", db, "--now", now])
    zoho_case = json.loads(_run(main, capsys, ["case", "list", "--vendor", "zoho", "--json", "--db", db]))[0]
    monkeypatch.setenv("WORKBENCH_DISABLE_PLUGINS", "zoho")
    with pytest.raises(SystemExit) as refused:
        main(["case", "show", zoho_case["id"], "--db", db, "--now", now])
    assert refused.value.code == 2
    message = capsys.readouterr().err
    assert "the zoho plugin is switched off (WORKBENCH_DISABLE_PLUGINS)" in message
    assert "Traceback" not in message
    listed = json.loads(_run(main, capsys, ["case", "list", "--json", "--db", db, "--now", now]))
    assert zoho_case["id"] in [case["id"] for case in listed]


def _run(main, capsys, args: list[str]) -> str:
    try:
        main(args)
    except SystemExit as exit_:
        assert exit_.code in (0, None), capsys.readouterr().err
    return capsys.readouterr().out


def test_answer_of_the_wrong_type_is_left_out_naming_plugin_and_hook(clock) -> None:
    class Garbage:
        @hookimpl
        def workbench_commitments(self, case, desk):
            return "garbage"

        @hookimpl
        def workbench_validate_case(self, case, desk):
            return [42]

    desk = make_desk([("garbage", Garbage())])
    customer = desk.add_customer("Northwind Traders")
    case = desk.open_case("ontime", customer.id, "Calendar shows wrong time")
    assert "CORE-SLA-3" in {d.rule for d in desk.deadlines(case)}
    assert sorted((f.plugin, f.hook, f.error) for f in desk.plugins.failures) == [
        (
            "garbage",
            "workbench_commitments",
            "answered 'garbage' where the contract asks for list[Commitment] | None",
        ),
        (
            "garbage",
            "workbench_validate_case",
            "answered [42] where the contract asks for list[Finding] | None",
        ),
    ]


def test_hook_failing_on_every_case_is_one_failure_with_a_count(clock) -> None:
    class Failing:
        @hookimpl
        def workbench_case_severity(self, case, desk):
            raise RuntimeError(f"no severity for {case.id}")

    desk = make_desk([("failing", Failing())])
    customer = desk.add_customer("Northwind Traders")
    for subject in ("one", "two", "three"):
        desk.open_case("ontime", customer.id, subject)
    assert [str(f) for f in desk.plugins.failures] == [
        "plugin failing failed in hook workbench_case_severity (3 calls): RuntimeError: no severity for (new)"
    ]


def test_hook_past_the_time_limit_is_stopped_left_out_and_not_called_again(clock) -> None:
    calls = []

    class Hanging:
        @hookimpl(tryfirst=True)
        def workbench_close_reasons(self, case, desk):
            calls.append(case.id)
            time.sleep(60)
            return [CloseReason("never", "never", "CORE-PATH-1")]

    desk = make_desk([("hanging", Hanging())])
    desk.set_setting("core.plugin_time_limit", "0.2")
    customer = desk.add_customer("Northwind Traders")
    first = desk.open_case("ontime", customer.id, "one")
    second = desk.open_case("ontime", customer.id, "two")
    assert "resolved" in [r.code for r in desk.close_reasons(first)]
    assert "resolved" in [r.code for r in desk.close_reasons(second)]
    assert calls == [first.id]
    assert [str(f) for f in desk.plugins.failures] == [
        "plugin hanging failed in hook workbench_close_reasons: ran past the time limit of 0.2 s "
        "(core.plugin_time_limit): its answer is left out and the hook is not called again"
    ]


HOSTILE = """
from workbench import hookimpl
from workbench.model import Finding, Rule, VendorProgram

@hookimpl
def workbench_vendor():
    return VendorProgram(id="hostile", name="Hostile", version="1",
                         rules=[Rule("HOSTILE-1", "Nothing opens.")])

@hookimpl(tryfirst=True)
def workbench_validate_case(case, desk):
    return [Finding("error", "HOSTILE-1", "nothing opens")]

@hookimpl(tryfirst=True)
def workbench_close_reasons(case, desk):
    return []
"""


def test_the_projects_own_tests_pass_whatever_third_party_plugin_is_installed(install) -> None:
    """The plugin blocks every case and answers every close-reason question; the project's
    tests load exactly the bundled plugins (conftest.py: WORKBENCH_PLUGINS), in process and
    in the commands they start."""
    install("hostile", HOSTILE)
    assert "hostile" in get_plugins().names()
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "tests/core/test_cli.py",
            "plugins/zoho/tests/test_zoho_cli.py",
            "plugins/bittitan/tests/test_bittitan_close.py",
            "tests/core/test_plugins.py::test_bundled_vendors_and_core_are_discovered_through_the_entry_point_group",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "WORKBENCH_PLUGINS"},
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout.splitlines()[-1]


def test_sweep_action_without_the_data_its_kind_needs_is_left_out_naming_plugin_and_hook(clock) -> None:
    """ACTION_DATA_KEYS: a reroute names its path and queue; this one does not."""

    class Rerouting:
        @hookimpl
        def workbench_sweep(self, case, desk, now):
            return [
                Action("reroute", f"reroute:{case.id}", "CORE-PATH-1", "the desk reroutes it", {"path": "x"})
            ]

    desk = make_desk([("rerouting", Rerouting())])
    customer = desk.add_customer("Northwind Traders")
    case = desk.open_case("ontime", customer.id, "Calendar shows wrong time")
    desk.sweep()
    assert desk.case(case.id).queue == case.queue
    assert [(f.plugin, f.hook, f.error) for f in desk.plugins.failures] == [
        ("rerouting", "workbench_sweep", "answered a 'reroute' action without the data queue")
    ]


ENTRY_POINT_PLUGIN = """
from workbench import hookimpl
from workbench.model import Rule, VendorProgram

class First:
    @hookimpl
    def workbench_vendor(self):
        return VendorProgram(id="acmeep", name="Acme first", version="1",
                             rules=[Rule("ACMEEP-1", "The first object's rule.")])

class Second:
    @hookimpl
    def workbench_vendor(self):
        return VendorProgram(id="acmeep", name="Acme second", version="2",
                             rules=[Rule("ACMEEP-1", "The second object's rule.")])

first, second = First(), Second()
"""


def program_name() -> str:
    return next(v.name for v in get_plugins().call("workbench_vendor") if v.id == "acmeep")


def test_the_plugins_entry_points_are_read_again_when_a_package_changes(install) -> None:
    """The entry points are kept in the cache folder (issue 16: reading the packages' metadata
    was 20 ms of every command) and read again when a package is installed or its entry point
    edited: the desk loads what is installed now, and a warm start imports no metadata reader."""
    site = install("acme_ep", ENTRY_POINT_PLUGIN, entry_name="acmeep")
    points = site / "workbench_acme_ep_thirdparty-1.0.dist-info" / "entry_points.txt"
    points.write_text("[workbench]\nacmeep = wb_acme_ep:first\n", encoding="utf-8")
    assert program_name() == "Acme first"
    points.write_text("[workbench]\nacmeep = wb_acme_ep:second\n", encoding="utf-8")
    assert program_name() == "Acme second"
    code = (
        "import sys\n"
        "from workbench.plugins import get_plugins\n"
        "from workbench.plugins import get_plugins\n"
        "vendors = get_plugins().call('workbench_vendor')\n"
        "print(next(v.name for v in vendors if v.id == 'acmeep'), 'importlib.metadata' in sys.modules)\n"
    )
    cold = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert cold.stdout.split() == ["Acme", "second", "True"]  # its sys.path is not pytest's
    assert warm.stdout.split() == ["Acme", "second", "False"]
