"""``workbench settings``: list, show and set desk settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from workbench.cli.common import Output, with_desk
from workbench.errors import BadInput

if TYPE_CHECKING:
    from workbench.desk import Desk


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("key", required=False)
@click.argument("value", required=False)
@with_desk
def settings(desk: Desk, key: str | None, value: str | None) -> Output:
    """List desk settings, show one, or set KEY to VALUE (validated)."""
    if key is not None and value is not None:
        view = desk.set_setting(key, value)
        return Output(view.to_dict(), f"{view.key} = {view.value!r}")
    views = desk.settings()
    if key is not None:
        views = [v for v in views if v.key == key]
        if not views:
            raise BadInput("setting", f"unknown setting {key!r} (see `workbench settings`)")
    text = [
        f"{v.key} = {v.value!r}"
        + ("" if v.value == v.default else f"  (default {v.default!r})")
        + f"\n    {v.help}"
        for v in views
    ]
    return Output([v.to_dict() for v in views], text)
