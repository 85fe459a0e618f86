"""Overview: the screen users open first — headline tiles, the GP trend, what is due, news.

Everything comes from adapters.briefing, the same numbers `gpwatch export`
writes. It is rebuilt whenever the screen is shown (another screen's edit,
a finished refresh, another process) and when the news cache changes. It is
on the start-up path: no plotting library, just text.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Static

from adapters.briefing import Briefing, Tile, Trend, build_briefing
from adapters.dates import local_date
from adapters.store import StoreError
from adapters.text import clean_text
from tui.inert import inert
from tui.screens.base import GpwatchScreen
from tui.widgets.notice import Notice

BAR_WIDTH = 24
# Above this much in records.json + workforce.json the Overview loads in a thread.
BACKGROUND_BYTES = 1_000_000


class TileWidget(Static, can_focus=True):
    """A headline number; enter or a click opens the screen behind it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", tooltip="Open the screen behind this tile"),
    ]

    def __init__(self, tile_id: str) -> None:
        super().__init__(id=f"tile-{tile_id}", classes="tile")
        self.tile: Tile | None = None

    def show(self, tile: Tile) -> None:
        self.tile = tile
        text = Text()
        text.append_text(inert(tile.title, "bold"))
        text.append("\n")
        text.append_text(inert(tile.value, "dim italic" if tile.empty else "bold"))
        text.append("\n")
        text.append_text(inert(tile.detail, "red" if tile.alert else "dim"))
        self.update(text)
        self.set_class(tile.alert, "-alert")
        self.set_class(tile.empty, "-empty")

    def action_open(self) -> None:
        if self.tile is not None:
            self.app.switch_mode(self.tile.mode)

    def on_click(self, event: events.Click) -> None:
        self.action_open()


class OverviewScreen(GpwatchScreen):
    TITLE = "Overview"
    CSS_PATH = Path(__file__).with_name("overview.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "export", "Export briefing", tooltip="Write a Markdown briefing file"),
    ]

    TILE_IDS = ("workforce", "intake", "letters", "campaigns", "pledges", "news")

    def __init__(self) -> None:
        super().__init__()
        self._shown = False  # a briefing painted: a reload keeps it until the next

    def compose_body(self) -> ComposeResult:
        with Grid(id="tiles"):
            for tile_id in self.TILE_IDS:
                yield TileWidget(tile_id)
        with Horizontal(id="overview-lower"):
            with Vertical(id="overview-left"):
                yield Static(id="trend")
                yield Static(id="due")
            yield Static(id="headlines")
        yield Notice("", id="sample-note")
        yield Notice("", id="invalid-note")

    def load(self) -> None:
        """Small data dirs load at once; large ones in a thread, the screen usable meanwhile.

        10k letters and five years of ICB figures take seconds to read and
        check; the app must answer keys (1-6, ?, q) from the first paint.
        """
        if self._data_bytes() < BACKGROUND_BYTES:
            self.show_briefing(self._build())
            return
        if not self._shown:
            # Text, not Textual's animated loading indicator: that repaints many
            # times a second, taking time from the first paint and the thread.
            for tile in self.query(TileWidget):
                tile.update(Text("reading your data…", style="dim italic"))
        # After the first paint: a thread parsing megabytes holds the GIL half
        # the time, and would slow the paint that makes the app usable.
        self.call_after_refresh(self._load_in_background)

    def _data_bytes(self) -> int:
        total = 0
        for name in ("records.json", "workforce.json"):
            try:
                total += (self.workspace.data_dir / name).stat().st_size
            except OSError:
                continue
        return total

    def _build(self) -> Briefing:
        today = local_date(self.workspace.clock())
        return build_briefing(self.workspace, today, all_news=False)

    @work(thread=True, exclusive=True, group="overview-load", exit_on_error=False)
    def _load_in_background(self) -> None:
        try:
            briefing = self._build()
        except StoreError as exc:
            self.app.call_from_thread(self._load_failed, str(exc))
            return
        # The files are read and cached now: the status line and the sample note
        # can say whether sample data is loaded without another wait.
        self.app.call_from_thread(self.gpwatch.refresh_status)
        self.app.call_from_thread(self.show_briefing, briefing)

    def _load_failed(self, message: str) -> None:
        for tile in self.query(TileWidget):
            if tile.tile is None:
                tile.update(Text("could not be read", style="dim italic"))
        self.notify(
            clean_text(message), title="Could not read your data", severity="error", markup=False
        )

    def show_briefing(self, briefing: Briefing) -> None:
        self._shown = True
        for tile in briefing.tiles:
            self.query_one(f"#tile-{tile.key}", TileWidget).show(tile)
        self.query_one("#trend", Static).update(trend_text(briefing.trend))
        self.query_one("#due", Static).update(due_text(briefing))
        self.query_one("#headlines", Static).update(headlines_text(briefing))
        self.query_one("#sample-note", Notice).update(
            "Sample records from the seed articles are loaded (marked 'sample'); "
            "`gpwatch reset-sample` removes them and leaves your own records."
            if self.gpwatch.sample_loaded
            else "No sample records are loaded."
        )
        self._show_invalid(briefing)

    def _show_invalid(self, briefing: Briefing) -> None:
        invalid = briefing.invalid
        note = self.query_one("#invalid-note", Notice)
        note.display = bool(invalid or briefing.warnings)
        if invalid:
            first = invalid[0]
            note.update(
                inert(
                    f"{len(invalid)} stored records could not be read and are not shown; "
                    f"they are kept unchanged. First: {first.file}, {first.table} "
                    f"#{first.doc_id}: {first.error}"
                )
            )
        elif briefing.warnings:
            note.update(inert(f"Workforce data: {briefing.warnings[0]}"))

    def action_export(self) -> None:
        from tui.commands.export import default_path, write_briefing

        today = local_date(self.workspace.clock())
        path = default_path("md", today)
        try:
            write_briefing(self.workspace, path, "md", today=today)
        except OSError as exc:
            self.notify(
                f"Could not write {path}: {exc.strerror or exc}", severity="error", markup=False
            )
            return
        self.notify(f"Briefing written to {path.resolve()}", title="Exported", markup=False)


