"""The Workforce screen driven like a user would: keys, pickers, toggles, source, export."""

from __future__ import annotations

import csv
from pathlib import Path

from textual.widgets import OptionList, Select, Static

from adapters.workforce.importer import import_files
from adapters.workspace import Workspace
from tests.adapters.workforce.test_gpw_import import DETAILED, PCN_JUNE, require_shared
from tui.app import GpwatchApp
from tui.screens.figure_source import FigureSourceScreen
from tui.screens.workforce import WorkforceScreen
from tui.widgets.record_table import RecordTable
from tui.widgets.workforce_chart import WorkforceChart

SIZE = (110, 36)


async def open_workforce(app: GpwatchApp, pilot) -> WorkforceScreen:
    await pilot.press("2")
    await pilot.pause(0.1)
    await pilot.pause()
    assert isinstance(app.screen, WorkforceScreen)
    return app.screen


def tile(screen: WorkforceScreen, name: str) -> str:
    return str(screen.query_one(f"#tile-{name}", Static).render())


async def test_bundled_series_and_target_before_any_import(workspace: Workspace) -> None:
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_workforce(app, pilot)
        assert screen.metric_key == "gp_fq_perm_hc"
        assert screen.query_one(RecordTable).row_count == 9
        assert "36,539" in tile(screen, "latest")
        assert "+137" in tile(screen, "year-on")
        assert "short" in tile(screen, "target")
        chart = screen.query_one(WorkforceChart)
        assert len(chart._datasets) == 3  # the series, its points, the target path
        caveat = str(screen.query_one("#caveat", Static).render())
        assert "counts twice" in caveat


async def test_headcount_fte_toggle_and_metric_picker(workspace: Workspace) -> None:
    import_files(workspace, [require_shared(DETAILED)])
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_workforce(app, pilot)
        screen.query_one("#metric", Select).value = "gp"
        await pilot.pause()
        assert screen.metric_key == "gp_hc"
        await pilot.press("h")
        assert screen.metric_key == "gp_fte"
        values = [f.value for f in screen.shown]
        assert values == [17.4267, 43.5936]
        assert "practice headcounts" not in str(screen.query_one("#caveat", Static).render())
        await pilot.press("h")
        assert "sum of practice headcounts" in str(screen.query_one("#caveat", Static).render())


async def test_level_and_place_search(workspace: Workspace) -> None:
    import_files(workspace, [require_shared(PCN_JUNE)])
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_workforce(app, pilot)
        screen.query_one("#metric", Select).value = "pcn_staff"
        screen.query_one("#level", Select).value = "icb"
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"south west london")
        await pilot.pause()
        assert app.screen.query_one(OptionList).option_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert screen.place.code == "QWE"
        assert screen.shown and all(f.geography_code == "QWE" for f in screen.shown)


async def test_source_is_one_key_away_and_export(workspace: Workspace) -> None:
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_workforce(app, pilot)
        screen.query_one(RecordTable).focus()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, FigureSourceScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        path: Path = screen.export_path()
        with path.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert [r["period"] for r in rows][-1] == "2024/25"
        assert rows[-1]["value"] == "36539.0"
        assert "Health Equity Evidence Centre" in rows[-1]["source_publisher"]


async def test_lmc_area_sums_its_sub_icbs(workspace: Workspace) -> None:
    import_files(workspace, [require_shared(PCN_JUNE)])
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_workforce(app, pilot)
        screen.query_one("#metric", Select).value = "pcn_staff"
        await pilot.pause()
        await pilot.press("h")
        screen.query_one("#level", Select).value = "lmc"
        await pilot.pause()
        names = [p.name for p in screen.view.places("lmc")]
        assert "Cheshire LMC" in names
        cheshire = next(p for p in screen.view.places("lmc") if p.name == "Cheshire LMC")
        sub = screen.view.series("pcn_staff_fte", "sub_icb", "27D")
        assert screen.view.series("pcn_staff_fte", "lmc", cheshire.code)[0].value == sub[0].value
