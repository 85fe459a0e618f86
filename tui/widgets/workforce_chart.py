"""A series against its target: textual-plot's PlotWidget with periods on a year axis.

textual-plot has no date axis, so periods are placed as fractional years
(``period_position``) and the ticks labelled as years. Imported here, not at
start-up: numpy and the hi-res canvas cost ~100 ms nobody needs on Overview.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual_plot import HiResMode, LegendLocation, PlotWidget
from textual_plot.axis_formatter import NumericAxisFormatter

from adapters.text import clean_text
from adapters.workforce.series import Figure, Target, period_position


class YearFormatter(NumericAxisFormatter):
    """Whole years on the x axis, never 2,016.5."""

    def get_ticks(self, min_: float, max_: float, max_ticks: int = 8) -> list[float]:
        first, last = int(min_) + (0 if min_ == int(min_) else 1), int(max_)
        years = list(range(first, last + 1))
        step = max(1, len(years) // max(1, max_ticks - 1) + (1 if len(years) > max_ticks else 0))
        return [float(y) for y in years[::step]]

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        return [str(int(t)) for t in ticks]


class ThousandsFormatter(NumericAxisFormatter):
    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        return [f"{t:,.0f}" if abs(t) >= 100 else f"{t:g}" for t in ticks]


def target_gap(series: Sequence[Figure], target: Target) -> tuple[Figure, float] | None:
    """The last figure up to the deadline and how far it falls short of the target."""
    deadline = period_position(target.deadline)
    best = None
    for figure in series:
        here = period_position(figure.period)
        if here is not None and deadline is not None and here <= deadline:
            best = figure
    if best is None:
        return None
    return best, target.target_value - best.value


class WorkforceChart(PlotWidget):
    """The shown series as a line with its points, each target as a second line."""

    HELP_NAME = "chart"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, allow_pan_and_zoom=False)

    def on_mount(self) -> None:
        self.set_x_formatter(YearFormatter())
        self.set_y_formatter(ThousandsFormatter())
        self.margin_left = 8
        self.margin_bottom = 2
        self.margin_top = 1

    def show(self, label: str, series: Sequence[Figure], targets: Sequence[Target]) -> None:
        self.clear()
        points = [(period_position(f.period), f.value) for f in series]
        placed = [(x, y) for x, y in points if x is not None]
        xs = [x for x, _ in placed]
        ys = [y for _, y in placed]
        if placed:
            self.plot(xs, ys, line_style="bold cyan", hires_mode=HiResMode.BRAILLE,
                      label=clean_text(label))  # fmt: skip
            self.scatter(xs, ys, marker="●", marker_style="cyan")
        for target in targets:
            start = period_position(target.baseline_period)
            end = period_position(target.deadline)
            if start is None or end is None:
                continue
            gap = target_gap(series, target)
            gap_text = (
                f" (gap {gap[1]:,.0f} at {gap[0].period})" if gap is not None else " (no figure)"
            )
            self.plot(
                [start, end],
                [target.baseline_value, target.target_value],
                line_style="yellow",
                hires_mode=HiResMode.BRAILLE,
                label=clean_text(f"target: {target.name}{gap_text}"),
            )
            xs += [start, end]
            ys += [target.baseline_value, target.target_value]
        if xs:
            low, high = min(ys), max(ys)
            pad = (high - low) * 0.1 or max(abs(high) * 0.1, 1.0)
            self.set_xlimits(min(xs) - 0.3, max(xs) + 0.3)
            self.set_ylimits(max(0.0, low - pad), high + pad)
        # No legend: at this size it hides the lines; the screen names them below.
        self.show_legend(LegendLocation.BOTTOMRIGHT, is_visible=False)
