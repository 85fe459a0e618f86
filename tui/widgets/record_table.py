"""A read-only table whose every cell is made inert on the way in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.widgets import DataTable

from tui.inert import inert


class RecordTable(DataTable[object]):
    """DataTable filled from plain values: no cell can carry markup or escapes."""

    HELP_NAME = "table"
    DEFAULT_CSS = """
    RecordTable { height: auto; max-height: 1fr; }
    """

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._column_labels = tuple(columns)

    def on_mount(self) -> None:
        self.add_columns(*(inert(label) for label in self._column_labels))

    def show_rows(self, rows: Iterable[Sequence[object]]) -> None:
        """Replace every row, keeping the cursor where it was when it still fits."""
        cursor = self.cursor_row
        self.clear()
        for row in rows:
            self.add_row(*(inert(cell) for cell in row))
        if self.row_count:
            self.move_cursor(row=min(cursor, self.row_count - 1))
