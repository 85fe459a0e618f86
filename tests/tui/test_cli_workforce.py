"""`gpwatch import-workforce` and `gpwatch workforce` as people and scripts use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.adapters.workforce.test_gpw_import import (
    DETAILED,
    INDIVIDUAL,
    PCN_MARCH,
    require_shared,
    write_rows,
)
from tui.cli import main

KEYS = {"metric", "period", "level", "code", "name", "value", "unit", "source"}


def run(data_dir: Path, *argv: str) -> int:
    return main(["--data-dir", str(data_dir), *argv])


def test_import_prints_kind_period_and_rows(data_dir: Path, capsys) -> None:
    files = [str(require_shared(n)) for n in (DETAILED, INDIVIDUAL, PCN_MARCH)]
    assert run(data_dir, "import-workforce", *files) == 0
    out = capsys.readouterr().out
    assert f"{DETAILED}: practice_detailed, period 2025-06, 2025-07, 10 rows read" in out
    assert f"{INDIVIDUAL}: individual, period 2023-02, 10 rows read" in out
    assert f"{PCN_MARCH}: pcn_individual, period 2020-03, 534 rows read" in out


def test_list_json_contract(data_dir: Path, capsys) -> None:
    run(data_dir, "import-workforce", str(require_shared(PCN_MARCH)))
    capsys.readouterr()
    assert run(data_dir, "workforce", "list", "--metric", "pcn_staff_hc", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(set(row) >= KEYS for row in rows)
    england = [r for r in rows if r["level"] == "england"]
    assert [(r["period"], r["value"]) for r in england] == [("2020-03", 499)]
    assert england[0]["source"]["publisher"] == "NHS Digital"
    run(data_dir, "workforce", "list", "--level", "icb", "--code", "QYG", "--json")
    icb = json.loads(capsys.readouterr().out)
    assert icb and {r["code"] for r in icb} == {"QYG"}


def test_list_pcn_and_practice_levels(data_dir: Path, capsys) -> None:
    files = [str(require_shared(n)) for n in (DETAILED, PCN_MARCH)]
    assert run(data_dir, "import-workforce", *files) == 0
    out = capsys.readouterr().out
    assert "9 PCN and 10 practice place-periods in workforce-detail.json" in out
    assert run(data_dir, "workforce", "list", "--level", "pcn", "--metric", "gp_fte", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(set(row) >= KEYS and row["level"] == "pcn" for row in rows)
    north_stockton = {r["period"]: r["value"] for r in rows if r["code"] == "U07032"}
    # Queens Park (9.32) alone in June; with Tennant Street (7.686666667) in July.
    assert north_stockton == {"2025-06": 9.32, "2025-07": 17.0067}
    assert rows[0]["name"] == "GREATER MIDDLESBROUGH PCN"
    run(data_dir, "workforce", "list", "--level", "pcn", "--code", "U68696", "--json")
    wokingham = json.loads(capsys.readouterr().out)
    assert {(r["metric"], r["value"]) for r in wokingham} >= {("pcn_staff_hc", 3)}
    run(data_dir, "workforce", "list", "--level", "practice", "--code", "A81005", "--json")
    springwood = {r["metric"]: r for r in json.loads(capsys.readouterr().out)}
    assert springwood["gp_fte"]["value"] == 5.9067
    assert springwood["gp_fte"]["name"] == "SPRINGWOOD SURGERY"
    assert springwood["gp_fte"]["source"]["reference"] == f"imported from {DETAILED}"
    # A plain list stays at sub-ICB and above: the detail file is read only when asked for.
    run(data_dir, "workforce", "list", "--json")
    levels = {r["level"] for r in json.loads(capsys.readouterr().out)}
    assert levels.isdisjoint({"pcn", "practice"})


def test_bundled_and_sample_figures_before_any_import(data_dir: Path, capsys) -> None:
    assert run(data_dir, "workforce", "list", "--level", "england", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    by = {(r["metric"], r["period"]): r["value"] for r in rows}
    assert by[("trainee_intake", "2016")] == 3019
    assert by[("trainee_intake", "2017")] == 3157
    assert by[("unfilled_trainee_places", "2015")] == 600
    assert by[("practices", "2016/17")] == 7623
    assert by[("gp_fq_perm_hc", "2024/25")] == 36539


def test_metrics_lists_names(data_dir: Path, capsys) -> None:
    assert run(data_dir, "workforce", "metrics") == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    for name in ("gp_hc", "gp_fte", "gp_fq_perm_fte", "registrars_hc", "practices"):
        assert name in names


def test_target_is_editable(data_dir: Path, capsys) -> None:
    run(data_dir, "workforce", "targets")
    line = capsys.readouterr().out
    assert "5,000 more GPs by 2020" in line
    target_id = line.split()[0]
    assert run(data_dir, "workforce", "target", target_id, "--baseline", "29000",
               "--baseline-period", "2015-09", "--target", "34000") == 0  # fmt: skip
    assert "from 29,000 (2015-09) to 34,000 by 2020-12" in capsys.readouterr().out
    assert run(data_dir, "workforce", "target", target_id, "--deadline", "2010") == 2
    assert "deadline" in capsys.readouterr().err


def test_malformed_file_exits_1_with_line_and_stores_nothing(
    data_dir: Path, tmp_path: Path, capsys
) -> None:
    run(data_dir, "workforce", "metrics")  # a first run, so the data dir exists
    before = (data_dir / "workforce.json").read_bytes()
    bad = write_rows(
        tmp_path / "gpw_2021-09.csv", [["PRAC_CODE", "TOTAL_GP_FTE"], ["A1", "1"], ["A2", "x"]]
    )
    assert run(data_dir, "import-workforce", str(bad)) == 1
    err = capsys.readouterr().err
    assert "gpw_2021-09.csv: line 3: TOTAL_GP_FTE: 'x' is not a number" in err
    assert (data_dir / "workforce.json").read_bytes() == before


def test_subprocess_import_then_list(data_dir: Path) -> None:
    env = {**os.environ, "GPWATCH_DATA_DIR": str(data_dir)}
    path = str(require_shared(INDIVIDUAL))
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "import-workforce", path],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "individual, period 2023-02, 10 rows read" in done.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "tui.cli", "workforce", "list", "--metric", "dpc_hc", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    values = {(r["level"], r["code"]): r["value"] for r in json.loads(listed.stdout)}
    assert values[("england", "E92000001")] == 9


@pytest.mark.parametrize("period", ["2025-7", "July"])
def test_bad_period_option(data_dir: Path, capsys, period: str) -> None:
    path = str(require_shared(INDIVIDUAL))
    assert run(data_dir, "import-workforce", path, "--period", period) == 1
    assert "is not YYYY-MM" in capsys.readouterr().err
