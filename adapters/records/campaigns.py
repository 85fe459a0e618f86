"""Campaigns: recruitment drives, petitions, public campaigns and lobbying, with their goals.

A campaign is judged by its goals: each goal is one metric with a baseline and
a target (each a value and a date) and the values measured since, each naming
its source. How far a goal has got is computed in ``adapters.records.progress``,
never stored, so it can not go stale.

Policies (the screens and commands rely on them):

* **Goal keys.** Every goal has a ``key``: a slug of its metric ("additional
  GPs in general practice" -> ``additional-gps-in-general-practice``) made
  when the goal is created and stored with it, so renaming the metric keeps
  the key, and a script that recorded values by key keeps working. Keys and
  metric names (compared case-insensitively) are unique within a campaign.
  A command names a goal by its key or its exact metric name (``find_goal``).
* **Dates** anywhere in a campaign lie between the NHS's start (5 July 1948)
  and 2100; a target date must be after its baseline date.
* **Measurements before the baseline date** are kept (earlier figures give
  context) but not counted: progress starts at the baseline, and
  ``GoalProgress.flags`` says how many were left out. ``record_value`` refuses
  a measurement dated after ``today`` when it is told what today is.
* **Two measurements on the same date**: both are kept; the one recorded later
  counts (a correction is recorded as a new value, so history is not lost).
* **Sources.** A measurement must name its source (an http(s) address, a title,
  or both); a milestone may. Links are http(s) or empty, never ``javascript:``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, TypeVar

from adapters.document import Record
from adapters.provenance import Source
from adapters.records.checks import (
    bounded_date,
    finite_number,
    http_url,
    id_list,
    required_date,
    slug,
)
from adapters.validation import (
    ValidationError,
    one_of,
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
CHANNEL_SUGGESTIONS = (
    "social media",
    "digital platforms",
    "video",
    "posters",
    "letters",
    "petition",
    "press",
    "events",
    "ambassadors",
)
"""Channels a form can offer; ``Campaign.channels`` takes any text, since
campaigns keep finding new ones."""

T = TypeVar("T")


class NotFound(LookupError):
    """No campaign or goal answers to the id or name given."""


class Ambiguous(LookupError):
    """More than one campaign or goal answers to the id or name given."""


def _nested(kind: type[T], value: object, field_name: str) -> T:
    """A nested object from itself or from its stored document (a dict)."""
    if isinstance(value, kind):
        return value
    if not isinstance(value, dict):
        raise ValidationError(field_name, "each entry must be an object")
    try:
        return kind(**value)
    except TypeError as exc:  # a key missing from, or unknown to, the document
        raise ValidationError(field_name, str(exc)) from exc


def _source_given(url: str, title: str, field_name: str) -> None:
    if not url and not title.strip():
        raise ValidationError(field_name, "name the source: a web address, a title or both")


@dataclass(frozen=True)
class Measurement:
    """One measured value of a goal's metric, with where it was published."""

    value: int | float
    date: dt.date
    source_url: str = ""
    source_title: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        finite_number(self.value, "goals.measurements.value")
        object.__setattr__(self, "date", required_date(self.date, "goals.measurements.date"))
        http_url(self.source_url, "goals.measurements.source_url")
        optional_text(self.source_title, "goals.measurements.source_title")
        optional_text(self.note, "goals.measurements.note")
        _source_given(self.source_url, self.source_title, "goals.measurements.source_url")

    @property
    def source_label(self) -> str:
        """The title when there is one (it reads better), else the address."""
        return self.source_title or self.source_url

    def to_doc(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "date": self.date.isoformat(),
            "source_url": self.source_url,
            "source_title": self.source_title,
            "note": self.note,
        }


