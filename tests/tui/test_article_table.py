"""ArticleTable driven through a small host app: literal text, column widths, cursor, resize.

The table draws its own lines (the Line API), so these tests read what it draws:
the strips it renders (``render_lines``) and the screen the compositor puts
together (``render_strips``), not just its state.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.color import Color
from rich.style import Style
from textual import on
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot
from textual.strip import Strip

from tui.widgets.article_table import ELLIPSIS, GAP, ArticleTable, Column, Row, fit

# The News screen's columns (tui/screens/news.py), copied so these tests pin the
# widget's rules rather than the screen's choice of widths.
COLUMNS = (
    Column("", 2, min_width=2),
    Column("Date", 12, min_width=12),
    Column("Source", 20, min_width=8),
    Column("Title", min_width=40),
    Column("Tags", 30),
)
HOSTILE = (
    "[bold red]x[/] [@click=app.quit]y[/] \x1b[31mred\x1b[0m \u202eevil\u202c"
    "\x07\x08\x9b1m\x90 two\nlines\tand\r\ntabs\x85end"
)
HOSTILE_SHOWN = "[bold red]x[/] [@click=app.quit]y[/] red evil two lines and tabs end"
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
CJK = "医生招聘" * 8  # 64 cells, wider than any title column below
EMOJI = "🩺😀" * 10  # 40 cells


class Host(App[None]):
    """One ArticleTable filling the screen; records the messages it posts."""

    def __init__(
        self, rows: Sequence[Row] = (), *, columns: Sequence[Column] = COLUMNS, cursor: int = 0
    ) -> None:
        super().__init__()
        self._initial_rows = list(rows)
        self._columns = tuple(columns)
        self._initial_cursor = cursor
        self.highlighted: list[int] = []
        self.selected: list[int] = []
        self.controls: list[ArticleTable] = []

    def compose(self) -> ComposeResult:
        yield ArticleTable(self._columns, id="table")

    def on_mount(self) -> None:
        self.table.set_rows(self._initial_rows, cursor=self._initial_cursor)

    @property
    def table(self) -> ArticleTable:
        return self.query_one("#table", ArticleTable)

    @on(ArticleTable.RowHighlighted)
    def _highlighted(self, event: ArticleTable.RowHighlighted) -> None:
        self.highlighted.append(event.cursor_row)
        self.controls.append(event.control)

    @on(ArticleTable.RowSelected)
    def _selected(self, event: ArticleTable.RowSelected) -> None:
        self.selected.append(event.cursor_row)
        self.controls.append(event.control)


def news_rows(count: int, *, strong: Callable[[int], bool] = lambda i: False) -> list[Row]:
    """Rows shaped like the News screen's, with titles that say their index."""
    return [
        Row(("●", "01 Jan 2027", "GP news", f"Title {i:03}", "workforce"), strong=strong(i))
        for i in range(count)
    ]


def screen_lines(app: App[None]) -> list[str]:
    """The whole screen as the compositor would send it to the terminal."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def drawn(table: ArticleTable) -> list[Strip]:
    """The table's own lines, as wide as its content region (the scrollbar excluded)."""
    region = table.scrollable_content_region
    return table.render_lines(Region(0, 0, region.width, region.height))


def cell_slices(line: str, widths: Sequence[int]) -> list[str]:
    """The text in each column of a drawn line; fails if a character crosses a column's edge
    or anything but a space is drawn between the columns. A hidden (0-wide) column takes
    no room and no gap: its piece is empty."""
    edges: list[tuple[int, int]] = []
    x = 1  # one cell of margin before the first column
    for width in widths:
        edges.append((x, x + width))
        if width > 0:
            x += width + GAP
    pieces = [""] * len(widths)
    x = 0
    for char in line:
        size = cell_len(char)
        for index, (start, end) in enumerate(edges):
            if start <= x < end:
                assert x + size <= end, f"{char!r} at cell {x} crosses column {index}'s edge"
                pieces[index] += char
                break
        else:
            assert char == " ", f"{char!r} drawn at cell {x}, outside every column"
        x += size
    return pieces


def assert_cursor_visible(app: Host) -> None:
    """The cursor row is on screen below the header, drawn where the table says it is."""
    table = app.table
    top = table.scroll_offset.y
    visible = table.scrollable_content_region.height - 1
    assert top <= table.cursor_row < top + visible
    y = table.cursor_row - top + 1
    assert f"Title {table.cursor_row:03}" in screen_lines(app)[y]
    assert app.screen.get_style_at(5, y).meta == {"row": table.cursor_row}


# ---------------------------------------------------------------------- fit()


def test_fit_pads_short_text_to_the_width() -> None:
    assert fit("ab", 5) == "ab   "
    assert fit("abcde", 5) == "abcde"
    assert fit("", 3) == "   "


