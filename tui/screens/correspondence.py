"""Correspondence: LMC letters, their counterparties and where each stands."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.format import day, sample_mark
from tui.screens.base import GpwatchScreen
from tui.widgets.notice import Notice
from tui.widgets.record_table import RecordTable


class CorrespondenceScreen(GpwatchScreen):
    TITLE = "Correspondence"

    def compose_body(self) -> ComposeResult:
        yield Notice("LMC letters", heading=True)
        yield RecordTable(
            ("Status", "Subject", "Counterparty", "LMCs", "Sent", "Due", ""), id="letters"
        )
        yield Notice(
            "Coming next: add and edit letters (n, e), overdue flags, status history, "
            "chasing, and `gpwatch letters import FILE.csv` for an existing spreadsheet.",
            id="plans",
        )

    def load(self) -> None:
        self.query_one("#letters", RecordTable).show_rows(
            (
                letter.status,
                letter.subject,
                letter.counterparty,
                f"{len(letter.lmcs)} LMCs" if len(letter.lmcs) > 2 else ", ".join(letter.lmcs),
                day(letter.sent),
                day(letter.due),
                sample_mark(letter.sample),
            )
            for letter in self.workspace.records.letters.all()
        )


SCREEN = CorrespondenceScreen
