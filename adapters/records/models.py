"""The user's records: LMC letters, campaigns and funding pledges.

Plain dataclasses that refuse bad values on construction (so a bad document
never gets as far as the screen) and round-trip to TinyDB documents. These are
the foundation's minimal shapes; the Campaigns and Pledges issues extend them.
Letter lives in letters.py and is re-exported here so existing imports work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from adapters.document import Record
from adapters.provenance import Source
from adapters.records.letters import LETTER_DIRECTIONS, LETTER_STATUSES, Letter
from adapters.validation import (
    ValidationError,
    one_of,
    optional_date,
    optional_text,
    required_text,
    text_list,
)

CAMPAIGN_KINDS = (
    "recruitment",
    "petition",
    "public campaign",
    "lobbying",
    "ballot/industrial action",
    "other",
)
CAMPAIGN_STATUSES = ("planned", "active", "paused", "ended", "won", "lost")
PLEDGE_STATUSES = ("announced", "funded", "delivering", "delivered", "dropped")
COMMITMENT_STATUSES = ("not started", "in progress", "delivered", "dropped", "unknown")


@dataclass(frozen=True)
class Campaign(Record):
    """A recruitment campaign, petition, public campaign or lobbying effort."""

    TABLE: ClassVar[str] = "campaigns"
    DATE_FIELDS: ClassVar[tuple[str, ...]] = ("started", "ends")
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("summary",)

    name: str
    kind: str
    lead: str
    backers: tuple[str, ...] = ()
    status: str = "active"
    started: date | None = None
    ends: date | None = None
    channels: tuple[str, ...] = ()
    summary: str = ""
    source: Source | None = None
    sample: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        self.check_common()
        required_text(self.name, "name")
        one_of(self.kind, CAMPAIGN_KINDS, "kind")
        required_text(self.lead, "lead")
        object.__setattr__(self, "backers", text_list(self.backers, "backers"))
        object.__setattr__(self, "channels", text_list(self.channels, "channels"))
        one_of(self.status, CAMPAIGN_STATUSES, "status")
        object.__setattr__(self, "started", optional_date(self.started, "started"))
        object.__setattr__(self, "ends", optional_date(self.ends, "ends"))
        if self.started and self.ends and self.ends < self.started:
            raise ValidationError("ends", "is before the campaign started")


@dataclass(frozen=True)
class Commitment:
    """One thing a pledge promised, with its own delivery status."""

    text: str
    status: str = "unknown"
    evidence: str = ""

    def __post_init__(self) -> None:
        required_text(self.text, "commitments.text")
        one_of(self.status, COMMITMENT_STATUSES, "commitments.status")
        optional_text(self.evidence, "commitments.evidence")

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
    """A funding promise, e.g. HEE's £10m a year to help trainees return to training."""

    TABLE: ClassVar[str] = "pledges"
    DATE_FIELDS: ClassVar[tuple[str, ...]] = ("announced", "funded_from")
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("summary",)

    organisation: str
    title: str
    amount_gbp: int | None = None
    recurrent: bool = False
    funded_from: date | None = None
    announced: date | None = None
    status: str = "announced"
    commitments: tuple[Commitment, ...] = field(default_factory=tuple)
    summary: str = ""
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
        object.__setattr__(self, "announced", optional_date(self.announced, "announced"))
        object.__setattr__(self, "funded_from", optional_date(self.funded_from, "funded_from"))
        commitments = tuple(_commitment(c) for c in self.commitments)
        object.__setattr__(self, "commitments", commitments)

    @property
    def commitments_done(self) -> int:
        return sum(1 for c in self.commitments if c.status == "delivered")


__all__ = [
    "CAMPAIGN_KINDS",
    "CAMPAIGN_STATUSES",
    "COMMITMENT_STATUSES",
    "LETTER_DIRECTIONS",
    "LETTER_STATUSES",
    "PLEDGE_STATUSES",
    "RECORD_TYPES",
    "Campaign",
    "Commitment",
    "Letter",
    "Pledge",
]

RECORD_TYPES: tuple[type[Record], ...] = (Letter, Campaign, Pledge)