@dataclass(frozen=True)
class Goal:
    """One metric a campaign means to move from a baseline to a target by a date.

    A target below the baseline is a goal to reduce something (vacancies,
    leavers). A target equal to the baseline is a "no fewer than" goal: met by
    any value at or above it.
    """

    metric: str
    unit: str
    baseline: int | float
    baseline_date: dt.date
    target: int | float
    target_date: dt.date
    measurements: tuple[Measurement, ...] = ()
    notes: str = ""
    key: str = ""

    def __post_init__(self) -> None:
        required_text(self.metric, "goals.metric")
        required_text(self.unit, "goals.unit")
        finite_number(self.baseline, "goals.baseline")
        finite_number(self.target, "goals.target")
        object.__setattr__(
            self, "baseline_date", required_date(self.baseline_date, "goals.baseline_date")
        )
        object.__setattr__(
            self, "target_date", required_date(self.target_date, "goals.target_date")
        )
        if self.target_date <= self.baseline_date:
            raise ValidationError("goals.target_date", "must be after the baseline date")
        if not isinstance(self.measurements, list | tuple):
            raise ValidationError("goals.measurements", "must be a list")
        measurements = tuple(
            _nested(Measurement, m, "goals.measurements") for m in self.measurements
        )
        object.__setattr__(self, "measurements", measurements)
        optional_text(self.notes, "goals.notes")
        key = optional_text(self.key, "goals.key") or slug(self.metric) or "goal"
        if slug(key) != key:
            raise ValidationError(
                "goals.key", f"{key!r} must be lower-case letters and digits joined by '-'"
            )
        object.__setattr__(self, "key", key)

    @property
    def increasing(self) -> bool:
        """True unless the target is below the baseline (a goal to reduce something)."""
        return self.target >= self.baseline

    def reaches(self, value: float) -> bool:
        """Whether a value meets the target, in the goal's direction."""
        return value >= self.target if self.increasing else value <= self.target

    def counted(self) -> tuple[Measurement, ...]:
        """Measurements on or after the baseline date, oldest first.

        Stable: of two on the same date, the one recorded later comes last and
        so is the latest.
        """
        kept = [m for m in self.measurements if m.date >= self.baseline_date]
        return tuple(sorted(kept, key=lambda m: m.date))

    def before_baseline(self) -> tuple[Measurement, ...]:
        """Measurements kept for context but not counted (see the module's policies)."""
        return tuple(m for m in self.measurements if m.date < self.baseline_date)

    def to_doc(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "metric": self.metric,
            "unit": self.unit,
            "baseline": self.baseline,
            "baseline_date": self.baseline_date.isoformat(),
            "target": self.target,
            "target_date": self.target_date.isoformat(),
            "measurements": [m.to_doc() for m in self.measurements],
            "notes": self.notes,
        }


@dataclass(frozen=True)
class Milestone:
    """A dated event in a campaign's life: launched, backed, answered, won."""

    date: dt.date
    text: str
    source_url: str = ""
    source_title: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "date", required_date(self.date, "milestones.date"))
        required_text(self.text, "milestones.text")
        http_url(self.source_url, "milestones.source_url")
        optional_text(self.source_title, "milestones.source_title")

    def to_doc(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "text": self.text,
            "source_url": self.source_url,
            "source_title": self.source_title,
        }


