"""The Textual app: screens, keys, the command palette, the theme. Thin on purpose: each
screen lives in ``screens/``, each reusable widget in ``widgets/``."""

from __future__ import annotations

import asyncio
import gc
import importlib
import io
import os
import shlex
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

import platformdirs
from textual import work
from textual.app import App, SuspendNotSupported, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
from textual.signal import Signal

from workbench.errors import DeskError
from workbench.tui.commands import DeskCommands, DeskPalette
from workbench.tui.format import error_title_and_text
from workbench.tui.prefs import Prefs, default_path
from workbench.tui.screens.queue import QueueScreen

if TYPE_CHECKING:
    from workbench.desk import Desk
    from workbench.desk.views import SweepReport
    from workbench.model import PaletteCommand
    from workbench.store.lease import Lease
    from workbench.tui.screens.case import CaseScreen

KINDS = {
    "Case": "cases",
    "Customer": "customers",
    "Contract": "contracts",
    "Workflow": "workflows",
    "SettingView": "settings",
    "SweepReport": "sweep",
    "Agent": "team",
    "Mail": "mail",
}
"""What a saved record is, by the name of its type (the desk's types are imported by the
thread that opens the desk, not before the first frame)."""

ABOUT = "\n".join(
    (
        "",
        "[b]Everywhere[/b]",
        "F2–F8 show a screen's list (or click them in the top bar) · ctrl+p or : opens the command "
        "palette: every screen, every action, and any case by its ID (type [b]C-12[/b]).",
        "Tables: ↑ ↓ or j k, PgUp PgDn, Home End or g G; Enter or a click on the highlighted row opens "
        "it. q or Esc goes back (q quits from a screen's list) · @ sets a what-if clock.",
        "In forms: Tab moves on, ctrl+s saves, Esc cancels (asking first when you typed), ctrl+o edits "
        "long text in $EDITOR.",
        "",
        "[b]Queue[/b]",
        "> sorts by the next column, < reverses (or click a header) · V saves the filter as a view kept "
        "in the desk · S sweeps the whole desk (asks first) · ctrl+r reloads.",
        "",
        "[b]Queue filter[/b]",
        "Words match ID, vendor, customer, subject, state, queue and severity.",
        "vendor:zoho  state:pending  queue:triage  sev:1  ball:vendor narrow by one column.",
        "assignee:me  assignee:none  assignee:ken  by who holds the case (views Mine, Unassigned).",
        "",
        "[b]Why[/b]",
        "Every route, deadline and refusal names the rule that made it (e.g. ZOHO-ESC-1) and its "
        "reason; the Plugins screen lists every rule of every vendor program.",
    )
)
"""What help says below the screen's keys: one line a paragraph, wrapped to the dialog's width."""


def _later(module: str, name: str) -> Callable[[], Screen]:
    """A top-level screen whose module is imported when it is first shown, not at start."""

    def make() -> Screen:
        return getattr(importlib.import_module(f"workbench.tui.screens.{module}"), name)()

    return make


WATCH_SECONDS = 1.0
"""How often an open desk looks for other agents' changes."""

HELP_LEAVES_OUT = {binding.action for binding in Screen.BINDINGS} | {"command_palette"}
"""Keys every screen has (focus moves, copy): help lists what the screen does."""

NEEDS_DESK = {"switch_mode", "go", "command_palette"}
"""App actions that wait for the desk to open (until then the queue is the only screen)."""


def downloads_folder() -> Path:
    """Where the terminal desk writes a file for the user (a screenshot, an export): the
    Downloads folder where it exists, else the home folder."""
    downloads = platformdirs.user_downloads_path()
    return downloads if downloads.is_dir() else Path.home()


