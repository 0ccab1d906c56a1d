"""The command line as a script uses it: help everywhere, one JSON document with --json,
bad input refused with exit 2 and the desk file untouched, no traceback."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from workbench.cli import cli


@pytest.fixture
def run(run_cli):
    """Run ``workbench ARGS`` in-process on a desk file in tmp_path; returns (status, out, err)."""
    return run_cli


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command under ``group``, asked as click asks (commands load when listed)."""
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += all_commands(command, (*prefix, name))
    return found


COMMANDS = all_commands(cli)


def test_the_command_surface_of_the_design_is_there() -> None:
    names = {" ".join(c) for c in COMMANDS}
    for expected in [
        "demo",
        "plugins",
        "settings",
        "customer add",
        "customer list",
        "customer show",
        "contract add",
        "contract edit",
        "contract list",
        "contract show",
        "case new",
        "case list",
        "case show",
        "case note",
        "case pending",
        "case reply",
        "case resolve",
        "case escalate",
        "case close",
        "case timeline",
        "eligibility",
        "quote",
        "workflow new",
        "workflow list",
        "workflow show",
        "workflow step",
        "renewals",
        "sweep",
        "export",
        "import",
        "doctor",
    ]:
        assert expected in names


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_answers_help(run, command) -> None:
    status, out, _ = run(*command, "--help")
    assert status == 0 and "Usage: workbench" in out
    leaf = cli
    for name in command:
        leaf = leaf.get_command(click.Context(leaf), name)
    if not isinstance(leaf, click.Group):
        assert "--db" in out and "--now" in out and "--json" in out


def test_version(run) -> None:
    status, out, _ = run("--version")
    assert status == 0 and out.startswith("workbench, version ")


def test_json_output_is_exactly_one_document(run) -> None:
    run("customer", "add", "Northwind Traders", "--attr", "zoho.region=usa", "--users", "70")
    status, out, err = run("customer", "list", "--json")
    assert status == 0 and err == ""
    assert [c["name"] for c in json.loads(out)] == ["Northwind Traders"]
    status, out, _ = run("plugins", "--json")
    programs = {p["plugin"]: p["program"] for p in json.loads(out)["plugins"]}
    assert set(programs) == {"core", "ontime", "zoho", "bittitan", "webex"}
    assert [r["id"] for r in programs["core"]["rules"]][:2] == ["CORE-PATH-1", "CORE-PATH-2"]


BAD_INPUTS = [
    (("customer", "add", "X", "--email", "not-an-address"), "email"),
    (("customer", "add", "X", "--users", "many"), "users"),
    (("customer", "show", "CUS-999"), "no customer with ID 'CUS-999'"),
    (
        (
            "contract",
            "add",
            "--customer",
            "CUS-1",
            "--vendor",
            "nope",
            "--product",
            "x",
            "--start",
            "2026-01-01",
        ),
        "vendor",
    ),
    (
        (
            "contract",
            "add",
            "--customer",
            "CUS-1",
            "--vendor",
            "ontime",
            "--product",
            "license",
            "--start",
            "01/01/2026",
        ),
        "--start",
    ),
    (
        ("case", "new", "--vendor", "zoho", "--customer", "CUS-1", "--subject", "x", "--field", "nonsense"),
        "--field",
    ),
    (("case", "show", "C-404"), "no case with ID 'C-404'"),
    (("case", "list", "--state", "sleeping"), "state"),
    (("case", "escalate", "C-1", "--track", "sideways"), "--track"),
    (("settings", "desk.timezone", "Mars/Olympus"), "desk.timezone"),
    (("settings", "core.stall_days", "soon"), "core.stall_days"),
    (("settings", "no.such.setting", "1"), "unknown setting"),
    (("renewals", "--within", "-3"), "within"),
    (("sweep", "--now", "next tuesday"), "--now"),
    (("workflow", "new", "--vendor", "webex", "--template", "nope"), "template"),
    (("settings", "core.desk_hours", "9-5"), "core.desk_hours: the desk calendar cannot use it"),
    (("settings", "core.desk_hours", "18:00-09:00"), "core.desk_hours"),
    (("settings", "core.desk_holidays", "XX"), "core.desk_holidays"),
    (("settings", "core.closed_dates", "2026-02-30"), "core.closed_dates"),
    (("settings", "core.at_risk_share", "1.5"), "core.at_risk_share: 1.5 is above"),
    (("settings", "core.stall_days", "-4"), "core.stall_days: -4 is below"),
    (("customer", "add", "northwind  traders"), "CUS-1 is already called 'Northwind Traders'"),
    (("customer", "edit", "CUS-1"), "nothing to change"),
    (("case", "list", "--vendor", "oracle"), "unknown vendor 'oracle'"),
    (("contract", "list", "--customer", "CUS-99"), "no customer with ID 'CUS-99'"),
    (("contract", "edit", "K-9", "--quantity", "2"), "no contract with ID 'K-9'"),
    (("workflow", "list", "--vendor", "oracle"), "unknown vendor 'oracle'"),
    (("sweep", "--now", "2026-11-24T10:00"), "has no UTC offset"),
    (("sweep", "--now", "0001-01-01T00:00+09:00"), "falls outside the years 1-9999 in UTC"),
    (("customer", "list", "--db", "/nonexistent/folder/desk.json"), "does not exist"),
]


