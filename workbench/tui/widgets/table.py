"""A virtual table: renders only the rows on screen, so 50,000 rows cost nothing to show.

Textual's ``DataTable`` measures every cell as rows are added. This table takes fixed
column widths (one column may flex to fill the rest) and draws each visible line on
demand, truncating and padding by terminal cells (``rich.cells``), so wide characters
(Japanese names) keep every column aligned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

Cell = str | tuple[str, str]
"""A cell: its text, or its text and a tone (``ok``, ``at-risk``, ``breached``, ``dim``,
``bold``, ``info``) that colours it, or a badge tone (``badge-high``, ``badge-mid``,
``badge``) drawn on a background of its own."""

TONES = ("ok", "at-risk", "breached", "dim", "bold", "info", "badge-high", "badge-mid", "badge")


@dataclass(frozen=True)
class Column:
    """One column: at least ``width`` cells, growing to its content up to ``most`` cells;
    ``flex`` takes what is left. When the table is too narrow for every column, those of
    the lowest ``priority`` give way first (a flex column never does)."""

    key: str
    label: str
    width: int = 10
    flex: bool = False
    align: str = "left"
    most: int | None = None
    """The widest the column grows to fit its content (``None``: its ``width``)."""
    priority: int = 50


FLEX_COMFORT = 32
"""Cells a flex column (a subject) gets before the other columns grow past their least."""
FLEX_WIDE = 40
"""On a wide screen, columns grow past their ``most`` to fit all their content while the
flex column keeps at least this many cells."""


OPTIONAL = 50
"""Columns of a lower priority are drawn only where every more important one fits its
content: they never crowd the columns an agent reads first."""


def layout(columns: Sequence[Column], natural: dict[str, int], width: int) -> list[int]:
    """Each column's width for a table ``width`` cells wide (a leading space, one between
    columns); 0 for a column that gives way. Columns of low priority give way until the
    rest fit at their least width; a flex column is then given room to read, the others
    grow to their content (measured in cells, so wide characters count twice) in priority
    order (up to ``most``, and on a wide screen to all their content), and the flex column
    takes what is left. Optional columns (priority under
    :data:`OPTIONAL`) give way, least important first, while a more important one is cut."""
    shown = list(columns)
    while True:
        widths, cut = _fit(shown, natural, width - 1)
        optional = [c for c in shown if not c.flex and c.priority < OPTIONAL]
        if not cut or not optional:
            break
        shown.remove(min(optional, key=lambda c: (c.priority, -shown.index(c))))
    return [widths.get(c.key, 0) for c in columns]


def _fit(columns: list[Column], natural: dict[str, int], avail: int) -> tuple[dict[str, int], bool]:
    """The widths of ``columns`` in ``avail`` cells (dropping the least important until the
    rest fit), and whether a column of :data:`OPTIONAL` priority or more was cut short."""
    shown = list(columns)

    def needed(cols: list[Column]) -> int:
        return sum(c.width for c in cols) + max(len(cols) - 1, 0)

    while needed(shown) > avail:
        optional = [c for c in shown if not c.flex]
        if not optional:
            break
        shown.remove(min(optional, key=lambda c: (c.priority, -shown.index(c))))
    widths = {c.key: c.width for c in shown}
    spare = max(avail - needed(shown), 0)
    flexes = [c for c in shown if c.flex]
    for column in flexes:
        extra = min(spare, max(FLEX_COMFORT - column.width, 0))
        widths[column.key] += extra
        spare -= extra
    cut = any(widths[c.key] < FLEX_COMFORT for c in flexes)
    for column in sorted((c for c in shown if not c.flex), key=lambda c: -c.priority):
        want = max(column.width, min(natural.get(column.key, column.width), column.most or column.width))
        extra = min(spare, want - widths[column.key])
        widths[column.key] += extra
        spare -= extra
        cut = cut or (widths[column.key] < want and column.priority >= OPTIONAL)
    if flexes:
        for column in sorted((c for c in shown if not c.flex), key=lambda c: -c.priority):
            room = spare + min(widths[c.key] for c in flexes) - FLEX_WIDE
            want = natural.get(column.key, 0) - widths[column.key]
            extra = min(room, spare, want)
            if extra > 0:
                widths[column.key] += extra
                spare -= extra
            cut = cut or (want > max(extra, 0) and column.priority >= OPTIONAL)
    for index, column in enumerate(flexes):
        share = spare // (len(flexes) - index)
        widths[column.key] += share
        spare -= share
    return widths, cut


def natural_widths(columns: Sequence[Column], rows: Sequence[Row]) -> dict[str, int]:
    """The widest cell of each growing column (its label included), in terminal cells."""
    found = {c.key: cell_len(c.label) + 2 for c in columns if c.most}
    growing = [(i, c.key) for i, c in enumerate(columns) if c.most]
    for row in rows:
        for index, key in growing:
            if index < len(row.cells):
                cell = row.cells[index]
                length = cell_len(cell[0] if isinstance(cell, tuple) else cell)
                if length > found[key]:
                    found[key] = length
    return found


@dataclass
class Row:
    """One row: a stable key and its cells in column order."""

    key: str
    cells: Sequence[Cell]


class LazyRows(Sequence[Row]):
    """Rows made only when drawn: ``make(index)`` builds row ``index`` the first time it is
    asked for. A filter over thousands of rows costs their keys, not their cells."""

    def __init__(self, keys: list[str], make: Callable[[int], Row]) -> None:
        self.keys = keys
        self._make = make
        self._made: dict[int, Row] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index: int) -> Row:  # type: ignore[override]
        if index < 0:
            index += len(self.keys)
        if not 0 <= index < len(self.keys):
            raise IndexError(index)
        row = self._made.get(index)
        if row is None:
            row = self._made[index] = self._make(index)
        return row

    def __setitem__(self, index: int, row: Row) -> None:
        self._made[index] = row


def _keys(rows: Sequence[Row]) -> list[str]:
    return rows.keys if isinstance(rows, LazyRows) else [row.key for row in rows]


def fit(text: str, width: int, align: str = "left") -> str:
    """``text`` padded or truncated (with an ellipsis) to exactly ``width`` cells."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    if align == "right":
        return " " * (width - length) + text
    return text + " " * (width - length)


