"""The plugin manager: discovery, checks, and failure-tolerant hook calls.

Plugins come from the entry-point group ``workbench`` (the four bundled vendors register
there exactly as a third-party package would, and so does the built-in core plugin).
A plugin that fails to import, or raises inside a hook, is reported by name and the desk
carries on with the others. ``WORKBENCH_DISABLE_PLUGINS=a,b`` blocks plugins by name.
"""

from __future__ import annotations

import importlib.metadata
import os
from dataclasses import dataclass, field
from typing import Any

import pluggy

from workbench import hookspecs
from workbench.errors import PluginContractError

GROUP = "workbench"


@dataclass
class PluginFailure:
    """A plugin that could not load, or failed inside a hook."""

    plugin: str
    hook: str | None
    error: str

    def __str__(self) -> str:
        if self.hook is None:
            return f"plugin {self.plugin} failed to load: {self.error}"
        return f"plugin {self.plugin} failed in hook {self.hook}: {self.error}"


@dataclass
class Plugins:
    """A checked plugin manager and what went wrong while loading or calling it."""

    pm: pluggy.PluginManager
    failures: list[PluginFailure] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    distributions: dict[str, str] = field(default_factory=dict)
    """Plugin name -> the distribution (package) that provides it, with its version."""

    def names(self) -> list[str]:
        return sorted(name for name, plugin in self.pm.list_name_plugin() if plugin is not None)

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        # pluggy calls the list back to front: tryfirst first, trylast last, LIFO otherwise.
        return list(reversed(getattr(self.pm.hook, hook).get_hookimpls()))

    def call(self, hook: str, **kwargs: Any) -> list[Any]:
        """Every non-None answer, in pluggy's call order. A plugin that raises is reported
        (``failures``) and skipped; the other answers still count."""
        answers = []
        for impl in self._impls(hook):
            answer = self._call_one(impl, hook, kwargs)
            if answer is not None:
                answers.append(answer)
        return answers

    def first(self, hook: str, **kwargs: Any) -> Any:
        """The first non-None answer (for firstresult hooks), failing plugins skipped."""
        for impl in self._impls(hook):
            answer = self._call_one(impl, hook, kwargs)
            if answer is not None:
                return answer
        return None

    def answered_by(self, hook: str, **kwargs: Any) -> tuple[Any, str | None]:
        """Like :meth:`first`, and the name of the plugin that answered."""
        for impl in self._impls(hook):
            answer = self._call_one(impl, hook, kwargs)
            if answer is not None:
                return answer, impl.plugin_name
        return None, None

    def _call_one(self, impl: pluggy.HookImpl, hook: str, kwargs: dict[str, Any]) -> Any:
        try:
            return impl.function(**{name: kwargs[name] for name in impl.argnames})
        except Exception as exc:  # a broken plugin must not take the desk down
            failure = PluginFailure(impl.plugin_name, hook, f"{type(exc).__name__}: {exc}")
            if not any(str(f) == str(failure) for f in self.failures):
                self.failures.append(failure)
            return None


def disabled_names() -> list[str]:
    raw = os.environ.get("WORKBENCH_DISABLE_PLUGINS", "")
    return [name.strip() for name in raw.split(",") if name.strip()]


def get_plugins(extra: list[tuple[str, object]] | None = None) -> Plugins:
    """Build the plugin manager: entry points one at a time, then ``extra`` (name, object)
    pairs (tests register throwaway plugins this way), then the contract check.

    Raises :class:`PluginContractError` naming the plugin when a hook implementation
    matches no hook of the contract.
    """
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    plugins = Plugins(pm=pm, disabled=disabled_names())
    for name in plugins.disabled:
        pm.set_blocked(name)
    for entry_point in sorted(importlib.metadata.entry_points(group=GROUP), key=lambda ep: ep.name):
        if pm.is_blocked(entry_point.name) or pm.has_plugin(entry_point.name):
            continue
        try:
            module = entry_point.load()
            pm.register(module, name=entry_point.name)
        except Exception as exc:
            plugins.failures.append(PluginFailure(entry_point.name, None, f"{type(exc).__name__}: {exc}"))
            continue
        if entry_point.dist is not None:
            plugins.distributions[entry_point.name] = f"{entry_point.dist.name} {entry_point.dist.version}"
    for name, obj in extra or []:
        if not pm.is_blocked(name):
            pm.register(obj, name=name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or repr(exc.plugin)
        raise PluginContractError(
            f"plugin {name} breaks the contract: {exc.args[0].split(' in plugin ')[0]} "
            f"(switch it off with WORKBENCH_DISABLE_PLUGINS={name})"
        ) from None
    return plugins
