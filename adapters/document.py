"""The base every stored record shares: validation hooks and the document round-trip."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, ClassVar, Self

from adapters.provenance import Source
from adapters.validation import ValidationError, iso, optional_text


class Record:
    """Shared document round-trip (dates as ISO strings, sources as objects) and checks.

    Subclasses are frozen dataclasses that call :meth:`check_common` from
    ``__post_init__``; a value that could not be written to JSON and read back
    as the same record is refused there, not discovered on the next load.
    """

    TABLE: ClassVar[str]
    DATE_FIELDS: ClassVar[tuple[str, ...]] = ()
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ()

    id: int | None
    sample: bool
    source: Source | None

    def check_common(self) -> None:
        for name in self.TEXT_FIELDS:
            optional_text(getattr(self, name), name)
        if not isinstance(self.sample, bool):
            raise ValidationError("sample", "must be true or false")
        if self.source is not None and not isinstance(self.source, Source):
            raise ValidationError("source", "must be a source (title, publisher, date)")

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            if f.name == "id":
                continue
            value = getattr(self, f.name)
            if f.name in self.DATE_FIELDS:
                value = iso(value)
            elif isinstance(value, Source):
                value = value.to_doc()
            elif isinstance(value, tuple):
                value = [v.to_doc() if hasattr(v, "to_doc") else v for v in value]
            doc[f.name] = value
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any], doc_id: int | None = None) -> Self:
        values = dict(doc)
        if values.get("source") is not None:
            values["source"] = Source.from_doc(values["source"])
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        unknown = set(values) - known
        if unknown:
            raise ValidationError(sorted(unknown)[0], "is not a field of this record")
        values["id"] = doc_id
        try:
            return cls(**values)
        except TypeError as exc:  # a required field is missing from the document
            raise ValidationError(cls.TABLE, str(exc)) from exc
