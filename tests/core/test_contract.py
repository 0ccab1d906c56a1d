"""The contract is tested the way datasette tests its own: every hook is documented in the
hookspecs and in the plugin authoring guide, and has a test of its own."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from workbench import hookspecs

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


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_in_the_plugin_authoring_guide(hook: str) -> None:
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert re.search(rf"^### `{hook}\(", guide, re.MULTILINE), f"docs/plugins.md lacks a section for {hook}"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test_of_its_own(hook: str) -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))
    assert re.search(rf"^(async )?def test_hook_{hook}\b", sources, re.MULTILINE), (
        f"no test named test_hook_{hook}"
    )
