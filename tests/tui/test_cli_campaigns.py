"""`gpwatch campaigns` and `gpwatch pledges` as people and scripts use them.

Most tests run the real entry point in-process over a real data dir; one runs
`python -m tui.cli` as a subprocess to check the exit code and that the value
is on disk when the command returns. Measured values here are made up for the
tests: the seed articles give none.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from adapters.records.campaigns import Campaign, Goal
from adapters.records.progress import VERDICTS
from adapters.workspace import Workspace
from tests.cli_helpers import gpwatch
from tui.cli import main

URL = "https://digital.nhs.uk/gpw-2018-09"
GOAL_KEYS = {
    "metric",
    "unit",
    "baseline",
    "baseline_date",
    "target",
    "target_date",
    "latest",
    "latest_date",
    "percent_done",
    "needed_rate",
    "achieved_rate",
    "verdict",
}


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def campaigns_json(capsys: pytest.CaptureFixture[str], data_dir: Path) -> list[dict[str, object]]:
    code, out, _ = run(capsys, data_dir, "campaigns", "list", "--json")
    assert code == 0
    return json.loads(out)  # type: ignore[no-any-return]


def more_gps(capsys: pytest.CaptureFixture[str], data_dir: Path) -> dict[str, object]:
    return next(
        c for c in campaigns_json(capsys, data_dir) if c["name"] == "5,000 more GPs by 2020"
    )


def records_bytes(data_dir: Path) -> bytes:
    return (data_dir / "records.json").read_bytes()


def test_campaigns_list_json_contract(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    rows = campaigns_json(capsys, data_dir)
    assert len(rows) == 4
    for row in rows:
        assert {"id", "name", "kind", "status", "lead", "backers", "goals"} <= set(row)
        assert isinstance(row["backers"], list) and isinstance(row["id"], int)
        assert row["verdict"] in VERDICTS
        for goal in row["goals"]:  # type: ignore[attr-defined]
            assert set(goal) >= GOAL_KEYS
            assert goal["verdict"] in VERDICTS
    hee = next(r for r in rows if r["lead"] == "Health Education England")
    assert {"RCGP", "BMA", "NHS England"} <= set(hee["backers"])  # type: ignore[arg-type]
    (goal,) = more_gps(capsys, data_dir)["goals"]  # type: ignore[misc]
    assert goal["id"] == "more-gps"
    assert (goal["baseline"], goal["target"], goal["target_date"]) == (0, 5000, "2020-12-31")
    assert goal["latest"] is None and goal["verdict"] == "no data"


def test_campaigns_list_table(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, data_dir, "campaigns", "list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["ID", "NAME", "KIND"]
    assert any("Support Your Surgery" in line and "BMA" in line for line in lines)
    assert any(line.strip().startswith("more-gps: Additional doctors") for line in lines)


def test_pledges_list_json_and_table(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, data_dir, "pledges", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    keys = {"id", "organisation", "title", "amount_gbp", "recurrent", "status"}
    for row in rows:
        assert keys | {"commitments_done", "commitments_total"} <= set(row)
    hee = next(r for r in rows if r["title"] == "Return to training scheme")
    assert (hee["amount_gbp"], hee["recurrent"]) == (10_000_000, True)
    assert (hee["commitments_done"], hee["commitments_total"]) == (0, 10)
    assert len(hee["commitments"]) == 6
    code, out, _ = run(capsys, data_dir, "pledges", "list")
    assert code == 0
    assert "£10m a year" in out and "0/10 (4 not listed by the source)" in out
    assert "£19.5m" in out


def test_record_value_by_id_and_key(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    campaign_id = str(more_gps(capsys, data_dir)["id"])
    code, out, err = run(
        capsys,
        data_dir,
        "campaigns",
        "record-value",
        campaign_id,
        "more-gps",
        "1,200",
        "--date",
        "2018-09-30",
        "--source",
        URL,
        "--source-title",
        "Made up for a test",
    )
    assert code == 0, err
    assert out.startswith("Recorded 1,200 doctors on 2018-09-30 for goal more-gps")
    # 2020 has passed: judged on the last value before the deadline, with the rates.
    assert "Verdict: missed" in out and "behind the straight-line path" in out
    assert "The path needed +949 doctors a year" in out
    assert "Note: no value measured since the target date" in out
    (goal,) = more_gps(capsys, data_dir)["goals"]  # type: ignore[misc]
    assert (goal["latest"], goal["latest_date"], goal["verdict"]) == (1200, "2018-09-30", "missed")
    assert goal["measurements"][0]["source_url"] == URL


def test_record_value_by_exact_names_and_british_date(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, err = run(
        capsys,
        data_dir,
        "campaigns",
        "record-value",
        "5,000 more GPs by 2020",
        "Additional doctors in general practice",
        "5100",
        "--date",
        "2 Sep 2020",
        "--source",
        URL,
    )
    assert code == 0, err
    assert "on 2020-09-02" in out and "Verdict: achieved" in out
    stored = Workspace.open(data_dir).records.campaigns.all()
    (goal,) = next(c for c in stored if c.name == "5,000 more GPs by 2020").goals
    assert goal.measurements[0].date == date(2020, 9, 2)


def test_record_value_before_the_baseline_is_kept_and_said(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, _ = run(
        capsys, data_dir, "campaigns", "record-value", "4", "more-gps", "-10",
        "--date", "2015-01-01", "--source", URL,
    )  # fmt: skip
    assert code == 0
    assert "dated before the baseline (2015-09-24): kept, but not counted" in out
    assert "Verdict: no data" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("4", "more-gps", "abc"), "VALUE: 'abc' is not a number"),
        (("4", "more-gps", "NaN"), "VALUE: 'NaN' is not a finite number"),
        (("4", "more-gps", "inf"), "VALUE: 'inf' is not a finite number"),
        (("4", "more-gps", "1e16"), "VALUE"),
        (("4", "more-gps", "5,00"), "VALUE"),
        (
            ("4", "more-gps", "1", "--date", "31 Feb 2020"),
            "--date: '31 Feb 2020' is not a real date",
        ),
        (("4", "more-gps", "1", "--date", "yesterday"), "--date"),
        (("4", "more-gps", "1", "--date", "1900-01-01"), "--date: 1900-01-01 is outside"),
        (("4", "more-gps", "1", "--source", "javascript:alert(1)"), "--source"),
        (("4", "more-gps", "1", "--source", "file:///etc/passwd"), "--source"),
        (("4", "more-gps", "1", "--source", "  "), "--source: must not be empty"),
    ],
)
def test_record_value_bad_input_exits_2_naming_the_argument(
    capsys: pytest.CaptureFixture[str], data_dir: Path, args: tuple[str, ...], needle: str
) -> None:
    Workspace.open(data_dir)
    before = records_bytes(data_dir)
    full = list(args)
    if "--date" not in full:
        full += ["--date", "2018-09-30"]
    if "--source" not in full:
        full += ["--source", URL]
    code, out, err = run(capsys, data_dir, "campaigns", "record-value", *full)
    assert code == 2
    assert needle in err and err.startswith("gpwatch: error: ") and out == ""
    assert records_bytes(data_dir) == before


def test_negative_values_and_the_double_dash(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    options = ("--date", "2018-09-30", "--source", URL)
    code, out, _ = run(
        capsys, data_dir, "campaigns", "record-value", *options, "4", "more-gps", "-12"
    )
    assert code == 0 and "Recorded -12 doctors" in out
    # "-1,200" and "-inf" look like options to argparse: "--" ends the options.
    code, out, _ = run(
        capsys, data_dir, "campaigns", "record-value", *options, "4", "more-gps", "--", "-1,200"
    )
    assert code == 0 and "Recorded -1,200 doctors" in out
    code, _, err = run(
        capsys, data_dir, "campaigns", "record-value", *options, "4", "more-gps", "--", "-inf"
    )
    assert code == 2 and "VALUE: '-inf' is not a finite number" in err


def test_a_future_date_is_refused(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    future = (date.today() + timedelta(days=40)).isoformat()
    code, _, err = run(
        capsys, data_dir, "campaigns", "record-value", "4", "more-gps", "1",
        "--date", future, "--source", URL,
    )  # fmt: skip
    assert code == 2 and f"--date: {future} is in the future" in err


def test_missing_options_are_usage_errors(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--data-dir", str(data_dir), "campaigns", "record-value", "4", "more-gps", "1"])
    assert caught.value.code == 2
    assert "--date" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("campaign", "goal", "needle"),
    [
        ("99", "more-gps", "no campaign '99'"),
        ("5,000 more gps by 2020", "more-gps", "no campaign"),  # names are exact
        ("4", "nope", "has no goal 'nope' (its goals: more-gps)"),
        ("4", "additional doctors in general practice", "has no goal"),
    ],
)
def test_unknown_campaign_or_goal_exits_1(
    capsys: pytest.CaptureFixture[str], data_dir: Path, campaign: str, goal: str, needle: str
) -> None:
    Workspace.open(data_dir)
    before = records_bytes(data_dir)
    code, _, err = run(
        capsys, data_dir, "campaigns", "record-value", campaign, goal, "1",
        "--date", "2018-01-01", "--source", URL,
    )  # fmt: skip
    assert code == 1 and needle in err
    assert records_bytes(data_dir) == before


def test_ambiguous_name_exits_1_and_asks_for_the_id(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    workspace = Workspace.open(data_dir)
    goal = Goal("Members", "people", 0, date(2020, 1, 1), 100, date(2099, 1, 1))
    for _ in range(2):
        workspace.records.campaigns.add(
            Campaign(name="Twin", kind="lobbying", lead="Kent LMC", goals=(goal,))
        )
    code, _, err = run(
        capsys, data_dir, "campaigns", "record-value", "Twin", "members", "1",
        "--date", "2021-01-01", "--source", URL,
    )  # fmt: skip
    assert code == 1 and "'Twin' matches campaigns 5, 6: give the id" in err
    code, out, _ = run(
        capsys, data_dir, "campaigns", "record-value", "6", "members", "60",
        "--date", "2021-01-01", "--source", URL,
    )  # fmt: skip
    assert code == 0 and "Verdict: on track" in out


def test_hostile_names_print_inert(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    workspace = Workspace.open(data_dir)
    workspace.records.campaigns.add(
        Campaign(name="Evil\x1b]8;;https://x.org\x07link\x1b[2J", kind="other", lead="\u202eLMC")
    )
    code, out, _ = run(capsys, data_dir, "campaigns", "list")
    assert code == 0
    assert "\x1b" not in out and "\u202e" not in out and "Evillink" in out


def test_empty_data_dir_lists(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    workspace = Workspace.open(data_dir)
    workspace.reset_sample()
    assert run(capsys, data_dir, "campaigns", "list") == (0, "No campaigns.\n", "")
    assert run(capsys, data_dir, "pledges", "list") == (0, "No pledges.\n", "")
    assert run(capsys, data_dir, "pledges", "list", "--json") == (0, "[]\n", "")


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "campaigns" in out and "pledges" in out


def test_record_value_subprocess_exit_codes_and_durable_save(data_dir: Path) -> None:
    result = gpwatch(
        data_dir, "campaigns", "record-value", "4", "more-gps", "2500",
        "--date", "2019-09-30", "--source", URL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Recorded 2,500 doctors on 2019-09-30" in result.stdout
    # A fresh process reading the file finds it: the save was complete on return.
    raw = json.loads((data_dir / "records.json").read_text())
    stored = [c for c in raw["campaigns"].values() if c["name"] == "5,000 more GPs by 2020"]
    assert stored[0]["goals"][0]["measurements"][0]["value"] == 2500
    assert not list(data_dir.glob(".records.json.*"))  # no temp file left behind
    bad = gpwatch(
        data_dir, "campaigns", "record-value", "4", "more-gps", "nan",
        "--date", "2019-09-30", "--source", URL,
    )  # fmt: skip
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "VALUE" in bad.stderr
    missing = gpwatch(
        data_dir, "campaigns", "record-value", "nope", "more-gps", "1",
        "--date", "2019-09-30", "--source", URL,
    )  # fmt: skip
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    listed = json.loads(gpwatch(data_dir, "campaigns", "list", "--json").stdout)
    (goal,) = next(c for c in listed if c["id"] == 4)["goals"]
    assert goal["latest"] == 2500
