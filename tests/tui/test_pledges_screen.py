"""The Pledges screen driven by keys over a real data dir, with a fixed clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select, Static

from adapters.records.pledges import Commitment, Pledge
from adapters.sample import sample_pledges
from adapters.workspace import Workspace
from tests.tui.pilot_helpers import open_screen, wait_until
from tui.app import GpwatchApp
from tui.screens.commitment_form import CommitmentFormScreen, CommitmentStatusScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.pledge_form import PledgeFormScreen
from tui.screens.pledges import PledgesScreen
from tui.widgets.record_table import RecordTable

SIZE = (150, 45)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
HOSTILE = "[bold red]x[/] [@click=app.quit]y[/] \x1b[31mred\x1b[0m"


@pytest.fixture
def pledges_workspace(data_dir: Path) -> Workspace:
    """The sample data dir: HEE's £10m a year with 6 of its 10 commitments listed."""
    return Workspace.open(data_dir, clock=lambda: NOW)


async def open_pledges(pilot: Pilot[None]) -> PledgesScreen:
    return await open_screen(pilot, "6", PledgesScreen)


def column(screen: PledgesScreen, index: int) -> list[str]:
    rows = screen.query_one("#pledges", RecordTable)
    return [str(rows.get_row_at(i)[index]) for i in range(rows.row_count)]


def detail(screen: PledgesScreen) -> str:
    return str(screen.query_one("#pledge-detail-text", Static).render()).replace("\xa0", " ")


def status_line(screen: PledgesScreen) -> str:
    return str(screen.query_one("#pledge-status", Static).render())


def notices(app: GpwatchApp) -> list[str]:
    return [n.message for n in app._notifications]


def error(screen: object, name: str) -> str:
    return str(screen.query_one(f"#{name}-error", Static).render())  # type: ignore[attr-defined]


async def test_sample_pledges_with_amounts_and_commitments_delivered(
    pledges_workspace: Workspace,
) -> None:
    app = GpwatchApp(pledges_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pledges(pilot)
        assert column(screen, 1) == [
            "Return to training scheme",
            "GP Career Plus retention pilot",
            "NHS GP Health Service",
        ]
        assert column(screen, 2) == ["£10m/yr", "£1m", "£19.5m"]
        assert column(screen, 3) == ["funded", "delivering", "funded"]
        assert column(screen, 4) == ["0/10", "0/4", "1/4"]  # HEE: out of the 10 announced
        assert "3 of 3 pledges · 1 of 18 commitments delivered" in status_line(screen)
        text = detail(screen)
        assert "Amount: £10m a year, recurrent" in text
        assert "Commitments: 0 of 10 delivered" in text
        assert "1. [unknown] Ring-fence funding" in text
        assert "+ 4 more announced but not listed by the source" in text
        assert "Source: Pulse: HEE pledges £10 million" in text
        await pilot.press("down", "down")
        text = detail(screen)
        assert "[delivered] Award the service to a lead provider" in text
        await pilot.press("slash", *"career")
        assert column(screen, 1) == ["GP Career Plus retention pilot"]
        await pilot.press("escape")
        await pilot.press("s", "s")  # organisation → title → amount
        assert "sorted by Amount" in status_line(screen)
        assert column(screen, 2) == ["£1m", "£10m/yr", "£19.5m"]


async def test_add_with_inline_errors_then_saved(pledges_workspace: Workspace) -> None:
    repository = pledges_workspace.records.pledges
    app = GpwatchApp(pledges_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pledges(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PledgeFormScreen))
        form = app.screen
        form.query_one("#title", Input).value = "Retention scheme"
        form.query_one("#amount_gbp", Input).value = "ten million"
        form.query_one("#announced", Input).value = "2 Sept 20"
        form.query_one("#commitments_announced", Input).value = "-3"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "must not be empty" in error(form, "organisation")
        assert error(form, "title") == ""
        assert "not a sum of pounds" in error(form, "amount_gbp")
        assert "is not a date" in error(form, "announced")
        assert "whole number" in error(form, "commitments_announced")
        assert isinstance(app.screen, PledgeFormScreen)
        form.query_one("#organisation", Input).value = "NHS England"
        form.query_one("#amount_gbp", Input).value = "£2.5m"
        form.query_one("#announced", Input).value = "2 Sep 2026"
        form.query_one("#commitments_announced", Input).value = "3"
        form.query_one("#recurrent", Checkbox).value = True
        form.query_one("#status", Select).value = "funded"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert any("Pledge added: saved" in m for m in notices(app))
        assert "Retention scheme" in column(screen, 1)
        assert "Commitments: 0 of 3 delivered" in detail(screen)
    added = next(p for p in repository.all() if p.title == "Retention scheme")
    assert (added.amount_gbp, added.recurrent, added.status) == (2_500_000, True, "funded")
    assert added.announced == date(2026, 9, 2)


async def test_add_a_commitment_then_set_its_status(pledges_workspace: Workspace) -> None:
    repository = pledges_workspace.records.pledges
    app = GpwatchApp(pledges_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pledges(pilot)
        await pilot.press("down")  # GP Career Plus
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CommitmentFormScreen))
        form = app.screen
        form.query_one("#evidence", Input).value = "javascript:alert(1)"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "must not be empty" in error(form, "text")
        assert "http(s)" in error(form, "evidence")
        form.query_one("#text", Input).value = "Publish the evaluation"
        form.query_one("#evidence", Input).value = ""
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert "5. [unknown] Publish the evaluation" in detail(screen)
        assert column(screen, 4)[1] == "0/5"
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, CommitmentStatusScreen))
        form = app.screen
        assert form.query_one("#which", Select).value == 0  # the first not yet settled
        form.query_one("#status", Select).value = "delivered"
        form.query_one("#evidence", Input).value = "https://example.org/pilot-report"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert any("Commitment status: saved" in m for m in notices(app))
        assert column(screen, 4)[1] == "1/5"
        text = detail(screen)
        assert "1. [delivered] Run a 12-month pilot" in text
        assert "evidence: https://example.org/pilot-report" in text
    pledge = repository.get(2)
    assert pledge is not None and pledge.commitments[0].status == "delivered"
    assert pledge.commitments[-1] == Commitment("Publish the evaluation")


