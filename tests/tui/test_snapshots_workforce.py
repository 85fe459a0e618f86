"""What the Workforce screen looks like at 100x30; update with --snapshot-update."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from adapters.workforce.importer import import_files
from adapters.workspace import Workspace
from tests.adapters.workforce.test_gpw_import import DETAILED, require_shared
from tui.app import GpwatchApp

SIZE = (100, 30)
FIXED_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def workspace() -> Workspace:
    # Under $HOME (a temp dir, see conftest) so the header reads ~/gpwatch-data every run.
    return Workspace.open(Path.home() / "gpwatch-data", clock=lambda: FIXED_NOW)


async def open_workforce(pilot: Pilot[None]) -> None:
    await pilot.press("2")
    await pilot.pause(0.1)
    await pilot.pause()


def test_bundled_series_against_the_target(snap_compare) -> None:
    assert snap_compare(GpwatchApp(workspace()), terminal_size=SIZE, run_before=open_workforce)


@pytest.mark.parametrize("measure_key", ["", "h"], ids=["headcount", "fte"])
def test_imported_practice_file(snap_compare, measure_key: str) -> None:
    ws = workspace()
    import_files(ws, [require_shared(DETAILED)])

    async def run_before(pilot: Pilot[None]) -> None:
        await open_workforce(pilot)
        pilot.app.screen.query_one("#metric", Select).value = "gp"
        await pilot.pause()
        if measure_key:
            await pilot.press(measure_key)
        await pilot.pause()

    assert snap_compare(GpwatchApp(ws), terminal_size=SIZE, run_before=run_before)


def test_source_of_a_figure(snap_compare) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_workforce(pilot)
        await pilot.press("s")
        await pilot.pause()

    assert snap_compare(GpwatchApp(workspace()), terminal_size=SIZE, run_before=run_before)


def test_pcn_level_from_the_detail_file(snap_compare) -> None:
    """A PCN of the real July 2025 file, its figures read from workforce-detail.json."""
    from tests.tui.pilot_helpers import wait_until

    ws = workspace()
    import_files(ws, [require_shared(DETAILED)])

    async def run_before(pilot: Pilot[None]) -> None:
        await open_workforce(pilot)
        screen = pilot.app.screen
        screen.query_one("#metric", Select).value = "gp"
        await pilot.pause()
        await pilot.press("h")
        screen.query_one("#level", Select).value = "sub_icb"
        await pilot.pause()
        screen.query_one("#level", Select).value = "pcn"
        await wait_until(pilot, lambda: screen.view.detail is not None and screen.place.code)
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"north stockton", "enter")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(GpwatchApp(ws), terminal_size=SIZE, run_before=run_before)
