"""Pages of docs/ written from the code (``python -m workbench.docgen``), and rule IDs in the
code that no catalogue declares."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import docgen
from workbench.plugins import get_plugins

ROOT = Path(__file__).resolve().parents[2]
CODE = sorted([*(ROOT / "workbench").rglob("*.py"), *(ROOT / "plugins").glob("*/workbench_*/**/*.py")])


@pytest.mark.parametrize("page", sorted(docgen.PAGES))
def test_generated_page_is_current(page: str) -> None:
    written = docgen.PAGES[page](get_plugins())
    current = (ROOT / page).read_text(encoding="utf-8")
    assert current == written, f"{page} is stale: run `python -m workbench.docgen`"


def test_rules_page_gives_each_rule_its_text_and_the_modules_citing_it() -> None:
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    programs = docgen.bundled_programs(get_plugins())
    assert [p.id for p, _ in programs] == ["core", "bittitan", "ontime", "webex", "zoho"]
    for program, _ in programs:
        for rule in program.rules:
            assert f"| {rule.id} | {rule.text.replace('|', '/')} |" in page
    zoho = next(line for line in page.splitlines() if line.startswith("| ZOHO-EMAIL-1 |"))
    assert "`workbench_zoho.sending`" in zoho


def test_every_rule_id_cited_in_the_code_is_declared_by_a_catalogue() -> None:
    declared = {r.id for p, _ in docgen.bundled_programs(get_plugins()) for r in p.rules}
    undeclared = docgen.undeclared_citations(CODE, declared)
    assert undeclared == [], "rule IDs no catalogue declares: " + "; ".join(undeclared)


def test_undeclared_citation_is_found_with_its_file_and_line(tmp_path) -> None:
    module = tmp_path / "rogue.py"
    module.write_text(
        'REASON = "ZOHO-EMAIL-1 holds (ZOHO-EMAIL-*)"\n\n# ZOHO-NOPE-9 is not a rule, nor ZOHO-SLA-*\n',
        encoding="utf-8",
    )
    assert docgen.undeclared_citations([module], {"ZOHO-EMAIL-1"}) == [
        f"{module}:3 ZOHO-NOPE-9",
        f"{module}:3 ZOHO-SLA-*",
    ]


def test_every_field_a_plugin_builds_has_its_meaning_on_the_model_page() -> None:
    """docs/model.md reads each field's meaning from the docstring under it in
    workbench/model.py: a field without one would leave its Meaning cell empty."""
    page = docgen.model_markdown(get_plugins())
    section, empty = "", []
    for line in page.splitlines():
        if line.startswith("## "):
            section = line[3:]
        elif line.startswith("| `") and section.startswith("`"):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            if len(cells) == 4 and not cells[3]:
                empty.append(f"{section}.{cells[0]}")
    assert empty == [], "fields without a meaning (a docstring under the field): " + ", ".join(empty)
