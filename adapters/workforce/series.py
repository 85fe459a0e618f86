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


@dataclass(frozen=True)
class FigureSet(Record):
    """Every imported figure of one dataset, period and place, as one stored document.

    An import stores ~160 places a month with ~25 metrics each. As one
    document per figure, each repeating its source and notes, that was ~570
    bytes a figure (2 MB a month, 120 MB for five years of monthly files);
    sharing the place, source and headcount note across a place's metrics
    makes it ~1 KB per place and period. :meth:`figures` expands it again.
    """

    TABLE: ClassVar[str] = "figure_sets"
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = (
        "dataset",
        "geography_code",
        "geography_name",
        "headcount_note",
    )

    dataset: str
    period: str
    geography_level: str
    geography_code: str
    geography_name: str
    values: dict[str, float]
    source: Source
    headcount_note: str = ""
    notes: dict[str, str] | None = None
    sample: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        self.check_common()
        required_text(self.dataset, "dataset")
        required_text(self.period, "period")
        if self.geography_level not in GEOGRAPHY_LEVELS:
            raise ValidationError("geography_level", f"{self.geography_level!r} is not known")
        if not isinstance(self.values, dict) or not self.values:
            raise ValidationError("values", "must map metric names to numbers")
        for key, value in self.values.items():
            required_text(key, "values")
            _finite(value, f"values.{key}")
        if self.notes is not None and not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.notes.items()
        ):
            raise ValidationError("notes", "must map metric names to text")
        if not isinstance(self.source, Source):
            raise ValidationError("source", "every figure needs a source")

    def figures(self) -> list[Figure]:
        from adapters.workforce.metrics import metric

        notes = self.notes or {}
        out = []
        for key, value in self.values.items():
            parts = [self.headcount_note if key.endswith("_hc") else "", notes.get(key, "")]
            out.append(
                Figure(
                    metric=key,
                    period=self.period,
                    value=value,
                    unit=metric(key).unit or "count",
                    source=self.source,
                    geography_level=self.geography_level,
                    geography_code=self.geography_code,
                    geography_name=self.geography_name,
                    notes="; ".join(p for p in parts if p),
                    dataset=self.dataset,
                )
            )
        return out


def group_figures(figures: list[Figure], headcount_note: str = "") -> list[FigureSet]:
    """Figures of one import grouped into a set per dataset, period and place."""
    grouped: dict[tuple[str, str, str, str], list[Figure]] = {}
    for figure in figures:
        key = (figure.dataset, figure.period, figure.geography_level, figure.geography_code)
        grouped.setdefault(key, []).append(figure)
    sets = []
    for (dataset, period, level, code), members in grouped.items():
        first = members[0]
        notes = {}
        for f in members:
            note = f.notes
            if f.metric.endswith("_hc") and headcount_note:
                note = "; ".join(p for p in note.split("; ") if p != headcount_note)
            if note:
                notes[f.metric] = note
        sets.append(
            FigureSet(
                dataset=dataset,
                period=period,
                geography_level=level,
                geography_code=code,
                geography_name=first.geography_name,
                values={f.metric: f.value for f in members},
                source=first.source,
                headcount_note=headcount_note,
                notes=notes or None,
            )
        )
    return sets
