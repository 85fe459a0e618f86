"""Pledges: funding promises and how many of their commitments were delivered."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tui.format import day, gbp, sample_mark
from tui.screens.record_list import RecordListScreen


class PledgesScreen(RecordListScreen):
    TITLE = "Pledges"
    HEADING = "Funding pledges"
    TABLE_ID = "pledges"
    COLUMNS = ("Organisation", "Pledge", "Amount", "From", "Status", "Delivered", "")
    PLANS = (
        "Coming next: each commitment with its delivery status and evidence, and "
        "add/edit forms. Delivered counts commitments recorded as delivered."
    )

    def rows(self) -> Iterable[Sequence[object]]:
        for pledge in self.workspace.records.pledges.all():
            yield (
                pledge.organisation,
                pledge.title,
                gbp(pledge.amount_gbp) + (" a year" if pledge.recurrent else ""),
                day(pledge.funded_from),
                pledge.status,
                f"{pledge.commitments_done}/{len(pledge.commitments)}",
                sample_mark(pledge.sample),
            )


SCREEN = PledgesScreen
