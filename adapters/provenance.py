"""Where a record or figure came from: every figure on screen names its source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from adapters.validation import ValidationError, optional_date, optional_text, required_text


@dataclass(frozen=True)
class Source:
    """An article, release or file a record was taken from."""

    title: str
    publisher: str = ""
    published: date | None = None
    url: str = ""
    reference: str = ""

    def __post_init__(self) -> None:
        required_text(self.title, "source.title")
        for name in ("publisher", "url", "reference"):
            optional_text(getattr(self, name), f"source.{name}")
        object.__setattr__(self, "published", optional_date(self.published, "source.published"))

    def label(self) -> str:
        """A one-line citation: publisher, date, title."""
        parts = [p for p in (self.publisher, self.published and self.published.isoformat()) if p]
        head = ", ".join(str(p) for p in parts)
        return f"{head}: {self.title}" if head else self.title

    def to_doc(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "publisher": self.publisher,
            "published": self.published.isoformat() if self.published else None,
            "url": self.url,
            "reference": self.reference,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Source:
        if not isinstance(doc, dict):
            raise ValidationError("source", "must be an object")
        return cls(
            title=doc.get("title", ""),
            publisher=doc.get("publisher", ""),
            published=optional_date(doc.get("published"), "source.published"),
            url=doc.get("url", ""),
            reference=doc.get("reference", ""),
        )