def test_fit_cuts_long_text_with_an_ellipsis() -> None:
    assert fit("abcdef", 4) == "abc" + ELLIPSIS
    assert fit("abcdef", 1) == ELLIPSIS


@pytest.mark.parametrize("width", [0, -1, -10])
def test_fit_to_no_width_is_empty(width: int) -> None:
    assert fit("anything", width) == ""
    assert fit("", width) == ""


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("医生招聘", 8, "医生招聘"),  # exactly fits: 4 wide characters, 8 cells
        ("医生招聘", 9, "医生招聘 "),
        ("医生招聘", 7, "医生招…"),  # 6 cells of text and the ellipsis
        # A wide character never half-drawn: 3 cells of room before the ellipsis
        # hold one character and a space.
        ("医生招聘", 4, "医 …"),
        ("医生招聘", 2, " …"),
        ("医生招聘", 1, "…"),
        ("a😀b", 3, "a …"),
        ("😀😀", 3, "😀…"),
        ("😀", 1, "…"),
    ],
)
def test_fit_cuts_wide_characters_by_cells(text: str, width: int, expected: str) -> None:
    assert fit(text, width) == expected
    assert cell_len(fit(text, width)) == width


@given(
    text=st.text(alphabet=list("ab .医生招聘😀🩺…"), max_size=20),
    width=st.integers(min_value=-2, max_value=30),
)
def test_fit_is_always_exactly_width_cells(text: str, width: int) -> None:
    """Whatever the mix of narrow and wide characters, the result fills ``width`` cells and
    keeps a prefix of the text, losing at most a wide character's half to a space."""
    result = fit(text, width)
    assert cell_len(result) == max(width, 0)
    if width <= 0:
        assert result == ""
    elif cell_len(text) <= width:
        assert result == text + " " * (width - cell_len(text))
    else:
        assert result.endswith(ELLIPSIS)
        kept = result[: -len(ELLIPSIS)]
        assert text.startswith(kept) or (
            kept.endswith(" ") and text.startswith(kept[:-1]) and cell_len(text[len(kept) - 1]) == 2
        )


# ------------------------------------------------------------ text is literal


async def test_cells_are_cleaned_of_controls_escapes_bidi_and_line_breaks() -> None:
    """Escape sequences, C0/C1 controls and bidi overrides go; newlines and tabs become
    spaces; markup is left as the text it is. Rows added later are cleaned the same way."""
    app = Host([Row((HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE))])
    async with app.run_test(size=(160, 10)) as pilot:
        app.table.add_rows([Row(("", "", "Src\x1b]8;;https://evil.example\x1b\\", HOSTILE))])
        await pilot.pause()
        cells = [cell for i in range(2) for cell in app.table.get_row_at(i).cells]
        for cell in cells:
            assert not any(unicodedata.category(char) == "Cc" for char in cell), repr(cell)
            assert not BIDI & set(cell), repr(cell)
        assert app.table.get_row_at(0).cells == (HOSTILE_SHOWN,) * 5
        assert app.table.get_row_at(1).cells == ("", "", "Src", HOSTILE_SHOWN, "")


async def test_markup_is_drawn_as_literal_unstyled_text() -> None:
    app = Host([*news_rows(1), Row(("", "", "", HOSTILE, ""))])
    async with app.run_test(size=(160, 10)) as pilot:
        await pilot.pause()
        assert HOSTILE_SHOWN in screen_lines(app)[2]
        row_strip = drawn(app.table)[2]
        assert HOSTILE_SHOWN in row_strip.text
        for segment in row_strip:
            # Markup parsed would have made "x" bold red and "y" a link to app.quit.
            assert segment.style is not None
            assert segment.style.color != Color.parse("red")
            assert set(segment.style.meta) == {"row"}
        x = screen_lines(app)[2].index("[@click")
        assert app.screen.get_style_at(x, 2).meta == {"row": 1}


async def test_clicking_markup_in_a_row_does_not_run_its_action() -> None:
    """The hostile row is clicked once (highlight) and again (select): still running."""
    app = Host([*news_rows(1), Row(("", "", "", HOSTILE, ""))])
    async with app.run_test(size=(160, 10)) as pilot:
        await pilot.pause()
        assert app.highlighted == [0]  # set_rows in on_mount
        app.highlighted.clear()
        x = screen_lines(app)[2].index("[@click=app.quit]y")
        for _ in range(2):
            assert await pilot.click(app.table, offset=(x + 1, 2))
            await pilot.pause()
        assert app.is_running
        assert app.return_code is None
        assert app.highlighted == [1]
        assert app.selected == [1]


