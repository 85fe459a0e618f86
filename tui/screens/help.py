"""Help: every key that works where the user pressed ?, from the live bindings."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.widgets.record_table import RecordTable

Row = tuple[str, str, str]


class HelpScreen(ModalScreen[None]):
    """Lists the bindings captured from the screen beneath, so it never goes stale."""

    CSS_PATH = Path(__file__).with_name("help.tcss")

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, title: str, rows: list[Row]) -> None:
        super().__init__()
        self._title = title
        self._rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(f"Keys: {self._title}", id="help-title", markup=False)
            yield RecordTable(("Key", "Does", "Where"), id="help-keys")
            yield Static("escape closes this help", id="help-hint", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(RecordTable)
        table.show_rows(self._rows)
        table.focus()
