"""Case Workbench: one terminal desk for a reseller's vendor programs.

A vendor plugin imports :data:`hookimpl` from here, plus the model types it returns
(:mod:`workbench.model`) and business calendars (:mod:`workbench.calendar`).
"""

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("workbench")
"""Marker for a plugin's hook implementations: ``@hookimpl def workbench_vendor(): ...``."""

__all__ = ["__version__", "hookimpl"]
