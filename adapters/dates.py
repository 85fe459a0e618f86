"""Reading a date typed by a person or found in a spreadsheet cell.

The people who use gpwatch write dates the British way: ``2 Sep 2021``,
``2 September 2021``, ``02/09/2021``. ISO ``2021-09-02`` is what scripts and
our own exports use. Those four shapes are accepted and nothing else: a guess
at ``09/02/2021`` being American, or at a two-digit year, would silently file
a letter in the wrong month, which is worse than asking again.

Month names are matched against our own English table rather than
``strptime("%b")``, whose month names follow the process locale.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from adapters.validation import ValidationError

FORMATS_HELP = "use YYYY-MM-DD, 2 Sep 2021, 2 September 2021 or DD/MM/YYYY"

_MONTH_NAMES = (
    *("january", "february", "march", "april", "may", "june", "july"),
    *("august", "september", "october", "november", "december"),
)
_MONTHS: dict[str, int] = {}
for _number, _name in enumerate(_MONTH_NAMES, start=1):
    _MONTHS[_name] = _number
    _MONTHS[_name[:3]] = _number
_MONTHS["sept"] = 9

# ASCII digits only: int() would also take Arabic-Indic or full-width ones.
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_SLASHED = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_WORDED = re.compile(r"([0-9]{1,2})\s+([A-Za-z]+)\.?,?\s+([0-9]{4})")


def _build(year: int, month: int, day: int, text: str, field: str, hint: str = "") -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:  # 31 Feb, month 13, year 0
        raise ValidationError(field, f"{text!r} is not a real date ({exc}{hint})") from exc


def parse_date(text: str, field: str) -> date:
    """The date ``text`` names, or ValidationError naming ``field`` and the accepted shapes."""
    if not isinstance(text, str):
        raise ValidationError(field, f"{text!r} is not a date; {FORMATS_HELP}")
    stripped = text.strip()
    if not stripped:
        raise ValidationError(field, f"is empty; {FORMATS_HELP}")
    if match := _ISO.fullmatch(stripped):
        year, month, day = (int(part) for part in match.groups())
        return _build(year, month, day, stripped, field)
    if match := _SLASHED.fullmatch(stripped):
        day, month, year = (int(part) for part in match.groups())
        return _build(year, month, day, stripped, field, "; the day comes first: DD/MM/YYYY")
    if match := _WORDED.fullmatch(stripped):
        month_number = _MONTHS.get(match.group(2).lower())
        if month_number is not None:
            return _build(int(match.group(3)), month_number, int(match.group(1)), stripped, field)
    raise ValidationError(field, f"{stripped!r} is not a date; {FORMATS_HELP}")


def parse_optional_date(text: str | None, field: str) -> date | None:
    """An empty or missing cell means no date; anything else must parse."""
    if text is None or not text.strip():
        return None
    return parse_date(text, field)


def local_date(now: datetime) -> date:
    """The calendar day ``now`` falls on where the user is.

    Clocks are UTC (see Workspace.clock); "due today" and "overdue by 3 days"
    are about the user's own calendar, which in the UK runs an hour ahead in
    summer.
    """
    return now.astimezone().date()
