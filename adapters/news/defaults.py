"""The feeds a new gpwatch starts with, and the sources that have none.

The people gpwatch is for read the GP trade press, NHS England, HEE, DHSC,
the BMJ and the general health news. The addresses below are the ones seen in
public feed-reader configurations (see ``shared/data/PROVENANCE.md``), plus
two GOV.UK organisation feeds built on the pattern GOV.UK documents for every
organisation page (``https://www.gov.uk/government/organisations/<slug>.atom``).
None was checked live when this list was written: a feed that has moved shows
up as a failed feed in the News screen, which is the honest place to learn it.

No address is made up for a source that publishes none (BMA, RCGP, King's
Fund, ...): those are listed in :data:`SOURCES_WITHOUT_FEEDS` so the UI can say
why they are missing instead of quietly leaving them out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultFeed:
    """One feed offered on first run."""

    title: str
    url: str
    source: str  # the organisation that publishes it


@dataclass(frozen=True)
class FeedlessSource:
    """An organisation users follow that has no feed address we could find."""

    source: str
    note: str


DEFAULT_FEEDS: tuple[DefaultFeed, ...] = (
    DefaultFeed("Pulse", "https://www.pulsetoday.co.uk/feed/", "Pulse"),
    DefaultFeed("NHS England: all updates", "https://www.england.nhs.uk/feed/", "NHS England"),
    DefaultFeed("NHS England: news", "https://www.england.nhs.uk/news/feed/", "NHS England"),
    DefaultFeed(
        "Department of Health and Social Care on GOV.UK",
        "https://www.gov.uk/government/organisations/department-of-health-and-social-care.atom",
        "Department of Health and Social Care",
    ),
    DefaultFeed(
        "NHS England on GOV.UK",
        "https://www.gov.uk/government/organisations/nhs-england.atom",
        "NHS England",
    ),
    # HEE merged into NHS England in April 2023 (its work is now "NHS England
    # WT&E"); its GOV.UK page keeps the history and may publish little now.
    DefaultFeed(
        "Health Education England on GOV.UK",
        "https://www.gov.uk/government/organisations/health-education-england.atom",
        "Health Education England",
    ),
    DefaultFeed(
        "Care Quality Commission on GOV.UK",
        "https://www.gov.uk/government/organisations/care-quality-commission.atom",
        "Care Quality Commission",
    ),
    DefaultFeed(
        "GOV.UK news and communications: GP",
        "https://www.gov.uk/search/news-and-communications.atom?keywords=GP&order=updated-newest",
        "GOV.UK",
    ),
    DefaultFeed("The BMJ: recent", "https://www.bmj.com/rss/recent.xml", "BMJ"),
    DefaultFeed("BBC News: Health", "https://feeds.bbci.co.uk/news/health/rss.xml", "BBC"),
    DefaultFeed("The Guardian: NHS", "https://www.theguardian.com/society/nhs/rss", "The Guardian"),
    DefaultFeed(
        "NICE news",
        "https://www.nice.org.uk/news/rss",
        "National Institute for Health and Care Excellence",
    ),
    DefaultFeed(
        "House of Commons Library",
        "https://commonslibrary.parliament.uk/feed/",
        "House of Commons Library",
    ),
    DefaultFeed(
        "Nursing in Practice", "https://www.nursinginpractice.com/feed/", "Nursing in Practice"
    ),
)

_NOT_FOUND = "no feed address was found in public feed-reader configurations; read"

SOURCES_WITHOUT_FEEDS: tuple[FeedlessSource, ...] = (
    FeedlessSource("BMA", f"{_NOT_FOUND} bma.org.uk news by hand."),
    FeedlessSource("RCGP", f"{_NOT_FOUND} rcgp.org.uk news by hand."),
    FeedlessSource("The King's Fund", f"{_NOT_FOUND} kingsfund.org.uk by hand."),
    FeedlessSource("Nuffield Trust", f"{_NOT_FOUND} nuffieldtrust.org.uk by hand."),
    FeedlessSource("The Health Foundation", f"{_NOT_FOUND} health.org.uk by hand."),
    FeedlessSource("GPonline", f"{_NOT_FOUND} gponline.com by hand."),
)