@pytest.mark.parametrize("args,named", BAD_INPUTS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_bad_input_exits_2_names_the_problem_and_changes_nothing(run, args, named) -> None:
    run("customer", "add", "Northwind Traders")
    before = run.db.read_bytes()
    status, out, err = run(*args)
    assert status == 2, err
    assert named in err and "Traceback" not in err
    assert out == ""
    assert run.db.read_bytes() == before


def test_bad_input_with_json_still_prints_one_document(run) -> None:
    run("customer", "add", "Northwind Traders")
    status, out, err = run("case", "show", "C-9", "--json")
    assert status == 2 and json.loads(out)["error"]["field"] == "case"


def test_demo_refuses_a_desk_that_holds_data(run) -> None:
    run("customer", "add", "Northwind Traders")
    before = run.db.read_bytes()
    status, _, err = run("demo")
    assert status == 2 and "already holds data" in err
    assert run.db.read_bytes() == before


def test_vendor_reply_needs_the_case_sent_first(run) -> None:
    run("customer", "add", "Northwind Traders")
    run("case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject", "Sync stops")
    status, _, err = run("case", "vendor-reply", "C-1", "fixed")
    assert status == 2 and "never sent to the vendor" in err
    assert run("case", "send", "C-1")[0] == 0
    assert run("case", "vendor-reply", "C-1", "fixed")[0] == 0


def test_refusal_shows_its_earliest_time_in_the_desk_time_zone(run) -> None:
    run("customer", "add", "Northwind Traders")
    run("case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject", "Sync stops")
    run("case", "attach", "C-1", "trace", "--kind", "log")
    run("case", "send", "C-1", "--now", "2026-11-24T10:00+09:00")
    status, _, err = run(
        "case", "escalate", "C-1", "--track", "commercial", "--now", "2026-11-25T10:00+09:00"
    )
    assert status == 1 and "— allowed from 2026-12-24 10:00 JST" in err


def test_now_sets_the_clock_everywhere(run) -> None:
    run("customer", "add", "Northwind Traders", "--now", "2026-12-01T09:00+09:00")
    _, out, _ = run("customer", "show", "CUS-1", "--json")
    assert json.loads(out)["customer"]["created_at"] == "2026-12-01T00:00:00+00:00"


def test_unexpected_errors_show_no_traceback(tmp_path) -> None:
    """A desk file that is a directory is an error in words, exit 1, without a traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "workbench", "customer", "list", "--db", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stderr and result.stderr.startswith("workbench: ")


def test_cli_tour_of_a_case(run) -> None:
    """The timeline actions through the CLI, each recorded as an event (CORE-AUDIT-1)."""
    run("customer", "add", "Northwind Traders")
    status, out, err = run(
        "case", "new", "--vendor", "ontime", "--customer", "CUS-1", "--subject", "Free/busy missing", "--json"
    )
    assert status == 0, err
    case = json.loads(out)["case"]
    for args in (
        ("case", "note", case["id"], "called the customer", "--to-customer"),
        ("case", "pending", case["id"], "waiting for logs"),
        ("case", "reply", case["id"], "logs sent"),
        ("case", "resolve", case["id"]),
    ):
        status, _, err = run(*args)
        assert status == 0, err
    _, out, _ = run("case", "show", case["id"], "--json")
    shown = json.loads(out)
    assert [e["action"] for e in shown["events"]] == ["open", "respond", "pending", "reply", "resolve"]
    assert all(e["actor"] == "aiko" for e in shown["events"])
    _, out, _ = run("case", "timeline", case["id"], "--json")
    whats = [(e["deadline"], e["what"]) for e in json.loads(out)]
    assert ("desk first response", "start") in whats and ("desk first response", "met") in whats


def test_readme_names_the_two_setup_commands() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text(encoding="utf-8")
    assert "./dev demo" in readme and "./dev test" in readme
    assert "./dev test" in ci


@pytest.fixture
def licence(run) -> str:
    """An OnTime licence K-1 of CUS-1 from 2024-04-01 at 1,200,000 yen."""
    run("customer", "add", "Northwind Traders")
    status, _, err = run(
        "contract",
        "add",
        "--customer",
        "CUS-1",
        "--vendor",
        "ontime",
        "--product",
        "license",
        "--start",
        "2024-04-01",
        "--list-price",
        "1200000",
    )
    assert status == 0, err
    return "K-1"


def test_contract_edit_saves_the_change_and_the_quote_follows(run, licence) -> None:
    status, out, err = run("contract", "edit", licence, "--list-price", "1500000", "--attr", "licence=core")
    assert status == 0 and err == ""
    assert out.strip() == "K-1 ontime license updated: list_price, attributes"
    status, out, _ = run(
        "contract", "edit", licence, "--end", "2030-03-31", "--attribute", "seats=300", "--json"
    )
    edited = json.loads(out)
    assert status == 0 and edited["end"] == "2030-03-31"
    assert edited["list_price"] == 1_500_000 and edited["attributes"] == {"licence": "core", "seats": 300}
    _, out, _ = run("quote", licence, "--json")
    assert [line["amount"] for line in json.loads(out)["lines"]] == [300_000, 225_000]


def test_contract_edit_removes_an_attribute_and_opens_the_end(run, licence) -> None:
    run("contract", "edit", licence, "--attr", "licence=core", "--attr", "seats=300", "--end", "2030-03-31")
    status, out, _ = run("contract", "edit", licence, "--attribute", "seats=", "--end", "none", "--json")
    edited = json.loads(out)
    assert status == 0 and edited["attributes"] == {"licence": "core"} and edited["end"] is None


def test_contract_edit_with_the_same_values_changes_nothing(run, licence) -> None:
    before = run.db.read_bytes()
    status, out, _ = run("contract", "edit", licence, "--list-price", "1200000", "--product", "license")
    assert status == 0 and out.strip() == "K-1 ontime license unchanged"
    assert run.db.read_bytes() == before


CONTRACT_EDIT_REFUSALS = [
    (("--end", "2024-03-31"), "end: ends 2024-03-31 before it starts 2024-04-01"),
    (("--end", "someday"), "--end: 'someday' is not a date YYYY-MM-DD"),
    (("--start", "01/04/2024"), "--start"),
    (("--product", "crm"), "product: 'crm' is not a OnTime Group Calendar product"),
    (("--product", "maintenance"), "not saved: product: maintenance from 2024-04-01 needs an active licence"),
    (("--quantity", "-1"), "quantity: must not be negative"),
    (("--list-price", "lots"), "--list-price"),
    (("--attribute", "licence"), "--attribute: 'licence' is not KEY=VALUE"),
    ((), "contract: nothing to change"),
]


@pytest.mark.parametrize(
    "args,named",
    CONTRACT_EDIT_REFUSALS,
    ids=lambda v: " ".join(v) or "no option" if isinstance(v, tuple) else v,
)
def test_contract_edit_refused_exits_2_names_the_field_and_changes_nothing(run, licence, args, named) -> None:
    before = run.db.read_bytes()
    status, out, err = run("contract", "edit", licence, *args)
    assert status == 2, err
    assert named in err and "Traceback" not in err
    assert out == ""
    assert run.db.read_bytes() == before


def test_contract_edit_refused_by_a_vendor_rule_prints_its_findings_as_json(run, licence) -> None:
    """ONTIME-PROD-2: the only licence cannot become maintenance."""
    before = run.db.read_bytes()
    status, out, _ = run("contract", "edit", licence, "--product", "maintenance", "--json")
    error = json.loads(out)["error"]
    assert status == 2 and [f["rule"] for f in error["findings"]] == ["ONTIME-PROD-2"]
    assert run.db.read_bytes() == before


def test_a_subcommand_runs_with_the_cycle_collector_on(run, monkeypatch) -> None:
    """main() pauses the collector for the terminal desk's start; a subcommand (a long
    sweep, an import) turns it back on before it runs, and it is on after main()."""
    seen = []
    monkeypatch.setattr("workbench.desk.Desk.cases", lambda *a, **k: seen.append(gc.isenabled()) or [])
    status, _, err = run("case", "list")
    assert status == 0, err
    assert seen == [True] and gc.isenabled()


def test_the_desk_a_command_opens_is_kept_out_of_the_cycle_collectors_reach(run, monkeypatch) -> None:
    """The code, the plugins and the desk a command loads live as long as it does: once
    loaded they are frozen out of the collector's reach (``gc.freeze``), which had walked
    them again and again during the start (issue 16: up to 15 ms of ``case list``)."""
    seen = []

    def cases(desk, *args, **kwargs):
        seen.append(any(found is desk for found in gc.get_objects()))
        return []

    monkeypatch.setattr("workbench.desk.Desk.cases", cases)
    status, _, err = run("case", "list")
    assert status == 0, err
    assert seen == [False] and gc.isenabled()


def test_the_terminal_desk_starts_without_reading_the_commands_or_the_desk() -> None:
    """``workbench`` alone imports the group and its entry point; a command's module, the desk
    and the store load when a command needs them (the first frame is not held back)."""
    code = (
        "import sys, workbench.cli\n"
        "print(sorted(n for n in sys.modules"
        " if n.startswith(('workbench.cli.', 'workbench.desk', 'workbench.store'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['workbench.cli.common', 'workbench.cli.entry', 'workbench.cli.root']"


HELP_PROGRAM = """
import sys
from workbench.cli import cli, main
from workbench.cli.root import COMMANDS
if sys.argv[1] == "loaded":
    for name in COMMANDS:
        cli.get_command(None, name)
