"""Reading NHS Digital's General Practice Workforce (GPW) CSVs as published.

Four kinds of file are recognised from their header alone (names matched
ignoring case, a byte-order mark and surrounding spaces): the practice-level
"detailed" file (one row per practice, ~830 columns), the practice-level
"high level" file (long: one row per practice, role and measure), the
individual-level file (one row per person and post) and the PCN
individual-level file. Their rows are aggregated up to PCN, sub-ICB, ICB,
region and England. England to sub-ICB (``STORED_LEVELS``) become figures for
workforce.json; PCN and practice figures become column tables
(:class:`~adapters.workforce.detail.DetailTable`) for workforce-detail.json,
which start-up never reads (see adapters/workforce/detail.py).

Rules that keep the figures honest:

* ``ND``, ``NA``, ``NULL`` and blank cells are missing, never zero: a sum says
  how many practices had no data, and a place where none had is not stored.
* Headcount from practice rows is a sum of practice headcounts (a GP in two
  practices counts twice) and the figure's note says so; from individual rows
  it is the number of distinct UNIQUE_IDENTIFIERs at that level.
* A file is read completely before anything is stored; the first malformed
  row refuses the whole file with its line number and the reason.

Older vintages name columns differently and lack some metrics altogether
(e.g. no fully qualified GP columns and only ST3-4 registrars in 2015-17
practice files; PCN staff only in the 2020 PCN files): the table in
adapters/workforce/VINTAGES.md says which, and which real files test it.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from adapters.provenance import Source
from adapters.text import clean_text
from adapters.workforce.detail import PARENT_LEVELS, DetailTable
from adapters.workforce.metrics import BY_KEY, MISSING
from adapters.workforce.series import ENGLAND_CODE, Figure, valid_period

GPW_URL = (
    "https://digital.nhs.uk/data-and-information/publications/statistical/"
    "general-and-personal-medical-services"
)
PUBLISHER = "NHS Digital"

KINDS = ("practice_detailed", "practice_high", "individual", "pcn_individual")
KIND_TITLES = {
    "practice_detailed": "practice level, detailed",
    "practice_high": "practice level, high level",
    "individual": "individual level",
    "pcn_individual": "Primary Care Networks, individual level",
}
# These levels go to workforce.json (~160 places a month), which start-up reads.
# PCNs (~1,250) and practices (~6,300) go to workforce-detail.json as columns.
STORED_LEVELS = ("england", "region", "icb", "sub_icb")

# Older files name the same geographies differently (CCGs before July 2022,
# STPs before ICBs, commissioning regions); the first name present is used.
GEOGRAPHY_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "region": (("region_code", "region_name"), ("comm_region_code", "comm_region_name")),
    "icb": (("icb_code", "icb_name"), ("stp_code", "stp_name")),
    "sub_icb": (("sub_icb_code", "sub_icb_name"), ("ccg_code", "ccg_name")),
    "pcn": (("pcn_code", "pcn_name"),),
}
PERIOD_COLUMNS = (
    ("census_year", "census_month"),
    ("snapshot_year", "snapshot_month"),
    ("year", "month"),
)

HC_NOTE = "sum of practice headcounts: someone in two practices counts twice"
DISTINCT_NOTE = "distinct people (UNIQUE_IDENTIFIER) at this level"
RATIO_NOTE = "registered patients / fully qualified GP FTE"


# Practice-level detailed: for each metric, alternatives in order of preference;
# an alternative is used when all its columns are present, and its columns are
# summed for each practice. Older vintages' names come after the current ones.
def _alternatives(measure: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    m = measure
    return {
        f"gp_{m}": ((f"total_gp_{m}",),),
        f"gp_fq_{m}": ((f"total_gp_extg_{m}",), (f"total_gp_exrr_{m}",)),
        f"gp_fq_perm_{m}": ((f"total_gp_extgl_{m}",), (f"total_gp_exrrl_{m}",)),
        f"partners_{m}": (
            (f"total_gp_sen_ptnr_{m}", f"total_gp_ptnr_prov_{m}"),
            (f"total_gp_sen_ptnr_{m}",),
            (f"total_gp_ptnr_{m}",),
        ),
        f"salaried_{m}": (
            (f"total_gp_sal_by_prac_{m}", f"total_gp_sal_by_oth_{m}"),
            (f"total_gp_sal_by_prac_{m}",),
            (f"total_gp_sal_{m}",),
        ),
        f"locums_{m}": (
            (f"total_gp_locum_vac_{m}", f"total_gp_locum_abs_{m}", f"total_gp_locum_oth_{m}"),
            (f"total_gp_locum_{m}",),
        ),
        f"registrars_{m}": (
            tuple(f"total_gp_trn_gr_st{n}_{m}" for n in range(1, 5)),
            (f"total_gp_reg_st1_4_{m}",),
            (f"total_gp_reg_st3_4_{m}",),
        ),
        f"nurses_{m}": ((f"total_nurses_{m}",),),
        f"dpc_{m}": ((f"total_dpc_{m}",),),
        f"admin_{m}": ((f"total_admin_{m}",),),
    }


DETAILED_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    **_alternatives("hc"),
    **_alternatives("fte"),
    "patients": (("total_patients",),),
}

REQUIRED = {
    "practice_detailed": ("prac_code",),
    "practice_high": ("prac_code", "staff_group", "measure", "value"),
    "individual": ("staff_group", "fte", "unique_identifier"),
    "pcn_individual": ("pcn_code", "staff_group", "fte", "unique_identifier"),
}
KNOWN = {
    "practice_high": {"prac_code", "prac_name", "staff_group", "detailed_staff_role", "measure",
                      "value"},
    "individual": {"staff_group", "staff_role", "detailed_staff_role", "fte",
                   "unique_identifier", "data_source", "country_qualification_area",
                   "country_qualification_group", "age_band", "age_years", "gender"},
    "pcn_individual": {"pcn_code", "pcn_name", "staff_group", "staff_role",
                       "detailed_staff_role", "fte", "unique_identifier", "data_source"},
}  # fmt: skip

MONTHS = {
    name: n
    for n, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip
_NAME_ISO = re.compile(r"(?<!\d)(20\d\d)[-_ .]?(0[1-9]|1[0-2])(?!\d)")
_NAME_MONTH = re.compile(r"(?i)(?<![a-z])([a-z]{3,9})[\s_\-\u2013\u2014.]*(20\d\d)(?!\d)")


class GPWFileError(ValueError):
    """A file refused, with the line (as an editor numbers it) and why; nothing stored."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = f"{file}: line {line}" if line else file
        super().__init__(f"{where}: {reason}")


