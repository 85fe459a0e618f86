"""Storing imported GPW files: every file read first, then one write per data file.

Re-importing a period replaces that dataset's figures for it (never adds to
them), in both files: England to sub-ICB in workforce.json, PCN and practice
in workforce-detail.json. A malformed file means nothing at all is stored.

The two files can not be replaced in one atomic step, so an import holds
workforce.json's lock throughout, writes workforce-detail.json first and
workforce.json last, and tags both with one random stamp (see
adapters/workforce/detail.py). A crash or a failed write in between leaves
workforce.json as it was, and the reader refuses detail tables whose stamp
workforce.json does not name: the screen says to import the file again
instead of showing PCN figures that disagree with the sub-ICB above them.
If the workforce.json write fails, the detail file's previous content is
put back (best effort) before the error is raised.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.store import CorruptDataFile, StoreError, locked, recover_corrupt
from adapters.workforce.detail import (
    DetailStamp,
    DetailTable,
    detail_for,
    replace_docs,
    write_tables,
)
from adapters.workforce.gpw import GPWFileError, ParsedFile, read_gpw_file
from adapters.workforce.series import FigureSet, group_figures

if TYPE_CHECKING:
    from adapters.workspace import Workspace


@dataclass(frozen=True)
class ImportReport:
    """What one file added: its kind, periods, rows read and figures stored."""

    parsed: ParsedFile
    stored: int

    @property
    def kind(self) -> str:
        return self.parsed.kind

    @property
    def detail_places(self) -> dict[str, int]:
        """PCNs and practices stored in workforce-detail.json, by level (all periods)."""
        counts: dict[str, int] = {}
        for table in self.parsed.detail:
            counts[table.level] = counts.get(table.level, 0) + len(table.codes)
        return counts


@dataclass(frozen=True)
class ImportResult:
    files: list[ImportReport]
    replaced: int
    warnings: tuple[str, ...] = ()


def read_all(paths: Sequence[Path], period: str | None = None) -> list[ParsedFile]:
    """Read every file once; two files giving the same dataset and period are refused.

    A file named twice (``import-workforce F F``, or by two spellings of its
    path) is read once: its figures would otherwise be stored twice.
    """
    unique = {path.resolve(): path for path in paths}  # first place, one entry per file
    parsed = [read_gpw_file(path, period=period) for path in unique.values()]
    owner: dict[tuple[str, str], ParsedFile] = {}
    for item in parsed:
        for p in item.periods:
            first = owner.setdefault((item.dataset, p), item)
            if first is not item:
                raise GPWFileError(
                    item.path.name,
                    None,
                    f"gives {p} of the same kind as {first.path}: import one of them",
                )
    return parsed


def store_parsed(workspace: Workspace, parsed: list[ParsedFile]) -> ImportResult:
    """Replace each file's periods of its dataset with its figures, in both files.

    Returns how many stored figure sets of workforce.json (one per place and
    period, sub-ICB and above) were replaced.
    """
    replace = {(item.dataset, p) for item in parsed for p in item.periods}

    def drop(doc: dict[str, Any]) -> bool:
        return (doc.get("dataset"), doc.get("period")) in replace

    stamp = secrets.token_hex(8)
    sets = [s for item in parsed for s in group_figures(item.figures, item.headcount_note)]
    tables: list[DetailTable] = [t for item in parsed for t in item.detail]
    counts = {key: 0 for key in replace}
    for table in tables:
        counts[(table.dataset, table.period)] += 1
    stamps = [
        DetailStamp(dataset=dataset, period=period, stamp=stamp, tables=n)
        for (dataset, period), n in sorted(counts.items())
    ]
    table_docs = []
    for table in tables:
        doc = table.to_doc()
        doc["stamp"] = stamp
        table_docs.append(doc)

    detail = detail_for(workspace)
    main_db = detail.main_db
    removed: list[int] = []
    warnings: list[str] = []
    with locked(main_db.lock):
        detail_db = detail.db
        with locked(detail_db.lock):
            try:
                before = detail_db.storage.read()
            except CorruptDataFile as exc:
                # Kept aside, never overwritten; the import starts a fresh file.
                warnings.append(recover_corrupt(detail_db, exc).message)
                before = None
            write_tables(detail_db, {DetailTable.TABLE: replace_docs(drop, table_docs, [])})
        try:
            write_tables(
                main_db,
                {
                    FigureSet.TABLE: replace_docs(drop, [s.to_doc() for s in sets], removed),
                    DetailStamp.TABLE: replace_docs(drop, [s.to_doc() for s in stamps], []),
                },
            )
        except StoreError:
            _put_back(detail_db, before)
            raise
    replaced = removed[0] if removed else 0
    return ImportResult(
        [ImportReport(item, len(item.figures)) for item in parsed], replaced, tuple(warnings)
    )


def _put_back(db: Any, before: dict[str, Any] | None) -> None:
    """The detail file as it was before a failed import; if that fails too, stamps guard it."""
    try:
        with locked(db.lock):
            db.storage.write(before or {})
    except StoreError:
        pass  # the stamps no longer match: the reader hides those tables and says so


def import_files(
    workspace: Workspace, paths: Sequence[Path], period: str | None = None
) -> ImportResult:
    """Read all files, then store them; GPWFileError (nothing stored) if any is malformed."""
    return store_parsed(workspace, read_all(paths, period))
