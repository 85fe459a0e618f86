"""Letters from and to CSV: the spreadsheet an LMC office already keeps.

Import (:func:`read_letters_csv`, then :func:`import_letters`):

* Bytes are UTF-8 (with or without Excel's BOM), else Windows-1252 (what
  Excel's plain "CSV" saves on Windows; a warning says so), else UTF-16 when
  it starts with a UTF-16 BOM. Anything else, an .xlsx workbook, an empty
  file or one over 100 MB is refused as a whole (:class:`CsvFileError`).
* Headers are matched ignoring case and surrounding spaces, in any order.
  ``subject``, ``counterparty`` and ``lmcs`` are required; the others
  (:data:`CSV_FIELDS`) are optional. ``mapping`` (``--map "Our Subject=subject"``)
  names the letter field for a column with another header. Unknown columns
  are ignored with a warning; ``id`` (from our own export) is ignored quietly.
* Cells: ``lmcs`` and ``tags`` separated by ";", ``asks`` one per line
  within the cell, dates as :func:`adapters.dates.parse_date` reads them,
  status and direction in any case. An empty status is the latest stage with
  a date (closed, responded, acknowledged, sent; none: draft, see
  ``status_from_dates``); an empty direction means "outgoing"; an empty due
  date on a letter awaiting a reply gets the default (sent + response days).
* Line numbers are the spreadsheet's row numbers: the header is line 1 (when
  no blank rows come before it), and a cell with line breaks inside is still
  one row.
* Every row is checked; every bad row is reported with its line and reason
  (all its bad cells, not just the first). A row is never half-imported: it
  becomes a whole letter or nothing. Rows with the wrong number of cells are
  bad rows (a stray line break in an unquoted cell would otherwise shift data
  into the wrong fields).

Policy for a file with bad rows: **nothing is imported** (and the CLI exits 1)
unless ``skip_bad`` is given, in which case the good rows are. Rows that are
the same letter as one already stored (same subject, counterparty and sent
date; see :func:`adapters.records.letters.identity`) or as an earlier row are
reported and skipped, so running the same import twice adds nothing the
second time. All new letters are stored in one write, under the records lock,
after the duplicate check.

Export (:func:`letters_to_csv`, :func:`write_letters_csv`): the same columns
plus ``id``, dates ISO, ``lmcs`` joined with "; ". A cell that a spreadsheet
would run as a formula (starting with = + - @, a tab or CR) gets a leading
apostrophe, as does one already starting with an apostrophe, and import
takes exactly that apostrophe off again, so export then import gives back the
same letters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from adapters.dates import parse_optional_date
from adapters.records.letters import (
    LETTER_DATE_FIELDS,
    Letter,
    identity,
    mark_created,
    parse_direction,
    parse_status,
    status_from_dates,
)
from adapters.records.lmcs import LmcList, resolve_lmcs
from adapters.records.overdue import DEFAULT_RESPONSE_DAYS, with_default_due
from adapters.repository import RecordRepository
from adapters.store import atomic_write_bytes
from adapters.validation import ValidationError

CSV_FIELDS = (
    "subject",
    "reference",
    "direction",
    "counterparty",
    "contact",
    "lmcs",
    "status",
    "sent",
    "acknowledged",
    "due",
    "responded",
    "closed",
    "summary",
    "asks",
    "outcome",
    "tags",
)
REQUIRED_COLUMNS = ("subject", "counterparty", "lmcs")
EXPORT_COLUMNS = ("id", *CSV_FIELDS)
QUIETLY_IGNORED = frozenset({"id"})
LIST_SEPARATOR = ";"
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_CELL_CHARS = 100_000

_FORMULA_STARTS = frozenset("=+-@\t\r")
_MULTILINE = frozenset({"summary", "outcome", "asks"})


class CsvFileError(ValueError):
    """The file as a whole can not be imported; nothing was read from it."""


@dataclass(frozen=True)
class RowProblem:
    """Why one row (or one cell of it) was not imported."""

    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass
class CsvRead:
    """What a CSV file holds: good letters by line, bad rows, and warnings."""

    letters: list[tuple[int, Letter]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: int = 0  # non-blank data rows

    @property
    def bad_lines(self) -> list[int]:
        return sorted({problem.line for problem in self.problems})


@dataclass
class ImportResult:
    """What an import did: the letters stored (with ids), what it skipped and why."""

    added: list[Letter] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    would_add: int = 0  # rows that are (or, in a dry run or a refused import, would be) added
    saved: bool = False  # True once the new letters are durably stored


# --------------------------------------------------------------------------- cells


def neutralise(cell: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    if cell and (cell[0] in _FORMULA_STARTS or cell[0] == "'"):
        return "'" + cell
    return cell


def unneutralise(cell: str) -> str:
    """Undo :func:`neutralise`: only an apostrophe that it could have added comes off."""
    if len(cell) >= 2 and cell[0] == "'" and (cell[1] in _FORMULA_STARTS or cell[1] == "'"):
        return cell[1:]
    return cell


def _split_list(cell: str) -> list[str]:
    """';'-separated, and one per line too: people list names in a cell either way."""
    items = (item for line in cell.splitlines() for item in line.split(LIST_SEPARATOR))
    return [item.strip() for item in items if item.strip()]


def _split_lines(cell: str) -> list[str]:
    return [line.strip() for line in cell.splitlines() if line.strip()]


def parse_mapping(specs: Iterable[str]) -> dict[str, str]:
    """``["Our Subject=subject", ...]`` as {column: field}; ValidationError("map") if malformed."""
    mapping: dict[str, str] = {}
    for spec in specs:
        column, equals, target = spec.rpartition("=")
        column, target = column.strip(), target.strip().casefold()
        if not equals or not column:
            raise ValidationError(
                "map", f"{spec!r} should be COLUMN=field, e.g. 'Our ref=reference'"
            )
        if target not in CSV_FIELDS:
            raise ValidationError(
                "map", f"{target!r} is not a letter field (one of {', '.join(CSV_FIELDS)})"
            )
        if column.casefold() in {c.casefold() for c in mapping}:
            raise ValidationError("map", f"the column {column!r} is mapped twice")
        mapping[column] = target
    return mapping


# --------------------------------------------------------------------------- reading


def decode_csv_bytes(raw: bytes, origin: str) -> tuple[str, list[str]]:
    """The file's text and a warning when it was not UTF-8."""
    if raw.startswith(b"PK\x03\x04"):
        raise CsvFileError(
            f"{origin} is an Excel workbook, not CSV: in Excel use File > Save As > CSV UTF-8"
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), []
        except UnicodeDecodeError as exc:
            raise CsvFileError(f"{origin}: broken UTF-16 text at byte {exc.start}") from exc
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as utf8_error:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise CsvFileError(
                f"{origin} is neither UTF-8 nor Windows-1252 text (byte {exc.start}); "
                "save it from the spreadsheet as CSV UTF-8"
            ) from exc
        return text, [
            f"{origin} is not UTF-8 (byte {utf8_error.start}); read as Windows-1252, "
            "as Excel saves it"
        ]


