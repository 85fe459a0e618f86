"""Campaigns: who leads them, who backs them, and how far they have got."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.format import day, sample_mark
from tui.screens.base import GpwatchScreen
from tui.widgets.notice import Notice
from tui.widgets.record_table import RecordTable


class CampaignsScreen(GpwatchScreen):
    TITLE = "Campaigns"

    def compose_body(self) -> ComposeResult:
        yield Notice("Campaigns", heading=True)
        yield RecordTable(
            ("Name", "Kind", "Lead", "Backers", "Status", "Started", ""), id="campaigns"
        )
        yield Notice(
            "Coming next: goals with baselines and targets, measured progress and whether "
            "each campaign is on track, milestones, linked news, and add/edit forms.",
            id="plans",
        )

    def load(self) -> None:
        self.query_one("#campaigns", RecordTable).show_rows(
            (
                campaign.name,
                campaign.kind,
                campaign.lead,
                ", ".join(campaign.backers) or "—",
                campaign.status,
                day(campaign.started),
                sample_mark(campaign.sample),
            )
            for campaign in self.workspace.records.campaigns.all()
        )


SCREEN = CampaignsScreen
