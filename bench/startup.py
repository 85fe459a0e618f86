"""Start-up benchmark: process start to first screen ready, gpwatch against a bare Textual app.

Why this exists: start-up time is a stated target for gpwatch (the dashboard is
opened many times a day for a glance), and the only fair yardstick is the same
Python running the smallest possible Textual app. Textual itself costs most of
a start-up, so an absolute target would mostly measure Textual and the
machine; the ratio measures what gpwatch adds. Target: gpwatch's median within
1.5x of the bare app's median.

How it measures, and why:

* Every run is a fresh ``sys.executable -c CODE`` subprocess, so interpreter
  start-up, ``site`` (including the editable-install finder) and every import
  are counted, exactly as a user pays for them.
* The parent reads ``CLOCK_MONOTONIC`` immediately before spawning; the child
  reads the same clock (system-wide on Linux, so the two are comparable) when
  its first screen is mounted and painted, and prints it after the app exits.
  Process exit is not counted: the user is looking at the screen by then.
* "Ready" is the same hook for both apps: the App's ``on_mount`` schedules
  ``call_after_refresh``; for gpwatch the child also waits until the Overview
  screen (the default mode's screen) has run ``load()`` and been refreshed, and
  checks its tiles are filled, so an empty screen can not pass for a ready one.
  Both hooks live in child-only subclasses: no app code is changed.
* The gpwatch child does what ``gpwatch --data-dir DIR`` does: import
  ``tui.cli``, build the parser, parse, ``Workspace.open``, import ``tui.app``
  and run ``GpwatchApp``, headless at 100x30 so no terminal is needed.
* The data dir is seeded once before timing (a first run seeds sample data,
  which is a one-off cost, not the start-up users see every day).
* Runs are interleaved (bare, gpwatch, bare, gpwatch, ...) so drifting load on
  the machine hits both alike; the first pair is a warm-up (page cache, .pyc
  files) and is not counted. Medians are compared; min and p90 show spread.

Rerun: ``python bench/startup.py [--runs N]`` from the repository root, with
gpwatch installed in that Python. It rewrites only the "## Start-up" section of
bench/RESULTS.md, keeping the sections other benchmarks write. It exits 0
whether the target is met or not (the verdict is in the output and the file),
and 1 only when a child process fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from results import (  # bench/results.py, beside this script
    REPO_ROOT,
    RESULTS_PATH,
    compile_gpwatch,
    git_revision,
    package_version,
    write_results,
)

SECTION_HEADING = "## Start-up"

DEFAULT_RUNS = 15
MIN_RUNS = 10
TARGET_RATIO = 1.5
SCREEN_SIZE = (100, 30)
CHILD_TIMEOUT_S = 60.0
IMPORTTIME_RUNS = 3
TOP_IMPORTS = 10

# The clock both sides read. CLOCK_MONOTONIC is one system-wide clock on Linux,
# so a time read in the parent can be subtracted from one read in the child.
CLOCK = time.CLOCK_MONOTONIC

# Shared by both children: the clock, the marks dict, and the JSON line printed
# after the app exits (Textual captures stdout while it runs).
CHILD_PRELUDE = (
    """\
import sys
import time


def now():
    return time.clock_gettime(time.CLOCK_MONOTONIC)


marks = {"code_start": now()}
info = {}
"""
    f"SIZE = {SCREEN_SIZE!r}\n"
)

CHILD_REPORT = """
import json

print(json.dumps({"marks": marks, "info": info}))
"""

BARE_CODE = (
    CHILD_PRELUDE
    + """
from textual.app import App
from textual.widgets import Static

marks["imported"] = now()


class BareApp(App):
    def compose(self):
        yield Static("Hello from a bare Textual app")

    def on_mount(self):
        self.call_after_refresh(self.bench_ready)

    def bench_ready(self):
        marks["ready"] = now()
        self.exit()


BareApp().run(headless=True, size=SIZE)
"""
    + CHILD_REPORT
)

# The gpwatch child follows tui.cli.main for `gpwatch --data-dir DIR` step by
# step, marking the clock between steps so the report can say where time goes.
GPWATCH_CODE = (
    CHILD_PRELUDE
    + """
from tui.cli import build_parser, dashboard_args
from adapters.store import resolve_data_dir
from adapters.workspace import Workspace

