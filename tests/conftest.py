"""Shared fixtures: a real data dir in a temp dir and the real app over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.workspace import Workspace
from tests.feed_server import FeedServer

REFRESH_FEEDS = Path(__file__).resolve().parent / "data" / "feeds" / "refresh"


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
def server() -> Iterator[FeedServer]:
    """A loopback server for the feed files in tests/data/feeds/refresh."""
    with FeedServer(root=REFRESH_FEEDS) as running:
        yield running


@pytest.fixture
def offline_workspace(data_dir: Path) -> Workspace:
    """The sample data dir with the default (internet) feeds removed: tests stay on loopback."""
    workspace = Workspace.open(data_dir)
    for feed in workspace.news.feeds():
        workspace.news.remove_feed(feed.id or 0)
    return workspace