async def test_rows_get_exactly_one_cell_a_column() -> None:
    """Missing cells are blank, extra cells dropped, ``strong`` kept."""
    short = Row(("★", "02 Feb 2027"), strong=True)
    long = Row(("", "03 Mar 2027", "Src", "A title", "tag", "extra", "more"))
    app = Host([short, long])
    async with app.run_test(size=(120, 8)) as pilot:
        await pilot.pause()
        assert app.table.row_count == 2
        assert app.table.get_row_at(0) == Row(("★", "02 Feb 2027", "", "", ""), strong=True)
        assert app.table.get_row_at(1) == Row(("", "03 Mar 2027", "Src", "A title", "tag"))
        assert "extra" not in "\n".join(screen_lines(app))


# ---------------------------------------------------------------- columns

# Every bounded column longer than its max: flags 2, date 12, source 20, tags 30.
FULL_ROW = Row(("★●", "01 Jan 2027?", "British Medical Association news", "Title", "t" * 40))


async def test_wide_terminal_gives_the_title_column_the_rest() -> None:
    app = Host([FULL_ROW] * 3)
    async with app.run_test(size=(160, 8)) as pilot:
        await pilot.pause()
        table = app.table
        assert table.scrollable_content_region.width == 160  # three rows: no scrollbar
        assert table._widths == (2, 12, 20, 160 - 1 - 64 - 4 * GAP, 30)
        header, first = (strip.text for strip in drawn(table)[:2])
        assert cell_slices(header, table._widths) == [
            fit(column.label, width) for column, width in zip(COLUMNS, table._widths, strict=True)
        ]
        flags, date, source, title, tags = cell_slices(first, table._widths)
        assert (flags, date) == ("★●", "01 Jan 2027?")
        assert source == "British Medical Ass…"
        assert title == "Title".ljust(87)
        assert tags == "t" * 29 + ELLIPSIS


async def test_bounded_columns_fit_their_cells_and_label_but_not_below_min_width() -> None:
    """Below their max, columns are as wide as their longest cell or label, but never
    narrower than their min_width: the empty flags column keeps its 2 cells, Date its 12
    (the cell is 10), Source its 8 (the cell is 7); Tags (no minimum) its label's 4."""
    app = Host([Row(("", "1 Jan 2027", "GP news", "Short", ""))])
    async with app.run_test(size=(100, 8)) as pilot:
        await pilot.pause()
        assert app.table._widths == (2, 12, 8, 100 - 1 - 26 - 4 * GAP, 4)
        header, row = screen_lines(app)[:2]
        assert header.startswith(" " + "  " + "  " + "Date" + " " * 8 + "  " + "Source  " + "  ")
        assert row.startswith(" " + "  " + "  " + "1 Jan 2027  " + "  " + "GP news " + "  Short")
        assert header.rstrip().endswith("Tags")


# FULL_ROW wants (2, 12, 20, 40, 30): 1 + 104 + 4 gaps of 2 = 113 cells. Below that, in
# phases: fitted columns rightmost first down to min_width (tags 0, source 8, date 12,
# flags 2); the title down to FREE_FLOOR (15); fitted columns rightmost first down to 0;
# the title down to 1. A fitted column cut below CUT_FLOOR (4) is hidden; a hidden column
# takes no gap, and the cells it frees go to the title.
@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (113, (2, 12, 20, 40, 30)),  # everything at its max, the title at its min
        (100, (2, 12, 20, 40, 17)),  # tags give way first (rightmost)
        (83, (2, 12, 20, 42, 0)),  # ... to 0, hidden: its gap's 2 cells go to the title
        (75, (2, 12, 14, 40, 0)),  # then the source ...
        (71, (2, 12, 10, 40, 0)),
        (69, (2, 12, 8, 40, 0)),  # ... down to its min_width, 8
        (60, (2, 12, 8, 31, 0)),  # then the title goes below its own min ...
        (44, (2, 12, 8, 15, 0)),  # ... down to FREE_FLOOR
        (40, (2, 12, 4, 15, 0)),  # then fitted columns below their min: source to CUT_FLOOR
        (39, (2, 12, 0, 20, 0)),  # source cut to 3 is hidden: 3 cells and a gap to the title
        (34, (2, 12, 0, 15, 0)),  # source gone to 0
        (32, (2, 10, 0, 15, 0)),  # then the date below its min
        (26, (2, 4, 0, 15, 0)),
        (25, (2, 0, 0, 20, 0)),  # date cut to 3 is hidden: 3 cells and a gap to the title
        (20, (2, 0, 0, 15, 0)),
        (17, (0, 0, 0, 16, 0)),  # flags go (no fitted column left): a cell over, to the title
        (16, (0, 0, 0, 15, 0)),
        (10, (0, 0, 0, 9, 0)),  # then the title below FREE_FLOOR ...
        (2, (0, 0, 0, 1, 0)),  # ... down to one cell
    ],
)
async def test_narrow_terminal_columns_give_way(width: int, expected: tuple[int, ...]) -> None:
    app = Host([FULL_ROW] * 3)
    async with app.run_test(size=(width, 8)) as pilot:
        await pilot.pause()
        assert app.table.scrollable_content_region.width == width
        assert app.table._widths == expected
        assert app.table._column_widths(width) == expected
        for strip in drawn(app.table):
            assert strip.cell_length == cell_len(strip.text) == width
        assert all(cell_len(line) == width for line in screen_lines(app))
        # The whole line fits, hidden columns take no gap: each column cut on its own.
        header, first = (strip.text for strip in drawn(app.table)[:2])
        pieces = cell_slices(first, expected)
        assert [cell_len(piece) for piece in pieces] == list(expected)
        assert pieces == [
            fit(cell, size) for cell, size in zip(FULL_ROW.cells, expected, strict=True)
        ]
        assert cell_slices(header, expected) == [
            fit(column.label, size) for column, size in zip(COLUMNS, expected, strict=True)
        ]


