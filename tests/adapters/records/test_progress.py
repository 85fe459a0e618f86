"""Progress and trajectory: the numbers a campaign screen and `campaigns list` show.

The worked example is the Government's "5,000 more GPs by 2020" (seed 000):
counted from 0 additional GPs on 24 Sep 2015 to 5,000 by 31 Dec 2020. The
seed articles give no measured value, so the values measured here are made up
for the test and said to be.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.records.campaigns import Campaign, Goal, Measurement
from adapters.records.checks import EARLIEST_DATE, LATEST_DATE, MAX_MAGNITUDE, MIN_MAGNITUDE
from adapters.records.pledges import Commitment, Pledge
from adapters.records.progress import (
    DAYS_A_YEAR,
    VERDICTS,
    campaign_progress,
    goal_progress,
    pledge_progress,
)
from adapters.sample import sample_campaigns

URL = "https://example.org/figures"
BASE = date(2015, 9, 24)
DEADLINE = date(2020, 12, 31)


def m(value: float, when: date) -> Measurement:
    return Measurement(value, when, source_url=URL)


def more_gps(*measurements: Measurement) -> Goal:
    return Goal(
        metric="Additional doctors in general practice",
        unit="doctors",
        baseline=0,
        baseline_date=BASE,
        target=5000,
        target_date=DEADLINE,
        measurements=measurements,
    )


def years(start: date, end: date) -> float:
    return (end - start).days / DAYS_A_YEAR


def test_five_thousand_more_gps_behind_with_the_yearly_rates() -> None:
    # Made up for the test: 1,000 more doctors by September 2018.
    measured = date(2018, 9, 30)
    today = date(2019, 1, 1)
    progress = goal_progress(more_gps(m(1000, measured)), today)
    assert progress.verdict == "behind"
    assert progress.latest == 1000 and progress.latest_date == measured
    assert progress.percent_done == pytest.approx(20.0)
    expected = 5000 * (measured - BASE).days / (DEADLINE - BASE).days
    assert progress.expected_on_path_at_latest_date == pytest.approx(expected)
    assert expected == pytest.approx(2862, abs=1)
    assert progress.gap_to_path == pytest.approx(1000 - expected)
    # The straight line needed about 950 more a year from the start ...
    assert progress.path_rate == pytest.approx(5000 / years(BASE, DEADLINE))
    assert progress.path_rate == pytest.approx(949, abs=1)
    # ... it managed about 330 a year, and now needs about 2,000 a year.
    assert progress.achieved_rate == pytest.approx(1000 / years(BASE, measured))
    assert progress.achieved_rate == pytest.approx(331, abs=1)
    assert progress.needed_rate == pytest.approx(4000 / years(today, DEADLINE))
    assert progress.needed_rate == pytest.approx(2001, abs=1)
    assert progress.days_left == (DEADLINE - today).days
    assert progress.flags == ()


def test_five_thousand_more_gps_missed_after_2020() -> None:
    # Made up: 3,000 more by March 2021, after the deadline.
    progress = goal_progress(
        more_gps(m(1000, date(2018, 9, 30)), m(3000, date(2021, 3, 31))), date(2021, 6, 1)
    )
    assert progress.verdict == "missed"
    assert progress.needed_rate is None  # no time left
    assert progress.expected_on_path_at_latest_date == 5000  # the path ends at the target
    assert progress.gap_to_path == pytest.approx(-2000)
    assert progress.path_rate == pytest.approx(949, abs=1)  # what it would have needed
    assert progress.days_left < 0


def test_on_track_and_achieved_before_the_deadline() -> None:
    today = date(2017, 1, 1)
    ahead = goal_progress(more_gps(m(2000, date(2016, 9, 24))), today)
    assert ahead.verdict == "on track" and ahead.gap_to_path > 0
    exactly_on_path = 5000 * (date(2016, 9, 24) - BASE).days / (DEADLINE - BASE).days
    on_line = goal_progress(more_gps(m(exactly_on_path, date(2016, 9, 24))), today)
    assert on_line.verdict == "on track"
    done = goal_progress(more_gps(m(5200, date(2016, 12, 1))), today)
    assert done.verdict == "achieved" and done.needed_rate == 0.0
    assert done.percent_done == pytest.approx(104.0) and done.bar_fraction == 1.0


def test_no_measurements_is_no_data_even_after_the_deadline() -> None:
    for today in (date(2016, 1, 1), date(2030, 1, 1)):
        progress = goal_progress(more_gps(), today)
        assert progress.verdict == "no data"
        assert progress.latest is None and progress.percent_done is None
        assert progress.needed_rate is None and progress.achieved_rate is None
        assert progress.bar_fraction == 0.0
        assert progress.path_rate == pytest.approx(949, abs=1)


def test_measurements_before_the_baseline_are_kept_but_not_counted() -> None:
    goal = more_gps(m(-100, date(2014, 9, 30)), m(-50, date(2015, 3, 31)))
    progress = goal_progress(goal, date(2016, 1, 1))
    assert progress.verdict == "no data"
    assert progress.flags == ("2 measurements dated before the baseline are not counted",)
    later = goal_progress(
        more_gps(m(-100, date(2014, 9, 30)), m(500, date(2016, 1, 1))), date(2016, 2, 1)
    )
    assert later.latest == 500 and later.flags[0].startswith("1 measurement dated")


def test_goal_to_reduce_something() -> None:
    # e.g. unfilled GP trainee places: 600 in 2015 (seed 000), a made-up target of 200.
    goal = Goal(
        metric="Unfilled GP trainee places",
        unit="vacancies",
        baseline=600,
        baseline_date=date(2015, 9, 24),
        target=200,
        target_date=date(2019, 9, 24),
        measurements=(m(500, date(2016, 9, 24)), m(450, date(2017, 9, 24))),
    )
    assert not goal.increasing
    progress = goal_progress(goal, date(2018, 1, 1))
    assert progress.percent_done == pytest.approx(37.5)
    assert progress.expected_on_path_at_latest_date == pytest.approx(400, abs=0.5)
    assert progress.verdict == "behind" and progress.gap_to_path < 0  # 450 is above 400
    assert progress.path_rate == pytest.approx(-100, abs=0.1)
    assert progress.achieved_rate is not None and progress.achieved_rate < 0
    assert progress.needed_rate is not None and progress.needed_rate < 0
    ahead = goal_progress(
        Goal(**{**goal.to_doc(), "measurements": [m(350, date(2017, 9, 24))]}), date(2018, 1, 1)
    )
    assert ahead.verdict == "on track" and ahead.gap_to_path > 0
    met = goal_progress(
        Goal(**{**goal.to_doc(), "measurements": [m(150, date(2019, 9, 1))]}), date(2020, 1, 1)
    )
    assert met.verdict == "achieved"


def test_target_equal_to_baseline_is_a_no_fewer_than_goal() -> None:
    goal = Goal(
        metric="GP practices in the area",
        unit="practices",
        baseline=40,
        baseline_date=date(2020, 1, 1),
        target=40,
        target_date=date(2022, 1, 1),
        measurements=(m(39, date(2021, 1, 1)),),
    )
    below = goal_progress(goal, date(2021, 2, 1))
    assert below.percent_done == 0.0 and below.verdict == "behind"
    assert below.path_rate == 0.0
    assert below.needed_rate is not None and below.needed_rate > 0
    kept = goal_progress(
        Goal(**{**goal.to_doc(), "measurements": [m(41, date(2021, 1, 1))]}), date(2021, 2, 1)
    )
    assert kept.percent_done == 100.0 and kept.verdict == "achieved"


def test_deadline_judged_on_the_last_value_by_the_target_date() -> None:
    # Reached in 2019, fell back by the deadline: missed, whatever came after.
    goal = more_gps(
        m(5100, date(2019, 6, 1)), m(4800, date(2020, 12, 31)), m(5300, date(2021, 6, 1))
    )
    progress = goal_progress(goal, date(2021, 7, 1))
    assert progress.verdict == "missed"
    assert progress.latest == 5300
    assert "reached after the target date (2021-06-01)" in progress.flags
    # Only a value after the deadline: judged on the first one after it.
    late = goal_progress(more_gps(m(5100, date(2021, 3, 31))), date(2021, 6, 1))
    assert late.verdict == "achieved"
    # The deadline has passed but nothing was measured since: said so.
    stale = goal_progress(more_gps(m(1000, date(2017, 1, 1))), date(2021, 6, 1))
    assert stale.verdict == "missed"
    assert stale.flags == (
        "no value measured since the target date; judged on the value of 2017-01-01",
    )


def test_same_day_values_the_later_recorded_counts() -> None:
    goal = more_gps(m(1000, date(2018, 1, 1)), m(1200, date(2018, 1, 1)))
    assert goal_progress(goal, date(2018, 2, 1)).latest == 1200


def test_a_value_on_the_baseline_date_has_no_achieved_rate() -> None:
    progress = goal_progress(more_gps(m(10, BASE)), date(2016, 1, 1))
    assert progress.achieved_rate is None and progress.verdict == "on track"


def test_latest_dated_after_today_needs_rate_from_its_own_date() -> None:
    measured = date(2019, 1, 1)
    progress = goal_progress(more_gps(m(4000, measured)), date(2018, 1, 1))
    assert progress.needed_rate == pytest.approx(1000 / years(measured, DEADLINE))


def test_campaign_progress_mean_of_measured_goals_and_worst_verdict() -> None:
    behind = more_gps(m(1000, date(2018, 9, 30)))
    achieved = Goal(
        metric="Trainees",
        unit="doctors",
        baseline=0,
        baseline_date=BASE,
        target=100,
        target_date=DEADLINE,
        measurements=(m(250, date(2018, 1, 1)),),
    )
    unmeasured = Goal(
        metric="Ambassadors",
        unit="GPs",
        baseline=0,
        baseline_date=BASE,
        target=10,
        target_date=DEADLINE,
    )
    campaign = Campaign(
        name="c", kind="recruitment", lead="HEE", goals=(behind, achieved, unmeasured)
    )
    progress = campaign_progress(campaign, date(2019, 1, 1))
    assert progress.verdict == "behind"
    assert [g.verdict for g in progress.goals] == ["behind", "achieved", "no data"]
    # 20% and 250% held to 100%: a goal overshooting does not hide one lagging.
    assert progress.percent_done == pytest.approx(60.0)
    empty = campaign_progress(Campaign(name="c", kind="petition", lead="RCGP"), date(2019, 1, 1))
    assert empty.verdict == "no data" and empty.percent_done is None and empty.goals == ()
    assert progress.as_dict()["goals"][0]["id"] == behind.key


def test_pledge_progress_counts_announced_commitments() -> None:
    pledge = Pledge(
        organisation="HEE",
        title="Return to training",
        commitments=(Commitment("a", "delivered"), Commitment("b", "dropped"), Commitment("c")),
        commitments_announced=10,
    )
    progress = pledge_progress(pledge)
    assert (progress.done, progress.total, progress.listed, progress.dropped) == (1, 10, 3, 1)
    assert progress.unlisted == 7 and progress.percent_done == pytest.approx(10.0)
    none = pledge_progress(Pledge(organisation="HEE", title="t"))
    assert none.total == 0 and none.percent_done is None


def test_sample_campaigns_have_progress_without_invented_values() -> None:
    for campaign in sample_campaigns():
        progress = campaign_progress(campaign, date(2025, 1, 1))
        assert progress.verdict == "no data"  # the seed articles measured nothing
    (goal,) = next(c for c in sample_campaigns() if c.name == "5,000 more GPs by 2020").goals
    assert (goal.baseline, goal.target, goal.target_date) == (0, 5000, date(2020, 12, 31))


# --- properties -------------------------------------------------------------

numbers = st.one_of(
    st.integers(min_value=-int(MAX_MAGNITUDE), max_value=int(MAX_MAGNITUDE)),
    st.floats(min_value=-MAX_MAGNITUDE, max_value=MAX_MAGNITUDE).map(
        lambda x: 0.0 if abs(x) < MIN_MAGNITUDE else x
    ),
)
dates = st.dates(min_value=EARLIEST_DATE, max_value=LATEST_DATE)


@st.composite
def goals(draw: st.DrawFn) -> Goal:
    first, second = sorted(draw(st.lists(dates, min_size=2, max_size=2, unique=True)))
    measured = draw(st.lists(st.tuples(numbers, dates), max_size=6))
    baseline = draw(numbers)
    return Goal(
        metric="m",
        unit="u",
        baseline=baseline,
        baseline_date=first,
        target=draw(st.one_of(numbers, st.just(baseline))),
        target_date=second,
        measurements=tuple(m(v, d) for v, d in measured),
    )


def _finite(value: float | None) -> bool:
    return value is None or math.isfinite(value)


@settings(max_examples=400)
@given(goal=goals(), today=dates)
def test_any_valid_goal_has_a_finite_progress_and_a_known_verdict(goal: Goal, today: date) -> None:
    progress = goal_progress(goal, today)
    assert progress.verdict in VERDICTS
    for value in (
        progress.percent_done,
        progress.expected_on_path_at_latest_date,
        progress.gap_to_path,
        progress.path_rate,
        progress.needed_rate,
        progress.achieved_rate,
    ):
        assert _finite(value)
    assert 0.0 <= progress.bar_fraction <= 1.0
    counted = goal.counted()
    assert (progress.verdict == "no data") == (not counted)
    if progress.verdict == "achieved":
        assert any(goal.reaches(x.value) for x in counted)
    if progress.verdict in ("on track", "behind"):
        assert today <= goal.target_date
    if progress.verdict == "missed":
        assert today > goal.target_date or counted[-1].date >= goal.target_date


@given(goal=goals(), today=dates)
def test_campaign_verdict_is_one_of_its_goals(goal: Goal, today: date) -> None:
    other = Goal(**{**goal.to_doc(), "metric": "other", "key": ""})
    campaign = Campaign(name="c", kind="other", lead="l", goals=(goal, other))
    progress = campaign_progress(campaign, today)
    assert progress.verdict in {g.verdict for g in progress.goals}
    assert progress.percent_done is None or 0.0 <= progress.percent_done <= 100.0


def test_a_day_either_side_of_the_deadline() -> None:
    goal = more_gps(m(4000, date(2020, 6, 30)))
    assert goal_progress(goal, DEADLINE).verdict in ("on track", "behind")
    assert goal_progress(goal, DEADLINE + timedelta(days=1)).verdict == "missed"
