"""A pledge's commitments: add or edit one (c), or set one's delivery status (x).

Both return the whole pledge with the change made through the model, so the
screen saves it against the version it started from.
"""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select, Static

from adapters.records.pledges import COMMITMENT_STATUSES, Commitment, Pledge, set_commitment
from tui.inert import inert
from tui.screens.record_form import RecordForm

NEW = -1
FIELDS = ("which", "text", "status", "evidence")


def _short(text: str, width: int = 56) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _choices(pledge: Pledge) -> list[tuple[object, int]]:
    return [
        (inert(f"{n}. [{c.status}] {_short(c.text)}"), n - 1)
        for n, c in enumerate(pledge.commitments, start=1)
    ]


class CommitmentFormScreen(RecordForm[Pledge]):
    """Add a commitment, or edit one picked from the chooser."""

    FIELDS = FIELDS
    DIALOG_ID = "commitment-dialog"

    def __init__(self, pledge: Pledge) -> None:
        super().__init__()
        self._pledge = pledge

    def heading(self) -> str:
        return f"Commitments of {self._pledge.title}"

    def _commitment(self, index: int) -> Commitment | None:
        items = self._pledge.commitments
        return items[index] if 0 <= index < len(items) else None

    def compose_fields(self) -> ComposeResult:
        yield Label("Commitment")
        yield Select(
            [(inert("a new commitment"), NEW), *_choices(self._pledge)],
            value=NEW,
            allow_blank=False,
            id="which",
        )
        yield Static("", id="which-error", classes="field-error")
        yield from self.text_field("text", "What was promised")
        yield Label("Status")
        yield Select(
            [(s, s) for s in COMMITMENT_STATUSES], value="unknown", allow_blank=False, id="status"
        )
        yield Static("", id="status-error", classes="field-error")
        yield from self.text_field(
            "evidence", "Evidence web address (optional)", placeholder="https://…"
        )

    @on(Select.Changed, "#which")
    def _chosen(self, event: Select.Changed) -> None:
        """Fill the fields from the commitment chosen, so an edit starts from what is stored."""
        item = self._commitment(int(event.value))  # type: ignore[arg-type]
        self.query_one("#text", Input).value = item.text if item else ""
        self.query_one("#evidence", Input).value = item.evidence if item else ""
        self.query_one("#status", Select).value = item.status if item else "unknown"

    def build(self, errors: dict[str, str]) -> Pledge | None:
        index = int(self.query_one("#which", Select).value)  # type: ignore[arg-type]
        text = self.required("text", errors)
        evidence = self.get_url("evidence", errors)
        if errors:
            return None
        item = Commitment(text, str(self.query_one("#status", Select).value), evidence)
        items = self._pledge.commitments
        if self._commitment(index) is None:
            commitments = (*items, item)
        else:
            commitments = tuple(item if i == index else c for i, c in enumerate(items))
        return replace(self._pledge, commitments=commitments)


class CommitmentStatusScreen(RecordForm[Pledge]):
    """Set one commitment's status and, optionally, the link that shows it."""

    FIELDS = ("which", "status", "evidence")
    DIALOG_ID = "commitment-status-dialog"

    def __init__(self, pledge: Pledge) -> None:
        super().__init__()
        self._pledge = pledge

    def heading(self) -> str:
        return f"Delivery of {self._pledge.title}"

    def compose_fields(self) -> ComposeResult:
        items = self._pledge.commitments
        # The first one not yet settled is the likeliest to be updated.
        first = next(
            (i for i, c in enumerate(items) if c.status not in ("delivered", "dropped")), 0
        )
        yield Label("Commitment")
        yield Select(_choices(self._pledge), value=first, allow_blank=False, id="which")
        yield Static("", id="which-error", classes="field-error")
        yield Label("Status")
        yield Select(
            [(s, s) for s in COMMITMENT_STATUSES],
            value=items[first].status,
            allow_blank=False,
            id="status",
        )
        yield Static("", id="status-error", classes="field-error")
        yield from self.text_field(
            "evidence",
            "Evidence web address (optional)",
            items[first].evidence,
            placeholder="https://…",
        )

    @on(Select.Changed, "#which")
    def _chosen(self, event: Select.Changed) -> None:
        item = self._pledge.commitments[int(event.value)]  # type: ignore[arg-type]
        self.query_one("#status", Select).value = item.status
        self.query_one("#evidence", Input).value = item.evidence

    def build(self, errors: dict[str, str]) -> Pledge | None:
        index = int(self.query_one("#which", Select).value)  # type: ignore[arg-type]
        evidence = self.get_url("evidence", errors)
        if errors:
            return None
        status = str(self.query_one("#status", Select).value)
        return set_commitment(self._pledge, index, status, evidence)