marks["cli_imported"] = now()

argv = ["--data-dir", sys.argv[1]]
args = dashboard_args(argv) or build_parser().parse_args(argv)
workspace = Workspace.open(resolve_data_dir(args.data_dir))
marks["workspace_open"] = now()

from tui import app as gpwatch_app

marks["app_imported"] = now()

import inspect
from pathlib import Path, PurePath

from tui.screens import overview

# Ready (interactive) needs both: the app mounted and refreshed, and the Overview's
# load() returned and refreshed. Filled: the Overview's data painted (the same moment
# on a small data dir, which loads at once; later on a large one, loaded in a thread).
pending = {"app", "overview", "filled"}


def part_ready(part, app):
    pending.discard(part)
    if not pending & {"app", "overview"} and "ready" not in marks:
        marks["ready"] = now()
    if part == "filled":
        marks["filled"] = now()
    if not pending:
        app.exit()


def peak_rss_kb():
    # The kernel's high-water mark for this process (VmHWM). Not ru_maxrss: Linux
    # carries the spawning process's peak into a child across exec, so a bench
    # parent holding 100k articles made every child report ~430 MB.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return __import__("resource").getrusage(__import__("resource").RUSAGE_SELF).ru_maxrss


def absolute_css(base):
    # Textual resolves a relative CSS_PATH against the file defining the class;
    # a subclass defined in `-c` code has no file, so anchor it to the base's.
    paths = base.CSS_PATH
    if paths is None:
        return None
    folder = Path(inspect.getfile(base)).parent
    items = [paths] if isinstance(paths, (str, PurePath)) else list(paths)
    return [str(folder / item) for item in items]


# Same class names as the originals so type selectors in the app's CSS match alike.
class OverviewScreen(overview.OverviewScreen):
    CSS_PATH = absolute_css(overview.OverviewScreen)

    def load(self):
        super().load()
        if "loaded" not in marks:
            marks["loaded"] = now()
            self.call_after_refresh(part_ready, "overview", self.app)

    def show_briefing(self, briefing):
        super().show_briefing(briefing)
        if "overview_rows" not in info:
            info["overview_rows"] = sum(1 for t in self.query(".tile") if t.tile is not None)
            info["peak_rss_kb"] = peak_rss_kb()
            info["sample_loaded"] = self.gpwatch.sample_loaded
            self.call_after_refresh(part_ready, "filled", self.app)


class GpwatchApp(gpwatch_app.GpwatchApp):
    CSS_PATH = absolute_css(gpwatch_app.GpwatchApp)
    MODES = {**gpwatch_app.GpwatchApp.MODES, "overview": OverviewScreen}

    # Textual calls every on_mount along the MRO, so no super() call here.
    def on_mount(self):
        self.call_after_refresh(part_ready, "app", self)


GpwatchApp(workspace).run(headless=True, size=SIZE)
"""
    + CHILD_REPORT
)

SEED_CODE = """\
import json
import sys
from pathlib import Path

from adapters.workspace import Workspace

workspace = Workspace.open(Path(sys.argv[1]))
print(json.dumps({"sample_loaded": workspace.sample_loaded}))
"""

# Phases shown for information: (label, from mark, to mark). "spawn" is the parent's clock.
BARE_PHASES = (
    ("interpreter start-up", "spawn", "code_start"),
    ("import textual.app + Static", "code_start", "imported"),
    ("App.run to first screen ready", "imported", "ready"),
)
GPWATCH_PHASES = (
    ("interpreter start-up", "spawn", "code_start"),
    ("import tui.cli", "code_start", "cli_imported"),
    ("parse args + Workspace.open", "cli_imported", "workspace_open"),
    ("import tui.app", "workspace_open", "app_imported"),
    ("App.run to first screen ready", "app_imported", "ready"),
)

GPWATCH_IMPORTS = "import tui.cli, tui.app"
BARE_IMPORTS = "from textual.app import App; from textual.widgets import Static"


class ChildFailed(Exception):
    """A child process failed; the benchmark's figures would be meaningless."""

    def __init__(self, label: str, returncode: int | str, stderr: str) -> None:
        self.label = label
        self.returncode = returncode
        self.stderr = stderr
        super().__init__(f"{label} child failed ({returncode})")