@pytest.mark.parametrize("free_min", [0, 1, 10])
async def test_two_free_columns_share_the_rest(free_min: int) -> None:
    """60 cells: a margin, A and B at 5, three gaps: 43 left, 22 and 21 (the first free
    column takes the odd cell). Whatever the free columns' own minimum below that."""
    columns = (
        Column("A", 5),
        Column("Free1", min_width=free_min),
        Column("Free2", min_width=free_min),
        Column("B", 5),
    )
    app = Host([Row(("aaaaa", "x" * 50, "y" * 50, "bbbbb"))], columns=columns)
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        assert app.table._widths == (5, 22, 21, 5)
        line = drawn(app.table)[1].text
        assert line == " aaaaa  " + "x" * 21 + ELLIPSIS + "  " + "y" * 20 + ELLIPSIS + "  bbbbb"
        assert screen_lines(app)[1] == line


async def test_a_free_column_without_min_width_leaves_room_for_its_gap() -> None:
    """The plainest case: Column("Title") after a fitted column; 60 cells: 1 + 5 + 2 + 52."""
    columns = (Column("A", 5), Column("Title"))
    app = Host([Row(("aaaaa", "x" * 80))], columns=columns)
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        assert app.table._widths == (5, 52)
        assert drawn(app.table)[1].text == " aaaaa  " + "x" * 51 + ELLIPSIS


async def test_wide_characters_are_cut_by_cell_width_and_never_overflow() -> None:
    """CJK and emoji in bounded and free columns, at every width from roomy to cramped:
    each column holds exactly its width, cut with an ellipsis, no character straddling."""
    rows = [
        Row(("★", "01 Jan 2027", "医生招聘医生招聘医生招聘", CJK, "医生, 招聘, 😀")),
        Row(("●", "02 Jan 2027", "😀 news 😀 news 😀 news", EMOJI, "x" + EMOJI)),
        Row(("", "03 Jan 2027", "a医b生c招d聘e", "a" + CJK, "b" + CJK)),
    ]
    app = Host(rows)
    async with app.run_test(size=(150, 6)) as pilot:
        for width in [150, 121, 100, 99, 84, 83, 73, 72, 61, 60, 45, 44, 39, 33, 25, 20, 10]:
            await pilot.resize_terminal(width, 6)
            await pilot.pause()
            table = app.table
            assert table.scrollable_content_region.width == width
            for strip in drawn(table):
                assert strip.cell_length == cell_len(strip.text) == width
            for index, strip in enumerate(drawn(table)[1:4]):
                pieces = cell_slices(strip.text, table._widths)
                cells = table.get_row_at(index).cells
                for piece, cell, size in zip(pieces, cells, table._widths, strict=True):
                    assert cell_len(piece) == size
                    if size == 0:
                        continue
                    if cell_len(cell) <= size:
                        assert piece.rstrip(" ") == cell
                    else:
                        assert piece.endswith(ELLIPSIS)
                        kept = piece[: -len(ELLIPSIS)].rstrip(" ")
                        assert cell.startswith(kept)
                        assert cell_len(kept) >= size - 2  # at most one cell lost to a wide char
            assert all(cell_len(line) == width for line in screen_lines(app))


