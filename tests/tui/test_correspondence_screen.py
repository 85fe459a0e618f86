"""The Correspondence screen driven by keys over a real data dir."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, SelectionList, Static

from adapters.records.letters import Letter, mark_created
from adapters.workspace import Workspace
from tests.tui.pilot_helpers import open_screen, wait_until
from tui.app import GpwatchApp
from tui.screens.chase_form import ChaseFormScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.correspondence import CorrespondenceScreen
from tui.screens.letter_form import LetterFormScreen
from tui.widgets.record_table import RecordTable

SIZE = (130, 40)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def letters_workspace(data_dir: Path) -> Workspace:
    """No sample; three letters: one overdue, one answered, one to NHS England not yet due."""
    workspace = Workspace.open(data_dir, seed_sample=False, clock=lambda: NOW)
    repository = workspace.records.letters
    for letter in (
        Letter(
            subject="Pause of GPC meetings",
            counterparty="BMA GPC",
            lmcs=("Kent LMC", "Devon LMC"),
            status="sent",
            sent=date(2026, 9, 1),
            due=date(2026, 10, 1),
        ),
        Letter(
            subject="Premises funding",
            counterparty="NHS England",
            lmcs=("Cheshire LMC",),
            status="sent",
            sent=date(2026, 11, 10),
            due=date(2026, 12, 8),
        ),
        Letter(
            subject="Trainee pay",
            counterparty="BMA GPC",
            lmcs=("Kent LMC",),
            status="responded",
            sent=date(2026, 6, 1),
            responded=date(2026, 7, 1),
        ),
    ):
        repository.add(mark_created(letter, NOW))
    return workspace


async def open_letters(pilot: Pilot[None]) -> CorrespondenceScreen:
    return await open_screen(pilot, "4", CorrespondenceScreen)


def subjects(screen: CorrespondenceScreen) -> list[str]:
    table = screen.query_one("#letters", RecordTable)
    return [str(table.get_row_at(i)[3]) for i in range(table.row_count)]


def status_line(screen: CorrespondenceScreen) -> str:
    return str(screen.query_one("#letter-status", Static).render())


def detail(screen: CorrespondenceScreen) -> str:
    return str(screen.query_one("#letter-detail-text", Static).render())


async def test_overdue_in_red_sorting_and_every_quick_filter(
    letters_workspace: Workspace,
) -> None:
    app = GpwatchApp(letters_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_letters(pilot)
        # Sorted by due date; the letter due 1 Oct is 53 days overdue, in red.
        assert subjects(screen) == ["Pause of GPC meetings", "Premises funding", "Trainee pay"]
        overdue = screen.query_one("#letters", RecordTable).get_row_at(0)[2]
        assert overdue.plain == "53 days" and "red" in str(overdue.style)
        assert "3 of 3 letters · 2 open · 1 overdue" in status_line(screen)
        assert "Overdue: 53 days" in detail(screen)
        await pilot.press("f")  # open
        assert subjects(screen) == ["Pause of GPC meetings", "Premises funding"]
        await pilot.press("f")  # overdue
        assert subjects(screen) == ["Pause of GPC meetings"]
        await pilot.press("f", "p")  # all, then the first counterparty
        assert "counterparty: BMA GPC" in status_line(screen)
        assert subjects(screen) == ["Pause of GPC meetings", "Trainee pay"]
        await pilot.press("p", "p")  # NHS England, then all again
        assert len(subjects(screen)) == 3
        await pilot.press("l", "l", "l")  # Cheshire, Devon, Kent
        assert "LMC: Kent LMC" in status_line(screen)
        assert subjects(screen) == ["Pause of GPC meetings", "Trainee pay"]
        await pilot.press("escape")
        await pilot.press("slash", *"premises")
        assert subjects(screen) == ["Premises funding"]
        await pilot.press("escape")
        assert len(subjects(screen)) == 3
        await pilot.press("s", "s")  # sort by overdue, then by subject
        assert "sorted by Subject" in status_line(screen)
        assert subjects(screen) == ["Pause of GPC meetings", "Premises funding", "Trainee pay"]
        await pilot.press("S")
        assert subjects(screen)[0] == "Trainee pay"


async def test_add_with_inline_errors_then_saved(letters_workspace: Workspace) -> None:
    app = GpwatchApp(letters_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_letters(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, LetterFormScreen))
        form = app.screen
        form.query_one("#subject", Input).value = "Chasing the ICB"
        form.query_one("#sent", Input).value = "31 Feb 2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = {
            name: str(form.query_one(f"#{name}-error", Static).render())
            for name in ("subject", "counterparty", "lmcs", "sent")
        }
        assert errors["subject"] == ""
        assert "must not be empty" in errors["counterparty"]
        assert "at least one LMC" in errors["lmcs"]
        assert "31 Feb 2026" in errors["sent"]
        assert isinstance(app.screen, LetterFormScreen)  # nothing saved
        form.query_one("#counterparty", Input).value = "Kent and Medway ICB"
        form.query_one("#sent", Input).value = "2 Nov 2026"
        form.query_one("#lmcs", SelectionList).select("Kent LMC")
        form.query_one("#status", expect_type=None).value = "sent"  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert any("saved" in n.message for n in app._notifications)
    stored = {letter.subject: letter for letter in letters_workspace.records.letters.all()}
    added = stored["Chasing the ICB"]
    assert added.lmcs == ("Kent LMC",)
    assert added.due == date(2026, 11, 30)  # sent + 28 days, the default
    assert [entry.what for entry in added.history] == ["created"]


async def test_edit_records_history_and_chase_sets_a_new_due_date(
    letters_workspace: Workspace,
) -> None:
    app = GpwatchApp(letters_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_letters(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, LetterFormScreen))
        app.screen.query_one("#acknowledged", Input).value = "2026-09-10"
        app.screen.query_one("#status", expect_type=None).value = "acknowledged"  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert "status: sent → acknowledged" in detail(screen)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ChaseFormScreen))
        app.screen.query_one("#chase-due", Input).value = "1 Jan 2020"
        await pilot.press("enter")
        assert "already passed" in str(app.screen.query_one("#chase-due-error", Static).render())
        app.screen.query_one("#chase-due", Input).value = "2026-12-07"
        app.screen.query_one("#chase-note", Input).value = "phoned the GPC secretariat"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen)
        assert "chased; due 2026-10-01 → 2026-12-07 (phoned the GPC secretariat)" in detail(screen)
        assert "0 overdue" in status_line(screen)
    letter = next(
        x for x in letters_workspace.records.letters.all() if x.subject.startswith("Pause")
    )
    assert [entry.what for entry in letter.history] == ["created", "status", "edit", "chase"]
    assert letter.due == date(2026, 12, 7)


async def test_delete_asks_first_and_undo_brings_it_back(letters_workspace: Workspace) -> None:
    repository = letters_workspace.records.letters
    app = GpwatchApp(letters_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_letters(pilot)
        first = repository.get(1)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # no: nothing happens
        await wait_until(pilot, lambda: app.screen is screen)
        assert repository.count() == 3
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: repository.count() == 2)
        assert "Pause of GPC meetings" not in subjects(screen)
        assert "u undoes the delete" in status_line(screen)
        await pilot.press("u")
        await wait_until(pilot, lambda: repository.count() == 3)
        assert "Pause of GPC meetings" in subjects(screen)
        await pilot.press("u")
        assert any("Nothing to undo" in n.message for n in app._notifications)
    assert repository.get(1) == first  # same id, same history


async def test_an_edit_saved_elsewhere_meanwhile_is_not_overwritten(
    letters_workspace: Workspace,
) -> None:
    app = GpwatchApp(letters_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_letters(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, LetterFormScreen))
        # Another process (a second workspace on the same files) edits the letter.
        other = Workspace.open(letters_workspace.data_dir, clock=lambda: NOW).records.letters
        stored = other.get(1)
        assert stored is not None
        other.update(replace(stored, outcome="answered by phone"), expected=stored)
        app.screen.query_one("#outcome", Input).value = "mine"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert any("changed elsewhere" in n.message for n in app._notifications)
    assert letters_workspace.records.letters.get(1).outcome == "answered by phone"  # type: ignore[union-attr]


async def test_empty_state_says_what_to_do(data_dir: Path) -> None:
    workspace = Workspace.open(data_dir, seed_sample=False, clock=lambda: NOW)
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_letters(pilot)
        assert "Press n to add one" in detail(screen)
        assert "gpwatch letters import" in detail(screen)