class WorkbenchApp(App[None]):
    """Case Workbench in the terminal: everything through the desk service."""

    TITLE = "Case Workbench"
    CSS_PATH = Path(__file__).with_name("workbench.tcss")
    MODES: ClassVar[dict[str, Any]] = {
        "queue": QueueScreen,
        "work": _later("workflows", "WorkflowsScreen"),
        "customers": _later("customers", "CustomersScreen"),
        "plugins": _later("plugins", "PluginsScreen"),
        "settings": _later("settings", "SettingsScreen"),
        "team": _later("team", "TeamScreen"),
        "reports": _later("reports", "ReportsScreen"),
        "inbox": _later("inbox", "InboxScreen"),
    }
    DEFAULT_MODE = "queue"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-narrow"),
        (100, "-medium"),
        (150, "-roomy"),
    ]
    """Screens narrower than 100 columns (80×24) give way first where the CSS says so."""
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (30, "-tall")]
    COMMANDS = App.COMMANDS | {DeskCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "go('queue')", "Queue", show=False),
        Binding("f3", "go('work')", "Work", show=False),
        Binding("f4", "go('customers')", "Customers", show=False),
        Binding("f5", "go('plugins')", "Plugins", show=False),
        Binding("f6", "go('settings')", "Settings", show=False),
        Binding("f7", "go('team')", "Team", show=False),
        Binding("f8", "go('reports')", "Reports", show=False),
        Binding("f9", "go('inbox')", "Inbox", show=False),
        Binding("question_mark,f1", "help", "Help"),
        Binding(
            "ctrl+p",
            "command_palette",
            "palette",
            show=False,
            priority=True,
            tooltip="Open the command palette",
        ),
        Binding("colon", "command_palette", "palette", show=False),
        Binding("at", "what_if", "What-if clock", show=False),
        Binding("q", "back_or_quit", "Back", show=False),
        Binding("ctrl+t", "change_theme", "Theme", show=False),
    ]

    def __init__(
        self, desk: Desk | Callable[[], Desk], prefs_path: Path | None = None, *, remember: bool = True
    ) -> None:
        """``desk`` is the desk, or a function that opens it: that is called in a thread at
        once, while the app sets up and draws its first frame (the top bar, an empty
        queue); if it fails the app ends and :attr:`desk_error` says why. ``prefs_path`` is
        where the theme is remembered (default: the user's config folder);
        ``remember=False`` keeps it in memory (tests)."""
        super().__init__()
        self.desk: Desk | None = None
        """``None`` while the desk opens."""
        self.desk_error: Exception | None = None
        """Why the desk could not be opened (the app has ended)."""
        self.desk_opened: Signal[Desk] = Signal(self, "desk-opened")
        """Published once the desk is open (not when it was given open)."""
        self.desk_lock = threading.RLock()
        """Held for every desk call from a worker: one desk call at a time."""
        self.failures_told = 0
        """How many of the plugins' failures a toast has named (:meth:`tell_plugin_failures`)."""
        self._telling = threading.Lock()
        self.desk_changed: Signal[tuple[str, Any]] = Signal(self, "desk-changed")
        """Published after a change: (kind, the changed record); ``("desk", None)`` when
        other agents changed the desk (anything may have changed)."""
        self.offline: str | None = None
        """Why the desk's store cannot be reached, while it cannot (it reconnects by itself)."""
        self.desk_status: Signal[str | None] = Signal(self, "desk-status")
        """Published when the desk goes offline (the reason) or comes back (``None``)."""
        self.prefs = Prefs((prefs_path or default_path()) if remember else None)
        self.case_index: list[tuple[str, str, str, str]] = []
        """(id, subject, customer, assignee) of the open cases the queue holds, for the palette."""
        self.team: list[tuple[str, str]] = []
        """(handle, name) of the desk's active agents, for the palette."""
        self._case_screens: dict[str, CaseScreen] = {}
        self.desk_name = ""
        self.timezone = ZoneInfo("UTC")
        self.locale = "en"
        """The language of relative times (the desk's ``desk.locale``)."""
        self._opening: Future[Desk] | None = None
        self._sweeper: Lease | None = None
        """The lease of the desk's one scheduled sweeper, asked before each scheduled sweep."""
        self._compactor: subprocess.Popen[bytes] | None = None
        """The background ``workbench compact`` a change started, while it runs."""
        if callable(desk):
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="open-desk")
            self._opening = pool.submit(desk)
            pool.shutdown(wait=False)  # its thread ends with the call
        else:
            self._set_desk(desk)

    def on_mount(self) -> None:
        theme = self.prefs.load().get("theme")
        if theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, lambda theme: self.prefs.save(theme=theme.name))
        self.set_interval(WATCH_SECONDS, self._watch)
        if self._opening is not None:
            self._wait_for_desk(self._opening)
        else:
            self._schedule_sweeps()

    # -- opening the desk -------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="desk")
    def _wait_for_desk(self, opening: Future[Desk]) -> None:
        try:
            desk = opening.result()
        except Exception as error:  # said in words by the caller of run(), after the app
            self.call_from_thread(self._not_opened, error)
            return
        self.call_from_thread(self._opened, desk)

    def _opened(self, desk: Desk) -> None:
        self._set_desk(desk)
        self.refresh_bindings()
        self.desk_opened.publish(desk)
        self._schedule_sweeps()

    def _not_opened(self, error: Exception) -> None:
        self.desk_error = error
        self.exit()

    def _set_desk(self, desk: Desk) -> None:
        self.desk = desk
        self._read_settings()

    def _read_settings(self) -> None:
        """What every screen shows from the desk's settings: its name, time zone and language."""
        self.desk_name = str(self.desk.setting("desk.name") or "unnamed desk")
        self.timezone = ZoneInfo(str(self.desk.setting("desk.timezone")))
        self.locale = self.desk.locale()

    # -- the scheduled sweep --------------------------------------------------------------

    def _schedule_sweeps(self) -> None:
        """Sweep the time-driven rules every ``desk.sweep_minutes`` while the desk is open
        (0: never), unless another sweeper (``workbench run``) holds the desk's lease."""
        from workbench.desk.settings import SWEEP_MINUTES

        minutes = float(self.desk.setting(SWEEP_MINUTES))
        if minutes > 0:
            self._sweeper = self.desk.store.sweeper_lease()
            self.set_interval(minutes * 60, self._scheduled_sweep)

    @work(thread=True, exclusive=True, exit_on_error=False, group="scheduled-sweep")
    def _scheduled_sweep(self) -> None:
        """One scheduled sweep in a worker, under the lease (taken for the sweep only, so a
        `workbench run` started later takes over). Whatever it recorded is told in a toast;
        no screen is pushed, focus and typed work stay where they are."""
        from workbench.store import StoreError

        if self.offline is not None or not self._sweeper.take():
            return
        try:
            with self.desk_lock:
                report = self.desk.sweep()
        except StoreError:
            return  # the store is out of reach: the watch says so, the next tick tries again
        except Exception as error:
            self.call_from_thread(self.report_error, error)
            return
        finally:
            self._sweeper.release()
        self.call_from_thread(self._swept_on_schedule, report)

    def _swept_on_schedule(self, report: SweepReport) -> None:
        from workbench.tui.screens.queue import sweep_summary

        if report.applied or report.breaches or report.opened:
            self.notify(sweep_summary(report), title="Scheduled sweep", markup=False)
            self.desk_changed.publish(("sweep", report))

    # -- other agents' changes ------------------------------------------------------------

    async def _watch(self) -> None:
        """Pick up what other agents changed (on the desk file one ``stat`` of its log, in
        PostgreSQL nothing until the server notifies a commit) and tell every screen; while
        the store cannot be reached, say so and try again on the next tick. The store is
        asked in a thread (reconnecting may take seconds); ticks wait for it, none pile up."""
        if self.desk is None:
            return
        from workbench.store import StoreError

        try:
            moved = await asyncio.to_thread(self._refresh_desk)
        except StoreError as error:
            self._went_offline(str(error))
            return
        self._online(moved)

    def _refresh_desk(self) -> bool:
        with self.desk_lock:
            return self.desk.store.refresh()

    def _went_offline(self, reason: str) -> None:
        if self.offline is None:
            self.notify(
                reason, title="The desk is offline: reconnecting", severity="error", timeout=10, markup=False
            )
        self.offline = reason
        self.desk_status.publish(reason)

    def _online(self, moved: bool) -> None:
        back = self.offline is not None
        if back:
            self.offline = None
            self.desk_status.publish(None)
            self.notify("Connected again; showing the latest.", title="The desk is back online", markup=False)
        if moved or back:
            self.desk_changed.publish(("desk", None))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.desk is not None or action not in NEEDS_DESK

    async def action_go(self, mode: str) -> None:
        """Show a top-level screen's own list (F2…F6): a case or dialog left open on top of
        it is put away; one with typed work asks first (:meth:`leave`)."""
        if mode != self.current_mode:
            await self.switch_mode(mode)
        self._pop_to_list()

    def _pop_to_list(self) -> None:
        if len(self.screen_stack) > 1:
            self.leave(self.screen, then=self._pop_to_list)

    def leave(self, screen: Screen, then: Callable[[], Any] | None = None) -> None:
        """Put away ``screen`` (the current one); a screen with typed work asks before it is
        discarded, so one key never loses it. ``then`` runs once it is gone."""

        def go() -> None:
            if isinstance(screen, ModalScreen):
                screen.dismiss(None)
            else:
                self.pop_screen()
            if then is not None:
                self.call_later(then)

        ask = getattr(screen, "ask_before_leaving", None)
        if ask is None:
            go()
        else:
            ask(go)

    def action_back_or_quit(self) -> None:
        """``q``: back to the screen underneath, or quit from a top-level screen."""
        if len(self.screen_stack) > 1:
            self.leave(self.screen)
        else:
            self.exit()

    def action_command_palette(self) -> None:
        """The command palette, whose Enter runs the best match of everything typed."""
        if self.use_command_palette and not DeskPalette.is_open(self):
            self.push_screen(DeskPalette(id="--command-palette"))

    def action_what_if(self) -> None:
        """Set the desk's clock for this session ("what if it were Monday 09:00?"): every
        screen answers as of then, and the top bar says so. Empty goes back to real time."""
        from workbench import clock
        from workbench.desk import parse_value
        from workbench.model import Field
        from workbench.tui.screens.dialogs import FormDialog

        field = Field(
            "now",
            "Act as if it were",
            "datetime",
            help=f"a time in the desk's zone ({self.timezone.key}) or with an offset; empty: real time",
        )

        def submit(values: dict[str, Any]) -> str:
            raw = values.get("now", "")
            clock.set_now(parse_value("now", "datetime", raw, tz=self.timezone) if raw else None)
            return raw

        def done(result: str | None) -> None:
            if result is None:
                return
            when = (
                "real time"
                if not result
                else self.desk.now().astimezone(self.timezone).strftime("%Y-%m-%d %H:%M")
            )
            self.notify(f"The desk's clock: {when}", title="What-if clock", markup=False)
            self.desk_changed.publish(("clock", None))

        current = clock.fixed()
        shown = current.astimezone(self.timezone).strftime("%Y-%m-%dT%H:%M") if current else ""
        self.push_screen(
            FormDialog("What-if clock", [field], submit, values={"now": shown}, submit_label="Set"), done
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own commands, with a screenshot that goes to a folder that exists."""
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command
        yield SystemCommand(
            "Screenshot",
            "Save an SVG picture of the screen (in Downloads, or your home folder without one; "
            "in a browser, the browser downloads it)",
            lambda: self.set_timer(0.1, self.deliver_picture if self.is_web else self.save_picture),
        )
        yield SystemCommand(
            "What-if clock", "Act as if it were another time (@); empty for real time", self.action_what_if
        )

    def deliver_picture(self) -> None:
        """In a browser (``workbench serve``): the screen as SVG, downloaded by the browser."""
        self.deliver_text(
            io.StringIO(self.export_screenshot()),
            save_filename="workbench-screen.svg",
            mime_type="image/svg+xml",
        )
        self.notify("workbench-screen.svg", title="Screenshot downloaded", markup=False)

    def save_picture(self, folder: Path | None = None) -> Path:
        """Save the screen as SVG in ``folder`` (default: ``downloads_folder()``) and say where."""
        path = Path(self.save_screenshot(path=str(folder or downloads_folder())))
        self.notify(str(path), title="Screenshot saved", markup=False)
        return path

    @work(thread=True, exit_on_error=False, group="export")
    def export_desk(self, fmt: str) -> None:
        """The whole desk as ``workbench export --format FMT`` writes it (the same function):
        in a terminal to a file in ``downloads_folder()``, said where; in a browser
        (``workbench serve``) the browser downloads it. Held under the desk's lock so the
        watch does not reload the records while they are read."""
        from workbench import transfer

        name = f"workbench-export-{self.desk.now().astimezone(self.timezone):%Y%m%d-%H%M%S}.{fmt}"
        target = downloads_folder() / name
        try:
            with self.desk_lock:
                if self.is_web:
                    file = tempfile.TemporaryFile()
                    transfer.write_export(self.desk, fmt, file)
                    file.seek(0)
                else:
                    transfer.export_file(self.desk, fmt, target)
        except OSError as error:
            message = f"cannot write {target}: {error.strerror}"
            self.call_from_thread(self.notify, message, title="Export failed", severity="error", markup=False)
            return
        except Exception as error:
            self.call_from_thread(self.report_error, error)
            return
        if self.is_web:
            self.call_from_thread(self.deliver_binary, file, save_filename=name)
            self.call_from_thread(self.notify, name, title="Export downloaded", markup=False)
        else:
            self.call_from_thread(self.notify, str(target), title="Export written", markup=False)

    # -- what screens share -------------------------------------------------------------------

    def settled(self) -> None:
        """The queue has loaded its cases and deadlines. Everything built so far lives until
        the next full load or longer (modules, screens, the desk's records, the queue):
        frozen out of the cycle collector's walks (its full collections over them stalled
        the screen for 40-60 ms every few seconds; they are acyclic or long-lived, and
        reference counting still frees what is replaced), and the collector, paused while
        the terminal desk started (``workbench.cli.main``), runs again."""
        gc.freeze()
        gc.enable()

    def changed(self, record: Any, done: str) -> None:
        """A change was saved: say so and tell every screen."""
        if done:
            self.notify(done, title="Saved", markup=False)
        kind = KINDS.get(type(record).__name__, "")
        if kind == "settings":
            self._read_settings()
        self.desk_changed.publish((kind, record))
        from workbench.compaction import compact_in_background  # the store is loaded by now

        self._compactor = compact_in_background(self.desk.store, self._compactor)

    @work(thread=True, group="plugin-command")
    def run_plugin_command(self, plugin: str, command: PaletteCommand) -> None:
        """A plugin's palette command, in the background holding the desk; its text shown, or
        its failure with the plugin's name (and recorded, as any hook's)."""
        try:
            with self.desk_lock:
                text = command.run(self.desk)
        except Exception as exc:  # a plugin's failure never takes the desk down
            error = f"{type(exc).__name__}: {exc}"
            self.desk.plugins.fail(plugin, "workbench_palette_commands", error)
            message = f"plugin {plugin} failed in {command.title!r}: {error}"
            self.call_from_thread(self.notify, message, title=plugin, severity="error", markup=False)
            return
        self.call_from_thread(self.notify, str(text), title=command.title, markup=False)

    def tell_plugin_failures(self) -> None:
        """Name each plugin failure the desk recorded since the last toast, once (one per
        plugin and hook; F5 lists them all). Called from a worker after its desk call."""
        if self.desk is None:
            return
        with self._telling:
            failures = self.desk.plugins.failures
            new, self.failures_told = [str(f) for f in failures[self.failures_told :]], len(failures)
        for text in new:
            self.call_from_thread(
                self.notify,
                text,
                title="A plugin failed; the desk carries on",
                severity="warning",
                timeout=10,
                markup=False,
            )

    def report_error(self, error: BaseException) -> None:
        """A desk refusal in words: the rule and the reason, not just "no"."""
        title, text = error_title_and_text(error, self.timezone)
        self.notify(text, title=title, severity="error", timeout=10, markup=False)

    def open_case(self, case_id: str) -> None:
        """Show one case; each top-level screen keeps one case screen to reuse, so opening
        a case costs its data and a repaint, not building a screen."""
        from workbench.tui.screens.case import CaseScreen

        screen = self.screen
        if isinstance(screen, CaseScreen) and screen.case_id == case_id:
            return
        mode = self.current_mode
        reusable = self._case_screens.get(mode)
        if reusable is None:
            reusable = self._case_screens[mode] = CaseScreen(case_id, section=mode)
            self.install_screen(reusable, name=f"case:{mode}")
        elif reusable in self.screen_stack:
            self.push_screen(CaseScreen(case_id, section=mode))
            return
        else:
            reusable.show_case(case_id)
        self.push_screen(reusable)

    async def open_workflow(self, key: str) -> None:
        """Show one workflow on the Work screen (F3): its list filtered to it, its steps."""
        await self.action_go("work")
        self.screen.show_workflow(key)  # type: ignore[attr-defined]

    def new_case(self, vendor: str | None = None, customer_id: str | None = None) -> None:
        from workbench.tui.screens.new_case import NewCaseScreen

        self.push_screen(NewCaseScreen(section=self.current_mode, vendor=vendor, customer_id=customer_id))

    def action_help(self) -> None:
        from workbench.tui.screens.dialogs import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        # The screen's own actions first, the focused widget's moves (scrolling, the table's
        # cursor) after them: on a small terminal the first rows are what the screen does.
        active = sorted(self.screen.active_bindings.items(),
                        key=lambda item: item[1].node not in (self, self.screen))
        by_action: dict[str, tuple[list[str], str]] = {}
        for key, (_, binding, enabled, _) in active:
            if binding.description and enabled and not key.startswith("super+"):
                if binding.action in HELP_LEAVES_OUT:
                    continue
                shown, _ = by_action.setdefault(binding.action, ([], binding.description))
                shown.append(self.get_key_display(binding))
        keys = [(" ".join(shown), description) for shown, description in by_action.values()]
        keys += [
            ("ctrl+p :", "Command palette"),
            ("ctrl+t", "Theme (remembered)"),
        ]
        title = type(self.screen).__name__.removesuffix("Screen")
        self.push_screen(HelpScreen(title, keys, ABOUT))

    def edit_in_editor(self, text: str) -> str | None:
        """Hand ``text`` to $VISUAL / $EDITOR with the app suspended; ``None`` when that is
        not possible here (the in-app editor stays)."""
        if self.is_web:
            self.notify("In a browser, write here: $EDITOR needs a terminal.", severity="warning")
            return None
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            self.notify("Set $EDITOR to write long text in your editor.", severity="warning")
            return None
        handle, name = tempfile.mkstemp(suffix=".md", prefix="workbench-")
        path = Path(name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            with self.suspend():
                subprocess.run([*shlex.split(editor), str(path)], check=False)
            return path.read_text(encoding="utf-8")
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to $EDITOR: write here instead.", severity="warning")
            return None
        finally:
            path.unlink(missing_ok=True)


def run(desk: Desk | Callable[[], Desk]) -> None:
    """Open the desk in the terminal (``workbench`` without a subcommand). ``workbench``
    passes a function that opens the desk: the first frame comes before the desk.

    Without a terminal on stdin and stdout (a pipe, a script, CI) it stops at once with a
    :class:`DeskError` the command line says in words (one JSON document with ``--json``)
    instead of drawing into the void, unless ``workbench serve`` runs it for a
    browser tab (Textual's web driver speaks through the pipes). When the desk cannot be
    opened (damaged, missing its log, a broken plugin…) the app ends and the error is raised here, for the
    caller to say in words on the restored terminal."""
    in_browser = os.environ.get("TEXTUAL_DRIVER") == "textual.drivers.web_driver:WebDriver"
    if not in_browser and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise DeskError("the desk needs a terminal; use a subcommand in scripts (see `workbench --help`)")
    app = WorkbenchApp(desk)
    try:
        app.run()
    finally:
        gc.enable()
    if app.desk_error is not None:
        raise app.desk_error