def trend_text(trend: Trend | None) -> Text:
    """Bars per period, with the straight-line path to the target marked on each."""
    text = Text()
    if trend is None or not trend.figures:
        text.append_text(
            inert(
                "No workforce figures yet: import an NHS Digital GP workforce CSV with "
                "`gpwatch import-workforce FILE`.",
                "dim",
            )
        )
        return text
    figures = trend.figures[-10:]
    target = trend.target
    values = [f.value for f in figures]
    if target is not None:
        values += [target.baseline_value, target.target_value]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    low -= span * 0.1
    span *= 1.1

    def column(value: float) -> int:
        return max(0, min(BAR_WIDTH - 1, round((value - low) / span * (BAR_WIDTH - 1))))

    text.append_text(inert(f"{trend.label}, England", "bold"))
    text.append("\n")
    path = _target_path(trend)
    for figure in figures:
        filled = column(figure.value) + 1
        cells = ["█"] * filled + [" "] * (BAR_WIDTH - filled)
        expected = path.get(figure.period)
        mark = column(expected) if expected is not None else None
        text.append_text(inert(f"{figure.period:>8} {figure.value:>8,.0f} "))
        if mark is None:
            text.append("".join(cells), style="cyan")
        else:  # three runs, not a span per cell: rendering cost grows with spans
            text.append("".join(cells[:mark]), style="cyan")
            text.append("┃" if cells[mark] == "█" else "│", style="bold yellow")
            text.append("".join(cells[mark + 1 :]), style="cyan")
        text.append("\n")
    if target is not None:
        latest = trend.figures[-1]
        gap = target.target_value - latest.value
        verdict = f"{gap:,.0f} short" if gap > 0 else f"{-gap:,.0f} above"
        text.append_text(
            inert(
                f"Target: {target.name}: {target.target_value:,.0f} by {target.deadline} "
                f"(yellow: the straight path from {target.baseline_period}); "
                f"latest {verdict}.",
                "yellow",
            )
        )
    return text


def _target_path(trend: Trend) -> dict[str, float]:
    """Where the straight line from baseline to target stood at each period."""
    from adapters.workforce.series import period_position

    target = trend.target
    if target is None:
        return {}
    start = period_position(target.baseline_period)
    end = period_position(target.deadline)
    if start is None or end is None or end <= start:
        return {}
    path = {}
    for figure in trend.figures:
        here = period_position(figure.period)
        if here is None or here < start:
            continue
        share = min(1.0, (here - start) / (end - start))
        path[figure.period] = target.baseline_value + share * (
            target.target_value - target.baseline_value
        )
    return path


def due_text(briefing: Briefing) -> Text:
    text = Text()
    text.append("Due this week\n", style="bold")
    if not briefing.due:
        text.append_text(inert("Nothing due in the next 7 days.", "dim"))
    for item in briefing.due[:8]:
        text.append_text(inert(f"{item.when:%a %d %b}  {item.kind}: {item.text}"))
        text.append("\n")
    overdue = [(x, d) for x, d in briefing.letters if d]
    if overdue:
        text.append("\nOverdue letters\n", style="bold red")
        for letter, days in overdue[:5]:
            text.append_text(inert(f"{days:>5} days  {letter.subject}"))
            text.append("\n")
    return text


def headlines_text(briefing: Briefing) -> Text:
    text = Text()
    text.append("Newest headlines\n", style="bold")
    if not briefing.headlines:
        text.append_text(inert("No news cached yet: press 3, then r to fetch.", "dim"))
    for article in briefing.headlines:
        source = "sample" if article.sample else briefing.feed_titles.get(article.feed_id, "")
        text.append_text(inert(f"{article.published:%d %b %Y}  {source}", "dim"))
        text.append("\n")
        text.append_text(inert(f"{article.title}", "bold" if article.unread else ""))
        text.append("\n")
        if article.tags:
            text.append_text(inert(f"  {', '.join(article.tags)}", "green"))
            text.append("\n")
    return text


SCREEN = OverviewScreen
