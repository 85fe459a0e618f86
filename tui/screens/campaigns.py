"""Campaigns: who leads and backs them, what they promised, and whether they are on track.

Progress is never stored: ``adapters.records.progress`` computes it from the
goals and today's date (the workspace clock) on every load, so the verdict here
is the one ``gpwatch campaigns list`` prints. Goals, values and milestones are
changed through their own forms, each saved against the version it started
from, so a value recorded by cron meanwhile is never overwritten.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from adapters.records.campaigns import CAMPAIGN_STATUSES, Campaign, Goal
from adapters.records.progress import (
    WORST_FIRST,
    CampaignProgress,
    GoalProgress,
    campaign_progress,
)
from adapters.repository import RecordRepository
from tui.format import day, number, sample_mark
from tui.inert import inert
from tui.screens.campaign_form import CampaignFormScreen
from tui.screens.goal_form import GoalFormScreen, ValueFormScreen
from tui.screens.milestone_form import MilestoneFormScreen
from tui.screens.record_panes import RecordPanesScreen, common_bindings, cut, line
from tui.widgets.progress_text import bar, sparkline, verdict_text

COLUMNS = ("Status", "Campaign", "Lead", "Progress", "Verdict", "Deadline", "")
VERDICT_ORDER = (*WORST_FIRST, "no data")
SPARK_CELLS = 24  # fits beside its label in the narrowest detail pane


def deadline(campaign: Campaign) -> date | None:
    """The campaign's end, else its last goal's target date: when it will be judged."""
    if campaign.ends is not None:
        return campaign.ends
    return max((g.target_date for g in campaign.goals), default=None)


def _figure(value: float) -> str:
    """A figure computed from others (a path, a gap): whole from 100 up, else one place."""
    return number(round(value)) if abs(value) >= 100 else number(round(value, 1))


def _rate(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    shown = f"{value:+,.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:+,.1f}"
    return f"{shown} {unit} a year"


class CampaignsScreen(RecordPanesScreen[Campaign]):
    TITLE = "Campaigns"
    CSS_PATH = Path(__file__).with_name("campaigns.tcss")
    NOUN = "campaign"
    PLURAL = "campaigns"
    PREFIX = "campaign"
    TABLE_ID = "campaigns"
    AUTO_FOCUS = "#campaigns"
    HEADING = "Campaigns, their goals and whether they are on track"
    COLUMNS = COLUMNS
    FILTER_HINT = "filter name, lead, backers, kind, status (escape clears)"
    EMPTY_HINT = (
        "No campaigns yet. Press n to add one, then g to give it a goal and v to record "
        "a measured value."
    )
    DEFAULT_SORT = 4  # verdict: the campaigns in trouble first

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add", "New", tooltip="Add a campaign"),
        Binding("e", "edit", "Edit", tooltip="Edit the highlighted campaign"),
        Binding("g", "goal", "Goal", tooltip="Add a goal to the campaign, or edit one"),
        Binding("v", "value", "Value", tooltip="Record a measured value of one of its goals"),
        Binding("m", "milestone", "Milestone", tooltip="Add a milestone, or edit one"),
        *common_bindings("campaign"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._progress: dict[int, CampaignProgress] = {}

    @property
    def repository(self) -> RecordRepository[Campaign]:
        return self.workspace.records.campaigns

    def prepare(self, records: list[Campaign]) -> None:
        today = self.today
        self._progress = {c.id or 0: campaign_progress(c, today) for c in records}

    def progress(self, campaign: Campaign) -> CampaignProgress:
        found = self._progress.get(campaign.id or 0)
        return found if found is not None else campaign_progress(campaign, self.today)

    def cells(self, campaign: Campaign) -> tuple[Text, ...]:
        progress = self.progress(campaign)
        fraction = None if progress.percent_done is None else progress.percent_done / 100
        return (
            inert(campaign.status),
            inert(cut(campaign.name, 28)),
            inert(cut(campaign.lead, 18)),
            bar(fraction),
            verdict_text(progress.verdict),
            inert(day(deadline(campaign))),
            inert(sample_mark(campaign.sample)),
        )

    def sort_key(self, column: int, campaign: Campaign) -> object:
        progress = self.progress(campaign)
        keys: tuple[object, ...] = (
            CAMPAIGN_STATUSES.index(campaign.status),
            campaign.name.casefold(),
            campaign.lead.casefold(),
            -1.0 if progress.percent_done is None else progress.percent_done,
            VERDICT_ORDER.index(progress.verdict),
            deadline(campaign) or date.max,
            campaign.sample,
        )
        return keys[column]

    def haystack(self, campaign: Campaign) -> str:
        return " ".join(
            (
                campaign.name,
                campaign.lead,
                campaign.kind,
                campaign.status,
                campaign.audience,
                *campaign.backers,
                *(g.metric for g in campaign.goals),
            )
        )

    def label(self, campaign: Campaign) -> str:
        return campaign.name

    def counts(self) -> list[str]:
        verdicts = [self.progress(c).verdict for c in self._records]
        trouble = sum(1 for v in verdicts if v in ("behind", "missed"))
        active = sum(1 for c in self._records if c.status == "active")
        return [f"{active} active", f"{trouble} behind or missed"]

    # ------------------------------------------------------------ detail

    def detail_text(self, campaign: Campaign) -> Text:
        progress = self.progress(campaign)
        text = Text()
        line(text, campaign.name, "bold")
        kind = (campaign.kind, campaign.status, sample_mark(campaign.sample))
        line(text, " · ".join(p for p in kind if p), "dim")
        for label, value in (
            ("Lead", campaign.lead),
            ("Backers", "; ".join(campaign.backers)),
            ("Audience", campaign.audience),
            ("Channels", "; ".join(campaign.channels)),
            ("Started", day(campaign.started) if campaign.started else ""),
            ("Ends", day(campaign.ends) if campaign.ends else ""),
        ):
            if value:
                text.append(f"{label}: ", style="bold")
                line(text, value)
        text.append("Progress: ", style="bold")
        fraction = None if progress.percent_done is None else progress.percent_done / 100
        text.append_text(bar(fraction))
        text.append(" ")
        text.append_text(verdict_text(progress.verdict))
        text.append("\n")
        if campaign.summary:
            text.append("\n")
            line(text, campaign.summary)
        text.append("\nGoals\n", style="bold")
        if not campaign.goals:
            text.append("(none: g adds one)\n", style="dim")
        for goal, measured in zip(campaign.goals, progress.goals, strict=True):
            text.append_text(self._goal_text(goal, measured))
        text.append_text(self._milestones_text(campaign))
        text.append_text(self._linked_text(campaign))
        if campaign.notes:
            text.append("\nNotes\n", style="bold")
            line(text, campaign.notes)
        if campaign.source is not None:
            text.append("\nSource: ", style="bold")
            line(text, campaign.source.label())
            for part in (campaign.source.url, campaign.source.reference):
                if part:
                    line(text, f"  {part}", "dim")
        return text

    def _goal_text(self, goal: Goal, p: GoalProgress) -> Text:
        unit = goal.unit
        text = Text()
        text.append_text(inert(f"• {goal.metric}", "bold"))
        text.append_text(inert(f" ({goal.key}) ", "dim"))
        text.append_text(verdict_text(p.verdict))
        text.append("\n")
        line(
            text,
            f"  {number(goal.baseline)} on {day(goal.baseline_date)} → target "
            f"{number(goal.target)} {unit} by {day(goal.target_date)}",
        )
        if p.latest is None or p.latest_date is None:
            line(text, "  nothing measured since the baseline (v records a value)", "dim")
        else:
            done = "" if p.percent_done is None else f", {p.percent_done:.0f}% of the way"
            line(text, f"  latest {number(p.latest)} on {day(p.latest_date)}{done}")
            if p.latest_source:
                line(text, f"    source: {p.latest_source}", "dim")
            expected, gap = p.expected_on_path_at_latest_date, p.gap_to_path
            if expected is not None and gap is not None:
                ahead = "ahead of" if gap >= 0 else "behind"
                line(
                    text,
                    f"  on the straight path it would be {_figure(expected)} by then: "
                    f"{_figure(abs(gap))} {ahead} it",
                    "" if gap >= 0 else "red",
                )
            if p.needed_rate is not None:
                needed = f"  needs {_rate(p.needed_rate, unit)} from now"
            elif p.days_left <= 0:
                needed = "  the target date has passed"
            else:
                needed = "  needs —"
            line(
                text,
                f"{needed}; achieved {_rate(p.achieved_rate, unit)} "
                f"(the path: {_rate(p.path_rate, unit)})",
            )
        text.append_text(self._spark_text(goal))
        for flag in p.flags:
            line(text, f"  ! {flag}", "yellow")
        if goal.notes:
            line(text, f"  {goal.notes}", "dim")
        return text

    def _spark_text(self, goal: Goal) -> Text:
        """Measured values over the straight path to the target, on one time axis and scale.

        Each cell is an equal slice of time from the baseline to the target
        date (or the last value, if later), so a flat stretch in the measured
        row under a rising path row reads as falling behind.
        """
        counted = goal.counted()
        if not counted:
            return Text()
        start = goal.baseline_date
        end = max(goal.target_date, counted[-1].date)
        step = (end - start).days / SPARK_CELLS
        span = (goal.target_date - start).days
        cells = [start + timedelta(days=round(step * (i + 1))) for i in range(SPARK_CELLS)]

        def on_path(when: date) -> float:
            along = min(1.0, (when - start).days / span)
            return goal.baseline + (goal.target - goal.baseline) * along

        measured: list[float | None] = []
        last = counted[-1].date + timedelta(days=step)
        for when in cells:
            known = [goal.baseline, *(m.value for m in counted if m.date <= when)]
            measured.append(known[-1] if when <= last else None)
        path = [on_path(when) for when in cells]
        values = [v for v in measured if v is not None] + path + [goal.baseline]
        low, high = min(values), max(values)
        row = "".join(" " if v is None else sparkline([v], low, high) for v in measured)
        text = Text()
        text.append("\u00a0\u00a0measured ", style="dim")
        text.append(row, style="cyan")
        text.append("\n\u00a0\u00a0path     ", style="dim")
        text.append(sparkline(path, low, high), style="dim")
        line(text, f" {day(start)} → {day(end)}", "dim")
        return text

    def _milestones_text(self, campaign: Campaign) -> Text:
        text = Text()
        text.append("\nMilestones\n", style="bold")
        if not campaign.milestones:
            text.append("(none: m adds one)\n", style="dim")
        for milestone in campaign.milestones_by_date():
            text.append_text(inert(f"{day(milestone.date)}  ", "bold"))
            line(text, milestone.text)
            for part in (milestone.source_title, milestone.source_url):
                if part:
                    line(text, f"    {part}", "dim")
        return text

    def _linked_text(self, campaign: Campaign) -> Text:
        """Articles linked by hand or mentioning the campaign, and letters about it."""
        articles = self.workspace.news.linked(f"campaign:{campaign.id}", campaign.articles)
        letters = [
            letter
            for letter in self.workspace.records.letters.all()
            if letter.id in campaign.letters or campaign.id in letter.campaigns
        ]
        text = Text()
        if articles is None:
            line(text, "Linked news shows once the news cache is read (key 3).", "dim")
        elif articles:
            text.append("\nNews\n", style="bold")
            for article in articles[:20]:
                line(text, f"{article.published:%d %b %Y}  {article.title}")
                if article.link:
                    line(text, f"  {article.link}", "dim")
        if letters:
            text.append("\nLetters\n", style="bold")
            for letter in letters:
                line(text, f"- {letter.subject} ({letter.counterparty}, {letter.status})")
        return text

    # ------------------------------------------------------------ changes

    def action_add(self) -> None:
        self.app.push_screen(CampaignFormScreen(), lambda new: self.save_new("Campaign added", new))

    def action_edit(self) -> None:
        old = self.highlighted()
        if old is not None:
            self.app.push_screen(
                CampaignFormScreen(old), lambda new: self.save_edit("Campaign", old, new)
            )

    def action_goal(self) -> None:
        old = self.highlighted()
        if old is not None:
            self.app.push_screen(GoalFormScreen(old), lambda new: self.save_edit("Goal", old, new))

    def action_value(self) -> None:
        old = self.highlighted()
        if old is None:
            return
        if not old.goals:
            self.notify("This campaign has no goal yet: g adds one", severity="warning")
            return
        self.app.push_screen(
            ValueFormScreen(old, self.today), lambda new: self.save_edit("Value", old, new)
        )

    def action_milestone(self) -> None:
        old = self.highlighted()
        if old is not None:
            self.app.push_screen(
                MilestoneFormScreen(old), lambda new: self.save_edit("Milestone", old, new)
            )


SCREEN = CampaignsScreen