@dataclass(frozen=True)
class Campaign(Record):
    """A recruitment campaign, petition, public campaign or lobbying effort.

    ``summary`` says what the campaign is; ``notes`` hold what a record keeper
    needs to know about the record itself, such as a figure the source left out.
    ``articles`` and ``letters`` are ids of news articles (news.json) and
    letters (records.json) about the campaign.
    """

    TABLE: ClassVar[str] = "campaigns"
    DATE_FIELDS: ClassVar[tuple[str, ...]] = ("started", "ends")
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("summary", "audience", "notes")

    name: str
    kind: str
    lead: str
    backers: tuple[str, ...] = ()
    status: str = "active"
    started: dt.date | None = None
    ends: dt.date | None = None
    channels: tuple[str, ...] = ()
    summary: str = ""
    audience: str = ""
    goals: tuple[Goal, ...] = field(default_factory=tuple)
    milestones: tuple[Milestone, ...] = field(default_factory=tuple)
    articles: tuple[int, ...] = ()
    letters: tuple[int, ...] = ()
    notes: str = ""
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
        object.__setattr__(self, "started", bounded_date(self.started, "started"))
        object.__setattr__(self, "ends", bounded_date(self.ends, "ends"))
        if self.started and self.ends and self.ends < self.started:
            raise ValidationError("ends", "is before the campaign started")
        for name, kind in (("goals", Goal), ("milestones", Milestone)):
            values = getattr(self, name)
            if not isinstance(values, list | tuple):
                raise ValidationError(name, "must be a list")
            object.__setattr__(self, name, tuple(_nested(kind, v, name) for v in values))
        object.__setattr__(self, "articles", id_list(self.articles, "articles"))
        object.__setattr__(self, "letters", id_list(self.letters, "letters"))
        self._check_goals_are_unique()

    def _check_goals_are_unique(self) -> None:
        keys: set[str] = set()
        names: set[str] = set()
        for goal in self.goals:
            if goal.key in keys:
                raise ValidationError("goals.key", f"two goals have the key {goal.key!r}")
            folded = goal.metric.strip().casefold()
            if folded in names:
                raise ValidationError("goals.metric", f"two goals are named {goal.metric!r}")
            keys.add(goal.key)
            names.add(folded)

    def milestones_by_date(self) -> tuple[Milestone, ...]:
        return tuple(sorted(self.milestones, key=lambda m: m.date))


def find_campaign(campaigns: Iterable[Campaign], ref: str) -> Campaign:
    """The one campaign whose id is ``ref`` (digits) or whose name is exactly ``ref``.

    Raises NotFound, or Ambiguous when two campaigns share the name (or one's
    id is another's name): the message asks for the id.
    """
    text = ref.strip()
    matches: list[Campaign] = []
    for campaign in campaigns:
        by_id = text.isdigit() and campaign.id == int(text)
        if by_id or campaign.name == ref:
            matches.append(campaign)
    if not matches:
        raise NotFound(f"no campaign {ref!r}: give its id or its exact name")
    if len(matches) > 1:
        ids = ", ".join(str(c.id) for c in matches)
        raise Ambiguous(f"{ref!r} matches campaigns {ids}: give the id")
    return matches[0]


def find_goal(campaign: Campaign, ref: str) -> Goal:
    """The one goal of ``campaign`` whose key or exact metric name is ``ref``."""
    matches = [g for g in campaign.goals if ref in (g.key, g.metric)]
    if not matches:
        keys = ", ".join(g.key for g in campaign.goals) or "none"
        raise NotFound(f"campaign {campaign.name!r} has no goal {ref!r} (its goals: {keys})")
    if len(matches) > 1:
        keys = ", ".join(g.key for g in matches)
        raise Ambiguous(f"{ref!r} matches goals {keys}: give the key")
    return matches[0]


def record_value(
    campaign: Campaign,
    goal_key: str,
    value: float,
    when: dt.date,
    source: str,
    *,
    source_title: str = "",
    note: str = "",
    today: dt.date | None = None,
) -> Campaign:
    """A copy of ``campaign`` with a measured value added to one goal.

    ``goal_key`` is the goal's key or exact metric name; ``source`` an http(s)
    address (or "" with a ``source_title``). Nothing is saved: the caller
    stores the returned campaign. With ``today``, a date after it is refused,
    since a value can not have been measured yet. Raises ValidationError
    (naming the field), NotFound or Ambiguous.
    """
    goal = find_goal(campaign, goal_key)
    if today is not None and isinstance(when, dt.date) and when > today:
        raise ValidationError("goals.measurements.date", f"{when.isoformat()} is in the future")
    measurement = Measurement(
        value=value, date=when, source_url=source, source_title=source_title, note=note
    )
    goals = tuple(
        replace(g, measurements=(*g.measurements, measurement)) if g is goal else g
        for g in campaign.goals
    )
    return replace(campaign, goals=goals)
