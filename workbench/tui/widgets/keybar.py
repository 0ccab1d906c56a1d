"""The bottom bar: every key of the screen with what it does, clickable.

Textual's ``Footer`` recomposes a widget per key each time the bindings change (focus
moves, a screen opens); this bar draws one line of text instead, so opening a screen
costs a repaint, not a dozen mounts.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.widget import Widget

KEPT = {"question_mark", "f1"}
"""Keys shown however narrow the bar: help lists every other key."""


def _length(entries: list[tuple[str, str, str, bool]]) -> int:
    return sum(len(keys) + len(description) + 2 for keys, description, _, _ in entries)


class KeyBar(Widget):
    """Key and description of every shown binding; bindings in a group share a label."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"keybar--key", "keybar--disabled"}

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-description-foreground;
        & > .keybar--key { color: $footer-key-foreground; text-style: bold; }
        & > .keybar--disabled { color: $text-disabled; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh())

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def entries(self) -> list[tuple[str, str, str, bool]]:
        """(keys shown, description, key to press, enabled) in the order they are drawn."""
        shown: dict[str, tuple[str, str, str, bool]] = {}
        groups: dict[str, list[str]] = {}
        palette = ""
        for key, (_, binding, enabled, _) in self.screen.active_bindings.items():
            if key == self.app.COMMAND_PALETTE_BINDING:
                palette = self.app.get_key_display(binding)
                continue
            if not binding.show or binding.action in shown:
                continue
            display = self.app.get_key_display(binding)
            if binding.group is not None:
                label = binding.group.description
                if label in groups:
                    groups[label].append(display)
                    continue
                groups[label] = [display]
                shown[binding.action] = ("", label, key, enabled)
            else:
                shown[binding.action] = (display, binding.description, key, enabled)
        found = []
        for display, description, key, enabled in shown.values():
            keys = display or "/".join(groups.get(description, []))
            found.append((keys, description, key, enabled))
        if palette:
            found.append((palette, "palette", self.app.COMMAND_PALETTE_BINDING, True))
        return found

    def render(self) -> Text:
        """The keys in order; where they do not all fit, those at the end give way (help and
        the palette stay, and list every key)."""
        entries = self.entries()
        kept = [e for e in entries if e[2] in KEPT or e[1] == "palette"]
        rest = [e for e in entries if e not in kept]
        width = self.size.width
        while rest and _length(rest + kept) + (2 if len(rest) < len(entries) - len(kept) else 0) > width:
            rest.pop()
        dropped = len(rest) + len(kept) < len(entries)
        return self._draw(rest, kept, dropped)

    def _draw(
        self, rest: list[tuple[str, str, str, bool]], kept: list[tuple[str, str, str, bool]], dropped: bool
    ) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        disabled = self.get_component_rich_style("keybar--disabled")
        text = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        shown = rest + kept
        for index, (keys, description, key, enabled) in enumerate(shown):
            if index == len(rest) and dropped:
                text.append(" …")
            start = text.cell_len
            if index == len(shown) - 1 and description == "palette":
                gap = max(self.size.width - start - len(keys) - len(description) - 2, 1)
                text.append(" " * gap)
                start = text.cell_len
            text.append(f" {keys}", key_style if enabled else disabled)
            text.append(f" {description}", "" if enabled else disabled)
            self._spans.append((start, text.cell_len, key))
        return text

    def _on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