@dataclass
class ParsedFile:
    """What one file gave: its kind, the figures per period, and what was not used."""

    path: Path
    kind: str
    rows: int
    figures: list[Figure]
    periods: tuple[str, ...]
    warnings: list[str] = field(default_factory=list)
    detail: list[DetailTable] = field(default_factory=list)

    @property
    def dataset(self) -> str:
        return f"gpw:{self.kind}"

    @property
    def headcount_note(self) -> str:
        return DISTINCT_NOTE if self.kind in ("individual", "pcn_individual") else HC_NOTE


def normalise_header(cells: Sequence[str]) -> list[str]:
    """Lower case, no BOM, no surrounding spaces or quotes: how headers are compared."""
    return [c.replace("\ufeff", "").strip().strip('"').strip().lower() for c in cells]


def detect_kind(header: Sequence[str]) -> str | None:
    """Which of the four kinds a (normalised) header is, or None."""
    names = set(header)
    if {"prac_code", "staff_group", "measure", "value"} <= names:
        return "practice_high"
    if "unique_identifier" in names and "pcn_code" in names:
        return "pcn_individual"
    if "unique_identifier" in names and "staff_group" in names:
        return "individual"
    if "prac_code" in names and any(n.startswith("total_") for n in names):
        return "practice_detailed"
    return None