@dataclass
class Run:
    """One timed child: its marks, as ms since the parent spawned it."""

    since_spawn_ms: dict[str, float]
    info: dict[str, object]

    @property
    def total_ms(self) -> float:
        return self.since_spawn_ms["ready"]


@dataclass
class Series:
    """All counted runs of one app."""

    label: str
    phases: tuple[tuple[str, str, str], ...]
    runs: list[Run] = field(default_factory=list)

    @property
    def totals(self) -> list[float]:
        return [run.total_ms for run in self.runs]

    def phase_median(self, start: str, end: str) -> float:
        return statistics.median(
            run.since_spawn_ms[end] - run.since_spawn_ms[start] for run in self.runs
        )


@dataclass(frozen=True)
class ImportCost:
    """One module's line from ``-X importtime``, minimum over a few runs (least noise)."""

    module: str
    parent: str
    self_ms: float
    cumulative_ms: float


@dataclass(frozen=True)
class ImportProfile:
    """What ``-X importtime`` says about gpwatch's imports, against the bare app's."""

    top_all: list[ImportCost]
    top_extra: list[ImportCost]
    extra_count: int
    extra_self_ms: float

    @classmethod
    def compare(cls, gpwatch: dict[str, ImportCost], bare: dict[str, ImportCost]) -> ImportProfile:
        by_cumulative = sorted(gpwatch.values(), key=lambda cost: -cost.cumulative_ms)
        extra = [cost for cost in by_cumulative if cost.module not in bare]
        return cls(
            top_all=by_cumulative[:TOP_IMPORTS],
            top_extra=extra[:TOP_IMPORTS],
            extra_count=len(extra),
            extra_self_ms=sum(cost.self_ms for cost in extra),
        )


def child_env() -> dict[str, str]:
    """The user's environment minus what would change what is measured.

    TEXTUAL_* can turn on devtools, screenshots or a log file; an inherited
    PYTHONPROFILEIMPORTTIME would slow every import.
    """
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TEXTUAL") and key != "PYTHONPROFILEIMPORTTIME"
    }


def run_python(
    label: str, code: str, args: Sequence[str] = (), *, flags: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """Run ``sys.executable [flags] -c code args`` from the repo root; raise ChildFailed."""
    try:
        proc = subprocess.run(
            [sys.executable, *flags, "-c", code, *args],
            cwd=REPO_ROOT,
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        partial = exc.stderr or ""
        stderr = partial.decode(errors="replace") if isinstance(partial, bytes) else partial
        raise ChildFailed(label, f"timed out after {CHILD_TIMEOUT_S:.0f}s", stderr) from exc
    if proc.returncode != 0:
        raise ChildFailed(label, f"exit {proc.returncode}", proc.stderr)
    return proc


def last_json_line(label: str, proc: subprocess.CompletedProcess[str]) -> dict[str, object]:
    """The JSON the child printed last; anything else on stdout is ignored."""
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    try:
        return dict(json.loads(lines[-1]))
    except (IndexError, ValueError) as exc:
        raise ChildFailed(label, "no JSON result on stdout", proc.stderr + proc.stdout) from exc


def timed_run(label: str, code: str, args: Sequence[str] = ()) -> Run:
    """Spawn one child and convert its clock marks to ms since the spawn."""
    spawn = time.clock_gettime(CLOCK)
    proc = run_python(label, code, args)
    result = last_json_line(label, proc)
    marks = dict(result.get("marks", {}))  # type: ignore[call-overload]
    if "ready" not in marks:
        raise ChildFailed(label, "exited without reaching ready", proc.stderr)
    since = {"spawn": 0.0, **{name: (t - spawn) * 1000 for name, t in marks.items()}}
    return Run(since, dict(result.get("info", {})))  # type: ignore[call-overload]


def check_gpwatch_run(run: Run, stderr_hint: str = "") -> None:
    """A gpwatch run only counts if Overview really showed the seeded data."""
    rows = run.info.get("overview_rows")
    if not isinstance(rows, int) or rows <= 0 or run.info.get("sample_loaded") is not True:
        raise ChildFailed(
            "gpwatch",
            f"Overview was not showing the seeded data (info {run.info})",
            stderr_hint,
        )


def seed_data_dir(data_dir: Path) -> None:
    """Open the data dir once so the timed runs are not first runs (which seed the sample)."""
    proc = run_python("seed", SEED_CODE, [str(data_dir)])
    if last_json_line("seed", proc).get("sample_loaded") is not True:
        raise ChildFailed("seed", "the sample was not seeded", proc.stderr)


def measure(runs: int, data_dir: Path) -> tuple[Series, Series]:
    """Interleave bare and gpwatch runs; the first pair is a warm-up and is dropped."""
    bare = Series("bare Textual app (one Static)", BARE_PHASES)
    gpwatch = Series("gpwatch --data-dir DIR", GPWATCH_PHASES)
    for index in range(runs + 1):
        bare_run = timed_run("bare", BARE_CODE)
        gpwatch_run = timed_run("gpwatch", GPWATCH_CODE, [str(data_dir)])
        check_gpwatch_run(gpwatch_run)
        if index == 0:
            print(
                f"  warm-up: bare {bare_run.total_ms:.0f} ms, "
                f"gpwatch {gpwatch_run.total_ms:.0f} ms (not counted)"
            )
            continue
        bare.runs.append(bare_run)
        gpwatch.runs.append(gpwatch_run)
        print(
            f"  run {index:2d}/{runs}: bare {bare_run.total_ms:6.0f} ms, "
            f"gpwatch {gpwatch_run.total_ms:6.0f} ms"
        )
    return bare, gpwatch


def parse_importtime(stderr: str) -> list[ImportCost]:
    """Lines are ``import time: self [us] | cumulative | <2 spaces per level>module``.

    Python prints a module after everything it imported (post-order), so read
    backwards to meet each importer before its imports and name it as the parent.
    """
    costs: list[ImportCost] = []
    importers: list[str] = []  # importers[depth] = the module at that depth now open
    for line in reversed(stderr.splitlines()):
        if not line.startswith("import time:") or "[us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:") :].split("|", 2)
        module = name.strip()
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        del importers[depth:]
        parent = importers[-1] if importers else ""
        importers.append(module)
        costs.append(ImportCost(module, parent, int(self_us) / 1000, int(cumulative_us) / 1000))
    return costs


