"""What each screen looks like at 100x30 on the sample data; update with --snapshot-update."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from adapters.news.models import Article
from adapters.workspace import Workspace
from tui.app import GpwatchApp
from tui.screens import SCREENS

SIZE = (100, 30)
FIXED_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def app() -> GpwatchApp:
    # Under $HOME (a temp dir, see conftest) so the header reads ~/gpwatch-data every run.
    return GpwatchApp(Workspace.open(Path.home() / "gpwatch-data", clock=lambda: FIXED_NOW))


def keys_then_settle(*keys: str):
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press(*keys)
        # Mode switches are deferred ~50 ms in Textual 8.
        await pilot.pause(0.1)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("entry", SCREENS, ids=[e.mode for e in SCREENS])
def test_screen(snap_compare, app: GpwatchApp, entry) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_settle(entry.key))


def test_help_on_correspondence(snap_compare, app: GpwatchApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_settle("4", "question_mark"))


def test_too_small_terminal(snap_compare, app: GpwatchApp) -> None:
    assert snap_compare(app, terminal_size=(40, 10), run_before=keys_then_settle())


def test_news_with_hostile_titles(snap_compare) -> None:
    """Markup, ANSI escapes and bidi overrides in feed text show literally, unstyled."""
    workspace = Workspace.open(Path.home() / "gpwatch-data", clock=lambda: FIXED_NOW)
    for n, title in enumerate(
        [
            "[bold red]x[/] [@click=app.quit]y[/]",
            "\x1b[31mANSI red\x1b[0m and \x1b]8;;https://evil.example\x1b\\a link\x1b]8;;\x1b\\",
            "bidi \u202eoverride\u202c and C0 \x07\x08 and C1 \x9b controls",
        ]
    ):
        when = datetime(2027, 1, 1 + n, tzinfo=UTC)
        workspace.news.add_articles(
            [
                Article(
                    feed_id=0,
                    key=f"hostile-{n}",
                    title=title,
                    link="",
                    summary=title,
                    published=when,
                    fetched=when,
                )
            ]
        )
    assert snap_compare(GpwatchApp(workspace), terminal_size=SIZE, run_before=keys_then_settle("3"))


def test_letter_form_with_inline_errors(snap_compare, app: GpwatchApp) -> None:
    """Every missing or bad field says so beside itself, all at once."""

    async def run_before(pilot: Pilot[None]) -> None:
        await keys_then_settle("4", "n")(pilot)
        await pilot.press(*"Premises", "ctrl+s")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 40), run_before=run_before)


def test_chase_dialog(snap_compare, app: GpwatchApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_settle("4", "c"))
