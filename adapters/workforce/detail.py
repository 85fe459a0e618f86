"""PCN and practice figures: stored apart from workforce.json and read only when asked for.

Why a second file. workforce.json is read by every start-up (the Overview's
tiles and trend); a month of PCN (~1,250) and practice (~6,300) figures is
several times the size of everything else in it, and TinyDB re-reads and
rewrites the whole file each time. So those two levels go to
``workforce-detail.json`` (through the same crash-safe store: atomic
replace, file lock, 0600), which nothing reads until the Workforce screen's
level picker or ``gpwatch workforce list --level pcn|practice`` asks for it.

Why columns. One :class:`DetailTable` holds one dataset, period and level
as parallel lists (codes, names, parent codes, one list of values per
metric), so a practice costs its numbers and its name, not a repeated
source and 25 metric names: ~0.3 KB a practice instead of ~1 KB.

Keeping the two files in step. An import writes both files, each in one
atomic write, while holding workforce.json's lock (so another gpwatch
process never reads between them): first workforce-detail.json, then
workforce.json. Each import carries a random *stamp*; workforce.json
records, per dataset and period, the stamp and how many detail tables it
expects (:class:`DetailStamp`), and every detail table carries its stamp. A
reader shows detail tables only where the stamps and counts agree, and
says which periods it left out and why. A crash between the two writes
leaves workforce.json with the old stamp, so the new PCN/practice figures
are not shown (and the old ones are gone): the screen and the CLI say "import
the file again" rather than showing figures that disagree with the levels
above. A corrupt workforce-detail.json is moved aside like any data file,
and the periods it held are reported missing the same way.
"""

from __future__ import annotations

import math
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from adapters.document import Record
from adapters.provenance import Source
from adapters.store import (
    CorruptDataFile,
    SafeTinyDB,
    locked,
    open_db,
    read_json_file,
    recover_corrupt,
)
from adapters.validation import ValidationError, optional_text, required_text
from adapters.workforce.series import Figure, period_sort_key

if TYPE_CHECKING:
    from adapters.workspace import Workspace

DETAIL_FILE = "workforce-detail.json"
DETAIL_LEVELS = ("pcn", "practice")
# The places above a PCN or practice, kept so the picker can go England -> region
# -> ICB -> sub-ICB -> PCN -> practice and back up again.
PARENT_LEVELS = ("region", "icb", "sub_icb", "pcn")
# Lower is preferred when two datasets give the same metric, period and place
# (the same order as the view's): distinct people before sums of practices.
DATASET_RANK = {
    "gpw:individual": 0,
    "gpw:pcn_individual": 0,
    "gpw:practice_detailed": 1,
    "gpw:practice_high": 2,
}


def _text_list(value: object, field_name: str, length: int | None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(field_name, "must be a list of text")
    if length is not None and len(value) != length:
        raise ValidationError(field_name, f"has {len(value)} entries for {length} places")
    for item in value:
        optional_text(item, field_name)
    return value


@dataclass(frozen=True)
class DetailTable(Record):
    """One dataset, period and level (PCN or practice) of imported figures, as columns.

    ``values[metric][i]`` is the figure of ``codes[i]``; ``None`` where that
    place had no data (missing is never zero). ``parents[level][i]`` is the
    code of the place's region, ICB, sub-ICB or PCN ("" when the file does
    not say). ``notes[metric][code]`` holds the few per-figure notes (e.g.
    how many practices of a PCN had no data).
    """

    TABLE: ClassVar[str] = "detail_tables"
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("dataset", "stamp", "headcount_note")

    dataset: str
    period: str
    level: str
    codes: list[str]
    names: list[str]
    parents: dict[str, list[str]]
    values: dict[str, list[float | None]]
    source: Source
    stamp: str = ""
    headcount_note: str = ""
    notes: dict[str, dict[str, str]] | None = None
    sample: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        self.check_common()
        required_text(self.dataset, "dataset")
        required_text(self.period, "period")
        if self.level not in DETAIL_LEVELS:
            raise ValidationError("level", f"{self.level!r} is not pcn or practice")
        codes = _text_list(self.codes, "codes", None)
        if not codes or len(set(codes)) != len(codes) or not all(codes):
            raise ValidationError("codes", "must be distinct, non-empty place codes")
        _text_list(self.names, "names", len(codes))
        if not isinstance(self.parents, dict):
            raise ValidationError("parents", "must map levels to lists of codes")
        for level, parent_codes in self.parents.items():
            if level not in PARENT_LEVELS:
                raise ValidationError("parents", f"{level!r} is not a level above a practice")
            _text_list(parent_codes, f"parents.{level}", len(codes))
        if not isinstance(self.values, dict) or not self.values:
            raise ValidationError("values", "must map metric names to lists of numbers")
        for key, column in self.values.items():
            required_text(key, "values")
            if not isinstance(column, list) or len(column) != len(codes):
                raise ValidationError(f"values.{key}", f"must list a value for {len(codes)} places")
            for value in column:
                if value is None:
                    continue
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or not math.isfinite(value)
                ):
                    raise ValidationError(f"values.{key}", f"{value!r} is not a finite number")
        if self.notes is not None:
            if not isinstance(self.notes, dict):
                raise ValidationError("notes", "must map metric names to notes by place")
            for key, by_code in self.notes.items():
                if not isinstance(by_code, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in by_code.items()
                ):
                    raise ValidationError(f"notes.{key}", "must map place codes to text")
        if not isinstance(self.source, Source):
            raise ValidationError("source", "every figure needs a source")

    def figure(self, metric: str, row: int) -> Figure | None:
        """The figure of one metric for the place in ``row``; None where it had no data."""
        column = self.values.get(metric)
        value = None if column is None else column[row]
        if value is None:
            return None
        from adapters.workforce.metrics import metric as metric_info

        code = self.codes[row]
        note = ((self.notes or {}).get(metric) or {}).get(code, "")
        parts = [self.headcount_note if metric.endswith("_hc") else "", note]
        return Figure(
            metric=metric,
            period=self.period,
            value=value,
            unit=metric_info(metric).unit or "count",
            source=self.source,
            geography_level=self.level,
            geography_code=code,
            geography_name=self.names[row] or code,
            notes="; ".join(p for p in parts if p),
            dataset=self.dataset,
        )


