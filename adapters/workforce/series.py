"""One published workforce figure, and the targets figures are held against.

A figure is never a bare number: it carries its period, geography, unit and
source, because every figure on screen must say where it came from.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import ClassVar

from adapters.document import Record
from adapters.provenance import Source
from adapters.validation import ValidationError, required_text

GEOGRAPHY_LEVELS = ("england", "region", "icb", "sub_icb", "pcn", "lmc", "practice")
ENGLAND_CODE = "E92000001"

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^(\d{4})$")
_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def period_position(period: str) -> float | None:
    """Where a period sits on a time axis, in years; None for a period we can not place.

    Periods are "YYYY-MM" (a census month), "YYYY" (a calendar year, e.g. a
    training intake) or "YYYY/YY" (a financial year, placed at its April start
    so 2016/17 sits just after Sep 2015 and before Sep 2016).
    """
    if m := _MONTH.match(period):
        return int(m[1]) + (int(m[2]) - 1) / 12
    if m := _YEAR.match(period):
        return float(m[1])
    if m := _FINANCIAL_YEAR.match(period):
        return int(m[1]) + 0.25
    return None


def period_sort_key(period: str) -> tuple[float, str]:
    position = period_position(period)
    return (math.inf if position is None else position, period)


def valid_period(period: str) -> bool:
    return period_position(period) is not None


def _finite(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(field, f"{value!r} is not a finite number")
    return value


@dataclass(frozen=True)
class Figure(Record):
    """A value of one metric for one period and place, e.g. GP trainee intake 2017.

    ``dataset`` names the import (or bundle) a figure came from: re-importing a
    period replaces exactly that dataset's figures for it, so a practice-level
    file and an individual-level file of the same month never erase each other.
    """

    TABLE: ClassVar[str] = "figures"
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = (
        "geography_code",
        "geography_name",
        "notes",
        "dataset",
    )

    metric: str
    period: str
    value: float
    unit: str
    source: Source
    geography_level: str = "england"
    geography_code: str = ENGLAND_CODE
    geography_name: str = "England"
    notes: str = ""
    dataset: str = ""
    sample: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        self.check_common()
        required_text(self.metric, "metric")
        required_text(self.period, "period")
        required_text(self.unit, "unit")
        _finite(self.value, "value")
        if self.geography_level not in GEOGRAPHY_LEVELS:
            raise ValidationError("geography_level", f"{self.geography_level!r} is not known")
        if not isinstance(self.source, Source):
            raise ValidationError("source", "every figure needs a source")


@dataclass(frozen=True)
class Target(Record):
    """A promise about a metric: from a baseline to a target value by a deadline.

    Stored in workforce.json beside the figures, so the user can correct a
    baseline (``gpwatch workforce target``) when they find a better source.
    ``target_value`` is the level promised, i.e. baseline plus the increase.
    """

    TABLE: ClassVar[str] = "targets"
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("notes",)

    name: str
    metric: str
    baseline_value: float
    baseline_period: str
    target_value: float
    deadline: str
    source: Source
    notes: str = ""
    sample: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        self.check_common()
        required_text(self.name, "name")
        required_text(self.metric, "metric")
        _finite(self.baseline_value, "baseline_value")
        _finite(self.target_value, "target_value")
        for field in ("baseline_period", "deadline"):
            value = getattr(self, field)
            if not isinstance(value, str) or not valid_period(value):
                raise ValidationError(field, f"{value!r} is not YYYY, YYYY-MM or YYYY/YY")
        if period_sort_key(self.deadline) <= period_sort_key(self.baseline_period):
            raise ValidationError("deadline", "must come after the baseline period")
        if not isinstance(self.source, Source):
            raise ValidationError("source", "every target needs a source")

    @property
    def increase(self) -> float:
        return self.target_value - self.baseline_value

    def expected_at(self, period: str) -> float | None:
        """The straight-line path from baseline to target, for a period on it."""
        start = period_position(self.baseline_period)
        end = period_position(self.deadline)
        here = period_position(period)
        if start is None or end is None or here is None or end <= start:
            return None
        share = min(max((here - start) / (end - start), 0.0), 1.0)
        return self.baseline_value + share * self.increase
