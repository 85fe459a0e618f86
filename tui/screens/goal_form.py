"""A campaign's goals: add or edit one, and record a measured value of one.

Both forms return the whole campaign with the change made, built through the
model (``Campaign`` checks goal keys and names are unique, ``record_value``
that a value names its source), so the screen saves it with the version it
started from and a change saved elsewhere meanwhile is never overwritten.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select, Static

from adapters.records.campaigns import Campaign, Goal, record_value
from adapters.records.checks import slug
from adapters.records.progress import goal_progress
from tui.format import day, number
from tui.inert import inert
from tui.screens.record_form import RecordForm

NEW = "+new"
"""The goal chooser's value for "a new goal"; a slug never starts with '+'."""

GOAL_FIELDS = (
    "which",
    "metric",
    "unit",
    "baseline",
    "baseline_date",
    "target",
    "target_date",
    "notes",
)
VALUE_FIELDS = ("goal", "value", "date", "source_url", "source_title", "note")


def _figure(value: float) -> str:
    return number(value)


class GoalFormScreen(RecordForm[Campaign]):
    """Add a goal, or edit one picked from the chooser; measured values are kept."""

    FIELDS = GOAL_FIELDS
    DIALOG_ID = "goal-dialog"

    def __init__(self, campaign: Campaign, goal_key: str | None = None) -> None:
        super().__init__()
        self._campaign = campaign
        self._goal_key = goal_key or NEW

    def heading(self) -> str:
        return f"Goals of {self._campaign.name}"

    def _goal(self, key: str) -> Goal | None:
        return next((g for g in self._campaign.goals if g.key == key), None)

    def compose_fields(self) -> ComposeResult:
        goal = self._goal(self._goal_key)
        yield Label("Goal")
        yield Select(
            [(inert("a new goal"), NEW)]
            + [(inert(f"{g.metric} ({g.key})"), g.key) for g in self._campaign.goals],
            value=self._goal_key,
            allow_blank=False,
            id="which",
        )
        yield Static("", id="which-error", classes="field-error")
        yield from self.text_field(
            "metric", "Metric (what is counted)", goal.metric if goal else ""
        )
        yield from self.text_field(
            "unit", "Unit (GPs, FTE, signatures, £…)", goal.unit if goal else ""
        )
        yield from self.text_field(
            "baseline", "Baseline value", _figure(goal.baseline) if goal else ""
        )
        yield from self.date_field(
            "baseline_date", "Baseline date", goal.baseline_date if goal else None
        )
        yield from self.text_field("target", "Target value", _figure(goal.target) if goal else "")
        yield from self.date_field("target_date", "Target date", goal.target_date if goal else None)
        yield from self.text_field("notes", "Notes (optional)", goal.notes if goal else "")

    @on(Select.Changed, "#which")
    def _chosen(self, event: Select.Changed) -> None:
        """Fill the fields from the goal chosen, so editing starts from what is stored."""
        goal = self._goal(str(event.value))
        values = {
            "metric": goal.metric if goal else "",
            "unit": goal.unit if goal else "",
            "baseline": _figure(goal.baseline) if goal else "",
            "baseline_date": goal.baseline_date.isoformat() if goal else "",
            "target": _figure(goal.target) if goal else "",
            "target_date": goal.target_date.isoformat() if goal else "",
            "notes": goal.notes if goal else "",
        }
        for name, value in values.items():
            self.query_one(f"#{name}", Input).value = value

    def build(self, errors: dict[str, str]) -> Campaign | None:
        which = str(self.query_one("#which", Select).value)
        old = self._goal(which)
        metric = self.required("metric", errors)
        unit = self.required("unit", errors, "must not be empty: GPs, FTE, signatures…")
        baseline = self.get_number("baseline", errors)
        baseline_date = self.get_date("baseline_date", errors, required=True)
        target = self.get_number("target", errors)
        target_date = self.get_date("target_date", errors, required=True)
        if baseline_date and target_date and target_date <= baseline_date:
            errors["target_date"] = "must be after the baseline date"
        if errors or baseline is None or target is None:
            return None
        assert baseline_date is not None and target_date is not None
        notes = self.get_text("notes")
        if old is None:
            taken = {g.key for g in self._campaign.goals}
            key, n = slug(metric) or "goal", 2
            base = key
            while key in taken:  # "GPs" and "GPs!" are two names but one slug
                key, n = f"{base}-{n}", n + 1
            goal = Goal(metric, unit, baseline, baseline_date, target, target_date, (), notes, key)
            goals = (*self._campaign.goals, goal)
        else:
            goal = replace(
                old,
                metric=metric,
                unit=unit,
                baseline=baseline,
                baseline_date=baseline_date,
                target=target,
                target_date=target_date,
                notes=notes,
            )
            goals = tuple(goal if g is old else g for g in self._campaign.goals)
        return replace(self._campaign, goals=goals)


class ValueFormScreen(RecordForm[Campaign]):
    """Record one measured value of a goal, with where it was published."""

    FIELDS = VALUE_FIELDS
    DIALOG_ID = "value-dialog"

    def __init__(self, campaign: Campaign, today: date) -> None:
        super().__init__()
        self._campaign = campaign
        self._today = today

    def heading(self) -> str:
        return f"Record a value: {self._campaign.name}"

    def compose_fields(self) -> ComposeResult:
        goals = self._campaign.goals
        yield Label("Goal")
        yield Select(
            [(inert(f"{g.metric} ({g.key})"), g.key) for g in goals],
            value=goals[0].key,
            allow_blank=False,
            id="goal",
        )
        yield Static("", id="goal-error", classes="field-error")
        yield Static(self._goal_summary(goals[0].key), id="goal-summary")
        yield from self.text_field("value", "Value measured", placeholder="e.g. 5,000")
        yield from self.date_field("date", "Measured on (or published on)", self._today)
        yield from self.text_field("source_url", "Source web address", placeholder="https://…")
        yield from self.text_field("source_title", "Source title (a web address, a title or both)")
        yield from self.text_field("note", "Note (optional)")

    def _goal_summary(self, key: str) -> Text:
        goal = next(g for g in self._campaign.goals if g.key == key)
        progress = goal_progress(goal, self._today)
        line = (
            f"{_figure(goal.baseline)} on {day(goal.baseline_date)} → {_figure(goal.target)} "
            f"{goal.unit} by {day(goal.target_date)}; "
        )
        if progress.latest is None:
            line += "nothing measured yet"
        else:
            line += f"latest {_figure(progress.latest)} on {day(progress.latest_date)}"
        return inert(line, "dim")

    @on(Select.Changed, "#goal")
    def _chosen(self, event: Select.Changed) -> None:
        self.query_one("#goal-summary", Static).update(self._goal_summary(str(event.value)))

    def build(self, errors: dict[str, str]) -> Campaign | None:
        key = str(self.query_one("#goal", Select).value)
        value = self.get_number("value", errors)
        when = self.get_date("date", errors, required=True)
        if when is not None and when > self._today:
            errors["date"] = f"{when.isoformat()} is in the future"
        source_url = self.get_url("source_url", errors)
        source_title = self.get_text("source_title")
        if not source_url and not source_title and "source_url" not in errors:
            errors["source_url"] = "name the source: a web address, a title or both"
        if errors or value is None or when is None:
            return None
        return record_value(
            self._campaign,
            key,
            value,
            when,
            source_url,
            source_title=source_title,
            note=self.get_text("note"),
            today=self._today,
        )
