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


async def test_pcn_and_practice_levels_load_on_demand_and_drill_down(
    workspace: Workspace,
) -> None:
    """England -> sub-ICB -> PCN -> practice and back up, from the real July 2025 file."""
    from tests.tui.pilot_helpers import wait_until

    import_files(workspace, [require_shared(DETAILED)])
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_workforce(app, pilot)
        assert screen.view.detail is None  # not read until a PCN or practice level is picked
        screen.query_one("#metric", Select).value = "gp"
        await pilot.pause()
        await pilot.press("h")
        screen.query_one("#level", Select).value = "sub_icb"
        await pilot.pause()
        assert screen.place.code == "16C" and screen.metric_key == "gp_fte"
        screen.query_one("#level", Select).value = "pcn"
        await wait_until(pilot, lambda: screen.view.detail is not None and screen.place.code)
        assert screen.place.level == "pcn" and screen.area and screen.area.code == "16C"
        # The picker lists the PCNs of the sub-ICB it was entered from; search narrows them.
        await pilot.press("g")
        await pilot.pause()
        picker = app.screen
        assert "PCN in NHS North East and North Cumbria ICB - 16C Tees Valley (6)" in str(
            picker.query_one(Static).render()
        )
        await pilot.press(*"north stockton")
        await pilot.pause()
        assert picker.query_one(OptionList).option_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert screen.place.code == "U07032"
        assert [(f.period, f.value) for f in screen.shown] == [
            ("2025-06", 9.32),
            ("2025-07", 17.0067),
        ]
        assert "2025-07" in tile(screen, "latest") and "17" in tile(screen, "latest")
        # Down to its practices: Queens Park and Tennant Street only.
        screen.query_one("#level", Select).value = "practice"
        await pilot.pause()
        assert screen.area and screen.area.code == "U07032"
        assert [p.code for p in screen.view.within("practice", screen.area)] == [
            "A81002",
            "A81006",
        ]
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"tennant", "enter")
        await pilot.pause()
        assert screen.place.code == "A81006"
        assert [f.value for f in screen.shown] == [7.6867]
        assert screen.shown[0].geography_name == "TENNANT STREET MEDICAL PRACTICE"
        # Back up: the practice's own PCN and sub-ICB, not the first on the list.
        screen.query_one("#level", Select).value = "pcn"
        await pilot.pause()
        assert screen.place.code == "U07032"
        screen.query_one("#level", Select).value = "practice"
        await pilot.pause()
        screen.query_one("#level", Select).value = "sub_icb"
        await pilot.pause()
        assert screen.place.code == "16C"


async def test_a_detail_file_from_an_unfinished_import_is_reported(
    workspace: Workspace,
) -> None:
    from adapters.workforce.detail import DETAIL_FILE
    from tests.tui.pilot_helpers import wait_until

    import_files(workspace, [require_shared(PCN_JUNE)])
    (workspace.data_dir / DETAIL_FILE).write_text("{not json")
    app = GpwatchApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_workforce(app, pilot)
        screen.query_one("#level", Select).value = "pcn"
        await wait_until(pilot, lambda: screen.view.detail is not None)
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("kept, unchanged" in m for m in messages)
        assert any("import that file again" in m for m in messages)
        assert screen.shown == []
        assert "no figures here" in tile(screen, "latest")
