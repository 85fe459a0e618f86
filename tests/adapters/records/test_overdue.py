"""Overdue: which letters, by how many days, from which due date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.records.letters import LETTER_STATUSES, Letter
from adapters.records.overdue import (
    DEFAULT_RESPONSE_DAYS,
    OVERDUE_STATUSES,
    default_due,
    due_date,
    is_overdue,
    overdue_days,
    with_default_due,
)

SENT = date(2021, 9, 2)
DUE = date(2021, 9, 30)


def letter(**changes: Any) -> Letter:
    values: dict[str, Any] = {
        "subject": "Restore dialogue",
        "counterparty": "BMA GPC",
        "lmcs": ("Kent LMC",),
        "status": "sent",
        "sent": SENT,
        "due": DUE,
    }
    return Letter(**{**values, **changes})


@pytest.mark.parametrize(
    ("today", "days"),
    [
        (DUE - timedelta(days=1), 0),
        (DUE, 0),  # due today is not late yet
        (DUE + timedelta(days=1), 1),
        (DUE + timedelta(days=45), 45),
    ],
)
def test_days_overdue_count_from_the_day_after_due(today: date, days: int) -> None:
    assert overdue_days(letter(), today) == days
    assert is_overdue(letter(), today) == (days > 0)


@pytest.mark.parametrize(
    ("changes", "overdue"),
    [
        ({"status": "sent"}, True),
        ({"status": "acknowledged", "acknowledged": date(2021, 9, 3)}, True),
        ({"status": "no reply"}, True),
        ({"status": "draft"}, False),
        ({"status": "draft", "sent": None, "due": None}, False),
        ({"status": "responded", "responded": date(2021, 10, 20)}, False),
        ({"status": "responded"}, False),  # answered, even if nobody noted the day
        ({"status": "closed"}, False),
        ({"status": "closed", "closed": date(2021, 12, 1)}, False),
        ({"direction": "incoming"}, True),  # the LMCs owe the reply: same rule
    ],
)
def test_which_statuses_can_be_overdue(changes: dict[str, Any], overdue: bool) -> None:
    assert is_overdue(letter(**changes), date(2022, 1, 1)) is overdue


def test_without_a_due_date_the_default_period_applies() -> None:
    undated = letter(due=None)
    assert due_date(undated) == SENT + timedelta(days=DEFAULT_RESPONSE_DAYS)
    assert due_date(undated, 10) == date(2021, 9, 12)
    assert overdue_days(undated, date(2021, 9, 13), response_days=10) == 1
    assert overdue_days(undated, date(2021, 9, 13)) == 0
    assert due_date(letter(status="draft", sent=None, due=None)) is None


def test_an_agreed_due_date_wins_over_the_setting() -> None:
    assert due_date(letter(), response_days=1) == DUE


def test_default_due_and_with_default_due() -> None:
    assert default_due(SENT) == date(2021, 9, 30)
    assert default_due(SENT, 7) == date(2021, 9, 9)
    assert with_default_due(letter(due=None), 7).due == date(2021, 9, 9)
    kept = letter()
    assert with_default_due(kept, 7) is kept
    draft = letter(status="draft", due=None)
    assert with_default_due(draft) is draft  # not promised until it is sent
    closed = letter(status="closed", due=None)
    assert with_default_due(closed) is closed


def test_the_sample_letter_is_overdue_by_the_default() -> None:
    from adapters.sample import sample_letters

    (sample,) = sample_letters()
    assert sample.due is None
    assert overdue_days(sample, date(2021, 10, 1)) == 1


@given(
    status=st.sampled_from(LETTER_STATUSES),
    sent=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
    due_after=st.none() | st.integers(0, 400),
    today=st.dates(min_value=date(1999, 1, 1), max_value=date(2032, 1, 1)),
    days=st.integers(1, 365),
)
def test_overdue_days_agree_with_the_rule(
    status: str, sent: date, due_after: int | None, today: date, days: int
) -> None:
    due = None if due_after is None else sent + timedelta(days=due_after)
    item = letter(status=status, sent=sent, due=due)
    result = overdue_days(item, today, days)
    assert result >= 0
    effective = due or sent + timedelta(days=days)
    expected = status in OVERDUE_STATUSES and today > effective
    assert (result > 0) is expected
    if expected:
        assert result == (today - effective).days
