"""settings.json: defaults when absent, every bad value a warning naming its key, never a crash."""

from __future__ import annotations

import json
import os
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.settings import (
    MAX_SETTINGS_BYTES,
    SETTING_KEYS,
    SETTINGS_FILE,
    Settings,
    load_settings,
    settings_from_json,
    settings_to_json,
    write_settings,
)
from adapters.workspace import Workspace


def write(data_dir: Path, content: str | bytes) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    raw = content.encode() if isinstance(content, str) else content
    (data_dir / SETTINGS_FILE).write_bytes(raw)


def test_no_file_means_defaults_and_no_file_is_written(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == (Settings(), [])
    workspace = Workspace.open(tmp_path / "data")
    assert workspace.settings == Settings(letters_response_days=28)
    assert workspace.settings.news_concurrency == 32
    assert workspace.settings.news_prune_max_age_days is None
    assert workspace.settings.news_prune_max_per_feed == 2000
    assert workspace.settings_warnings == []
    assert not (tmp_path / "data" / SETTINGS_FILE).exists()


def test_good_values_are_used(tmp_path: Path) -> None:
    write(
        tmp_path,
        json.dumps(
            {
                "help": "my notes",
                "letters": {"response_days": 14},
                "news": {"concurrency": 8, "prune_max_age_days": 365, "prune_max_per_feed": 50},
            }
        ),
    )
    settings, warnings = load_settings(tmp_path)
    assert warnings == []
    assert settings == Settings(14, 8, 365, 50)


def test_a_partial_file_keeps_the_other_defaults(tmp_path: Path) -> None:
    write(tmp_path, '{"letters": {"response_days": 7}}')
    assert load_settings(tmp_path) == (Settings(letters_response_days=7), [])


@pytest.mark.parametrize(
    ("content", "key", "used"),
    [
        ('{"letters": {"response_days": 0}}', "letters.response_days", "using 28"),
        ('{"letters": {"response_days": 366}}', "letters.response_days", "using 28"),
        ('{"letters": {"response_days": "28"}}', "letters.response_days", "using 28"),
        ('{"letters": {"response_days": 28.0}}', "letters.response_days", "using 28"),
        ('{"letters": {"response_days": true}}', "letters.response_days", "using 28"),
        ('{"letters": {"response_days": null}}', "letters.response_days", "using 28"),
        ('{"news": {"concurrency": 0}}', "news.concurrency", "using 32"),
        ('{"news": {"concurrency": 257}}', "news.concurrency", "using 32"),
        ('{"news": {"prune_max_age_days": 0}}', "news.prune_max_age_days", "using null"),
        ('{"news": {"prune_max_age_days": "never"}}', "news.prune_max_age_days", "using null"),
        ('{"news": {"prune_max_per_feed": -1}}', "news.prune_max_per_feed", "using 2000"),
        ('{"news": {"prune_max_per_feed": null}}', "news.prune_max_per_feed", "using 2000"),
    ],
)
def test_a_bad_value_warns_with_its_key_and_the_default(
    tmp_path: Path, content: str, key: str, used: str
) -> None:
    write(tmp_path, content)
    settings, (warning,) = load_settings(tmp_path)
    assert settings == Settings()
    assert key in warning and used in warning and str(tmp_path / SETTINGS_FILE) in warning


def test_one_bad_value_does_not_spoil_the_others(tmp_path: Path) -> None:
    write(tmp_path, '{"letters": {"response_days": 14}, "news": {"concurrency": "lots"}}')
    settings, warnings = load_settings(tmp_path)
    assert settings.letters_response_days == 14 and settings.news_concurrency == 32
    assert len(warnings) == 1 and "news.concurrency" in warnings[0]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b'{"letters": {"response_days": 14,}}', "bad JSON at line 1"),
        (b'{"letters": {"response_days": 14, "response_days": 15}}', "'response_days' appears"),
        (b"[28]", "JSON object"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"", "bad JSON"),
    ],
)
def test_an_unreadable_file_means_every_default(
    tmp_path: Path, content: bytes, needle: str
) -> None:
    write(tmp_path, content)
    settings, (warning,) = load_settings(tmp_path)
    assert settings == Settings()
    assert needle in warning and "every default" in warning


def test_unknown_keys_are_named(tmp_path: Path) -> None:
    write(tmp_path, '{"letters": {"respnse_days": 14}, "colour": "blue", "news": 3}')
    settings, warnings = load_settings(tmp_path)
    assert settings == Settings()
    assert any("'letters.respnse_days'" in w for w in warnings)
    assert any("'colour'" in w and "not a setting" in w for w in warnings)
    assert any("'news'" in w and "news.concurrency" in w for w in warnings)


def test_a_bom_from_notepad_is_fine(tmp_path: Path) -> None:
    write(tmp_path, b'\xef\xbb\xbf{"letters": {"response_days": 21}}')
    assert load_settings(tmp_path) == (Settings(letters_response_days=21), [])


def test_a_huge_file_is_not_read(tmp_path: Path) -> None:
    write(tmp_path, b" " * (MAX_SETTINGS_BYTES + 1))
    settings, (warning,) = load_settings(tmp_path)
    assert settings == Settings() and "too big" in warning


def test_a_directory_in_its_place_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / SETTINGS_FILE).mkdir()
    settings, (warning,) = load_settings(tmp_path)
    assert settings == Settings() and "can not read" in warning


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path, "{}")
    (tmp_path / SETTINGS_FILE).chmod(0)
    _, (warning,) = load_settings(tmp_path)
    assert "can not read" in warning


def test_workspace_reads_lazily_and_reports_warnings(tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path / "data")
    write(tmp_path / "data", '{"letters": {"response_days": 400}}')
    assert workspace._settings is None  # not read at open
    assert workspace.settings.letters_response_days == 28
    assert "letters.response_days" in workspace.settings_warnings[0]


def test_written_settings_read_back_and_are_private(tmp_path: Path) -> None:
    wanted = Settings(10, 4, None, 99)
    path = write_settings(tmp_path, wanted)
    assert load_settings(tmp_path) == (wanted, [])
    assert (path.stat().st_mode & 0o777) == 0o600
    assert json.loads(settings_to_json(Settings()))["letters"] == {"response_days": 28}


def test_every_key_is_a_settings_attribute() -> None:
    assert {f.name for f in fields(Settings)} == {key.attribute for key in SETTING_KEYS}


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.dictionaries(st.text(), c) | st.lists(c),
    )
)
def test_any_json_gives_settings_and_warnings(value: object) -> None:
    settings, warnings = settings_from_json(json.dumps(value).encode(), "settings.json")
    assert isinstance(settings, Settings)
    assert all(isinstance(w, str) for w in warnings)
