"""``workbench demo``: a desk full of realistic records."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from workbench.cli.common import Output, with_desk
from workbench.errors import BadInput

if TYPE_CHECKING:
    from workbench.desk import Desk


@click.command()
@click.option("--force", is_flag=True, help="Add the demo records even if the desk holds data.")
@with_desk
def demo(desk: Desk, force: bool) -> Output:
    """Fill a desk with realistic demo data for all four vendors."""
    if not desk.is_empty() and not force:
        raise BadInput(
            "--db",
            f"the desk at {desk.store.location} already holds data; "
            "use another --db, or --force to add the demo records to it",
        )
    lines = desk.fill_demo()
    counts = {kind: len(desk.store.all(kind)) for kind in ("customers", "contracts", "cases", "workflows")}
    return Output(
        {"created": lines, "counts": counts, "db": desk.store.location},
        [
            *lines,
            "",
            f"Demo desk at {desk.store.location}: " + ", ".join(f"{n} {k}" for k, n in counts.items()),
        ],
    )
