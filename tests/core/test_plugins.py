"""The plugin contract's failure modes, discovery and the headless core (DESIGN: plugin contract)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from workbench import hookimpl
from workbench.model import Finding
from workbench.plugins import PluginContractError, get_plugins
from workbench.testing import make_desk

VENDORS = ["bittitan", "core", "ontime", "webex", "zoho"]


def make_distribution(root: Path, name: str, module_source: str, entry_name: str | None = None) -> Path:
    """A third-party plugin package outside the repository: a module plus its own
    distribution metadata with an entry point in group ``workbench``."""
    module = f"wb_{name}"
    (root / f"{module}.py").write_text(textwrap.dedent(module_source), encoding="utf-8")
    info = root / f"workbench_{name}_thirdparty-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: workbench-{name}-thirdparty\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[workbench]\n{entry_name or name} = {module}\n", encoding="utf-8"
    )
    return root


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


def test_third_party_plugin_outside_the_repository_is_discovered_and_listed(tmp_path, monkeypatch) -> None:
    make_distribution(tmp_path, "acme", ACME)
    monkeypatch.syspath_prepend(str(tmp_path))
    desk = make_desk()
    assert "acme" in desk.plugins.names()
    assert desk.programs()["acme"].rules[0].id == "ACME-1"
    # and through the real command, in a fresh process
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "WORKBENCH_DB": str(tmp_path / "desk.json")}
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


def test_plugin_that_fails_to_import_is_reported_by_name_and_the_desk_carries_on(
    tmp_path, monkeypatch
) -> None:
    make_distribution(tmp_path, "broken", "raise ImportError('no module named acme_sdk')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    plugins = get_plugins()
    assert [str(f) for f in plugins.failures] == [
        "plugin broken failed to load: ImportError: no module named acme_sdk"
    ]
    assert plugins.names() == VENDORS


def test_misspelt_hook_fails_the_load_and_names_the_plugin() -> None:
    class Misspelt:
        @hookimpl
        def workbench_vendr(self):
            return None

    with pytest.raises(
        PluginContractError, match="plugin misspelt breaks the contract: unknown hook 'workbench_vendr'"
    ):
        get_plugins([("misspelt", Misspelt())])


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
