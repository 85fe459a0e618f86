"""Add or edit a letter: every field checked on save, each message beside its field.

The form returns a validated :class:`Letter` (history untouched); the screen
stores it, so the history entries and the "saved" message live in one place.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, SelectionList, Static, TextArea

from adapters.dates import FORMATS_HELP, parse_optional_date
from adapters.records.letters import (
    COUNTERPARTY_SUGGESTIONS,
    LETTER_DIRECTIONS,
    LETTER_STATUSES,
    Letter,
)
from adapters.validation import ValidationError
from tui.inert import inert

DATE_FIELDS = ("sent", "acknowledged", "due", "responded", "closed")
TEXT_FIELDS = ("subject", "reference", "counterparty", "contact", "outcome", "tags")
# Every field that can carry a message; a ValidationError for any other name
# (a nested or whole-record problem) is shown at the top of the form.
FIELDS = (*TEXT_FIELDS, "direction", "status", "lmcs", *DATE_FIELDS, "summary", "asks")


class LetterFormScreen(ModalScreen[Letter | None]):
    """Returns the letter as entered (with the edited letter's id and history), or None."""

    CSS_PATH = Path(__file__).with_name("dialogs.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(
        self, lmc_names: tuple[str, ...], letter: Letter | None = None, *, response_days: int = 28
    ) -> None:
        super().__init__()
        self._letter = letter
        self._response_days = response_days
        chosen = letter.lmcs if letter else ()
        self._lmc_names = tuple(dict.fromkeys((*lmc_names, *chosen)))

    def compose(self) -> ComposeResult:
        letter = self._letter
        chosen = letter.lmcs if letter else ()
        with Vertical(classes="dialog", id="letter-dialog"):
            title = f"Edit letter #{letter.id}" if letter else "Add a letter"
            yield Static(title, classes="dialog-title")
            yield Static("", id="form-error", classes="field-error")
            with VerticalScroll(id="letter-fields"):
                yield from self._text("subject", "Subject", letter.subject if letter else "")
                yield from self._text(
                    "reference", "Reference (optional)", _get(letter, "reference")
                )
                yield Label("Direction")
                yield Select(
                    [(d, d) for d in LETTER_DIRECTIONS],
                    value=letter.direction if letter else "outgoing",
                    allow_blank=False,
                    id="direction",
                )
                yield Static("", id="direction-error", classes="field-error")
                yield from self._text(
                    "counterparty",
                    "Counterparty (BMA GPC, NHS England, an ICB, an MP…)",
                    _get(letter, "counterparty"),
                    suggest=COUNTERPARTY_SUGGESTIONS,
                )
                yield from self._text("contact", "Contact (optional)", _get(letter, "contact"))
                yield Label("LMCs (space to tick; at least one)")
                yield SelectionList[str](
                    *[(inert(name), name, name in chosen) for name in self._lmc_names],
                    id="lmcs",
                )
                yield Static("", id="lmcs-error", classes="field-error")
                yield Label("Status")
                yield Select(
                    [(s, s) for s in LETTER_STATUSES],
                    value=letter.status if letter else "draft",
                    allow_blank=False,
                    id="status",
                )
                yield Static("", id="status-error", classes="field-error")
                for name in DATE_FIELDS:
                    label = f"{name.capitalize()} date"
                    if name == "due":
                        label = f"Response due (blank: sent + {self._response_days} days)"
                    value = getattr(letter, name) if letter else None
                    yield from self._text(
                        name, label, value.isoformat() if value else "", placeholder=FORMATS_HELP
                    )
                yield Label("Summary")
                yield TextArea(_get(letter, "summary"), id="summary", soft_wrap=True)
                yield Static("", id="summary-error", classes="field-error")
                yield Label("Asks (one per line)")
                yield TextArea("\n".join(letter.asks) if letter else "", id="asks")
                yield Static("", id="asks-error", classes="field-error")
                yield from self._text("outcome", "Outcome", _get(letter, "outcome"))
                yield from self._text(
                    "tags", "Tags (separated by ;)", "; ".join(letter.tags) if letter else ""
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    @staticmethod
    def _text(
        name: str,
        label: str,
        value: str,
        *,
        placeholder: str = "",
        suggest: tuple[str, ...] = (),
    ) -> ComposeResult:
        yield Label(label)
        suggester = SuggestFromList(suggest, case_sensitive=False) if suggest else None
        yield Input(value, id=name, placeholder=placeholder, suggester=suggester)
        yield Static("", id=f"{name}-error", classes="field-error")

    def on_mount(self) -> None:
        self.query_one("#subject", Input).focus()
        lmcs = self.query_one("#lmcs", SelectionList)
        if lmcs.option_count:
            lmcs.highlighted = 0  # so space ticks the first LMC as soon as the list is reached

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        errors: dict[str, str] = {}
        values = self._values(errors)
        letter: Letter | None = None
        if not errors:
            try:
                if self._letter is None:
                    letter = Letter(**values)
                else:
                    letter = replace(self._letter, **values)
            except ValidationError as exc:
                errors[exc.field if exc.field in FIELDS else "form"] = exc.message
        for name in (*FIELDS, "form"):
            self.query_one(f"#{name}-error", Static).update(inert(errors.get(name, "")))
        if letter is not None:
            self.dismiss(letter)
        else:  # take the user to the first field with a message
            first = next(name for name in (*FIELDS, "form") if name in errors)
            if first != "form":
                self.query_one(f"#{first}").focus()

    def _values(self, errors: dict[str, str]) -> dict[str, Any]:
        """The form's fields as model values; unparseable dates go into ``errors``."""

        def text(name: str) -> str:
            return self.query_one(f"#{name}", Input).value.strip()

        values: dict[str, Any] = {name: text(name) for name in TEXT_FIELDS if name != "tags"}
        values["tags"] = tuple(t.strip() for t in text("tags").split(";") if t.strip())
        values["direction"] = self.query_one("#direction", Select).value
        values["status"] = self.query_one("#status", Select).value
        # Ticked names keep the letter's own order (the list's order would show
        # as an edit in the history); newly ticked ones follow in list order.
        ticked = self.query_one("#lmcs", SelectionList).selected
        before = self._letter.lmcs if self._letter else ()
        values["lmcs"] = tuple(
            [n for n in before if n in ticked] + [n for n in ticked if n not in before]
        )
        for name in DATE_FIELDS:
            try:
                values[name] = parse_optional_date(text(name), name)
            except ValidationError as exc:
                errors[name] = exc.message
        values["summary"] = self.query_one("#summary", TextArea).text.strip()
        asks = self.query_one("#asks", TextArea).text.splitlines()
        values["asks"] = tuple(a.strip() for a in asks if a.strip())
        # The model stops at its first problem; these are told all at once.
        for name, message in (
            ("subject", "must not be empty"),
            ("counterparty", "must not be empty: who the letter is to or from"),
            ("lmcs", "tick at least one LMC"),
        ):
            if not values[name]:
                errors[name] = message
        sent: date | None = values.get("sent")
        if values.get("due") is None and sent is not None and "due" not in errors:
            from adapters.records.overdue import default_due

            values["due"] = default_due(sent, self._response_days)
        return values


def _get(letter: Letter | None, name: str) -> str:
    return str(getattr(letter, name)) if letter is not None else ""
