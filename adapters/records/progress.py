"""How far goals, campaigns and pledges have got: the one place this is computed.

Every screen, command and export asks here, so "behind" means the same thing
everywhere. Nothing here is stored: progress depends on ``today``, which the
caller passes (the workspace clock), so tests and snapshots are repeatable.

For a goal (baseline B on date tB, target T on date tT, latest counted value L
on date tL):

* ``percent_done`` = (L - B) / (T - B) x 100, not clamped: below 0 means the
  metric went the wrong way, above 100 that it overshot. For a goal whose
  target equals its baseline it is 100 when met, else 0.
* the **path** is the straight line from (tB, B) to (tT, T); ``path_rate`` is
  its slope a year: the yearly change the goal needed from the start.
  ``expected_on_path_at_latest_date`` is where the line is at tL (T once tL
  is past tT) and ``gap_to_path`` is how far L is ahead of it (+) or behind
  it (-), signed so that positive is always good, also for a goal to reduce.
* ``achieved_rate`` = (L - B) a year from tB to tL (None when tL is tB).
* ``needed_rate`` = (T - L) a year from max(today, tL) to tT: the pace needed
  from now; 0 when L already meets T; None once the target date is reached
  (there is no time left) or with no measurement.
* the **verdict**, first that applies:
  ``no data`` — no measurement on or after the baseline date;
  ``achieved`` / ``missed`` — once the target date has passed (or a value is
  dated on or after it), judged on the last value measured on or before the
  target date, or if there is none, the first one after it: met is
  ``achieved``, otherwise ``missed`` (``flags`` say when it was reached
  late, or when no value was measured near the deadline);
  ``achieved`` — the latest value already meets the target;
  ``on track`` — the latest value is on or ahead of the path;
  ``behind`` — otherwise.

A campaign's percent is the mean of its measured goals' percents, each held to
0..100 first (one goal overshooting must not hide another going backwards);
its verdict is the worst of its measured goals' (missed, behind, on track,
achieved), and ``no data`` only when no goal has a measurement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from adapters.records.campaigns import Campaign, Goal, Measurement
from adapters.records.pledges import Pledge

VERDICTS = ("on track", "behind", "achieved", "missed", "no data")
WORST_FIRST = ("missed", "behind", "on track", "achieved")
DAYS_A_YEAR = 365.2425


def _years(start: dt.date, end: dt.date) -> float:
    return (end - start).days / DAYS_A_YEAR


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True)
class GoalProgress:
    """One goal's position against its target on a given day (see the module doc)."""

    key: str
    metric: str
    unit: str
    baseline: float
    baseline_date: dt.date
    target: float
    target_date: dt.date
    latest: float | None
    latest_date: dt.date | None
    latest_source: str
    percent_done: float | None
    expected_on_path_at_latest_date: float | None
    gap_to_path: float | None
    path_rate: float
    needed_rate: float | None
    achieved_rate: float | None
    days_left: int
    verdict: str
    flags: tuple[str, ...] = ()

    @property
    def bar_fraction(self) -> float:
        """``percent_done`` held to 0..1, for a progress bar (0 with no data)."""
        if self.percent_done is None:
            return 0.0
        return min(1.0, max(0.0, self.percent_done / 100))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings. ``id`` is the goal's key."""
        return {
            "id": self.key,
            "metric": self.metric,
            "unit": self.unit,
            "baseline": self.baseline,
            "baseline_date": self.baseline_date.isoformat(),
            "target": self.target,
            "target_date": self.target_date.isoformat(),
            "latest": self.latest,
            "latest_date": self.latest_date.isoformat() if self.latest_date else None,
            "latest_source": self.latest_source,
            "percent_done": self.percent_done,
            "expected_on_path": self.expected_on_path_at_latest_date,
            "gap_to_path": self.gap_to_path,
            "path_rate": self.path_rate,
            "needed_rate": self.needed_rate,
            "achieved_rate": self.achieved_rate,
            "days_left": self.days_left,
            "verdict": self.verdict,
            "flags": list(self.flags),
        }


def _percent(goal: Goal, value: float) -> float:
    if goal.target == goal.baseline:
        return 100.0 if goal.reaches(value) else 0.0
    return (value - goal.baseline) / (goal.target - goal.baseline) * 100


def _judged_at_deadline(goal: Goal, counted: tuple[Measurement, ...]) -> Measurement:
    """The value a goal is judged on once its target date is reached."""
    by_then = [m for m in counted if m.date <= goal.target_date]
    if by_then:
        return by_then[-1]
    return next(m for m in counted if m.date > goal.target_date)


