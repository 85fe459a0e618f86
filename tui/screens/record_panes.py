"""What Campaigns and Pledges share: a filtered, sorted table beside a detail pane.

Correspondence set the house style (filter as you type, sort by any column, a
status line, "saved" or why not, delete with confirm and undo). Campaigns and
Pledges behave the same way, so the behaviour lives here once and the two
screens supply only their columns, their detail and their forms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Input, Static

from adapters.dates import local_date
from adapters.repository import Model, RecordRepository
from adapters.text import clean_text
from tui.inert import inert
from tui.screens.base import GpwatchScreen
from tui.screens.confirm import ConfirmScreen
from tui.widgets.notice import Notice
from tui.widgets.record_table import RecordTable

R = TypeVar("R", bound=Model)


def common_bindings(noun: str) -> list[BindingType]:
    """The keys every record screen has; each screen puts its own before them."""
    return [
        Binding("d", "delete", "Delete", tooltip=f"Delete the {noun} (asks first; u undoes)"),
        Binding("u", "undo", "Undo", tooltip=f"Bring back the last deleted {noun}"),
        Binding("slash", "filter", "Filter", key_display="/", tooltip="Filter as you type"),
        Binding("s", "next_sort", "Sort", tooltip="Sort by the next column (or click a header)"),
        Binding("S", "reverse_sort", "Reverse", show=False, tooltip="Reverse the sort"),
        Binding("escape", "clear_filter", "Clear", show=False, tooltip="Clear the filter"),
    ]


def cut(text: str, width: int) -> str:
    """Keep a table's later columns on screen; the detail pane has the text whole."""
    cleaned = clean_text(text)
    return cleaned if len(cleaned) <= width else cleaned[: width - 1] + "…"


def line(text: Text, value: str, style: str = "") -> None:
    """Append one line of data: inert() turns newlines into spaces, so the break is ours.

    Leading spaces become no-break spaces: Textual drops a wrapped line's
    leading spaces, and the indent is what groups a goal's lines under it.
    """
    stripped = value.lstrip(" ")
    indent = "\u00a0" * (len(value) - len(stripped))
    text.append_text(inert(indent + stripped, style))
    text.append("\n")