@pytest.mark.parametrize(
    ("rows", "content"), [(1, 40), (10, 38)], ids=["no-scrollbar", "scrollbar"]
)
async def test_hidden_columns_take_no_gap_and_lines_fill_the_content_width(
    rows: int, content: int
) -> None:
    """Fitted columns with nothing to show (empty label and cells, no min_width) are 0
    wide: no cells and no gap. The title gets the rest, so each line is exactly the
    content width: 1 + 5 + 2 + title + 2 + 5, with or without the scrollbar."""
    columns = (
        Column("A", 5),
        Column("", 5),
        Column("Title", min_width=10),
        Column("", 3),
        Column("B", 5),
    )
    app = Host([Row(("aaaaa", "", "title", "", "bbbbb"))] * rows, columns=columns)
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        table = app.table
        assert table.scrollable_content_region.width == content
        title = content - 1 - 5 - 5 - 2 * GAP
        assert table._widths == (5, 0, title, 0, 5)
        lines = drawn(table)
        assert lines[0].text == " A    " + "  " + "Title".ljust(title) + "  " + "B    "
        assert lines[1].text == " aaaaa" + "  " + "title".ljust(title) + "  " + "bbbbb"
        for strip in lines:
            assert strip.cell_length == cell_len(strip.text) == content
        assert all(cell_len(line) == 40 for line in screen_lines(app))
        assert screen_lines(app)[1].startswith(lines[1].text)


async def test_flags_column_stays_two_cells_wide() -> None:
    """The flags column (max 2, min 2) is 2 cells whether rows have no flag, one, or two:
    the columns to its right never shift when a second flag appears or goes."""
    one_flag = [Row(("●", "01 Jan 2027", "GP news", "One", "")), Row(("", "", "", "None", ""))]
    two_flags = Row(("★●", "02 Jan 2027", "GP news", "Two", ""))
    app = Host(one_flag)
    async with app.run_test(size=(100, 8)) as pilot:
        await pilot.pause()
        table = app.table
        assert table._widths[0] == 2
        header = screen_lines(app)[0]
        date_at = header.index("Date")
        assert date_at == 1 + 2 + GAP
        assert screen_lines(app)[1].startswith(" ●   01 Jan 2027")
        table.add_rows([two_flags])
        await pilot.pause()
        assert table._widths[0] == 2
        assert screen_lines(app)[0] == header
        assert screen_lines(app)[3].startswith(" ★●  02 Jan 2027")
        table.set_rows([Row(("", "01 Jan 2027", "GP news", "No flags", ""))])
        await pilot.pause()
        assert table._widths[0] == 2
        assert screen_lines(app)[0] == header
        assert screen_lines(app)[1].startswith(" " * (1 + 2 + GAP) + "01 Jan 2027")


# ----------------------------------------------------------------- cursor


async def test_set_rows_clamps_the_cursor_and_shows_it() -> None:
    app = Host(news_rows(30))
    async with app.run_test(size=(70, 12)) as pilot:
        await pilot.pause()
        app.highlighted.clear()  # the initial RowHighlighted(0) from on_mount's set_rows
        table = app.table
        table.set_rows(news_rows(30), cursor=99)
        await pilot.pause()
        assert table.cursor_row == 29
        assert table.scroll_offset.y == 30 - 11  # the last row on the last line
        assert_cursor_visible(app)
        table.set_rows(news_rows(5), cursor=table.cursor_row)
        await pilot.pause()
        assert table.cursor_row == 4
        assert table.scroll_offset.y == 0
        assert_cursor_visible(app)
        table.set_rows(news_rows(5), cursor=-3)
        await pilot.pause()
        assert table.cursor_row == 0
        assert table.rows_set == 4
        assert app.highlighted == [29, 4, 0]


async def test_set_rows_scrolls_to_the_cursor_when_already_scrollable() -> None:
    app = Host(news_rows(30))
    async with app.run_test(size=(70, 12)) as pilot:
        await pilot.pause()
        app.highlighted.clear()
        app.table.set_rows(news_rows(30), cursor=25)
        await pilot.pause()
        assert app.table.scroll_offset.y == 25 - 11 + 1
        assert_cursor_visible(app)
        assert app.highlighted == [25]


@pytest.mark.parametrize("before", [0, 3], ids=["empty", "rows-that-fit"])
async def test_set_rows_scrolls_to_a_cursor_below_the_view(before: int) -> None:
    app = Host(news_rows(before))
    async with app.run_test(size=(70, 12)) as pilot:
        await pilot.pause()
        app.table.set_rows(news_rows(30), cursor=25)
        await pilot.pause()
        assert app.table.cursor_row == 25
        assert_cursor_visible(app)


async def test_set_rows_posts_row_highlighted_even_when_the_index_stays() -> None:
    """New rows under the same cursor index are a new highlighted row: RowHighlighted is
    posted (once), as for a move; a move posts once too; no rows, nothing."""
    app = Host(news_rows(10))
    async with app.run_test(size=(70, 12)) as pilot:
        await pilot.pause()
        assert app.highlighted == [0]  # on_mount's set_rows: the index stayed 0
        table = app.table
        table.move_cursor(row=4)
        await pilot.pause()
        app.highlighted.clear()
        app.controls.clear()
        table.set_rows(news_rows(10), cursor=4)  # same index
        await pilot.pause()
        assert app.highlighted == [4]
        assert app.controls == [table]
        table.set_rows(news_rows(3), cursor=4)  # clamped to 2: moved, posted once
        await pilot.pause()
        assert app.highlighted == [4, 2]
        table.set_rows(news_rows(3), cursor=99)  # clamped to 2 again: same index
        await pilot.pause()
        assert app.highlighted == [4, 2, 2]
        table.set_rows([], cursor=2)  # no rows: nothing highlighted
        await pilot.pause()
        assert app.highlighted == [4, 2, 2]