def period_from_name(name: str) -> str | None:
    """A period written in a file name: "2025-07", "202507" or "July 2025" (any dash)."""
    if m := _NAME_ISO.search(name):
        return f"{m[1]}-{m[2]}"
    for m in _NAME_MONTH.finditer(name):
        month = MONTHS.get(m[1].lower())
        if month:
            return f"{m[2]}-{month:02d}"
    return None


def decode(raw: bytes, origin: str) -> tuple[str, list[str]]:
    """UTF-8 (with or without BOM), else Windows-1252, as NHS Digital's older files are."""
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        text = raw.decode("cp1252", errors="replace")
        return text.lstrip("\ufeff"), [
            f"{origin}: not UTF-8 (byte {exc.start}); read as Windows-1252"
        ]


def parse_number(cell: str, column: str, line: int, file: str) -> float | None:
    """A cell as a number; None for a missing marker; anything else refuses the file."""
    text = cell.strip()
    if text.lower() in MISSING:
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise GPWFileError(
            file,
            line,
            f"{column.upper()}: {clean_text(text)[:40]!r} is not a number (or ND/NA/blank)",
        ) from None
    if not math.isfinite(value) or value < 0:
        raise GPWFileError(
            file, line, f"{column.upper()}: {clean_text(text)[:40]!r} is not a count"
        )
    return value


class _Reader:
    """One file being read: header lookups, the period of each row, line numbers."""

    def __init__(self, path: Path, period: str | None) -> None:
        self.path = path
        self.file = path.name
        self.warnings: list[str] = []
        raw = path.read_bytes()
        text, warnings = decode(raw, self.file)
        self.warnings += warnings
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise GPWFileError(self.file, line, "contains a NUL byte: not a CSV text file")
        self.reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            first = next(self.reader)
        except StopIteration:
            raise GPWFileError(self.file, 1, "the file is empty") from None
        except csv.Error as exc:
            raise GPWFileError(self.file, 1, f"not readable as CSV: {exc}") from None
        self.header = normalise_header(first)
        self.width = len(self.header)
        self.index = {name: i for i, name in reversed(list(enumerate(self.header)))}
        kind = detect_kind(self.header)
        if kind is None:
            raise GPWFileError(
                self.file,
                1,
                "not a General Practice Workforce file: the header has none of the "
                "column sets of the four kinds (e.g. PRAC_CODE with TOTAL_* columns, or "
                "STAFF_GROUP with FTE and UNIQUE_IDENTIFIER)",
            )
        self.kind = kind
        missing = [c for c in REQUIRED[kind] if c not in self.index]
        if missing:
            raise GPWFileError(
                self.file,
                1,
                f"looks like a {KIND_TITLES[kind]} file but has no "
                + ", ".join(c.upper() for c in missing)
                + " column",
            )
        self.period_columns = next(
            ((self.index[y], self.index[m]) for y, m in PERIOD_COLUMNS
             if y in self.index and m in self.index),
            None,
        )  # fmt: skip
        self.given_period = period
        self.name_period = period_from_name(path.name)
        if self.period_columns is None and period is None and self.name_period is None:
            raise GPWFileError(
                self.file,
                None,
                "no period: the file has no census year and month columns and its name "
                "has no date such as 2025-07 or 'July 2025'; pass --period YYYY-MM",
            )
        self.rows = 0
        self.detail: list[DetailTable] = []

    def column(self, name: str) -> int | None:
        return self.index.get(name)

    def geography(self, level: str) -> tuple[int, int | None] | None:
        for code, name in GEOGRAPHY_COLUMNS[level]:
            if code in self.index:
                return self.index[code], self.index.get(name)
        return None

    def warn_unknown(self, known: set[str]) -> None:
        used = {c for pair in PERIOD_COLUMNS for c in pair}
        used |= {c for pairs in GEOGRAPHY_COLUMNS.values() for pair in pairs for c in pair}
        extra = [c for c in self.header if c and c not in known and c not in used]
        if extra:
            shown = ", ".join(c.upper() for c in extra[:8])
            more = f" and {len(extra) - 8} more" if len(extra) > 8 else ""
            self.warnings.append(f"{self.file}: columns not used: {shown}{more}")

    def lines(self) -> Iterator[tuple[int, list[str]]]:
        """(line, cells) for each data row; a ragged or broken row refuses the file."""
        reader = self.reader
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise GPWFileError(
                    self.file, reader.line_num, f"not readable as CSV: {exc}"
                ) from None
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != self.width:
                raise GPWFileError(
                    self.file,
                    line,
                    f"has {len(row)} cells but the header has {self.width} columns",
                )
            self.rows += 1
            yield line, row

    def period(self, row: list[str], line: int) -> str:
        """The row's census period; the file's (from --period or its name) when it has none."""
        if self.period_columns is None:
            return self.given_period or self.name_period or ""
        year_cell, month_cell = (row[i].strip() for i in self.period_columns)
        try:
            year, month = int(float(year_cell)), int(float(month_cell))
        except ValueError:
            raise GPWFileError(
                self.file, line, f"census year/month {year_cell!r}/{month_cell!r} is not a date"
            ) from None
        if not (1990 <= year <= 2100 and 1 <= month <= 12):
            raise GPWFileError(self.file, line, f"census year/month {year}/{month} is not a date")
        found = f"{year}-{month:02d}"
        if self.given_period and found != self.given_period:
            raise GPWFileError(
                self.file,
                line,
                f"the row's census period is {found} but --period says {self.given_period}",
            )
        return found


