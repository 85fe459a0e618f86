"""Correspondence: LMC letters, their counterparties and where each stands."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tui.format import day, sample_mark
from tui.screens.record_list import RecordListScreen


class CorrespondenceScreen(RecordListScreen):
    TITLE = "Correspondence"
    HEADING = "LMC letters"
    TABLE_ID = "letters"
    COLUMNS = ("Status", "Subject", "Counterparty", "LMCs", "Sent", "Due", "")
    PLANS = (
        "Coming next: add and edit letters (n, e), overdue flags, status history, "
        "chasing, and `gpwatch letters import FILE.csv` for an existing spreadsheet."
    )

    def rows(self) -> Iterable[Sequence[object]]:
        for letter in self.workspace.records.letters.all():
            lmcs = f"{len(letter.lmcs)} LMCs" if len(letter.lmcs) > 2 else ", ".join(letter.lmcs)
            yield (
                letter.status,
                letter.subject,
                letter.counterparty,
                lmcs,
                day(letter.sent),
                day(letter.due),
                sample_mark(letter.sample),
            )


SCREEN = CorrespondenceScreen
