"""Add or edit a campaign milestone: a dated event, with the source that reports it."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select, Static

from adapters.records.campaigns import Campaign, Milestone
from tui.format import day
from tui.inert import inert
from tui.screens.record_form import RecordForm

NEW = -1
FIELDS = ("which", "date", "text", "source_url", "source_title")


class MilestoneFormScreen(RecordForm[Campaign]):
    """Returns the campaign with the milestone added or changed."""

    FIELDS = FIELDS
    DIALOG_ID = "milestone-dialog"

    def __init__(self, campaign: Campaign) -> None:
        super().__init__()
        self._campaign = campaign

    def heading(self) -> str:
        return f"Milestones of {self._campaign.name}"

    def _milestone(self, index: int) -> Milestone | None:
        milestones = self._campaign.milestones
        return milestones[index] if 0 <= index < len(milestones) else None

    def compose_fields(self) -> ComposeResult:
        yield Label("Milestone")
        choices = [(inert("a new milestone"), NEW)]
        for index, milestone in enumerate(self._campaign.milestones):
            text = milestone.text if len(milestone.text) <= 50 else milestone.text[:49] + "…"
            choices.append((inert(f"{day(milestone.date)}  {text}"), index))
        yield Select(choices, value=NEW, allow_blank=False, id="which")
        yield Static("", id="which-error", classes="field-error")
        yield from self.date_field("date", "Date", None)
        yield from self.text_field("text", "What happened")
        yield from self.text_field(
            "source_url", "Source web address (optional)", placeholder="https://…"
        )
        yield from self.text_field("source_title", "Source title (optional)")

    @on(Select.Changed, "#which")
    def _chosen(self, event: Select.Changed) -> None:
        """Fill the fields from the milestone chosen, so an edit starts from what is stored."""
        milestone = self._milestone(int(event.value))  # type: ignore[arg-type]
        values = {
            "date": milestone.date.isoformat() if milestone else "",
            "text": milestone.text if milestone else "",
            "source_url": milestone.source_url if milestone else "",
            "source_title": milestone.source_title if milestone else "",
        }
        for name, value in values.items():
            self.query_one(f"#{name}", Input).value = value

    def build(self, errors: dict[str, str]) -> Campaign | None:
        index = int(self.query_one("#which", Select).value)  # type: ignore[arg-type]
        when = self.get_date("date", errors, required=True)
        text = self.required("text", errors)
        source_url = self.get_url("source_url", errors)
        if errors or when is None:
            return None
        milestone = Milestone(when, text, source_url, self.get_text("source_title"))
        old = self._milestone(index)
        if old is None:
            milestones = (*self._campaign.milestones, milestone)
        else:
            milestones = tuple(
                milestone if i == index else m for i, m in enumerate(self._campaign.milestones)
            )
        return replace(self._campaign, milestones=milestones)
