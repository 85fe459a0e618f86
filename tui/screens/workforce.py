"""Workforce: published figures, each with its period, place and source."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.format import number, sample_mark
from tui.screens.base import GpwatchScreen
from tui.widgets.notice import Notice
from tui.widgets.record_table import RecordTable


class WorkforceScreen(GpwatchScreen):
    TITLE = "Workforce"

    def compose_body(self) -> ComposeResult:
        yield Notice("Workforce figures", heading=True)
        yield RecordTable(
            ("Metric", "Period", "Value", "Unit", "Place", "Source", ""), id="figures"
        )
        yield Notice(
            "Coming next: `gpwatch import-workforce FILE.csv` for NHS Digital's General "
            "Practice Workforce CSVs, charts by year and geography, and the targets "
            "promised (5,000 more GPs by 2020) drawn against the figures.",
            id="plans",
        )

    def load(self) -> None:
        figures = sorted(self.workspace.figures.all(), key=lambda f: (f.metric, f.period))
        self.query_one("#figures", RecordTable).show_rows(
            (
                figure.metric,
                figure.period,
                number(figure.value),
                figure.unit,
                figure.geography_name,
                figure.source.label(),
                sample_mark(figure.sample),
            )
            for figure in figures
        )


SCREEN = WorkforceScreen
