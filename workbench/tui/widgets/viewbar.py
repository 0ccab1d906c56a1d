"""A one-line bar of named views (saved filters, tabs), switched by key or by click."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class ViewBar(Widget):
    """Labels side by side, the active one highlighted; each may carry a count."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "viewbar--active",
        "viewbar--count",
        "viewbar--alert",
        "viewbar--more",
    }

    DEFAULT_CSS = """
    ViewBar {
        height: 1;
        background: $panel;
        color: $text-muted;
        & > .viewbar--active { background: $primary; color: $text; text-style: bold; }
        & > .viewbar--count { color: $text-muted; }
        & > .viewbar--alert { color: $text-error; text-style: bold; }
        & > .viewbar--more { color: $text; background: $primary-muted; text-style: bold; }
    }
    """

    active: reactive[str] = reactive("", always_update=True)
    """ID of the active view."""

    class Changed(Message):
        """Another view became active."""

        def __init__(self, bar: ViewBar, view: str) -> None:
            super().__init__()
            self.bar = bar
            """The bar whose view changed."""
            self.view = view
            """ID of the view now active."""

        @property
        def control(self) -> ViewBar:
            return self.bar

    def __init__(
        self,
        views: list[tuple[str, str]],
        *,
        alerts: set[str] | None = None,
        shorts: dict[str, str] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.views = views
        """(id, label) pairs in order."""
        self.alerts = alerts or set()
        self.shorts = shorts or {}
        """Shorter labels used when the full ones do not fit."""
        """Views whose non-zero count is drawn as an alert (e.g. breaching)."""
        self.counts: dict[str, int] = {}
        self._spans: list[tuple[int, int, str]] = []
        self.set_reactive(ViewBar.active, views[0][0] if views else "")

    def set_views(self, views: list[tuple[str, str]]) -> None:
        self.views = views
        if self.active not in {v for v, _ in views} and views:
            self.active = views[0][0]
        self.refresh()

    def set_counts(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.refresh()

    def watch_active(self, view: str) -> None:
        self.post_message(self.Changed(self, view))

    def step(self, delta: int) -> None:
        """Activate the view ``delta`` places away (wrapping around)."""
        ids = [v for v, _ in self.views]
        if not ids:
            return
        index = ids.index(self.active) if self.active in ids else 0
        self.active = ids[(index + delta) % len(ids)]

    def render(self) -> Text:
        """The labels; where they do not fit, the short ones, and where those do not fit
        either, the part of the bar that holds the active view, with ‹ and › where more
        views lie to the left and right (``[`` / ``]`` scroll along)."""
        width = self.size.width
        text = self._render_labels(dict(self.views))
        if text.cell_len > width and self.shorts:
            text = self._render_labels({v: self.shorts.get(v, label) for v, label in self.views})
        if text.cell_len <= width or width < 3:
            return text
        return self._scrolled(text, width)

    def _scrolled(self, text: Text, width: int) -> Text:
        start, end = next(((a, b) for a, b, v in self._spans if v == self.active), (0, 0))
        offset = 0 if end <= width - 1 else min(end - (width - 2), text.cell_len - (width - 1))
        left = "‹" if offset else ""
        room = width - len(left) - 1
        right = "›" if offset + room < text.cell_len else ""
        room += 1 - len(right)
        marker = self.get_component_rich_style("viewbar--more")
        shown = Text(left, marker, no_wrap=True)
        first, last = _char_at(text.plain, offset), _char_at(text.plain, offset + room)
        shown.append_text(text[first:last])
        shown.append(right, marker)
        self._spans = [(a - offset + len(left), b - offset + len(left), v) for a, b, v in self._spans]
        return shown

    def _render_labels(self, labels: dict[str, str]) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        active = self.get_component_rich_style("viewbar--active")
        count_style = self.get_component_rich_style("viewbar--count")
        alert = self.get_component_rich_style("viewbar--alert")
        self._spans = []
        for view, label in labels.items():
            if text:
                text.append("│", count_style)
            start = text.cell_len
            is_active = view == self.active
            text.append(f" {label}", active if is_active else "")
            if view in self.counts:
                count = self.counts[view]
                style = active if is_active else (alert if view in self.alerts and count else count_style)
                text.append(f" {count:,}", style)
            text.append(" ", active if is_active else "")
            self._spans.append((start, text.cell_len, view))
        return text

    def _on_click(self, event: events.Click) -> None:
        for start, end, view in self._spans:
            if start <= event.x < end:
                self.active = view
                event.stop()
                return


def _char_at(plain: str, cells: int) -> int:
    """The index of the character that starts at cell ``cells`` of ``plain`` (wide
    characters count two cells); the length when the text is shorter."""
    counted = 0
    for index, char in enumerate(plain):
        if counted >= cells:
            return index
        counted += cell_len(char)
    return len(plain)
