"""Pages of ``docs/`` written from the code, so they cannot drift from it.

``python -m workbench.docgen`` rewrites them; the tests fail while a page differs from what
this module writes:

- ``docs/rules.md``: every program's rule catalogue (the ``workbench_vendor`` answers of the
  bundled plugins and the core), each rule's text, and the modules whose code cites it;
- ``docs/model.md``: the types a plugin builds, their fields, types, defaults and meaning
  (from :mod:`workbench.model`), the action kinds with the data each needs, what ``met_by``
  names, and the exceptions a plugin's tests may import.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
import typing
from collections.abc import Iterator
from pathlib import Path

from workbench.model import VendorProgram
from workbench.plugins import Plugins, get_plugins

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ("core", "ontime", "zoho", "bittitan", "webex")
"""The plugins this repository ships (a third-party one installed beside them is not ours
to document)."""
RULE_ID = re.compile(r"\b[A-Z]+(?:-[A-Z0-9]+)+\b")
CITATION = re.compile(r"\b([A-Z]+(?:-[A-Z0-9]+)+)\b(-\*)?")


def code_strings(path: Path) -> Iterator[str]:
    """The string constants of a module's code: docstrings and the rule catalogue's own
    ``Rule("ID", ...)`` declarations left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant):
                skipped.add(id(body[0].value))
        for statement in body if isinstance(body, list) else []:
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                skipped.add(id(statement.value))  # an attribute's docstring
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Rule" and node.args:
            skipped.add(id(node.args[0]))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
            yield node.value


def package_modules(package: str) -> list[tuple[str, Path]]:
    """(dotted name, path) of every module of ``package``'s sources, tests left out."""
    root = Path(sys.modules[package].__file__).parent
    modules = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if "tests" in parts or "__pycache__" in parts:
            continue
        name = ".".join((package, *parts)).removesuffix(".__init__")
        modules.append((name, path))
    return modules


def citations(package: str, prefixes: set[str]) -> dict[str, list[str]]:
    """Rule ID -> the modules of ``package`` whose code cites it."""
    cited: dict[str, list[str]] = {}
    for name, path in package_modules(package):
        for rule_id in sorted({m for text in code_strings(path) for m in RULE_ID.findall(text)}):
            if rule_id.split("-")[0] in prefixes:
                cited.setdefault(rule_id, []).append(name)
    return cited


def bundled_programs(plugins: Plugins) -> list[tuple[VendorProgram, str]]:
    """(program, its plugin's top-level package) of every bundled program, core first."""
    programs = []
    for name in [n for n in plugins.names() if n in BUNDLED]:
        module = plugins.modules[name]
        for program in [module.workbench_vendor()] if hasattr(module, "workbench_vendor") else []:
            programs.append((program, module.__name__.split(".")[0]))
    return sorted(programs, key=lambda p: (p[0].id != "core", p[0].id))


def rules_markdown(plugins: Plugins) -> str:
    lines = [
        "# Rules",
        "",
        "Every rule the desk decides by, from the programs' own catalogues (the `workbench_vendor`",
        "answer of each plugin). Written by `python -m workbench.docgen`; a test fails while this",
        "page differs from the catalogues. *Cited in* names the modules whose code gives the rule",
        "as the reason of a decision.",
        "",
    ]
    for program, package in bundled_programs(plugins):
        prefixes = {rule.id.split("-")[0] for rule in program.rules}
        cited = citations(package, prefixes)
        lines += [f"## {program.name} (`{program.id}`, {program.version})", ""]
        if program.description:
            lines += [program.description, ""]
        lines += ["| Rule | Text | Cited in |", "| --- | --- | --- |"]
        for rule in program.rules:
            modules = ", ".join(f"`{m}`" for m in cited.get(rule.id, [])) or "—"
            lines.append(f"| {rule.id} | {rule.text.replace('|', '/')} | {modules} |")
        lines.append("")
    return "\n".join(lines)


def undeclared_citations(paths: list[Path], declared: set[str]) -> list[str]:
    """``file:line ID`` of every rule ID in ``paths`` (code, docstrings and comments) of a
    declared program's prefix that no catalogue declares (``ONTIME-PROD-*``: a family that
    must have a member)."""
    prefixes = {rule_id.split("-")[0] for rule_id in declared}
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in CITATION.finditer(line):
                rule_id, family = match.group(1), match.group(2)
                known = any(d.startswith(rule_id + "-") for d in declared) if family else rule_id in declared
                if rule_id.split("-")[0] in prefixes and not known:
                    found.append(f"{path}:{number} {match.group(0)}")
    return found