def import_costs(statement: str, label: str) -> dict[str, ImportCost]:
    """Per-module import cost, the minimum of a few runs of ``-X importtime``."""
    best: dict[str, ImportCost] = {}
    for _ in range(IMPORTTIME_RUNS):
        proc = run_python(label, statement, flags=["-X", "importtime"])
        for cost in parse_importtime(proc.stderr):
            kept = best.get(cost.module)
            if kept is None or cost.cumulative_ms < kept.cumulative_ms:
                best[cost.module] = cost
    return best


def percentile(values: Sequence[float], fraction: float) -> float:
    """Inclusive-method percentile: stays within the observed range for small samples."""
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[round(fraction * 100) - 1]


def figures_table(series: Sequence[Series]) -> list[str]:
    lines = [
        "| App | Median (ms) | Min (ms) | p90 (ms) | Runs |",
        "|---|---:|---:|---:|---:|",
    ]
    for one in series:
        totals = one.totals
        lines.append(
            f"| {one.label} | {statistics.median(totals):.0f} | {min(totals):.0f} "
            f"| {percentile(totals, 0.9):.0f} | {len(totals)} |"
        )
    return lines


def phases_table(one: Series) -> list[str]:
    lines = [f"| {one.label}: phase | Median (ms) |", "|---|---:|"]
    lines += [
        f"| {label} | {one.phase_median(start, end):.0f} |" for label, start, end in one.phases
    ]
    return lines


def imports_table(costs: Sequence[ImportCost]) -> list[str]:
    lines = [
        "| Module | Imported by | Cumulative (ms) | Self (ms) |",
        "|---|---|---:|---:|",
    ]
    lines += [
        f"| `{cost.module}` | {f'`{cost.parent}`' if cost.parent else '(top level)'} "
        f"| {cost.cumulative_ms:.1f} | {cost.self_ms:.1f} |"
        for cost in costs
    ]
    return lines


