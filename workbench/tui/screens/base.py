"""What every screen of the app shares: the desk, the top bar, desk calls off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from workbench.tui.widgets.navbar import NavBar

if TYPE_CHECKING:
    from workbench.desk import Desk
    from workbench.tui.app import WorkbenchApp


class DeskScreen(Screen[None]):
    """A screen that shows what the desk answers. Desk calls that can take time run in
    thread workers, one at a time (the app's desk lock), and come back on the UI thread."""

    SECTION: ClassVar[str] = "queue"
    """The top-level screen this one belongs to (highlighted in the top bar)."""

    def __init__(self, section: str | None = None) -> None:
        super().__init__()
        self.section = section or self.SECTION

    @property
    def wb(self) -> WorkbenchApp:
        return self.app  # type: ignore[return-value]

    @property
    def desk(self) -> Desk:
        return self.wb.desk

    def nav(self) -> NavBar:
        return NavBar(self.section)

    def ask(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Read the desk from a worker thread, holding the desk lock. A plugin's hook that
        runs past the time limit is left behind and the read made again without it
        (``Plugins.read``): a hook that hangs never holds the screen's data, nor the desk."""
        try:
            with self.wb.desk_lock:
                return self.desk.plugins.read(call, *args, **kwargs)
        finally:
            self.wb.tell_plugin_failures()

    def change(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Change the desk from a worker thread, holding the desk lock (a hook that runs past
        the time limit is left behind and its answer left out; the change is made once)."""
        try:
            with self.wb.desk_lock:
                return call(*args, **kwargs)
        finally:
            self.wb.tell_plugin_failures()

    def back(self, call: Callable[..., Any], *args: Any) -> Any:
        """Run ``call`` on the UI thread (from a worker) and return its result."""
        return self.app.call_from_thread(call, *args)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed unexpectedly is reported, never silent."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.wb.report_error(event.worker.error)

    @work(thread=True, exit_on_error=False, group="act")
    def act(
        self,
        done: str,
        call: Callable[..., Any],
        *args: Any,
        then: Callable[[Any], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """Make one change through the desk; say ``done`` when it worked, or why not."""
        try:
            result = self.change(call, *args, **kwargs)
        except Exception as error:  # the desk's refusals are shown, never raised
            self.back(self.wb.report_error, error)
            return
        self.back(self.wb.changed, result, done)
        if then is not None:
            self.back(then, result)
