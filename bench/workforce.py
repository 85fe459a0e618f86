"""Workforce import benchmark: a full-size practice-level detailed file, gpwatch against pandas.

Why: the issue sets a target (import of a full practice-level detailed file,
~6,300 practices x ~830 columns, under 5 s) and the only fair yardstick is
the same file read by the usual tool in the same run: ``pandas.read_csv``
plus a ``groupby`` sum by region, ICB and sub-ICB of the columns gpwatch
reads. pandas is a bench-only dependency (``pip install pandas``).

The file is built from the 10 real practices of
``../shared/data/gpw/practice_level_detailed_2025-07_sample.csv``, repeated
with new practice, PCN, sub-ICB, ICB and region codes (6,300 practices in
1,250 PCNs, 106 sub-ICBs, 42 ICBs, 7 regions: the real cardinalities),
upper-case headers and a BOM as NHS Digital publishes them, without the
sample's appended year/month columns, so the period comes from the file name.

Measured, each as the median of several runs (one warm-up not counted):

* gpwatch read: ``read_gpw_file`` (decode, header detection, every row
  checked, aggregation to every level);
* gpwatch import: ``gpwatch import-workforce`` in-process into a fresh data
  dir, i.e. the read plus one write of workforce-detail.json (PCN and
  practice figures) and one of workforce.json;
* pandas: ``read_csv`` (with ND/NA as missing) and three ``groupby().sum()``.

Rerun: ``python bench/workforce.py [--runs N]`` from the repository root. It
rewrites only the "## Workforce import" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from results import REPO_ROOT, git_revision, package_version, write_results

sys.path.insert(0, str(REPO_ROOT))

from adapters.workforce.gpw import DETAILED_COLUMNS, read_gpw_file
from tui.cli import main as gpwatch_main

SECTION_HEADING = "## Workforce import"
SAMPLE = REPO_ROOT.parent / "shared" / "data" / "gpw" / "practice_level_detailed_2025-07_sample.csv"
PRACTICES = 6300
TARGET_S = 5.0


def build_file(path: Path) -> tuple[int, int]:
    """Write the full-size file; returns (rows, columns)."""
    with SAMPLE.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0][:-2]  # drop the sample's appended year, month
    body = [r[:-2] for r in rows[1:]]
    col = {name: i for i, name in enumerate(header)}
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([h.upper() for h in header])
    for n in range(PRACTICES):
        row = list(body[n % len(body)])
        row[col["prac_code"]] = f"B{n:05d}"
        row[col["pcn_code"]] = f"U{n % 1250:05d}"
        row[col["sub_icb_code"]] = f"S{n % 106:02d}"
        row[col["icb_code"]] = f"Q{n % 42:02d}"
        row[col["region_code"]] = f"Y{n % 7:02d}"
        writer.writerow(row)
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return PRACTICES, len(header)


def time_it(action, runs: int) -> list[float]:
    action()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def pandas_reference(path: Path) -> None:
    import pandas as pd

    frame = pd.read_csv(path, na_values=["ND", "NA", "NULL"], keep_default_na=True)
    frame.columns = [c.lower() for c in frame.columns]
    metrics = sorted(
        {c for alts in DETAILED_COLUMNS.values() for c in alts[0] if c in frame.columns}
    )
    for level in ("region_code", "icb_code", "sub_icb_code"):
        frame.groupby(level)[metrics].sum(min_count=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if not SAMPLE.exists():
        print(f"bench: {SAMPLE} not found (../shared beside the repo)", file=sys.stderr)
        return 1
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        path = tmp_path / "General Practice \u2013 July 2025 Practice Level - Detailed.csv"
        rows, columns = build_file(path)
        size_mb = path.stat().st_size / 1e6
        figures = len(read_gpw_file(path).figures)
        read_times = time_it(lambda: read_gpw_file(path), args.runs)
        counter = iter(range(10_000))

        def gpwatch_import() -> None:
            data_dir = tmp_path / f"data-{next(counter)}"
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
            ):
                code = gpwatch_main(["--data-dir", str(data_dir), "import-workforce", str(path)])
            if code != 0:
                raise RuntimeError(f"import-workforce exited {code}")

        import_times = time_it(gpwatch_import, args.runs)
        json_kb = (tmp_path / "data-0" / "workforce.json").stat().st_size / 1e3
        detail_kb = (tmp_path / "data-0" / "workforce-detail.json").stat().st_size / 1e3
        pandas_times = time_it(lambda: pandas_reference(path), args.runs)
    load_after = os.getloadavg()[0]

    def row(label: str, times: list[float]) -> str:
        return (
            f"| {label} | {statistics.median(times):.2f} | {min(times):.2f} | "
            f"{max(times):.2f} | {len(times)} |"
        )

    import_median = statistics.median(import_times)
    verdict = "PASS" if import_median < TARGET_S else "FAIL"
    ratio = import_median / statistics.median(pandas_times)
    section = "\n".join(
        [
            SECTION_HEADING,
            "",
            f"A full-size GPW practice-level detailed file ({rows:,} practices x {columns} "
            f"columns, {size_mb:.1f} MB, BOM, upper-case header) built from the 10 real "
            "practices of the shared July 2025 sample with new practice, PCN, sub-ICB, ICB "
            "and region codes (1,250 PCNs, 106 sub-ICBs, 42 ICBs, 7 regions). gpwatch reads "
            "every row, checks every cell it uses, aggregates to PCN, sub-ICB, ICB, region and "
            f"England ({figures:,} figures sub-ICB and above, plus every PCN and practice) "
            "and stores them in two writes (workforce-detail.json, then workforce.json); "
            "pandas reads the "
            "file (ND/NA as missing) and sums the same columns by region, ICB and sub-ICB. "
            "Same file, same process, one tool after the other, one warm-up each not counted.",
            "",
            f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
            f"- Machine: {os.cpu_count()} CPUs, {platform.platform()}, load average "
            f"{load_before:.2f} before, {load_after:.2f} after",
            f"- Python {platform.python_version()}, pandas {package_version('pandas')}, "
            f"gpwatch {package_version('gpwatch')} at {git_revision()}",
            "",
            "| Measure | Median (s) | Min (s) | Max (s) | Runs |",
            "|---|---:|---:|---:|---:|",
            row("gpwatch: read and aggregate (read_gpw_file)", read_times),
            row("gpwatch import-workforce (read, aggregate, two writes)", import_times),
            row("pandas.read_csv + groupby sum x3", pandas_times),
            "",
            f"**gpwatch import median {import_median:.2f} s; target < {TARGET_S:.0f} s: "
            f"{verdict}** ({ratio:.1f}x pandas' time, which stores nothing and checks no cell).",
            "",
            f"workforce.json after importing this one month: {json_kb:,.0f} KB (one document "
            f"per place and period, sub-ICB and above): about {json_kb * 60 / 1e3:,.1f} MB for "
            "five years of monthly files.",
            f"workforce-detail.json (1,250 PCNs and 6,300 practices as column tables, read only "
            f"when a PCN or practice level is asked for): {detail_kb:,.0f} KB a month, about "
            f"{detail_kb * 60 / 1e3:,.1f} MB for five years.",
            "",
            "Rerun from the repository root: `python bench/workforce.py` (`--runs N`, default 5; "
            "needs pandas and ../shared).",
        ]
    )
    print(section)
    write_results([(SECTION_HEADING, section + "\n")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
