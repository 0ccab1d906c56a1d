"""``workbench doctor``: what is wrong with a desk file and how to recover."""

from __future__ import annotations

import os
import sys

import click

from workbench.cli.common import Context, Output, desk_options, emit


@click.command()
@click.option(
    "--salvage",
    metavar="NEW",
    default=None,
    help="Copy everything of the desk whose checksums hold into a new desk file NEW, "
    "listing what was left out.",
)
@desk_options
def doctor(salvage: str | None) -> None:
    """Check a desk (a file, or a desk in PostgreSQL): what is wrong and how to recover."""
    from workbench.store import default_path, is_postgres
    from workbench.store.doctor import doctor as store_doctor
    from workbench.store.snapshot import SCHEMA

    context = click.get_current_context().ensure_object(Context)
    target = context.db or os.environ.get("WORKBENCH_DB") or default_path()
    if salvage is not None:
        _salvage(context, target, salvage)
        return
    if is_postgres(target):
        from workbench.store.pgstore import doctor as postgres_doctor

        report = postgres_doctor(str(target))
    else:
        report = store_doctor(target)
    if report.ok and report.facts.get("schema") == SCHEMA:  # opening an older one would migrate it
        unworkable = context.desk().unworkable_cases()
        context.desk().unreadable.clear()  # named here as problems, not again as warnings
        report.problems += [
            f"{record} cannot be worked out: {problem}; listings show the others"
            for record, problem in unworkable.items()
        ]
        report.ok = not report.problems
    data = {"ok": report.ok, "problems": report.problems, "advice": report.advice, "facts": report.facts}
    emit(
        context,
        Output(
            data,
            [
                f"{'ok' if report.ok else 'PROBLEMS FOUND'}",
                *[f"  {k}: {v}" for k, v in report.facts.items()],
                *[f"  problem: {p}" for p in report.problems],
                *[f"  advice: {a}" for a in report.advice],
            ],
        ),
    )
    if not report.ok:
        sys.exit(1)


def _salvage(context: Context, path: str | os.PathLike[str], target: str) -> None:
    from workbench.errors import BadInput
    from workbench.store.salvage import salvage

    if not target.strip():
        raise BadInput("--salvage", "needs the path of a new desk file")
    report = salvage(path, target)
    emit(
        context,
        Output(
            {
                "salvaged": report.target,
                "records": report.records,
                "events": report.events,
                "left_out": report.left_out,
            },
            [
                f"salvaged into {report.target}: "
                + ", ".join(f"{n} {kind}" for kind, n in report.records.items())
                + f", {report.events} events",
                *(
                    [f"  left out: {item}" for item in report.left_out]
                    or ["  nothing was left out: every transaction checks"]
                ),
            ],
        ),
    )
