"""The top bar: the desk's name, the desk clock, and the screens by key (clickable)."""

from __future__ import annotations

import os
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.widget import Widget

from workbench import clock
from workbench.render import local

SECTIONS: list[tuple[str, str, str]] = [
    ("queue", "F2", "Queue"),
    ("work", "F3", "Work"),
    ("customers", "F4", "Customers"),
    ("plugins", "F5", "Plugins"),
    ("settings", "F6", "Settings"),
    ("team", "F7", "Team"),
    ("reports", "F8", "Reports"),
]
"""(mode, key, label) of every top-level screen."""


def what_if() -> bool:
    """Whether the desk's clock is set (``--now``, ``WORKBENCH_NOW`` or the what-if clock)
    rather than the wall clock's: the top bar says so."""
    return clock.fixed() is not None or bool(os.environ.get("WORKBENCH_NOW"))


class NavBar(Widget):
    """Title, desk clock and the screen keys; the current screen is highlighted."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "navbar--title",
        "navbar--key",
        "navbar--active",
        "navbar--clock",
        "navbar--what-if",
        "navbar--offline",
    }

    DEFAULT_CSS = """
    NavBar {
        dock: top;
        height: 1;
        background: $primary-background;
        color: $text;
        & > .navbar--title { text-style: bold; color: $text; }
        & > .navbar--key { color: $text; text-style: bold underline; }
        & > .navbar--active { background: $primary; color: $text; text-style: bold; }
        & > .navbar--clock { color: $text; }
        & > .navbar--what-if { background: $warning; color: $text; text-style: bold; }
        & > .navbar--offline { background: $error; color: $text; text-style: bold; }
    }
    """

    def __init__(self, section: str) -> None:
        super().__init__()
        self.section = section
        """The mode this bar sits in (highlighted)."""
        self._spans: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        self.set_interval(60, self.refresh)
        self.app.desk_status.subscribe(self, lambda _status: self.refresh())  # type: ignore[attr-defined]
        self.app.desk_changed.subscribe(self, lambda _change: self.refresh())  # type: ignore[attr-defined]
        if self.app.desk is None:  # type: ignore[attr-defined]
            self.app.desk_opened.subscribe(self, lambda _desk: self.refresh())  # type: ignore[attr-defined]

    def render(self) -> Text:
        """Title, desk, clock and screen keys; where they do not fit, the title goes first,
        then the desk's name (a short title instead), then the screens' labels (their keys
        stay)."""
        width = self.size.width
        for variant in range(4):
            text = self._variant(variant)
            if text.cell_len <= width:
                return text
        return text

    def _variant(self, variant: int) -> Text:
        desk = self.app.desk  # type: ignore[attr-defined]
        title = self.get_component_rich_style("navbar--title")
        key_style = self.get_component_rich_style("navbar--key")
        active = self.get_component_rich_style("navbar--active")
        clock_style = self.get_component_rich_style("navbar--clock")
        text = Text(no_wrap=True, overflow="ellipsis")
        if variant != 1:
            text.append(" Case Workbench " if variant == 0 else " Workbench ", title)
        if desk is None:
            text.append("· opening the desk… ", clock_style)
        else:
            if variant < 2:
                text.append(f"{'· ' if variant == 0 else ' '}{self.app.desk_name} ", title if variant else "")  # type: ignore[attr-defined]
            if self.app.offline is not None:  # type: ignore[attr-defined]
                text.append(" OFFLINE, reconnecting ", self.get_component_rich_style("navbar--offline"))
                text.append(" ")
            now = local(desk.now(), self.app.timezone)  # type: ignore[attr-defined]
            if what_if():
                text.append(f" what-if {now} ", self.get_component_rich_style("navbar--what-if"))
                text.append(" ")
            else:
                text.append(f"· {now} ", clock_style)
        self._spans = []
        nav = Text(no_wrap=True)
        offset = 0
        for mode, key, label in SECTIONS:
            is_active = mode == self.section
            shown = label if variant < 3 or is_active else ""
            piece = Text.assemble(
                (f" {key}", key_style if not is_active else active),
                (f" {shown} " if shown else " ", active if is_active else ""),
            )
            self._spans.append((offset, offset + piece.cell_len, mode))
            offset += piece.cell_len
            nav.append_text(piece)
        gap = max(self.size.width - text.cell_len - nav.cell_len, 1)
        start = text.cell_len + gap
        self._spans = [(a + start, b + start, m) for a, b, m in self._spans]
        text.append(" " * gap)
        text.append_text(nav)
        return text

    def _on_click(self, event: events.Click) -> None:
        for start, end, mode in self._spans:
            if start <= event.x < end:
                event.stop()
                if self.app.check_action("switch_mode", (mode,)):
                    self.app.switch_mode(mode)
                return
