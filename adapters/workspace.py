"""A data dir opened for use: the one object the app and every command are given.

Separate files keep a news refresh or a workforce import from rewriting the
user's records: records.json (letters, campaigns, pledges), workforce.json and
feeds.json (subscriptions) and news.json (cached articles).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.news.cache import NewsCache
from adapters.repository import RecordRepository
from adapters.store import Recovery, open_db, prepare_data_dir

if TYPE_CHECKING:
    from adapters.news.models import Article
    from adapters.news.topics import TopicRules
    from adapters.records.repository import Records
    from adapters.settings import Settings
    from adapters.workforce.series import Figure, FigureSet, Target

RECORDS_FILE = "records.json"
WORKFORCE_FILE = "workforce.json"
META_TABLE = "meta"
# Written once the data dir is initialised (the meta table says so too), so that
# opening a dir of 10k letters need not parse records.json to find out.
INITIALISED_MARKER = ".initialised"


def _touch(marker: Path) -> None:
    """Best effort: without the marker the next open reads the meta table instead."""
    with contextlib.suppress(OSError):
        marker.touch(mode=0o600)


@dataclass(frozen=True)
class SampleReport:
    """How many sample records each table lost in a reset."""

    removed: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.removed.values())


class Workspace:
    """The data dir with its files open; construct with :meth:`open`."""

    def __init__(self, data_dir: Path, *, clock: Callable[[], datetime] | None = None) -> None:
        self.data_dir = data_dir
        # Injected so tests and snapshots see the same "now" every run.
        self.clock = clock or (lambda: datetime.now(UTC))
        # Large files are checked at their first read, which the app makes off the
        # event loop; reads are cached while the file is unchanged.
        records_db = open_db(data_dir / RECORDS_FILE, large_later=True, cache_reads=True)
        workforce_db = open_db(data_dir / WORKFORCE_FILE, large_later=True, cache_reads=True)
        self._databases = (records_db, workforce_db)
        self.news = NewsCache(data_dir)
        self._settings: Settings | None = None
        self._settings_warnings: list[str] = []

    # The repositories are made on first use: their model modules are ~25 ms of
    # dataclass building that `gpwatch refresh` and other news commands never need.

    @cached_property
    def records(self) -> Records:
        from adapters.records.repository import Records

        return Records(self._databases[0])

    @cached_property
    def figures(self) -> RecordRepository[Figure]:
        from adapters.workforce.series import Figure

        return RecordRepository(self._databases[1], Figure)

    @cached_property
    def targets(self) -> RecordRepository[Target]:
        from adapters.workforce.series import Target

        return RecordRepository(self._databases[1], Target)

    @cached_property
    def imported(self) -> RecordRepository[FigureSet]:
        """Imported GPW figures, one document per dataset, period and place."""
        from adapters.workforce.series import FigureSet

        return RecordRepository(self._databases[1], FigureSet)

    @property
    def recoveries(self) -> list[Recovery]:
        """Data files found corrupt and moved aside so far (large ones are read lazily)."""
        found = [db.recovered for db in self._databases if db.recovered is not None]
        return found + self.news.recoveries

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        seed_sample: bool = True,
        clock: Callable[[], datetime] | None = None,
    ) -> Workspace:
        """Prepare the data dir, open its files and seed the sample on a first run.

        Raises DataDirError or StoreError with a message for the user.
        """
        workspace = cls(prepare_data_dir(data_dir), clock=clock)
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
        marker = self.data_dir / INITIALISED_MARKER
        if marker.exists():
            # Set up before: never seed again, not even when records.json is gone
            # (moved aside as corrupt, or deleted: the sample is for new users).
            return False
        from adapters import sample  # ~20 ms of dataclass building, needed once per data dir

        db = self.records.db
        meta = db.table(META_TABLE)
        with db.transaction():
            if meta.all():
                _touch(marker)
                return False
            seed = not self.recoveries
            if seed:
                batches: list[tuple[RecordRepository[Any], list[Any]]] = [
                    (self.records.letters, sample.sample_letters()),
                    (self.records.campaigns, sample.sample_campaigns()),
                    (self.records.pledges, sample.sample_pledges()),
                    (self.figures, sample.sample_figures()),
                    (self.targets, sample.sample_targets()),
                ]
                for repository, records in batches:
                    if not repository.has_sample():
                        repository.add_many(records)
                if not self.news.has_sample():
                    self.news.add_articles(self._sample_articles())
            if not self.news.feeds():
                from adapters.news.defaults import DEFAULT_FEEDS

                self.news.add_feeds((feed.title, feed.url) for feed in DEFAULT_FEEDS)
            meta.insert({"initialised": True, "sample_seeded": seed})
            _touch(marker)
        return seed

    def _sample_articles(self) -> list[Article]:
        from adapters.news.sample import sample_articles

        rules, _ = self.topic_rules()
        return sample_articles(rules, self.record_names(), self.clock())

    @property
    def settings(self) -> Settings:
        """settings.json, read on first use (most commands never need it)."""
        if self._settings is None:
            from adapters.settings import load_settings

            self._settings, self._settings_warnings = load_settings(self.data_dir)
        return self._settings

    @property
    def settings_warnings(self) -> list[str]:
        """What in settings.json was not used and why; empty when all was well."""
        self.settings  # noqa: B018  (reads the file if not yet read)
        return list(self._settings_warnings)

    def topic_rules(self) -> tuple[TopicRules, str | None]:
        """The user's topic rules (topics.json), or the defaults and why."""
        # Imported here: compiling the matchers is start-up time the dashboard
        # does not need until something is tagged.
        from adapters.news.topics import load_rules

        return load_rules(self.data_dir)

    def tagging_stamp(self) -> str:
        """Which versions of topics.json and records.json tagging would read, cheaply
        (a stat each): a refresh re-tags the cached articles when this changes and
        the rules or names did (see ``refresh_feeds``)."""
        from adapters.news.topics import RULES_FILE

        parts = []
        for name in (RULES_FILE, RECORDS_FILE):
            try:
                st = os.stat(self.data_dir / name)
            except OSError:
                parts.append(f"{name}:-")
                continue
            parts.append(f"{name}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}")
        return "|".join(parts)

    def record_names(self) -> list[tuple[str, str]]:
        """(key, name) of tracked records, for linking news that mentions them."""
        names = [(f"campaign:{c.id}", c.name) for c in self.records.campaigns.all()]
        names += [(f"pledge:{p.id}", p.title) for p in self.records.pledges.all()]
        names += [(f"letter:{letter.id}", letter.subject) for letter in self.records.letters.all()]
        return names

    @property
    def sample_loaded(self) -> bool:
        return self.news.has_sample() or any(repo.has_sample() for repo in self.repositories)

    def sample_loaded_if_cheap(self) -> bool | None:
        """sample_loaded, or None when finding out would parse a large file not yet read.

        The app asks on every screen shown; on a data dir of 10k letters the
        first answer is left to a thread.
        """
        if all(db.json_storage.cheap_to_read() for db in self._databases):
            return self.sample_loaded
        return None

    @property
    def repositories(self) -> tuple[RecordRepository[Any], ...]:
        return (*self.records.repositories, self.figures, self.targets)

    def reset_sample(self) -> SampleReport:
        """Remove only the sample records; the user's own are untouched."""
        removed = {repo.table_name: repo.remove_sample() for repo in self.repositories}
        removed["articles"] = self.news.remove_sample()
        return SampleReport(removed)
