"""The bundled England series is the real practice-by-year file, reduced; the target follows it."""

from __future__ import annotations

import json
from importlib import resources

from adapters.sample import sample_targets
from adapters.workforce.bundled import BUNDLE_FILE, build_bundle, bundled_figures
from adapters.workforce.series import Target
from adapters.workforce.view import WorkforceView, at_or_before, load_lmc_areas, year_before
from tests.adapters.workforce.test_gpw_import import require_shared


def test_bundle_is_what_the_real_file_gives() -> None:
    path = require_shared("practice_fq_permanent_gp_headcount_by_financial_year.csv")
    shipped = json.loads(
        resources.files("adapters.workforce").joinpath(BUNDLE_FILE).read_text("utf-8")
    )
    assert build_bundle(path) == shipped


def test_bundled_figures_carry_their_source() -> None:
    figures = bundled_figures()
    practices = {f.period: f.value for f in figures if f.metric == "practices"}
    assert practices["2016/17"] == 7623 and practices["2024/25"] == 6392
    assert all(f.source.url and "Health Equity" in f.source.publisher for f in figures)
    gps = [f for f in figures if f.metric == "gp_fq_perm_hc"]
    assert all("counts twice" in f.notes for f in gps)


def test_target_baseline_and_path() -> None:
    (target,) = sample_targets()
    assert target.target_value - target.baseline_value == 5000
    assert target.expected_at("2016/17") == target.baseline_value
    assert target.expected_at("2030-01") == target.target_value
    doc = target.to_doc()
    assert Target.from_doc(doc, 1).deadline == "2020-12"


def test_changes_since_sep_2015_and_a_year_before() -> None:
    series = WorkforceView(bundled_figures()).series("gp_fq_perm_hc")
    assert at_or_before(series, "2015-09") is None
    assert year_before(series).period == "2023/24"


def test_lmc_areas_bundled_for_the_sample_lmcs(tmp_path) -> None:
    areas, warning = load_lmc_areas(tmp_path)
    assert warning is None
    names = {a.lmc for a in areas}
    assert {"Kent LMC", "Devon LMC", "Lancashire & Cumbria LMCs"} <= names
    (tmp_path / "lmc_areas.json").write_text('{"areas": [{"lmc": "Mine", "sub_icb": ["15n"]}]}')
    areas, _ = load_lmc_areas(tmp_path)
    assert [(a.lmc, a.sub_icb) for a in areas] == [("Mine", ("15N",))]
    (tmp_path / "lmc_areas.json").write_text("{broken")
    areas, warning = load_lmc_areas(tmp_path)
    assert warning and "bundled" in warning and len(areas) > 5
