"""What every top-level screen shares: header, footer and a too-small notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from adapters.store import StoreError
from adapters.text import clean_text
from tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from adapters.workspace import Workspace
    from tui.app import GpwatchApp

MIN_WIDTH = 60
MIN_HEIGHT = 15


class GpwatchScreen(Screen[None]):
    """A mode's root screen; subclasses supply :meth:`compose_body` and :meth:`load`.

    Below MIN_WIDTH x MIN_HEIGHT the body is hidden behind a notice instead of
    being squeezed into nonsense; nothing is lost, and it comes back on resize.
    """

    @property
    def gpwatch(self) -> GpwatchApp:
        return cast("GpwatchApp", self.app)

    @property
    def workspace(self) -> Workspace:
        return self.gpwatch.workspace

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="body"):
            yield from self.compose_body()
        yield Static(id="too-small")
        yield KeyFooter(compact=True)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_screen_resume(self) -> None:
        # Sent on first show and on every return, so another process's changes
        # (a cron refresh, reset-sample) appear when the user comes back.
        try:
            self.gpwatch.refresh_status()
            self.load()
        except StoreError as exc:  # a file damaged or made unreadable while we run
            self.notify(
                clean_text(str(exc)),
                title="Could not read your data",
                severity="error",
                timeout=60,
                markup=False,
            )

    def load(self) -> None:
        """Read this screen's data from the repositories into its widgets."""

    def saved_or_said(self, change: str, write: Callable[[], object]) -> object | None:
        """Run one store write and tell the user: "<change>: saved", or why nothing was.

        Returns what ``write`` returned, or None when it was refused (a field's
        validation, a record changed elsewhere, a full disk).
        """
        from adapters.repository import RecordChanged
        from adapters.validation import ValidationError

        try:
            saved = write()
        except (StoreError, ValidationError, RecordChanged, LookupError, ValueError) as exc:
            self.notify(
                clean_text(str(exc)), title=f"{change}: not saved", severity="error", markup=False
            )
            return None
        self.notify(f"{change}: saved", timeout=3)
        return saved

    def on_resize(self) -> None:
        # A class set only when too small, rather than Textual's breakpoints: those
        # add a class on the first resize however large the terminal, which
        # restyles every widget on the screen during start-up.
        width, height = self.size
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(too_small, "-too-small")
        if not too_small:
            return
        self.query_one("#too-small", Static).update(
            f"This terminal is {width}x{height}; gpwatch needs at least "
            f"{MIN_WIDTH}x{MIN_HEIGHT}.\nEnlarge the window: nothing is lost. "
            "Press q to quit."
        )
