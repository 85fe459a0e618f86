"""Progress drawn with text: a bar for a table cell, a sparkline for a detail pane.

Text rather than widgets because a DataTable cell and a Static's Text can only
hold characters, and a hundred campaigns each with a Sparkline widget would
cost a layout pass per goal on every keystroke of the filter.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

BLOCKS = "▁▂▃▄▅▆▇█"

VERDICT_STYLES = {
    "behind": "bold red",
    "missed": "bold red",
    "on track": "green",
    "achieved": "bold green",
    "no data": "dim",
}
"""Red for what needs someone's attention, green for what does not, so a glance
down the table finds the campaigns in trouble."""


def verdict_text(verdict: str) -> Text:
    """A verdict as a styled cell; the verdicts are our own words, never data."""
    return Text(verdict, style=VERDICT_STYLES.get(verdict, ""), end="")


def bar(fraction: float | None, width: int = 6) -> Text:
    """``███░░░ 52%``; a dash without a measured value (0% would claim one)."""
    if fraction is None:
        return Text("—", style="dim", end="")
    held = min(1.0, max(0.0, fraction))
    filled = round(held * width)
    text = Text(end="")
    text.append("█" * filled, style="green" if held >= 1 else "")
    text.append("░" * (width - filled), style="dim")
    text.append(f" {fraction * 100:.0f}%")
    return text


def sparkline(values: Sequence[float], low: float, high: float) -> str:
    """One block character a value, scaled to ``low..high`` (shared between rows).

    Several rows drawn with the same ``low`` and ``high`` line up, so measured
    values can be read against the path to the target drawn beneath them.
    """
    span = high - low
    out = []
    for value in values:
        level = 0 if span <= 0 else round((value - low) / span * (len(BLOCKS) - 1))
        out.append(BLOCKS[min(len(BLOCKS) - 1, max(0, level))])
    return "".join(out)
