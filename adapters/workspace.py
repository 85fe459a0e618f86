"""A data dir opened for use: the one object the app and every command are given.

Separate files keep a news refresh or a workforce import from rewriting the
user's records: records.json (letters, campaigns, pledges) and workforce.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.records.repository import Records
from adapters.repository import RecordRepository
from adapters.store import Recovery, open_db, prepare_data_dir
from adapters.workforce.series import Figure

RECORDS_FILE = "records.json"
WORKFORCE_FILE = "workforce.json"
META_TABLE = "meta"


@dataclass(frozen=True)
class SampleReport:
    """How many sample records each table lost in a reset."""

    removed: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.removed.values())


class Workspace:
    """The data dir with its files open; construct with :meth:`open`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        records_db = open_db(data_dir / RECORDS_FILE)
        workforce_db = open_db(data_dir / WORKFORCE_FILE)
        self.records = Records(records_db)
        self.figures: RecordRepository[Figure] = RecordRepository(workforce_db, Figure)
        self.recoveries: list[Recovery] = [
            db.recovered for db in (records_db, workforce_db) if db.recovered is not None
        ]

    @classmethod
    def open(cls, data_dir: Path, *, seed_sample: bool = True) -> Workspace:
        """Prepare the data dir, open its files and seed the sample on a first run.

        Raises DataDirError or StoreError with a message for the user.
        """
        workspace = cls(prepare_data_dir(data_dir))
        if seed_sample:
            workspace.seed_sample_once()
        return workspace

    def seed_sample_once(self) -> bool:
        """Seed the sample if this data dir has never been initialised.

        Decided under the records lock, so two first runs at once seed once.
        After a corrupt file was moved aside the sample is not added: the user
        is recovering data, and sample rows mixed into it would only confuse.
        A run killed half-way leaves no marker; the next one fills in only the
        tables that have no sample rows yet, so nothing is seeded twice.
        """
        from adapters import sample  # ~20 ms of dataclass building, needed once per data dir

        db = self.records.db
        meta = db.table(META_TABLE)
        with db.transaction():
            if meta.all():
                return False
            seed = not self.recoveries
            if seed:
                batches: list[tuple[RecordRepository[Any], list[Any]]] = [
                    (self.records.letters, sample.sample_letters()),
                    (self.records.campaigns, sample.sample_campaigns()),
                    (self.records.pledges, sample.sample_pledges()),
                    (self.figures, sample.sample_figures()),
                ]
                for repository, records in batches:
                    if not repository.has_sample():
                        repository.add_many(records)
            meta.insert({"initialised": True, "sample_seeded": seed})
        return seed

    @property
    def sample_loaded(self) -> bool:
        return any(repo.has_sample() for repo in self.repositories)

    @property
    def repositories(self) -> tuple[RecordRepository[Any], ...]:
        return (*self.records.repositories, self.figures)

    def reset_sample(self) -> SampleReport:
        """Remove only the sample records; the user's own are untouched."""
        removed = {repo.table_name: repo.remove_sample() for repo in self.repositories}
        return SampleReport(removed)
