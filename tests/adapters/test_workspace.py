"""First run, sample seeding and reset across the separate data files."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from adapters.provenance import Source
from adapters.records.models import Campaign, Letter, Pledge
from adapters.sample import sample_campaigns, sample_letters
from adapters.store import open_db
from adapters.workforce.series import Figure
from adapters.workspace import RECORDS_FILE, Workspace


def test_first_run_seeds_once(data_dir: Path) -> None:
    first = Workspace.open(data_dir)
    assert first.sample_loaded
    counts = (len(first.records.letters.all()), len(first.records.campaigns.all()))
    second = Workspace.open(data_dir)
    assert (len(second.records.letters.all()), len(second.records.campaigns.all())) == counts


def test_figures_live_apart_from_records(workspace: Workspace) -> None:
    records = (workspace.data_dir / "records.json").read_bytes()
    assert b"trainee_intake" not in records
    assert b"trainee_intake" in (workspace.data_dir / "workforce.json").read_bytes()


def test_reset_sample_removes_only_samples_and_is_final(workspace: Workspace) -> None:
    source = Source(title="Our LMC minutes")
    mine = [
        workspace.records.letters.add(
            Letter(subject="Ours", counterparty="NHS England", lmcs=("Kent LMC",))
        ),
        workspace.records.campaigns.add(Campaign(name="Ours", kind="lobbying", lead="Kent LMC")),
        workspace.records.pledges.add(Pledge(organisation="Kent and Medway ICB", title="Ours")),
        workspace.figures.add(
            Figure(metric="GP FTE", period="2025-09", value=1.0, unit="FTE", source=source)
        ),
    ]
    report = workspace.reset_sample()
    assert report.removed == {
        "letters": 1,
        "campaigns": len(sample_campaigns()),
        "pledges": 3,
        "figures": 3,
        "targets": 1,
        "articles": 5,
    }
    assert not workspace.sample_loaded
    again = Workspace.open(workspace.data_dir)
    assert not again.sample_loaded
    kept = [repo.all() for repo in again.repositories]
    assert kept == [*([record] for record in mine), []]  # no targets of the user's own


def test_seeding_killed_half_way_is_completed_without_duplicates(data_dir: Path) -> None:
    # As if a first run died after writing the letters: no meta marker yet.
    data_dir.mkdir(mode=0o700)
    db = open_db(data_dir / RECORDS_FILE)
    db.table("letters").insert_multiple([letter.to_doc() for letter in sample_letters()])
    workspace = Workspace.open(data_dir)
    assert len(workspace.records.letters.all()) == 1
    assert len(workspace.records.campaigns.all()) == len(sample_campaigns())
    assert len(workspace.figures.all()) == 3


def _open_when_told(path: str, go: multiprocessing.synchronize.Event) -> None:
    go.wait(30)
    Workspace.open(Path(path))


def test_two_first_runs_at_once_seed_once(data_dir: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Event()
    procs = [ctx.Process(target=_open_when_told, args=(str(data_dir), go)) for _ in range(3)]
    for p in procs:
        p.start()
    go.set()  # released together, after their (slow) interpreter start-up
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    workspace = Workspace.open(data_dir)
    assert len(workspace.records.letters.all()) == 1
    assert len(workspace.figures.all()) == 3
    assert len(workspace.records.db.table("meta")) == 1
