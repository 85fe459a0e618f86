"""Workforce: a series against its target, by metric and place, with every figure's source.

All figures are read once per visit into a :class:`WorkforceView` (stored,
imported and bundled); picking a metric, level or place only filters it.
PCN and practice figures are in workforce-detail.json, which can be many
megabytes: it is read in a thread the first time one of those levels is
picked, never at start-up, and the screen says it is loading meanwhile.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Select, Static

from adapters.text import clean_text
from adapters.workforce.metrics import BY_KEY, families, family_label, in_family, metric
from adapters.workforce.series import ENGLAND_CODE, Figure
from adapters.workforce.view import (
    DETAIL_LEVELS,
    LEVEL_TITLES,
    LEVELS,
    Place,
    WorkforceView,
    at_or_before,
    load_view,
    year_before,
)
from tui.format import number
from tui.inert import inert
from tui.screens.base import GpwatchScreen
from tui.widgets.record_table import RecordTable
from tui.widgets.workforce_chart import WorkforceChart, target_gap

DEFAULT_FAMILY = "gp_fq_perm"
BASE_PERIOD = "2015-09"
COLUMNS = ("Period", "Value", "Change", "Source", "Notes")


def signed(value: float) -> str:
    return ("+" if value > 0 else "") + number(value)


class WorkforceScreen(GpwatchScreen):
    TITLE = "Workforce"
    CSS_PATH = Path(__file__).with_name("workforce.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "pick('metric')", "Metric", tooltip="Choose the metric shown"),
        Binding(
            "l",
            "pick('level')",
            "Level",
            tooltip="England, region, ICB, sub-ICB or LMC area, PCN, practice",
        ),
        Binding("g", "place", "Place", tooltip="Choose the place, searching by name or code"),
        Binding("h", "measure", "HC/FTE", tooltip="Switch between headcount and FTE"),
        Binding("s", "source", "Source", tooltip="The highlighted figure's source in full"),
        Binding("x", "export", "Export", tooltip="Write the shown series to a CSV file"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = WorkforceView([])
        self.family = DEFAULT_FAMILY
        self.measure = "hc"
        self.place = Place("england", ENGLAND_CODE, "England")
        # The place a PCN or practice level was entered from: the picker lists what is in it.
        self.area: Place | None = None
        self.detail_loading = False
        # workforce.json and workforce-detail.json as they were when the detail was read:
        # on return to the screen it is read again only if either has changed.
        self.detail_files: tuple[tuple[int, int], ...] | None = None
        self.shown: list[Figure] = []

    @property
    def metric_key(self) -> str:
        return in_family(self.family, self.measure)

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="pickers"):
            yield Select(
                [(family_label(f), f) for f in families()],
                value=self.family,
                allow_blank=False,
                id="metric",
            )
            yield Select(
                [(LEVEL_TITLES[level], level) for level in LEVELS],
                value="england",
                allow_blank=False,
                id="level",
            )
            yield Static(id="place")
            yield Static(id="measure")
        with Horizontal(id="tiles"):
            for tile in ("latest", "since-2015", "year-on", "target"):
                yield Static(id=f"tile-{tile}", classes="tile")
        yield WorkforceChart(id="chart")
        yield RecordTable(COLUMNS, id="figures")
        yield Static(id="caveat")

    def load(self) -> None:
        detail = self.view.detail
        self.view, warnings = load_view(self.workspace)
        for warning in warnings:
            self.notify(clean_text(warning), severity="warning", markup=False, timeout=15)
        if detail is not None:
            if self.detail_files == self.files_now():
                self.view.attach_detail(detail)  # unchanged: no need to read it again
            elif not self.detail_loading:
                self.detail_loading = self.place.level in DETAIL_LEVELS
                self.load_detail(self.place.level, self.area)
        self.show_series()

    def files_now(self) -> tuple[tuple[int, int], ...]:
        """(mtime, size) of the two workforce files: cheap, and changed by any import."""
        from adapters.workforce.detail import DETAIL_FILE

        out = []
        for name in ("workforce.json", DETAIL_FILE):
            try:
                stat = (self.workspace.data_dir / name).stat()
                out.append((stat.st_mtime_ns, stat.st_size))
            except OSError:
                out.append((0, 0))
        return tuple(out)

    def show_series(self) -> None:
        key = self.metric_key
        info = metric(key)
        place = self.place
        series = self.view.series(key, place.level, place.code)
        self.shown = series
        if self.detail_loading:
            label = f"loading {LEVEL_TITLES[place.level]} figures…"
        elif place.level == "england":
            label = "England (g: place)"
        else:
            label = f"{place.name} (g)"
        self.query_one("#place", Static).update(inert(label))
        measure_text = {"hc": "headcount", "fte": "FTE"}.get(info.measure, "single measure")
        self.query_one("#measure", Static).update(inert(f"{measure_text} (h)"))
        self._tiles(series)
        targets = self.view.targets_for(key) if place.level == "england" else []
        self.query_one(WorkforceChart).show(info.label, series, targets)
        rows = list(reversed(series))
        table_rows = []
        for index, figure in enumerate(rows):
            previous = rows[index + 1] if index + 1 < len(rows) else None
            change = signed(figure.value - previous.value) if previous else "—"
            table_rows.append(
                (
                    figure.period,
                    number(figure.value),
                    change,
                    figure.source.label(),
                    figure.notes or "",
                )
            )
        self.query_one(RecordTable).show_rows(table_rows)
        self._caveat(series, info.label)

    def _tile(self, name: str, title: str, value: str, detail: str) -> None:
        text = inert(f"{title}\n", "dim", keep_newlines=True)
        text.append_text(inert(value, "bold"))
        text.append_text(inert(f"\n{detail}", "dim", keep_newlines=True))
        self.query_one(f"#tile-{name}", Static).update(text)

    def _tiles(self, series: list[Figure]) -> None:
        if not series:
            self._tile("latest", "Latest", "—", "no figures here: import a GPW file")
            self._tile("since-2015", "Since Sep 2015", "—", "")
            self._tile("year-on", "Year on year", "—", "")
            self._tile("target", "Target", "—", "")
            return
        latest = series[-1]
        self._tile("latest", "Latest", number(latest.value), f"{latest.period} · {latest.unit}")
        base = at_or_before(series, BASE_PERIOD)
        if base is None:
            self._tile("since-2015", "Since Sep 2015", "—", f"first figure {series[0].period}")
        else:
            self._tile(
                "since-2015",
                "Since Sep 2015",
                signed(latest.value - base.value),
                f"from {base.period}",
            )
        before = year_before(series)
        if before is None:
            self._tile("year-on", "Year on year", "—", "no figure a year earlier")
        else:
            self._tile(
                "year-on",
                "Year on year",
                signed(latest.value - before.value),
                f"from {before.period}",
            )
        targets = self.view.targets_for(self.metric_key) if self.place.level == "england" else []
        if not targets:
            self._tile("target", "Target", "—", "none for this metric")
            return
        target = targets[0]
        gap = target_gap(series, target)
        if gap is None:
            self._tile("target", target.name, "—", f"no figure by {target.deadline}")
        else:
            figure, short = gap
            word = "short" if short > 0 else "beyond"
            self._tile(
                "target",
                target.name,
                f"{number(abs(short))} {word}",
                f"at {figure.period}; target {number(target.target_value)}",
            )

    def _caveat(self, series: list[Figure], label: str) -> None:
        notes = []
        if any("sum of practice headcounts" in f.notes for f in series):
            notes.append(
                "Headcount here is a sum of practice headcounts: someone working in two "
                "practices counts twice."
            )
        elif any("sum over practices" in f.notes for f in series):
            notes.append("A sum over practices: a GP in two practices counts twice.")
        if any("distinct people" in f.notes for f in series):
            notes.append("Headcount from individual-level files counts distinct people.")
        if any("data missing" in f.notes for f in series):
            notes.append("Some practices had no data (ND/NA): see Notes.")
        if not series:
            notes.append(f"No figures for {label} here. Import NHS Digital files with "
                         "`gpwatch import-workforce FILE...`.")  # fmt: skip
        if self.place.level == "england" and self.view.targets_for(self.metric_key):
            notes.append("Chart: cyan the figures, yellow the target's path to its deadline.")
        notes.append("s: source of the highlighted figure · x: export to CSV")
        self.query_one("#caveat", Static).update(inert(" ".join(notes)))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        if event.select.id == "metric":
            self.family = str(event.value)
            options = {m.measure for m in BY_KEY.values() if m.family == self.family}
            if self.measure not in options:
                self.measure = "hc" if "hc" in options else ""
        elif event.select.id == "level":
            level = str(event.value)
            if level != self.place.level:
                if level in DETAIL_LEVELS and self.view.detail is None:
                    area = self.area_for(level)  # before the place becomes a placeholder
                    self.detail_loading = True
                    self.place = Place(level, "", f"{LEVEL_TITLES[level]} figures loading")
                    self.show_series()
                    self.load_detail(level, area)
                    return
                self.move_to(level)
        self.show_series()

    def area_for(self, level: str) -> Place | None:
        """The place a PCN or practice level is entered from, to list what is inside it."""
        if level not in DETAIL_LEVELS:
            return None
        if self.place.level in DETAIL_LEVELS:
            if self.place.level == "pcn" and level == "practice":
                return self.place
            return self.area
        return self.place if self.place.level != "england" else None

    def move_to(self, level: str, area: Place | None = None) -> None:
        """Change level keeping the place in view: up to the place above, down into it."""
        current = self.place
        area = area if area is not None else self.area_for(level)
        self.area = area
        parent = self.view.parents(current).get(level)
        if parent:
            self.place = Place(level, parent, self.view.name(level, parent))
            return
        places = (self.view.within(level, area) if area else []) or self.view.places(level)
        self.place = places[0] if places else Place(level, "", f"no {LEVEL_TITLES[level]} figures")

    @work(thread=True, exclusive=True, group="workforce-detail")
    def load_detail(self, level: str, area: Place | None) -> None:
        """Read workforce-detail.json off the event loop (years of practices: seconds)."""
        from adapters.workforce.detail import load_detail

        files = self.files_now()
        read = load_detail(self.workspace)
        self.app.call_from_thread(self._detail_loaded, read, level, area, files)

    def _detail_loaded(
        self, read: object, level: str, area: Place | None, files: tuple[tuple[int, int], ...]
    ) -> None:
        from adapters.workforce.detail import DetailRead

        assert isinstance(read, DetailRead)
        self.view.attach_detail(read.index)
        self.detail_files = files
        self.detail_loading = False
        for warning in read.warnings:
            self.notify(clean_text(warning), severity="warning", markup=False, timeout=15)
        if self.place.level == level and not self.place.code:  # the placeholder: choose one
            self.move_to(level, area)
        self.show_series()

    def action_pick(self, which: str) -> None:
        select = self.query_one(f"#{which}", Select)
        select.focus()
        select.action_show_overlay()

    def action_measure(self) -> None:
        self.measure = "fte" if self.measure == "hc" else "hc"
        self.show_series()

    def action_place(self) -> None:
        from tui.screens.place_picker import PlacePickerScreen

        level = self.place.level
        if self.detail_loading:
            self.notify("PCN and practice figures are still loading.")
            return
        inside = self.view.within(level, self.area) if self.area else []
        places = inside or self.view.places(level) or [self.place]
        within = self.area.name if inside and self.area else None

        def chosen(place: Place | None) -> None:
            if place is not None:
                self.place = place
                self.show_series()

        self.app.push_screen(PlacePickerScreen(level, places, within=within), chosen)

    def highlighted(self) -> Figure | None:
        table = self.query_one(RecordTable)
        if not self.shown or table.row_count == 0:
            return None
        newest_first = list(reversed(self.shown))
        return newest_first[min(table.cursor_row, len(newest_first) - 1)]

    def action_source(self) -> None:
        figure = self.highlighted()
        if figure is None:
            self.notify("No figure is highlighted.", severity="warning")
            return
        from tui.screens.figure_source import FigureSourceScreen

        self.app.push_screen(FigureSourceScreen(figure))

    def export_path(self) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.place.code)
        return self.workspace.data_dir / "exports" / f"workforce-{self.metric_key}-{safe}.csv"

    def action_export(self) -> None:
        if not self.shown:
            self.notify("Nothing to export: no figures shown.", severity="warning")
            return
        path = self.export_path()
        try:
            path.parent.mkdir(mode=0o700, exist_ok=True)
            with path.open("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(
                    ["metric", "period", "level", "code", "name", "value", "unit", "notes",
                     "source_title", "source_publisher", "source_published", "source_url"]
                )  # fmt: skip
                for f in self.shown:
                    writer.writerow(
                        [f.metric, f.period, f.geography_level, f.geography_code,
                         neutralise(f.geography_name), f.value, f.unit, neutralise(f.notes),
                         neutralise(f.source.title), neutralise(f.source.publisher),
                         f.source.published.isoformat() if f.source.published else "",
                         neutralise(f.source.url)]
                    )  # fmt: skip
        except OSError as exc:
            self.notify(
                clean_text(f"Could not write {path}: {exc}"), severity="error", markup=False
            )
            return
        self.notify(clean_text(f"Wrote {len(self.shown)} figures to {path}"), markup=False)


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading quote."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


SCREEN = WorkforceScreen
