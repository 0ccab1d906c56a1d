"""``workbench plugins``: the vendor programs and their rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from workbench.cli.common import Output, with_desk

if TYPE_CHECKING:
    from workbench.desk import Desk


@click.command()
@with_desk
def plugins(desk: Desk) -> Output:
    """Vendor programs, versions, hooks and rule catalogues."""
    data = []
    text = []
    for name in desk.plugins.names():
        plugin = desk.plugins.pm.get_plugin(name)
        hooks = sorted(h.name for h in desk.plugins.pm.get_hookcallers(plugin) or [])
        program = next(
            (
                p
                for p in desk.programs().values()
                if desk.plugins.pm.get_name(plugin) == name and p.id == name
            ),
            None,
        )
        entry = {
            "plugin": name,
            "package": desk.plugins.distributions.get(name, ""),
            "hooks": hooks,
            "program": program.to_dict() if program else None,
        }
        data.append(entry)
        if program:
            text.append(f"{program.name} ({program.id} {program.version}) — {len(program.rules)} rules")
            if program.customer_attributes:
                names = ", ".join(f.name for f in program.customer_attributes)
                text.append(f"  customer attributes: {names} (workbench customer attributes)")
            text += [f"  {r.id}  {r.text}" for r in program.rules]
        else:
            text.append(f"{name} — adds policy, declares no program")
    failures = [{"plugin": f.plugin, "hook": f.hook, "error": f.error} for f in desk.plugins.failures]
    text += [f"! {f}" for f in desk.plugins.failures]
    return Output({"plugins": data, "failures": failures, "disabled": desk.plugins.disabled}, text)
