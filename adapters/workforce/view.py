"""What the Workforce screen and ``gpwatch workforce list`` read: one in-memory view.

Stored figures (imports, the sample) and the bundled series are read once
into a :class:`WorkforceView`; every filter after that is a dict lookup, never
a TinyDB query (TinyDB re-reads the whole file on every read). Where two
datasets give the same metric, period and place, the better one is shown:
individual-level (distinct people) over practice-level (sums of practices).
LMC areas are summed from their sub-ICBs here, not stored.

PCN and practice figures are not part of :func:`load_view` (start-up reads
it for the Overview): they live in workforce-detail.json and are attached
with :meth:`WorkforceView.attach_detail` when a screen or command asks for
those levels (see adapters/workforce/detail.py).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.workforce.series import ENGLAND_CODE, Figure, Target, period_sort_key

# Data files beside the modules; read by path: importlib.resources costs ~14 ms
# to import and resolve, on the start-up path, for a package never zipped.
PACKAGE_DIR = Path(__file__).parent

if TYPE_CHECKING:
    from adapters.workforce.detail import DetailIndex
    from adapters.workspace import Workspace

LMC_AREAS_FILE = "lmc_areas.json"
# The picker's order: England -> region -> ICB -> sub-ICB / LMC area -> PCN -> practice.
LEVELS = ("england", "region", "icb", "sub_icb", "lmc", "pcn", "practice")
DETAIL_LEVELS = ("pcn", "practice")  # read from workforce-detail.json, on demand
LEVEL_TITLES = {
    "england": "England",
    "region": "Region",
    "icb": "ICB",
    "sub_icb": "Sub-ICB",
    "lmc": "LMC area",
    "pcn": "PCN",
    "practice": "Practice",
}
# Lower is preferred when datasets overlap.
DATASET_RANK = {
    "gpw:individual": 0,
    "gpw:pcn_individual": 0,
    "gpw:practice_detailed": 1,
    "gpw:practice_high": 2,
}
ADDITIVE_EXCEPT = {"patients_per_fq_gp_fte"}


@dataclass(frozen=True)
class LmcArea:
    lmc: str
    sub_icb: tuple[str, ...]


@dataclass(frozen=True)
class Place:
    level: str
    code: str
    name: str


def load_lmc_areas(data_dir: Path | None) -> tuple[list[LmcArea], str | None]:
    """The data dir's lmc_areas.json if there is one, else the bundled list (and why)."""
    warning = None
    if data_dir is not None and (data_dir / LMC_AREAS_FILE).exists():
        try:
            doc = json.loads((data_dir / LMC_AREAS_FILE).read_text("utf-8"))
            return _areas(doc), None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            warning = f"{data_dir / LMC_AREAS_FILE} not used ({exc}); the bundled list is"
    text = PACKAGE_DIR.joinpath(LMC_AREAS_FILE).read_text("utf-8")
    return _areas(json.loads(text)), warning


def _areas(doc: dict[str, Any]) -> list[LmcArea]:
    areas = []
    for item in doc["areas"]:
        codes = tuple(str(c).strip().upper() for c in item["sub_icb"])
        if not isinstance(item["lmc"], str) or not codes:
            raise ValueError(f"area {item!r} needs an lmc name and sub_icb codes")
        areas.append(LmcArea(item["lmc"], codes))
    return areas


def _rank(figure: Figure) -> int:
    return DATASET_RANK.get(figure.dataset, 3)


