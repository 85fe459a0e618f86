"""Pick a place of one geography level, searching names and codes as you type.

For PCNs and practices the screen passes only those inside the area the
level was entered from (an ICB's PCNs, a PCN's practices), which is how the
picker goes England -> region -> ICB -> sub-ICB -> PCN -> practice without
listing ~6,300 practices at once; the title says which area it is.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from adapters.workforce.view import LEVEL_TITLES, Place
from tui.inert import inert


class PlacePickerScreen(ModalScreen[Place | None]):
    """Dismisses with the chosen place, or None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    PlacePickerScreen { align: center middle; }
    PlacePickerScreen > Vertical {
        width: 70; height: 20; border: round $accent; background: $surface; padding: 0 1;
    }
    PlacePickerScreen OptionList { height: 1fr; }
    """

    def __init__(self, level: str, places: list[Place], *, within: str | None = None) -> None:
        super().__init__()
        self._level = level
        self._places = places
        self._within = within

    def compose(self) -> ComposeResult:
        with Vertical():
            title = f"Choose a place: {LEVEL_TITLES.get(self._level, self._level)}"
            if self._within:
                title += f" in {self._within}"
            yield Static(inert(f"{title} ({len(self._places)})"))
            yield Input(placeholder="type part of a name or code", id="place-search")
            yield OptionList(id="places")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _matches(self, text: str) -> list[Place]:
        needle = text.strip().lower()
        return [p for p in self._places if needle in p.name.lower() or needle in p.code.lower()]

    def _fill(self, text: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(inert(f"{p.name}  ({p.code})" if p.code != p.name else p.name), id=str(i))
            for i, p in enumerate(self._places)
            if p in self._matches(text)
        )
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            option = options.get_option_at_index(options.highlighted)
            self.dismiss(self._places[int(option.id or 0)])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._places[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
