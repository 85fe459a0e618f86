"""Chase a letter: the new response date and a note for the history."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from adapters.dates import FORMATS_HELP, parse_date
from adapters.validation import ValidationError
from tui.inert import inert

CHASE_DAYS = 14  # the new deadline offered: two weeks is the usual chasing interval

Chase = tuple[date, str]


class ChaseFormScreen(ModalScreen[Chase | None]):
    """Returns (new due date, note); a date already past is refused beside the field."""

    CSS_PATH = Path(__file__).with_name("dialogs.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, subject: str, today: date) -> None:
        super().__init__()
        self._subject = subject
        self._today = today

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(inert(f"Chase: {self._subject}"), classes="dialog-title")
            yield Label("New response due date")
            suggested = (self._today + timedelta(days=CHASE_DAYS)).isoformat()
            yield Input(suggested, id="chase-due", placeholder=FORMATS_HELP)
            yield Static("", id="chase-due-error", classes="field-error")
            yield Label("Note (how you chased, whom)")
            yield Input("", id="chase-note")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Record chase", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#chase-due", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.save()
        else:
            self.dismiss(None)

    def on_input_submitted(self) -> None:
        self.save()

    def save(self) -> None:
        error = self.query_one("#chase-due-error", Static)
        try:
            due = parse_date(self.query_one("#chase-due", Input).value, "due")
        except ValidationError as exc:
            error.update(inert(exc.message))
            return
        if due < self._today:
            error.update(inert(f"{due:%d %b %Y} has already passed"))
            return
        self.dismiss((due, self.query_one("#chase-note", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
