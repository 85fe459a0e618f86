"""A whole refresh against a real loopback server: fetch, parse, tag, dedupe, one write."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.news.cache import FeedUpdate, NewsCache, PruneSettings
from adapters.news.fetch import FetchSettings
from adapters.news.models import Article, feed_address, is_feed_address
from adapters.news.refresh import FeedOutcome, make_pool, refresh_feeds, warm_up
from adapters.news.topics import DEFAULT_RULES, TopicRules
from adapters.validation import ValidationError
from tests.feed_server import FeedServer

FEEDS = Path(__file__).resolve().parents[2] / "data" / "feeds" / "refresh"
REPO = Path(__file__).resolve().parents[3]
FAST = FetchSettings(concurrency=4, total_timeout=5.0)


@pytest.fixture
def cache(tmp_path: Path) -> NewsCache:
    return NewsCache(tmp_path)


class Asked(list[str]):
    """Rules and names callables for refresh_feeds that note when they are called."""

    def __init__(self, names: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self._names = [("campaign:3", "Support Your Surgery")] if names is None else names

    def rules(self) -> TopicRules:
        self.append("rules")
        return DEFAULT_RULES

    def names(self) -> list[tuple[str, str]]:
        self.append("names")
        return self._names


async def refresh(cache: NewsCache, **kwargs: object) -> tuple[object, list[FeedOutcome]]:
    seen: list[FeedOutcome] = []
    kwargs.setdefault("prune", PruneSettings(max_age_days=100 * 365))  # fixtures: 2017 on
    report = await refresh_feeds(
        cache,
        rules=DEFAULT_RULES,
        names=[("campaign:3", "Support Your Surgery")],
        settings=FAST,
        on_progress=lambda outcome, done, total: seen.append(outcome),
        **kwargs,  # type: ignore[arg-type]
    )
    return report, seen


async def test_first_refresh_stores_tagged_articles(cache: NewsCache, server: FeedServer) -> None:
    cache.add_feeds(
        [("GP news", server.url("/pulse-like.rss")), ("Dept", server.url("/gov-like.atom"))]
    )
    report, seen = await refresh(cache)
    assert [o.state for o in report.outcomes] == ["ok", "ok"]
    # The atom item shares a link with an RSS item but has its own guid: kept.
    assert [o.new for o in report.outcomes] == [3, 2]
    assert len(seen) == 2
    by_title = {a.title: a for a in cache.articles()}
    lmcs = by_title["LMCs urge BMA GP leads to restore dialogue with NHS England"]
    assert lmcs.published == datetime(2021, 9, 2, 9, 30, tzinfo=UTC)
    assert "LMC" in lmcs.tags and "BMA/GPC" in lmcs.tags
    assert lmcs.mentions == ("campaign:3",)
    assert "Nine LMCs wrote to BMA GPC." in lmcs.summary
    assert by_title["Practice closes its list"].link == ""  # javascript: dropped
    assert all(a.unread for a in cache.articles())
    feeds = cache.feeds()
    assert [f.state for f in feeds] == ["ok", "ok"]
    assert all(f.etag for f in feeds)


async def test_second_refresh_is_conditional_and_adds_nothing(
    cache: NewsCache, server: FeedServer
) -> None:
    cache.add_feeds([("GP news", server.url("/pulse-like.rss"))])
    await refresh(cache)
    server.reset_stats()
    report, _ = await refresh(cache)
    assert [o.state for o in report.outcomes] == ["not modified"]
    (request,) = server.requests_to("/pulse-like.rss")
    assert request.headers.get("if-none-match")
    assert request.status == 304
    assert len(cache.articles()) == 3


async def test_a_refresh_with_nothing_new_rewrites_only_feeds_json(
    cache: NewsCache, server: FeedServer
) -> None:
    cache.add_feeds([("GP news", server.url("/pulse-like.rss"))])
    await refresh(cache)
    news_before = cache.path.read_bytes(), cache.path.stat().st_ino
    feeds_before = cache.feeds_path.read_bytes()
    await refresh(cache)
    assert (cache.path.read_bytes(), cache.path.stat().st_ino) == news_before
    assert cache.feeds_path.read_bytes() != feeds_before  # the feed's state and fetch time
    assert cache.feeds()[0].state == "not modified"


async def test_changed_feed_adds_only_new_items(
    cache: NewsCache, server: FeedServer, tmp_path: Path
) -> None:
    original = (FEEDS / "pulse-like.rss").read_bytes()
    server.route("/feed", body=original, etag='"v1"')
    (feed,), _ = cache.add_feeds([("GP news", server.url("/feed"))])
    await refresh(cache)
    cache.set_flags([a.id for a in cache.articles() if a.id is not None], unread=False)
    extra = original.replace(
        b"<item>",
        b"<item><title>New item</title><guid>gp-3</guid>"
        b"<pubDate>Wed, 02 Oct 2024 08:00:00 GMT</pubDate></item><item>",
        1,
    )
    server.route("/feed", body=extra, etag='"v2"')
    report, _ = await refresh(cache)
    assert report.outcomes[0].new == 1
    assert [a.title for a in cache.articles() if a.unread] == ["New item"]
    assert cache.feed(feed.id or 0).etag == '"v2"'  # type: ignore[union-attr]


async def test_each_feed_ends_with_its_own_status(cache: NewsCache, server: FeedServer) -> None:
    server.route("/broken", status=503, body=b"busy")
    cache.add_feeds(
        [
            ("Good", server.url("/pulse-like.rss")),
            ("Busy", server.url("/broken")),
            ("Web page", server.url("/not-a-feed.html")),
            ("Missing", server.url("/nowhere.xml")),
        ]
    )
    report, _ = await refresh(cache)
    described = {o.title: o.describe() for o in report.outcomes}
    assert described == {
        "Good": "ok (3 new)",
        "Busy": "failed: HTTP 503",
        "Web page": "failed: not a feed",
        "Missing": "failed: HTTP 404",
    }
    assert {f.title: f.reason for f in cache.feeds()}["Busy"] == "HTTP 503"
    assert "3 new articles" in report.summary()


async def test_disabled_feeds_are_not_fetched(cache: NewsCache, server: FeedServer) -> None:
    (feed,), _ = cache.add_feeds([("GP news", server.url("/pulse-like.rss"))])
    cache.set_feed_enabled(feed.id or 0, False)
    report, _ = await refresh(cache)
    assert report.outcomes == []
    assert server.requests == []


async def test_pruning_keeps_starred_and_newest(cache: NewsCache, server: FeedServer) -> None:
    cache.add_feeds([("GP news", server.url("/pulse-like.rss"))])
    await refresh(cache)
    oldest = min(cache.articles(), key=lambda a: a.published)
    cache.set_flags([oldest.id or 0], starred=True)
    news_before = cache.path.read_bytes()
    # A refresh with nothing new leaves news.json alone, pruning included...
    await refresh(cache, prune=PruneSettings(max_age_days=100 * 365, max_per_feed=1))
    assert cache.path.read_bytes() == news_before
    # ...and pruning on demand applies the settings.
    pruned = cache.prune(PruneSettings(max_age_days=100 * 365, max_per_feed=1), datetime.now(UTC))
    kept = {a.title for a in cache.articles()}
    assert oldest.title in kept  # starred
    assert "Practice closes its list" in kept  # the newest
    assert pruned == 1


async def test_many_feeds_go_through_the_process_pool(cache: NewsCache, server: FeedServer) -> None:
    body = (FEEDS / "pulse-like.rss").read_bytes()
    for n in range(6):
        server.route(f"/f{n}", body=body.replace(b"gp-", f"f{n}-".encode()))
    cache.add_feeds([(f"Feed {n}", server.url(f"/f{n}")) for n in range(6)])
    pools: list[object] = []

    def counting_pool() -> Executor:
        pool = make_pool()
        pools.append(pool)
        return pool

    report, seen = await refresh(cache, pool_factory=counting_pool)
    assert len(pools) == 1, "six bodies must be parsed in worker processes"
    assert [o.state for o in report.outcomes] == ["ok"] * 6
    assert report.new_total == 6 * 3  # own guids: all new in every feed
    assert len(seen) == 6


async def test_without_a_pool_every_feed_is_parsed_in_a_thread(
    cache: NewsCache, server: FeedServer
) -> None:
    """Worker processes may be refused (limits, a sandbox): slower, but nothing is lost."""
    body = (FEEDS / "pulse-like.rss").read_bytes()
    for n in range(6):
        server.route(f"/f{n}", body=body.replace(b"gp-", f"f{n}-".encode()))
    cache.add_feeds([(f"Feed {n}", server.url(f"/f{n}")) for n in range(6)])
    tries: list[str] = []

    def no_pool() -> Executor:
        tries.append("pool")
        raise OSError("no processes allowed")

    report, _ = await refresh(cache, pool_factory=no_pool)
    assert [o.describe() for o in report.outcomes] == ["ok (3 new)"] * 6
    assert tries == ["pool"]  # refused once: not asked again for every batch


@pytest.mark.parametrize("start_s", [0.0, 0.5])
async def test_a_pool_that_breaks_mid_refresh_leaves_the_rest_to_a_thread(
    cache: NewsCache, server: FeedServer, start_s: float
) -> None:
    """Broken at its first job; with a slow start (a forkserver takes ~0.4 s) the
    bodies are waiting for it by then, and went missing once ("no result")."""
    body = (FEEDS / "pulse-like.rss").read_bytes()
    for n in range(6):
        server.route(f"/f{n}", body=body.replace(b"gp-", f"f{n}-".encode()))
    cache.add_feeds([(f"Feed {n}", server.url(f"/f{n}")) for n in range(6)])

    class BrokenPool(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def,override]
            if fn is not warm_up:
                raise BrokenProcessPool("a worker died")
            return super().submit(fn, *args, **kwargs)

    def slow_broken_pool() -> Executor:
        time.sleep(start_s)  # in _start_pool's thread, as a real pool's start
        return BrokenPool(max_workers=1)

    report, _ = await refresh(cache, pool_factory=slow_broken_pool)
    assert [o.describe() for o in report.outcomes] == ["ok (3 new)"] * 6


def test_the_resource_tracker_starts_under_a_capturing_stderr() -> None:
    """Textual swaps sys.stderr for an object whose fileno() is -1. multiprocessing's
    resource tracker hands that number to its child and failed to start ("bad value(s)
    in fds_to_keep"), so every worker did too: a refresh from the News screen failed
    all feeds but two. A fresh process, as the tracker starts once per process."""
    code = textwrap.dedent(
        """
        import io, sys
        from concurrent.futures import ProcessPoolExecutor

        class Captured(io.StringIO):
            def fileno(self):
                return -1

        sys.stderr = Captured()
        from adapters.news.refresh import _start_pool, make_pool, parse_job
        import threading
        pool = _start_pool(make_pool, threading.Event())
        print(pool.submit(sum, [1, 2]).result(timeout=60))
        import warnings
        pool.submit(warnings.warn, "printed across the TUI").result(timeout=60)
        pool.shutdown()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3"
    assert "printed across the TUI" not in done.stderr  # workers keep warnings to themselves


def test_dedupe_rules_guid_then_link_then_title_and_date(cache: NewsCache) -> None:
    (feed,), _ = cache.add_feeds([("F", "https://example.org/f")])
    other, _ = cache.add_feeds([("G", "https://example.org/g")])
    now = datetime(2025, 1, 1, tzinfo=UTC)

    def art(feed_id: int, key: str, link: str = "", title: str = "t") -> Article:
        return Article(feed_id, key, title, link, "", now, now)

    fid, gid = feed.id or 0, other[0].id or 0
    added = cache.add_articles(
        [
            art(fid, "guid:a", "https://e.org/same"),
            art(fid, "guid:b", "https://e.org/same"),  # own guid: kept
            art(fid, "guid:a", "https://e.org/other"),  # same guid: dupe
            art(gid, "link:https://e.org/same", "https://e.org/same"),  # no guid, known link
            art(gid, "title:x", title="x"),
            art(gid, "title:x", title="x"),  # same title and date
        ]
    )
    assert added == 3
    ids_before = {a.id for a in cache.articles()}
    cache.remove_feed(gid)
    cache.add_articles([art(fid, "guid:c")])
    assert max(a.id or 0 for a in cache.articles()) > max(i or 0 for i in ids_before)


def test_articles_of_a_feed_removed_mid_refresh_are_not_stored(cache: NewsCache) -> None:
    (feed,), _ = cache.add_feeds([("F", "https://example.org/f")])
    now = datetime(2025, 1, 1, tzinfo=UTC)
    cache.remove_feed(feed.id or 0)
    update = FeedUpdate(
        feed.id or 0, "ok", articles=[Article(feed.id or 0, "guid:z", "t", "", "", now, now)]
    )
    assert cache.merge([update], now=now).new_total == 0
    assert cache.articles() == []


def test_links_are_never_anything_but_http(cache: NewsCache) -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    article = Article(0, "k", "t", "javascript:alert(1)", "", now, now)
    assert article.link == ""


async def test_a_refresh_with_nothing_new_loads_no_rules_names_or_pool(
    cache: NewsCache, server: FeedServer
) -> None:
    """All 304: nothing to tag, so the rules and names callables and the pool are never used."""
    cache.add_feeds([("GP news", server.url("/pulse-like.rss"))])
    await refresh(cache)
    asked = Asked(names=[])
    rules, names = asked.rules, asked.names

    def no_pool() -> Executor:
        asked.append("pool")
        raise AssertionError("no pool for 304s")

    report = await refresh_feeds(
        cache, rules=rules, names=names, settings=FAST, pool_factory=no_pool
    )
    assert [o.state for o in report.outcomes] == ["not modified"]
    assert asked == []


async def test_rules_and_names_callables_are_called_once_for_many_bodies(
    cache: NewsCache, server: FeedServer
) -> None:
    cache.add_feeds(
        [("GP news", server.url("/pulse-like.rss")), ("Dept", server.url("/gov-like.atom"))]
    )
    asked = Asked()
    rules, names = asked.rules, asked.names

    report = await refresh_feeds(
        cache, rules=rules, names=names, settings=FAST, prune=PruneSettings(max_age_days=36500)
    )
    assert [o.state for o in report.outcomes] == ["ok", "ok"]
    assert sorted(asked) == ["names", "rules"]
    by_title = {a.title: a for a in cache.articles()}
    lmcs = by_title["LMCs urge BMA GP leads to restore dialogue with NHS England"]
    assert "LMC" in lmcs.tags and lmcs.mentions == ("campaign:3",)


def test_a_refresh_with_nothing_new_imports_no_parser(
    cache: NewsCache, server: FeedServer, tmp_path: Path
) -> None:
    """The 304 path must not pay for feedparser, fastfeedparser, lxml or multiprocessing."""
    import asyncio
    import subprocess
    import sys

    cache.add_feeds([("GP news", server.url("/pulse-like.rss"))])
    asyncio.run(refresh(cache))
    code = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from adapters.news.cache import NewsCache\n"
        "from adapters.news.refresh import refresh_feeds\n"
        "def fail():\n"
        "    raise AssertionError('rules asked for')\n"
        f"cache = NewsCache(Path({str(tmp_path)!r}))\n"
        "report = asyncio.run(refresh_feeds(cache, rules=fail, names=fail))\n"
        "assert [o.state for o in report.outcomes] == ['not modified'], report\n"
        "heavy = ('feedparser', 'fastfeedparser', 'lxml', 'multiprocessing',\n"
        "         'adapters.news.parse', 'adapters.news.topics', 'httpcore', 'certifi')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


async def test_the_pool_starts_early_in_a_thread_for_never_fetched_feeds(
    cache: NewsCache, server: FeedServer
) -> None:
    """Feeds with no validator will send bodies: the pool starts before any arrives,
    off the event loop (a forkserver worker's start waits ~0.4 s for the parsers)."""
    import threading

    cache.add_feeds([(f"Gone {n}", server.url(f"/missing-{n}.xml")) for n in range(3)])
    threads: list[bool] = []

    def pool_in_a_thread() -> Executor:
        threads.append(threading.current_thread() is threading.main_thread())
        return make_pool()

    report, _ = await refresh(cache, pool_factory=pool_in_a_thread)
    assert [o.reason for o in report.outcomes] == ["HTTP 404"] * 3
    assert threads == [False]  # started once, for bodies that never came, not on the loop


async def test_without_keeping_the_view_the_articles_are_read_back_when_asked(
    cache: NewsCache, server: FeedServer
) -> None:
    cache.add_feeds([("GP news", server.url("/pulse-like.rss"))])
    report, _ = await refresh(cache, keep_view=False)
    assert report.new_total == 3
    assert len(cache.articles()) == 3
    assert NewsCache(cache.path.parent).articles() == cache.articles()


async def test_validators_sent_with_a_304_are_kept_for_next_time(
    cache: NewsCache, server: FeedServer
) -> None:
    body = (FEEDS / "pulse-like.rss").read_bytes()
    server.route("/f", body=body, etag='"v1"', last_modified="Mon, 02 Nov 2026 10:00:00 GMT")
    (feed,), _ = cache.add_feeds([("F", server.url("/f"))])
    await refresh(cache)
    stored = cache.feed(feed.id or 0)
    assert stored is not None and stored.etag == '"v1"'

    # The server moved on to a new validator but still says 304 (RFC 9110 allows it).
    server.route("/f", status=304, etag='"v2"', last_modified="Tue, 03 Nov 2026 10:00:00 GMT")
    report, _ = await refresh(cache)
    assert [o.state for o in report.outcomes] == ["not modified"]  # type: ignore[attr-defined]
    stored = cache.feed(feed.id or 0)
    assert stored is not None
    assert (stored.etag, stored.last_modified) == ('"v2"', "Tue, 03 Nov 2026 10:00:00 GMT")

    # A 304 with no validators at all keeps the ones the feed had.
    server.route("/f", status=304)
    await refresh(cache)
    stored = cache.feed(feed.id or 0)
    assert stored is not None
    assert (stored.etag, stored.last_modified) == ('"v2"', "Tue, 03 Nov 2026 10:00:00 GMT")


async def test_retagging_follows_the_rules_not_the_files_stamp(
    cache: NewsCache, server: FeedServer
) -> None:
    """A new stamp with the same rules rewrites nothing; the same stamp reads no rules."""
    cache.add_feeds([("GP news", server.url("/pulse-like.rss"))])
    await refresh(cache, tagging_stamp="v1")
    asked = Asked()
    rules, names = asked.rules, asked.names

    news_json = cache.path.stat().st_mtime_ns
    for stamp in ("v1", "v2"):  # same files; touched files, same content
        await refresh_feeds(cache, rules=rules, names=names, settings=FAST, tagging_stamp=stamp)
        assert cache.path.stat().st_mtime_ns == news_json
    assert asked == ["rules", "names"]  # only for v2, to find they had not changed
    assert cache.tagging()["stamp"] == "v2"

    extended = TopicRules((*DEFAULT_RULES.rules, ("closures", ("closes",))))
    report = await refresh_feeds(cache, rules=extended, settings=FAST, tagging_stamp="v3")
    assert [o.state for o in report.outcomes] == ["not modified"]
    tagged = {a.title: a.tags for a in cache.articles()}
    assert "closures" in tagged["Practice closes its list"]
    assert cache.path.stat().st_mtime_ns != news_json


@pytest.mark.parametrize(
    ("written", "address"),
    [
        ("HTTP://Example.ORG/feed.xml", "http://example.org/feed.xml"),
        ("http://example.org:80/feed.xml#latest", "http://example.org/feed.xml"),
        ("https://example.org:443", "https://example.org/"),
        ("https://example.org:8443/a/B?x=1&Y=2", "https://example.org:8443/a/B?x=1&Y=2"),
        ("http://user:pw@Example.org/f", "http://user:pw@example.org/f"),
        ("http://[::1]:8080/f", "http://[::1]:8080/f"),
        ("http://[v1.fe]/f", "http://[v1.fe]/f"),
        ("http://@Example.org/f", "http://example.org/f"),
        ("http://example.org:0080?q=1", "http://example.org/?q=1"),
        ("  http://example.org/f  ", "http://example.org/f"),
    ],
)
def test_one_spelling_of_a_feed_address(written: str, address: str) -> None:
    assert is_feed_address(written.strip())
    assert feed_address(written) == address


@pytest.mark.parametrize(
    "bad",
    ["http://exa mple.com/x", "http:///nohost", "ftp://example.org/f", "http://e.org:99999/"],
)
def test_addresses_that_are_not_feeds(cache: NewsCache, bad: str) -> None:
    assert not is_feed_address(bad)
    with pytest.raises(ValidationError, match="not an http"):
        cache.add_feed("Bad", bad)
    assert cache.feeds() == []


def test_one_feed_in_two_spellings_is_subscribed_once(cache: NewsCache) -> None:
    """Each copy would store every story again under its own feed."""
    feed = cache.add_feed("GP", "http://example.org/ok.rss")
    for spelling in ("HTTP://EXAMPLE.org/ok.rss", "http://example.org:80/ok.rss#frag"):
        with pytest.raises(ValidationError, match=f"already subscribed as feed {feed.id}"):
            cache.add_feed("Again", spelling)
    added, known = cache.add_feeds(
        [("Dup", "http://Example.org/ok.rss#x"), ("New", "HTTPS://Example.org/other")]
    )
    assert known == 1
    assert [f.url for f in added] == ["https://example.org/other"]
    assert [f.url for f in cache.feeds()] == ["http://example.org/ok.rss", added[0].url]


def test_flags_patch_the_view_in_place_unless_another_process_wrote(tmp_path: Path) -> None:
    """Starring one of 100k articles rebuilt all 100k, and the screen's search index."""
    cache = NewsCache(tmp_path)
    now = datetime(2025, 1, 1, tzinfo=UTC)
    cache.add_articles([Article(0, f"guid:{n}", f"Story {n}", "", "", now, now) for n in range(50)])
    view = cache.articles()
    target = view[7]
    cache.set_flags([target.id or 0], starred=True, unread=False)
    assert cache.articles() is view  # the same list: an index over it stays valid
    patched = view[7]
    assert (patched.id, patched.starred, patched.unread) == (target.id, True, False)
    assert [(a.id, a.starred, a.unread) for a in NewsCache(tmp_path).articles()] == [
        (a.id, a.starred, a.unread) for a in view
    ]

    # Another process wrote meanwhile: the view is read again, with both changes.
    other = NewsCache(tmp_path)
    other.set_flags([view[0].id or 0], starred=True)
    cache.set_flags([view[1].id or 0], starred=True)
    fresh = cache.articles()
    assert fresh is not view
    assert [a.starred for a in fresh[:2]] == [True, True]
