"""The Overview: tiles from the data that open their screens, and the briefing key."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.widgets import Static

from adapters.records.letters import Letter
from adapters.workspace import Workspace
from tui.app import GpwatchApp
from tui.screens.overview import TileWidget

SIZE = (120, 40)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def tile_text(app: GpwatchApp, key: str) -> str:
    return str(app.screen.query_one(f"#tile-{key}", TileWidget).render())


async def test_tiles_show_the_data_and_open_their_screens(data_dir: Path) -> None:
    workspace = Workspace.open(data_dir, clock=lambda: NOW)
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Open letters\n1\n1 overdue" in tile_text(app, "letters")
        assert "GP trainee intake\n3,157" in tile_text(app, "intake")
        assert "36,539" in tile_text(app, "workforce")
        trend = str(app.screen.query_one("#trend", Static).render())
        assert "2024/25" in trend and "Target: 5,000 more GPs by 2020" in trend
        headlines = str(app.screen.query_one("#headlines", Static).render())
        assert "HEE pledges £10 million" in headlines
        app.screen.query_one("#tile-letters", TileWidget).focus()
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.current_mode == "correspondence"
        # A letter added elsewhere shows when the Overview comes back.
        workspace.records.letters.add(
            Letter(
                subject="Due this week",
                counterparty="NHS England",
                lmcs=("Kent LMC",),
                status="sent",
                sent=date(2026, 11, 1),
                due=date(2026, 11, 26),
            )
        )
        await pilot.press("1")
        await pilot.pause(0.2)
        assert "Open letters\n2" in tile_text(app, "letters")
        due = str(app.screen.query_one("#due", Static).render())
        assert "Thu 26 Nov  letter: reply due: Due this week" in due
        await pilot.click("#tile-news")
        await pilot.pause(0.2)
        assert app.current_mode == "news"


async def test_empty_data_dir_tiles_say_what_to_do(data_dir: Path) -> None:
    workspace = Workspace.open(data_dir, seed_sample=False, clock=lambda: NOW)
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "press n on Correspondence" in tile_text(app, "letters")
        assert "press 3, then r" in tile_text(app, "news")


async def test_x_writes_the_markdown_briefing(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = GpwatchApp(Workspace.open(data_dir, clock=lambda: NOW))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert any("Briefing written to" in n.message for n in app._notifications)
    text = (tmp_path / "gpwatch-briefing-2026-11-23.md").read_text(encoding="utf-8")
    assert text.startswith("# GP workforce briefing, 23 November 2026")


async def test_a_large_data_dir_loads_in_the_background_while_keys_work(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.screens import overview

    monkeypatch.setattr(overview, "BACKGROUND_BYTES", 0)  # every data dir counts as large
    release = __import__("threading").Event()
    original = overview.OverviewScreen._build

    def slow_build(self: overview.OverviewScreen):  # type: ignore[no-untyped-def]
        release.wait(10)
        return original(self)

    monkeypatch.setattr(overview.OverviewScreen, "_build", slow_build)
    app = GpwatchApp(Workspace.open(data_dir, clock=lambda: NOW))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "reading your data" in tile_text(app, "letters")  # not zeros that look like data
        await pilot.press("question_mark")  # the app answers keys meanwhile
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "reading your data" not in tile_text(app, "letters")
        assert "Open letters\n1" in tile_text(app, "letters")


async def test_a_large_data_dir_is_first_read_in_threads_and_the_status_follows(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing large is parsed on the event loop: the status line says it is reading."""
    from adapters import store
    from tui.screens import overview

    Workspace.open(data_dir, clock=lambda: NOW)  # seeded, then reopened unread
    monkeypatch.setattr(store, "CHECK_AT_OPEN_BYTES", 0)  # every file counts as large
    monkeypatch.setattr(overview, "BACKGROUND_BYTES", 0)
    workspace = Workspace.open(data_dir, clock=lambda: NOW)
    assert workspace.sample_loaded_if_cheap() is None
    seen: list[bool | None] = []
    show_status = GpwatchApp._show_status

    def record(self: GpwatchApp, loaded: bool | None) -> None:
        seen.append(loaded)
        show_status(self, loaded)

    monkeypatch.setattr(GpwatchApp, "_show_status", record)
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.sub_title.endswith("sample data loaded")
        assert "Open letters\n1" in tile_text(app, "letters")
    assert seen[0] is None  # "reading data…" first, then the answer from the thread
    assert seen[-1] is True
