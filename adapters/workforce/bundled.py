"""Figures shipped with gpwatch, so the Workforce screen means something before any import.

The England series by financial year comes from a real file (see
``FINANCIAL_YEAR_SOURCE``), reduced once to ``bundled_figures.json`` by
:func:`build_bundle` and read from there at run time: the 1.3 MB practice file
is not shipped, and the figures are never written to the user's data dir, so
an import or reset-sample can not lose them. The seed articles' own figures
(trainee intake, unfilled places) are sample records in workforce.json.
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

from adapters.provenance import Source
from adapters.workforce.metrics import BY_KEY, MISSING
from adapters.workforce.series import Figure

# Data files beside the modules; read by path: importlib.resources costs ~14 ms
# to import and resolve, on the start-up path, for a package never zipped.
PACKAGE_DIR = Path(__file__).parent

BUNDLE_FILE = "bundled_figures.json"
DATASET = "bundled:heec-financial-year"

FINANCIAL_YEAR_SOURCE = Source(
    title=(
        "Fully qualified permanent GP headcount and registered patients by practice and "
        "financial year (means of NHS Digital's monthly GPW practice-level files)"
    ),
    publisher="NHS Digital GPW, derived by the Health Equity Evidence Centre",
    url="https://github.com/HealthEquityEvidenceCentre/HEEC",
    reference="data/workforce/workforce_year.csv (commit 8a7205b)",
)
SUM_NOTE = (
    "England = sum over practices of each practice's mean for the year; a GP in two "
    "practices counts twice"
)


def financial_year(two_digits: int) -> str:
    """16 -> "2016/17": the file numbers financial years by their first year."""
    start = 2000 + two_digits
    return f"{start}/{(start + 1) % 100:02d}"


def build_bundle(path: Path) -> list[dict[str, Any]]:
    """England totals per financial year from the practice-by-year file, as plain rows."""
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader)]
    code_i, year_i = header.index("practice.code"), header.index("fiscal_year")
    patients_i, gps_i = header.index("total_patients"), header.index("total_gp_extgl_hc")
    years: dict[int, dict[str, float]] = {}
    for row in reader:
        if not row or not row[code_i].strip():
            continue
        year = years.setdefault(
            int(row[year_i]),
            {"practices": 0, "patients": 0.0, "gps": 0.0, "gps_missing": 0, "pat_missing": 0},
        )
        year["practices"] += 1
        for index, key, gap in (
            (patients_i, "patients", "pat_missing"),
            (gps_i, "gps", "gps_missing"),
        ):
            cell = row[index].strip()
            if cell.lower() in MISSING:
                year[gap] += 1
            else:
                year[key] += float(cell)
    rows: list[dict[str, Any]] = []
    for two, year in sorted(years.items()):
        period = financial_year(two)
        rows.append(
            {
                "metric": "practices",
                "period": period,
                "value": year["practices"],
                "notes": "practices with a row for the year",
            }
        )
        rows.append(
            {
                "metric": "patients",
                "period": period,
                "value": round(year["patients"]),
                "notes": "sum of practices' mean registered patients"
                + (
                    f"; {int(year['pat_missing'])} practices without data"
                    if year["pat_missing"]
                    else ""
                ),
            }
        )
        rows.append({"metric": "gp_fq_perm_hc", "period": period, "value": round(year["gps"], 1),
                     "notes": SUM_NOTE
                     + (f"; data missing (NA) for {int(year['gps_missing'])} practices, "
                        "not counted" if year["gps_missing"] else "")})  # fmt: skip
    return rows


@cache
def _bundle_rows() -> tuple[dict[str, Any], ...]:
    text = PACKAGE_DIR.joinpath(BUNDLE_FILE).read_text("utf-8")
    return tuple(json.loads(text))


def bundled_figures() -> list[Figure]:
    """The bundled England series as figures, each naming its source."""
    return [
        Figure(
            metric=row["metric"],
            period=row["period"],
            value=row["value"],
            unit=BY_KEY[row["metric"]].unit,
            source=FINANCIAL_YEAR_SOURCE,
            notes=row["notes"],
            dataset=DATASET,
        )
        for row in _bundle_rows()
    ]


def write_bundle(source_csv: Path, out: Path) -> None:
    """Regenerate bundled_figures.json (``python -m adapters.workforce.bundled FILE``)."""
    out.write_text(json.dumps(build_bundle(source_csv), indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    import sys

    write_bundle(Path(sys.argv[1]), Path(__file__).with_name(BUNDLE_FILE))