Place = tuple[str, str, str]  # level, code, name


def _places(reader: _Reader, row: list[str], levels: Sequence[str]) -> list[Place]:
    places: list[Place] = [("england", ENGLAND_CODE, "England")]
    for level in levels:
        columns = reader.geography(level)
        if columns is None:
            continue
        code = row[columns[0]].strip()
        if not code:
            continue
        name = row[columns[1]].strip() if columns[1] is not None else code
        places.append((level, clean_text(code), clean_text(name) or clean_text(code)))
    return places


@dataclass
class _Sum:
    """A running sum over practices, with how many had no value."""

    total: float = 0.0
    present: int = 0
    missing: int = 0


def _source(kind: str, period: str, file: str) -> Source:
    return Source(
        title=f"General Practice Workforce, {period}: {KIND_TITLES[kind]}",
        publisher=PUBLISHER,
        url=GPW_URL,
        reference=f"imported from {clean_text(file)}",
    )


def _figure(
    key: str,
    period: str,
    place: Place,
    value: float,
    notes: list[str],
    source: Source,
    dataset: str,
) -> Figure:
    level, code, name = place
    return Figure(
        metric=key,
        period=period,
        value=round(value, 4),
        unit=BY_KEY[key].unit,
        source=source,
        geography_level=level,
        geography_code=code,
        geography_name=name,
        notes="; ".join(n for n in notes if n),
        dataset=dataset,
    )


def _missing_note(part: _Sum, what: str) -> str:
    if not part.missing:
        return ""
    return (
        f"data missing (ND/NA/blank) for {part.missing} of {part.present + part.missing} "
        f"{what}; the sum is of the rest"
    )


Entry = tuple[str, str, dict[str, str], dict[str, float], dict[str, str]]


