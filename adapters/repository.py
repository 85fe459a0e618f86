"""One table of one model: screens and commands talk to this, never to TinyDB."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from tinydb import where
from tinydb.table import Document

from adapters.store import SafeTinyDB
from adapters.validation import ValidationError


class RecordMissing(LookupError):
    """The record is not stored (any more): removed in another window or process."""


class RecordChanged(RuntimeError):
    """The stored record is no longer the one an edit started from: someone else saved first."""


class RecordExists(ValueError):
    """A record can not be restored under an id that is in use again."""


@dataclass(frozen=True)
class InvalidDocument:
    """A stored document that no longer validates: shown to the user, never dropped."""

    file: str
    table: str
    doc_id: int
    error: str


class Model(Protocol):
    """What a stored type provides: its table, validation on load, and a document."""

    TABLE: ClassVar[str]
    id: int | None
    sample: bool

    def to_doc(self) -> dict[str, Any]: ...

    @classmethod
    def from_doc(cls, doc: dict[str, Any], doc_id: int | None = None) -> Self: ...


R = TypeVar("R", bound=Model)


@dataclass(frozen=True)
class Scan(Generic[R]):
    """What one read of a table found."""

    records: list[R]
    invalid: list[InvalidDocument]


class RecordRepository(Generic[R]):
    """One table of one model, in one data file."""

    def __init__(self, db: SafeTinyDB, model: type[R]) -> None:
        self._db = db
        self._model = model
        self._table = db.table(model.TABLE)
        self._scanned: tuple[int, Scan[R]] | None = None

    @property
    def table_name(self) -> str:
        return self._model.TABLE

    def _load(self, doc: Document) -> R:
        return self._model.from_doc(dict(doc), doc_id=doc.doc_id)

    def scan(self) -> Scan[R]:
        """One read of the file: the valid records and the documents that failed to load.

        Kept while the file is unchanged (a caching store's generation says
        so): building 10k letters takes longer than reading them, and every
        screen shown scans again. The records are frozen, so sharing is safe.
        """
        data, generation = self._db.json_storage.read_versioned()
        held = self._scanned
        if held is None or held[0] != generation:
            records: list[R] = []
            invalid: list[InvalidDocument] = []
            for doc_id, doc in ((data or {}).get(self.table_name) or {}).items():
                try:
                    records.append(self._model.from_doc(dict(doc), doc_id=int(doc_id)))
                except ValidationError as exc:
                    invalid.append(
                        InvalidDocument(self._db.path.name, self.table_name, int(doc_id), str(exc))
                    )
            held = (generation, Scan(records, invalid))
            self._scanned = held
        return Scan(list(held[1].records), list(held[1].invalid))

    def all(self) -> list[R]:
        """Every valid record; :meth:`scan` also reports the invalid ones."""
        return self.scan().records

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

    def replace_where(self, drop: Callable[[dict[str, Any]], bool], records: list[R]) -> int:
        """Remove every stored document ``drop`` accepts and add ``records``, in one write.

        One read-modify-write under the lock, so a reader sees the old set or
        the new one and a crash leaves one of the two (e.g. re-importing a
        period's figures). Returns how many documents were removed.
        """
        new_docs = [r.to_doc() for r in records]
        removed = 0

        def updater(table: dict[int, Any]) -> None:
            nonlocal removed
            gone = [doc_id for doc_id, doc in table.items() if drop(doc)]
            for doc_id in gone:
                del table[doc_id]
            removed = len(gone)
            next_id = max(table, default=0) + 1
            for offset, doc in enumerate(new_docs):
                table[next_id + offset] = doc

        self._table._update_table(updater)  # type: ignore[attr-defined]
        return removed

    def update(self, record: R, *, expected: R | None = None) -> R:
        """Replace the stored record with ``record`` (same id), durably, under the lock.

        With ``expected`` (the version an edit form started from) the save is
        refused with RecordChanged if the stored record differs from it, so an
        edit never silently overwrites one saved meanwhile by another window or
        a cron job. RecordMissing when the id is no longer stored; ValueError
        for a record that was never stored (use :meth:`add`).
        """
        if record.id is None:
            raise ValueError(f"{self.table_name}: update needs a stored record; this one has no id")
        record_id = record.id
        new_doc = record.to_doc()
        expected_doc = None if expected is None else expected.to_doc()

        def replace_document(doc: dict[str, Any]) -> None:
            if expected_doc is not None and dict(doc) != expected_doc:
                raise RecordChanged(
                    f"{self.table_name} #{record_id} was changed elsewhere since it was opened; "
                    "nothing was saved"
                )
            doc.clear()
            doc.update(new_doc)

        if not self._table.update(replace_document, doc_ids=[record_id]):
            raise RecordMissing(
                f"{self.table_name} #{record_id} is no longer stored (removed elsewhere?); "
                "nothing was saved"
            )
        return record

    def modify(self, record_id: int, change: Callable[[R], R]) -> R:
        """Read, change and save one record under the lock: no other writer can interleave.

        ``change`` gets the stored record and returns the new version (e.g.
        ``lambda letter: chase_letter(letter, now, due)``); an exception from it
        leaves the file untouched.
        """
        with self.transaction():
            current = self.get(record_id)
            if current is None:
                raise RecordMissing(f"{self.table_name} #{record_id} is not stored")
            return self.update(change(current), expected=current)

    def restore(self, record: R) -> R:
        """Put back a removed record under its own id (undo of :meth:`remove`)."""
        if record.id is None:
            raise ValueError(
                f"{self.table_name}: only a stored record (with an id) can be restored"
            )
        try:
            self._table.insert(Document(record.to_doc(), doc_id=record.id))
        except ValueError as exc:  # TinyDB: the id is taken
            raise RecordExists(
                f"{self.table_name} #{record.id} is in use again; the removed record was "
                "not restored"
            ) from exc
        return record

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the file's lock across reads and writes that must not interleave.

        For example an import's duplicate check and its add: another process
        can not add the same letter in between.
        """
        with self._db.transaction():
            yield

    def remove(self, record_id: int) -> None:
        self._table.remove(doc_ids=[record_id])

    def remove_sample(self) -> int:
        """Remove the records seeded as samples (under the lock); returns how many went."""
        return len(self._table.remove(where("sample") == True))  # noqa: E712  (a TinyDB query)

    def has_sample(self) -> bool:
        data = self._db.json_storage.read() or {}
        return any(doc.get("sample") is True for doc in (data.get(self.table_name) or {}).values())

    def count(self) -> int:
        return len(self._table)
