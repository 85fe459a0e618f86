"""One published workforce figure.

A figure is never a bare number: it carries its period, geography, unit and
source, because every figure on screen must say where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

from adapters.provenance import Source
from adapters.validation import ValidationError, required_text

GEOGRAPHY_LEVELS = ("england", "region", "icb", "sub_icb", "pcn", "lmc", "practice")


@dataclass(frozen=True)
class Figure:
    """A value of one metric for one period and place, e.g. GP trainee intake 2017."""

    TABLE: ClassVar[str] = "figures"

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
        required_text(self.metric, "metric")
        required_text(self.period, "period")
        required_text(self.unit, "unit")
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise ValidationError("value", f"{self.value!r} is not a number")
        if self.geography_level not in GEOGRAPHY_LEVELS:
            raise ValidationError("geography_level", f"{self.geography_level!r} is not known")
        if not isinstance(self.source, Source):
            raise ValidationError("source", "every figure needs a source")

    def to_doc(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "period": self.period,
            "value": self.value,
            "unit": self.unit,
            "source": self.source.to_doc(),
            "geography_level": self.geography_level,
            "geography_code": self.geography_code,
            "geography_name": self.geography_name,
            "notes": self.notes,
            "sample": self.sample,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any], doc_id: int | None = None) -> Self:
        values = dict(doc)
        values["source"] = Source.from_doc(values.get("source") or {})
        values["id"] = doc_id
        try:
            return cls(**values)
        except TypeError as exc:
            raise ValidationError("figure", str(exc)) from exc