async def test_set_status_needs_a_listed_commitment(data_dir: Path) -> None:
    workspace = Workspace.open(data_dir, seed_sample=False, clock=lambda: NOW)
    workspace.records.pledges.add(Pledge(organisation="DHSC", title="Unlisted"))
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pledges(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert app.screen is screen
        assert any("no commitments" in m for m in notices(app))


async def test_edit_is_saved_and_an_edit_saved_elsewhere_is_not_overwritten(
    pledges_workspace: Workspace,
) -> None:
    repository = pledges_workspace.records.pledges
    app = GpwatchApp(pledges_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pledges(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, PledgeFormScreen))
        assert app.screen.query_one("#amount_gbp", Input).value == "10,000,000"
        app.screen.query_one("#status", Select).value = "delivering"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert column(screen, 3)[0] == "delivering"
        # Another process sets a commitment while the form is open.
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CommitmentFormScreen))
        other = Workspace.open(pledges_workspace.data_dir, clock=lambda: NOW).records.pledges
        stored = other.get(1)
        assert stored is not None
        other.update(replace(stored, notes="checked by phone"), expected=stored)
        app.screen.query_one("#text", Input).value = "mine"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert any("changed elsewhere" in m for m in notices(app))
        assert "checked by phone" in detail(screen)
    kept = repository.get(1)
    assert kept is not None
    assert kept.status == "delivering" and kept.notes == "checked by phone"
    assert len(kept.commitments) == 6


async def test_delete_asks_first_and_undo_brings_it_back(pledges_workspace: Workspace) -> None:
    repository = pledges_workspace.records.pledges
    app = GpwatchApp(pledges_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pledges(pilot)
        first = repository.get(1)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        assert repository.count() == len(sample_pledges())
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: repository.count() == 2)
        assert "Return to training scheme" not in column(screen, 1)
        assert "u undoes the delete" in status_line(screen)
        await pilot.press("u")
        await wait_until(pilot, lambda: repository.count() == 3)
        assert "Return to training scheme" in column(screen, 1)
    assert repository.get(1) == first


async def test_hostile_text_is_shown_literally(data_dir: Path) -> None:
    workspace = Workspace.open(data_dir, seed_sample=False, clock=lambda: NOW)
    workspace.records.pledges.add(
        Pledge(
            organisation=HOSTILE,
            title=HOSTILE,
            summary=HOSTILE,
            notes=HOSTILE,
            commitments=(Commitment(HOSTILE, "delivered"),),
        )
    )
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pledges(pilot)
        literal = "[bold red]x[/] [@click=app.quit]y[/] red"
        assert column(screen, 1)[0].startswith("[bold red]x[/] [@click")  # cut, not styled
        text = detail(screen)
        assert text.count(literal) == 5  # title, organisation, summary, commitment, notes
        assert "\x1b" not in text
        await pilot.click("#pledge-detail-text")
        assert app.is_running


async def test_help_lists_every_pledge_key_with_what_it_does(pledges_workspace: Workspace) -> None:
    from tui.screens.help import HelpScreen

    app = GpwatchApp(pledges_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_pledges(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = app.screen.query_one(RecordTable)
        rows = {
            str(keys.get_row_at(i)[0]): str(keys.get_row_at(i)[1]) for i in range(keys.row_count)
        }
        for key in ("n", "e", "c", "x", "d", "u", "/", "s"):
            assert rows.get(key), key
        assert rows["x"] == "Set a commitment's delivery status"