def _add_detail(
    reader: _Reader, kind: str, period: str, level: str, entries: list[Entry], note: str
) -> None:
    """PCN or practice entries (code, name, parents, values, notes) as one column table.

    A place with no value at all (every cell ND/NA) is left out, as a
    sub-ICB with none would be: missing is never stored as zero.
    """
    entries = sorted((e for e in entries if e[3]), key=lambda e: e[0])
    if entries:
        reader.detail.append(_detail_table(kind, period, level, entries, reader.file, note))


def _detail_table(
    kind: str, period: str, level: str, entries: list[Entry], file: str, headcount_note: str
) -> DetailTable:
    metrics = sorted({key for entry in entries for key in entry[3]})
    notes: dict[str, dict[str, str]] = {}
    for code, _, _, _, by_metric in entries:
        for key, note in by_metric.items():
            if note:
                notes.setdefault(key, {})[code] = note
    return DetailTable(
        dataset=f"gpw:{kind}",
        period=period,
        level=level,
        codes=[e[0] for e in entries],
        names=[e[1] for e in entries],
        parents={
            lv: [e[2].get(lv, "") for e in entries]
            for lv in PARENT_LEVELS
            if any(e[2].get(lv) for e in entries)
        },
        values={
            key: [None if (v := e[3].get(key)) is None else round(v, 4) for e in entries]
            for key in metrics
        },
        source=_source(kind, period, file),
        headcount_note=headcount_note,
        notes=notes or None,
    )


def _parents(places: list[Place]) -> dict[str, str]:
    return {level: code for level, code, _ in places if level in PARENT_LEVELS}


