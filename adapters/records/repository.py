"""The records file (records.json): letters, campaigns and pledges."""

from __future__ import annotations

from typing import Any

from adapters.records.models import Campaign, Letter, Pledge
from adapters.repository import RecordRepository
from adapters.store import SafeTinyDB


class Records:
    """The records file (records.json) and its repositories."""

    def __init__(self, db: SafeTinyDB) -> None:
        self.db = db
        self.letters = RecordRepository(db, Letter)
        self.campaigns = RecordRepository(db, Campaign)
        self.pledges = RecordRepository(db, Pledge)

    @property
    def repositories(self) -> tuple[RecordRepository[Any], ...]:
        return (self.letters, self.campaigns, self.pledges)
