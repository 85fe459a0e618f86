"""Pledges: funding promises, and how many of the commitments made with them were delivered.

Delivered counts come from ``adapters.records.progress.pledge_progress``, out
of the commitments announced when the source listed fewer (HEE announced ten
and listed six: 0/10, not 0/6), so the table never flatters a pledge.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from adapters.records.pledges import PLEDGE_STATUSES, Pledge
from adapters.records.progress import PledgeProgress, pledge_progress
from adapters.repository import RecordRepository
from tui.format import day, gbp, sample_mark
from tui.inert import inert
from tui.screens.commitment_form import CommitmentFormScreen, CommitmentStatusScreen
from tui.screens.pledge_form import PledgeFormScreen
from tui.screens.record_panes import RecordPanesScreen, common_bindings, cut, line

COLUMNS = ("Organisation", "Pledge", "Amount", "Status", "Delivered", "From", "")
COMMITMENT_STYLES = {
    "delivered": "green",
    "in progress": "yellow",
    "dropped": "red",
    "not started": "",
    "unknown": "dim",
}


def amount(pledge: Pledge) -> str:
    """£10m/yr for a recurrent amount: a sum a year reads very differently from a one-off."""
    return gbp(pledge.amount_gbp) + ("/yr" if pledge.recurrent and pledge.amount_gbp else "")


class PledgesScreen(RecordPanesScreen[Pledge]):
    TITLE = "Pledges"
    CSS_PATH = Path(__file__).with_name("pledges.tcss")
    NOUN = "pledge"
    PLURAL = "pledges"
    PREFIX = "pledge"
    TABLE_ID = "pledges"
    AUTO_FOCUS = "#pledges"
    HEADING = "Funding pledges and the commitments delivered"
    COLUMNS = COLUMNS
    FILTER_HINT = "filter organisation, title, commitments (escape clears)"
    EMPTY_HINT = "No pledges yet. Press n to add one, then c to list its commitments."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add", "New", tooltip="Add a pledge"),
        Binding("e", "edit", "Edit", tooltip="Edit the highlighted pledge"),
        Binding("c", "commitment", "Commitment", tooltip="Add a commitment, or edit one"),
        Binding(
            "x", "commitment_status", "Set status", tooltip="Set a commitment's delivery status"
        ),
        *common_bindings("pledge"),
    ]

    @property
    def repository(self) -> RecordRepository[Pledge]:
        return self.workspace.records.pledges

    def progress(self, pledge: Pledge) -> PledgeProgress:
        return pledge_progress(pledge)

    def cells(self, pledge: Pledge) -> tuple[Text, ...]:
        progress = self.progress(pledge)
        delivered = inert(
            f"{progress.done}/{progress.total}" if progress.total else "—",
            "green" if progress.total and progress.done == progress.total else "",
        )
        return (
            inert(cut(pledge.organisation, 16)),
            inert(cut(pledge.title, 30)),
            inert(amount(pledge)),
            inert(pledge.status),
            delivered,
            inert(day(pledge.funded_from)),
            inert(sample_mark(pledge.sample)),
        )

    def sort_key(self, column: int, pledge: Pledge) -> object:
        progress = self.progress(pledge)
        keys: tuple[object, ...] = (
            pledge.organisation.casefold(),
            pledge.title.casefold(),
            -1 if pledge.amount_gbp is None else pledge.amount_gbp,
            PLEDGE_STATUSES.index(pledge.status),
            -1.0 if progress.percent_done is None else progress.percent_done,
            pledge.funded_from or date.max,
            pledge.sample,
        )
        return keys[column]

    def haystack(self, pledge: Pledge) -> str:
        return " ".join(
            (
                pledge.organisation,
                pledge.title,
                pledge.status,
                pledge.summary,
                *(c.text for c in pledge.commitments),
            )
        )

    def label(self, pledge: Pledge) -> str:
        return pledge.title

    def counts(self) -> list[str]:
        done = sum(self.progress(p).done for p in self._records)
        total = sum(self.progress(p).total for p in self._records)
        return [f"{done} of {total} commitments delivered"]

    def detail_text(self, pledge: Pledge) -> Text:
        progress = self.progress(pledge)
        text = Text()
        line(text, pledge.title, "bold")
        line(text, " · ".join(p for p in (pledge.status, sample_mark(pledge.sample)) if p), "dim")
        money = gbp(pledge.amount_gbp) if pledge.amount_gbp is not None else ""
        if money:
            money += " a year, recurrent" if pledge.recurrent else " (not stated as a year)"
        for label, value in (
            ("Organisation", pledge.organisation),
            ("Amount", money),
            ("From", day(pledge.funded_from) if pledge.funded_from else ""),
            ("Announced", day(pledge.announced) if pledge.announced else ""),
        ):
            if value:
                text.append(f"{label}: ", style="bold")
                line(text, value)
        if pledge.summary:
            text.append("\n")
            line(text, pledge.summary)
        text.append("\nCommitments", style="bold")
        if progress.total:
            text.append_text(inert(f": {progress.done} of {progress.total} delivered"))
            if progress.dropped:
                text.append_text(inert(f", {progress.dropped} dropped", "red"))
        text.append("\n")
        if not pledge.commitments:
            line(text, "(none listed: c adds one)", "dim")
        for number, commitment in enumerate(pledge.commitments, start=1):
            text.append_text(inert(f"{number}. "))
            text.append_text(
                inert(f"[{commitment.status}] ", COMMITMENT_STYLES.get(commitment.status, ""))
            )
            line(text, commitment.text)
            if commitment.evidence:
                line(text, f"    evidence: {commitment.evidence}", "dim")
        if progress.unlisted:
            line(
                text,
                f"    + {progress.unlisted} more announced but not listed by the source "
                "(counted as not delivered)",
                "dim",
            )
        if pledge.notes:
            text.append("\nNotes\n", style="bold")
            line(text, pledge.notes)
        if pledge.source is not None:
            text.append("\nSource: ", style="bold")
            line(text, pledge.source.label())
            for part in (pledge.source.url, pledge.source.reference):
                if part:
                    line(text, f"  {part}", "dim")
        return text

    # ------------------------------------------------------------ changes

    def action_add(self) -> None:
        self.app.push_screen(PledgeFormScreen(), lambda new: self.save_new("Pledge added", new))

    def action_edit(self) -> None:
        old = self.highlighted()
        if old is not None:
            self.app.push_screen(
                PledgeFormScreen(old), lambda new: self.save_edit("Pledge", old, new)
            )

    def action_commitment(self) -> None:
        old = self.highlighted()
        if old is not None:
            self.app.push_screen(
                CommitmentFormScreen(old), lambda new: self.save_edit("Commitment", old, new)
            )

    def action_commitment_status(self) -> None:
        old = self.highlighted()
        if old is None:
            return
        if not old.commitments:
            self.notify("This pledge lists no commitments: c adds one", severity="warning")
            return
        self.app.push_screen(
            CommitmentStatusScreen(old), lambda new: self.save_edit("Commitment status", old, new)
        )


SCREEN = PledgesScreen
