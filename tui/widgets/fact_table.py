"""A static table for a handful of facts: cheaper to build than a DataTable.

The Overview is on the start-up path, and a focusable DataTable there costs
layout, focus and footer refreshes that a few non-interactive rows do not need.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from textual.widgets import Static

from tui.inert import inert


class FactTable(Static):
    """Rows of inert cells, replaced whole by :meth:`show_rows`."""

    DEFAULT_CSS = """
    FactTable { width: auto; height: auto; padding: 0 1; margin: 0 0 1 0; }
    """

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._columns = tuple(columns)
        self.rows: list[tuple[str, ...]] = []

    def show_rows(self, rows: Sequence[Sequence[object]]) -> None:
        table = Table(box=None, pad_edge=False, header_style="bold", expand=False)
        for column in self._columns:
            table.add_column(inert(column))
        cells = [tuple(inert(cell) for cell in row) for row in rows]
        for row in cells:
            table.add_row(*row)
        self.rows = [tuple(cell.plain for cell in row) for row in cells]
        self.update(table)
