"""News: feeds with their status, the cached articles, and a reader pane.

The cache can hold 100k articles, so a keystroke paints only the newest
ROW_LIMIT matches (adapters.news.search finds those first); the count on the
status line follows in small steps between keystrokes, and more rows are
added as the cursor reaches the end of the table. Refresh runs in a worker:
fetching is async I/O and parsing happens in worker processes, so the UI
keeps answering keys while it runs.
"""

from __future__ import annotations

import contextlib
import gc
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from adapters.news.cache import LARGE_READ_BYTES
from adapters.news.defaults import SOURCES_WITHOUT_FEEDS
from adapters.news.models import Article, Feed, is_http_url
from adapters.news.search import ArticleIndex, Query, Search
from adapters.store import StoreError
from adapters.text import clean_text
from adapters.validation import ValidationError
from tui.inert import inert
from tui.screens.base import GpwatchScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.feed_form import FeedForm, FeedFormScreen
from tui.widgets.article_table import ArticleTable, Column, Row

if TYPE_CHECKING:
    from adapters.news.refresh import FeedOutcome

ROW_LIMIT = 40  # a screenful and more; more are added as the cursor reaches the end
ALL_FEEDS = "all"
# The count of matches follows a keystroke's frame in steps of ~5 ms (see
# adapters.news.search), with room between them for the next key.
COUNT_PAUSE_S = 0.03
COUNT_STEP_S = 0.005
# Flags first, as a mail client shows them, so a narrow terminal never hides them.
# The title matters most: tags, then the source, give way to it, then the date
# (both are in the reader pane too).
COLUMNS = (
    Column("", 2, min_width=2),
    Column("Date", 12, min_width=12),
    Column("Source", 20),
    Column("Title", min_width=40),
    Column("Tags", 30),
)


def feed_state(feed: Feed) -> str:
    """The feed's last refresh as the issue words it: ok (n new), not modified, failed: why."""
    if not feed.enabled:
        return "off"
    if feed.last_fetched is None:
        return "never fetched"
    if feed.state == "failed":
        state = f"failed: {feed.reason}"
    elif feed.state == "ok":
        state = f"ok ({feed.last_new} new)"
    else:
        state = feed.state
    return f"{state} · {feed.last_fetched.astimezone():%d %b %H:%M}"


@dataclass(frozen=True)
class Filters:
    text: str = ""
    feed_id: int | None = None
    topic: str | None = None


