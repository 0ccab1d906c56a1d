"""The command line under generated input (hypothesis): whatever it is given it exits 0, 1
or 2, never shows a traceback, changes no file of the desk when it exits 1 or 2, and with
--json prints exactly one JSON document on stdout. Examples are bounded for CI."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.testing import desk_files

COMMANDS = [
    ("customer", "add"),
    ("customer", "edit"),
    ("customer", "show"),
    ("customer", "list"),
    ("contract", "add"),
    ("contract", "show"),
    ("case", "new"),
    ("case", "list"),
    ("case", "show"),
    ("case", "note"),
    ("case", "send"),
    ("case", "pending"),
    ("case", "reply"),
    ("case", "resolve"),
    ("case", "escalate"),
    ("case", "close"),
    ("case", "edit"),
    ("workflow", "step"),
    ("workflow", "new"),
    ("settings",),
    ("sweep",),
    ("renewals",),
    ("eligibility",),
    ("quote",),
    ("export",),
    ("doctor",),
    ("nonsense",),
]
WORDS = st.sampled_from(
    [
        "C-1",
        "C-4",
        "C-999",
        "CUS-1",
        "K-1",
        "W-1",
        "zoho",
        "ontime",
        "oracle",
        "resolved-confirmed",
        "--vendor",
        "--customer",
        "--subject",
        "--reason",
        "--track",
        "technical",
        "--field",
        "severity=1",
        "nonsense",
        "--users",
        "-5",
        "1e309",
        "nan",
        "core.first_response_hours",
        "core.at_risk_share",
        "--now",
        "2026-11-25T10:00+09:00",
        "2020-01-01T00:00+09:00",
        "9999-12-31T23:59Z",
        "0001-01-01T00:00+00:00",
        "--format",
        "csv",
        "--within",
        "",
        "\x1b[2J",
        "x" * 300,
        "--help",
        "-h",
        "--version",
    ]
)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
NOW = "2026-11-24T10:00+09:00"



@pytest.fixture
def demo_cli(run_cli):
    assert run_cli("demo", "--now", NOW)[0] == 0
    return run_cli


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    command=st.sampled_from(COMMANDS),
    words=st.lists(st.one_of(WORDS, TEXT), max_size=5),
    as_json=st.booleans(),
)
def test_any_command_line_exits_in_words(demo_cli, command, words, as_json) -> None:
    args = [*command, *words, *(["--json"] if as_json else [])]
    if "--now" not in args:
        args += ["--now", NOW]
    before = desk_files(demo_cli.db)
    status, out, err = demo_cli(*args)
    assert status in (0, 1, 2), (args, err)
    assert "Traceback" not in err and "unexpected error" not in err, (args, err)
    if status in (1, 2):
        assert desk_files(demo_cli.db) == before, args
    if as_json:
        json.loads(out)  # exactly one document: json.loads refuses anything after it


def test_an_argument_that_is_not_utf8_is_bad_input_named(run_cli) -> None:
    """The system hands undecodable bytes over as lone surrogates (os.fsdecode)."""
    status, out, err = run_cli(
        "customer", "add", b"Caf\xe9 Corp".decode("utf-8", "surrogateescape"), "--json"
    )
    assert status == 2 and "argument 3" in err and "not valid UTF-8" in err
    assert json.loads(out)["error"]["field"] == "argument 3"
    assert not run_cli.db.exists()


@pytest.mark.parametrize(
    "args",
    [
        ("case", "show", "--json"),  # a usage error: the argument is missing
        ("case", "list", "--now", "bogus", "--json"),  # an option before --json fails to parse
        ("case", "frobnicate", "--json"),  # no such command
        ("--json", "customer", "show", "CUS-9"),  # a refusal
        ("export", "--format", "csv", "--json"),  # CSV is not a JSON document
    ],
    ids=" ".join,
)
def test_with_json_every_outcome_is_one_json_document(run_cli, args) -> None:
    status, out, err = run_cli(*args)
    assert status == 2, err
    assert json.loads(out)["error"]["message"] in err


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (("--json", "--help"), "help"),
        (("--json", "--version"), "version"),
        (("--version", "--json"), "version"),
        (("case", "show", "--help", "--json"), "help"),
        (("case", "show", "C-1", "--json", "-h"), "help"),
        (("--json", "case", "--help"), "help"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else value,
)
def test_with_json_help_and_version_are_one_json_document(run_cli, args, key) -> None:
    """--help and --version print and end the command before it runs: with --json what they
    print is one JSON document too, and nothing else is on stdout."""
    status, out, err = run_cli(*args)
    assert status == 0, err
    document = json.loads(out)
    assert list(document) == (["help"] if key == "help" else ["program", "version"])
    assert key != "help" or document["help"].startswith("Usage: workbench")
