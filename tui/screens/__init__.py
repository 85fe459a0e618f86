"""One module per screen; the app builds its modes, keys and palette from SCREENS."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenEntry:
    """A top-level screen: its mode name, switch key, title and one-line purpose."""

    mode: str
    key: str
    title: str
    purpose: str


SCREENS: tuple[ScreenEntry, ...] = (
    ScreenEntry("overview", "1", "Overview", "headline figures, what is due, newest news"),
    ScreenEntry("workforce", "2", "Workforce", "GP workforce figures against the targets promised"),
    ScreenEntry("news", "3", "News", "news from the sources this field reads"),
    ScreenEntry("correspondence", "4", "Correspondence", "LMC letters and who has answered"),
    ScreenEntry("campaigns", "5", "Campaigns", "campaigns, their backers and progress"),
    ScreenEntry("pledges", "6", "Pledges", "funding pledges and their commitments"),
)