class NewsScreen(GpwatchScreen):
    TITLE = "News"
    CSS_PATH = Path(__file__).with_name("news.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh", tooltip="Fetch every enabled feed now"),
        Binding("slash", "filter", "Filter", key_display="/", tooltip="Filter as you type"),
        Binding("s", "star", "Star", tooltip="Star or unstar the article (starred are kept)"),
        Binding("m", "toggle_read", "Read/unread", tooltip="Mark the article read or unread"),
        Binding("o", "open_link", "Open", tooltip="Open the article's link in your browser"),
        Binding("t", "next_topic", "Topic", tooltip="Show only the next topic (cycles)"),
        Binding("escape", "back", "Back", tooltip="Clear the filter, or leave the reader"),
        Binding("n", "add_feed", "New feed", tooltip="Subscribe to a feed address"),
        Binding("e", "rename_feed", "Rename", show=False, tooltip="Rename the highlighted feed"),
        Binding("x", "toggle_feed", "On/off", show=False, tooltip="Disable or enable the feed"),
        Binding("d", "remove_feed", "Remove", show=False, tooltip="Unsubscribe (asks first)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters = Filters()
        self._articles: list[Article] = []
        self._index = ArticleIndex([])
        self._search: Search | None = None
        self._shown: list[Article] = []
        self._rows_shown: list[Row] = []  # what the table was given for _shown
        self._feed_titles: dict[int, str] = {}
        self._topics: list[str] = []
        self._record_names: dict[str, str] = {}
        self._reader_shown: Text | None = None
        self._unread: dict[int, int] = {}
        self._landed: dict[int, FeedOutcome] = {}  # this refresh's results so far
        self._refresh_note = ""  # the running refresh's progress, first on the status line
        self._counting: Timer | None = None
        self.refreshing = False

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="filter title and summary (escape clears)", id="news-filter")
        with Horizontal(id="news-panes"):
            yield OptionList(id="news-feeds")
            with Vertical(id="news-main"):
                yield ArticleTable(COLUMNS, id="news-articles")
                with VerticalScroll(id="news-reader"):
                    yield Static(id="news-reader-text")
        yield ProgressBar(id="news-progress", show_eta=False)
        yield Static(id="news-status")

    AUTO_FOCUS = "#news-articles"

    # ------------------------------------------------------------------ data

    def load(self) -> None:
        """Show the cache; a large news.json not read yet is read in a thread first.

        100k articles are ~100 MB of JSON, seconds to read: the screen says so
        and keeps answering keys meanwhile.
        """
        pending = self.workspace.news.articles_unread_from_disk()
        if pending > LARGE_READ_BYTES:
            self.query_one("#news-articles", ArticleTable).loading = True
            self.query_one("#news-status", Static).update(
                inert(f"Reading {pending / 1e6:.0f} MB of cached articles…")
            )
            self._read_in_background()
            return
        self._show_cache()

    @work(thread=True, exclusive=True, group="news-read", exit_on_error=False)
    def _read_in_background(self) -> None:
        try:
            self.workspace.news.articles()
        except StoreError as exc:
            self.app.call_from_thread(self._read_failed, str(exc))
            return
        self.app.call_from_thread(self._read_done)

    def _read_done(self) -> None:
        self.query_one("#news-articles", ArticleTable).loading = False
        self._show_cache()

    def _read_failed(self, message: str) -> None:
        self.query_one("#news-articles", ArticleTable).loading = False
        self.notify(
            clean_text(message), title="Could not read news.json", severity="error", markup=False
        )

    def _show_cache(self) -> None:
        news = self.workspace.news
        articles = news.articles()  # a new list object whenever the cache changed
        feeds = news.feeds()
        self._feed_titles = {f.id: f.title for f in feeds if f.id is not None}
        self._show_feeds(feeds, news.unread_counts())
        self._record_names = dict(self.workspace.record_names())
        if articles is not self._articles:
            self._articles = articles
            self._index = ArticleIndex(articles)
            self._search = None
            # 100k articles are millions of long-lived objects: left to the
            # collector, each full collection walks them all (up to 30 ms in a
            # keystroke). Frozen, they are never scanned; they are freed by
            # reference counting as usual when the cache is replaced.
            gc.freeze()
            self._topics = sorted({t for a in self._articles for t in a.tags})
        self.apply_filters(keep_place=True)

    def _show_feeds(self, feeds: list[Feed], unread: dict[int, int]) -> None:
        options = self.query_one("#news-feeds", OptionList)
        highlighted = options.highlighted
        total_unread = sum(unread.values())
        options.clear_options()
        options.add_option(Option(inert(f"All feeds ({total_unread} unread)"), id=ALL_FEEDS))
        self._unread = unread
        for feed in feeds:
            landed = self._landed.get(feed.id or 0) if self.refreshing else None
            if landed is not None:  # this refresh's result, until the refresh ends
                label = self._landed_label(landed)
            else:
                failing = feed.state == "failed" and feed.enabled
                label = self._feed_label(feed.title, feed.id, feed_state(feed), failing=failing)
            options.add_option(Option(label, id=str(feed.id)))
        # Sources this field reads that publish no feed: said, not silently missing.
        for source in SOURCES_WITHOUT_FEEDS:
            label = Text.assemble(inert(source.source, "dim"), "\n  ", inert("no feed", "dim"))
            options.add_option(Option(label, disabled=True))
        if highlighted is not None and highlighted < options.option_count:
            options.highlighted = highlighted

    def _feed_label(self, title: str, feed_id: int | None, state: str, *, failing: bool) -> Text:
        return Text.assemble(
            inert(f"{title} ({self._unread.get(feed_id or 0, 0)})"),
            "\n  ",
            inert(state, "red" if failing else "dim"),
        )

    def _landed_label(self, outcome: FeedOutcome) -> Text:
        return self._feed_label(
            outcome.title,
            outcome.feed_id,
            f"{outcome.describe()} · just now",
            failing=outcome.state == "failed",
        )

    def _show_feed_result(self, outcome: FeedOutcome) -> None:
        """A feed's result in the feed list as it lands (the new count follows the merge);
        kept until the refresh ends, so a reload of the list meanwhile shows it too."""
        self._landed[outcome.feed_id] = outcome
        with contextlib.suppress(OptionDoesNotExist):
            self.query_one("#news-feeds", OptionList).replace_option_prompt(
                str(outcome.feed_id), self._landed_label(outcome)
            )

    def source_of(self, article: Article) -> str:
        if article.sample:
            return "sample"
        return self._feed_titles.get(article.feed_id, "removed feed")

    def matching(self, limit: int = ROW_LIMIT) -> list[Article]:
        """The newest ``limit`` articles passing every filter; the full count may follow."""
        query = Query(self.filters.text, self.filters.feed_id, self.filters.topic)
        if query.is_empty:
            self._search = None
            return self._articles[:limit]
        search = self._index.search(query, previous=self._search)
        search.fill(limit)
        self._search = search
        return search.articles(limit)

    def apply_filters(self, *, keep_place: bool = False) -> None:
        """Show the newest matches; ``keep_place``: as many rows as now, the cursor on
        the same article (the cache was reloaded under the user, e.g. after s or m)."""
        table = self.query_one("#news-articles", ArticleTable)
        cursor = table.cursor_row
        current = self.current() if keep_place else None
        shown = self.matching(max(ROW_LIMIT, len(self._shown)) if keep_place else ROW_LIMIT)
        if current is not None:
            cursor = next((i for i, a in enumerate(shown) if a.id == current.id), cursor)
        rows = [self._row(a) for a in shown]
        self._shown = shown
        # Typing on often keeps the same newest matches: no rows to redraw then.
        if rows != self._rows_shown:
            self._rows_shown = rows
            table.set_rows(rows, cursor=cursor)
        elif cursor != table.cursor_row:
            table.move_cursor(row=cursor)
        self._show_status()
        self._show_reader()
        if self._counting is not None:
            self._counting.stop()
            self._counting = None
        if self._search is not None and not self._search.done:
            # On a timer, not call_after_refresh: that runs as soon as this screen is
            # idle, which is before the table's repaint has even been asked for, and
            # the count's steps (~5 ms each) then held up the keystroke's frame.
            self._counting = self.set_timer(COUNT_PAUSE_S, partial(self._count_rest, self._search))

    def _row(self, article: Article) -> Row:
        return Row(
            (
                ("★" if article.starred else "") + ("●" if article.unread else ""),
                f"{article.published:%d %b %Y}" + ("?" if article.date_missing else ""),
                self.source_of(article),
                article.title,
                ", ".join(article.tags),
            ),
            strong=article.unread,
        )

    def _count_rest(self, search: Search) -> None:
        """One more step of the count between keystrokes; dropped once the query changed."""
        if search is not self._search:
            return
        search.step()
        if search.done:
            self._counting = None
            self._show_status()
        else:
            self._counting = self.set_timer(COUNT_STEP_S, partial(self._count_rest, search))

    def _show_more(self) -> None:
        """The cursor reached the last row: add the next ROW_LIMIT matches."""
        wanted = len(self._shown) + ROW_LIMIT
        if self._search is None:
            more = self._articles[len(self._shown) : wanted]
        else:
            self._search.fill(wanted)
            more = self._search.articles(wanted)[len(self._shown) :]
        if more:
            rows = [self._row(a) for a in more]
            self._shown.extend(more)
            self._rows_shown.extend(rows)
            self.query_one("#news-articles", ArticleTable).add_rows(rows)
            self._show_status()

    def _show_status(self) -> None:
        if self._search is None:
            matched = str(len(self._articles))
        elif self._search.done:
            matched = str(len(self._search.found))
        else:
            matched = f"{len(self._search.found)}+ (counting)"
        parts = [f"{matched} of {len(self._articles)} articles"]
        if self._refresh_note:  # a refresh's progress stays in view while you filter
            parts.insert(0, self._refresh_note)
            if self.query_one("#news-articles", ArticleTable).loading:
                del parts[1:]  # the cache is still being read: no count to give yet
        if self.filters.text:
            parts.append(f"filter: {self.filters.text}")
        if self.filters.topic:
            parts.append(f"topic: {self.filters.topic}")
        if self.filters.feed_id is not None:
            parts.append(f"feed: {self._feed_titles.get(self.filters.feed_id, '?')}")
        if self.workspace.news.unreadable:
            parts.append(f"{self.workspace.news.unreadable} unreadable entries kept")
        # One line high whatever it says: no layout pass (a layout of this screen
        # is most of a keystroke's repaint).
        self.query_one("#news-status", Static).update(inert(" · ".join(parts)), layout=False)

    def current(self) -> Article | None:
        row = self.query_one("#news-articles", ArticleTable).cursor_row
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def _show_reader(self) -> None:
        text = self._reader_text(self.current())
        # Unchanged while typing narrows a filter that keeps the same first match:
        # an update would cost a layout pass of the screen for nothing.
        if text != self._reader_shown:
            self._reader_shown = text
            self.query_one("#news-reader-text", Static).update(text)

    def _reader_text(self, article: Article | None) -> Text:
        if article is None:
            if self._articles:
                return inert("No articles match. Press escape to clear the filter.")
            return inert(
                "No articles yet. Press r to fetch the feeds; offline, the cache is shown."
            )
        meta = f"{self.source_of(article)} · {article.published:%d %b %Y %H:%M} UTC"
        if article.date_missing:
            meta += " (no date given: fetch time)"
        lines = [inert(article.title, "bold"), inert(meta, "dim")]
        if article.tags:
            lines.append(inert(f"Topics: {', '.join(article.tags)}", "dim"))
        if article.mentions:
            names = [self._record_names.get(key, key) for key in article.mentions]
            lines.append(inert(f"Mentions your records: {'; '.join(names)}", "green"))
        text = Text("\n").join(lines)
        text.append("\n\n")
        text.append(inert(article.summary, keep_newlines=True))
        text.append("\n\n")
        # The address is shown as text, never as a clickable link: o opens it.
        text.append(inert(article.link or "(no web address)", "underline" if article.link else ""))
        return text

    # ------------------------------------------------------------------ events

    @on(ArticleTable.RowHighlighted, "#news-articles")
    def _highlighted(self, event: ArticleTable.RowHighlighted) -> None:
        if event.cursor_row >= len(self._shown) - 1:
            self._show_more()
        self._show_reader()

    @on(ArticleTable.RowSelected, "#news-articles")
    def _selected(self) -> None:
        article = self.current()
        if article is not None and article.unread:
            self._set_flags(article, unread=False)
        self.query_one("#news-reader").focus()

    @on(OptionList.OptionSelected, "#news-feeds")
    @on(OptionList.OptionHighlighted, "#news-feeds")
    def _feed_chosen(self, event: OptionList.OptionHighlighted) -> None:
        option_id = event.option.id
        feed_id = None if option_id in (None, ALL_FEEDS) else int(option_id)
        if feed_id != self.filters.feed_id:
            self.filters = Filters(self.filters.text, feed_id, self.filters.topic)
            self.apply_filters()

    def on_mount(self) -> None:
        # A watch, not an Input.Changed handler: it runs inside the keystroke's own
        # handling, so the typed character and the table it filters are drawn in one
        # frame. A Changed message arrived after the character's frame had been
        # drawn, and Textual's frame timer then waited 17-33 ms for the next.
        self.watch(self.query_one("#news-filter", Input), "value", self._filter_typed, init=False)

    def _filter_typed(self, value: str) -> None:
        if value != self.filters.text:
            self.filters = Filters(value, self.filters.feed_id, self.filters.topic)
            self.apply_filters()

    @on(Input.Submitted, "#news-filter")
    def _filter_done(self) -> None:
        self.query_one("#news-articles").focus()

    # ------------------------------------------------------------------ actions

    def action_filter(self) -> None:
        box = self.query_one("#news-filter", Input)
        box.add_class("-open")
        box.focus()

    def action_back(self) -> None:
        box = self.query_one("#news-filter", Input)
        if self.filters.text or self.filters.topic or box.has_class("-open"):
            self.filters = Filters(feed_id=self.filters.feed_id)
            box.value = ""
            box.remove_class("-open")
            self.apply_filters()
        self.query_one("#news-articles").focus()

    def action_next_topic(self) -> None:
        if not self._topics:
            self.notify("No article has a topic yet.", markup=False)
            return
        order = [None, *self._topics]
        current = order.index(self.filters.topic) if self.filters.topic in order else 0
        following = order[(current + 1) % len(order)]
        self.filters = Filters(self.filters.text, self.filters.feed_id, following)
        self.apply_filters()

    def action_star(self) -> None:
        article = self.current()
        if article is not None:
            self._set_flags(article, starred=not article.starred)

    def action_toggle_read(self) -> None:
        article = self.current()
        if article is not None:
            self._set_flags(article, unread=not article.unread)

    def _set_flags(self, article: Article, **flags: bool) -> None:
        if article.id is not None:
            self._save_flags(article.id, flags)

    @work(thread=True, group="flags", exit_on_error=False)
    def _save_flags(self, article_id: int, flags: dict[str, bool]) -> None:
        # A big cache is a big file to rewrite, and another process may hold the
        # lock: off the event loop, so keys keep answering meanwhile.
        try:
            self.workspace.news.set_flags([article_id], **flags)
        except StoreError as exc:
            self.app.call_from_thread(
                self.notify, clean_text(str(exc)), severity="error", markup=False
            )
            return
        self.app.call_from_thread(self.load)

    def highlighted_feed(self) -> Feed | None:
        options = self.query_one("#news-feeds", OptionList)
        if options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        if option_id in (None, ALL_FEEDS):
            return None
        return self.workspace.news.feed(int(option_id))

    def _need_feed(self) -> Feed | None:
        feed = self.highlighted_feed()
        if feed is None:
            self.notify("Highlight a feed in the list on the left first.", markup=False)
        return feed

    def action_add_feed(self) -> None:
        def added(form: FeedForm | None) -> None:
            if form is None:
                return
            title, url = form
            try:
                feed = self.workspace.news.add_feed(title, url)
            except ValidationError as exc:
                self.notify(clean_text(exc.message), severity="error", markup=False)
                return
            except StoreError as exc:
                self.notify(clean_text(str(exc)), severity="error", markup=False)
                return
            self.notify(
                f"Saved. Added {clean_text(feed.title)}; press r to fetch it.", markup=False
            )
            self.load()

        self.app.push_screen(FeedFormScreen(), added)

    def action_rename_feed(self) -> None:
        feed = self._need_feed()
        if feed is None or feed.id is None:
            return
        feed_id = feed.id

        def renamed(form: FeedForm | None) -> None:
            if form is not None:
                self._change_feed(lambda: self.workspace.news.rename_feed(feed_id, form[0]))

        self.app.push_screen(FeedFormScreen(title=feed.title, url=feed.url, renaming=True), renamed)

    def action_toggle_feed(self) -> None:
        feed = self._need_feed()
        if feed is not None and feed.id is not None:
            feed_id, enabled = feed.id, not feed.enabled
            self._change_feed(lambda: self.workspace.news.set_feed_enabled(feed_id, enabled))

    def action_remove_feed(self) -> None:
        feed = self._need_feed()
        if feed is None or feed.id is None:
            return
        feed_id = feed.id

        def answered(yes: bool | None) -> None:
            if yes:
                self._change_feed(lambda: self.workspace.news.remove_feed(feed_id))

        question = (
            f"Unsubscribe from {feed.title}? Its unstarred articles are removed too. "
            "Re-adding the address fetches them again."
        )
        self.app.push_screen(ConfirmScreen(question, yes="Remove"), answered)

    def _change_feed(self, change: Callable[[], object]) -> None:
        try:
            change()
        except (ValidationError, StoreError) as exc:
            message = exc.message if isinstance(exc, ValidationError) else str(exc)
            self.notify(clean_text(message), severity="error", markup=False)
            return
        self.notify("Saved.", markup=False)
        self.load()

    def action_open_link(self) -> None:
        article = self.current()
        if article is None or not is_http_url(article.link):
            self.notify("This article has no web address to open.", markup=False)
            return
        self._open_in_browser(article.link)

    @work(thread=True, exclusive=True, group="browser")
    def _open_in_browser(self, url: str) -> None:
        # webbrowser can block while it starts a browser: never on the event loop.
        if not webbrowser.open(url):
            self.app.call_from_thread(
                self.notify, f"No browser could be opened. The address is: {url}", markup=False
            )

    def action_refresh(self) -> None:
        if self.refreshing:
            self.notify("A refresh is already running.", markup=False)
            return
        self.run_refresh()

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def run_refresh(self) -> None:
        from adapters.news.refresh import refresh_feeds, settings_from

        self.refreshing = True
        self._landed = {}
        progress = self.query_one("#news-progress", ProgressBar)
        enabled = sum(1 for f in self.workspace.news.feeds() if f.enabled)
        progress.update(total=max(enabled, 1), progress=0)
        progress.add_class("-running")
        self._refresh_note = f"Refreshing {enabled} feeds…"
        self._show_status()

        def on_progress(outcome: FeedOutcome, done: int, total: int) -> None:
            progress.update(total=max(total, 1), progress=done)
            self._refresh_note = f"{done}/{total} · {outcome.title}: {outcome.describe()}"
            self._show_status()
            self._show_feed_result(outcome)

        # The stamp before the rules and names it vouches for: a file changed in
        # between is then seen as changed at the next refresh, never missed.
        tagging_stamp = self.workspace.tagging_stamp()
        rules, problem = self.workspace.topic_rules()
        if problem:
            self.notify(clean_text(problem), severity="warning", markup=False)
        for warning in self.workspace.settings_warnings:
            self.notify(
                clean_text(warning), title="settings.json", severity="warning", markup=False
            )
        fetch, prune = settings_from(self.workspace.settings)
        try:
            report = await refresh_feeds(
                self.workspace.news,
                rules=rules,
                names=self.workspace.record_names(),
                settings=fetch,
                prune=prune,
                on_progress=on_progress,
                tagging_stamp=tagging_stamp,
            )
        except Exception as exc:  # disk full, a damaged file: say so, keep the app
            message = str(exc) if isinstance(exc, StoreError) else f"{type(exc).__name__}: {exc}"
            self.notify(
                clean_text(message), title="Refresh not saved", severity="error", markup=False
            )
            return
        finally:
            self.refreshing = False
            self._refresh_note = ""
            progress.remove_class("-running")
        self.load()
        offline = report.outcomes and all(
            o.state == "failed" and o.reason in OFFLINE_REASONS for o in report.outcomes
        )
        message = (
            "Offline: no feed could be reached. Showing the cached articles."
            if offline
            else report.summary()
        )
        self.notify(message, severity="warning" if report.failed else "information", markup=False)


OFFLINE_REASONS = ("connection refused", "could not connect", "DNS lookup failed", "timeout")


SCREEN = NewsScreen
