"""Explanatory text written by us: what a screen holds and how to fill it."""

from __future__ import annotations

from textual.widgets import Static


class Notice(Static):
    """A paragraph of gpwatch's own words (never data: data goes through inert)."""

    DEFAULT_CSS = """
    Notice { padding: 0 1; margin: 0 0 1 0; color: $text-muted; }
    Notice.-heading { color: $text; text-style: bold; margin: 1 0 0 0; }
    """

    def __init__(self, text: str, *, heading: bool = False, id: str | None = None) -> None:
        super().__init__(text, markup=False, id=id, classes="-heading" if heading else "")