def read_letters_csv(
    path: Path,
    *,
    now: datetime,
    mapping: Mapping[str, str] | None = None,
    lmcs: LmcList | None = None,
    response_days: int = DEFAULT_RESPONSE_DAYS,
) -> CsvRead:
    """Read and check every row of a letters CSV; CsvFileError if the file is unusable."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CsvFileError(
                f"{path} is {size // (1024 * 1024)} MB; a letters CSV over "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB is not read"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvFileError(f"can not read {path}: {exc.strerror or exc}") from exc
    text, warnings = decode_csv_bytes(raw, str(path))
    result = read_letters_text(
        text, now=now, mapping=mapping, lmcs=lmcs, response_days=response_days, origin=path.name
    )
    result.warnings[:0] = warnings
    return result


def _header(
    cells: Sequence[str], mapping: Mapping[str, str], line: int
) -> tuple[dict[int, str], list[str]]:
    """Column index -> letter field, and warnings for the columns that are not used."""
    wanted = {column.strip().casefold(): target for column, target in mapping.items()}
    names = [cell.strip() for cell in cells]
    unused = set(wanted) - {name.casefold() for name in names}
    if unused:
        missing = sorted(column for column in mapping if column.strip().casefold() in unused)
        raise CsvFileError(
            f"--map names a column the header (line {line}) does not have: {missing[0]!r}"
        )
    columns: dict[int, str] = {}
    where: dict[str, int] = {}
    warnings: list[str] = []
    for index, name in enumerate(names):
        key = name.casefold()
        target = wanted.get(key, key if key in CSV_FIELDS else None)
        if target is None:
            if key and key not in QUIETLY_IGNORED:
                warnings.append(
                    f"column {name!r} is not a letter field and is ignored "
                    f"(--map '{name}=FIELD' to read it)"
                )
            continue
        if target in where:
            raise CsvFileError(
                f"columns {where[target] + 1} and {index + 1} of the header (line {line}) "
                f"are both {target!r}"
            )
        where[target] = index
        columns[index] = target
    for required in REQUIRED_COLUMNS:
        if required not in where:
            found = ", ".join(repr(n) for n in names if n) or "none"
            hint = ""
            if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
                hint = "; the header looks ';'- or tab-separated: save the file as comma-separated"
            raise CsvFileError(
                f"the header (line {line}) has no {required!r} column (columns: {found}); "
                f"rename one or use --map 'COLUMN={required}'{hint}"
            )
    return columns, warnings


def _letter_from_cells(
    cells: Mapping[str, str],
    line: int,
    *,
    now: datetime,
    origin: str,
    lmcs: LmcList | None,
    response_days: int,
) -> tuple[Letter | None, list[RowProblem], list[str]]:
    problems: list[RowProblem] = []
    values: dict[str, Any] = {}
    for name, cell in cells.items():
        if "\x00" in cell:
            problems.append(RowProblem(line, name, "contains a NUL character"))
        elif len(cell) > MAX_CELL_CHARS:
            problems.append(
                RowProblem(
                    line, name, f"is {len(cell):,} characters; the limit is {MAX_CELL_CHARS:,}"
                )
            )
    if problems:
        return None, problems, []

    def text(name: str) -> str:
        return cells.get(name, "").strip()

    def attempt(name: str, parse: Any) -> None:
        try:
            values[name] = parse()
        except ValidationError as exc:
            problems.append(RowProblem(line, exc.field, exc.message))

    for name in ("subject", "counterparty", "reference", "contact", "summary", "outcome"):
        values[name] = text(name)
    for name in LETTER_DATE_FIELDS:
        attempt(name, lambda name=name: parse_optional_date(text(name), name))
    attempt(
        "direction", lambda: parse_direction(text("direction")) if text("direction") else "outgoing"
    )
    if text("status"):
        attempt("status", lambda: parse_status(text("status")))
    else:
        values["status"] = status_from_dates(
            *(values.get(name) for name in ("sent", "acknowledged", "responded", "closed"))
        )
    names = _split_list(cells.get("lmcs", ""))
    warnings: list[str] = []
    if lmcs is not None:
        resolved, unknown = resolve_lmcs(names, lmcs)
        values["lmcs"] = resolved
        warnings = [f"line {line}: lmcs: {warning}" for warning in unknown]
    else:
        values["lmcs"] = tuple(names)
    values["asks"] = tuple(_split_lines(cells.get("asks", "")))
    values["tags"] = tuple(_split_list(cells.get("tags", "")))
    if problems:
        return None, problems, warnings
    try:
        letter = with_default_due(Letter(**values), response_days)
    except ValidationError as exc:
        return None, [RowProblem(line, exc.field, exc.message)], warnings
    return mark_created(letter, now, note=f"imported from {origin} line {line}"), [], warnings


def read_letters_text(
    text: str,
    *,
    now: datetime,
    mapping: Mapping[str, str] | None = None,
    lmcs: LmcList | None = None,
    response_days: int = DEFAULT_RESPONSE_DAYS,
    origin: str = "CSV",
) -> CsvRead:
    """Every row of a letters CSV already decoded to text (see :func:`read_letters_csv`)."""
    if not text.strip():
        raise CsvFileError(f"{origin} is empty: it needs a header row naming the columns")
    # A cell may be as long as the file (a 50 MB summary is refused by row, not by
    # the csv module stopping half-way). Process-wide, and only ever raised.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    reader = csv.reader(io.StringIO(text, newline=""))
    result = CsvRead()
    columns: dict[int, str] | None = None
    header: list[str] = []
    unnamed_with_data: set[int] = set()
    width = 0
    line = 0
    try:
        for row in reader:
            line += 1
            if not any(cell.strip() for cell in row):
                continue  # a blank row: spreadsheets have them; it still counts as a line
            if columns is None:
                columns, header_warnings = _header(row, mapping or {}, line)
                result.warnings.extend(header_warnings)
                header, width = [cell.strip() for cell in row], len(row)
                continue
            result.rows += 1
            if len(row) != width and (
                len(row) < width or any(cell.strip() for cell in row[width:])
            ):
                result.problems.append(
                    RowProblem(
                        line,
                        None,
                        f"has {len(row)} cells but the header has {width} "
                        "(a line break or comma in a cell without quotes?)",
                    )
                )
                continue
            unnamed_with_data.update(
                index for index in range(width) if not header[index] and row[index].strip()
            )
            cells = {name: unneutralise(row[index]) for index, name in columns.items()}
            letter, problems, warnings = _letter_from_cells(
                cells, line, now=now, origin=origin, lmcs=lmcs, response_days=response_days
            )
            result.warnings.extend(warnings)
            if letter is None:
                result.problems.extend(problems)
            else:
                result.letters.append((line, letter))
    except csv.Error as exc:  # nothing after this point can be trusted to line up
        raise CsvFileError(f"{origin} line {line + 1}: not readable as CSV ({exc})") from exc
    result.warnings.extend(
        f"column {index + 1} has no header; its cells are ignored"
        for index in sorted(unnamed_with_data)
    )
    return result


# --------------------------------------------------------------------------- importing


def import_letters(
    repository: RecordRepository[Letter],
    read: CsvRead,
    *,
    skip_bad: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Store the good, new letters in one write, unless bad rows refuse the import.

    Duplicates are decided under the records lock, against what is stored at
    that moment, so a cron import and the dashboard can not both add a letter.
    ``saved`` is True only when letters were written durably.
    """
    result = ImportResult(problems=list(read.problems), warnings=list(read.warnings))
    with repository.transaction():
        stored = {identity(letter): letter.id for letter in repository.all()}
        seen: dict[tuple[Any, ...], int] = {}
        new: list[Letter] = []
        for line, letter in read.letters:
            key = identity(letter)
            if key in stored:
                result.duplicates.append((line, f"already stored as letter #{stored[key]}"))
            elif key in seen:
                result.duplicates.append((line, f"repeats line {seen[key]}"))
            else:
                seen[key] = line
                new.append(letter)
        result.would_add = len(new)
        if dry_run or (read.problems and not skip_bad) or not new:
            return result
        result.added = repository.add_many(new)
        result.saved = True
    return result


# --------------------------------------------------------------------------- export


def _row(letter: Letter) -> list[str]:
    values: dict[str, str] = {"id": "" if letter.id is None else str(letter.id)}
    for name in CSV_FIELDS:
        value = getattr(letter, name)
        if name in LETTER_DATE_FIELDS:
            values[name] = value.isoformat() if value else ""
        elif name == "asks":
            values[name] = "\n".join(value)
        elif isinstance(value, tuple):
            values[name] = f"{LIST_SEPARATOR} ".join(value)
        else:
            values[name] = value
    return [neutralise(values[column]) for column in EXPORT_COLUMNS]


def letters_to_csv(letters: Iterable[Letter]) -> str:
    """The letters as CSV text with a header row (see the module docstring)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for letter in letters:
        writer.writerow(_row(letter))
    return buffer.getvalue()


def write_letters_csv(path: Path, letters: Iterable[Letter]) -> int:
    """Write the letters to ``path`` atomically, user-only (0600); returns how many.

    UTF-8 with a BOM, which is what makes Excel read it as UTF-8.
    """
    chosen = list(letters)
    payload = letters_to_csv(chosen).encode("utf-8-sig", errors="replace")
    atomic_write_bytes(path, payload)
    return len(chosen)