class VirtualTable(ScrollView, can_focus=True, inherit_bindings=False):
    """A read-only table with a row cursor that draws only its visible lines."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "select", "Open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "vtable--header",
        "vtable--cursor",
        "vtable--even",
        "vtable--empty",
        *(f"vtable--{tone}" for tone in TONES),
    }

    DEFAULT_CSS = """
    VirtualTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        & > .vtable--header { text-style: bold; background: $panel; color: $foreground; }
        & > .vtable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus > .vtable--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .vtable--even { background: $surface-lighten-1 40%; }
        & > .vtable--empty { color: $text-muted; text-style: italic; }
        & > .vtable--ok { color: $text-success; }
        & > .vtable--at-risk { color: $text-warning; text-style: bold; }
        & > .vtable--breached { color: $text-error; text-style: bold; }
        & > .vtable--dim { color: $text-muted; }
        & > .vtable--bold { text-style: bold; }
        & > .vtable--info { color: $text-accent; }
        & > .vtable--badge-high { background: $error; color: $text; text-style: bold; }
        & > .vtable--badge-mid { background: $warning; color: $text; text-style: bold; }
        & > .vtable--badge { background: $panel; color: $text; }
    }
    """

    cursor_row: reactive[int] = reactive(0, repaint=False, always_update=True)
    """Index of the highlighted row in the shown rows."""

    class Highlighted(Message):
        """The cursor moved to another row."""

        def __init__(self, table: VirtualTable, key: str | None, index: int) -> None:
            super().__init__()
            self.table = table
            """The table whose cursor moved."""
            self.key = key
            """Key of the highlighted row (``None`` when the table is empty)."""
            self.index = index
            """Index of the highlighted row."""

        @property
        def control(self) -> VirtualTable:
            return self.table

    class HeaderSelected(Message):
        """A column's header was clicked (to sort by it)."""

        def __init__(self, table: VirtualTable, column: str) -> None:
            super().__init__()
            self.table = table
            """The table whose header was clicked."""
            self.column = column
            """Key of the clicked column."""

        @property
        def control(self) -> VirtualTable:
            return self.table

    class Selected(Message):
        """A row was chosen: Enter, a click on the highlighted row, or a double click."""

        def __init__(self, table: VirtualTable, key: str, index: int) -> None:
            super().__init__()
            self.table = table
            """The table the row belongs to."""
            self.key = key
            """Key of the chosen row."""
            self.index = index
            """Index of the chosen row."""

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        empty: str = "Nothing to show.",
        select_label: str = "Open",
        zebra: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        self.empty = empty
        """Text shown when there are no rows."""
        self.zebra = zebra
        self._rows: Sequence[Row] = []
        self._index: dict[str, int] = {}
        self._keys: list[str] = []
        self._tones: dict[tuple, Style] = {}
        self._widths: tuple[int, list[int]] = (-1, [])
        self.natural: dict[str, int] = {}
        """The content width of each growing column (measured by :meth:`set_rows`)."""
        self.sort: tuple[str, bool] | None = None
        """The column the rows are sorted by and whether in reverse (an arrow in its header)."""
        self._lines: LRUCache[tuple, Strip] = LRUCache(256)
        self._on_drawn: list[Callable[[], None]] = []
        self._bindings.key_to_bindings["enter"] = [
            Binding("enter", "select", select_label, show=bool(select_label))
        ]

    # -- data -----------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[Row]:
        return self._rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_key(self) -> str | None:
        """Key of the highlighted row."""
        if 0 <= self.cursor_row < len(self._rows):
            return self._keys[self.cursor_row]
        return None

    def set_rows(
        self, rows: Sequence[Row], keep: str | None = None, natural: dict[str, int] | None = None
    ) -> None:
        """Show ``rows``; the cursor stays on the row keyed ``keep`` (default: the row it
        is on now) when that row is still there, else on the same index; ``keep=""``
        puts it on the first row. ``natural`` gives the growing columns' content widths
        (rows made lazily are not measured here); otherwise the rows are measured."""
        key = keep if keep is not None else self.cursor_key
        index = self.cursor_row if keep != "" else 0
        measured = (
            natural
            if natural is not None
            else ({} if isinstance(rows, LazyRows) else natural_widths(self.columns, rows))
        )
        if measured != self.natural:
            self.natural = measured
            self._widths = (-1, [])
        self._rows = rows
        self._keys = _keys(rows)
        self._lines.clear()
        self._index = {key: i for i, key in enumerate(self._keys)}
        self.virtual_size = Size(self.virtual_size.width, len(rows) + 1)
        target = (
            self._index.get(key, min(index, max(len(rows) - 1, 0)))
            if key
            else min(index, max(len(rows) - 1, 0))
        )
        self.cursor_row = target
        self.refresh()

    def update_row(self, row: Row) -> None:
        """Replace one row's cells in place (the order does not change)."""
        index = self._index.get(row.key)
        if index is None:
            return
        self._rows[index] = row  # type: ignore[index]
        self._lines.clear()
        self.refresh_line(index + 1)

    def index_of(self, key: str) -> int | None:
        return self._index.get(key)

    def move_to(self, key: str) -> None:
        index = self._index.get(key)
        if index is not None:
            self.cursor_row = index

    # -- cursor ---------------------------------------------------------------------------

    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, len(self._rows) - 1)) if self._rows else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh_line(old + 1)
        self.refresh_line(new + 1)
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self, self.cursor_key, new))

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        page = self._page()
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + page:
            self.scroll_to(y=self.cursor_row - page + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= self._page()

    def action_page_down(self) -> None:
        self.cursor_row += self._page()

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self._rows) - 1

    def action_select(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Selected(self, key, self.cursor_row))

    def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            key = self._column_at(offset.x)
            if key is not None:
                event.stop()
                self.post_message(self.HeaderSelected(self, key))
            return
        index = int(self.scroll_y) + offset.y - 1
        if not 0 <= index < len(self._rows):
            return
        event.stop()
        self.focus()
        again = index == self.cursor_row
        self.cursor_row = index
        if again or event.chain >= 2:
            self.post_message(self.Selected(self, self._keys[index], index))

    def _column_at(self, x: int) -> str | None:
        position = 1
        for column, width in zip(
            self.columns, self.column_widths(self.scrollable_content_region.width), strict=True
        ):
            if not width:
                continue
            if position <= x < position + width + 1:
                return column.key
            position += width + 1
        return None

    # -- drawing --------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._tones.clear()
        self._lines.clear()
        self.refresh()

    def _on_resize(self, _event: events.Resize) -> None:
        self._widths = (-1, [])
        self._scroll_to_cursor()

    def _tone(self, tone: str, under: Style, on_cursor: bool = False) -> Style:
        """The style of a ``tone`` drawn over a row styled ``under``: theme colours given as
        ``auto`` or with an alpha (``$text-muted`` is ``auto 60%``) are resolved against the
        row's own background, so they read in light themes as in dark ones. The cursor row
        keeps its own colour (a red on the cursor's blue reads in no theme) and the tone's
        weight."""
        key = (tone, under.bgcolor, on_cursor)
        style = self._tones.get(key)
        if style is None:
            styles = self.get_component_styles(f"vtable--{tone}")
            style = Style.null()
            background = Color.from_rich_color(under.bgcolor) if under.bgcolor else Color(0, 0, 0)
            badge = styles.has_rule("background")
            if badge:
                background = background + styles.background
                style = Style(bgcolor=background.rich_color)
            if styles.has_rule("color") and (badge or not on_cursor):
                color = styles.color
                if styles.auto_color:
                    color = background.get_contrast_text(color.a)
                style += Style(color=(background + color).rich_color)
            style += styles.text_style
            self._tones[key] = style
        return style

    def column_widths(self, width: int) -> list[int]:
        """Each column's width in cells for a table ``width`` cells wide (0: given way);
        see :func:`layout`."""
        if self._widths[0] == width:
            return self._widths[1]
        widths = layout(self.columns, self.natural, width)
        self._widths = (width, widths)
        return widths

    def header_label(self, column: Column) -> str:
        if self.sort and self.sort[0] == column.key:
            return f"{column.label}{'▼' if self.sort[1] else '▲'}"
        return column.label

    def set_sort(self, key: str, reverse: bool) -> None:
        """Mark ``key`` as the sort column in the header (the owner sorts the rows)."""
        self.sort = (key, reverse)
        self._lines.clear()
        self.refresh()

    def after_drawn(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the table as it is now has been drawn: from the next paint
        of its lines, so it must be quick (a thread's ``Event.set``)."""
        self._on_drawn.append(callback)

    def render_lines(self, crop: Region) -> list[Strip]:
        lines = super().render_lines(crop)
        drawn, self._on_drawn = self._on_drawn, []
        for callback in drawn:
            callback()
        return lines

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_y) + y - 1 if y else -1
        key = (index, width, index == self.cursor_row, self.has_focus, len(self._rows))
        strip = self._lines.get(key)
        if strip is None:
            strip = self._render_line(y, width)
            self._lines[key] = strip
        return strip

    def _render_line(self, y: int, width: int) -> Strip:
        base = self.rich_style
        widths = self.column_widths(width)
        if y == 0:
            style = base + self.get_component_rich_style("vtable--header")
            cells = [
                fit(self.header_label(c), w, c.align) for c, w in zip(self.columns, widths, strict=True) if w
            ]
            return Strip([Segment(" " + " ".join(cells), style)]).adjust_cell_length(width, style)
        index = int(self.scroll_y) + y - 1
        if not self._rows:
            if y == 1:
                style = base + self.get_component_rich_style("vtable--empty")
                return Strip([Segment(" " + self.empty, style)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        on_cursor = index == self.cursor_row
        if on_cursor:
            style = base + self.get_component_rich_style("vtable--cursor")
        elif self.zebra and index % 2:
            style = base + self.get_component_rich_style("vtable--even")
        else:
            style = base
        segments = [Segment(" ", style)]
        first = True
        for column, cell_width, cell in zip(self.columns, widths, row.cells, strict=False):
            if not cell_width:
                continue
            if not first:
                segments.append(Segment(" ", style))
            first = False
            if isinstance(cell, tuple):
                text, tone = cell
                cell_style = style + self._tone(tone, style, on_cursor) if tone else style
            else:
                text, cell_style = cell, style
            segments.append(Segment(fit(text, cell_width, column.align), cell_style))
        return Strip(segments).adjust_cell_length(width, style)

    def row_text(self, index: int) -> str:
        """The plain text of one row as drawn (tests use it to check alignment)."""
        widths = self.column_widths(self.scrollable_content_region.width)
        row = self._rows[index]
        cells = [
            fit(cell[0] if isinstance(cell, tuple) else cell, w, c.align)
            for c, w, cell in zip(self.columns, widths, row.cells, strict=False)
            if w
        ]
        return " " + " ".join(cells)

    def shown_columns(self) -> list[str]:
        """Keys of the columns drawn at the table's width (the others gave way)."""
        widths = self.column_widths(self.scrollable_content_region.width)
        return [c.key for c, w in zip(self.columns, widths, strict=True) if w]
