"""The contract is tested the way datasette tests its own: every hook is documented in the
hookspecs and in the plugin authoring guide, and has a test of its own."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pluggy
import pytest

from workbench import PUBLIC_MODULES, hookspecs

ROOT = Path(__file__).resolve().parents[2]
HOOKS = sorted(
    name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("workbench_")
)


def test_the_contract_has_the_hooks_of_the_design() -> None:
    assert {
        "workbench_vendor",
        "workbench_case_fields",
        "workbench_validate_case",
        "workbench_route_case",
        "workbench_commitments",
        "workbench_escalation_ladder",
        "workbench_check_escalation",
        "workbench_close_reasons",
        "workbench_sweep",
        "workbench_eligibility",
        "workbench_check_contract",
        "workbench_quote",
        "workbench_workflow_templates",
        "workbench_check_step",
    } <= set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_docstring(hook: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert len(doc) > 40, f"{hook} needs a docstring saying what it is asked and returns"


CALLING = {
    True: "*Calling:* first non-None answer wins.",
    False: "*Calling:* every plugin is asked; answers add up.",
}


def _specs() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("workbench")
    pm.add_hookspecs(hookspecs)
    return pm


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_in_the_plugin_authoring_guide_with_its_signature_and_calling(hook: str) -> None:
    """The guide's heading is the spec's signature, and its calling line says what pluggy
    does with the spec's ``firstresult``."""
    spec = getattr(_specs().hook, hook).spec
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    heading = f"### `{hook}({', '.join(spec.argnames)})`"
    assert heading in guide, f"docs/plugins.md lacks the section {heading}"
    section = guide.split(heading, 1)[1].split("\n### ", 1)[0]
    calling = CALLING[spec.opts["firstresult"]]
    assert calling in section, f"docs/plugins.md: {hook} should say {calling!r}"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test_of_its_own(hook: str) -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))
    assert re.search(rf"^(async )?def test_hook_{hook}\b", sources, re.MULTILINE), (
        f"no test named test_hook_{hook}"
    )


PLUGIN_SOURCES = sorted(p for p in (ROOT / "plugins").glob("*/workbench_*/*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_bundled_plugins_are_found() -> None:
    assert {p.parent.name for p in PLUGIN_SOURCES} == {
        "workbench_ontime",
        "workbench_zoho",
        "workbench_bittitan",
        "workbench_webex",
    }


@pytest.mark.parametrize("path", PLUGIN_SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_plugins_import_nothing_of_the_core_but_the_public_api(path: Path) -> None:
    core = {
        name for name in _imports(path) if name.split(".")[0] in ("workbench", "pluggy", "tinydb", "textual")
    }
    assert core <= set(PUBLIC_MODULES) - {"workbench.testing"}, (
        f"{path.relative_to(ROOT)} imports {sorted(core - set(PUBLIC_MODULES))}: a plugin imports "
        f"only {', '.join(PUBLIC_MODULES)}"
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_gives_the_desk_as_the_public_protocol(hook: str) -> None:
    desk = inspect.signature(getattr(hookspecs, hook)).parameters.get("desk")
    if desk is not None:
        assert desk.annotation == ("DemoDesk" if hook == "workbench_demo" else "DeskReader")
