"""Correspondence: every LMC letter, where it stands, who has not answered.

The table is filtered (text, open/overdue, counterparty, LMC) and sorted in
memory: a data dir holds thousands of letters, not millions. Every change goes
through the repository (the crash-safe store) and the letter's history, and
the screen says "saved"; a delete asks first and can be undone with u until
the app closes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Input, Static

from adapters.dates import local_date
from adapters.records.letters import (
    LETTER_STATUSES,
    Letter,
    chase_letter,
    edit_letter,
    mark_created,
)
from adapters.records.overdue import overdue_days
from adapters.text import clean_text
from tui.format import day, sample_mark
from tui.inert import inert
from tui.screens.base import GpwatchScreen
from tui.screens.chase_form import ChaseFormScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.letter_form import LetterFormScreen
from tui.widgets.notice import Notice
from tui.widgets.record_table import RecordTable

# What needs answering first leads; the subject is cut and the detail pane has it whole.
COLUMNS = ("Status", "Due", "Overdue", "Subject", "Counterparty", "LMCs", "Sent", "")
STATE_FILTERS = ("all", "open", "overdue")


@dataclass(frozen=True)
class Row:
    letter: Letter
    overdue: int


def _sort_key(column: int, row: Row) -> tuple[object, ...]:
    """Sort values per column; empty dates sort last either way round."""
    letter = row.letter
    keys: tuple[object, ...] = (
        LETTER_STATUSES.index(letter.status),
        letter.due or date.max,
        row.overdue,
        letter.subject.casefold(),
        letter.counterparty.casefold(),
        "; ".join(letter.lmcs).casefold(),
        letter.sent or date.max,
        letter.sample,
    )
    return (keys[column], letter.id or 0)


def _cut(text: str, width: int) -> str:
    """Keep the table's later columns (due, overdue) on screen; the detail pane has it all."""
    return text if len(text) <= width else text[: width - 1] + "…"


