"""The gpwatch App: modes for the six screens, global keys, palette and help."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

from adapters.store import Recovery, StoreError
from adapters.text import clean_text
from adapters.workspace import Workspace
from tui.screens import SCREENS

if TYPE_CHECKING:
    from tui.screens.help import Row


def lazy_screen(mode: str) -> Callable[[], Screen[None]]:
    """A mode's screen, imported when first shown: only Overview is on the start-up path."""

    def make() -> Screen[None]:
        module = importlib.import_module(f"tui.screens.{mode}")
        return cast("Screen[None]", module.SCREEN())

    return make


def display_path(path: Path) -> str:
    """The data dir as the user would type it: ~ for their home."""
    home = Path.home()
    try:
        return "~" + os.sep + str(path.relative_to(home))
    except ValueError:
        return str(path)


class GpwatchApp(App[None]):
    """The dashboard, given an opened Workspace so tests can inject a temp data dir."""

    # Absolute, so subclasses defined elsewhere (tests, bench) still find it.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "gpwatch"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[None]]]] = {  # type: ignore[assignment]
        entry.mode: lazy_screen(entry.mode) for entry in SCREENS
    }
    DEFAULT_MODE = "overview"
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(
                entry.key,
                f"switch_mode('{entry.mode}')",
                entry.title,
                tooltip=f"{entry.title} screen: {entry.purpose}",
                id=entry.mode,
            )
            for entry in SCREENS
        ),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="List every key here"),
        Binding("q", "quit", "Quit", tooltip="Quit gpwatch (everything is already saved)"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.sample_loaded = False  # set by refresh_status when the first screen shows
        self._reported: list[Recovery] = []

    def on_mount(self) -> None:
        self.report_recoveries()

    def report_recoveries(self) -> None:
        """Say once about each file moved aside (news.json may be found corrupt later)."""
        for recovery in self.workspace.recoveries:
            if recovery in self._reported:
                continue
            self._reported.append(recovery)
            self.notify(
                clean_text(recovery.message),
                title="A data file was damaged",
                severity="error",
                timeout=120,
                markup=False,
            )

    def refresh_status(self) -> None:
        """Re-read whether sample data is loaded and show it with the data dir.

        On a large data dir not read yet, the answer comes from a thread: the
        first screen must not wait for records.json to be parsed.
        """
        self.report_recoveries()
        loaded = self.workspace.sample_loaded_if_cheap()
        if loaded is None:
            self._show_status(None)
            self.call_after_refresh(self._sample_in_background)  # after the first paint
        else:
            self._show_status(loaded)

    @work(thread=True, exclusive=True, group="sample-status", exit_on_error=False)
    def _sample_in_background(self) -> None:
        try:
            loaded = self.workspace.sample_loaded
        except StoreError:
            return  # the screen reading the same file says why
        self.call_from_thread(self._show_status, loaded)
        self.call_from_thread(self.report_recoveries)

    def _show_status(self, loaded: bool | None) -> None:
        if loaded is not None:
            self.sample_loaded = loaded
        state = {True: "sample data loaded", False: "no sample data", None: "reading data…"}
        self.sub_title = f"{clean_text(display_path(self.workspace.data_dir))} · {state[loaded]}"

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for entry in SCREENS:
            yield SystemCommand(
                f"{entry.title} screen",
                f"{entry.purpose} (key {entry.key})",
                partial(self.switch_mode, entry.mode),
            )
        yield SystemCommand("Help: list keys", "every key on this screen (key ?)", self.action_help)
        yield from super().get_system_commands(screen)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen  # a DataTable: not on the start-up path

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen.title or "gpwatch", self.binding_rows(self.screen)))

    def binding_rows(self, screen: Screen[object]) -> list[Row]:
        """Every active binding of the screen, its focused widget and the app."""
        rows: list[Row] = []
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            key = self.get_key_display(binding)
            if key in seen:
                continue
            seen.add(key)
            does = binding.tooltip or binding.description or binding.action
            rows.append((key, does, self._where(active.node)))
        # The keys that work everywhere first: they are what a newcomer needs.
        return sorted(rows, key=lambda row: (row[2] != "everywhere", row[2] != "this screen"))

    def _where(self, node: DOMNode) -> str:
        if node is self:
            return "everywhere"
        if isinstance(node, Screen):
            return "this screen"
        return str(getattr(node, "HELP_NAME", type(node).__name__))
