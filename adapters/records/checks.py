"""Field checks that campaigns and pledges share beyond ``adapters.validation``.

Kept apart from the models so a form or a command can run the same check on
what was typed (a value, a link, a date) before it builds a record, and get the
same field-named message the model would give.
"""

from __future__ import annotations

import math
import re
from datetime import date
from urllib.parse import urlsplit

from adapters.validation import ValidationError, optional_date, optional_text

EARLIEST_DATE = date(1948, 7, 5)
"""The day the NHS began: nothing gpwatch tracks can be dated before it, so an
earlier date is a typo (0215 for 2015), refused rather than drawn on a chart."""

LATEST_DATE = date(2100, 12, 31)
"""Far enough for any target anyone sets; past it a year is a typo (2105)."""

MAX_MAGNITUDE = 1e15
"""Larger than any headcount or sum of pounds the NHS will see. Bounding values
keeps every difference, rate and percentage computed from them finite."""

MIN_MAGNITUDE = 1e-6
"""Non-zero values smaller than this are refused: a baseline and target a few
ulps apart would make "percent done" overflow, and no figure tracked here is
that small."""

_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def http_url(value: object, field: str) -> str:
    """An absolute http(s) address with a host, or "" for none.

    Links are shown and may be opened in a browser: ``javascript:``, ``file:``
    and ``data:`` addresses, and anything with spaces or control characters,
    are refused here so nothing later has to think about them.
    """
    text = optional_text(value, field)
    if text == "":
        return text
    if _CONTROL.search(text):
        raise ValidationError(field, "must not contain spaces or control characters")
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise ValidationError(field, f"{text!r} is not a web address ({exc})") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(field, f"{text!r} is not an http(s) address")
    return text


def finite_number(value: object, field: str) -> int | float:
    """A real number in the range gpwatch can compute with (see MAX/MIN_MAGNITUDE).

    ``bool`` is refused although Python counts it as an int: a stored ``true``
    is a broken document, not the number 1.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(field, f"{value!r} is not a number")
    if not math.isfinite(value):
        raise ValidationError(field, f"{value!r} is not a finite number")
    if abs(value) > MAX_MAGNITUDE:
        raise ValidationError(field, f"{value!r} is too large (at most {MAX_MAGNITUDE:.0e})")
    if value != 0 and abs(value) < MIN_MAGNITUDE:
        raise ValidationError(field, f"{value!r} is too small (0, or at least {MIN_MAGNITUDE})")
    return value


def parse_number(text: str, field: str) -> int | float:
    """What a person typed as a value: ``5000``, ``5,000``, ``-12.5``, ``3.2e4``.

    A whole number stays an ``int`` so it is stored and printed without a
    trailing ``.0``. Thousands commas are only taken where they are in the
    right places; "5,00" is refused rather than read as 500 or 5.
    """
    cleaned = text.strip()
    if not cleaned.isascii():  # int() would also read full-width and other scripts' digits
        raise ValidationError(field, f"{text!r} is not a number (use the digits 0-9)")
    if _THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    number: int | float
    try:
        return finite_number(int(cleaned), field)
    except ValueError as exc:
        if isinstance(exc, ValidationError):  # a whole number out of range
            raise
    try:
        number = float(cleaned)
    except ValueError:
        raise ValidationError(field, f"{text!r} is not a number") from None
    if not math.isfinite(number):
        raise ValidationError(field, f"{text!r} is not a finite number")
    if number.is_integer() and abs(number) <= MAX_MAGNITUDE:
        number = int(number)
    return finite_number(number, field)


def bounded_date(value: object, field: str) -> date | None:
    """An optional date between the NHS's start and 2100 (see EARLIEST/LATEST_DATE)."""
    parsed = optional_date(value, field)
    if parsed is not None and not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise ValidationError(
            field,
            f"{parsed.isoformat()} is outside {EARLIEST_DATE.isoformat()} to "
            f"{LATEST_DATE.isoformat()}",
        )
    return parsed


def required_date(value: object, field: str) -> date:
    parsed = bounded_date(value, field)
    if parsed is None:
        raise ValidationError(field, "a date is needed (YYYY-MM-DD)")
    return parsed


def id_list(values: object, field: str) -> tuple[int, ...]:
    """Ids of other records (news articles, letters): positive, whole and each once."""
    if not isinstance(values, list | tuple):
        raise ValidationError(field, "must be a list of ids")
    ids = tuple(values)
    for item in ids:
        if isinstance(item, bool) or not isinstance(item, int) or item < 1:
            raise ValidationError(field, f"{item!r} is not a record id (a whole number from 1)")
    if len(set(ids)) != len(ids):
        raise ValidationError(field, "lists the same id twice")
    return ids


def slug(text: str) -> str:
    """A key a person can type on a command line: lower-case ASCII words joined by '-'."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)
