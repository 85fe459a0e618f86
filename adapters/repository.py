"""One table of one model: screens and commands talk to this, never to TinyDB."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from tinydb.table import Document

from adapters.store import SafeTinyDB
from adapters.validation import ValidationError


@dataclass(frozen=True)
class InvalidDocument:
    """A stored document that no longer validates: shown to the user, never dropped."""

    table: str
    doc_id: int
    error: str


class Model(Protocol):
    """What a stored type provides: its table, validation on load, and a document."""

    TABLE: ClassVar[str]
    id: int | None

    def to_doc(self) -> dict[str, Any]: ...

    @classmethod
    def from_doc(cls, doc: dict[str, Any], doc_id: int | None = None) -> Self: ...


R = TypeVar("R", bound=Model)


class RecordRepository(Generic[R]):
    """One table of one model, in one data file."""

    def __init__(self, db: SafeTinyDB, model: type[R]) -> None:
        self._db = db
        self._model = model
        self._table = db.table(model.TABLE)

    @property
    def table_name(self) -> str:
        return self._model.TABLE

    def _load(self, doc: Document) -> R:
        return self._model.from_doc(dict(doc), doc_id=doc.doc_id)

    def all(self) -> list[R]:
        """Every valid record; invalid documents are reported by :meth:`invalid`."""
        out: list[R] = []
        for doc in self._table.all():
            try:
                out.append(self._load(doc))
            except ValidationError:
                continue
        return out

    def invalid(self) -> list[InvalidDocument]:
        problems: list[InvalidDocument] = []
        for doc in self._table.all():
            try:
                self._load(doc)
            except ValidationError as exc:
                problems.append(InvalidDocument(self._model.TABLE, doc.doc_id, str(exc)))
        return problems

    def get(self, record_id: int) -> R | None:
        doc = self._table.get(doc_id=record_id)
        return None if doc is None else self._load(doc)  # type: ignore[arg-type]

    def add(self, record: R) -> R:
        """Store a new record durably and return it with its id."""
        doc_id = self._table.insert(record.to_doc())
        return replace(record, id=doc_id)  # type: ignore[type-var]

    def add_many(self, records: list[R]) -> list[R]:
        """One write for many records: TinyDB rewrites the whole file per write."""
        ids = self._table.insert_multiple([r.to_doc() for r in records])
        return [replace(r, id=i) for r, i in zip(records, ids, strict=True)]  # type: ignore[type-var]

    def remove(self, record_id: int) -> None:
        self._table.remove(doc_ids=[record_id])

    def remove_sample(self) -> int:
        """Remove the records seeded as samples; returns how many went."""
        ids = [doc.doc_id for doc in self._table.all() if doc.get("sample") is True]
        if ids:
            self._table.remove(doc_ids=ids)
        return len(ids)

    def count(self, *, sample: bool | None = None) -> int:
        docs = self._table.all()
        if sample is None:
            return len(docs)
        return sum(1 for doc in docs if bool(doc.get("sample")) is sample)
