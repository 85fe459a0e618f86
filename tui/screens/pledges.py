"""Pledges: funding promises and how many of their commitments were delivered."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.format import day, gbp, sample_mark
from tui.screens.base import GpwatchScreen
from tui.widgets.notice import Notice
from tui.widgets.record_table import RecordTable


class PledgesScreen(GpwatchScreen):
    TITLE = "Pledges"

    def compose_body(self) -> ComposeResult:
        yield Notice("Funding pledges", heading=True)
        yield RecordTable(
            ("Organisation", "Pledge", "Amount", "From", "Status", "Delivered", ""),
            id="pledges",
        )
        yield Notice(
            "Coming next: each commitment with its delivery status and evidence, and "
            "add/edit forms. Delivered counts commitments recorded as delivered.",
            id="plans",
        )

    def load(self) -> None:
        self.query_one("#pledges", RecordTable).show_rows(
            (
                pledge.organisation,
                pledge.title,
                gbp(pledge.amount_gbp) + (" a year" if pledge.recurrent else ""),
                day(pledge.funded_from),
                pledge.status,
                f"{pledge.commitments_done}/{len(pledge.commitments)}",
                sample_mark(pledge.sample),
            )
            for pledge in self.workspace.records.pledges.all()
        )


SCREEN = PledgesScreen
