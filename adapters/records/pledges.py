"""Funding pledges and the commitments that come with them.

A pledge is a sum promised (e.g. HEE's £10m a year to help trainees return to
training) and the things promised with it, each tracked on its own. Progress
is commitments delivered over commitments made (``adapters.records.progress``).

When a source announces more commitments than it lists (HEE announced 10; the
article lists 6), ``commitments_announced`` holds the announced number, so
progress is counted out of 10, without inventing the wording of the other four.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from adapters.document import Record
from adapters.provenance import Source
from adapters.records.checks import bounded_date, http_url
from adapters.validation import ValidationError, one_of, optional_text, required_text

PLEDGE_STATUSES = ("announced", "funded", "delivering", "delivered", "dropped")
COMMITMENT_STATUSES = ("not started", "in progress", "delivered", "dropped", "unknown")


@dataclass(frozen=True)
class Commitment:
    """One thing a pledge promised, with its own delivery status and evidence."""

    text: str
    status: str = "unknown"
    evidence: str = ""

    def __post_init__(self) -> None:
        required_text(self.text, "commitments.text")
        one_of(self.status, COMMITMENT_STATUSES, "commitments.status")
        http_url(self.evidence, "commitments.evidence")

    def to_doc(self) -> dict[str, Any]:
        return {"text": self.text, "status": self.status, "evidence": self.evidence}


def _commitment(value: object) -> Commitment:
    if isinstance(value, Commitment):
        return value
    if not isinstance(value, dict):
        raise ValidationError("commitments", "each commitment must be an object")
    try:
        return Commitment(**value)
    except TypeError as exc:
        raise ValidationError("commitments", str(exc)) from exc


@dataclass(frozen=True)
class Pledge(Record):
    """A funding promise: who, what, how much (one-off or a year), from when.

    ``amount_gbp`` is whole pounds, or None when the source gives no sum;
    ``recurrent`` means the amount is per year from ``funded_from``.
    """

    TABLE: ClassVar[str] = "pledges"
    DATE_FIELDS: ClassVar[tuple[str, ...]] = ("announced", "funded_from")
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("summary", "notes")

    organisation: str
    title: str
    amount_gbp: int | None = None
    recurrent: bool = False
    funded_from: dt.date | None = None
    announced: dt.date | None = None
    status: str = "announced"
    commitments: tuple[Commitment, ...] = field(default_factory=tuple)
    summary: str = ""
    commitments_announced: int | None = None
    notes: str = ""
    source: Source | None = None
    sample: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        self.check_common()
        required_text(self.organisation, "organisation")
        required_text(self.title, "title")
        if self.amount_gbp is not None and (
            isinstance(self.amount_gbp, bool)
            or not isinstance(self.amount_gbp, int)
            or self.amount_gbp < 0
        ):
            raise ValidationError("amount_gbp", "must be a whole number of pounds, 0 or more")
        if not isinstance(self.recurrent, bool):
            raise ValidationError("recurrent", "must be true or false")
        one_of(self.status, PLEDGE_STATUSES, "status")
        object.__setattr__(self, "announced", bounded_date(self.announced, "announced"))
        object.__setattr__(self, "funded_from", bounded_date(self.funded_from, "funded_from"))
        if not isinstance(self.commitments, list | tuple):
            raise ValidationError("commitments", "must be a list")
        commitments = tuple(_commitment(c) for c in self.commitments)
        object.__setattr__(self, "commitments", commitments)
        announced = self.commitments_announced
        if announced is not None:
            if isinstance(announced, bool) or not isinstance(announced, int):
                raise ValidationError("commitments_announced", "must be a whole number")
            if announced < len(commitments):
                raise ValidationError(
                    "commitments_announced",
                    f"is {announced} but {len(commitments)} commitments are listed",
                )
        optional_text(self.notes, "notes")

    @property
    def commitments_done(self) -> int:
        return sum(1 for c in self.commitments if c.status == "delivered")

    @property
    def commitments_total(self) -> int:
        """Commitments made: the announced number when the source listed fewer."""
        return max(len(self.commitments), self.commitments_announced or 0)


def set_commitment(pledge: Pledge, index: int, status: str, evidence: str | None = None) -> Pledge:
    """A copy of ``pledge`` with commitment ``index`` (0-based) given a new status.

    ``evidence`` None keeps the current link. Nothing is saved: the caller
    stores the returned pledge. Raises IndexError or ValidationError.
    """
    if not 0 <= index < len(pledge.commitments):
        raise IndexError(f"pledge {pledge.title!r} has no commitment {index + 1}")
    old = pledge.commitments[index]
    new = Commitment(old.text, status, old.evidence if evidence is None else evidence)
    commitments = (*pledge.commitments[:index], new, *pledge.commitments[index + 1 :])
    return replace(pledge, commitments=commitments)
