"""`gpwatch export` for scripts: Markdown, CSV per table, JSON, with --since and --lmc."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import gpwatch
from tui.cli import main


def test_markdown_csv_and_json(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "b.md"
    assert main(["--data-dir", str(data_dir), "export", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "## Letters" in text and "Restore dialogue with NHS England" in text
    folder = tmp_path / "tables"
    assert (
        main(["--data-dir", str(data_dir), "export", "--format", "csv", "--out", str(folder)]) == 0
    )
    assert sorted(p.name for p in folder.iterdir()) == [
        "campaigns.csv",
        "figures.csv",
        "letters.csv",
        "news.csv",
        "pledges.csv",
    ]
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "export", "--format", "json", "--out", "-"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["format"] == "gpwatch-briefing"
    assert document["letters"][0]["overdue_days"] > 0


def test_since_and_lmc_and_bad_input(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "b.md"
    args = ["--data-dir", str(data_dir), "export", "--out", str(out)]
    assert main([*args, "--since", "2 Sep 2021", "--lmc", "Devon LMC"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "letters of Devon LMC" in text
    news = text.split("## News by topic")[1]
    assert "Jeremy Hunt Backs" not in news  # 2015 news is before --since
    assert "LMCs urge BMA GP leads" in news
    assert main([*args, "--since", "31 Feb 2021"]) == 2
    assert "--since" in capsys.readouterr().err
    assert main(["--data-dir", str(data_dir), "export", "--format", "csv", "--out", "-"]) == 2


def test_export_as_a_subprocess(data_dir: Path, tmp_path: Path) -> None:
    result = gpwatch(data_dir, "export", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (written,) = tmp_path.glob("gpwatch-briefing-*.md")
    assert result.stdout.strip() == str(written.relative_to(tmp_path))
