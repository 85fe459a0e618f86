"""Dates as British people and spreadsheets write them, and nothing that could be misread."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.dates import local_date, parse_date, parse_optional_date
from adapters.validation import ValidationError


@pytest.mark.parametrize(
    "text",
    [
        "2021-09-02",
        "2 Sep 2021",
        "2 September 2021",
        "02/09/2021",
        "2/9/2021",
        " 2 sep 2021 ",
        "2 SEPTEMBER 2021",
        "2 Sept 2021",
        "2 Sep. 2021",
        "02 Sep 2021",
    ],
)
def test_accepted_shapes(text: str) -> None:
    assert parse_date(text, "sent") == date(2021, 9, 2)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("31 Feb 2021", "not a real date"),
        ("2021-02-29", "not a real date"),
        ("31/04/2021", "not a real date"),
        ("09/13/2021", "day comes first"),  # American order is refused, not swapped
        ("2021-9-2", "not a date"),
        ("02/09/21", "not a date"),  # two-digit years are ambiguous
        ("2 Foo 2021", "not a date"),
        ("Sep 2 2021", "not a date"),
        ("2021/09/02", "not a date"),
        ("20210902", "not a date"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("\uff12\uff10\uff12\uff11-09-02", "not a date"),  # full-width digits
        ("0000-01-01", "not a real date"),
        ("yesterday", "not a date"),
    ],
)
def test_refused_with_the_field_named(text: str, needle: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_date(text, "responded")
    assert caught.value.field == "responded"
    assert needle in caught.value.message


def test_not_text_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_date(None, "due")  # type: ignore[arg-type]
    assert caught.value.field == "due"


def test_optional_dates() -> None:
    assert parse_optional_date(None, "due") is None
    assert parse_optional_date("  ", "due") is None
    assert parse_optional_date("1 Jan 2020", "due") == date(2020, 1, 1)


@given(st.dates(min_value=date(1000, 1, 1)))
def test_every_shape_of_every_date_round_trips(day: date) -> None:
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    for text in (
        day.isoformat(),
        f"{day.day} {months[day.month - 1]} {day.year}",
        f"{day:%d/%m/%Y}",
        f"{day.day} {day:%B} {day.year}",  # %B is English in the C locale tests run in
    ):
        assert parse_date(text, "sent") == day


@given(st.text())
def test_any_text_parses_or_names_the_field(text: str) -> None:
    try:
        parse_date(text, "sent")
    except ValidationError as exc:
        assert exc.field == "sent"


def test_local_date_is_the_users_calendar_day() -> None:
    now = datetime(2021, 9, 2, 12, tzinfo=UTC)
    assert local_date(now) == now.astimezone().date()