def build_section(
    bare: Series,
    gpwatch: Series,
    imports: ImportProfile,
    context: dict[str, str],
) -> str:
    """The whole "## Start-up" section of RESULTS.md, heading included."""
    ratio = statistics.median(gpwatch.totals) / statistics.median(bare.totals)
    ratio_of_mins = min(gpwatch.totals) / min(bare.totals)
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    lines = [
        SECTION_HEADING,
        "",
        "Time from process start (the parent's clock just before spawning) to the first "
        "screen mounted and painted, headless at "
        f"{SCREEN_SIZE[0]}x{SCREEN_SIZE[1]}. Each run is a fresh process, so interpreter "
        "start-up and imports count. gpwatch is timed doing what `gpwatch --data-dir DIR` "
        "does on an already-seeded data dir, ready when Overview has loaded and refreshed; "
        "the bare app is a Textual App with one Static. Runs interleaved, one warm-up each "
        "not counted. gpwatch's modules are compiled to bytecode first, as an installed "
        "package's are (this machine sets PYTHONDONTWRITEBYTECODE).",
        "",
        f"- Date: {context['date']}",
        f"- Machine: {context['nproc']} CPUs, {context['platform']}, "
        f"load average {context['load']}",
        f"- Python {context['python']}, Textual {context['textual']}, "
        f"gpwatch {context['gpwatch']} at {context['revision']}",
        "",
        *figures_table([bare, gpwatch]),
        "",
        f"**Ratio of medians (gpwatch / bare): {ratio:.2f}x; target <= {TARGET_RATIO}x: "
        f"{verdict}**",
        "",
        f"For information, the ratio of minimums (least disturbed by other load) is "
        f"{ratio_of_mins:.2f}x.",
        "",
        "Where the time goes (median of each phase; phases add up to the total only roughly, "
        "as each is a median on its own):",
        "",
        *phases_table(bare),
        "",
        *phases_table(gpwatch),
        "",
    ]
    lines += [
        f"Top {TOP_IMPORTS} imports by cumulative time for `{GPWATCH_IMPORTS}` "
        f"(`python -X importtime`, minimum of {IMPORTTIME_RUNS} runs; importtime itself "
        "adds overhead, so read these relative to each other; nested imports are counted "
        "in each importer's cumulative time too):",
        "",
        *imports_table(imports.top_all),
        "",
        f"The {imports.extra_count} modules that the bare app (`{BARE_IMPORTS}`) does not "
        f"load, i.e. what gpwatch adds, take {imports.extra_self_ms:.0f} ms of self time "
        f"together. The top {TOP_IMPORTS} of them by cumulative time:",
        "",
        *imports_table(imports.top_extra),
        "",
    ]
    lines += [
        "Rerun from the repository root with the Python gpwatch is installed in: "
        f"`python bench/startup.py` (`--runs N` for N counted runs each, default "
        f"{DEFAULT_RUNS}, at least {MIN_RUNS}).",
        "",
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs",
        type=int,
        default=DEFAULT_RUNS,
        metavar="N",
        help=f"counted runs of each app (default {DEFAULT_RUNS}, at least {MIN_RUNS})",
    )
    args = parser.parse_args(argv)
    if args.runs < MIN_RUNS:
        parser.error(f"--runs must be at least {MIN_RUNS} for a meaningful median")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    context = {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": str(os.cpu_count()),
        "platform": platform.platform(terse=True),
        "python": f"{platform.python_version()} ({sys.executable})",
        "textual": package_version("textual"),
        "gpwatch": package_version("gpwatch"),
        "revision": git_revision(),
    }
    load_before = os.getloadavg()[0]
    try:
        with tempfile.TemporaryDirectory(prefix="gpwatch-bench-") as temp:
            data_dir = Path(temp) / "data"
            compile_gpwatch()
            print(f"Seeding {data_dir} (not timed)")
            seed_data_dir(data_dir)
            print(f"Timing {args.runs} runs each, interleaved, plus one warm-up each")
            bare, gpwatch = measure(args.runs, data_dir)
        print("Import profile (-X importtime)")
        gpwatch_imports = import_costs(GPWATCH_IMPORTS, "importtime gpwatch")
        bare_imports = import_costs(BARE_IMPORTS, "importtime bare")
    except ChildFailed as exc:
        print(f"startup.py: {exc}", file=sys.stderr)
        print(exc.stderr, file=sys.stderr)
        return 1
    context["load"] = f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    imports = ImportProfile.compare(gpwatch_imports, bare_imports)
    section = build_section(bare, gpwatch, imports, context)
    write_results([(SECTION_HEADING, section)])
    print()
    print(section)
    print(f"Wrote {RESULTS_PATH} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