def _practice_detailed(reader: _Reader) -> dict[str, list[Figure]]:
    columns: dict[str, list[int]] = {}
    absent: list[str] = []
    for key, alternatives in DETAILED_COLUMNS.items():
        chosen = next((alt for alt in alternatives if all(c in reader.index for c in alt)), None)
        if chosen is None:
            absent.append(key)
        else:
            columns[key] = [reader.index[c] for c in chosen]
    if not columns:
        raise GPWFileError(reader.file, 1, "none of the TOTAL_* columns gpwatch reads is here")
    if absent:
        reader.warnings.append(
            f"{reader.file}: no column for {', '.join(absent)}: not imported from this file"
        )
    for level in ("pcn", "sub_icb", "icb", "region"):
        if reader.geography(level) is None:
            reader.warnings.append(
                f"{reader.file}: no {level.upper()}_CODE column: not aggregated by {level}"
            )
    prac = reader.index["prac_code"]
    prac_name = reader.index.get("prac_name")
    names = list(columns.items())
    sums: dict[tuple[str, Place], dict[str, _Sum]] = defaultdict(lambda: defaultdict(_Sum))
    ratio: dict[tuple[str, Place], list[float]] = defaultdict(lambda: [0.0, 0.0, 0, 0])
    seen: dict[tuple[str, str], int] = {}
    # Practice level is the rows themselves; a PCN's parents are its first practice's.
    practices: dict[str, list[Entry]] = defaultdict(list)
    pcn_parents: dict[tuple[str, str], dict[str, str]] = {}
    file = reader.file
    for line, row in reader.lines():
        code = row[prac].strip()
        if not code:
            raise GPWFileError(file, line, "PRAC_CODE is blank")
        period = reader.period(row, line)
        first = seen.setdefault((period, code), line)
        if first != line:
            raise GPWFileError(
                file, line, f"practice {clean_text(code)!r} is already on line {first} for {period}"
            )
        values: dict[str, float | None] = {}
        for key, indices in names:
            total: float | None = 0.0
            for i in indices:
                value = parse_number(row[i], reader.header[i], line, file)
                if value is None:
                    total = None
                    break
                total += value  # type: ignore[operator]
            values[key] = total
        patients, fq_fte = values.get("patients"), values.get("gp_fq_fte")
        places = _places(reader, row, ("pcn", "sub_icb", "icb", "region"))
        parents = _parents(places)
        own = {k: v for k, v in values.items() if v is not None}
        if patients is not None and fq_fte:
            own["patients_per_fq_gp_fte"] = patients / fq_fte
        name = clean_text(row[prac_name].strip()) if prac_name is not None else ""
        practices[period].append((clean_text(code), name or clean_text(code), parents, own, {}))
        if "pcn" in parents:
            pcn_parents.setdefault(
                (period, parents["pcn"]), {k: v for k, v in parents.items() if k != "pcn"}
            )
        for place in places:
            bucket = sums[(period, place)]
            for key, value in values.items():
                part = bucket[key]
                if value is None:
                    part.missing += 1
                else:
                    part.total += value
                    part.present += 1
            r = ratio[(period, place)]
            if patients is not None and fq_fte is not None:
                r[0] += patients
                r[1] += fq_fte
                r[2] += 1
            else:
                r[3] += 1
    dataset = "gpw:practice_detailed"
    figures: dict[str, list[Figure]] = defaultdict(list)
    pcns: dict[str, list[Entry]] = defaultdict(list)
    for (period, place), bucket in sums.items():
        count = max(p.present + p.missing for p in bucket.values())
        found: dict[str, float] = {"practices": count}
        notes: dict[str, str] = {}
        for key, part in bucket.items():
            if not part.present:
                continue  # every practice missing: no figure, never a zero
            found[key] = part.total
            notes[key] = "; ".join(
                n
                for n in (
                    HC_NOTE if key.endswith("_hc") else "",
                    _missing_note(part, "practices"),
                )
                if n
            )
        patients_sum, fte_sum, both, lacking = ratio[(period, place)]
        if both and fte_sum > 0:
            found["patients_per_fq_gp_fte"] = patients_sum / fte_sum
            notes["patients_per_fq_gp_fte"] = (
                f"practices with both figures only ({lacking} without)" if lacking else RATIO_NOTE
            )
        level, code, name = place
        if level == "pcn":
            # The headcount note is the table's; a PCN's own notes are the rest.
            pcn_notes = {
                k: "; ".join(p for p in n.split("; ") if p not in (HC_NOTE, RATIO_NOTE))
                for k, n in notes.items()
            }
            parents = pcn_parents.get((period, code), {})
            pcns[period].append((code, name, parents, found, pcn_notes))
            continue
        source = _source("practice_detailed", period, file)
        for key, value in found.items():
            figures[period].append(
                _figure(key, period, place, value, [notes.get(key, "")], source, dataset)
            )
    for period, entries in pcns.items():
        _add_detail(reader, "practice_detailed", period, "pcn", entries, HC_NOTE)
    for period, entries in practices.items():
        _add_detail(reader, "practice_detailed", period, "practice", entries, "")
    return figures


def _gp_families(role: str) -> list[str]:
    """The GP metrics a post counts in, from its staff role text."""
    if any(word in role for word in ("train", "registrar", "st1", "st2", "st3", "st4")):
        return ["gp", "registrars"]
    families = ["gp", "gp_fq"]
    if "locum" in role:
        return [*families, "locums"]
    families.append("gp_fq_perm")
    if "partner" in role or "provider" in role:
        families.append("partners")
    elif "salaried" in role:
        families.append("salaried")
    return families


def _families(kind: str, group: str, role: str) -> list[str]:
    if kind == "pcn_individual":
        return ["pcn_staff", "pcn_dpc"] if "direct patient care" in group else ["pcn_staff"]
    if group == "gp" or group.startswith("gp ") or group == "gps":
        return _gp_families(role)
    if "nurse" in group:
        return ["nurses"]
    if "direct patient care" in group:
        return ["dpc"]
    if "admin" in group or "non-clinical" in group:
        return ["admin"]
    return []


