"""``workbench new-plugin NAME``: a vendor plugin package to start from."""

from __future__ import annotations

from pathlib import Path

import click

from workbench.cli.common import Context, Output, desk_options, emit


@click.command("new-plugin")
@click.argument("name")
@click.option(
    "--dir",
    "where",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to write the package directory workbench-NAME.",
)
@desk_options
def new_plugin(name: str, where: Path) -> None:
    """Write a vendor plugin package for program NAME (entry point, rule catalogue, one hook
    of each kind, demo, README, tests running the conformance suite), ready to install."""
    from workbench.scaffold import write_package

    context = click.get_current_context().ensure_object(Context)
    root = write_package(name, where)
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    emit(
        context,
        Output(
            {"package": str(root), "files": files},
            [
                f"wrote {root}",
                *[f"  {f}" for f in files],
                "next:",
                f"  pip install -e '{root}[test]'   # into the workbench's environment",
                f"  cd {root} && pytest              # the conformance suite passes as written",
            ],
        ),
    )
