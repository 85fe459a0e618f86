"""The shape shared by screens that list one kind of record in a table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual.app import ComposeResult

from tui.screens.base import GpwatchScreen
from tui.widgets.notice import Notice
from tui.widgets.record_table import RecordTable


class RecordListScreen(GpwatchScreen):
    """A heading, a table of records and a note on what the screen will grow into."""

    HEADING: ClassVar[str]
    TABLE_ID: ClassVar[str]
    COLUMNS: ClassVar[tuple[str, ...]]
    PLANS: ClassVar[str]

    def compose_body(self) -> ComposeResult:
        yield Notice(self.HEADING, heading=True)
        yield RecordTable(self.COLUMNS, id=self.TABLE_ID)
        yield Notice(self.PLANS, id="plans")

    def load(self) -> None:
        self.query_one(f"#{self.TABLE_ID}", RecordTable).show_rows(self.rows())

    def rows(self) -> Iterable[Sequence[object]]:
        """The table's rows, one per record, as plain values (they are made inert)."""
        raise NotImplementedError
