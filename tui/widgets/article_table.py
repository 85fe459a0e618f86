"""A row-cursor table drawn line by line: the News screen's article list.

Filtering repaints this list on every keystroke. Textual's DataTable renders
each new cell through Rich (padding, wrapping, cropping): 55-60 ms for a
screenful of new rows at 120x40, more than a keystroke's budget. Rows here
are one line of plain text each, cut to the column widths once when set,
and a visible line is one Segment (the Line API, as Textual's Log and
toolong's log view draw): ~10 ms a full screen. Text goes in as Segments, so
nothing in it is ever parsed as markup; it is cleaned of control, escape and
bidi characters on the way in.
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
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from adapters.text import clean_text

ELLIPSIS = "…"
FREE_FLOOR = 15  # a free (title) column keeps this many cells before others vanish
CUT_FLOOR = 4  # a fitted column cut narrower than this is hidden instead
BOLD = Style(bold=True)
GAP = 2  # cells between columns


@dataclass(frozen=True)
class Column:
    """A column's heading and width.

    With a ``max_width`` the column fits its longest cell (or heading), between
    ``min_width`` and ``max_width``. Without one it is the free column: it gets
    what the others leave, at least ``min_width`` while they can give way.
    """

    label: str
    max_width: int | None = None
    min_width: int = 0


@dataclass(frozen=True)
class Row:
    """One row's cells as shown (plain text); ``strong`` rows are drawn bold (unread)."""

    cells: tuple[str, ...]
    strong: bool = False


