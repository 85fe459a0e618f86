"""LMC correspondence: the Letter record, its status rules and its history.

A letter is immutable; every change is a function that returns a new Letter
with entries appended to its history (:func:`edit_letter`,
:func:`set_status`, :func:`chase_letter`, :func:`mark_created`). Nothing here
saves: the caller stores the result with ``repository.add`` or
``repository.update``. The history is append-only because it is the record
of who was told what and when; :func:`edit_letter` refuses a new version
whose history differs from the old one's.

Status and dates (checked on construction, each error naming its field):

* ``draft`` → ``sent`` → ``acknowledged`` → ``responded`` → ``closed``, plus
  ``no reply``: the due date went by without an answer and the letter is
  still being pursued (it stays open and can be chased; close it to stop).
* Every status but ``draft`` needs the ``sent`` date: due dates and
  overdue days are counted from it.
* The other dates are optional (a spreadsheet often never recorded when an
  acknowledgement came) but, when given, must not be before ``sent`` and must
  fit the status: an ``acknowledged`` date needs status acknowledged,
  responded, closed or no reply; a ``responded`` date responded or closed;
  a ``closed`` date closed. So a letter marked "sent" can never hide a
  response date, and overdue logic can trust the status.
* ``due`` is not before ``sent``; ``closed`` is not before the response or
  acknowledgement.

Direction: for an ``outgoing`` letter the LMCs wrote and the counterparty owes
the reply; for an ``incoming`` one the counterparty wrote to the LMCs, and the
dates and statuses describe the LMCs' reply. Overdue works the same way for
both (see :mod:`adapters.records.overdue`).

The counterparty is free text: an ICB or an MP has a name, so the usual ones
are offered as :data:`COUNTERPARTY_SUGGESTIONS` rather than enforced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from adapters.dates import local_date
from adapters.document import Record
from adapters.provenance import Source
from adapters.records.overdue import DEFAULT_RESPONSE_DAYS, with_default_due
from adapters.validation import (
    ValidationError,
    one_of,
    optional_date,
    optional_text,
    required_text,
    text_list,
)

LETTER_STATUSES = ("draft", "sent", "acknowledged", "responded", "closed", "no reply")
LETTER_DIRECTIONS = ("outgoing", "incoming")
OPEN_STATUSES = ("draft", "sent", "acknowledged", "no reply")
AWAITING_REPLY = ("sent", "acknowledged", "no reply")
"""Statuses in which an answer is still owed: these can be overdue and chased."""

COUNTERPARTY_SUGGESTIONS = (
    "BMA GPC",
    "NHS England",
    "HEE",
    "DHSC",
    "RCGP",
    "CQC",
    "ICB",
    "MP",
    "the press",
    "other",
)
HISTORY_KINDS = ("created", "status", "edit", "chase")
LETTER_DATE_FIELDS = ("sent", "acknowledged", "due", "responded", "closed")

# Which statuses may carry each stage's date (sent and due fit every status).
_DATE_ALLOWED: dict[str, tuple[str, ...]] = {
    "acknowledged": ("acknowledged", "responded", "closed", "no reply"),
    "responded": ("responded", "closed"),
    "closed": ("closed",),
}
# set_status: the dates a move back to an earlier status takes away.
_CLEARED_BY: dict[str, tuple[str, ...]] = {
    "draft": ("acknowledged", "responded", "closed"),
    "sent": ("acknowledged", "responded", "closed"),
    "acknowledged": ("responded", "closed"),
    "responded": ("closed",),
    "closed": (),
    "no reply": ("responded", "closed"),
}
# set_status: the date field a status sets (draft and no reply have none).
_STATUS_DATE = {
    "sent": "sent",
    "acknowledged": "acknowledged",
    "responded": "responded",
    "closed": "closed",
}
_LINE_BREAKS = ("\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029")


def parse_status(text: str, field: str = "status") -> str:
    """A status as people type it ("No reply", "no-reply", " Sent ") in its stored form."""
    if not isinstance(text, str):
        raise ValidationError(field, f"{text!r} is not one of {', '.join(LETTER_STATUSES)}")
    wanted = " ".join(text.replace("-", " ").replace("_", " ").split()).casefold()
    if not wanted:
        raise ValidationError(field, f"is empty; use one of {', '.join(LETTER_STATUSES)}")
    return one_of(wanted, LETTER_STATUSES, field)


def parse_direction(text: str, field: str = "direction") -> str:
    """A direction in any case ("Outgoing", "INCOMING") in its stored form."""
    wanted = text.strip().casefold() if isinstance(text, str) else text
    return one_of(wanted, LETTER_DIRECTIONS, field)


def status_from_dates(
    sent: date | None,
    acknowledged: date | None = None,
    responded: date | None = None,
    closed: date | None = None,
) -> str:
    """The status the dates imply, for a letter recorded without one (a CSV row, a CLI add).

    The latest stage with a date wins: closed, responded, acknowledged, sent;
    no dates at all means a draft.
    """
    for status, value in (
        ("closed", closed),
        ("responded", responded),
        ("acknowledged", acknowledged),
        ("sent", sent),
    ):
        if value is not None:
            return status
    return "draft"


def _one_line(value: str, field: str) -> None:
    if any(mark in value for mark in _LINE_BREAKS):
        raise ValidationError(field, f"{value!r}: one line each, no line breaks")


def _names(values: object, field: str) -> tuple[str, ...]:
    """LMC names and tags: one line each, no ';' (the list separator in CSV), no repeats."""
    items = text_list(values, field)
    seen: set[str] = set()
    for item in items:
        _one_line(item, field)
        if ";" in item:
            raise ValidationError(field, f"{item!r}: a name may not contain ';'")
        key = " ".join(item.split()).casefold()
        if key in seen:
            raise ValidationError(field, f"{item!r} is listed twice")
        seen.add(key)
    return items


def _ids(values: object, field: str) -> tuple[int, ...]:
    if not isinstance(values, list | tuple):
        raise ValidationError(field, "must be a list of record ids")
    ids = tuple(values)
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError(
                field, f"{value!r} is not a record id (a whole number, 1 or more)"
            )
    if len(set(ids)) != len(ids):
        raise ValidationError(field, "lists the same record twice")
    return ids


def _history_text(value: object) -> str:
    """A field's value as the history shows it: dates ISO, lists joined with '; '."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Source):
        return value.label()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "; ".join(_history_text(item) for item in value)
    return str(value)


