"""Add or edit a campaign's own fields; goals and milestones have their own forms.

Goals and milestones are edited one at a time (g, m, v on the Campaigns
screen) because each carries several values and its own checks; crowding them
into this form would make one typo in a goal block saving the campaign.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Label, Select, Static

from adapters.records.campaigns import (
    CAMPAIGN_KINDS,
    CAMPAIGN_STATUSES,
    CHANNEL_SUGGESTIONS,
    Campaign,
)
from tui.screens.record_form import SOURCE_FIELDS, RecordForm, parse_ids, split_list

FIELDS = (
    "name",
    "kind",
    "lead",
    "backers",
    "status",
    "started",
    "ends",
    "audience",
    "channels",
    "summary",
    "articles",
    "letters",
    "notes",
    *SOURCE_FIELDS,
)


class CampaignFormScreen(RecordForm[Campaign]):
    """Returns the campaign as entered (an edited one keeps its id, goals and milestones)."""

    FIELDS = FIELDS
    DIALOG_ID = "campaign-dialog"
    SUBMIT_ON_ENTER = False

    def __init__(self, campaign: Campaign | None = None) -> None:
        super().__init__()
        self._campaign = campaign

    def heading(self) -> str:
        c = self._campaign
        return f"Edit campaign #{c.id}: {c.name}" if c else "Add a campaign"

    def compose_fields(self) -> ComposeResult:
        c = self._campaign
        yield from self.text_field("name", "Name", c.name if c else "")
        yield Label("Kind")
        yield Select(
            [(k, k) for k in CAMPAIGN_KINDS],
            value=c.kind if c else "recruitment",
            allow_blank=False,
            id="kind",
        )
        yield Static("", id="kind-error", classes="field-error")
        yield from self.text_field(
            "lead", "Lead organisation (RCGP, BMA, HEE…)", c.lead if c else ""
        )
        yield from self.text_field(
            "backers", "Backers (separated by ;)", "; ".join(c.backers) if c else ""
        )
        yield Label("Status")
        yield Select(
            [(s, s) for s in CAMPAIGN_STATUSES],
            value=c.status if c else "active",
            allow_blank=False,
            id="status",
        )
        yield Static("", id="status-error", classes="field-error")
        yield from self.date_field("started", "Started (optional)", c.started if c else None)
        yield from self.date_field("ends", "Ends (optional)", c.ends if c else None)
        yield from self.text_field(
            "audience", "Audience (whom it addresses)", c.audience if c else ""
        )
        yield from self.text_field(
            "channels",
            "Channels (separated by ;)",
            "; ".join(c.channels) if c else "",
            placeholder="; ".join(CHANNEL_SUGGESTIONS[:4]),
        )
        yield from self.area_field("summary", "Summary (what it is)", c.summary if c else "")
        yield from self.text_field(
            "articles",
            "Linked news article ids (optional, e.g. 3, 7)",
            ", ".join(str(i) for i in c.articles) if c else "",
        )
        yield from self.text_field(
            "letters",
            "Linked letter ids (optional)",
            ", ".join(str(i) for i in c.letters) if c else "",
        )
        yield from self.area_field(
            "notes", "Notes (on the record: what the source left out)", c.notes if c else ""
        )
        yield from self.source_fields(c.source if c else None)

    def build(self, errors: dict[str, str]) -> Campaign | None:
        values: dict[str, Any] = {
            "name": self.required("name", errors),
            "kind": self.query_one("#kind", Select).value,
            "lead": self.required("lead", errors, "must not be empty: who runs the campaign"),
            "backers": split_list(self.get_text("backers")),
            "status": self.query_one("#status", Select).value,
            "started": self.get_date("started", errors),
            "ends": self.get_date("ends", errors),
            "audience": self.get_text("audience"),
            "channels": split_list(self.get_text("channels")),
            "summary": self.get_area("summary"),
            "articles": parse_ids(self.get_text("articles"), "articles", errors),
            "letters": parse_ids(self.get_text("letters"), "letters", errors),
            "notes": self.get_area("notes"),
            "source": self.get_source(errors),
        }
        started, ends = values["started"], values["ends"]
        if started and ends and ends < started and "ends" not in errors:
            errors["ends"] = "is before the campaign started"
        if errors:
            return None
        if self._campaign is None:
            return Campaign(**values)
        return replace(self._campaign, **values)
