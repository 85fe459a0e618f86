"""The News screen driven by keys, refreshing from a real loopback server."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from adapters.news.models import Article
from adapters.workspace import Workspace
from tests.conftest import REFRESH_FEEDS
from tests.feed_server import FeedServer
from tests.tui.pilot_helpers import open_screen, wait_until
from tui.app import GpwatchApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.feed_form import FeedFormScreen
from tui.screens.news import ROW_LIMIT, NewsScreen
from tui.widgets.article_table import ArticleTable

SIZE = (120, 36)
REPO = Path(__file__).resolve().parents[2]
HOSTILE = "[bold red]x[/] [@click=app.quit]y[/] \x1b[31mred\x1b[0m \u202eevil"


def stored(workspace: Workspace, key: str) -> Article:
    return {a.key: a for a in workspace.news.articles()}[key]


async def open_news(pilot: Pilot[None]) -> NewsScreen:
    return await open_screen(pilot, "3", NewsScreen)


def table_titles(screen: NewsScreen) -> list[str]:
    table = screen.query_one("#news-articles", ArticleTable)
    return [table.get_row_at(i).cells[3] for i in range(table.row_count)]


async def test_refresh_shows_progress_results_and_new_articles(
    offline_workspace: Workspace, server: FeedServer
) -> None:
    news = offline_workspace.news
    news.add_feeds(
        [
            ("GP news", server.url("/pulse-like.rss")),
            ("Dept", server.url("/gov-like.atom")),
            ("Gone", server.url("/missing.xml")),
        ]
    )
    app = GpwatchApp(offline_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_news(pilot)
        assert len(table_titles(screen)) == 5  # the sample items
        await pilot.press("r")
        await wait_until(pilot, lambda: not screen.refreshing)
        await pilot.pause()
        titles = table_titles(screen)
        assert "LMCs urge BMA GP leads to restore dialogue with NHS England" in titles
        assert len(titles) == 10  # 5 sample items + 3 RSS + 2 Atom (own guids)
        feeds = screen.query_one("#news-feeds", OptionList)
        labels = [str(feeds.get_option_at_index(i).prompt) for i in range(feeds.option_count)]
        assert any("Gone" in label and "failed: HTTP 404" in label for label in labels)
        assert any(label.startswith("GP news") and "ok (3 new) · " in label for label in labels)
        # Sources without a feed are listed, greyed out, not silently missing.
        assert any(label.startswith("BMA") and "no feed" in label for label in labels)
        messages = [n.message for n in app._notifications]
        assert any("5 new articles" in m for m in messages)


async def test_offline_refresh_says_so_and_keeps_the_cache(offline_workspace: Workspace) -> None:
    offline_workspace.news.add_feed("Unreachable", "http://127.0.0.1:9/feed.xml")
    app = GpwatchApp(offline_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_news(pilot)
        await pilot.press("r")
        await wait_until(pilot, lambda: not screen.refreshing)
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Offline") for m in messages)
        assert len(table_titles(screen)) == 5


async def test_filter_as_you_type_and_escape(offline_workspace: Workspace) -> None:
    app = GpwatchApp(offline_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_news(pilot)
        await pilot.press("slash", *"surgery")
        await pilot.pause()
        assert table_titles(screen) == [
            "LMCs urge BMA GP leads to restore dialogue with NHS England"
        ]
        status = str(screen.query_one("#news-status", Static).render())
        assert "1 of 5 articles" in status
        await pilot.press("escape")
        await pilot.pause()
        assert not screen.query_one("#news-filter", Input).has_class("-open")
        assert len(table_titles(screen)) == 5


async def test_many_matches_paint_a_page_count_later_and_page_in_more(
    offline_workspace: Workspace,
) -> None:
    now = datetime(2026, 11, 23, tzinfo=UTC)
    offline_workspace.news.add_articles(
        [
            Article(
                feed_id=0,
                key=f"guid:{n}",
                title=f"Practice story {n}" + (" about recruitment" if n % 2 else ""),
                link="",
                summary="",
                published=now,
                fetched=now,
            )
            for n in range(50_000)
        ]
    )
    app = GpwatchApp(offline_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_news(pilot)
        await pilot.press("slash", *"recruitment")
        status = screen.query_one("#news-status", Static)
        # The count arrives in steps between keystrokes, and ends exact.
        await wait_until(pilot, lambda: "(counting)" not in str(status.render()))
        expected = sum(
            "recruitment" in f"{a.title}\n{a.summary}".lower()
            for a in offline_workspace.news.articles()
        )
        assert expected > 25_000  # ours, and a sample article's
        assert str(status.render()).startswith(f"{expected} of 50005 articles")
        table = screen.query_one("#news-articles", ArticleTable)
        assert table.row_count == ROW_LIMIT
        table.focus()
        await pilot.press(*["down"] * (ROW_LIMIT - 1))
        await wait_until(pilot, lambda: table.row_count == 2 * ROW_LIMIT)
        assert all("recruitment" in title for title in table_titles(screen))


async def test_topic_star_and_read_flags_are_saved(offline_workspace: Workspace) -> None:
    app = GpwatchApp(offline_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_news(pilot)
        first = screen.current()
        assert first is not None and first.unread and not first.starred
        await pilot.press("s")
        await wait_until(pilot, lambda: stored(offline_workspace, first.key).starred)
        await pilot.press("m")
        await wait_until(pilot, lambda: not stored(offline_workspace, first.key).unread)
        await pilot.press("t")
        await pilot.pause()
        topic = screen.filters.topic
        assert topic is not None
        assert all(topic in a.tags for a in screen.matching())


async def test_enter_marks_read_and_shows_the_reader(offline_workspace: Workspace) -> None:
    app = GpwatchApp(offline_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_news(pilot)
        article = screen.current()
        assert article is not None
        await pilot.press("enter")
        await wait_until(pilot, lambda: not stored(offline_workspace, article.key).unread)
        reader = str(screen.query_one("#news-reader-text", Static).render())
        assert article.title in reader


async def test_hostile_titles_are_shown_literally(offline_workspace: Workspace) -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)  # newest, so it is the first row
    offline_workspace.news.add_articles(
        [
            Article(
                feed_id=0,
                key="hostile",
                title=HOSTILE,
                link="javascript:alert(1)",
                summary="[link=file:///etc/passwd]click[/link]",
                published=now,
                fetched=now,
            )
        ]
    )
    app = GpwatchApp(offline_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_news(pilot)
        row = screen.query_one("#news-articles", ArticleTable).get_row_at(0)
        assert row.cells[3] == "[bold red]x[/] [@click=app.quit]y[/] red evil"
        assert row.strong  # unread: bold by our style, never by the text's markup
        await pilot.click("#news-articles", offset=(40, 1))
        await pilot.click("#news-reader-text", offset=(2, 0))
        await pilot.pause()
        assert app.is_running
        reader = str(screen.query_one("#news-reader-text", Static).render())
        assert "[link=file:///etc/passwd]click[/link]" in reader
        assert "javascript" not in reader and "(no web address)" in reader
        await pilot.press("o")  # the javascript: link was dropped on the way in
        await pilot.pause()
        assert any("no web address" in n.message for n in app._notifications)


async def test_add_rename_disable_and_remove_a_feed(offline_workspace: Workspace) -> None:
    news = offline_workspace.news
    app = GpwatchApp(offline_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_news(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, FeedFormScreen))
        await pilot.press(*"ftp://nope", "enter")
        await pilot.pause()
        error = str(app.screen.query_one("#feed-url-error", Static).render())
        assert "http:// or https://" in error
        app.screen.query_one("#feed-url", Input).value = "https://example.org/feed.xml"
        await pilot.press("tab", *"Example", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, NewsScreen))
        (feed,) = news.feeds()
        assert (feed.title, feed.url) == ("Example", "https://example.org/feed.xml")

        feeds = app.screen.query_one("#news-feeds", OptionList)
        feeds.focus()
        feeds.highlighted = 1
        await pilot.press("x")
        await pilot.pause()
        assert news.feed(feed.id or 0).enabled is False  # type: ignore[union-attr]

        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, FeedFormScreen))
        app.screen.query_one("#feed-title", Input).value = "Renamed"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, NewsScreen))
        assert news.feed(feed.id or 0).title == "Renamed"  # type: ignore[union-attr]

        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # changed our mind: nothing removed
        await wait_until(pilot, lambda: isinstance(app.screen, NewsScreen))
        assert len(news.feeds()) == 1
        feeds.highlighted = 1
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, NewsScreen))
        assert news.feeds() == []


async def test_a_large_cache_is_read_in_the_background_while_keys_work(
    offline_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from tui.screens import news as news_screen

    monkeypatch.setattr(news_screen, "LARGE_READ_BYTES", 0)  # every cache counts as large
    reopened = Workspace.open(offline_workspace.data_dir)  # nothing read from news.json yet
    release = threading.Event()
    original = type(reopened.news).articles

    def slow_articles(self):  # type: ignore[no-untyped-def]
        release.wait(10)
        return original(self)

    monkeypatch.setattr(type(reopened.news), "articles", slow_articles)
    app = GpwatchApp(reopened)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await wait_until(pilot, lambda: isinstance(app.screen, NewsScreen))
        screen = app.screen
        await wait_until(pilot, lambda: "Reading" in str(screen.query_one("#news-status").render()))
        assert screen.query_one("#news-articles", ArticleTable).loading
        release.set()
        await wait_until(pilot, lambda: len(table_titles(screen)) == 5)
        assert not screen.query_one("#news-articles", ArticleTable).loading


def many_articles(count: int, feed_id: int = 0) -> list[Article]:
    """``count`` articles newer than the sample's, newest first (story 0 is the newest)."""
    start = datetime(2030, 1, 1, tzinfo=UTC)
    return [
        Article(
            feed_id=feed_id,
            key=f"guid:{feed_id}:{n}",
            title=f"Story {n}",
            link="",
            summary="about recruitment" if n % 2 == 0 else "about retention",
            published=start - timedelta(minutes=n),
            fetched=start,
        )
        for n in range(count)
    ]


