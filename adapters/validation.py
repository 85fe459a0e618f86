"""Field checks shared by every model, each error naming the field it is about."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any


class ValidationError(ValueError):
    """A field's value is refused; ``field`` lets a form show the message beside it."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def required_text(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "must not be empty")
    return value


def optional_text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(field, "must be text")
    return value


def one_of(value: object, allowed: Iterable[str], field: str) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValidationError(field, f"{value!r} is not one of {', '.join(allowed)}")
    return value  # type: ignore[return-value]


def optional_date(value: object, field: str) -> date | None:
    """Accept a date, an ISO string or None; stored documents hold ISO strings."""
    if value is None or value == "":
        return None
    # A datetime is a date subclass, but would be stored with a time and then
    # compared with plain dates: refuse it rather than store what will not load.
    if type(value) is date:
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(field, f"{value!r} is not a date (YYYY-MM-DD)")


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def text_list(values: object, field: str) -> tuple[str, ...]:
    if not isinstance(values, list | tuple):
        raise ValidationError(field, "must be a list")
    items = tuple(values)
    for item in items:
        required_text(item, field)
    return items


class DuplicateKey(ValueError):
    """A JSON object names the same key twice; ``args[0]`` is the key."""


def no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json ``object_pairs_hook``: a hand-edited file with a key twice would
    silently lose one copy on the next save, so refuse it instead."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(key)
        result[key] = value
    return result