async def test_add_rows_keeps_cursor_and_scroll() -> None:
    app = Host(news_rows(30))
    async with app.run_test(size=(70, 12)) as pilot:
        await pilot.press("end")
        await pilot.pause()
        table = app.table
        before = (table.cursor_row, table.scroll_offset, list(app.highlighted), table.rows_set)
        table.add_rows([Row(("", "", "", f"Title {i:03}", "")) for i in range(30, 40)])
        await pilot.pause()
        assert (table.cursor_row, table.scroll_offset) == before[:2]
        assert app.highlighted == before[2]  # nothing moved, nothing posted
        assert table.rows_set == before[3]
        assert table.row_count == 40
        assert_cursor_visible(app)
        await pilot.press("down")
        await pilot.pause()
        assert table.cursor_row == 30
        assert_cursor_visible(app)
        assert "Title 030" in screen_lines(app)[-1]


async def test_add_rows_widens_columns_for_longer_cells() -> None:
    """Column widths follow the rows: the lines already drawn are cut again."""
    app = Host(news_rows(3))
    async with app.run_test(size=(120, 8)) as pilot:
        await pilot.pause()
        assert app.table._widths[2] == 8  # "GP news" is 7 cells; the source's min_width is 8
        app.table.add_rows([Row(("", "", "Pulse Today online", "Later", ""))])
        await pilot.pause()
        assert app.table._widths[2] == len("Pulse Today online")
        assert (
            "GP news" + " " * (len("Pulse Today online") - 7 + GAP) + "Title 000"
            in (screen_lines(app)[1])
        )


async def test_keys_move_the_cursor_and_keep_it_visible() -> None:
    """At 12 lines: a header and 11 rows; a page is 10 rows."""
    app = Host(news_rows(30))
    async with app.run_test(size=(70, 12)) as pilot:
        await pilot.pause()
        app.highlighted.clear()
        table = app.table
        steps = [
            ("down", 1, 0),
            ("down", 2, 0),
            ("pagedown", 12, 2),
            ("pagedown", 22, 12),
            ("end", 29, 19),
            ("pageup", 19, 19),
            ("up", 18, 18),
            ("home", 0, 0),
            ("ctrl+end", 29, 19),
            ("ctrl+home", 0, 0),
        ]
        for key, row, top in steps:
            await pilot.press(key)
            await pilot.pause()
            assert (table.cursor_row, table.scroll_offset.y) == (row, top), key
            assert_cursor_visible(app)
        assert app.highlighted == [row for _, row, _ in steps]
        assert app.controls == [table] * (1 + len(steps))  # the initial RowHighlighted too


@pytest.mark.parametrize(
    ("start", "key", "expected"),
    [
        (0, "up", 0),
        (0, "pageup", 0),
        (0, "home", 0),
        (29, "down", 29),
        (29, "pagedown", 29),
        (25, "pagedown", 29),  # a page down near the end stops at the last row
        (3, "pageup", 0),
    ],
)
async def test_keys_stop_at_the_ends(start: int, key: str, expected: int) -> None:
    app = Host(news_rows(30))
    async with app.run_test(size=(70, 12)) as pilot:
        await pilot.pause()
        app.table.move_cursor(row=start)
        await pilot.pause()
        assert_cursor_visible(app)
        app.highlighted.clear()
        await pilot.press(key)
        await pilot.pause()
        assert app.table.cursor_row == expected
        assert app.highlighted == ([] if expected == start else [expected])
        assert_cursor_visible(app)


async def test_cursor_comes_back_into_view_after_scrolling_away() -> None:
    """Scrolled off with the wheel or scrollbar, the next key brings the cursor back."""
    app = Host(news_rows(30))
    async with app.run_test(size=(70, 12)) as pilot:
        await pilot.pause()
        app.table.scroll_to(y=15, animate=False, immediate=True)
        await pilot.pause()
        assert "Title 000" not in "\n".join(screen_lines(app))
        await pilot.press("down")
        await pilot.pause()
        assert app.table.cursor_row == 1
        assert app.table.scroll_offset.y == 1
        assert_cursor_visible(app)


async def test_enter_selects_the_cursor_row() -> None:
    app = Host(news_rows(5))
    async with app.run_test(size=(70, 12)) as pilot:
        await pilot.pause()
        assert app.highlighted == [0]  # set_rows in on_mount: the cursor on a new row
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.selected == [2]
        assert app.highlighted == [0, 1, 2]
        assert app.controls[-1] is app.table