class WorkforceView:
    """Figures indexed by (metric, level, code) with one figure per period."""

    def __init__(
        self,
        figures: Iterable[Figure],
        targets: Iterable[Target] = (),
        lmc_areas: Iterable[LmcArea] = (),
    ) -> None:
        best: dict[tuple[str, str, str, str], Figure] = {}
        for figure in figures:
            key = (figure.metric, figure.geography_level, figure.geography_code, figure.period)
            held = best.get(key)
            if held is None or _rank(figure) < _rank(held):
                best[key] = figure
        self.series_index: dict[tuple[str, str, str], list[Figure]] = defaultdict(list)
        self.names: dict[tuple[str, str], str] = {("england", ENGLAND_CODE): "England"}
        for (metric, level, code, _), figure in best.items():
            self.series_index[(metric, level, code)].append(figure)
            self.names[(level, code)] = figure.geography_name
        self.targets = list(targets)
        self.lmc_areas = list(lmc_areas)
        self.detail: DetailIndex | None = None
        for area in self.lmc_areas:
            self._add_lmc(area)
        for figures_list in self.series_index.values():
            figures_list.sort(key=lambda f: period_sort_key(f.period))

    def _add_lmc(self, area: LmcArea) -> None:
        """An LMC area's figures: sums of its sub-ICBs, for periods where all have one."""
        code = area.lmc
        self.names[("lmc", code)] = area.lmc
        metrics = {m for (m, level, c) in self.series_index if level == "sub_icb"}
        sums: dict[tuple[str, str], list[Figure]] = defaultdict(list)
        for metric in metrics:
            for sub in area.sub_icb:
                for figure in self.series_index.get((metric, "sub_icb", sub), []):
                    sums[(metric, figure.period)].append(figure)
        parts = len(area.sub_icb)
        for (metric, _period), found in sums.items():
            if metric in ADDITIVE_EXCEPT:
                continue
            missing = parts - len(found)
            note = f"sum of {len(found)} sub-ICB areas"
            if metric.endswith("_hc"):
                note += "; headcounts summed, so someone in two of them counts twice"
            if missing:
                note += f"; {missing} of {parts} sub-ICB areas have no figure"
            self.series_index[(metric, "lmc", code)].append(
                replace(
                    found[0],
                    value=round(sum(f.value for f in found), 4),
                    geography_level="lmc",
                    geography_code=code,
                    geography_name=area.lmc,
                    notes=note,
                    id=None,
                )
            )
        patients = {f.period: f for f in self.series_index.get(("patients", "lmc", code), [])}
        for fte in list(self.series_index.get(("gp_fq_fte", "lmc", code), [])):
            pat = patients.get(fte.period)
            if pat is not None and fte.value > 0:
                self.series_index[("patients_per_fq_gp_fte", "lmc", code)].append(
                    replace(
                        fte,
                        metric="patients_per_fq_gp_fte",
                        value=round(pat.value / fte.value, 4),
                        unit="patients per FTE",
                        notes="registered patients / fully qualified GP FTE of the sub-ICBs",
                    )
                )

    def attach_detail(self, detail: DetailIndex) -> None:
        """PCN and practice figures, read from workforce-detail.json when first wanted."""
        self.detail = detail
        for (level, code), name in detail.names.items():
            self.names[(level, code)] = name

    def series(self, metric: str, level: str = "england", code: str = ENGLAND_CODE) -> list[Figure]:
        """The figures of one metric for one place, oldest period first."""
        if level in DETAIL_LEVELS:
            return self.detail.series(metric, level, code) if self.detail else []
        return list(self.series_index.get((metric, level, code), []))

    def parents(self, place: Place) -> dict[str, str]:
        """Codes of the places above a PCN or practice (region, ICB, sub-ICB, PCN) if known."""
        if self.detail is None:
            return {}
        return dict(self.detail.parents.get((place.level, place.code), {}))

    def within(self, level: str, area: Place) -> list[Place]:
        """The places of ``level`` inside ``area`` (PCNs of an ICB, practices of a PCN...).

        Known for PCNs and practices, whose files name the places above them;
        an LMC area contains what its sub-ICBs contain. Empty when not known.
        """
        if level not in DETAIL_LEVELS or self.detail is None:
            return []
        if area.level == "lmc":
            area_sub_icbs = next(
                (set(a.sub_icb) for a in self.lmc_areas if a.lmc == area.code), set()
            )
            inside = lambda ups: ups.get("sub_icb") in area_sub_icbs  # noqa: E731
        elif area.level in ("region", "icb", "sub_icb", "pcn"):
            inside = lambda ups: ups.get(area.level) == area.code  # noqa: E731
        else:
            return []
        return [
            p for p in self.places(level) if inside(self.detail.parents.get((level, p.code), {}))
        ]

    def metrics(self) -> set[str]:
        return {metric for metric, _, _ in self.series_index}

    def places(self, level: str) -> list[Place]:
        """Every place of a level that has a figure, by name."""
        if level in DETAIL_LEVELS:
            codes = self.detail.codes(level) if self.detail else []
            found = {(level, code) for code in codes}
        else:
            found = {(lv, code) for (_, lv, code) in self.series_index if lv == level}
        return sorted(
            (Place(lv, code, self.names.get((lv, code), code)) for lv, code in found),
            key=lambda p: (p.name.lower(), p.code),
        )

    def name(self, level: str, code: str) -> str:
        return self.names.get((level, code), code)

    def targets_for(self, metric: str) -> list[Target]:
        return [t for t in self.targets if t.metric == metric]

    def all_figures(self, *, detail: bool = False) -> list[Figure]:
        """Every figure held; PCN and practice ones too with ``detail`` (when attached)."""
        held = [f for figures in self.series_index.values() for f in figures]
        if detail and self.detail is not None:
            held += self.detail.figures()
        return held


def at_or_before(series: list[Figure], period: str) -> Figure | None:
    """The latest figure no later than ``period`` (the comparison point for a change)."""
    key = period_sort_key(period)
    found = None
    for figure in series:
        if period_sort_key(figure.period) <= key:
            found = figure
    return found


def year_before(series: list[Figure]) -> Figure | None:
    """The figure about a year before the latest one (12 months, or the previous year)."""
    from adapters.workforce.series import period_position

    if len(series) < 2:
        return None
    latest = period_position(series[-1].period)
    if latest is None:
        return None
    best = None
    for figure in series[:-1]:
        here = period_position(figure.period)
        if here is not None and here <= latest - 11 / 12 - 1e-9:
            best = figure
    return best


def load_view(
    workspace: Workspace, *, levels: frozenset[str] | None = None
) -> tuple[WorkforceView, list[str]]:
    """Stored figures, the bundled series, targets and LMC areas, read once; with warnings.

    ``levels`` keeps only figures at those geography levels (and no LMC areas):
    the Overview needs England's series, and five years of ICB figure sets
    expand to 60k figures it would not show.
    """
    from adapters.workforce.bundled import bundled_figures

    scan = workspace.figures.scan()
    sets = workspace.imported.scan()
    warnings = [f"{i.file} #{i.doc_id}: {i.error}" for i in [*scan.invalid, *sets.invalid]]
    stored = scan.records
    if levels is not None:
        stored = [f for f in stored if f.geography_level in levels]
    imported = [
        f
        for figure_set in sets.records
        if levels is None or figure_set.geography_level in levels
        for f in figure_set.figures()
    ]
    areas: list[LmcArea] = []
    if levels is None:
        areas, area_warning = load_lmc_areas(workspace.data_dir)
        if area_warning:
            warnings.append(area_warning)
    bundled = [f for f in bundled_figures() if levels is None or f.geography_level in levels]
    view = WorkforceView([*bundled, *stored, *imported], workspace.targets.all(), areas)
    return view, warnings
