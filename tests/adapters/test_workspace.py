"""First run, sample seeding and reset across the separate data files."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from adapters.workspace import Workspace


def test_first_run_seeds_once(data_dir: Path) -> None:
    first = Workspace.open(data_dir)
    assert first.sample_loaded
    counts = (len(first.records.letters.all()), len(first.records.campaigns.all()))
    second = Workspace.open(data_dir)
    assert (len(second.records.letters.all()), len(second.records.campaigns.all())) == counts


def test_figures_live_apart_from_records(workspace: Workspace) -> None:
    records = (workspace.data_dir / "records.json").read_bytes()
    assert b"GP trainee intake" not in records
    assert b"GP trainee intake" in (workspace.data_dir / "workforce.json").read_bytes()


def test_reset_sample_removes_only_samples_and_is_final(workspace: Workspace) -> None:
    report = workspace.reset_sample()
    assert report.removed == {"letters": 1, "campaigns": 3, "pledges": 3, "figures": 3}
    assert not workspace.sample_loaded
    assert not Workspace.open(workspace.data_dir).sample_loaded


def _open(path: str) -> None:
    Workspace.open(Path(path))


def test_two_first_runs_at_once_seed_once(data_dir: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_open, args=(str(data_dir),)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    workspace = Workspace.open(data_dir)
    assert len(workspace.records.letters.all()) == 1
    assert len(workspace.figures.all()) == 3