def _individual(reader: _Reader) -> dict[str, list[Figure]]:
    kind = reader.kind
    reader.warn_unknown(KNOWN[kind])
    group_i = reader.index["staff_group"]
    roles = [reader.index[c] for c in ("staff_role", "detailed_staff_role") if c in reader.index]
    fte_i = reader.index["fte"]
    uid_i = reader.index["unique_identifier"]
    levels = ("pcn", "sub_icb", "icb", "region")
    pcn_parents: dict[tuple[str, str], dict[str, str]] = {}
    people: dict[tuple[str, Place, str], set[str]] = defaultdict(set)
    fte: dict[tuple[str, Place, str], _Sum] = defaultdict(_Sum)
    unknown_groups: dict[str, int] = {}
    file = reader.file
    for line, row in reader.lines():
        period = reader.period(row, line)
        uid = row[uid_i].strip()
        if not uid:
            raise GPWFileError(file, line, "UNIQUE_IDENTIFIER is blank")
        group = row[group_i].strip().lower()
        role = " ".join(row[i] for i in roles).lower()
        families = _families(kind, group, role)
        if not families:
            unknown_groups.setdefault(clean_text(row[group_i].strip()), line)
            continue
        value = parse_number(row[fte_i], "fte", line, file)
        places = _places(reader, row, levels)
        parents = _parents(places)
        if "pcn" in parents:
            pcn_parents.setdefault(
                (period, parents["pcn"]), {k: v for k, v in parents.items() if k != "pcn"}
            )
        for place in places:
            for family in families:
                key = (period, place, family)
                people[key].add(uid)
                part = fte[key]
                if value is None:
                    part.missing += 1
                else:
                    part.total += value
                    part.present += 1
    if unknown_groups:
        shown = ", ".join(f"{g!r} (line {n})" for g, n in list(unknown_groups.items())[:5])
        reader.warnings.append(f"{file}: staff groups not counted: {shown}")
    dataset = f"gpw:{kind}"
    figures: dict[str, list[Figure]] = defaultdict(list)
    pcns: dict[tuple[str, str], Entry] = {}
    for (period, place, family), ids in people.items():
        part = fte[(period, place, family)]
        note = _missing_note(part, "posts")
        level, code, name = place
        if level == "pcn":
            entry = pcns.setdefault(
                (period, code), (code, name, pcn_parents.get((period, code), {}), {}, {})
            )
            entry[3][f"{family}_hc"] = len(ids)
            if part.present:
                entry[3][f"{family}_fte"] = part.total
                entry[4][f"{family}_fte"] = note
            continue
        source = _source(kind, period, file)
        figures[period].append(
            _figure(f"{family}_hc", period, place, len(ids), [DISTINCT_NOTE], source, dataset)
        )
        if part.present:
            figures[period].append(
                _figure(f"{family}_fte", period, place, part.total, [note], source, dataset)
            )
    by_period: dict[str, list[Entry]] = defaultdict(list)
    for (period, _), entry in pcns.items():
        by_period[period].append(entry)
    for period, entries in by_period.items():
        _add_detail(reader, kind, period, "pcn", entries, DISTINCT_NOTE)
    return figures