@dataclass(frozen=True)
class DetailStamp(Record):
    """In workforce.json: which import's detail tables go with a dataset and period.

    ``tables`` is how many detail tables that import wrote (0 when the file
    gave no PCN or practice figures), so a missing one is noticed too.
    """

    TABLE: ClassVar[str] = "detail_stamps"
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("dataset", "stamp")

    dataset: str
    period: str
    stamp: str
    tables: int
    source: Source | None = None
    sample: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        self.check_common()
        required_text(self.dataset, "dataset")
        required_text(self.period, "period")
        required_text(self.stamp, "stamp")
        if isinstance(self.tables, bool) or not isinstance(self.tables, int) or self.tables < 0:
            raise ValidationError("tables", f"{self.tables!r} is not a count")


# --------------------------------------------------------------------------- reading


class DetailIndex:
    """Detail tables indexed by place; figures are built only for what is asked for.

    A month of practice figures is ~170k values: making a Figure of each up
    front would cost seconds, so :meth:`series` builds one place's series.
    """

    def __init__(self, tables: Iterable[DetailTable]) -> None:
        self.tables = sorted(tables, key=lambda t: period_sort_key(t.period))
        self.rows: dict[tuple[str, str], list[tuple[DetailTable, int]]] = defaultdict(list)
        self.names: dict[tuple[str, str], str] = {}
        self.parents: dict[tuple[str, str], dict[str, str]] = {}
        for table in self.tables:  # oldest first: the newest name and parents win
            for row, code in enumerate(table.codes):
                key = (table.level, code)
                self.rows[key].append((table, row))
                self.names[key] = table.names[row] or code
                ups = {lv: table.parents[lv][row] for lv in table.parents if table.parents[lv][row]}
                if ups:
                    self.parents[key] = {**self.parents.get(key, {}), **ups}

    def series(self, metric: str, level: str, code: str) -> list[Figure]:
        """One metric of one PCN or practice, oldest period first, best dataset per period."""
        best: dict[str, tuple[int, Figure]] = {}
        for table, row in self.rows.get((level, code), []):
            figure = table.figure(metric, row)
            if figure is None:
                continue
            rank = DATASET_RANK.get(table.dataset, 3)
            held = best.get(table.period)
            if held is None or rank < held[0]:
                best[table.period] = (rank, figure)
        return [best[p][1] for p in sorted(best, key=period_sort_key)]

    def figures(self, level: str | None = None) -> list[Figure]:
        """Every figure of a level (both when None), best dataset per metric, period, place."""
        best: dict[tuple[str, str, str, str], tuple[int, Figure]] = {}
        for table in self.tables:
            if level is not None and table.level != level:
                continue
            rank = DATASET_RANK.get(table.dataset, 3)
            for metric in table.values:
                for row in range(len(table.codes)):
                    figure = table.figure(metric, row)
                    if figure is None:
                        continue
                    key = (metric, table.level, figure.geography_code, table.period)
                    held = best.get(key)
                    if held is None or rank < held[0]:
                        best[key] = (rank, figure)
        return [figure for _, figure in best.values()]

    def metrics(self, level: str, code: str) -> set[str]:
        return {m for table, _ in self.rows.get((level, code), []) for m in table.values}

    def codes(self, level: str) -> list[str]:
        return [code for lv, code in self.rows if lv == level]


@dataclass
class DetailRead:
    """What a read of the detail file gave: the tables shown, and what was left out and why."""

    index: DetailIndex
    warnings: list[str] = field(default_factory=list)


