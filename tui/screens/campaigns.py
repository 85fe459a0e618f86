"""Campaigns: who leads them, who backs them, and how far they have got."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tui.format import day, sample_mark
from tui.screens.record_list import RecordListScreen


class CampaignsScreen(RecordListScreen):
    TITLE = "Campaigns"
    HEADING = "Campaigns"
    TABLE_ID = "campaigns"
    COLUMNS = ("Name", "Kind", "Lead", "Backers", "Status", "Started", "")
    PLANS = (
        "Coming next: goals with baselines and targets, measured progress and whether "
        "each campaign is on track, milestones, linked news, and add/edit forms."
    )

    def rows(self) -> Iterable[Sequence[object]]:
        for campaign in self.workspace.records.campaigns.all():
            yield (
                campaign.name,
                campaign.kind,
                campaign.lead,
                ", ".join(campaign.backers) or "—",
                campaign.status,
                day(campaign.started),
                sample_mark(campaign.sample),
            )


SCREEN = CampaignsScreen
