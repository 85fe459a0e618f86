"""What each screen looks like at 100x30 on the sample data; update with --snapshot-update."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

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
