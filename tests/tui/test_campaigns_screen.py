"""The Campaigns screen driven by keys over a real data dir, with a fixed clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from adapters.news.models import Article
from adapters.records.campaigns import Campaign, Goal, Measurement, Milestone
from adapters.workspace import Workspace
from tests.tui.pilot_helpers import open_screen, wait_until
from tui.app import GpwatchApp
from tui.screens.campaign_form import CampaignFormScreen
from tui.screens.campaigns import CampaignsScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.correspondence import CorrespondenceScreen
from tui.screens.goal_form import GoalFormScreen, ValueFormScreen
from tui.screens.milestone_form import MilestoneFormScreen
from tui.widgets.record_table import RecordTable

SIZE = (150, 45)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
HOSTILE = "[bold red]x[/] [@click=app.quit]y[/] \x1b[31mred\x1b[0m"


def trainees(measured: tuple[Measurement, ...]) -> Goal:
    """3,000 to 4,000 over four years: the path is at 3,251 after one (2024 has 366 days)."""
    return Goal(
        metric="GP trainees a year",
        unit="trainees",
        baseline=3000,
        baseline_date=date(2024, 1, 1),
        target=4000,
        target_date=date(2028, 1, 1),
        measurements=measured,
        key="trainees",
    )


@pytest.fixture
def campaigns_workspace(data_dir: Path) -> Workspace:
    """No sample; one campaign behind, one achieved, one with no goal."""
    workspace = Workspace.open(data_dir, seed_sample=False, clock=lambda: NOW)
    repository = workspace.records.campaigns
    repository.add(
        Campaign(
            name="Train more GPs",
            kind="recruitment",
            lead="HEE",
            backers=("RCGP", "BMA"),
            goals=(
                trainees((Measurement(3100, date(2025, 1, 1), "https://example.org/intake-2025"),)),
            ),
            milestones=(Milestone(date(2024, 1, 10), "Launched", source_title="HEE release"),),
        )
    )
    repository.add(
        Campaign(
            name="Trainee pay petition",
            kind="petition",
            lead="RCGP",
            goals=(
                Goal(
                    metric="Signatures",
                    unit="signatures",
                    baseline=0,
                    baseline_date=date(2026, 1, 1),
                    target=100_000,
                    target_date=date(2027, 1, 1),
                    measurements=(
                        Measurement(120_000, date(2026, 6, 1), source_title="Petition site"),
                    ),
                ),
            ),
        )
    )
    repository.add(Campaign(name="Support Your Surgery", kind="public campaign", lead="BMA"))
    return workspace


async def open_campaigns(pilot: Pilot[None]) -> CampaignsScreen:
    return await open_screen(pilot, "5", CampaignsScreen)


def table(screen: CampaignsScreen) -> RecordTable:
    return screen.query_one("#campaigns", RecordTable)


def column(screen: CampaignsScreen, index: int) -> list[str]:
    rows = table(screen)
    return [str(rows.get_row_at(i)[index]) for i in range(rows.row_count)]


def names(screen: CampaignsScreen) -> list[str]:
    return column(screen, 1)


def detail(screen: CampaignsScreen) -> str:
    """The detail as read: indents are no-break spaces (see record_panes.line)."""
    return str(screen.query_one("#campaign-detail-text", Static).render()).replace("\xa0", " ")


def status_line(screen: CampaignsScreen) -> str:
    return str(screen.query_one("#campaign-status", Static).render())


def notices(app: GpwatchApp) -> list[str]:
    return [n.message for n in app._notifications]


def error(screen: object, name: str) -> str:
    return str(screen.query_one(f"#{name}-error", Static).render())  # type: ignore[attr-defined]


async def test_table_shows_progress_and_verdicts_in_colour(
    campaigns_workspace: Workspace,
) -> None:
    app = GpwatchApp(campaigns_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_campaigns(pilot)
        # Sorted by verdict, the ones in trouble first.
        assert names(screen) == ["Train more GPs", "Trainee pay petition", "Support Your Surgery"]
        behind = table(screen).get_row_at(0)[4]
        achieved = table(screen).get_row_at(1)[4]
        assert isinstance(behind, Text) and behind.plain == "behind"
        assert "red" in str(behind.style)
        assert achieved.plain == "achieved" and "green" in str(achieved.style)
        assert column(screen, 4)[2] == "no data"
        assert column(screen, 3)[0] == "█░░░░░ 10%"  # 100 of 1,000
        assert column(screen, 3)[1] == "██████ 100%"  # held to 100 for a campaign
        assert column(screen, 5) == ["01 Jan 2028", "01 Jan 2027", "—"]
        assert "3 of 3 campaigns · 3 active · 1 behind or missed" in status_line(screen)
        text = detail(screen)
        assert "Backers: RCGP; BMA" in text
        assert "3,000 on 01 Jan 2024 → target 4,000 trainees by 01 Jan 2028" in text
        assert "latest 3,100 on 01 Jan 2025, 10% of the way" in text
        assert "source: https://example.org/intake-2025" in text
        assert "on the straight path it would be 3,251 by then: 151 behind it" in text
        assert "needs +814 trainees a year from now" in text
        assert "achieved +100 trainees a year" in text
        assert "(the path: +250 trainees a year)" in text
        assert "measured " in text and "path " in text
        assert "10 Jan 2024  Launched" in text and "HEE release" in text
        await pilot.press("slash", *"petition")
        assert names(screen) == ["Trainee pay petition"]
        await pilot.press("escape")
        assert len(names(screen)) == 3
        await pilot.press("s")  # verdict → deadline
        assert "sorted by Deadline" in status_line(screen)
        assert names(screen)[0] == "Trainee pay petition"
        await pilot.press("S")
        assert names(screen)[0] == "Support Your Surgery"


async def test_linked_news_and_letters_are_listed(campaigns_workspace: Workspace) -> None:
    when = datetime(2026, 11, 1, tzinfo=UTC)
    campaigns_workspace.news.add_articles(
        [
            Article(
                feed_id=0,
                key="mentions",
                title="Trainee numbers rise",
                link="https://example.org/rise",
                summary="",
                published=when,
                fetched=when,
                mentions=("campaign:1",),
            ),
            Article(
                feed_id=0,
                key="other",
                title="Unrelated story",
                link="",
                summary="",
                published=when,
                fetched=when,
            ),
        ]
    )
    app = GpwatchApp(campaigns_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_campaigns(pilot)
        text = detail(screen)
        assert "01 Nov 2026  Trainee numbers rise" in text
        assert "https://example.org/rise" in text
        assert "Unrelated story" not in text


async def test_add_with_inline_errors_then_saved(campaigns_workspace: Workspace) -> None:
    app = GpwatchApp(campaigns_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_campaigns(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, CampaignFormScreen))
        form = app.screen
        form.query_one("#name", Input).value = "Save our surgeries"
        form.query_one("#started", Input).value = "31 Feb 2026"
        form.query_one("#source_url", Input).value = "https://example.org/sos"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert error(form, "name") == ""
        assert "who runs the campaign" in error(form, "lead")
        assert "31 Feb 2026" in error(form, "started")
        assert "title" in error(form, "source_title")  # a link without a title
        assert isinstance(app.screen, CampaignFormScreen)  # nothing saved
        form.query_one("#lead", Input).value = "Kent LMC"
        form.query_one("#started", Input).value = "2 Sep 2026"
        form.query_one("#ends", Input).value = "2026-01-01"
        form.query_one("#source_title", Input).value = "Kent LMC newsletter"
        form.query_one("#backers", Input).value = "Devon LMC; Cheshire LMC"
        form.query_one("#kind", Select).value = "lobbying"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "before the campaign started" in error(form, "ends")
        form.query_one("#ends", Input).value = ""
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert any("Campaign added: saved" in m for m in notices(app))
        assert "Save our surgeries" in names(screen)
        assert "Save our surgeries" in detail(screen)  # the new one is highlighted
    stored = {c.name: c for c in campaigns_workspace.records.campaigns.all()}
    added = stored["Save our surgeries"]
    assert added.kind == "lobbying"
    assert added.backers == ("Devon LMC", "Cheshire LMC")
    assert added.started == date(2026, 9, 2)
    assert added.source is not None and added.source.url == "https://example.org/sos"


async def test_form_fields_keep_their_size_after_other_screens_styles_load(
    campaigns_workspace: Workspace,
) -> None:
    """Screen styles apply app-wide once read: Correspondence's #letters table rule
    once stretched this form's #letters field to 25 lines and twice the width."""
    app = GpwatchApp(campaigns_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "4", CorrespondenceScreen)
        await open_campaigns(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, CampaignFormScreen))
        await pilot.pause()
        field = app.screen.query_one("#letters", Input)
        fields = field.parent
        assert fields is not None
        assert field.size.height == 1  # an Input: one line of text
        assert field.size.width <= fields.size.width


