"""When a letter is overdue: the one place that decides it.

A letter is overdue when all of these hold:

* its status says a reply is still owed: ``sent``, ``acknowledged`` or
  ``no reply`` (a draft has not gone; ``responded`` and ``closed`` are
  answered or finished);
* it has no ``responded`` date;
* its due date has passed: the day after the due date is one day overdue,
  the due date itself is not overdue.

The due date is the letter's own ``due`` or, when it has none (older records,
the sample), ``sent`` + the response period (``letters.response_days`` in
settings.json, 28 by default). New letters get that default written in when
they are added or marked sent (:func:`with_default_due`), so the due date a
user sees is the one they were promised, even if the setting changes later.

"Today" is the user's local calendar day (``adapters.dates.local_date``).
Incoming and outgoing letters are treated the same: for an incoming letter
the reply owed is the LMCs' own.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # letters imports this module for with_default_due
    from adapters.records.letters import Letter

DEFAULT_RESPONSE_DAYS = 28
OVERDUE_STATUSES = ("sent", "acknowledged", "no reply")


def default_due(sent: date, days: int = DEFAULT_RESPONSE_DAYS) -> date:
    """The date a reply is due when nobody agreed another: ``days`` after sending."""
    return sent + timedelta(days=days)


def due_date(letter: Letter, response_days: int = DEFAULT_RESPONSE_DAYS) -> date | None:
    """The letter's due date, or the default one; None for a letter never sent."""
    if letter.due is not None:
        return letter.due
    if letter.sent is None:
        return None
    return default_due(letter.sent, response_days)


def overdue_days(letter: Letter, today: date, response_days: int = DEFAULT_RESPONSE_DAYS) -> int:
    """How many days past its due date the reply is; 0 when not overdue."""
    if letter.status not in OVERDUE_STATUSES or letter.responded is not None:
        return 0
    due = due_date(letter, response_days)
    if due is None:
        return 0
    return max(0, (today - due).days)


def is_overdue(letter: Letter, today: date, response_days: int = DEFAULT_RESPONSE_DAYS) -> bool:
    return overdue_days(letter, today, response_days) > 0


def with_default_due(letter: Letter, response_days: int = DEFAULT_RESPONSE_DAYS) -> Letter:
    """The letter with the default due date written in, if it awaits a reply and has none."""
    if letter.due is not None or letter.sent is None or letter.status not in OVERDUE_STATUSES:
        return letter
    return replace(letter, due=default_due(letter.sent, response_days))