main(["--help"])
"""


@pytest.mark.parametrize("columns", ["52", "80", "200"])
def test_help_lists_every_command_as_its_own_help_says_without_loading_it(columns) -> None:
    """``workbench --help`` lists the core's commands from ``root.COMMANDS``: the same text, at
    any terminal width, as when every command's module is loaded and asked for its help."""
    env = {**os.environ, "COLUMNS": columns}

    def help_text(how: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", HELP_PROGRAM, how], capture_output=True, text=True, env=env, check=True
        )
        return out.stdout

    listed = help_text("listed")
    assert "Commands:" in listed and listed == help_text("loaded")


def test_each_summary_is_the_first_sentence_of_the_commands_help() -> None:
    from workbench.cli.root import COMMANDS

    for name, listed in COMMANDS.items():
        own = cli.get_command(click.Context(cli), name).get_short_help_str(10**6)
        assert listed.summary == own, f"root.COMMANDS[{name!r}].summary: make it {own!r}"
        # click ends a summary at the first ". ": an "e.g." in the first sentence cut quote's
        # to "Fees derived from list prices (e.g." in --help
        assert own.endswith(".") and own.count("(") == own.count(")"), f"{name}: {own!r} is cut short"


def test_help_reads_no_command_module_nor_the_desk_nor_the_plugins() -> None:
    """Listing the commands costs their names, not their code (issue 16: ``--help`` as quick
    as ``--version``): a warm help (the plugins' listing cached by the help before it)."""
    code = (
        "import sys\n"
        "from workbench.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(n for n in sys.modules if n.startswith(('workbench.', 'pluggy', 'holidays'))))\n"
    )
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout.splitlines()[-1]
    assert (
        loaded == "['workbench.cli', 'workbench.cli.common', 'workbench.cli.entry', 'workbench.cli.root', "
        "'workbench.errors', 'workbench.plugin_commands']"
    ), loaded


