"""One published workforce figure.

A figure is never a bare number: it carries its period, geography, unit and
source, because every figure on screen must say where it came from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from adapters.document import Record
from adapters.provenance import Source
from adapters.validation import ValidationError, required_text

GEOGRAPHY_LEVELS = ("england", "region", "icb", "sub_icb", "pcn", "lmc", "practice")


@dataclass(frozen=True)
class Figure(Record):
    """A value of one metric for one period and place, e.g. GP trainee intake 2017."""

    TABLE: ClassVar[str] = "figures"
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("geography_code", "geography_name", "notes")

    metric: str
    period: str
    value: float
    unit: str
    source: Source
    geography_level: str = "england"
    geography_code: str = "E92000001"
    geography_name: str = "England"
    notes: str = ""
    sample: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        self.check_common()
        required_text(self.metric, "metric")
        required_text(self.period, "period")
        required_text(self.unit, "unit")
        if (
            isinstance(self.value, bool)
            or not isinstance(self.value, int | float)
            or not math.isfinite(self.value)
        ):
            raise ValidationError("value", f"{self.value!r} is not a finite number")
        if self.geography_level not in GEOGRAPHY_LEVELS:
            raise ValidationError("geography_level", f"{self.geography_level!r} is not known")
        if not isinstance(self.source, Source):
            raise ValidationError("source", "every figure needs a source")