class CorrespondenceScreen(GpwatchScreen):
    TITLE = "Correspondence"
    CSS_PATH = Path(__file__).with_name("correspondence.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add", "New", tooltip="Add a letter"),
        Binding("e", "edit", "Edit", tooltip="Edit the highlighted letter"),
        Binding("c", "chase", "Chase", tooltip="Record a chase and set a new due date"),
        Binding("d", "delete", "Delete", tooltip="Delete the letter (asks first; u undoes)"),
        Binding("u", "undo", "Undo", tooltip="Bring back the last deleted letter"),
        Binding("slash", "filter", "Filter", key_display="/", tooltip="Filter as you type"),
        Binding("f", "next_state", "Open/overdue", tooltip="Show all, open, or overdue letters"),
        Binding(
            "p",
            "next_counterparty",
            "By counterparty",
            show=False,
            tooltip="Show one counterparty's letters (cycles through them, then all)",
        ),
        Binding(
            "l",
            "next_lmc",
            "By LMC",
            show=False,
            tooltip="Show one LMC's letters (cycles through them, then all)",
        ),
        Binding("s", "next_sort", "Sort", tooltip="Sort by the next column (or click a header)"),
        Binding("S", "reverse_sort", "Reverse", show=False, tooltip="Reverse the sort"),
        Binding("escape", "clear_filters", "Clear", show=False, tooltip="Clear every filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[Row] = []
        self._shown: list[Row] = []
        self._state = "all"
        self._counterparty: str | None = None
        self._lmc: str | None = None
        self._text = ""
        self._sort_column = 1  # due date: what needs answering first
        self._sort_reverse = False
        self._deleted: list[Letter] = []

    def compose_body(self) -> ComposeResult:
        yield Notice("LMC letters", heading=True)
        yield Input(
            placeholder="filter subject, counterparty, LMCs (escape clears)", id="letter-filter"
        )
        with Horizontal(id="letter-panes"):
            yield RecordTable(COLUMNS, id="letters")
            with VerticalScroll(id="letter-detail"):
                yield Static(id="letter-detail-text")
        yield Static(id="letter-status")

    AUTO_FOCUS = "#letters"

    # ------------------------------------------------------------------ data

    @property
    def today(self) -> date:
        return local_date(self.workspace.clock())

    @property
    def response_days(self) -> int:
        return self.workspace.settings.letters_response_days

    def load(self) -> None:
        today, days = self.today, self.response_days
        self._rows = [
            Row(letter, overdue_days(letter, today, days))
            for letter in self.workspace.records.letters.all()
        ]
        self.show_rows()

    def matching(self) -> list[Row]:
        text = self._text.casefold()
        rows = []
        for row in self._rows:
            letter = row.letter
            if self._state == "open" and not letter.is_open:
                continue
            if self._state == "overdue" and not row.overdue:
                continue
            if self._counterparty is not None and letter.counterparty != self._counterparty:
                continue
            if self._lmc is not None and self._lmc not in letter.lmcs:
                continue
            if text:
                haystack = " ".join(
                    (letter.subject, letter.counterparty, letter.reference, *letter.lmcs)
                )
                if text not in haystack.casefold():
                    continue
            rows.append(row)
        rows.sort(key=lambda r: _sort_key(self._sort_column, r), reverse=self._sort_reverse)
        return rows

    def show_rows(self, select: int | None = None) -> None:
        table = self.query_one("#letters", RecordTable)
        cursor = table.cursor_row
        table.clear()
        self._shown = self.matching()
        for row in self._shown:
            letter = row.letter
            lmcs = f"{len(letter.lmcs)} LMCs" if len(letter.lmcs) > 2 else ", ".join(letter.lmcs)
            overdue = inert(f"{row.overdue} days", "bold red") if row.overdue else inert("")
            table.add_row(
                inert(letter.status),
                inert(day(letter.due)),
                overdue,
                inert(_cut(clean_text(letter.subject), 48)),
                inert(_cut(clean_text(letter.counterparty), 24)),
                inert(lmcs),
                inert(day(letter.sent)),
                inert(sample_mark(letter.sample)),
            )
        if select is not None:
            ids = [row.letter.id for row in self._shown]
            cursor = ids.index(select) if select in ids else cursor
        if self._shown:
            table.move_cursor(row=min(cursor, len(self._shown) - 1))
        self._show_status()
        self._show_detail()

    def _show_status(self) -> None:
        overdue = sum(1 for row in self._rows if row.overdue)
        open_count = sum(1 for row in self._rows if row.letter.is_open)
        parts = [
            f"{len(self._shown)} of {len(self._rows)} letters",
            f"{open_count} open",
            f"{overdue} overdue",
            f"showing {self._state}",
            f"sorted by {COLUMNS[self._sort_column] or 'sample'}"
            + (" (reversed)" if self._sort_reverse else ""),
        ]
        if self._counterparty is not None:
            parts.append(f"counterparty: {self._counterparty}")
        if self._lmc is not None:
            parts.append(f"LMC: {self._lmc}")
        if self._text:
            parts.append(f"filter: {self._text}")
        if self._deleted:
            parts.append("u undoes the delete")
        self.query_one("#letter-status", Static).update(inert(" · ".join(parts)))

    def current(self) -> Letter | None:
        row = self.query_one("#letters", RecordTable).cursor_row
        return self._shown[row].letter if 0 <= row < len(self._shown) else None

    def _show_detail(self) -> None:
        detail = self.query_one("#letter-detail-text", Static)
        letter = self.current()
        if letter is None:
            detail.update(
                inert(
                    "No letters match."
                    if self._rows
                    else "No letters yet. Press n to add one, or import a spreadsheet with "
                    "`gpwatch letters import FILE.csv`."
                )
            )
            return
        detail.update(self._detail_text(letter))

    def _detail_text(self, letter: Letter) -> Text:
        lines: list[tuple[str, str]] = [
            ("", letter.subject),
            ("Reference", letter.reference),
            ("Direction", letter.direction),
            ("Counterparty", " — ".join(p for p in (letter.counterparty, letter.contact) if p)),
            ("LMCs", "; ".join(letter.lmcs)),
            ("Status", letter.status),
        ]
        for name in ("sent", "acknowledged", "due", "responded", "closed"):
            value = getattr(letter, name)
            if value:
                lines.append((name.capitalize(), day(value)))
        overdue = overdue_days(letter, self.today, self.response_days)
        if overdue:
            lines.append(("Overdue", f"{overdue} days"))
        lines += [("Summary", letter.summary), ("Outcome", letter.outcome)]
        lines.append(("Tags", ", ".join(letter.tags)))
        text = Text()
        for label, value in lines:
            if not value:
                continue
            if label:
                text.append(f"{label}: ", style="bold")
                text.append_text(inert(value, "bold red" if label == "Overdue" else ""))
            else:
                text.append_text(inert(value, "bold"))
            text.append("\n")
        if letter.asks:
            text.append("\nAsks\n", style="bold")
            for ask in letter.asks:
                text.append_text(inert(f"- {ask}"))
                text.append("\n")
        text.append("\nHistory\n", style="bold")
        for entry in letter.history:
            text.append_text(inert(f"{entry.when:%d %b %Y %H:%M}  {entry.describe()}"))
            text.append("\n")
        if not letter.history:
            text.append_text(inert("(none recorded)", "dim"))
            text.append("\n")
        text.append_text(self._linked_text(letter))
        if letter.source is not None:
            text.append("\nSource: ", style="bold")
            text.append_text(inert(letter.source.label()))
        return text

    def _linked_text(self, letter: Letter) -> Text:
        """Articles linked by hand, articles that mention the letter, linked campaigns."""
        linked = self.workspace.news.linked(f"letter:{letter.id}", letter.articles)
        campaigns = {c.id: c for c in self.workspace.records.campaigns.all()}
        text = Text()
        if linked is None:
            text.append("\n")
            text.append_text(inert("Linked news shows once the news cache is read (key 3).", "dim"))
            text.append("\n")
        elif linked:
            text.append("\nNews\n", style="bold")
            for article in linked[:20]:
                text.append_text(inert(f"{article.published:%d %b %Y}  {article.title}"))
                text.append("\n")
                if article.link:
                    text.append_text(inert(f"  {article.link}", "dim"))
                    text.append("\n")
        names = [campaigns[i].name for i in letter.campaigns if i in campaigns]
        if names:
            text.append("\nCampaigns\n", style="bold")
            for name in names:
                text.append_text(inert(f"- {name}"))
                text.append("\n")
        return text

    @on(DataTable.RowHighlighted, "#letters")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.HeaderSelected, "#letters")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        if event.column_index == self._sort_column:
            self._sort_reverse = not self._sort_reverse
        else:
            self._sort_column, self._sort_reverse = event.column_index, False
        self.show_rows()

    # ------------------------------------------------------------------ filters

    @on(Input.Changed, "#letter-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._text = event.value
        self.show_rows()

    @on(Input.Submitted, "#letter-filter")
    def _filter_done(self) -> None:
        self.query_one("#letters").focus()

    def action_filter(self) -> None:
        box = self.query_one("#letter-filter", Input)
        box.add_class("-open")
        box.focus()

    def action_clear_filters(self) -> None:
        box = self.query_one("#letter-filter", Input)
        box.value = ""
        box.remove_class("-open")
        self._text, self._state, self._counterparty, self._lmc = "", "all", None, None
        self.query_one("#letters").focus()
        self.show_rows()

    def action_next_state(self) -> None:
        self._state = STATE_FILTERS[(STATE_FILTERS.index(self._state) + 1) % len(STATE_FILTERS)]
        self.show_rows()

    @staticmethod
    def _cycle(current: str | None, values: list[str]) -> str | None:
        """None (all), then each value in turn, then None again."""
        choices: list[str | None] = [None, *values]
        index = choices.index(current) if current in choices else 0
        return choices[(index + 1) % len(choices)]

    def action_next_counterparty(self) -> None:
        values = sorted({r.letter.counterparty for r in self._rows}, key=str.casefold)
        self._counterparty = self._cycle(self._counterparty, values)
        self.show_rows()

    def action_next_lmc(self) -> None:
        values = sorted({n for r in self._rows for n in r.letter.lmcs}, key=str.casefold)
        self._lmc = self._cycle(self._lmc, values)
        self.show_rows()

    def action_next_sort(self) -> None:
        self._sort_column = (self._sort_column + 1) % len(COLUMNS)
        self._sort_reverse = False
        self.show_rows()

    def action_reverse_sort(self) -> None:
        self._sort_reverse = not self._sort_reverse
        self.show_rows()

    # ------------------------------------------------------------------ changes

    def _lmc_names(self) -> tuple[str, ...]:
        from adapters.records.lmcs import load_lmcs

        known, problem = load_lmcs(self.workspace.data_dir)
        if problem:
            self.notify(clean_text(problem), title="lmcs.json", severity="warning", markup=False)
        return known.names

    def _save(self, change: str, write: object) -> bool:
        """Run a store write, say "saved" or why not, and show the letter saved."""
        saved = self.saved_or_said(change, write)  # type: ignore[arg-type]
        if saved is None:
            return False
        self.load()
        letter_id = getattr(saved, "id", None)
        if letter_id is not None:
            self.show_rows(select=letter_id)
        return True

    def action_add(self) -> None:
        def added(letter: Letter | None) -> None:
            if letter is None:
                return
            now = self.workspace.clock()
            self._save(
                "Letter added",
                lambda: self.workspace.records.letters.add(mark_created(letter, now)),
            )

        self.app.push_screen(
            LetterFormScreen(self._lmc_names(), response_days=self.response_days), added
        )

    def action_edit(self) -> None:
        old = self.current()
        if old is None:
            self.notify("No letter is highlighted", severity="warning")
            return

        def edited(new: Letter | None) -> None:
            if new is None:
                return
            letter = edit_letter(old, new, self.workspace.clock())
            if letter is old:
                self.notify("Nothing changed", timeout=3)
                return
            repository = self.workspace.records.letters
            self._save("Letter", lambda: repository.update(letter, expected=old))

        self.app.push_screen(
            LetterFormScreen(self._lmc_names(), old, response_days=self.response_days), edited
        )

    def action_chase(self) -> None:
        letter = self.current()
        if letter is None:
            self.notify("No letter is highlighted", severity="warning")
            return
        if not letter.awaiting_reply:
            self.notify(
                f"This letter is {letter.status}: only a letter awaiting a reply is chased",
                severity="warning",
            )
            return

        def chased(answer: tuple[date, str] | None) -> None:
            if answer is None:
                return
            new_due, note = answer
            repository = self.workspace.records.letters

            def write() -> Letter:
                updated = chase_letter(letter, self.workspace.clock(), new_due, note)
                return repository.update(updated, expected=letter)

            self._save("Chase", write)

        self.app.push_screen(ChaseFormScreen(letter.subject, self.today), chased)

    def action_delete(self) -> None:
        letter = self.current()
        if letter is None or letter.id is None:
            self.notify("No letter is highlighted", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            repository = self.workspace.records.letters

            def write() -> Letter:
                repository.remove(letter.id or 0)
                self._deleted.append(letter)
                return replace(letter, id=None)

            self._save("Letter deleted (u to undo)", write)

        self.app.push_screen(
            ConfirmScreen(f"Delete the letter {letter.subject!r}?", yes="Delete"), answered
        )

    def action_undo(self) -> None:
        if not self._deleted:
            self.notify("Nothing to undo", timeout=3)
            return
        letter = self._deleted[-1]

        def write() -> Letter:
            restored = self.workspace.records.letters.restore(letter)
            self._deleted.pop()
            return restored

        self._save("Delete undone", write)


SCREEN = CorrespondenceScreen
