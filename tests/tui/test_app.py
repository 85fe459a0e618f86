"""The real app over a real temp data dir, driven by keys through Pilot."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets import Static

from adapters.records.models import Letter
from adapters.sample import sample_campaigns
from adapters.workforce.bundled import bundled_figures
from adapters.workspace import Workspace
from tests.tui.pilot_helpers import wait_until
from tui.app import GpwatchApp
from tui.screens import SCREENS
from tui.screens.help import HelpScreen
from tui.widgets.record_table import RecordTable

SIZE = (100, 30)


async def test_starts_on_overview_with_data_dir_and_sample_state(workspace: Workspace) -> None:
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.current_mode == "overview"
        assert str(workspace.data_dir) in app.sub_title
        assert "sample data loaded" in app.sub_title
        letters = str(app.screen.query_one("#tile-letters").render())
        assert letters.startswith("Open letters\n1\n")
        campaigns = str(app.screen.query_one("#tile-campaigns").render())
        assert campaigns.startswith("Active campaigns\n3\n")


@pytest.mark.parametrize("entry", SCREENS, ids=[e.mode for e in SCREENS])
async def test_each_key_switches_to_its_screen(workspace: Workspace, entry) -> None:
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(entry.key)
        await pilot.pause()
        assert app.current_mode == entry.mode
        assert app.screen.title == entry.title
        # Back to the overview from any screen.
        await pilot.press("1")
        await pilot.pause()
        assert app.current_mode == "overview"


async def test_every_screen_shows_its_stored_records(workspace: Workspace) -> None:
    expected = {
        # Workforce opens on the bundled England series of its default metric.
        "2": ("#figures", sum(f.metric == "gp_fq_perm_hc" for f in bundled_figures())),
        "4": ("#letters", len(workspace.records.letters.all())),
        "5": ("#campaigns", len(workspace.records.campaigns.all())),
        "6": ("#pledges", len(workspace.records.pledges.all())),
    }
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        for key, (selector, rows) in expected.items():
            await pilot.press(key)
            await pilot.pause()
            assert rows > 0
            assert app.screen.query_one(selector, RecordTable).row_count == rows


async def test_palette_switches_screens(workspace: Workspace) -> None:
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Pledges screen")

        def first_hit_is_pledges() -> bool:
            options = app.screen.query_one(CommandList)
            return options.option_count > 0 and "Pledges screen" in str(
                options.get_option_at_index(0).prompt
            )

        await wait_until(pilot, first_hit_is_pledges)
        if app.screen.query_one(CommandList).highlighted is None:
            await pilot.press("down")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.current_mode == "pledges")


async def test_palette_lists_every_screen(workspace: Workspace) -> None:
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE):
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for entry in SCREENS:
            assert f"{entry.title} screen" in titles


async def test_help_lists_app_and_screen_bindings_and_closes(workspace: Workspace) -> None:
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(RecordTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        keys = {row[0] for row in rows}
        assert {"1", "2", "3", "4", "5", "6", "?", "q", "tab", "ctrl+p"} <= {
            k.replace("^", "ctrl+") for k in keys
        }
        assert ("q", "Quit gpwatch (everything is already saved)", "everywhere") in rows
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert app.current_mode == "correspondence"


async def test_q_quits(workspace: Workspace) -> None:
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert not app.is_running


async def test_too_small_terminal_hides_body_and_says_why(workspace: Workspace) -> None:
    app = GpwatchApp(workspace)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        notice = app.screen.query_one("#too-small", Static)
        assert notice.display
        assert not app.screen.query_one("#body").display
        assert "40x10" in str(notice.render())
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert app.screen.query_one("#body").display
        assert not app.screen.query_one("#too-small").display
    # Nothing was written by merely being small.
    assert len(workspace.records.letters.all()) == 1


HOSTILE = "[@click=app.screenshot('gone.svg')]Click[/] \x1b[31mred\x1b[0m \u202eevil"


async def test_hostile_record_text_is_shown_literally(workspace: Workspace, tmp_path: Path) -> None:
    workspace.records.letters.add(
        Letter(
            subject=HOSTILE,
            counterparty="[bold]BMA[/bold]",
            lmcs=("Kent LMC",),
            status="sent",
            sent=date(2024, 1, 2),
        )
    )
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await pilot.pause()
        table = app.screen.query_one("#letters", RecordTable)
        row = table.get_row_at(table.row_count - 1)
        subject, counterparty = row[3], row[4]
        assert isinstance(subject, Text)
        assert subject.plain == "[@click=app.screenshot('gone.svg')]Click[/] red evil"[:47] + "…"
        assert not subject.spans, "no style or action may come from the text"
        assert counterparty.plain == "[bold]BMA[/bold]"
        # Clicking the cell must not run the embedded action.
        await pilot.click(RecordTable, offset=(15, table.row_count))
        await pilot.pause()
    assert not list(Path.cwd().glob("gone.svg"))
    assert not list(tmp_path.rglob("gone.svg"))


async def test_recovered_corrupt_file_is_reported_with_both_paths(data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700)
    (data_dir / "records.json").write_text('{"letters": {"1": ')
    workspace = Workspace.open(data_dir)
    aside = workspace.recoveries[0].aside
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any(str(data_dir / "records.json") in m and str(aside) in m for m in messages)
    assert aside.read_text() == '{"letters": {"1": '


async def test_a_corrupt_news_json_found_after_start_is_reported(workspace: Workspace) -> None:
    news = workspace.data_dir / "news.json"
    news.write_text('{"articles": {"1": ', encoding="utf-8")
    reopened = Workspace.open(workspace.data_dir)  # news.json is not parsed at open
    app = GpwatchApp(reopened)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause(0.2)
        messages = [n.message for n in app._notifications]
        assert sum(str(news) in m and ".corrupt-" in m for m in messages) == 1
        await pilot.press("1")
        await pilot.pause(0.2)
        assert len(app._notifications) == len(messages)  # said once


async def test_changes_made_elsewhere_appear_on_return(workspace: Workspace) -> None:
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await pilot.pause()
        assert app.screen.query_one("#campaigns", RecordTable).row_count == len(sample_campaigns())
        # Another process (here: a second workspace on the same files) resets the sample.
        Workspace.open(workspace.data_dir).reset_sample()
        await pilot.press("1")
        await pilot.pause()
        assert "no sample data" in app.sub_title
        await pilot.press("5")
        await pilot.pause()
        assert app.screen.query_one("#campaigns", RecordTable).row_count == 0


async def test_unreadable_stored_record_is_reported_on_overview(workspace: Workspace) -> None:
    workspace.records.db.table("letters").insert({"subject": "[b]x[/b]", "lmcs": "not a list"})
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        note = str(app.screen.query_one("#invalid-note", Static).render())
        assert "1 stored records could not be read" in note
        assert "letters #2" in note


async def test_file_damaged_while_running_is_reported_not_a_crash(workspace: Workspace) -> None:
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        (workspace.data_dir / "records.json").write_text("{ half a file")
        await pilot.press("4")
        await pilot.pause()
        assert app.is_running
        messages = [n.message for n in app._notifications]
        assert any("records.json is not valid gpwatch data" in m for m in messages)
    assert (workspace.data_dir / "records.json").read_text() == "{ half a file"


async def test_unreadable_record_note_shows_its_error_literally(workspace: Workspace) -> None:
    workspace.records.db.table("letters").insert(
        {"subject": "s", "counterparty": "c", "lmcs": ["L"], "status": "[@click=app.quit]x[/]"}
    )
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        note = app.screen.query_one("#invalid-note", Static)
        assert "'[@click=app.quit]x[/]' is not one of" in str(note.render())
        await pilot.click("#invalid-note", offset=(60, 1))
        await pilot.click("#invalid-note", offset=(20, 2))
        await pilot.pause()
        assert app.is_running


async def test_the_footer_follows_the_focused_widgets_keys(workspace: Workspace) -> None:
    """The footer is rebuilt only when the keys shown change: check it never lags behind."""
    from textual.widgets._footer import FooterKey

    def shown(app: GpwatchApp) -> list[str]:
        return [
            key.key for key in app.screen.query(FooterKey) if not key.has_class("-command-palette")
        ]

    def expected(app: GpwatchApp) -> list[str]:
        return [b.binding.key for b in app.screen.active_bindings.values() if b.binding.show]

    app = GpwatchApp(workspace)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        assert "enter" in shown(app)  # a tile has focus: enter opens it
        assert shown(app) == expected(app)
        await pilot.press("4")
        await wait_until(pilot, lambda: app.screen.title == "Correspondence")
        await pilot.pause()
        on_table = shown(app)
        assert on_table == expected(app)
        await pilot.press("slash")  # the filter box takes focus: other keys apply
        await pilot.pause()
        assert shown(app) == expected(app)
        assert shown(app) != on_table