class WorkforceDetail:
    """workforce-detail.json beside a workspace's workforce.json, opened on first use."""

    def __init__(self, main_db: SafeTinyDB, data_dir: Path) -> None:
        self.main_db = main_db
        self.path = data_dir / DETAIL_FILE
        self._db: SafeTinyDB | None = None

    @property
    def db(self) -> SafeTinyDB:
        """The detail file, opened unread (check=False): opening must not parse megabytes."""
        if self._db is None:
            self._db = open_db(self.path, check=False)
        return self._db

    def read(self) -> DetailRead:
        """The detail tables that agree with workforce.json's stamps, with warnings.

        Read under workforce.json's lock, which every import holds across both
        of its writes, so the two files are seen as one import left them.
        """
        warnings: list[str] = []
        with locked(self.main_db.lock):
            stamps = _load_all(read_json_file(self.main_db.path), DetailStamp, warnings, "")
            try:
                data = read_json_file(self.path)
            except CorruptDataFile as exc:
                recovery = recover_corrupt(self.db, exc)
                warnings.append(recovery.message)
                data = None
        tables = _load_all(data, DetailTable, warnings, DETAIL_FILE)
        expected = {(s.dataset, s.period): s for s in stamps}
        shown: list[DetailTable] = []
        found: dict[tuple[str, str], int] = defaultdict(int)
        stale: set[tuple[str, str]] = set()
        for table in tables:
            key = (table.dataset, table.period)
            stamp = expected.get(key)
            if stamp is None or stamp.stamp != table.stamp:
                stale.add(key)
                continue
            found[key] += 1
            shown.append(table)
        for dataset, period in sorted(stale):
            warnings.append(
                f"PCN and practice figures of {period} ({dataset}) are from an import that did "
                f"not finish, so they do not match workforce.json and are not shown: import "
                f"that file again"
            )
        for key, stamp in sorted(expected.items()):
            if found[key] < stamp.tables:
                shown = [t for t in shown if (t.dataset, t.period) != key]
                if key in stale:
                    continue  # already said: the import that would have matched did not finish
                warnings.append(
                    f"PCN and practice figures of {key[1]} ({key[0]}) are missing from "
                    f"{DETAIL_FILE} ({found[key]} of {stamp.tables} tables): import that file "
                    "again"
                )
        return DetailRead(DetailIndex(shown), warnings)


def _load_all(
    data: dict[str, dict[str, Any]] | None, model: Any, warnings: list[str], file: str
) -> list[Any]:
    records = []
    table = (data or {}).get(model.TABLE, {})
    for doc_id, doc in table.items():
        try:
            records.append(model.from_doc(dict(doc), int(doc_id)))
        except (ValidationError, TypeError, ValueError) as exc:
            where = file or "workforce.json"
            warnings.append(f"{where} {model.TABLE} #{doc_id}: {exc}")
    return records


# One detail store per workspace, so every caller in a process shares its file lock.
_OPEN: weakref.WeakKeyDictionary[Workspace, WorkforceDetail] = weakref.WeakKeyDictionary()


def detail_for(workspace: Workspace) -> WorkforceDetail:
    """The workspace's detail store; made here so that Workspace (start-up) never opens it."""
    detail = _OPEN.get(workspace)
    if detail is None:
        # RecordRepository keeps its database private; workforce.json's is needed for the
        # lock and the stamps, and the imported figures' repository is the one that has it.
        main_db: SafeTinyDB = workspace.imported._db  # type: ignore[attr-defined]
        detail = WorkforceDetail(main_db, workspace.data_dir)
        _OPEN[workspace] = detail
    return detail


def load_detail(workspace: Workspace) -> DetailRead:
    """Read the PCN and practice figures (seconds for years of files: call it off the UI)."""
    return detail_for(workspace).read()


# --------------------------------------------------------------------------- writing


Updater = Callable[[dict[int, dict[str, Any]]], None]


def write_tables(db: SafeTinyDB, updaters: dict[str, Updater]) -> None:
    """Change several tables of one data file in one atomic write, under its lock.

    TinyDB writes a file per table change; a detail table and its stamp must
    land together, so this reads the file once, applies every change and
    writes it once (AtomicJSONStorage: the old file or the new, never half).
    """
    with locked(db.lock):
        data = db.storage.read() or {}
        for name, update in updaters.items():
            table = {int(k): v for k, v in data.get(name, {}).items()}
            update(table)
            data[name] = {str(k): table[k] for k in sorted(table)}
        db.storage.write(data)


def replace_docs(
    drop: Callable[[dict[str, Any]], bool], new_docs: list[dict[str, Any]], removed: list[int]
) -> Updater:
    """An updater removing what ``drop`` accepts and appending ``new_docs``; counts removals."""

    def update(table: dict[int, dict[str, Any]]) -> None:
        gone = [doc_id for doc_id, doc in table.items() if drop(doc)]
        for doc_id in gone:
            del table[doc_id]
        removed.append(len(gone))
        next_id = max(table, default=0) + 1
        for offset, doc in enumerate(new_docs):
            table[next_id + offset] = doc

    return update
