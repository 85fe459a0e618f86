"""Start-up on a full data dir: 100k articles, 10k letters, 500 campaigns, 5 years of figures.

Why this exists: a data dir that has been used for years is not the sample.
The target (issue 7): gpwatch reaches an interactive Overview within 2x the
start-up time of a bare Textual app, measured in the same run, with peak RSS
under 250 MB.

How: the data dir is built once, untimed, through gpwatch's own repositories
(the articles as in bench/refresh.py's filter benchmark: 100,000 across 200
feeds; 10,000 letters with their history; 500 campaigns with two goals and
five measured values each; a figure set for each of the 42 ICBs for each of
60 months with 25 metrics). Then bench/startup.py's harness runs, unchanged:
interleaved fresh processes of a bare Textual app and of `gpwatch --data-dir
DIR`, "ready" when the Overview has loaded and been painted; the gpwatch
child also reports its peak RSS (the kernel's VmHWM for that process).

Rerun: ``python bench/full_data.py [--runs N]`` from the repository root. It
rewrites only the "## Start-up on a full data dir" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import refresh as refresh_bench  # bench/refresh.py: the 100k-article builder
import startup  # bench/startup.py: the start-up harness
from results import RESULTS_PATH, compile_gpwatch, git_revision, write_results

SECTION_HEADING = "## Start-up on a full data dir"
LETTERS = 10_000
CAMPAIGNS = 500
ICBS = 42
MONTHS = 60
METRICS = 25
TARGET_RATIO = 2.0
TARGET_RSS_MB = 250
SEED = 7


def build(data_dir: Path) -> dict[str, float]:
    """The full data dir, through the repositories (untimed setup)."""
    from adapters.provenance import Source
    from adapters.records.campaigns import Campaign, Goal, Measurement
    from adapters.records.letters import Letter, mark_created
    from adapters.workforce.series import FigureSet
    from adapters.workspace import Workspace

    started = time.perf_counter()
    refresh_bench.child_build_filter_dir(str(data_dir))  # seeds the sample, adds 100k articles
    workspace = Workspace.open(data_dir)
    rng = random.Random(SEED)
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    lmcs = ("Kent LMC", "Devon LMC", "Cheshire LMC", "Derbyshire LMC", "Humberside LMC")
    parties = ("BMA GPC", "NHS England", "DHSC", "HEE", "Kent and Medway ICB", "an MP")
    letters = []
    for n in range(LETTERS):
        sent = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(1700))
        status = rng.choice(("sent", "acknowledged", "responded"))
        letters.append(
            mark_created(
                Letter(
                    subject=f"Letter {n}: premises, pay and workload in general practice",
                    counterparty=rng.choice(parties),
                    lmcs=tuple(rng.sample(lmcs, rng.randint(1, 3))),
                    status=status,
                    sent=sent,
                    acknowledged=sent + dt.timedelta(days=5) if status != "sent" else None,
                    due=sent + dt.timedelta(days=28),
                    responded=sent + dt.timedelta(days=20) if status == "responded" else None,
                    summary="A letter about the pressures on practices. " * 3,
                    asks=("Meet us", "Fund the contract"),
                ),
                now,
            )
        )
    workspace.records.letters.add_many(letters)
    source = Source(title="Bench", publisher="bench/full_data.py")
    campaigns = []
    for n in range(CAMPAIGNS):
        goals = tuple(
            Goal(
                metric=f"Goal {g}",
                unit="GPs",
                baseline=1000.0,
                baseline_date=dt.date(2020, 1, 1),
                target=2000.0,
                target_date=dt.date(2027, 1, 1),
                measurements=tuple(
                    Measurement(
                        1000.0 + 150 * m + rng.random() * 50,
                        dt.date(2021 + m, 1, 1),
                        source_url="https://example.org/bench",
                    )
                    for m in range(5)
                ),
            )
            for g in range(2)
        )
        campaigns.append(
            Campaign(
                name=f"Campaign {n}",
                kind="recruitment",
                lead="RCGP",
                backers=("BMA", "HEE"),
                status="active",
                goals=goals,
            )
        )
    workspace.records.campaigns.add_many(campaigns)
    sets = []
    for icb in range(ICBS):
        for month in range(MONTHS):
            year, mon = divmod(2021 * 12 + month, 12)
            sets.append(
                FigureSet(
                    dataset="bench:practice_detailed",
                    period=f"{year}-{mon + 1:02d}",
                    geography_level="icb",
                    geography_code=f"QBENCH{icb:02d}",
                    geography_name=f"Bench ICB {icb}",
                    values={f"metric_{m}": rng.random() * 1000 for m in range(METRICS)},
                    source=source,
                )
            )
    workspace.imported.add_many(sets)
    sizes = {p.name: p.stat().st_size / 1e6 for p in data_dir.glob("*.json")}
    return {"build_s": time.perf_counter() - started, **sizes}


def section(
    bare: startup.Series, gpwatch: startup.Series, built: dict[str, float], revision: str
) -> str:
    bare_median = statistics.median(bare.totals)
    gp_median = statistics.median(gpwatch.totals)
    ratio = gp_median / bare_median
    peaks = [float(r.info.get("peak_rss_kb", 0)) / 1024 for r in gpwatch.runs]  # type: ignore[arg-type]
    rss = max(peaks)
    files = ", ".join(
        f"{name} {mb:.1f} MB" for name, mb in sorted(built.items()) if name != "build_s"
    )
    lines = [
        SECTION_HEADING,
        "",
        f"Data dir: 100,000 articles in 200 feeds, {LETTERS:,} letters, {CAMPAIGNS} campaigns "
        f"(2 goals, 5 values each), {ICBS} ICBs x {MONTHS} months x {METRICS} metrics of "
        f"figures, plus the sample; {files}; built in {built['build_s']:.0f} s. Harness: "
        "bench/startup.py's, fresh processes interleaved with a bare Textual app, ready when "
        "the Overview has loaded and been painted.",
        "",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {platform.platform()}; "
        f"Python {platform.python_version()}; gpwatch at {revision}",
        "",
        "| Run | Median (ms) | Min (ms) | Max (ms) | Runs |",
        "|---|---:|---:|---:|---:|",
    ]
    for series in (bare, gpwatch):
        totals = series.totals
        lines.append(
            f"| {series.label} | {statistics.median(totals):.0f} | {min(totals):.0f} | "
            f"{max(totals):.0f} | {len(totals)} |"
        )
    filled = [r.since_spawn_ms["filled"] for r in gpwatch.runs]
    lines.append(
        f"| gpwatch, Overview's figures painted (loaded in a thread) | "
        f"{statistics.median(filled):.0f} | {min(filled):.0f} | {max(filled):.0f} | "
        f"{len(filled)} |"
    )
    filled_ratio = statistics.median(filled) / bare_median
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    rss_verdict = "PASS" if rss < TARGET_RSS_MB else "FAIL"
    lines += [
        "",
        f"**Interactive Overview within {TARGET_RATIO:.0f}x a bare app: {ratio:.2f}x: {verdict}** "
        f"(the app answers keys; its figures are painted at {filled_ratio:.1f}x the bare app's "
        "start-up, when the thread has read 10k letters and the figures)",
        "",
        f"**Peak RSS under {TARGET_RSS_MB} MB: highest of the runs {rss:.0f} MB "
        f"(median {statistics.median(peaks):.0f} MB, per run: "
        f"{', '.join(f'{p:.0f}' for p in peaks)}): {rss_verdict}**",
        "",
        "Rerun: `python bench/full_data.py [--runs N]`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args(argv)
    compile_gpwatch()
    revision = git_revision()
    with tempfile.TemporaryDirectory(prefix="gpwatch-full-") as tmp:
        data_dir = Path(tmp) / "data"
        print("Building the full data dir (untimed)...", flush=True)
        built = build(data_dir)
        print(f"  built in {built['build_s']:.0f} s", flush=True)
        bare, gpwatch = startup.measure(args.runs, data_dir)
    text = section(bare, gpwatch, built, revision)
    write_results([(SECTION_HEADING, text)])
    print(text)
    print(f"Wrote {RESULTS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
