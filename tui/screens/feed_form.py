"""Add or rename a feed: inline messages beside each field, nothing saved until valid."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from adapters.news.models import is_http_url

FeedForm = tuple[str, str]


class FeedFormScreen(ModalScreen[FeedForm | None]):
    """Returns (title, url); the URL field is read-only when renaming."""

    CSS_PATH = Path(__file__).with_name("dialogs.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, *, title: str = "", url: str = "", renaming: bool = False) -> None:
        super().__init__()
        self._title = title
        self._url = url
        self._renaming = renaming

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Rename feed" if self._renaming else "Add a feed", classes="dialog-title")
            yield Label("Address (http or https)")
            yield Input(self._url, id="feed-url", disabled=self._renaming)
            yield Static("", id="feed-url-error", classes="field-error")
            yield Label("Name")
            yield Input(self._title, id="feed-title", placeholder="defaults to the address")
            yield Static("", id="feed-title-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#feed-title" if self._renaming else "#feed-url", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.save()
        else:
            self.dismiss(None)

    def on_input_submitted(self) -> None:
        self.save()

    def save(self) -> None:
        url = self.query_one("#feed-url", Input).value.strip()
        title = self.query_one("#feed-title", Input).value.strip()
        url_error = "" if is_http_url(url) else "enter an address starting http:// or https://"
        title_error = "" if len(title) <= 300 else "at most 300 characters"
        self.query_one("#feed-url-error", Static).update(url_error)
        self.query_one("#feed-title-error", Static).update(title_error)
        if not (url_error or title_error):
            self.dismiss((title or url, url))

    def action_cancel(self) -> None:
        self.dismiss(None)
