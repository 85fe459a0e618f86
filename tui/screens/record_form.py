"""The shape of every campaign and pledge form: fields, a message beside each, save or cancel.

As on the letter form, everything that can be checked before the model is
built (empty required fields, dates, numbers, links) is checked at once, so
the user sees every problem in one go; the model's own check (the first
problem it meets, named by field) is then shown beside that field. A form
returns a validated record and saves nothing: the screen stores it, so
"saved" and "not saved" are said in one place.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Static, TextArea

from adapters.dates import FORMATS_HELP, parse_optional_date
from adapters.provenance import Source
from adapters.records.checks import bounded_date, http_url, parse_number
from adapters.validation import ValidationError
from tui.inert import inert

T = TypeVar("T")

SOURCE_FIELDS = ("source_title", "source_publisher", "source_published", "source_url")


class RecordForm(ModalScreen[T | None], Generic[T]):
    """A modal form that dismisses with the record built from its fields, or None."""

    CSS_PATH = [Path(__file__).with_name(name) for name in ("dialogs.tcss", "forms.tcss")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close the form; nothing is saved"),
        Binding("ctrl+s", "save", "Save", tooltip="Check every field and save"),
    ]
    FIELDS: ClassVar[tuple[str, ...]] = ()
    """Every field that can carry a message, in the order shown; a model error
    for any other field is shown at the top of the form."""
    DIALOG_ID: ClassVar[str] = "record-dialog"
    SUBMIT_ON_ENTER: ClassVar[bool] = True
    """Enter saves a short form; on a long one it would save half-filled."""

    def heading(self) -> str:
        raise NotImplementedError

    def compose_fields(self) -> ComposeResult:
        raise NotImplementedError

    def build(self, errors: dict[str, str]) -> T | None:
        """The record from the fields; problems found before building go into ``errors``."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog record-dialog", id=self.DIALOG_ID):
            yield Static(inert(self.heading()), classes="dialog-title")
            yield Static("", id="form-error", classes="field-error")
            with VerticalScroll(classes="form-fields"):
                yield from self.compose_fields()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        first = self.query(".form-fields Input, .form-fields Select, .form-fields TextArea")
        if first:
            first.first().focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.dismiss(None)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        if self.SUBMIT_ON_ENTER:
            event.stop()
            self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        errors: dict[str, str] = {}
        record: T | None = None
        try:
            record = self.build(errors)
        except ValidationError as exc:
            errors[self.field_of(exc.field)] = exc.message
        for name in (*self.FIELDS, "form"):
            self.query_one(f"#{name}-error", Static).update(inert(errors.get(name, "")))
        if record is not None and not errors:
            self.dismiss(record)
            return
        first = next((n for n in (*self.FIELDS, "form") if n in errors), "form")
        if first != "form":
            self.query_one(f"#{first}").focus()

    def field_of(self, model_field: str) -> str:
        """The form field a model's message is about: ``goals.metric`` is ``metric`` here."""
        if model_field in self.FIELDS:
            return model_field
        tail = model_field.rsplit(".", 1)[-1]
        if tail in self.FIELDS:
            return tail
        dotted = model_field.replace(".", "_")
        return dotted if dotted in self.FIELDS else "form"

    # ------------------------------------------------------------ composing fields

    @staticmethod
    def text_field(
        name: str,
        label: str,
        value: str = "",
        *,
        placeholder: str = "",
        suggest: tuple[str, ...] = (),
    ) -> ComposeResult:
        yield Label(label)
        suggester = SuggestFromList(suggest, case_sensitive=False) if suggest else None
        yield Input(value, id=name, placeholder=placeholder, suggester=suggester)
        yield Static("", id=f"{name}-error", classes="field-error")

    @staticmethod
    def area_field(name: str, label: str, value: str = "") -> ComposeResult:
        yield Label(label)
        yield TextArea(value, id=name, soft_wrap=True)
        yield Static("", id=f"{name}-error", classes="field-error")

    @classmethod
    def date_field(cls, name: str, label: str, value: date | None) -> ComposeResult:
        yield from cls.text_field(
            name, label, value.isoformat() if value else "", placeholder=FORMATS_HELP
        )

    @classmethod
    def source_fields(cls, source: Source | None) -> ComposeResult:
        yield Static("Source (where this comes from)", classes="form-section")
        yield from cls.text_field("source_title", "Title", source.title if source else "")
        yield from cls.text_field(
            "source_publisher", "Publisher (optional)", source.publisher if source else ""
        )
        yield from cls.date_field(
            "source_published", "Published (optional)", source.published if source else None
        )
        yield from cls.text_field(
            "source_url",
            "Web address (optional)",
            source.url if source else "",
            placeholder="https://…",
        )

    # ------------------------------------------------------------ reading fields

    def get_text(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    def get_area(self, name: str) -> str:
        return self.query_one(f"#{name}", TextArea).text.strip()

    def required(self, name: str, errors: dict[str, str], message: str = "") -> str:
        value = self.get_text(name)
        if not value:
            errors[name] = message or "must not be empty"
        return value

    def get_number(
        self, name: str, errors: dict[str, str], *, required: bool = True
    ) -> float | None:
        """A typed number (``5,000`` too), or None after putting the reason in ``errors``."""
        typed = self.get_text(name)
        if not typed:
            if required:
                errors[name] = "a number is needed, e.g. 5,000"
            return None
        try:
            return parse_number(typed, name)
        except ValidationError as exc:
            errors[name] = exc.message
            return None

    def get_date(self, name: str, errors: dict[str, str], *, required: bool = False) -> date | None:
        try:
            value = bounded_date(parse_optional_date(self.get_text(name), name), name)
        except ValidationError as exc:
            errors[name] = exc.message
            return None
        if value is None and required:
            errors[name] = f"a date is needed; {FORMATS_HELP}"
        return value

    def get_url(self, name: str, errors: dict[str, str]) -> str:
        try:
            return http_url(self.get_text(name), name)
        except ValidationError as exc:
            errors[name] = exc.message
            return ""

    def get_source(self, errors: dict[str, str]) -> Source | None:
        """The source typed in, None when every source field is empty."""
        title = self.get_text("source_title")
        publisher = self.get_text("source_publisher")
        published = self.get_date("source_published", errors)
        url = self.get_url("source_url", errors)
        if not title:
            if publisher or published or url:
                errors["source_title"] = "give the source's title (or clear the source fields)"
            return None
        return Source(title=title, publisher=publisher, published=published, url=url)


def split_list(text: str) -> tuple[str, ...]:
    """Names typed on one line separated by ';' (commas belong inside names)."""
    return tuple(part.strip() for part in text.split(";") if part.strip())


def parse_ids(text: str, field: str, errors: dict[str, str]) -> tuple[int, ...]:
    """Record ids typed as ``3, 7`` or ``3 7``."""
    ids: list[int] = []
    for part in text.replace(",", " ").split():
        if not part.isascii() or not part.isdigit() or int(part) < 1:
            errors[field] = f"{part!r} is not a record id (a whole number from 1)"
            return ()
        ids.append(int(part))
    return tuple(ids)
