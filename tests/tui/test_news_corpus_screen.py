"""Every file of the shared feed corpus through the News screen, served over loopback.

The issue asks for the whole real-world corpus (../shared/data/feed-corpus:
feedparser's own test feeds, well-formed and broken) to go "through the
adapter and the screen: no exception, each either parsed or marked 'not a
feed'". test_parse_corpus.py does the adapter; this does the screen: each
corpus file is served by a real HTTP server on 127.0.0.1 (with the HTTP headers
the file asks for), subscribed, and refreshed by pressing r on the News screen
of the real app, parsing in the refresh's worker processes. Then every feed
must have ended as parse_feed says it should for the same bytes, and the
article list and reader are walked with the keys, everything shown checked
for control, escape and bidi characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static
from textual.worker import Worker, WorkerState
from textual.worker_manager import WorkerManager

from adapters.news import refresh as refresh_module
from adapters.news.parse import NotAFeed, parse_feed
from adapters.workspace import Workspace
from tests.adapters.news.test_parse_corpus import (
    CORPUS,
    NOT_FEEDS,
    corpus_headers,
    require_shared,
)
from tests.feed_server import FeedServer
from tests.tui.pilot_helpers import open_screen, wait_until
from tui.app import GpwatchApp
from tui.screens.news import NewsScreen
from tui.widgets.article_table import ArticleTable

SIZE = (120, 36)
REFRESH_TIMEOUT_S = 60.0
# Shown text may hold none of: C0 (tab and newline too), DEL, C1 (ESC is C0),
# lone surrogates, bidi embeddings, overrides and isolates. The reader keeps
# its own line breaks.
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
FORBIDDEN_IN_READER = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)
# A failed feed's reason is a few words for the status line, never a traceback.
SHORT_REASON = 60
NOT_A_REASON = ("no result", "parser crashed", "Traceback", "Error", "Exception", "could not start")


def corpus_files() -> list[str]:
    root = require_shared(CORPUS)
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.name != "PROVENANCE.txt"
    )


def serve(server: FeedServer, relative: str) -> tuple[bytes, str | None]:
    """Serve the file at /relative with the headers it asks for; (body, Content-Type)."""
    body = (CORPUS / relative).read_bytes()
    headers = {
        name: value
        for name, value in corpus_headers(body).items()
        if name not in ("content-type", "content-length", "transfer-encoding")
    }
    content_type = corpus_headers(body).get("content-type")
    server.route("/" + relative, body=body, content_type=content_type, headers=headers)
    return body, content_type


def expected_outcome(body: bytes, content_type: str | None, url: str) -> tuple[str, str, set[str]]:
    """(state, reason, entry titles) as parse_feed gives them for what the app fetches."""
    try:
        parsed = parse_feed(
            body, fetched_at=datetime.now(UTC), content_type=content_type, base_url=url
        )
    except NotAFeed as exc:
        return "failed", str(exc) or "not a feed", set()
    return "ok", "", {entry.title or "(untitled)" for entry in parsed.entries}


def shown_lines(table: ArticleTable) -> Iterator[str]:
    """The text of every line the table draws now (header included)."""
    for y in range(table.scrollable_content_region.height):
        yield "".join(segment.text for segment in table.render_line(y))


def reader_text(screen: NewsScreen) -> str:
    return str(screen.query_one("#news-reader-text", Static).render())


def assert_clean(text: str, where: str, pattern: re.Pattern[str] = FORBIDDEN) -> None:
    found = pattern.findall(text)
    assert not found, f"{where}: {found!r} shown in {text!r}"


async def press_until_refreshed(
    pilot: Pilot[None], workers: list[Worker[object]]
) -> Worker[object]:
    """Press r and wait for the refresh worker to end (it may not raise: exit_on_error=False)."""
    await pilot.press("r")
    await wait_until(pilot, lambda: any(w.group == "refresh" for w in workers))
    refresh = next(w for w in workers if w.group == "refresh")
    await wait_until(pilot, lambda: refresh.is_finished, seconds=REFRESH_TIMEOUT_S)
    await pilot.pause()
    return refresh


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Each worker-process pool the refresh started, or the exception its start raised."""
    started: list[object] = []
    original = refresh_module._start_pool

    def recording(*args: Any) -> Executor:
        try:
            pool = original(*args)
        except BaseException as exc:
            started.append(exc)
            raise
        started.append(pool)
        return pool

    monkeypatch.setattr(refresh_module, "_start_pool", recording)
    return started


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> list[Worker[object]]:
    """Every worker the app starts: a worker with exit_on_error=False fails silently."""
    started: list[Worker[object]] = []
    original = WorkerManager.add_worker

    def recording(
        self: WorkerManager, worker: Worker[object], *args: object, **kwargs: object
    ) -> None:
        started.append(worker)
        original(self, worker, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(WorkerManager, "add_worker", recording)
    return started


async def test_the_whole_corpus_through_the_news_screen(
    offline_workspace: Workspace, workers: list[Worker[object]], pools: list[object]
) -> None:
    files = corpus_files()
    assert len(files) == 257  # as test_parse_corpus counts them (PROVENANCE.txt)
    news = offline_workspace.news
    before = {a.title for a in news.articles()}  # the sample articles
    with FeedServer() as server:
        expected: dict[str, tuple[str, str]] = {}
        titles = set(before)
        for relative in files:
            body, content_type = serve(server, relative)
            state, reason, entry_titles = expected_outcome(body, content_type, server.url(relative))
            expected[relative] = (state, reason)
            titles |= entry_titles
        # The same files refused as the adapter test refuses them, and no more.
        assert {r: why for r, (state, why) in expected.items() if state == "failed"} == NOT_FEEDS
        news.add_feeds([(relative, server.url(relative)) for relative in files])

        app = GpwatchApp(offline_workspace)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_screen(pilot, "3", NewsScreen)
            refresh = await press_until_refreshed(pilot, workers)
            assert app.is_running
            assert refresh.state == WorkerState.SUCCESS, repr(refresh.error)
            # Parsed in worker processes, as a user's refresh is, not in the fallback thread.
            assert len(pools) == 1 and isinstance(pools[0], ProcessPoolExecutor), pools

            # Every feed ended ok or failed with a short reason; each as parse_feed says.
            feeds = {feed.title: feed for feed in news.feeds()}
            assert sorted(feeds) == files
            for relative, feed in feeds.items():
                assert feed.state in ("ok", "not modified", "failed"), (relative, feed.state)
                if feed.state == "failed":
                    assert 0 < len(feed.reason) <= SHORT_REASON, (relative, feed.reason)
                    assert not any(w in feed.reason for w in NOT_A_REASON), (relative, feed.reason)
            ended = {relative: (feed.state, feed.reason) for relative, feed in feeds.items()}
            assert ended == expected
            ok = sum(state == "ok" for state, _ in expected.values())
            messages = [n.message for n in app._notifications]
            summary = f"{len(files)} feeds: {ok} ok, 0 not modified, {len(files) - ok} failed;"
            assert any(m.startswith(summary) for m in messages), messages

            # The feed list says it too, in plain text.
            options = screen.query_one("#news-feeds", OptionList)
            labels = [
                str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
            ]
            for label in labels:
                assert_clean(label.replace("\n", " "), "feed list")
            for relative in NOT_FEEDS:
                assert any(
                    label.startswith(f"{relative} (") and "failed: not a feed" in label
                    for label in labels
                ), relative

            # Walk the article list and open some articles in the reader.
            table = screen.query_one("#news-articles", ArticleTable)
            assert table.row_count == 40  # the newest first; more as the cursor gets there
            total = len(news.articles())
            assert total > 100  # not vacuous: the corpus's articles and the sample's
            opened = 0
            while table.cursor_row < total - 1:
                table.focus()  # enter leaves the focus in the reader
                if table.cursor_row % 20 == 0 and opened <= table.cursor_row // 20:
                    await pilot.press("enter")
                    opened += 1
                else:
                    row = table.cursor_row
                    await pilot.press("down")
                    assert table.cursor_row == row + 1, "the cursor did not move"
                assert app.is_running
                assert_clean(reader_text(screen), "reader", FORBIDDEN_IN_READER)
                for line in shown_lines(table):
                    assert_clean(line, "article list")
            await wait_until(pilot, lambda: all(w.is_finished for w in workers))
            assert app.is_running
            assert opened > 5
            assert table.row_count == total  # every article paged in by walking down
            for i in range(table.row_count):
                cells = table.get_row_at(i).cells
                for cell in cells:
                    assert_clean(cell, f"row {i}")
                assert cells[3] in titles, cells[3]
            failed = [w for w in workers if w.state == WorkerState.ERROR]
            assert not failed, [(w.name, w.error) for w in failed]
            errors = [n.message for n in app._notifications if n.severity == "error"]
            assert not errors, errors
