"""The plugin manager: discovery, checks at load, and contained hook calls.

Plugins come from the entry-point group ``workbench`` (the four bundled vendors register
there exactly as a third-party package would, and so does the built-in core plugin).
``WORKBENCH_DISABLE_PLUGINS=a,b`` blocks plugins by name; ``WORKBENCH_PLUGINS=a,b`` loads
only those of the installed ones (the project's own tests set it to the bundled plugins, so
they pass whatever else is installed beside them).

Hooks are called through pluggy (``pm.hook.<name>(**kwargs)``): its call order
(``tryfirst`` / ``trylast``) and ``firstresult`` hold as the contract says. What pluggy does
not do is contain a plugin: one that raises would abort the whole call. So every
implementation is registered *contained*: a function of the same name, signature and
marker that calls the plugin's own and

- records an exception as a :class:`PluginFailure` (one per plugin and hook, with a count)
  and answers ``None``, so pluggy goes on to the next plugin and the others' answers count;
- checks the answer against the return type of the hook's spec in :mod:`workbench.hookspecs`
  and leaves out (and records) an answer of the wrong type, naming plugin and hook;
- leaves out an answer that came past :attr:`Plugins.time_limit` seconds and calls that
  plugin's hook no more. In the main thread (the command line, the TUI's event loop) a timer
  signal stops the hook at the limit. Another thread cannot be stopped, so there a hook
  still running at the limit is *left behind*: inside :meth:`Plugins.read` (the terminal
  desk's reads of the desk) the hooks run in the read's own thread and a watchdog, at the
  limit, switches that hook off and has the read asked again without it, the late thread's
  answer dropped; anywhere else (a change made from a worker) each hook runs in a hook
  runner thread the caller waits for until the limit, so a change never runs twice.

At load a plugin is refused, named, and the desk carries on without it, when a hook is not in
the contract (a misspelt name), is a hook wrapper (``wrapper=True`` / ``hookwrapper=True``:
the contract has no use for them and a wrapper would see the desk's calls unguarded), takes
arguments its hook does not give, declares a program whose id is not its entry-point name,
or declares a program id another plugin already declared.

``WORKBENCH_TRACE_PLUGINS=1`` prints every hook call, the plugins it reached, the number of
answers and its time to stderr (through pluggy's ``add_hookcall_monitoring``).
"""

from __future__ import annotations

import functools
import importlib
import marshal
import os
import queue
import re
import signal
import sys
import threading
import time
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pluggy

from workbench import hookspecs
from workbench.model import ACTION_DATA_KEYS

__all__ = ["GROUP", "PluginFailure", "Plugins", "get_plugins"]

GROUP = "workbench"
DEFAULT_TIME_LIMIT = 5.0
"""Seconds a hook may run before its answer is left out (the desk setting
``core.plugin_time_limit`` overrides it once the desk is open)."""


@dataclass
class PluginFailure:
    """A plugin that was refused at load, or failed inside a hook (``count`` times)."""

    plugin: str
    hook: str | None
    error: str
    count: int = 1
    program: str | None = None
    """The program id a refused plugin declared, when it declared one."""

    def __str__(self) -> str:
        if self.hook is None:
            return f"plugin {self.plugin} failed to load: {self.error}"
        times = f" ({self.count} calls)" if self.count > 1 else ""
        return f"plugin {self.plugin} failed in hook {self.hook}{times}: {self.error}"


class HookTimeout(BaseException):
    """A hook ran past the time limit (raised by the timer signal in the main thread). Not an
    ``Exception``: a plugin's own ``except Exception`` does not swallow it."""