def _high_level(reader: _Reader) -> dict[str, list[Figure]]:
    reader.warn_unknown(KNOWN["practice_high"])
    reader.warnings.append(
        f"{reader.file}: a high-level file names practices only, no PCN, ICB or region: "
        "figures are for England and for each practice"
    )
    prac = reader.index["prac_code"]
    group_i = reader.index["staff_group"]
    role_i = reader.index.get("detailed_staff_role")
    measure_i = reader.index["measure"]
    value_i = reader.index["value"]
    england: Place = ("england", ENGLAND_CODE, "England")
    sums: dict[tuple[str, str], _Sum] = defaultdict(_Sum)
    practices: dict[str, set[str]] = defaultdict(set)
    # Per practice: (period, code) -> metric -> sum of its rows; its name.
    own: dict[tuple[str, str], dict[str, _Sum]] = defaultdict(lambda: defaultdict(_Sum))
    prac_names: dict[tuple[str, str], str] = {}
    name_i = reader.index.get("prac_name")
    unknown: dict[str, int] = {}
    file = reader.file
    for line, row in reader.lines():
        code = row[prac].strip()
        if not code:
            raise GPWFileError(file, line, "PRAC_CODE is blank")
        period = reader.period(row, line)
        practices[period].add(code)
        if name_i is not None:
            prac_names.setdefault((period, code), row[name_i].strip())
        measure_text = row[measure_i].strip().lower()
        if "fte" in measure_text:
            measure = "fte"
        elif "head" in measure_text or measure_text == "hc":
            measure = "hc"
        else:
            unknown.setdefault(f"MEASURE {clean_text(row[measure_i].strip())!r}", line)
            continue
        role = row[role_i].lower() if role_i is not None else ""
        families = _families("practice_high", row[group_i].strip().lower(), role)
        if not families:
            unknown.setdefault(f"STAFF_GROUP {clean_text(row[group_i].strip())!r}", line)
            continue
        value = parse_number(row[value_i], "value", line, file)
        for family in families:
            for part in (
                sums[(period, f"{family}_{measure}")],
                own[(period, code)][f"{family}_{measure}"],
            ):
                if value is None:
                    part.missing += 1
                else:
                    part.total += value
                    part.present += 1
    if unknown:
        shown = ", ".join(f"{what} (line {n})" for what, n in list(unknown.items())[:5])
        reader.warnings.append(f"{file}: rows not counted: {shown}")
    dataset = "gpw:practice_high"
    figures: dict[str, list[Figure]] = defaultdict(list)
    for period, codes in practices.items():
        source = _source("practice_high", period, file)
        figures[period].append(
            _figure("practices", period, england, len(codes), [], source, dataset)
        )
    for (period, key), part in sums.items():
        if not part.present:
            continue
        source = _source("practice_high", period, file)
        notes = [HC_NOTE if key.endswith("_hc") else "", _missing_note(part, "rows")]
        figures[period].append(_figure(key, period, england, part.total, notes, source, dataset))
    entries: dict[str, list[Entry]] = defaultdict(list)
    for (period, code), by_metric in own.items():
        found = {k: p.total for k, p in by_metric.items() if p.present}
        notes_of = {k: _missing_note(p, "rows") for k, p in by_metric.items() if p.present}
        name = clean_text(prac_names.get((period, code), "")) or clean_text(code)
        entries[period].append((clean_text(code), name, {}, found, notes_of))
    for period, rows in entries.items():
        _add_detail(reader, "practice_high", period, "practice", rows, "")
    return figures


READERS: dict[str, Callable[[_Reader], dict[str, list[Figure]]]] = {
    "practice_detailed": _practice_detailed,
    "practice_high": _high_level,
    "individual": _individual,
    "pcn_individual": _individual,
}


def read_gpw_file(path: Path, *, period: str | None = None) -> ParsedFile:
    """Read and aggregate one file completely; GPWFileError (with line) if it is malformed."""
    if period is not None and not (valid_period(period) and len(period) == 7):
        raise GPWFileError(path.name, None, f"--period {period!r} is not YYYY-MM")
    try:
        reader = _Reader(path, period)
    except OSError as exc:
        raise GPWFileError(path.name, None, f"can not read: {exc.strerror or exc}") from None
    by_period = READERS[reader.kind](reader)
    if not reader.rows:
        raise GPWFileError(path.name, 2, "no data rows after the header")
    figures = [
        f for p in sorted(by_period) for f in by_period[p] if f.geography_level in STORED_LEVELS
    ]
    return ParsedFile(
        path=path,
        kind=reader.kind,
        rows=reader.rows,
        figures=figures,
        periods=tuple(sorted(by_period)),
        warnings=reader.warnings,
        detail=sorted(reader.detail, key=lambda t: (t.period, t.level)),
    )