def goal_progress(goal: Goal, today: dt.date) -> GoalProgress:
    """Where ``goal`` stands on ``today``; never raises for a goal that constructed."""
    span_years = _years(goal.baseline_date, goal.target_date)
    path_rate = (goal.target - goal.baseline) / span_years
    counted = goal.counted()
    flags: list[str] = []
    skipped = len(goal.measurements) - len(counted)
    if skipped:
        flags.append(
            f"{_plural(skipped, 'measurement')} dated before the baseline "
            f"{'is' if skipped == 1 else 'are'} not counted"
        )
    common: dict[str, Any] = {
        "key": goal.key,
        "metric": goal.metric,
        "unit": goal.unit,
        "baseline": goal.baseline,
        "baseline_date": goal.baseline_date,
        "target": goal.target,
        "target_date": goal.target_date,
        "path_rate": path_rate,
        "days_left": (goal.target_date - today).days,
    }
    if not counted:
        return GoalProgress(
            **common,
            latest=None,
            latest_date=None,
            latest_source="",
            percent_done=None,
            expected_on_path_at_latest_date=None,
            gap_to_path=None,
            needed_rate=None,
            achieved_rate=None,
            verdict="no data",
            flags=tuple(flags),
        )

    latest = counted[-1]
    value = latest.value
    along = min(1.0, _years(goal.baseline_date, latest.date) / span_years)
    expected = goal.baseline + (goal.target - goal.baseline) * along
    gap = (value - expected) if goal.increasing else (expected - value)
    elapsed = _years(goal.baseline_date, latest.date)
    achieved_rate = (value - goal.baseline) / elapsed if elapsed > 0 else None
    start = max(today, latest.date)
    needed_rate: float | None = None
    if start < goal.target_date:
        needed_rate = (
            0.0
            if goal.reaches(value)
            else ((goal.target - value) / _years(start, goal.target_date))
        )

    if today > goal.target_date or latest.date >= goal.target_date:
        judged = _judged_at_deadline(goal, counted)
        verdict = "achieved" if goal.reaches(judged.value) else "missed"
        if verdict == "missed" and goal.reaches(value):
            flags.append(f"reached after the target date ({latest.date.isoformat()})")
        if judged.date < goal.target_date and latest.date < goal.target_date:
            flags.append(
                "no value measured since the target date; judged on the value of "
                + judged.date.isoformat()
            )
    elif goal.reaches(value):
        verdict = "achieved"
    else:
        tolerance = abs(goal.target - goal.baseline) * 1e-9
        verdict = "on track" if gap >= -tolerance else "behind"

    return GoalProgress(
        **common,
        latest=value,
        latest_date=latest.date,
        latest_source=latest.source_label,
        percent_done=_percent(goal, value),
        expected_on_path_at_latest_date=expected,
        gap_to_path=gap,
        needed_rate=needed_rate,
        achieved_rate=achieved_rate,
        verdict=verdict,
        flags=tuple(flags),
    )


@dataclass(frozen=True)
class CampaignProgress:
    """A campaign's goals on one day, and the summary a list row shows."""

    goals: tuple[GoalProgress, ...]
    percent_done: float | None
    verdict: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "percent_done": self.percent_done,
            "verdict": self.verdict,
            "goals": [g.as_dict() for g in self.goals],
        }


def campaign_progress(campaign: Campaign, today: dt.date) -> CampaignProgress:
    """Each goal's progress, their mean percent and the worst verdict (module doc)."""
    goals = tuple(goal_progress(goal, today) for goal in campaign.goals)
    measured = [g for g in goals if g.verdict != "no data"]
    if not measured:
        return CampaignProgress(goals, None, "no data")
    percents = [min(100.0, max(0.0, g.percent_done or 0.0)) for g in measured]
    verdict = min((g.verdict for g in measured), key=WORST_FIRST.index)
    return CampaignProgress(goals, sum(percents) / len(percents), verdict)


@dataclass(frozen=True)
class PledgeProgress:
    """Commitments delivered out of those made (announced, when more than listed)."""

    done: int
    total: int
    listed: int
    dropped: int
    percent_done: float | None

    @property
    def unlisted(self) -> int:
        """Commitments announced but not listed by the source, so not tracked one by one."""
        return self.total - self.listed

    def as_dict(self) -> dict[str, Any]:
        return {
            "commitments_done": self.done,
            "commitments_total": self.total,
            "commitments_listed": self.listed,
            "commitments_dropped": self.dropped,
            "percent_done": self.percent_done,
        }


def pledge_progress(pledge: Pledge) -> PledgeProgress:
    """Delivered over total; a dropped commitment still counts in the total (it was made)."""
    total = pledge.commitments_total
    done = pledge.commitments_done
    dropped = sum(1 for c in pledge.commitments if c.status == "dropped")
    percent = done / total * 100 if total else None
    return PledgeProgress(done, total, len(pledge.commitments), dropped, percent)