async def test_edit_is_saved_and_an_edit_saved_elsewhere_is_not_overwritten(
    campaigns_workspace: Workspace,
) -> None:
    repository = campaigns_workspace.records.campaigns
    app = GpwatchApp(campaigns_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_campaigns(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, CampaignFormScreen))
        app.screen.query_one("#lead", Input).value = "NHS England"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert "Lead: NHS England" in detail(screen)
        assert repository.get(1).lead == "NHS England"  # type: ignore[union-attr]
        # Unchanged form: nothing to save.
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, CampaignFormScreen))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert any("Nothing changed" in m for m in notices(app))
        # Another process saves the campaign while the form is open.
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, CampaignFormScreen))
        other = Workspace.open(campaigns_workspace.data_dir, clock=lambda: NOW).records.campaigns
        stored = other.get(1)
        assert stored is not None
        other.update(replace(stored, audience="GP trainees"), expected=stored)
        app.screen.query_one("#lead", Input).value = "mine"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert any("changed elsewhere" in m for m in notices(app))
        assert "Audience: GP trainees" in detail(screen)  # reloaded with their change
    kept = repository.get(1)
    assert kept is not None and kept.lead == "NHS England" and kept.audience == "GP trainees"


async def test_recording_a_value_changes_the_verdict(campaigns_workspace: Workspace) -> None:
    app = GpwatchApp(campaigns_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_campaigns(pilot)
        assert column(screen, 4)[0] == "behind"
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ValueFormScreen))
        form = app.screen
        assert "latest 3,100 on 01 Jan 2025" in str(form.query_one("#goal-summary").render())
        form.query_one("#value", Input).value = "3,8OO"
        form.query_one("#date", Input).value = "1 Dec 2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "is not a number" in error(form, "value")
        assert "in the future" in error(form, "date")
        assert "name the source" in error(form, "source_url")
        form.query_one("#value", Input).value = "3,800"
        form.query_one("#date", Input).value = "1 Nov 2026"
        form.query_one("#source_url", Input).value = "javascript:alert(1)"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not an http(s) address" in error(form, "source_url")
        assert error(form, "value") == "" and error(form, "date") == ""
        form.query_one("#source_url", Input).value = "https://example.org/intake-2026"
        await pilot.press("enter")  # enter saves a short form
        await wait_until(pilot, lambda: app.screen is screen)
        assert any("Value: saved" in m for m in notices(app))
        row = names(screen).index("Train more GPs")
        assert column(screen, 4)[row] == "on track"
        assert "latest 3,800 on 01 Nov 2026, 80% of the way" in detail(screen)
    goal = campaigns_workspace.records.campaigns.get(1).goals[0]  # type: ignore[union-attr]
    assert [m.value for m in goal.measurements] == [3100, 3800]
    assert goal.measurements[-1].source_url == "https://example.org/intake-2026"


