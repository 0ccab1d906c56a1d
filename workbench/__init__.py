"""Case Workbench: one terminal desk for a reseller's vendor programs.

The public API a plugin imports: :data:`hookimpl` and the desk it is given
(:class:`DeskReader`, :class:`DemoDesk` for the demo hook) from here, the model types it
returns from :mod:`workbench.model`, business calendars from :mod:`workbench.calendar`, and
in its tests the kit :mod:`workbench.testing`. Nothing else of the core.
"""

import pluggy

from workbench.protocols import DemoDesk, DeskReader

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("workbench")
"""Marker for a plugin's hook implementations: ``@hookimpl def workbench_vendor(): ...``."""

PUBLIC_MODULES = ("workbench", "workbench.model", "workbench.calendar", "workbench.testing")
"""The modules of the core a plugin may import (``workbench.testing`` in its tests only)."""

__all__ = ["PUBLIC_MODULES", "DemoDesk", "DeskReader", "__version__", "hookimpl"]