def utc(value: object, field: str) -> datetime:
    """An aware datetime (or its ISO text) in UTC; a naive one is refused, not guessed at."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError(field, f"{value!r} is not an ISO date and time") from exc
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(field, f"{value!r} is not a date and time with a time zone")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class HistoryEntry:
    """One change to a letter: when (UTC), what kind, which field, from and to, and a note.

    ``before`` and ``after`` are the field's values as text (dates ISO, lists
    joined with "; "), stored as ``from`` and ``to``: the history is for
    reading, and text stays readable after the model gains or renames fields.
    """

    when: datetime
    what: str
    field: str = ""
    before: str = ""
    after: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "when", utc(self.when, "history.when"))
        one_of(self.what, HISTORY_KINDS, "history.what")
        for name in ("field", "before", "after", "note"):
            optional_text(getattr(self, name), f"history.{name}")

    def to_doc(self) -> dict[str, Any]:
        return {
            "when": self.when.isoformat(),
            "what": self.what,
            "field": self.field,
            "from": self.before,
            "to": self.after,
            "note": self.note,
        }

    @classmethod
    def from_doc(cls, doc: object) -> HistoryEntry:
        if isinstance(doc, HistoryEntry):
            return doc
        if not isinstance(doc, dict):
            raise ValidationError("history", "each entry must be an object")
        values = dict(doc)
        if "from" in values:
            values["before"] = values.pop("from")
        if "to" in values:
            values["after"] = values.pop("to")
        try:
            return cls(**values)
        except TypeError as exc:  # a missing or unknown key
            raise ValidationError("history", str(exc)) from exc

    def describe(self) -> str:
        """One line for a history list: 'status: sent → acknowledged (note)'."""
        if self.what == "created":
            text = "created"
        elif self.what == "chase":
            text = f"chased; due {self.before or '—'} → {self.after or '—'}"
        else:
            text = f"{self.field}: {self.before or '—'} → {self.after or '—'}"
        return f"{text} ({self.note})" if self.note else text


@dataclass(frozen=True)
class Letter(Record):
    """A letter to or from one or more LMCs, e.g. nine LMCs writing to BMA GPC in 2021.

    Validated on construction (see the module docstring for the rules); build
    changed versions with the functions below so the history stays complete.
    """

    TABLE: ClassVar[str] = "letters"
    DATE_FIELDS: ClassVar[tuple[str, ...]] = LETTER_DATE_FIELDS
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("reference", "contact", "summary", "outcome")

    subject: str
    counterparty: str
    lmcs: tuple[str, ...]
    direction: str = "outgoing"
    status: str = "draft"
    reference: str = ""
    contact: str = ""
    sent: date | None = None
    acknowledged: date | None = None
    due: date | None = None
    responded: date | None = None
    closed: date | None = None
    summary: str = ""
    asks: tuple[str, ...] = ()
    outcome: str = ""
    tags: tuple[str, ...] = ()
    articles: tuple[int, ...] = ()
    campaigns: tuple[int, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    source: Source | None = None
    sample: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        self.check_common()
        required_text(self.subject, "subject")
        required_text(self.counterparty, "counterparty")
        object.__setattr__(self, "lmcs", _names(self.lmcs, "lmcs"))
        if not self.lmcs:
            raise ValidationError("lmcs", "name at least one LMC")
        one_of(self.direction, LETTER_DIRECTIONS, "direction")
        one_of(self.status, LETTER_STATUSES, "status")
        for name in LETTER_DATE_FIELDS:
            object.__setattr__(self, name, optional_date(getattr(self, name), name))
        asks = text_list(self.asks, "asks")
        for ask in asks:
            _one_line(ask, "asks")
        object.__setattr__(self, "asks", asks)
        object.__setattr__(self, "tags", _names(self.tags, "tags"))
        object.__setattr__(self, "articles", _ids(self.articles, "articles"))
        object.__setattr__(self, "campaigns", _ids(self.campaigns, "campaigns"))
        if not isinstance(self.history, list | tuple):
            raise ValidationError("history", "must be a list of entries")
        object.__setattr__(self, "history", tuple(HistoryEntry.from_doc(e) for e in self.history))
        self._check_dates()

    def _check_dates(self) -> None:
        sent = self.sent
        if self.status != "draft" and sent is None:
            raise ValidationError(
                "sent", f"a letter with status {self.status!r} needs the date it was sent"
            )
        for name, allowed in _DATE_ALLOWED.items():
            value = getattr(self, name)
            if value is None:
                continue
            if self.status not in allowed:
                raise ValidationError(
                    name,
                    f"a letter with status {self.status!r} has no {name} date: set the status "
                    f"to {' or '.join(allowed)}, or clear the date",
                )
            if sent is None:  # only reachable for a draft, which allows none of these
                raise ValidationError(name, "is set but the letter has no sent date")
            if value < sent:
                raise ValidationError(name, f"is before the date the letter was sent ({sent})")
        if sent and self.due and self.due < sent:
            raise ValidationError("due", f"is before the date the letter was sent ({sent})")
        if self.closed:
            for earlier in ("responded", "acknowledged"):
                value = getattr(self, earlier)
                if value and self.closed < value:
                    raise ValidationError("closed", f"is before the {earlier} date ({value})")

    @property
    def is_open(self) -> bool:
        """Still needs attention: not yet answered and closed."""
        return self.status in OPEN_STATUSES

    @property
    def awaiting_reply(self) -> bool:
        return self.status in AWAITING_REPLY

    @property
    def chases(self) -> tuple[HistoryEntry, ...]:
        return tuple(entry for entry in self.history if entry.what == "chase")


_NOT_DIFFED = frozenset({"id", "history"})


def letter_fields() -> tuple[str, ...]:
    """The fields an edit can change, in form order."""
    return tuple(f.name for f in fields(Letter) if f.name not in _NOT_DIFFED)


def identity(letter: Letter) -> tuple[str, str, date | None]:
    """What makes two letters "the same letter": subject, counterparty and sent date.

    Case and runs of spaces are ignored, so a re-imported spreadsheet that
    someone re-typed a little is still recognised.
    """
    return (
        " ".join(letter.subject.split()).casefold(),
        " ".join(letter.counterparty.split()).casefold(),
        letter.sent,
    )


def mark_created(letter: Letter, now: datetime, note: str = "") -> Letter:
    """The letter with its "created" entry: call once, before it is first stored."""
    if letter.history:
        raise ValidationError("history", "this letter already has a history")
    entry = HistoryEntry(now, "created", after=letter.status, field="status", note=note)
    return replace(letter, history=(entry,))


def edit_letter(old: Letter, new: Letter, now: datetime, note: str = "") -> Letter:
    """``new`` with ``old``'s history plus one entry per changed field.

    A status change is recorded as "status", anything else as "edit". An edit
    that changes nothing returns ``old`` itself, so saving an untouched form
    adds nothing to the history. ``new`` must carry ``old``'s history
    unchanged (build it with ``dataclasses.replace(old, ...)``).
    """
    if new.id != old.id:
        raise ValidationError("id", f"letter {new.id} is not letter {old.id}, the one being edited")
    if new.history != old.history:
        raise ValidationError("history", "is append-only: change the other fields")
    entries: list[HistoryEntry] = []
    for name in letter_fields():
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        what = "status" if name == "status" else "edit"
        entry = HistoryEntry(
            now,
            what,
            field=name,
            before=_history_text(before),
            after=_history_text(after),
            note=note,
        )
        if what == "status":  # first: it is what a reader of the history looks for
            entries.insert(0, entry)
        else:
            entries.append(entry)
    if not entries:
        return old
    return replace(new, history=old.history + tuple(entries))


def set_status(
    letter: Letter,
    status: str,
    now: datetime,
    *,
    on: date | None = None,
    note: str = "",
    response_days: int = DEFAULT_RESPONSE_DAYS,
) -> Letter:
    """The letter moved to ``status``, with that status's date and the history entries.

    ``on`` is the date the status was reached (default: the date already
    recorded, else today). Moving back to an earlier status clears the later
    stages' dates (the history keeps them). A letter that becomes "sent" with
    no due date gets the default (sent + ``response_days``).
    """
    status = parse_status(status)
    date_field = _STATUS_DATE.get(status)
    if on is not None and date_field is None:
        raise ValidationError("date", f"a {status!r} letter has no date of its own")
    changes: dict[str, Any] = {"status": status}
    for name in _CLEARED_BY[status]:
        changes[name] = None
    if date_field is not None:
        changes[date_field] = on or getattr(letter, date_field) or local_date(now)
    new = replace(letter, **changes)
    new = with_default_due(new, response_days)
    return edit_letter(letter, new, now, note)


def chase_letter(letter: Letter, now: datetime, new_due: date, note: str = "") -> Letter:
    """The letter with a chase recorded and a new due date.

    Only a letter still awaiting a reply (sent, acknowledged, no reply) can be
    chased, and not to a due date already past: a chase is a new deadline.
    """
    if not letter.awaiting_reply:
        raise ValidationError(
            "status", f"a {letter.status!r} letter is not awaiting a reply, so can not be chased"
        )
    new_due = optional_date(new_due, "due")  # type: ignore[assignment]
    if new_due is None:
        raise ValidationError("due", "a chase needs the new due date")
    today = local_date(now)
    if new_due < today:
        raise ValidationError("due", f"{new_due} has already passed (today is {today})")
    entry = HistoryEntry(
        now,
        "chase",
        field="due",
        before=_history_text(letter.due),
        after=new_due.isoformat(),
        note=note,
    )
    return replace(letter, due=new_due, history=(*letter.history, entry))


def with_links(
    letter: Letter,
    now: datetime,
    *,
    articles: Sequence[int] | None = None,
    campaigns: Sequence[int] | None = None,
) -> Letter:
    """The letter linked to other news articles or campaigns, the change in its history."""
    changes: dict[str, tuple[int, ...]] = {}
    if articles is not None:
        changes["articles"] = tuple(articles)
    if campaigns is not None:
        changes["campaigns"] = tuple(campaigns)
    return edit_letter(letter, replace(letter, **changes), now)


__all__ = [
    "AWAITING_REPLY",
    "COUNTERPARTY_SUGGESTIONS",
    "HISTORY_KINDS",
    "LETTER_DATE_FIELDS",
    "LETTER_DIRECTIONS",
    "LETTER_STATUSES",
    "OPEN_STATUSES",
    "HistoryEntry",
    "Letter",
    "chase_letter",
    "edit_letter",
    "identity",
    "letter_fields",
    "mark_created",
    "parse_direction",
    "parse_status",
    "set_status",
    "status_from_dates",
    "with_links",
]
