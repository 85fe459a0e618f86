"""News: feeds from the sources this field reads (fetching arrives with the News issue)."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.screens.base import GpwatchScreen
from tui.widgets.notice import Notice


class NewsScreen(GpwatchScreen):
    TITLE = "News"

    def compose_body(self) -> ComposeResult:
        yield Notice("News", heading=True)
        yield Notice(
            "No feeds are fetched yet, so there are no articles to show.\n\n"
            "This screen will list the feeds (GP trade press, BMA, RCGP, NHS England, "
            "DHSC, the King's Fund, Nuffield Trust, BMJ) with their status and when each "
            "was last fetched; the articles, tagged by topic (recruitment, retention, "
            "trainees, workload, contract and pay, LMC, funding), unread and starred; and "
            "a reader pane. r will refresh them, and `gpwatch refresh` will do the same "
            "from cron. Feeds will be importable from OPML.",
            id="plans",
        )


SCREEN = NewsScreen
