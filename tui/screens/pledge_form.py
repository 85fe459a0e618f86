"""Add or edit a pledge's own fields; its commitments have their own form (c, x)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Checkbox, Label, Select, Static

from adapters.records.pledges import PLEDGE_STATUSES, Pledge
from tui.screens.record_form import SOURCE_FIELDS, RecordForm

FIELDS = (
    "organisation",
    "title",
    "amount_gbp",
    "recurrent",
    "funded_from",
    "announced",
    "status",
    "commitments_announced",
    "summary",
    "notes",
    *SOURCE_FIELDS,
)


class PledgeFormScreen(RecordForm[Pledge]):
    """Returns the pledge as entered (an edited one keeps its id and commitments)."""

    FIELDS = FIELDS
    DIALOG_ID = "pledge-dialog"
    SUBMIT_ON_ENTER = False

    def __init__(self, pledge: Pledge | None = None) -> None:
        super().__init__()
        self._pledge = pledge

    def heading(self) -> str:
        p = self._pledge
        return f"Edit pledge #{p.id}: {p.title}" if p else "Add a pledge"

    def compose_fields(self) -> ComposeResult:
        p = self._pledge
        yield from self.text_field(
            "organisation", "Organisation (who pledged)", p.organisation if p else ""
        )
        yield from self.text_field("title", "Title (what the money is for)", p.title if p else "")
        yield from self.text_field(
            "amount_gbp",
            "Amount in pounds (optional: 10,000,000 or 10m)",
            f"{p.amount_gbp:,}" if p and p.amount_gbp is not None else "",
        )
        yield Checkbox(
            "Recurrent: the amount is a year", p.recurrent if p else False, id="recurrent"
        )
        yield Static("", id="recurrent-error", classes="field-error")
        yield from self.date_field(
            "funded_from", "Funded from (optional)", p.funded_from if p else None
        )
        yield from self.date_field("announced", "Announced (optional)", p.announced if p else None)
        yield Label("Status")
        yield Select(
            [(s, s) for s in PLEDGE_STATUSES],
            value=p.status if p else "announced",
            allow_blank=False,
            id="status",
        )
        yield Static("", id="status-error", classes="field-error")
        announced = p.commitments_announced if p else None
        yield from self.text_field(
            "commitments_announced",
            "Commitments announced (optional: when the source lists fewer than it announced)",
            "" if announced is None else str(announced),
        )
        yield from self.area_field("summary", "Summary", p.summary if p else "")
        yield from self.area_field(
            "notes", "Notes (what the source left out)", p.notes if p else ""
        )
        yield from self.source_fields(p.source if p else None)

    def _amount(self, errors: dict[str, str]) -> int | None:
        """Whole pounds; ``£10m`` and ``1.5m`` are read as people write them."""
        typed = self.get_text("amount_gbp").replace("£", "").replace(" ", "")
        if not typed:
            return None
        scale = 1
        if typed[-1:].lower() in ("m", "k"):
            scale = 1_000_000 if typed[-1].lower() == "m" else 1_000
            typed = typed[:-1]
        from adapters.records.checks import parse_number
        from adapters.validation import ValidationError

        try:
            value = parse_number(typed, "amount_gbp") * scale
        except ValidationError:
            errors["amount_gbp"] = (
                f"{self.get_text('amount_gbp')!r} is not a sum of pounds (e.g. 10,000,000 or 10m)"
            )
            return None
        if value < 0 or not float(value).is_integer():
            errors["amount_gbp"] = "must be a whole number of pounds, 0 or more"
            return None
        return int(value)

    def build(self, errors: dict[str, str]) -> Pledge | None:
        announced_text = self.get_text("commitments_announced")
        commitments_announced: int | None = None
        if announced_text:
            if announced_text.isascii() and announced_text.isdigit():
                commitments_announced = int(announced_text)
            else:
                errors["commitments_announced"] = "must be a whole number, or empty"
        values: dict[str, Any] = {
            "organisation": self.required("organisation", errors),
            "title": self.required("title", errors),
            "amount_gbp": self._amount(errors),
            "recurrent": self.query_one("#recurrent", Checkbox).value,
            "funded_from": self.get_date("funded_from", errors),
            "announced": self.get_date("announced", errors),
            "status": self.query_one("#status", Select).value,
            "commitments_announced": commitments_announced,
            "summary": self.get_area("summary"),
            "notes": self.get_area("notes"),
            "source": self.get_source(errors),
        }
        if errors:
            return None
        if self._pledge is None:
            return Pledge(**values)
        return replace(self._pledge, **values)
