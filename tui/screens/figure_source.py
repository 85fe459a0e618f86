"""Where one figure came from: the full source, notes and dataset, one key from the table."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from adapters.workforce.metrics import metric
from adapters.workforce.series import Figure
from tui.format import number
from tui.inert import inert


def source_lines(figure: Figure) -> list[tuple[str, str]]:
    source = figure.source
    return [
        ("Figure", f"{metric(figure.metric).label}, {figure.period}, {figure.geography_name}"),
        ("Value", f"{number(figure.value)} {figure.unit}"),
        ("Source", source.title),
        ("Publisher", source.publisher or "—"),
        ("Published", source.published.isoformat() if source.published else "not given"),
        ("Address", source.url or "—"),
        ("Reference", source.reference or "—"),
        ("Notes", figure.notes or "—"),
        ("Dataset", figure.dataset or ("sample record" if figure.sample else "entered by hand")),
    ]


class FigureSourceScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,s,q", "close", "Close")]
    DEFAULT_CSS = """
    FigureSourceScreen { align: center middle; }
    FigureSourceScreen > Vertical {
        width: 80; height: auto; border: round $accent; background: $surface; padding: 0 1;
    }
    FigureSourceScreen .source-label { color: $text-muted; }
    """

    def __init__(self, figure: Figure) -> None:
        super().__init__()
        self._figure = figure

    def compose(self) -> ComposeResult:
        with Vertical():
            for label, value in source_lines(self._figure):
                yield Static(inert(f"{label}:"), classes="source-label")
                yield Static(inert(value))
            yield Static(inert("escape closes"), classes="source-label")

    def action_close(self) -> None:
        self.dismiss(None)
