"""feeds.json and news.json: which change writes which file, and moving a pre-split data dir."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.news.cache import FEEDS_FILE, NEWS_FILE, NewsCache
from adapters.news.models import Article
from adapters.store import CorruptDataFile

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def article(n: int, feed_id: int) -> Article:
    return Article(
        feed_id=feed_id,
        key=f"guid:{n}",
        title=f"Story {n}",
        link=f"https://example.org/{n}",
        summary="",
        published=NOW,
        fetched=NOW,
    )


def stamp(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_ino


def test_flags_leave_the_feeds_alone_and_feed_edits_leave_news_json_alone(tmp_path: Path) -> None:
    cache = NewsCache(tmp_path)
    (feed,) = cache.add_feeds([("Pulse", "https://example.org/feed")])[0]
    cache.add_articles([article(1, feed.id or 0)])
    (stored,) = cache.articles()
    feeds_before = json.loads(cache.feeds_path.read_text(encoding="utf-8"))["feeds"]
    cache.set_flags([stored.id or 0], unread=False)
    # feeds.json gets only the new summary (1 article, 0 unread), the feeds as they were.
    feeds_after = json.loads(cache.feeds_path.read_text(encoding="utf-8"))
    assert feeds_after["feeds"] == feeds_before
    assert (cache.summary().total, cache.summary().unread) == (1, 0)
    news_before = stamp(cache.path)
    cache.rename_feed(feed.id or 0, "Pulse Today")
    assert stamp(cache.path) == news_before
    # A second process sees both changes.
    other = NewsCache(tmp_path)
    assert other.feeds()[0].title == "Pulse Today"
    assert not other.articles()[0].unread


def legacy_dir(tmp_path: Path) -> Path:
    """A news.json as written before feeds.json existed: feeds, articles and counters."""
    doc = article(1, 7).to_doc()
    legacy = {
        "feeds": {"7": {"title": "Pulse", "url": "https://example.org/feed", "enabled": True}},
        "articles": {"4": doc},
        "meta": {"1": {"next_feeds_id": 9, "next_articles_id": 5}},
    }
    (tmp_path / NEWS_FILE).write_text(json.dumps(legacy), encoding="utf-8")
    return tmp_path


def test_a_pre_split_data_dir_is_moved_keeping_ids_and_counters(tmp_path: Path) -> None:
    cache = NewsCache(legacy_dir(tmp_path))
    (feed,) = cache.feeds()
    assert (feed.id, feed.title) == (7, "Pulse")
    assert [(a.id, a.feed_id) for a in cache.articles()] == [(4, 7)]
    news = json.loads((tmp_path / NEWS_FILE).read_text(encoding="utf-8"))
    feeds = json.loads((tmp_path / FEEDS_FILE).read_text(encoding="utf-8"))
    assert "feeds" not in news and set(feeds["feeds"]) == {"7"}
    # No id is reused: the counters came along.
    assert cache.add_feed("BMA", "https://example.org/bma").id == 9
    cache.add_articles([article(2, 7)])
    assert max(a.id or 0 for a in cache.articles()) == 5


def test_a_move_interrupted_after_feeds_json_was_written_finishes(tmp_path: Path) -> None:
    legacy_dir(tmp_path)
    moved = {"feeds": {"7": {"title": "Renamed since", "url": "https://example.org/feed"}}}
    (tmp_path / FEEDS_FILE).write_text(json.dumps(moved), encoding="utf-8")
    cache = NewsCache(tmp_path)
    assert [f.title for f in cache.feeds()] == ["Renamed since"]  # feeds.json wins
    assert len(cache.articles()) == 1
    assert "feeds" not in json.loads((tmp_path / NEWS_FILE).read_text(encoding="utf-8"))


def test_news_json_is_not_read_until_articles_are_wanted(tmp_path: Path) -> None:
    NewsCache(tmp_path).add_feed("Pulse", "https://example.org/feed")
    (tmp_path / NEWS_FILE).write_text('{"articles": {"1": ', encoding="utf-8")  # cut short
    cache = NewsCache(tmp_path)
    assert cache.recoveries == []  # opening did not parse it
    cache.add_feed("BMJ", "https://example.org/bmj")  # a feeds-only change
    assert cache.recoveries == [] and (tmp_path / NEWS_FILE).exists()
    assert cache.articles() == []  # the first read finds it corrupt and moves it aside
    (recovery,) = cache.recoveries
    assert recovery.aside.read_text(encoding="utf-8") == '{"articles": {"1": '
    assert not (tmp_path / NEWS_FILE).exists()
    assert [f.title for f in cache.feeds()] == ["Pulse", "BMJ"]


def test_news_json_damaged_after_its_first_read_is_reported_not_moved(tmp_path: Path) -> None:
    cache = NewsCache(tmp_path)
    cache.add_articles([article(1, 0)])
    assert len(cache.articles()) == 1
    (tmp_path / NEWS_FILE).write_text("{ half", encoding="utf-8")
    with pytest.raises(CorruptDataFile):
        cache.articles()
    assert (tmp_path / NEWS_FILE).read_text(encoding="utf-8") == "{ half"
    assert cache.recoveries == []


def test_the_summary_comes_from_feeds_json_without_reading_the_articles(tmp_path: Path) -> None:
    cache = NewsCache(tmp_path)
    cache.add_articles([article(n, 0) for n in range(20)])
    newest_ids = [a.id for a in cache.articles()[:8]]
    cache.set_flags(newest_ids[:3], unread=False)
    fresh = NewsCache(tmp_path)
    summary = fresh.summary()
    assert (summary.total, summary.unread) == (20, 17)
    assert [a.id for a in summary.newest] == newest_ids
    assert fresh._stamp is None  # news.json was never read


def test_linked_articles_by_mention_or_by_hand_and_not_from_a_large_unread_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from adapters.news import cache as cache_module

    cache = NewsCache(tmp_path)
    cache.add_articles(
        [replace(article(1, 0), mentions=("letter:3",)), article(2, 0), article(3, 0)]
    )
    by_key = {a.key: a.id for a in cache.articles()}
    linked = cache.linked("letter:3", [by_key["guid:2"]])
    assert linked is not None
    assert sorted(a.key for a in linked) == ["guid:1", "guid:2"]
    assert cache.linked("campaign:9") == []
    monkeypatch.setattr(cache_module, "LARGE_READ_BYTES", 0)
    assert NewsCache(tmp_path).linked("letter:3") is None  # not read on the caller's thread