def test_reading_a_case_loads_neither_the_writer_lock_nor_holidays_nor_arrow(run) -> None:
    """A command that only reads (``case show``, ``case list``) takes no lock and builds no
    holidays from the package (the calendar reads its cache file), says when in words without
    Arrow, and does not load ``secrets`` (hashlib and OpenSSL, which only an import's temporary
    desk name needs): issue 16, every command's start. The answers are the same as in-process."""
    assert run("demo")[0] == 0
    code = (
        "import sys\n"
        "from workbench.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "unwanted = {'arrow', 'filelock', 'holidays', 'secrets'}\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} & unwanted))\n"
    )
    from workbench.testing import DEFAULT_NOW

    for command in (["case", "show", "C-1"], ["case", "list"]):
        command += ["--now", DEFAULT_NOW]
        _, expected, _ = run(*command)
        out = subprocess.run(
            [sys.executable, "-c", code, *command, "--db", str(run.db)], capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.splitlines()[-1] == "[]", command
        assert out.stdout.splitlines()[:-1] == expected.splitlines()


LIST_PROGRAM = """
import sys
named = set(sys.argv.pop(1).split(","))
import workbench.store.snapshot as snapshot
parsed = []
records_of = snapshot.records_of
def counted(value, path, table):
    parsed.append(table)
    return records_of(value, path, table)
snapshot.records_of = counted
from workbench.daemon.client import main
try:
    main()
except SystemExit:
    pass
print(sorted(parsed))
print(sorted(named & set(sys.modules)))
"""
"""``workbench ARGS`` as its console script runs it (``workbench.daemon.client:main``), then
the tables of records it parsed and which of the modules named first it loaded."""


def test_case_list_parses_only_the_cases_and_settings_and_loads_no_writer_module(run) -> None:
    """``case list`` in its own process (issue 16: its start, at any size) parses the tables
    it reads, the open cases and the settings, not the customers, contracts, workflows and
    mail of the desk (each is checked at open and parsed when first read), and loads none of
    what only an import, a migration, the sweeper's lease, a report, a misspelt attribute, a
    compaction due or the plugins' demo desks need. Its lines are the in-process answer."""
    from workbench.testing import DEFAULT_NOW

    assert run("demo")[0] == 0
    assert run("compact")[0] == 0
    unwanted = (
        "workbench.store.loading,workbench.store.migrate,workbench.store.lease,socket,statistics,"
        "difflib,workbench.compaction,subprocess,"
        "workbench_bittitan.demo,workbench_ontime.demo,workbench_webex.demo,workbench_zoho.demo"
    )
    command = ["case", "list", "--now", DEFAULT_NOW, "--db", str(run.db)]
    _, expected, _ = run(*command)
    for _ in range(2):  # the second warm: the plugins' entry points read from their cache
        out = subprocess.run(
            [sys.executable, "-c", LIST_PROGRAM, unwanted, *command], capture_output=True, text=True
        )
    assert out.returncode == 0, out.stderr
    *lines, parsed, loaded = out.stdout.splitlines()
    assert (parsed, loaded) == ("['cases', 'settings']", "[]")
    assert lines == expected.splitlines() and len(lines) > 10


def test_the_plugin_kits_json_runner_says_which_command_exited_otherwise(run_cli) -> None:
    """``run_cli.json`` (workbench.testing) fails a test with the command line and its stderr,
    and gives the error document back when the failure is the one expected."""
    said = r"workbench case show C-9 exited 2, not 0: .*no case with ID 'C-9'"
    with pytest.raises(AssertionError, match=said):
        run_cli.json("case", "show", "C-9")
    assert "no case with ID 'C-9'" in run_cli.json("case", "show", "C-9", status=2)["error"]["message"]


def test_breaching_names_on_each_line_the_deadline_that_put_the_case_there(run_cli) -> None:
    """``case list --breaching`` showed the next running deadline: "ok" for a case listed for
    another deadline at risk, nothing for a resolved case whose breach had stopped."""
    assert run_cli("demo")[0] == 0
    status, out, _ = run_cli("case", "list", "--breaching")
    lines = out.splitlines()
    assert status == 0 and lines
    assert all(" breached " in line or " at-risk " in line for line in lines), out
    resolved = [line for line in lines if " resolved " in line]
    assert resolved and all(" breached " in line for line in resolved)
