"""Edge cases a reviewer tried: odd ids, duplicate keys, symlinks, odd data dir paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.store import DataDirError, open_db, prepare_data_dir, resolve_data_dir


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"letters": {"abc": {}}}', "non-numeric id 'abc'"),
        ('{"letters": {"1": {"a": 1}, "1": {"a": 2}}}', "'1' appears twice"),
        ('{"letters": {}, "letters": {}}', "'letters' appears twice"),
    ],
)
def test_files_tinydb_would_mishandle_are_kept_aside(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "records.json"
    path.write_text(content)
    db = open_db(path)
    assert db.recovered is not None
    assert reason in db.recovered.reason
    assert db.recovered.aside.read_text() == content
    db.table("letters").insert({"a": 3})  # a fresh file works


def test_a_symlinked_data_file_stays_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "records.json"
    target.parent.mkdir()
    target.write_text("{}")
    link = tmp_path / "records.json"
    link.symlink_to(target)
    open_db(link).table("letters").insert({"subject": "kept where it points"})
    assert link.is_symlink()
    assert json.loads(target.read_text())["letters"]["1"]["subject"] == "kept where it points"


def test_empty_data_dir_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DataDirError, match="empty"):
        resolve_data_dir("")
    monkeypatch.setenv("GPWATCH_DATA_DIR", "  ")
    with pytest.raises(DataDirError, match="empty"):
        resolve_data_dir(None)


def test_flag_beats_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GPWATCH_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(str(tmp_path / "flag")) == tmp_path / "flag"
    assert resolve_data_dir(None) == tmp_path / "env"


def test_platform_default_when_nothing_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GPWATCH_DATA_DIR")
    assert resolve_data_dir(None).name == "gpwatch"


def test_unusable_data_dir_names_are_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(DataDirError, match="can not create data dir"):
        prepare_data_dir(tmp_path / ("x" * 300))


def test_any_text_round_trips_even_a_lone_surrogate(tmp_path: Path) -> None:
    db = open_db(tmp_path / "records.json")
    text = "£10m for GPs in Ynys Môn \udcff 🩺"
    doc_id = db.table("letters").insert({"summary": text})
    assert open_db(tmp_path / "records.json").table("letters").get(doc_id=doc_id) == {
        "summary": text
    }
