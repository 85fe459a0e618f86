"""Storing imported GPW files: every file read first, then one write for all of them.

Re-importing a period replaces that dataset's figures for it (never adds to
them), and a malformed file means nothing at all is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.repository import RecordRepository
from adapters.workforce.gpw import GPWFileError, ParsedFile, read_gpw_file
from adapters.workforce.series import FigureSet, group_figures


@dataclass(frozen=True)
class ImportReport:
    """What one file added: its kind, periods, rows read and figures stored."""

    parsed: ParsedFile
    stored: int

    @property
    def kind(self) -> str:
        return self.parsed.kind


@dataclass(frozen=True)
class ImportResult:
    files: list[ImportReport]
    replaced: int


def read_all(paths: Sequence[Path], period: str | None = None) -> list[ParsedFile]:
    """Read every file; two files giving the same dataset and period are refused."""
    parsed = [read_gpw_file(path, period=period) for path in paths]
    owner: dict[tuple[str, str], str] = {}
    for item in parsed:
        for p in item.periods:
            first = owner.setdefault((item.dataset, p), item.path.name)
            if first != item.path.name:
                raise GPWFileError(
                    item.path.name,
                    None,
                    f"gives {p} of the same kind as {first}: import one of them",
                )
    return parsed


def store_parsed(repository: RecordRepository[FigureSet], parsed: list[ParsedFile]) -> ImportResult:
    """Replace each file's periods of its dataset with its figures, in one write.

    Returns how many stored figure sets (one per place and period) were replaced.
    """
    replace = {(item.dataset, p) for item in parsed for p in item.periods}

    def drop(doc: dict[str, Any]) -> bool:
        return (doc.get("dataset"), doc.get("period")) in replace

    sets = [s for item in parsed for s in group_figures(item.figures, item.headcount_note)]
    replaced = repository.replace_where(drop, sets)
    return ImportResult([ImportReport(item, len(item.figures)) for item in parsed], replaced)


def import_files(
    repository: RecordRepository[FigureSet], paths: Sequence[Path], period: str | None = None
) -> ImportResult:
    """Read all files, then store them; GPWFileError (nothing stored) if any is malformed."""
    return store_parsed(repository, read_all(paths, period))
