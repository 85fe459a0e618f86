"""Overview: the screen users open first; for now, what the data dir holds."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.inert import inert
from tui.screens.base import GpwatchScreen
from tui.widgets.fact_table import FactTable
from tui.widgets.notice import Notice


class OverviewScreen(GpwatchScreen):
    TITLE = "Overview"

    def compose_body(self) -> ComposeResult:
        yield Notice("In your data now", heading=True)
        yield FactTable(("Records", "Count", "Open with"), id="counts")
        yield Notice("", id="sample-note")
        yield Notice("", id="invalid-note")
        yield Notice(
            "Coming next on this screen: tiles for the latest GP FTE against Sep 2015, "
            "trainee intake against the record, overdue letters, campaigns behind "
            "trajectory and unread news; a trend chart with its target; what is due this "
            "week; the newest headlines. Keys 1-6 open each screen, ? lists every key.",
            id="plans",
        )

    def load(self) -> None:
        records = self.workspace.records
        letters, campaigns, pledges, figures = (
            records.letters.scan(),
            records.campaigns.scan(),
            records.pledges.scan(),
            self.workspace.figures.scan(),
        )
        commitments = sum(len(p.commitments) for p in pledges.records)
        delivered = sum(p.commitments_done for p in pledges.records)
        open_letters = sum(1 for letter in letters.records if letter.is_open)
        active = sum(1 for c in campaigns.records if c.status == "active")
        self.query_one("#counts", FactTable).show_rows(
            [
                (
                    "Letters",
                    f"{open_letters} open of {len(letters.records)}",
                    "4 Correspondence",
                ),
                (
                    "Campaigns",
                    f"{active} active of {len(campaigns.records)}",
                    "5 Campaigns",
                ),
                (
                    "Pledges",
                    f"{len(pledges.records)} pledges, "
                    f"{delivered}/{commitments} commitments delivered",
                    "6 Pledges",
                ),
                ("Workforce figures", str(len(figures.records)), "2 Workforce"),
                self._news_row(),
            ]
        )
        self.query_one("#sample-note", Notice).update(
            "Sample records from the seed articles are loaded (marked 'sample'); "
            "`gpwatch reset-sample` removes them and leaves your own records."
            if self.gpwatch.sample_loaded
            else "No sample records are loaded."
        )
        invalid = [*letters.invalid, *campaigns.invalid, *pledges.invalid, *figures.invalid]
        note = self.query_one("#invalid-note", Notice)
        note.display = bool(invalid)
        if invalid:
            first = invalid[0]
            note.update(
                inert(
                    f"{len(invalid)} stored records could not be read and are not shown; "
                    f"they are kept unchanged. First: {first.file}, {first.table} "
                    f"#{first.doc_id}: {first.error}"
                )
            )

    def _news_row(self) -> tuple[str, str, str]:
        news = self.workspace.news
        articles = news.articles()
        if not articles:
            return ("News articles", "none yet: press 3 then r to fetch", "3 News")
        unread = sum(1 for a in articles if a.unread)
        failed = sum(1 for f in news.feeds() if f.enabled and f.state == "failed")
        text = f"{len(articles)} cached, {unread} unread"
        if failed:
            text += f"; {failed} feeds failed last time"
        return ("News articles", text, "3 News")


SCREEN = OverviewScreen