def fit(text: str, width: int) -> str:
    """Text cut (with an ellipsis) or padded to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + ELLIPSIS


class ArticleTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of plain text with a highlighted row, a fixed header and zebra stripes."""

    HELP_NAME = "article list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Read", show=False, tooltip="Read the article"),
        Binding("up", "cursor_up", "Up", show=False, tooltip="Previous article"),
        Binding("down", "cursor_down", "Down", show=False, tooltip="Next article"),
        Binding("pageup", "page_up", "Page up", show=False, tooltip="A page of articles up"),
        Binding("pagedown", "page_down", "Page down", show=False, tooltip="A page down"),
        Binding("home,ctrl+home", "first", "First", show=False, tooltip="First article"),
        Binding("end,ctrl+end", "last", "Last", show=False, tooltip="Last article shown"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-table--header",
        "article-table--even-row",
        "article-table--cursor",
    }
    DEFAULT_CSS = """
    ArticleTable {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .article-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .article-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .article-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .article-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .article-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, repaint=False)

    class _RowMessage(Message):
        def __init__(self, table: ArticleTable, cursor_row: int) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row

        @property
        def control(self) -> ArticleTable:
            return self.table

    class RowHighlighted(_RowMessage):
        """The cursor moved to ``cursor_row``."""

    class RowSelected(_RowMessage):
        """Enter, or a click on the highlighted row."""

    def __init__(self, columns: Sequence[Column], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = tuple(columns)
        self._rows: list[Row] = []
        self._widths: tuple[int, ...] = ()
        self._lines: list[str] = []  # each row cut to the column widths, once
        self._header = ""
        self._laid_out_for = -1
        self.rows_set = 0  # times set_rows replaced the rows (for tests and the benchmark)
        self._line_cells = 0
        self._styles = (Style(),) * 4

    # ------------------------------------------------------------------ rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def get_row_at(self, index: int) -> Row:
        return self._rows[index]

    def set_rows(self, rows: Sequence[Row], *, cursor: int = 0) -> None:
        """Replace every row; the cursor goes to ``cursor`` (kept within the rows)."""
        self._rows = [self._clean(row) for row in rows]
        self.rows_set += 1
        self._rows_changed()
        before = self.cursor_row
        self.cursor_row = cursor
        if self.cursor_row == before and self._rows:
            # Same index, another row under it: said, as a move would be (the News
            # screen pages more rows in when the cursor is on the last one).
            self.post_message(self.RowHighlighted(self, before))
        self._show_cursor()

    def add_rows(self, rows: Sequence[Row]) -> None:
        """Append rows below the last, the cursor and view left where they are."""
        self._rows.extend(self._clean(row) for row in rows)
        self._rows_changed()

    def _clean(self, row: Row) -> Row:
        cells = tuple(clean_text(cell) for cell in row.cells[: len(self.columns)])
        cells += ("",) * (len(self.columns) - len(cells))
        return Row(cells, row.strong)

    def _column_widths(self, width: int) -> tuple[int, ...]:
        """Each column's width in cells for a view ``width`` cells wide; 0 hides a column.

        When the view is too narrow, the others give way to the free columns in
        steps: fitted columns (rightmost first) down to their minimum; then the
        free columns down to a floor (FREE_FLOOR); then fitted columns down to
        nothing; then the free columns down to one cell. A fitted column cut
        below CUT_FLOOR cells shows only an ellipsis, so it is hidden instead.
        """
        columns = self.columns
        free = [i for i, c in enumerate(columns) if c.max_width is None]
        fitted = [i for i, c in enumerate(columns) if c.max_width is not None]
        widths = [c.min_width for c in columns]
        for i in fitted:
            longest = max((cell_len(row.cells[i]) for row in self._rows), default=0)
            most = columns[i].max_width or 0
            widths[i] = min(most, max(longest, cell_len(columns[i].label), columns[i].min_width))
        wanted = list(widths)

        def spare() -> int:  # a free column is always drawn, if only one cell wide
            shown = [w for i, w in enumerate(widths) if w > 0 or i in free]
            return width - (1 + sum(shown) + GAP * max(0, len(shown) - 1))

        def give_way(indexes: list[int], floor: Callable[[int], int]) -> None:
            for i in indexes:
                short = -spare()
                if short <= 0:
                    return
                widths[i] -= min(short, max(0, widths[i] - floor(i)))

        right_first = list(reversed(fitted))
        give_way(right_first, lambda i: columns[i].min_width)
        give_way(free, lambda i: min(FREE_FLOOR, columns[i].min_width))
        give_way(right_first, lambda i: 0)
        give_way(free, lambda i: 1)
        for i in fitted:
            if 0 < widths[i] < min(CUT_FLOOR, wanted[i]):
                widths[i] = 0
        left = spare()
        for n, i in enumerate(free):  # what is left, shared
            widths[i] = max(1, widths[i] + left // len(free) + (1 if n < left % len(free) else 0))
        return tuple(widths)

    def _line(self, cells: Sequence[str]) -> str:
        parts = [fit(cell, w) for cell, w in zip(cells, self._widths, strict=True) if w > 0]
        return " " + (" " * GAP).join(parts)

    def _rows_changed(self) -> None:
        self._laid_out_for = -1  # column widths follow the rows: cut again when drawn
        # No virtual width: the columns always fit the view, never scroll sideways.
        self.virtual_size = Size(0, len(self._rows) + 1)
        self.refresh()

    def _cut_lines(self, width: int) -> None:
        """Column widths and every row cut to them, for this width (rows or width changed)."""
        self._laid_out_for = width
        self._widths = self._column_widths(width)
        self._header = self._line([c.label for c in self.columns])
        self._lines = [self._line(row.cells) for row in self._rows]
        self._line_cells = cell_len(self._header)

    # ------------------------------------------------------------------ drawing

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles looked up once a frame, not once a line: resolving a widget's
        # style walks its ancestors, and was a third of drawing a line.
        width = self.scrollable_content_region.width
        if width != self._laid_out_for:
            self._cut_lines(width)
        base = self.rich_style
        self._styles = (
            base,
            base + self.get_component_rich_style("article-table--header"),
            base + self.get_component_rich_style("article-table--even-row"),
            self.get_component_rich_style("article-table--cursor"),
        )
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self._laid_out_for
        base, header, even, cursor = self._styles
        if y == 0:
            return self._strip(self._header, header, width)
        index = self.scroll_offset.y + y - 1
        if not 0 <= index < len(self._rows):
            return Strip.blank(width, base)
        style = even if index % 2 else base
        if index == self.cursor_row:
            style += cursor
        if self._rows[index].strong:
            style += BOLD
        # The same meta DataTable gives a row, so a click knows which row it hit.
        return self._strip(self._lines[index], style + Style.from_meta({"row": index}), width)

    def _strip(self, line: str, style: Style, width: int) -> Strip:
        strip = Strip([Segment(line, style)], self._line_cells)
        return strip if self._line_cells == width else strip.crop_extend(0, width, style)

    def _refresh_row(self, index: int) -> None:
        self.refresh_line(index + 1)  # a line of the virtual view: row 0 is below the header

    # ------------------------------------------------------------------ cursor

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, max(len(self._rows) - 1, 0)))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._show_cursor()
        if self._rows:
            self.post_message(self.RowHighlighted(self, new))

    def move_cursor(self, *, row: int) -> None:
        self.cursor_row = row

    def _show_cursor(self) -> None:
        # Forced: until the next layout shows the scrollbar (rows just set on a
        # table that did not scroll), Textual refuses to scroll a ScrollView.
        if self.scrollable_content_region.height < 2:
            return  # not laid out yet: on_resize comes when it is
        target = self._scroll_for(self.cursor_row)
        self.scroll_to(y=target, animate=False, immediate=True, force=True)

    def on_resize(self) -> None:
        self._show_cursor()  # a shorter view may have left the cursor below it

    def _scroll_for(self, row: int) -> int:
        """The smallest scroll that shows ``row`` below the header."""
        visible = max(1, self.scrollable_content_region.height - 1)
        top = self.scroll_offset.y
        if row < top:
            return row
        if row >= top + visible:
            return row - visible + 1
        return top

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._page())

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=len(self._rows) - 1)

    def action_select_cursor(self) -> None:
        if self._rows:
            self.post_message(self.RowSelected(self, self.cursor_row))

    def _on_click(self, event: events.Click) -> None:
        """A click highlights a row; a click on the highlighted row selects it, as DataTable."""
        row = event.style.meta.get("row")
        if not isinstance(row, int) or not 0 <= row < len(self._rows):
            return
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.move_cursor(row=row)
