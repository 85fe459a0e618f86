"""The one helper that makes outside text safe to display."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Label, Static

from tui.inert import inert

CLICK = "[@click=app.quit]press me[/]"


def test_markup_is_not_parsed() -> None:
    text = inert(CLICK)
    assert isinstance(text, Text)
    assert text.plain == CLICK
    assert not text.spans


def test_escapes_controls_and_bidi_are_stripped() -> None:
    text = inert("a\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ b\x07c\u202ed\r\ne")
    assert text.plain == "alink bcd e"


def test_newlines_kept_only_when_asked() -> None:
    assert inert("one\ntwo").plain == "one two"
    assert inert("one\ntwo", keep_newlines=True).plain == "one\ntwo"


def test_style_is_ours_not_the_texts() -> None:
    text = inert("[red]x[/red]", style="bold")
    assert text.style == "bold"
    assert text.plain == "[red]x[/red]"


class Shows(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(inert(CLICK), id="static")
        yield Label(inert(CLICK), id="label")


async def test_clicking_inert_text_runs_no_action() -> None:
    app = Shows()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.click("#static", offset=(2, 0))
        await pilot.click("#label", offset=(2, 0))
        await pilot.pause()
        assert app.is_running, "the embedded @click=app.quit must not run"
        assert CLICK in str(app.query_one("#static", Static).render())
