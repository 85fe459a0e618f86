"""Shared fixtures: a real data dir in a temp dir and the real app over it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.workspace import Workspace


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may read or write the real user's data dir."""
    monkeypatch.setenv("GPWATCH_DATA_DIR", str(tmp_path / "env-data-dir"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / ".local" / "share"))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def workspace(data_dir: Path) -> Workspace:
    return Workspace.open(data_dir)


@pytest.fixture
def open_workspace() -> Callable[[Path], Workspace]:
    return Workspace.open