async def test_click_highlights_a_row_and_a_second_click_selects_it() -> None:
    app = Host(news_rows(30))
    async with app.run_test(size=(70, 12)) as pilot:
        await pilot.pause()
        app.highlighted.clear()
        table = app.table
        assert await pilot.click(table, offset=(20, 3))  # line 3: row 2
        await pilot.pause()
        assert table.cursor_row == 2
        assert (app.highlighted, app.selected) == ([2], [])
        assert await pilot.click(table, offset=(20, 3))
        await pilot.pause()
        assert (app.highlighted, app.selected) == ([2], [2])
        await pilot.press("end")  # scrolled to 19: line 1 is row 19
        await pilot.pause()
        assert await pilot.click(table, offset=(3, 1))
        await pilot.pause()
        assert table.cursor_row == 19
        assert app.highlighted == [2, 29, 19]
        assert app.selected == [2]


async def test_clicks_on_the_header_or_below_the_rows_do_nothing() -> None:
    app = Host(news_rows(3), cursor=1)
    async with app.run_test(size=(70, 10)) as pilot:
        await pilot.pause()
        app.highlighted.clear()
        for offset in [(5, 0), (30, 0), (5, 4), (5, 9)]:  # header; below the last row (3)
            assert await pilot.click(app.table, offset=offset)
            await pilot.pause()
        assert app.table.cursor_row == 1
        assert (app.highlighted, app.selected) == ([], [])


async def test_empty_table_ignores_keys_and_clicks() -> None:
    """Empty at 70 cells: flags 2, Date 12, Source 8 (min_widths), Tags its label's 4 and
    the title its 40 want 75; Tags (min_width 0) gives way first, hidden, and the cell its
    gap frees goes to the title."""
    app = Host()
    async with app.run_test(size=(70, 10)) as pilot:
        await pilot.press("down", "up", "pagedown", "pageup", "end", "home", "enter")
        assert await pilot.click(app.table, offset=(5, 2))
        await pilot.pause()
        assert app.table.row_count == 0
        assert app.table.cursor_row == 0
        assert (app.highlighted, app.selected) == ([], [])
        assert app.table._widths == (2, 12, 8, 41, 0)
        lines = screen_lines(app)
        assert lines[0].split() == ["Date", "Source", "Title"]
        assert all(not line.strip() for line in lines[1:])


async def test_emptied_table_posts_nothing_and_keys_do_nothing() -> None:
    app = Host(news_rows(10), cursor=5)
    async with app.run_test(size=(70, 10)) as pilot:
        await pilot.pause()
        app.table.set_rows([])
        await pilot.pause()
        await pilot.press("down", "end", "enter")
        await pilot.pause()
        assert app.table.cursor_row == 0
        assert (app.highlighted, app.selected) == ([5], [])
        assert all(not line.strip() for line in screen_lines(app)[1:])


async def test_rows_are_drawn_with_cursor_zebra_and_bold_styles() -> None:
    """The cursor row stands out, focused or not; alternate rows are striped; strong
    (unread) rows are bold and only those."""
    app = Host(news_rows(6, strong=lambda i: i in (0, 3)))
    async with app.run_test(size=(70, 10)) as pilot:
        await pilot.pause()
        table = app.table
        assert table.has_focus

        def styles() -> list[Style]:
            return [next(iter(strip)).style or Style() for strip in drawn(table)[1:7]]

        focused = styles()
        assert [bool(style.bold) for style in focused] == [True, False, False, True, False, False]
        assert focused[2].bgcolor != focused[1].bgcolor  # zebra
        assert focused[2].bgcolor == focused[4].bgcolor
        assert focused[0].bgcolor not in {focused[1].bgcolor, focused[2].bgcolor}
        app.set_focus(None)
        await pilot.pause()
        blurred = styles()
        assert blurred[0].bgcolor != focused[0].bgcolor  # the blurred cursor colour
        assert blurred[0].bgcolor not in {blurred[1].bgcolor, blurred[2].bgcolor}


