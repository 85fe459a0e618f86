"""Workforce: published figures, each with its period, place and source."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tui.format import number, sample_mark
from tui.screens.record_list import RecordListScreen


class WorkforceScreen(RecordListScreen):
    TITLE = "Workforce"
    HEADING = "Workforce figures"
    TABLE_ID = "figures"
    COLUMNS = ("Metric", "Period", "Value", "Unit", "Place", "Source", "")
    PLANS = (
        "Coming next: `gpwatch import-workforce FILE.csv` for NHS Digital's General "
        "Practice Workforce CSVs, charts by year and geography, and the targets "
        "promised (5,000 more GPs by 2020) drawn against the figures."
    )

    def rows(self) -> Iterable[Sequence[object]]:
        figures = sorted(self.workspace.figures.all(), key=lambda f: (f.metric, f.period))
        for figure in figures:
            yield (
                figure.metric,
                figure.period,
                number(figure.value),
                figure.unit,
                figure.geography_name,
                figure.source.label(),
                sample_mark(figure.sample),
            )


SCREEN = WorkforceScreen
