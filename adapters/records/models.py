"""The user's records: LMC letters, campaigns and funding pledges.

Plain dataclasses that refuse bad values on construction (so a bad document
never gets as far as the screen) and round-trip to TinyDB documents. These are
the foundation's minimal shapes; the Correspondence, Campaigns and Pledges
issues extend them in letters.py, campaigns.py and pledges.py.
"""

from __future__ import annotations

from adapters.document import Record
from adapters.records.campaigns import CAMPAIGN_KINDS, CAMPAIGN_STATUSES, Campaign
from adapters.records.letters import LETTER_DIRECTIONS, LETTER_STATUSES, Letter
from adapters.records.pledges import (
    COMMITMENT_STATUSES,
    PLEDGE_STATUSES,
    Commitment,
    Pledge,
)

# Letter, Campaign, Pledge and Commitment live in letters.py, campaigns.py and
# pledges.py; they are re-exported here so existing imports from models work.
__all__ = [
    "CAMPAIGN_KINDS",
    "CAMPAIGN_STATUSES",
    "COMMITMENT_STATUSES",
    "LETTER_DIRECTIONS",
    "LETTER_STATUSES",
    "PLEDGE_STATUSES",
    "RECORD_TYPES",
    "Campaign",
    "Commitment",
    "Letter",
    "Pledge",
]

RECORD_TYPES: tuple[type[Record], ...] = (Letter, Campaign, Pledge)