async def test_moving_the_cursor_after_scrolling_redraws_both_rows() -> None:
    """Scrolled to the end (top 19), up moves the cursor from row 29 to 28 without
    scrolling: row 29 is drawn again without the cursor style, row 28 with it. Rows 27
    and 29 share a stripe, so once redrawn row 29 looks just like row 27."""
    app = Host(news_rows(30))
    async with app.run_test(size=(70, 12)) as pilot:
        await pilot.pause()
        table = app.table
        await pilot.press("end")
        await pilot.pause()
        assert (table.cursor_row, table.scroll_offset.y) == (29, 19)

        def bgcolors() -> list[Color | None]:
            """The background on screen of each line below the header (rows 19 to 29)."""
            strips = app.screen._compositor.render_strips()
            return [(next(iter(strip)).style or Style()).bgcolor for strip in strips[1:12]]

        before = bgcolors()
        cursor_bg, stripe_bg = before[29 - 19], before[27 - 19]
        assert cursor_bg != stripe_bg
        await pilot.press("up")
        await pilot.pause()
        assert (table.cursor_row, table.scroll_offset.y) == (28, 19)
        lines = screen_lines(app)
        assert "Title 028" in lines[28 - 19 + 1]
        assert "Title 029" in lines[29 - 19 + 1]
        after = bgcolors()
        assert after[29 - 19] == stripe_bg  # the old cursor row redrawn plain
        assert after[28 - 19] == cursor_bg  # the new one drawn with the cursor
        assert [bg == cursor_bg for bg in after] == [row == 28 for row in range(19, 30)]
        assert app.screen.get_style_at(5, 29 - 19 + 1).bgcolor == stripe_bg
        assert app.screen.get_style_at(5, 28 - 19 + 1).bgcolor == cursor_bg
        for _ in range(3):  # and on up the view, each step redrawing the row left behind
            await pilot.press("up")
        await pilot.pause()
        assert table.scroll_offset.y == 19
        assert [bg == cursor_bg for bg in bgcolors()] == [row == 25 for row in range(19, 30)]


# ----------------------------------------------------------------- resize


async def test_resize_cuts_the_lines_again() -> None:
    title = "Practices in the north east report recruitment of salaried GPs up a third"
    app = Host([Row(("●", "01 Jan 2027", "GP news", title, "workforce"))])
    async with app.run_test(size=(120, 8)) as pilot:
        await pilot.pause()
        assert title in screen_lines(app)[1]
        for width in (70, 50):
            await pilot.resize_terminal(width, 8)
            await pilot.pause()
            line = drawn(app.table)[1].text
            assert cell_len(line) == width
            assert title not in line
            visible = cell_slices(line, app.table._widths)[3]
            assert visible.endswith(ELLIPSIS)
            assert title.startswith(visible[: -len(ELLIPSIS)])
            assert all(cell_len(line) == width for line in screen_lines(app))
        await pilot.resize_terminal(140, 8)
        await pilot.pause()
        assert title in screen_lines(app)[1]
        assert cell_len(drawn(app.table)[1].text) == 140


# ------------------------------------------------------------------- keys

TABLE_KEYS = {"enter", "up", "down", "pageup", "pagedown", "home", "ctrl+home", "end", "ctrl+end"}


async def test_only_the_tables_own_keys_are_bound() -> None:
    """No bindings inherited from ScrollView: left, right and the sideways pages did nothing
    in a table that never scrolls sideways, and the help listed them."""
    assert set(ArticleTable._merged_bindings.key_to_bindings) == TABLE_KEYS
    app = Host(news_rows(30))
    async with app.run_test(size=(70, 12)) as pilot:
        await pilot.pause()
        table = app.table
        assert table.has_focus
        assert set(table._bindings.key_to_bindings) == TABLE_KEYS
        active = app.screen.active_bindings
        assert {key for key, binding in active.items() if binding.node is table} == TABLE_KEYS
        for key in ("left", "right", "ctrl+pageup", "ctrl+pagedown"):
            assert key not in active or active[key].node is not table
        app.highlighted.clear()
        await pilot.press("left", "right", "ctrl+pageup", "ctrl+pagedown")
        await pilot.pause()
        assert (table.cursor_row, table.scroll_offset.x, table.scroll_offset.y) == (0, 0, 0)
        assert app.highlighted == []


# --------------------------------------------------------------- snapshot


def test_snapshot_narrow_with_hostile_wide_and_unread_rows(
    snap_compare: Callable[..., bool],
) -> None:
    """70x12: the hostile title literal, the CJK title cut, row 0 bold, the cursor on row 2.

    68 cells inside the scrollbar: flags 2 (its min_width, though no row has two flags),
    Date 12, Source 8 (its min), Tags (wants 9) hidden with no gap, the title the other 39.
    """
    rows = [
        Row(("●", "01 Jan 2027", "GP news", HOSTILE, "safety"), strong=True),
        Row(("", "02 Jan 2027", "医生招聘 weekly", "医生招聘" * 12, "招聘")),
        Row(("★", "03 Jan 2027", "Pulse", "LMCs urge GP leads to restore dialogue", "")),
        *(
            Row(("", f"{day:02} Jan 2027", "BMA", f"Practice story {day}", "workforce"))
            for day in range(4, 13)
        ),
    ]
    app = Host(rows, cursor=2)

    async def settle(pilot: Pilot[None]) -> None:
        await pilot.pause()
        assert app.table._widths == (2, 12, 8, 39, 0)

    assert snap_compare(app, terminal_size=(70, 12), run_before=settle)
