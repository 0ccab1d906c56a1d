"""Case Workbench: one terminal desk for a reseller's vendor programs.

The public API a plugin imports: :data:`hookimpl` and the desk it is given
(:class:`DeskReader`, :class:`DemoDesk` for the demo hook) from here, with ``with_desk``
and ``Output`` for the subcommands it adds, the model types it
returns from :mod:`workbench.model`, business calendars from :mod:`workbench.calendar`, and
in its tests the kit :mod:`workbench.testing`. Nothing else of the core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pluggy

    from workbench.cli.common import Output, with_desk
    from workbench.errors import BadInput, Invalid, NotFound, Refused
    from workbench.protocols import DemoDesk, DeskReader

    hookimpl: pluggy.HookimplMarker
    """Marker for a plugin's hook implementations: ``@hookimpl def workbench_vendor(): ...``."""

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``hookimpl``, ``DeskReader`` and ``DemoDesk``, made on first use: every command
    imports this package, and ``workbench --version`` needs neither pluggy nor the
    protocols (a fifth of its start)."""
    if name == "hookimpl":
        import pluggy

        globals()["hookimpl"] = pluggy.HookimplMarker("workbench")
        return globals()["hookimpl"]
    if name in ("DemoDesk", "DeskReader"):
        from workbench import protocols

        return getattr(protocols, name)
    if name in ("Output", "with_desk"):
        from workbench.cli import common

        return getattr(common, name)
    if name in PUBLIC_ERRORS:
        from workbench import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")


PUBLIC_ERRORS = ("BadInput", "Invalid", "NotFound", "Refused")
"""The desk's refusals a plugin's tests may expect (``pytest.raises(Invalid)``)."""

PUBLIC_MODULES = ("workbench", "workbench.model", "workbench.calendar", "workbench.testing")
"""The modules of the core a plugin may import (``workbench.testing`` in its tests only)."""

__all__ = [
    "PUBLIC_ERRORS",
    "PUBLIC_MODULES",
    "BadInput",
    "DemoDesk",
    "DeskReader",
    "Invalid",
    "NotFound",
    "Output",
    "Refused",
    "__version__",
    "hookimpl",
    "with_desk",
]