async def test_value_needs_a_goal_first(campaigns_workspace: Workspace) -> None:
    app = GpwatchApp(campaigns_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_campaigns(pilot)
        await pilot.press("S")  # Support Your Surgery (no goal) first
        assert names(screen)[0] == "Support Your Surgery"
        await pilot.press("v")
        await pilot.pause()
        assert app.screen is screen
        assert any("no goal yet" in m for m in notices(app))


async def test_add_and_edit_a_goal_and_add_a_milestone(campaigns_workspace: Workspace) -> None:
    repository = campaigns_workspace.records.campaigns
    app = GpwatchApp(campaigns_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_campaigns(pilot)
        await pilot.press("S")  # Support Your Surgery first
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, GoalFormScreen))
        form = app.screen
        form.query_one("#metric", Input).value = "Practices displaying posters"
        form.query_one("#baseline", Input).value = "none"
        form.query_one("#baseline_date", Input).value = "2026-09-01"
        form.query_one("#target", Input).value = "5,000"
        form.query_one("#target_date", Input).value = "1 Sep 2025"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "must not be empty" in error(form, "unit")
        assert "not a number" in error(form, "baseline")
        assert "after the baseline date" in error(form, "target_date")
        form.query_one("#unit", Input).value = "practices"
        form.query_one("#baseline", Input).value = "0"
        form.query_one("#target_date", Input).value = "1 Sep 2027"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert "Practices displaying posters (practices-displaying-posters)" in detail(screen)
        # Edit it: the chooser fills the fields from the stored goal.
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, GoalFormScreen))
        form = app.screen
        form.query_one("#which", Select).value = "practices-displaying-posters"
        await pilot.pause()
        assert form.query_one("#target", Input).value == "5,000"
        form.query_one("#target", Input).value = "6000"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        # A milestone.
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, MilestoneFormScreen))
        form = app.screen
        form.query_one("#date", Input).value = "2 Sep 2021"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "must not be empty" in error(form, "text")
        form.query_one("#text", Input).value = "Pulse reports the launch"
        form.query_one("#source_url", Input).value = "https://example.org/pulse"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        assert "02 Sep 2021  Pulse reports the launch" in detail(screen)
    campaign = repository.get(3)
    assert campaign is not None
    assert [(g.key, g.target) for g in campaign.goals] == [("practices-displaying-posters", 6000)]
    assert campaign.milestones[0].source_url == "https://example.org/pulse"