@dataclass
class Plugins:
    """A checked plugin manager and what went wrong while loading or calling it."""

    pm: pluggy.PluginManager
    failures: list[PluginFailure] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    distributions: dict[str, str] = field(default_factory=dict)
    """Plugin name -> the distribution (package) that provides it, with its version."""
    modules: dict[str, object] = field(default_factory=dict)
    """Plugin name -> the plugin object as loaded (pluggy holds its contained stand-in)."""
    time_limit: float = DEFAULT_TIME_LIMIT
    _timed_out: set[tuple[str, str]] = field(default_factory=set)

    def names(self) -> list[str]:
        return sorted(name for name, plugin in self.pm.list_name_plugin() if plugin is not None)

    def call(self, hook: str, **kwargs: Any) -> list[Any]:
        """Every non-None answer of a hook whose answers add up, in pluggy's call order."""
        caller = self._caller(hook, firstresult=False)
        return caller(**kwargs)

    def first(self, hook: str, **kwargs: Any) -> Any:
        """The first non-None answer of a ``firstresult`` hook, or ``None``."""
        caller = self._caller(hook, firstresult=True)
        return caller(**kwargs)

    def _caller(self, hook: str, firstresult: bool) -> pluggy.HookCaller:
        caller = getattr(self.pm.hook, hook)
        if caller.spec.opts["firstresult"] != firstresult:
            kind = "a firstresult hook: ask for its first answer" if not firstresult else "answered by all"
            raise TypeError(f"{hook} is {kind}")
        return caller

    def commands(self, taken: set[str]) -> dict[str, Any]:
        """The subcommands the plugins add (``workbench_commands``) by name; one whose name
        is ``taken`` (a core command) or another plugin's is left out and recorded."""
        found: dict[str, Any] = {}
        owners: dict[str, str] = {}
        for impl in reversed(self.pm.hook.workbench_commands.get_hookimpls()):
            for command in impl.function() or []:
                if command.name in taken or command.name in found:
                    owner = f"plugin {owners[command.name]}" if command.name in found else "the core"
                    self.fail(
                        impl.plugin_name, "workbench_commands", f"command {command.name!r} is {owner}'s"
                    )
                    continue
                found[command.name] = command
                owners[command.name] = impl.plugin_name
        return found

    def palette_commands(self, desk: Any) -> list[tuple[str, Any]]:
        """(plugin, command) of each palette command the plugins add, in call order."""
        return [
            (impl.plugin_name, command)
            for impl in reversed(self.pm.hook.workbench_palette_commands.get_hookimpls())
            for command in impl.function(desk=desk) or []
        ]

    # -- failures --------------------------------------------------------------------------

    def fail(self, plugin: str, hook: str, error: str) -> None:
        """Record a failure of ``plugin`` in ``hook``: one entry per plugin and hook."""
        for failure in self.failures:
            if failure.plugin == plugin and failure.hook == hook:
                failure.count += 1
                return
        self.failures.append(PluginFailure(plugin, hook, error))

    def refuse(self, plugin: str, error: str, program: str | None = None) -> None:
        """Take ``plugin`` out of the desk, with the reason."""
        if self.pm.has_plugin(plugin):
            self.pm.unregister(name=plugin)
        self.modules.pop(plugin, None)
        self.failures.append(PluginFailure(plugin, None, error, program=program))

    # -- registration ----------------------------------------------------------------------

    def register(self, name: str, plugin: object) -> bool:
        """Register ``plugin`` contained; refuse it (and say why) when it breaks the contract."""
        contained = _Contained(name)
        for attr in dir(plugin):
            opts = self.pm.parse_hookimpl_opts(plugin, attr)
            if opts is None:
                continue
            hook = opts.get("specname") or attr
            problem = _contract_problem(self.pm, hook, opts)
            if problem:
                self.refuse(name, problem)
                return False
            setattr(contained, attr, self._contain(name, hook, getattr(plugin, attr), opts))
        try:
            self.pm.register(contained, name=name)
        except pluggy.PluginValidationError as exc:
            self.refuse(name, _first_line_reason(exc))
            return False
        self.modules[name] = plugin
        return True

    def _contain(self, plugin: str, hook: str, function: Callable[..., Any], opts: Mapping) -> Callable:
        expected = answer_types()[hook]
        answers_conform = type_check(expected)
        key = (plugin, hook)

        limited = hook not in UNLIMITED

        @functools.wraps(function)
        def contained(*args: Any, **kwargs: Any) -> Any:
            if key in self._timed_out:
                return None
            started = time.perf_counter()
            call = self._watched_call(plugin, hook, started) if limited else None
            try:
                if call is not None:
                    _watched.append(call)
                    _watch()
                try:
                    if limited and call is None:
                        answer = _run_limited(function, args, kwargs, self.time_limit)
                    else:
                        answer = function(*args, **kwargs)
                finally:
                    if call is not None:
                        _watched.remove(call)
            except HookTimeout:
                if call is None or call.read is not None or not call.stopped:
                    raise  # the limit of a hook call around this one
                answer = _TIMED_OUT
            except Exception as exc:  # a broken plugin must not take the desk down
                if call is not None and call.stopped:
                    return None  # left behind at the limit, and recorded then
                self.fail(plugin, hook, f"{type(exc).__name__}: {exc}")
                return None
            if call is not None and call.read is not None and call.stopped:
                return None  # left behind at the limit, and recorded then
            if answer is _TIMED_OUT or (limited and time.perf_counter() - started > self.time_limit):
                self._time_out(plugin, hook)
                return None
            if answer is not None and not answers_conform(answer):
                self.fail(
                    plugin,
                    hook,
                    f"answered {_short(answer)} where the contract asks for {_type_name(expected)}",
                )
                return None
            problem = action_problem(hook, answer) if hook in ACTION_DATA_KEYS and answer else None
            if problem:
                self.fail(plugin, hook, problem)
                return None
            return answer

        contained.workbench_impl = dict(opts)  # type: ignore[attr-defined]
        return contained

    def _time_out(self, plugin: str, hook: str) -> None:
        """Record that ``plugin``'s ``hook`` ran past the limit, and call it no more."""
        self._timed_out.add((plugin, hook))
        self.fail(
            plugin,
            hook,
            f"ran past the time limit of {self.time_limit:g} s (core.plugin_time_limit): "
            "its answer is left out and the hook is not called again",
        )

    def _watched_call(self, plugin: str, hook: str, started: float) -> _Call | None:
        """The watchdog's entry for a hook call in this thread: in the main thread stopped by
        the timer signal, in a :meth:`read` switched off and the read left behind; ``None``
        in any other thread (the hook then runs in a hook runner thread)."""
        deadline = started + self.time_limit
        if _in_main_thread():
            if not _ALARM:
                return None
            return _Call(deadline, None, lambda: signal.pthread_kill(_MAIN_THREAD, signal.SIGALRM))
        read = getattr(_local, "read", None)
        if read is None:
            return None

        def leave() -> None:
            self._time_out(plugin, hook)
            read.leave()

        return _Call(deadline, read, leave)

    def read(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``call(*args, **kwargs)``, a read of the desk that changes nothing, made from a
        thread other than the main one (the terminal desk's workers) so that a hook in it
        that hangs cannot hold it: the read runs in a hook runner thread; when one of its
        hooks runs past the time limit, that hook is recorded and switched off, the thread is
        left behind (what it answers later is dropped) and the read is made again without
        the hook. In the main thread the timer signal limits the hooks: a plain call."""
        if _in_main_thread():
            return call(*args, **kwargs)
        while True:
            read = _Read(call, args, kwargs)
            _runner().jobs.put(read)
            read.done.wait()
            if read.left:
                continue  # the hook that hung is switched off now: ask again without it
            if read.error is not None:
                raise read.error
            return read.answer

    # -- programs --------------------------------------------------------------------------

    def check_programs(self) -> None:
        """Refuse a plugin whose program id another plugin declares, or is not its name."""
        answers = [
            (impl.plugin_name, impl.function()) for impl in self.pm.hook.workbench_vendor.get_hookimpls()
        ]
        declared: dict[str, str] = {}
        # The plugin named as its program goes first: it keeps the id a second one claims.
        for name, program in sorted(answers, key=lambda a: (a[1] is None or a[1].id != a[0], a[0])):
            if program is None:
                continue
            if program.id in declared:
                self.refuse(
                    name,
                    f"declares vendor id {program.id!r}, which plugin {declared[program.id]} already "
                    "declares: one program, one plugin",
                    program.id,
                )
            elif program.id != name:
                self.refuse(
                    name,
                    f"declares program {program.id!r} under the entry-point name {name!r}: a vendor "
                    f'plugin\'s entry point is named as its program id ({program.id} = "...")',
                    program.id,
                )
            else:
                declared[program.id] = name

    # -- tracing ---------------------------------------------------------------------------

    def trace(self, stream: typing.TextIO) -> Callable[[], None]:
        """Print every hook call to ``stream`` with its time; returns the undo."""
        started: list[float] = []

        def before(hook: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, object]) -> None:
            started.append(time.perf_counter())

        def after(
            outcome: pluggy.Result, hook: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping
        ) -> None:
            elapsed = (time.perf_counter() - started.pop()) * 1000
            answer = outcome.get_result() if outcome.exception is None else None
            count = len(answer) if isinstance(answer, list) else int(answer is not None)
            arguments = ", ".join(f"{k}={_short(v)}" for k, v in kwargs.items() if k != "desk")
            reached = ", ".join(i.plugin_name for i in reversed(impls))
            print(
                f"workbench: trace: {hook}({arguments}) [{reached}] {count} answer(s) in {elapsed:.2f} ms",
                file=stream,
            )

        return self.pm.add_hookcall_monitoring(before, after)


_TIMED_OUT = object()
_MAIN_THREAD = threading.main_thread().ident
_ALARM = hasattr(signal, "pthread_kill") and hasattr(signal, "SIGALRM")
_TICK = 0.05
UNLIMITED = frozenset({"workbench_demo"})
"""Hooks without a time limit: the demo fills a desk through the desk's own methods, a
batch the user asked for (the hooks it calls on the way are limited as ever)."""


@dataclass(eq=False)
class _Call:
    """A hook call the watchdog watches: when its time is up, the read it belongs to (``None``
    in the main thread), what the watchdog does when it is late, and whether it did."""

    deadline: float
    read: _Read | None
    late: Callable[[], None]
    stopped: bool = False


_watched: list[_Call] = []
"""The hook calls being watched, in every thread, outermost first within each (a hook may
call the desk, which calls other hooks)."""
_watchdog: threading.Thread | None = None
_alarm_handled = False
_local = threading.local()
"""``read``: the :class:`_Read` this thread runs, if any."""


def _in_main_thread() -> bool:
    return threading.get_ident() == _MAIN_THREAD


def _watch() -> None:
    """Start the watchdog once: a daemon thread that, when a watched hook call runs past its
    limit, signals the main thread (``SIGALRM``: the hook stops there, even in a sleep) or
    leaves the read it belongs to behind. The signal's handler is set from the main thread,
    the first time a hook call there is watched."""
    global _watchdog, _alarm_handled
    if _ALARM and _in_main_thread() and not _alarm_handled:
        signal.signal(signal.SIGALRM, _on_alarm)
        _alarm_handled = True
    if _watchdog is None:
        _watchdog = threading.Thread(target=_watchdog_loop, name="workbench-hook-watchdog", daemon=True)
        _watchdog.start()


def _watchdog_loop() -> None:
    while True:
        time.sleep(_TICK)
        now = time.perf_counter()
        for call in list(_watched):
            if not call.stopped and now > call.deadline:
                call.stopped = True
                call.late()


def _on_alarm(signum: int, frame: types.FrameType | None) -> None:
    if any(call.stopped and call.read is None for call in _watched):
        raise HookTimeout


class _Job:
    """One hook call handed to a :class:`_Runner`, and what came of it."""

    __slots__ = ("args", "answer", "done", "error", "function", "kwargs")

    def __init__(self, function: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> None:
        self.function, self.args, self.kwargs = function, args, kwargs
        self.done = threading.Event()
        self.answer: Any = None
        self.error: BaseException | None = None

    def run(self) -> Any:
        return self.function(*self.args, **self.kwargs)


class _Read(_Job):
    """A read of the desk (:meth:`Plugins.read`) handed to a :class:`_Runner`; ``left`` once
    a hook in it ran past the limit and the caller stopped waiting for it."""

    __slots__ = ("left",)

    def __init__(self, function: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> None:
        super().__init__(function, args, kwargs)
        self.left = False

    def run(self) -> Any:
        _local.read = self
        try:
            return super().run()
        finally:
            _local.read = None

    def leave(self) -> None:
        self.left = True
        self.done.set()


class _Runner:
    """A daemon thread that runs hook calls for other threads, one at a time, so that the
    caller can stop waiting at the time limit. Free again (in :data:`_idle_runners`) as soon
    as its call ends, whether or not the caller still waits for it."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="workbench-hook-runner", daemon=True).start()

    def _serve(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                job.answer = job.run()
            except BaseException as exc:  # handed to the caller, who contains it
                job.error = exc
            job.done.set()
            del job
            with _runners_lock:
                _idle_runners.append(self)


_idle_runners: list[_Runner] = []
_runners_lock = threading.Lock()


def _runner() -> _Runner:
    """A free hook runner thread, or a new one."""
    with _runners_lock:
        runner = _idle_runners.pop() if _idle_runners else None
    return runner or _Runner()


def _run_limited(function: Callable[..., Any], args: tuple, kwargs: dict[str, Any], seconds: float) -> Any:
    """``function(*args, **kwargs)`` in a hook runner thread; :data:`_TIMED_OUT` when it has
    not answered within ``seconds`` (it is left running, and its answer is dropped)."""
    job = _Job(function, args, kwargs)
    _runner().jobs.put(job)
    if not job.done.wait(seconds):
        return _TIMED_OUT
    if job.error is not None:
        raise job.error
    return job.answer


class _Contained:
    """What pluggy holds for a plugin: its hook implementations, each contained."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"<plugin {self._name}>"


def _contract_problem(pm: pluggy.PluginManager, hook: str, opts: Mapping) -> str | None:
    caller = getattr(pm.hook, hook, None)
    if caller is None or not caller.has_spec():
        if opts.get("optionalhook"):
            return None
        import difflib  # a misspelt hook's only

        hooks = [name for name in vars(pm.hook) if name.startswith("workbench_")]
        close = difflib.get_close_matches(hook, hooks, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown hook {hook!r}{hint}: it is not in the contract"
    if opts.get("wrapper") or opts.get("hookwrapper"):
        return f"hook {hook} is declared as a hook wrapper: the contract takes plain implementations only"
    return None


def _first_line_reason(exc: pluggy.PluginValidationError) -> str:
    lines = [line for line in str(exc.args[0]).splitlines() if line.strip()]
    return "; ".join(lines[1:]) or lines[0]


# -- answers checked against the contract ----------------------------------------------------


@functools.cache
def answer_types() -> dict[str, Any]:
    """Each hook's answer type, from the return annotation of its spec."""
    import click

    from workbench import model
    from workbench.protocols import DemoDesk, DeskReader

    names = {**vars(model), "DeskReader": DeskReader, "DemoDesk": DemoDesk, "click": click}
    types_ = {}
    for name in dir(hookspecs):
        if name.startswith("workbench_"):
            hints = typing.get_type_hints(getattr(hookspecs, name), globalns=vars(hookspecs) | names)
            types_[name] = hints["return"]
    return types_


def conforms(value: Any, expected: Any) -> bool:
    """Whether ``value`` is of the annotated type ``expected`` (lists and dicts checked
    element by element)."""
    return type_check(expected)(value)


@functools.cache
def type_check(expected: Any) -> Callable[[Any], bool]:
    """:func:`conforms` for one annotated type, worked out once: the queue asks every plugin
    for each open case's commitments, and reading the annotation again for every answer and
    every element was a tenth of the deadlines' time."""
    origin = typing.get_origin(expected)
    if origin in (types.UnionType, typing.Union):
        options = [type_check(option) for option in typing.get_args(expected)]
        return lambda value: any(check(value) for check in options)
    if expected is type(None):
        return lambda value: value is None
    if expected is Any:
        return lambda value: True
    if origin is list:
        (item,) = typing.get_args(expected)
        each = type_check(item)
        return lambda value: isinstance(value, list) and all(each(v) for v in value)
    if origin is dict:
        key, item = typing.get_args(expected)
        keys, items = type_check(key), type_check(item)
        return lambda value: isinstance(value, dict) and all(keys(k) and items(v) for k, v in value.items())
    kind = origin or expected
    return lambda value: isinstance(value, kind)


def action_problem(hook: str, actions: list[Any]) -> str | None:
    """What is wrong with a sweep hook's actions (:data:`~workbench.model.ACTION_DATA_KEYS`)."""
    kinds = ACTION_DATA_KEYS[hook]
    for action in actions:
        if action.kind not in kinds:
            return (
                f"answered a {action.kind!r} action, which {hook} does not take (one of: {', '.join(kinds)})"
            )
        missing = [key for key in kinds[action.kind] if key not in action.data]
        if missing:
            return f"answered a {action.kind!r} action without the data {', '.join(missing)}"
    return None


def _type_name(expected: Any) -> str:
    return (
        re.sub(r"\b(?:[a-z_]+\.)+([A-Za-z_]+)", r"\1", str(expected))
        .replace("<class '", "")
        .replace("'>", "")
    )


def _short(value: Any) -> str:
    key = getattr(value, "id", None)
    if isinstance(key, str) and key:
        return f"{type(value).__name__} {key}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# -- loading -----------------------------------------------------------------------------------


def disabled_names() -> list[str]:
    return _names("WORKBENCH_DISABLE_PLUGINS")


def _names(variable: str) -> list[str]:
    return [name.strip() for name in os.environ.get(variable, "").split(",") if name.strip()]


def get_plugins(extra: list[tuple[str, object]] | None = None) -> Plugins:
    """Build the plugin manager: entry points one at a time, then ``extra`` (name, object)
    pairs (tests register throwaway plugins this way). A plugin that breaks the contract is
    refused and named in ``failures``; the desk carries on with the others."""
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    plugins = Plugins(pm=pm, disabled=disabled_names())
    for name in plugins.disabled:
        pm.set_blocked(name)
    providers: dict[str, str] = {}
    only = _names("WORKBENCH_PLUGINS")
    for name, value, distribution in sorted(plugin_entry_points(), key=lambda entry: entry[0]):
        if only and name not in only:
            continue
        package = distribution or value
        if pm.is_blocked(name):
            continue
        if name in providers:
            if providers[name] != package:
                plugins.failures.append(
                    PluginFailure(
                        name, None, f"{package} registers the name {name!r} that {providers[name]} has"
                    )
                )
            continue
        providers[name] = package
        try:
            module = _load(value)
        except Exception as exc:
            plugins.failures.append(PluginFailure(name, None, f"{type(exc).__name__}: {exc}"))
            continue
        if plugins.register(name, module) and distribution is not None:
            plugins.distributions[name] = package
    for name, obj in extra or []:
        if not pm.is_blocked(name):
            plugins.register(name, obj)
    plugins.check_programs()
    if os.environ.get("WORKBENCH_TRACE_PLUGINS"):
        plugins.trace(sys.stderr)
    return plugins


def plugin_entry_points() -> list[tuple[str, str, str | None]]:
    """Each entry point of group ``workbench``: its name, what it loads (``module:attr``) and
    the distribution that declares it with its version (``None`` for one that has none).

    Asking ``importlib.metadata`` costs every command 20-25 ms (importing it, then reading
    every installed distribution's metadata), so the answer is kept in a small file beside
    the plugins' help listing (:mod:`workbench.plugin_commands`: ``entry-points-<ID>.marshal``
    in the user's cache folder), believed only while nothing it was read from has changed:
    each folder on ``sys.path`` (installing or removing a package changes its folder) and each
    declaring distribution's ``entry_points.txt``. Otherwise the metadata is read again and
    the file rewritten; a cache folder that cannot be written only costs that read."""
    from workbench.plugin_commands import cache_file, write_cache

    target = cache_file().replace("plugin-commands-", "entry-points-")
    try:
        with open(target, "rb") as source:
            cached = marshal.loads(source.read())
        if cached["signature"] == _stamps(cached["files"]):
            return [tuple(entry) for entry in cached["entry_points"]]
    except (OSError, EOFError, KeyError, TypeError, ValueError):
        pass
    import importlib.metadata

    found, files = [], []
    for entry_point in importlib.metadata.entry_points(group=GROUP):
        dist = entry_point.dist
        found.append((entry_point.name, entry_point.value, f"{dist.name} {dist.version}" if dist else None))
        folder = getattr(dist, "_path", None)
        if folder is not None:
            files.append(os.path.join(str(folder), "entry_points.txt"))
    write_cache(target, {"entry_points": found, "files": files, "signature": _stamps(files)})
    return found


def _stamps(files: list[str]) -> list[list[Any]]:
    """Modification time and size of each folder on ``sys.path`` and each of ``files``."""
    stamps: list[list[Any]] = []
    for path in [*sys.path, *files]:
        try:
            found = os.stat(path or ".")
            stamps.append([path, found.st_mtime_ns, found.st_size])
        except OSError:
            stamps.append([path, None, None])
    return stamps


ENTRY_POINT = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
"""An entry point's value, as ``importlib.metadata.EntryPoint`` reads it."""


def _load(value: str) -> Any:
    """What an entry point's ``module:attr.attr`` names (as ``EntryPoint.load`` finds it)."""
    found = ENTRY_POINT.match(value)
    if found is None:
        raise ValueError(f"entry point {value!r} is not module:attribute")
    attrs = filter(None, (found.group("attr") or "").split("."))
    return functools.reduce(getattr, attrs, importlib.import_module(found.group("module")))
