"""Campaigns, Pledges and their forms as they look; update with --snapshot-update.

The data dir is under $HOME (a temp dir, see conftest) so the header reads the
same every run, and the clock is fixed so verdicts and rates do not drift.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from adapters.records.campaigns import Campaign, Goal, Measurement, Milestone
from adapters.workspace import Workspace
from tui.app import GpwatchApp

FIXED_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def workspace() -> Workspace:
    """The sample, plus one campaign with measured values so a sparkline is drawn."""
    workspace = Workspace.open(Path.home() / "gpwatch-data", clock=lambda: FIXED_NOW)
    workspace.records.campaigns.add(
        Campaign(
            name="Train more GPs (test record)",
            kind="recruitment",
            lead="HEE",
            backers=("RCGP", "BMA"),
            goals=(
                Goal(
                    metric="GP trainees a year",
                    unit="trainees",
                    baseline=3000,
                    baseline_date=date(2024, 1, 1),
                    target=4000,
                    target_date=date(2028, 1, 1),
                    measurements=tuple(
                        Measurement(value, when, source_title="test figure")
                        for value, when in (
                            (3100, date(2024, 10, 1)),
                            (3150, date(2025, 4, 1)),
                            (3300, date(2025, 10, 1)),
                            (3320, date(2026, 4, 1)),
                            (3400, date(2026, 10, 1)),
                        )
                    ),
                    key="trainees",
                ),
            ),
            milestones=(Milestone(date(2024, 1, 10), "Launched", source_title="test source"),),
        )
    )
    return workspace


def keys_then_settle(*keys: str):
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press(*keys)
        await pilot.pause(0.1)  # mode switches are deferred ~50 ms in Textual 8
        await pilot.pause()

    return run_before


def test_campaigns_wide_with_a_goal_behind(snap_compare, workspace: Workspace) -> None:
    """Side by side from 140 columns: the campaign behind first, its goal drawn."""
    app = GpwatchApp(workspace)
    assert snap_compare(app, terminal_size=(150, 40), run_before=keys_then_settle("5"))


def test_campaigns_narrow(snap_compare, workspace: Workspace) -> None:
    """Below 140 columns the detail sits under the table."""
    app = GpwatchApp(workspace)
    assert snap_compare(app, terminal_size=(100, 30), run_before=keys_then_settle("5"))


def test_pledges(snap_compare, workspace: Workspace) -> None:
    app = GpwatchApp(workspace)
    assert snap_compare(app, terminal_size=(100, 30), run_before=keys_then_settle("6"))


def test_campaign_form_with_inline_errors(snap_compare, workspace: Workspace) -> None:
    """Every missing or bad field says so beside itself, all at once."""

    async def run_before(pilot: Pilot[None]) -> None:
        await keys_then_settle("5", "n")(pilot)
        form = pilot.app.screen
        form.query_one("#backers", Input).value = "RCGP; BMA"
        form.query_one("#started", Input).value = "31 Feb 2026"
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(GpwatchApp(workspace), terminal_size=(100, 50), run_before=run_before)


def test_value_form_with_inline_errors(snap_compare, workspace: Workspace) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await keys_then_settle("5", "v")(pilot)
        await pilot.press("tab", *"3,8OO", "ctrl+s")  # letter O for zero, and no source
        await pilot.pause()

    assert snap_compare(GpwatchApp(workspace), terminal_size=(100, 45), run_before=run_before)