class RecordPanesScreen(GpwatchScreen, Generic[R]):
    """A table of one kind of record, its detail, and the changes made to it."""

    NOUN: ClassVar[str]
    PLURAL: ClassVar[str]
    PREFIX: ClassVar[str]  # widget ids: {PREFIX}-filter, -panes, -detail, -status
    TABLE_ID: ClassVar[str]
    HEADING: ClassVar[str]
    COLUMNS: ClassVar[tuple[str, ...]]
    FILTER_HINT: ClassVar[str]
    EMPTY_HINT: ClassVar[str]
    DEFAULT_SORT: ClassVar[int] = 0
    WIDE = 150
    """From this many columns the detail sits beside the table; below, under it,
    where a six-column table and a readable detail would not both fit."""
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-narrow"),
        (WIDE, "-wide"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._records: list[R] = []
        self._shown: list[R] = []
        self._text = ""
        self._sort_column = self.DEFAULT_SORT
        self._sort_reverse = False
        self._deleted: list[R] = []

    def compose_body(self) -> ComposeResult:
        yield Notice(self.HEADING, heading=True)
        yield Input(placeholder=self.FILTER_HINT, id=f"{self.PREFIX}-filter")
        with Horizontal(id=f"{self.PREFIX}-panes"):
            yield RecordTable(self.COLUMNS, id=self.TABLE_ID)
            with VerticalScroll(id=f"{self.PREFIX}-detail"):
                yield Static(id=f"{self.PREFIX}-detail-text")
        yield Static(id=f"{self.PREFIX}-status")

    # ------------------------------------------------------------ what subclasses say

    @property
    def repository(self) -> RecordRepository[R]:
        raise NotImplementedError

    def prepare(self, records: list[R]) -> None:
        """Compute once per load what rows and sorting need (progress, say)."""

    def cells(self, record: R) -> tuple[Text, ...]:
        raise NotImplementedError

    def sort_key(self, column: int, record: R) -> object:
        raise NotImplementedError

    def haystack(self, record: R) -> str:
        raise NotImplementedError

    def detail_text(self, record: R) -> Text:
        raise NotImplementedError

    def label(self, record: R) -> str:
        raise NotImplementedError

    def counts(self) -> list[str]:
        """Extra parts of the status line (how many are behind, say)."""
        return []

    # ------------------------------------------------------------ table and detail

    @property
    def today(self) -> date:
        return local_date(self.workspace.clock())

    def load(self) -> None:
        self._records = self.repository.all()
        self.prepare(self._records)
        self.show_rows()

    def matching(self) -> list[R]:
        text = self._text.casefold()
        rows = [r for r in self._records if not text or text in self.haystack(r).casefold()]
        rows.sort(
            key=lambda r: (self.sort_key(self._sort_column, r), r.id or 0),
            reverse=self._sort_reverse,
        )
        return rows

    def show_rows(self, select: int | None = None) -> None:
        table = self.query_one(f"#{self.TABLE_ID}", RecordTable)
        cursor = table.cursor_row
        table.clear()
        self._shown = self.matching()
        for record in self._shown:
            table.add_row(*self.cells(record))
        if select is not None:
            ids = [r.id for r in self._shown]
            cursor = ids.index(select) if select in ids else cursor
        if self._shown:
            table.move_cursor(row=min(max(cursor, 0), len(self._shown) - 1))
        self._show_status()
        self._show_detail()

    def _show_status(self) -> None:
        parts = [f"{len(self._shown)} of {len(self._records)} {self.PLURAL}", *self.counts()]
        parts.append(
            f"sorted by {self.COLUMNS[self._sort_column] or 'sample'}"
            + (" (reversed)" if self._sort_reverse else "")
        )
        if self._text:
            parts.append(f"filter: {self._text}")
        if self._deleted:
            parts.append("u undoes the delete")
        self.query_one(f"#{self.PREFIX}-status", Static).update(inert(" · ".join(parts)))

    def current(self) -> R | None:
        row = self.query_one(f"#{self.TABLE_ID}", RecordTable).cursor_row
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def _show_detail(self) -> None:
        detail = self.query_one(f"#{self.PREFIX}-detail-text", Static)
        record = self.current()
        if record is None:
            detail.update(inert(f"No {self.PLURAL} match." if self._records else self.EMPTY_HINT))
            return
        detail.update(self.detail_text(record))

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        if event.column_index == self._sort_column:
            self._sort_reverse = not self._sort_reverse
        else:
            self._sort_column, self._sort_reverse = event.column_index, False
        self.show_rows()

    # ------------------------------------------------------------ filter and sort

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        if event.input.id == f"{self.PREFIX}-filter":
            self._text = event.value
            self.show_rows()

    @on(Input.Submitted)
    def _filter_done(self, event: Input.Submitted) -> None:
        if event.input.id == f"{self.PREFIX}-filter":
            self.query_one(f"#{self.TABLE_ID}").focus()

    def action_filter(self) -> None:
        box = self.query_one(f"#{self.PREFIX}-filter", Input)
        box.add_class("-open")
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one(f"#{self.PREFIX}-filter", Input)
        box.value = ""
        box.remove_class("-open")
        self._text = ""
        self.query_one(f"#{self.TABLE_ID}").focus()
        self.show_rows()

    def action_next_sort(self) -> None:
        self._sort_column = (self._sort_column + 1) % len(self.COLUMNS)
        self._sort_reverse = False
        self.show_rows()

    def action_reverse_sort(self) -> None:
        self._sort_reverse = not self._sort_reverse
        self.show_rows()

    # ------------------------------------------------------------ changes

    def highlighted(self) -> R | None:
        """The record the user means, or None after saying there is none."""
        record = self.current()
        if record is None:
            self.notify(f"No {self.NOUN} is highlighted", severity="warning")
        return record

    def save(self, change: str, write: Callable[[], Any]) -> bool:
        """Run a store write, say "saved" or why not, and show the record saved."""
        saved = self.saved_or_said(change, write)
        if saved is None:
            return False
        self.load()
        record_id = getattr(saved, "id", None)
        if record_id is not None:
            self.show_rows(select=record_id)
        return True

    def save_edit(self, change: str, old: R, new: R | None) -> None:
        """Store an edited record unless someone else saved it since the form opened."""
        if new is None:
            return
        if new == old:
            self.notify("Nothing changed", timeout=3)
            return
        repository = self.repository
        self.save(change, lambda: repository.update(new, expected=old))

    def save_new(self, change: str, new: R | None) -> None:
        if new is None:
            return
        repository = self.repository
        self.save(change, lambda: repository.add(new))

    def action_delete(self) -> None:
        record = self.highlighted()
        if record is None or record.id is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            repository = self.repository

            def write() -> R:
                repository.remove(record.id or 0)
                self._deleted.append(record)
                return replace(record, id=None)  # type: ignore[type-var]

            self.save(f"{self.NOUN.capitalize()} deleted (u to undo)", write)

        question = f"Delete the {self.NOUN} {self.label(record)!r}?"
        self.app.push_screen(ConfirmScreen(question, yes="Delete"), answered)

    def action_undo(self) -> None:
        if not self._deleted:
            self.notify("Nothing to undo", timeout=3)
            return
        record = self._deleted[-1]

        def write() -> R:
            restored = self.repository.restore(record)
            self._deleted.pop()
            return restored

        self.save("Delete undone", write)