async def test_a_goal_named_twice_is_refused_beside_the_metric(
    campaigns_workspace: Workspace,
) -> None:
    app = GpwatchApp(campaigns_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_campaigns(pilot)
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, GoalFormScreen))
        form = app.screen
        for name, value in (
            ("metric", "gp TRAINEES a year"),
            ("unit", "trainees"),
            ("baseline", "1"),
            ("baseline_date", "2024-01-01"),
            ("target", "2"),
            ("target_date", "2025-01-01"),
        ):
            form.query_one(f"#{name}", Input).value = value
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "two goals are named" in error(form, "metric")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
    assert len(campaigns_workspace.records.campaigns.get(1).goals) == 1  # type: ignore[union-attr]


async def test_delete_asks_first_and_undo_brings_it_back(campaigns_workspace: Workspace) -> None:
    repository = campaigns_workspace.records.campaigns
    app = GpwatchApp(campaigns_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_campaigns(pilot)
        first = repository.get(1)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen)
        assert repository.count() == 3
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: repository.count() == 2)
        assert "Train more GPs" not in names(screen)
        assert "u undoes the delete" in status_line(screen)
        await pilot.press("u")
        await wait_until(pilot, lambda: repository.count() == 3)
        assert "Train more GPs" in names(screen)
        await pilot.press("u")
        assert any("Nothing to undo" in m for m in notices(app))
    assert repository.get(1) == first


async def test_hostile_text_is_shown_literally(data_dir: Path) -> None:
    workspace = Workspace.open(data_dir, seed_sample=False, clock=lambda: NOW)
    workspace.records.campaigns.add(
        Campaign(
            name=HOSTILE,
            kind="other",
            lead=HOSTILE,
            backers=(HOSTILE,),
            summary=HOSTILE,
            goals=(
                replace(
                    trainees((Measurement(3100, date(2025, 1, 1), source_title=HOSTILE),)),
                    metric=HOSTILE,
                ),
            ),
            milestones=(Milestone(date(2025, 1, 1), HOSTILE),),
        )
    )
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_campaigns(pilot)
        literal = "[bold red]x[/] [@click=app.quit]y[/] red"
        assert names(screen)[0].startswith("[bold red]x[/] [@click")  # cut, not styled
        text = detail(screen)
        assert text.count(literal) >= 5
        assert "\x1b" not in text
        await pilot.click("#campaign-detail-text")
        assert app.is_running


async def test_empty_state_says_what_to_do(data_dir: Path) -> None:
    workspace = Workspace.open(data_dir, seed_sample=False, clock=lambda: NOW)
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_campaigns(pilot)
        assert "Press n to add one" in detail(screen)
        await pilot.press("e")
        assert any("No campaign is highlighted" in m for m in notices(app))


async def test_help_lists_every_campaign_key_with_what_it_does(
    campaigns_workspace: Workspace,
) -> None:
    from tui.screens.help import HelpScreen

    app = GpwatchApp(campaigns_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_campaigns(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = app.screen.query_one(RecordTable)
        rows = {
            str(keys.get_row_at(i)[0]): str(keys.get_row_at(i)[1]) for i in range(keys.row_count)
        }
        for key in ("n", "e", "g", "v", "m", "d", "u", "/", "s"):
            assert rows.get(key), key
        assert rows["v"] == "Record a measured value of one of its goals"