async def test_star_past_the_first_page_keeps_the_rows_and_the_article(
    offline_workspace: Workspace,
) -> None:
    """s or m reloads the cache: the rows paged in stay, and so does the cursor's article."""
    offline_workspace.news.add_articles(many_articles(200))
    app = GpwatchApp(offline_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_news(pilot)
        table = screen.query_one("#news-articles", ArticleTable)
        await pilot.press(*["down"] * (ROW_LIMIT + 5))
        await wait_until(pilot, lambda: table.row_count == 2 * ROW_LIMIT)
        article = screen.current()
        assert article is not None and article.title == f"Story {ROW_LIMIT + 5}"
        await pilot.press("s")
        await wait_until(pilot, lambda: stored(offline_workspace, article.key).starred)
        await wait_until(pilot, lambda: (screen.current() or article).starred)
        assert table.row_count == 2 * ROW_LIMIT
        current = screen.current()
        assert current is not None and current.key == article.key
        assert table.get_row_at(table.cursor_row).cells[0].startswith("★")


async def test_a_filter_that_keeps_the_cursor_on_the_last_row_still_pages_in(
    offline_workspace: Workspace,
) -> None:
    """set_rows under a cursor on the last row says so: more rows follow, keys go on."""
    offline_workspace.news.add_articles(many_articles(200))
    app = GpwatchApp(offline_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_news(pilot)
        table = screen.query_one("#news-articles", ArticleTable)
        await pilot.press(*["down"] * (ROW_LIMIT - 1))
        await wait_until(pilot, lambda: table.row_count == 2 * ROW_LIMIT)
        await pilot.press("slash", *"recruitment")  # 100 match: a first page of 40
        await wait_until(pilot, lambda: table.cursor_row == ROW_LIMIT - 1)
        await wait_until(pilot, lambda: table.row_count == 2 * ROW_LIMIT)
        table.focus()
        await pilot.press("down", "down")
        await pilot.pause()
        assert table.cursor_row == ROW_LIMIT + 1
        assert all("Story" in title for title in table_titles(screen))


async def test_renaming_a_feed_renames_its_rows(offline_workspace: Workspace) -> None:
    """A rename changes feeds.json only: the same Article objects, other rows."""
    news = offline_workspace.news
    feed = news.add_feed("Alpha feed", "https://example.org/alpha.xml")
    assert feed.id is not None
    news.add_articles(many_articles(3, feed_id=feed.id))
    app = GpwatchApp(offline_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_news(pilot)
        table = screen.query_one("#news-articles", ArticleTable)
        assert table.get_row_at(0).cells[2] == "Alpha feed"
        feed_id = feed.id
        screen._change_feed(lambda: news.rename_feed(feed_id, "Renamed feed"))
        await pilot.pause()
        assert table.get_row_at(0).cells[2] == "Renamed feed"


NEWS_SCREEN_REFRESH = """
import asyncio, sys
from pathlib import Path
from adapters.workspace import Workspace
from tui.app import GpwatchApp
from tui.screens.news import NewsScreen

async def main():
    app = GpwatchApp(Workspace.open(Path(sys.argv[1])))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        while not isinstance(app.screen, NewsScreen):
            await pilot.pause(0.05)
        screen = app.screen
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause(0.2)
        while screen.refreshing:
            await pilot.pause(0.05)
    for feed in Workspace.open(Path(sys.argv[1])).news.feeds():
        print(feed.title, "|", feed.state, "|", feed.reason)
    from multiprocessing import forkserver
    print("worker processes started:", forkserver._forkserver._forkserver_pid is not None)

asyncio.run(main())
"""


def test_refresh_from_the_screen_parses_many_feeds_in_worker_processes(
    offline_workspace: Workspace, server: FeedServer
) -> None:
    """Enough bodies for the worker processes, in a fresh process as a user runs it.

    Under Textual, stderr has no file descriptor, and the worker processes could not
    start: every feed but two failed "could not start the parser (ValueError)". Only
    a fresh process shows it (multiprocessing starts its helpers once per process).
    """
    body = (REFRESH_FEEDS / "pulse-like.rss").read_bytes()
    for n in range(8):
        server.route(f"/f{n}", body=body.replace(b"gp-", f"f{n}-".encode()))
    offline_workspace.news.add_feeds([(f"Feed {n}", server.url(f"/f{n}")) for n in range(8)])
    done = subprocess.run(
        [sys.executable, "-c", NEWS_SCREEN_REFRESH, str(offline_workspace.data_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    states = [line for line in done.stdout.splitlines() if line.startswith("Feed ")]
    assert states == [f"Feed {n} | ok | " for n in range(8)], done.stdout
    # Not only the fallback (parsing in a thread) at work: the pool itself started.
    assert "worker processes started: True" in done.stdout


async def test_each_feed_result_shows_in_the_feed_list_as_it_lands(
    offline_workspace: Workspace, server: FeedServer
) -> None:
    body = (REFRESH_FEEDS / "pulse-like.rss").read_bytes()
    server.route("/quick", body=body)
    server.route("/slow", body=body.replace(b"gp-", b"slow-"), delay=6.0)
    server.route("/gone", status=503)
    offline_workspace.news.add_feeds(
        [
            ("Quick", server.url("/quick")),
            ("Slow", server.url("/slow")),
            ("Gone", server.url("/gone")),
        ]
    )
    app = GpwatchApp(offline_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_news(pilot)
        feeds = screen.query_one("#news-feeds", OptionList)

        def label(title: str) -> str:
            prompts = (str(feeds.get_option_at_index(i).prompt) for i in range(feeds.option_count))
            return next(p for p in prompts if p.startswith(title))

        await pilot.press("r")
        await wait_until(pilot, lambda: "ok (3 items) · just now" in label("Quick"))
        await wait_until(pilot, lambda: "failed: HTTP 503 · just now" in label("Gone"))
        assert screen.refreshing  # the slow feed is still out: results came as they landed
        assert "never fetched" in label("Slow")
        screen.load()  # as a star or a rename meanwhile reloads the list
        await pilot.pause()
        assert "ok (3 items) · just now" in label("Quick")
        await pilot.press("slash", *"surgery")  # filtering meanwhile keeps the progress
        await pilot.pause()
        status = str(screen.query_one("#news-status", Static).render())
        assert status.startswith("2/3 · ") and "1 of 5 articles · filter: surgery" in status
        await wait_until(pilot, lambda: not screen.refreshing)
        await pilot.pause()
        assert "ok (3 new) · " in label("Slow")  # the merged count once it is known