PLUGIN_TYPES = (
    "VendorProgram",
    "Rule",
    "Setting",
    "Field",
    "Finding",
    "Route",
    "Commitment",
    "Deadline",
    "Decision",
    "Ladder",
    "Rung",
    "Action",
    "Eligibility",
    "CloseReason",
    "Quote",
    "QuoteLine",
    "WorkflowTemplate",
    "StepTemplate",
    "PaletteCommand",
    "Tally",
)
"""The types of :mod:`workbench.model` a plugin answers with (or reads, ``Deadline``)."""


def attribute_docs(path: Path) -> dict[str, dict[str, tuple[str, str]]]:
    """Class -> field -> (annotation as written, the docstring under it) of a module."""
    docs: dict[str, dict[str, tuple[str, str]]] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields = docs.setdefault(node.name, {})
        for statement, following in zip(node.body, [*node.body[1:], None], strict=True):
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                doc = ""
                if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
                    doc = " ".join(str(following.value.value).split())
                fields[statement.target.id] = (ast.unparse(statement.annotation), doc)
    return docs


def _default(field: dataclasses.Field) -> str:
    if field.default is not dataclasses.MISSING:
        return f"`{field.default!r}`"
    if field.default_factory is not dataclasses.MISSING:
        return f"`{field.default_factory()!r}`"
    return "required"


def model_markdown(plugins: Plugins) -> str:
    from workbench import PUBLIC_ERRORS, errors, model
    from workbench.desk.deadlines import meets

    documented = attribute_docs(Path(model.__file__))
    lines = [
        "# The model a plugin builds",
        "",
        "The types of `workbench.model` a hook answers with, their fields and what each means.",
        "Written from the code by `python -m workbench.docgen`; a test fails while this page",
        "differs from it. A hook's answer of the wrong type is left out and named (see",
        "`docs/plugins.md`).",
        "",
    ]
    for name in PLUGIN_TYPES:
        cls = getattr(model, name)
        lines += [f"## `{name}`", ""]
        doc = " ".join((cls.__doc__ or "").split())
        if doc and not doc.startswith(f"{name}("):
            lines += [doc, ""]
        lines += ["| Field | Type | Default | Meaning |", "| --- | --- | --- | --- |"]
        for field in dataclasses.fields(cls):
            annotation, meaning = documented[name].get(field.name, ("", ""))
            lines.append(
                f"| `{field.name}` | `{annotation.replace('|', 'or')}` | {_default(field)} | "
                f"{meaning.replace('|', '/')} |"
            )
        lines.append("")
    lines += [
        "## Field kinds",
        "",
        ", ".join(f"`{kind}`" for kind in typing.get_args(model.FieldKind)),
        "",
        "## Action kinds and the data they need",
        "",
    ]
    lines += ["| Hook | Kind | Data keys it needs |", "| --- | --- | --- |"]
    for hook, kinds in model.ACTION_DATA_KEYS.items():
        for kind, keys in kinds.items():
            lines.append(f"| `{hook}` | `{kind}` | {', '.join(f'`{k}`' for k in keys) or '—'} |")
    lines += [
        "",
        "## What `Commitment.met_by` names",
        "",
        " ".join((meets.__doc__ or "").split()),
        "",
        "## Exceptions a plugin's tests may import",
        "",
        "From the public API: `from workbench import " + ", ".join(PUBLIC_ERRORS) + "`.",
        "",
    ]
    for name in PUBLIC_ERRORS:
        lines.append(f"- `{name}`: {' '.join((getattr(errors, name).__doc__ or '').split())}")
    lines.append("")
    return "\n".join(lines)


PAGES = {"docs/rules.md": rules_markdown, "docs/model.md": model_markdown}


def main() -> None:
    plugins = get_plugins()
    for page, write in PAGES.items():
        (ROOT / page).write_text(write(plugins), encoding="utf-8")
        print(f"wrote {page}")


if __name__ == "__main__":
    main()
