"""feeds.json and news.json: subscribed feeds and cached articles, apart from the records.

TinyDB's Table API reads and rewrites the whole file per call; a refresh
touching 200 feeds and 10,000 articles must be one write. So this module
works on whole documents under the store's locks (one read, one atomic write
per file and change) and keeps an in-memory view that is re-read only when a
file on disk has changed (another process refreshed). Document ids come from
persistent counters, so an id is never reused after a delete.

Feeds and their HTTP state (feeds.json, a few KB) live apart from the
articles (news.json, megabytes): a refresh where every feed answers 304
rewrites only the small file. Data dirs from before the split kept feeds in
news.json; they are moved on first read (feeds.json written first, so a
crash between the two writes loses nothing).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.news.models import Article, Feed, feed_address, is_feed_address, utc_iso
from adapters.store import CorruptDataFile, Recovery, SafeTinyDB, open_db, recover_corrupt
from adapters.validation import ValidationError

NEWS_FILE = "news.json"
FEEDS_FILE = "feeds.json"
SAMPLE_FEED_ID = 0  # sample items belong to no subscribed feed
FEEDS = "feeds"
ARTICLES = "articles"
META = "meta"  # feeds.json's counter; news.json's is ARTICLES_META in memory
ARTICLES_META = "articles_meta"
# In feeds.json's meta document: what the cached articles were last tagged with.
TAGGING_STAMP = "tagging_stamp"
TAGGING_DIGEST = "tagging_digest"
# In feeds.json: counts and the newest articles, rewritten with every change to
# news.json, so the Overview never has to read (or hold) 100k articles.
SUMMARY = "summary"
SUMMARY_NEWEST = 8
# A news.json this large is not read on the UI's event loop (about 5 s at 100 MB).
LARGE_READ_BYTES = 5_000_000


class Tables(dict[str, dict[str, Any]]):
    """Both files' tables in one mapping, and which file a change touched."""

    feeds_changed = False
    articles_changed = False


@dataclass(frozen=True)
class PruneSettings:
    """How much history to keep; starred and sample articles are always kept.

    No age limit by default: people tracking a campaign over years want its
    old coverage; the per-feed count bounds the file instead.
    """

    max_age_days: int | None = None
    max_per_feed: int = 2000


@dataclass(frozen=True)
class FeedUpdate:
    """What one feed's fetch and parse produced, ready to merge."""

    feed_id: int
    state: str  # "ok" | "not modified" | "failed"
    reason: str = ""
    etag: str | None = None
    last_modified: str | None = None
    articles: Sequence[Article] = ()


@dataclass(frozen=True)
class Retag:
    """Tag every cached article again: the topic rules or the tracked records changed.

    ``stamp`` says cheaply which versions of the files the rules and names came
    from (so a refresh where they did not change reads neither); ``digest`` is
    of the rules and names themselves, and ``changed`` whether it differs from
    the one the cache was tagged with (touching a file without changing it
    re-tags nothing); ``tag`` gives an article's (tags, mentions) from its
    title and summary.
    """

    stamp: str
    digest: str
    changed: bool
    tag: Callable[[str, str], tuple[tuple[str, ...], tuple[str, ...]]]


@dataclass
class MergeResult:
    new_by_feed: dict[int, int] = field(default_factory=dict)
    pruned: int = 0
    retagged: int = 0

    @property
    def new_total(self) -> int:
        return sum(self.new_by_feed.values())


class NewsCache:
    """The feeds and articles of one data dir, read lazily and written in batches."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / NEWS_FILE
        self.feeds_path = data_dir / FEEDS_FILE
        self.feeds_db: SafeTinyDB = open_db(self.feeds_path)
        # Not parsed at open: read on first use (see _read_news).
        self.db: SafeTinyDB = open_db(self.path, check=False)
        self._news_read = False
        self._feeds_stamp: tuple[int, int, int] | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._feeds: dict[int, Feed] = {}
        self._articles: dict[int, Article] = {}
        self._newest_first: list[Article] | None = None
        self._mentioned: dict[str, list[Article]] | None = None
        self._unreadable_feeds = 0
        self._unreadable_articles = 0

    # ------------------------------------------------------------------ reading

    @property
    def databases(self) -> tuple[SafeTinyDB, SafeTinyDB]:
        return (self.feeds_db, self.db)

    @property
    def recoveries(self) -> list[Recovery]:
        """Files found corrupt and moved aside, at open or (news.json) on first read."""
        return [db.recovered for db in self.databases if db.recovered is not None]

    def _read_news(self) -> dict[str, Any]:
        """news.json's tables; on the first read a corrupt file is moved aside like at open."""
        try:
            data = self.db.storage.read() or {}
        except CorruptDataFile as exc:
            if self._news_read:  # damaged while we ran: report it, touch nothing
                raise
            self._news_read = True
            recover_corrupt(self.db, exc)
            return {}
        self._news_read = True
        return data

    @staticmethod
    def _disk_stamp(path: Path) -> tuple[int, int, int] | None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def refresh_view(self, *, articles: bool = True) -> bool:
        """Re-read whichever file another process changed; True when one was.

        With ``articles=False`` only feeds.json is looked at (a refresh with
        nothing new never reads the megabytes of news.json), unless it does
        not exist yet: then news.json may hold feeds from before the split.
        """
        feeds_stamp = self._disk_stamp(self.feeds_path)
        if feeds_stamp is None and self._disk_stamp(self.path) is not None:
            articles = True
        stamp = self._disk_stamp(self.path) if articles else self._stamp
        feeds_stale = feeds_stamp is None or feeds_stamp != self._feeds_stamp
        articles_stale = articles and (stamp is None or stamp != self._stamp)
        if not (feeds_stale or articles_stale):
            return False
        if articles_stale:
            news = self._read_news()
            if FEEDS in news:  # a data dir from before feeds.json
                self._mutate(lambda data: None)
                return True
            self._load_articles(news.get(ARTICLES, {}), stamp)
        if feeds_stale:
            self._load_feeds((self.feeds_db.storage.read() or {}).get(FEEDS, {}), feeds_stamp)
        return True

    def _load_feeds(self, docs: dict[str, Any], stamp: tuple[int, int, int] | None) -> None:
        feeds: dict[int, Feed] = {}
        self._unreadable_feeds = 0
        for key, doc in docs.items():
            try:
                feeds[int(key)] = Feed.from_doc(doc, int(key))
            except ValidationError:
                self._unreadable_feeds += 1
        self._feeds, self._feeds_stamp = feeds, stamp

    def _load_articles(self, docs: dict[str, Any], stamp: tuple[int, int, int] | None) -> None:
        articles: dict[int, Article] = {}
        self._unreadable_articles = 0
        for key, doc in docs.items():
            try:
                articles[int(key)] = Article.from_doc(doc, int(key))
            except ValidationError:
                self._unreadable_articles += 1
        self._articles, self._stamp = articles, stamp
        self._newest_first = None
        self._mentioned: dict[str, list[Article]] | None = None

    def _drop_articles_view(self) -> None:
        """Forget the article view; refresh_view reads it again when next asked."""
        self._articles, self._stamp = {}, None
        self._newest_first = None
        self._mentioned = None
        self._unreadable_articles = 0

    @property
    def unreadable(self) -> int:
        """Stored feeds and articles that no longer validate (kept in the files, not shown)."""
        return self._unreadable_feeds + self._unreadable_articles

    def articles_unread_from_disk(self) -> int:
        """Bytes of news.json that articles() would have to read first (0: none or cached)."""
        stamp = self._disk_stamp(self.path)
        return 0 if stamp is None or stamp == self._stamp else stamp[1]

    def feeds(self) -> list[Feed]:
        self.refresh_view(articles=False)
        return sorted(self._feeds.values(), key=lambda f: f.id or 0)

    def feed(self, feed_id: int) -> Feed | None:
        self.refresh_view(articles=False)
        return self._feeds.get(feed_id)

    def articles(self) -> list[Article]:
        """Every cached article, newest first (a shared list: do not mutate).

        A new list whenever the articles were read again; the same list, with
        the changed articles replaced in it, after set_flags.
        """
        self.refresh_view()
        if self._newest_first is None:
            self._newest_first = sorted(
                self._articles.values(), key=lambda a: (a.published, a.id or 0), reverse=True
            )
        return self._newest_first

    def summary(self) -> NewsSummary:
        """Counts and the newest articles from feeds.json alone (see SUMMARY)."""
        self.refresh_view(articles=False)
        doc = ((self.feeds_db.storage.read() or {}).get(SUMMARY) or {}).get("1")
        if doc is None:  # written before summaries: count from the articles once
            return _summary(_summary_doc({str(a.id): a.to_doc() for a in self.articles()}))
        return _summary(doc)

    def linked(self, key: str, ids: Iterable[int] = ()) -> list[Article] | None:
        """Articles linked by id or mentioning the record ``key`` ("letter:3"), newest first.

        The mentions index is built once per read of news.json, not per call
        (detail panes ask on every cursor move). None when news.json is large
        and not read yet: the caller says so rather than freezing the screen.
        """
        if self.articles_unread_from_disk() > LARGE_READ_BYTES:
            return None
        articles = self.articles()
        if self._mentioned is None:
            self._mentioned = {}
            for article in articles:
                for mention in article.mentions:
                    self._mentioned.setdefault(mention, []).append(article)
        wanted = set(ids)
        by_hand = [a for a in articles if a.id in wanted] if wanted else []
        found = {id(a): a for a in [*self._mentioned.get(key, []), *by_hand]}
        return sorted(found.values(), key=lambda a: (a.published, a.id or 0), reverse=True)

    def unread_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for article in self.articles():
            if article.unread:
                counts[article.feed_id] = counts.get(article.feed_id, 0) + 1
        return counts

    # ------------------------------------------------------------------ writing

    def _mutate(
        self,
        change: Callable[[Tables], Any],
        *,
        articles: bool = True,
        keep_view: bool = True,
        patch_view: Callable[[], None] | None = None,
    ) -> Any:
        """One locked read-modify-write of both files, writing the ones ``change`` touched.

        Locks are always taken feeds.json first, so two processes cannot
        deadlock; the view follows what was written. With ``articles=False``
        news.json is neither read nor written (``change`` must not touch the
        articles), except to move feeds out of a pre-split news.json. With
        ``keep_view=False`` the article view is not rebuilt after writing
        news.json, only marked stale: the next ``articles()`` rebuilds it from
        the store (whose cache holds what was just written). Building 10,000
        Article objects is ~40% of a big merge's CPU, wasted in a process that
        exits after it (``gpwatch refresh``). ``patch_view`` updates the view in
        place instead of rebuilding it, when the view was of the file as read
        here: star and read flags on 100k articles (rebuilding took seconds, and
        a new list made the News screen rebuild its search index).
        """
        with self.feeds_db.transaction(), self.db.transaction():
            stored_feeds = self.feeds_db.storage.read() or {}
            if FEEDS not in stored_feeds:
                articles = True
            view_current = self._stamp is not None and self._stamp == self._disk_stamp(self.path)
            stored_news = self._read_news() if articles else {ARTICLES: {}}
            data = Tables()
            data[FEEDS] = stored_feeds.get(FEEDS, {})
            data[META] = stored_feeds.get(META, {})
            data[ARTICLES] = stored_news.get(ARTICLES, {})
            data[ARTICLES_META] = stored_news.get(META, {})
            data[SUMMARY] = stored_feeds.get(SUMMARY, {})
            legacy_feeds = stored_news.get(FEEDS)
            if legacy_feeds is not None:
                if FEEDS not in stored_feeds:  # else an interrupted move already copied them
                    data[FEEDS] = legacy_feeds
                    data[META] = _legacy_feed_counter(stored_news.get(META, {}))
                data.feeds_changed = data.articles_changed = True
            result = change(data)
            if data.articles_changed and not articles:
                raise RuntimeError("a feeds-only change touched the articles")
            if articles and (data.articles_changed or SUMMARY not in stored_feeds):
                data[SUMMARY] = {"1": _summary_doc(data[ARTICLES])}
                data.feeds_changed = True
            if data.feeds_changed or FEEDS not in stored_feeds:
                tables = {FEEDS: data[FEEDS], META: data[META]}
                if data[SUMMARY]:
                    tables[SUMMARY] = data[SUMMARY]
                self.feeds_db.storage.write(tables)
            if data.articles_changed or ARTICLES not in stored_news:
                self.db.storage.write({ARTICLES: data[ARTICLES], META: data[ARTICLES_META]})
            self._load_feeds(data[FEEDS], self._disk_stamp(self.feeds_path))
            if data.articles_changed and not keep_view:
                self._drop_articles_view()
            elif data.articles_changed and patch_view is not None and view_current:
                patch_view()
                self._stamp = self._disk_stamp(self.path)
            elif data.articles_changed or (articles and self._stamp is None):
                self._load_articles(data[ARTICLES], self._disk_stamp(self.path))
        return result

    @staticmethod
    def _next_ids(data: Tables, table: str, count: int) -> list[int]:
        meta = data[META if table == FEEDS else ARTICLES_META].setdefault("1", {})
        counter_key = f"next_{table}_id"
        existing = max((int(k) for k in data[table]), default=0)
        start = max(int(meta.get(counter_key, 1)), existing + 1)
        meta[counter_key] = start + count
        return list(range(start, start + count))

    def add_feed(self, title: str, url: str) -> Feed:
        """Subscribe; an address already subscribed (in any spelling) is refused, naming
        the feed."""
        feed = _new_feed(title, url)

        def change(data: Tables) -> Feed:
            for key, doc in data[FEEDS].items():
                if _address_of(doc.get("url")) == feed.url:
                    raise ValidationError("url", f"already subscribed as feed {key}")
            (new_id,) = self._next_ids(data, FEEDS, 1)
            data[FEEDS][str(new_id)] = feed.to_doc()
            data.feeds_changed = True
            return replace(feed, id=new_id)

        return self._mutate(change, articles=False)

    def add_feeds(self, feeds: Iterable[tuple[str, str]]) -> tuple[list[Feed], int]:
        """Subscribe to many at once (OPML, defaults); returns the added and how many were known."""
        candidates = [_new_feed(t, u) for t, u in feeds]

        def change(data: Tables) -> tuple[list[Feed], int]:
            known = {_address_of(doc.get("url")) for doc in data[FEEDS].values()}
            fresh = []
            for feed in candidates:
                if feed.url not in known:
                    known.add(feed.url)
                    fresh.append(feed)
            added = []
            data.feeds_changed = bool(fresh)
            for new_id, feed in zip(self._next_ids(data, FEEDS, len(fresh)), fresh, strict=True):
                data[FEEDS][str(new_id)] = feed.to_doc()
                added.append(replace(feed, id=new_id))
            return added, len(candidates) - len(fresh)

        return self._mutate(change, articles=False)

    def _change_feed(self, feed_id: int, **changes: Any) -> Feed:
        def change(data: Tables) -> Feed:
            doc = data[FEEDS].get(str(feed_id))
            if doc is None:
                raise ValidationError("feed", f"there is no feed {feed_id}")
            updated = replace(Feed.from_doc(doc, feed_id), **changes)
            data[FEEDS][str(feed_id)] = updated.to_doc()
            data.feeds_changed = True
            return updated

        return self._mutate(change, articles=False)

    def rename_feed(self, feed_id: int, title: str) -> Feed:
        return self._change_feed(feed_id, title=title.strip())

    def set_feed_enabled(self, feed_id: int, enabled: bool) -> Feed:
        return self._change_feed(feed_id, enabled=enabled)

    def remove_feed(self, feed_id: int) -> tuple[Feed, int]:
        """Unsubscribe and drop the feed's unstarred articles; returns them for undo counts."""

        def change(data: Tables) -> tuple[Feed, int]:
            doc = data[FEEDS].pop(str(feed_id), None)
            if doc is None:
                raise ValidationError("feed", f"there is no feed {feed_id}")
            doomed = [
                key
                for key, art in data[ARTICLES].items()
                if art.get("feed_id") == feed_id and not art.get("starred")
            ]
            for key in doomed:
                del data[ARTICLES][key]
            data.feeds_changed = True
            data.articles_changed = bool(doomed)
            return Feed.from_doc(doc, feed_id), len(doomed)

        return self._mutate(change)

    def set_flags(
        self, article_ids: Iterable[int], *, unread: bool | None = None, starred: bool | None = None
    ) -> None:
        ids = [str(i) for i in article_ids]

        flags = {
            name: value
            for name, value in (("unread", unread), ("starred", starred))
            if value is not None
        }

        def change(data: Tables) -> None:
            for key in ids:
                doc = data[ARTICLES].get(key)
                if doc is None:
                    continue
                doc.update(flags)
                data.articles_changed = True

        def patch_view() -> None:
            # Flags change no order and no text: the same list, the changed
            # articles replaced in it (so a search index over it stays valid).
            changed = {}
            for key in ids:
                old = self._articles.get(int(key))
                if old is not None:
                    changed[id(old)] = self._articles[int(key)] = replace(old, **flags)
            if self._newest_first is not None and changed:
                for index, article in enumerate(self._newest_first):
                    new = changed.get(id(article))
                    if new is not None:
                        self._newest_first[index] = new
            self._mentioned = None

        self._mutate(change, patch_view=patch_view)

    def add_articles(self, articles: Sequence[Article]) -> int:
        """Store articles as they are (sample items, tests); dedupes like a refresh."""
        by_feed: dict[int, list[Article]] = {}
        for article in articles:
            by_feed.setdefault(article.feed_id, []).append(article)
        return self.merge([], by_feed, now=None).new_total

    def merge(
        self,
        updates: Sequence[FeedUpdate],
        extra: dict[int, list[Article]] | None = None,
        *,
        now: datetime | None,
        prune: PruneSettings | None = None,
        keep_view: bool = True,
        retag: Retag | None = None,
    ) -> MergeResult:
        """Apply a whole refresh in one write: feed states, new articles, pruning.

        An article is new unless its feed already holds the same key (guid,
        else link, else title and date); one without a guid is also not new
        when any feed holds its link. A refresh that brought no articles (all
        304 or failed) touches only feeds.json, and prunes nothing until one does.
        ``keep_view=False``: see ``_mutate`` (for a process about to exit).
        ``retag``: stored as what the cache is tagged with; when it ``changed``,
        every stored article is tagged again in the same write.
        """
        result = MergeResult()
        batches = [(u.feed_id, u.articles) for u in updates]
        batches += list((extra or {}).items())
        retagging = retag is not None and retag.changed
        with_articles = any(items for _, items in batches) or retagging
        cutoff = ""
        if prune is not None and prune.max_age_days is not None and now is not None:
            cutoff = utc_iso(now - timedelta(days=prune.max_age_days))

        def change(data: Tables) -> MergeResult:
            articles = data[ARTICLES]
            seen_keys = {(doc.get("feed_id"), doc.get("key")) for doc in articles.values()}
            seen_links = {doc.get("link") for doc in articles.values() if doc.get("link")}
            fresh: list[Article] = []
            for feed_id, items in batches:
                if feed_id != SAMPLE_FEED_ID and str(feed_id) not in data[FEEDS]:
                    continue  # unsubscribed while the refresh ran: nothing to attach to
                for article in items:
                    ident = (feed_id, article.key)
                    if ident in seen_keys:
                        continue
                    # A guid is the item's identity; without one, the same link in
                    # any feed is the same story.
                    guidless = not article.key.startswith("guid:")
                    if guidless and article.link and article.link in seen_links:
                        continue
                    seen_keys.add(ident)
                    if article.link:
                        seen_links.add(article.link)
                    # Older than what is kept: storing it would only see it pruned
                    # and then come back as "new" on every refresh.
                    if cutoff and utc_iso(article.published) < cutoff:
                        continue
                    fresh.append(article)
            fresh_ids = self._next_ids(data, ARTICLES, len(fresh))
            for new_id, article in zip(fresh_ids, fresh, strict=True):
                articles[str(new_id)] = article.to_doc()
            if prune is not None and now is not None and any(items for _, items in batches):
                result.pruned = self._prune(data, prune, now)
            if retagging and retag is not None:
                result.retagged = _retag(articles, retag)
            if retag is not None:
                # Plain values: the backup's check of meta documents takes no nesting.
                counters = data[META].setdefault("1", {})
                counters[TAGGING_STAMP], counters[TAGGING_DIGEST] = retag.stamp, retag.digest
            data.articles_changed = bool(fresh) or result.pruned > 0 or result.retagged > 0
            data.feeds_changed = bool(updates) or retag is not None
            for new_id, article in zip(fresh_ids, fresh, strict=True):
                if str(new_id) in articles:  # not pruned straight away (over the count)
                    result.new_by_feed[article.feed_id] = (
                        result.new_by_feed.get(article.feed_id, 0) + 1
                    )
            for update in updates:
                new = result.new_by_feed.get(update.feed_id, 0)
                self._record_feed_state(data, update, now, new)
            return result

        return self._mutate(change, articles=with_articles, keep_view=keep_view)

    def tagging(self) -> dict[str, str]:
        """What the cached articles were last tagged with: {"stamp": ..., "digest": ...}."""
        meta = (self.feeds_db.storage.read() or {}).get(META, {})
        counters = meta.get("1") if isinstance(meta, dict) else None  # a TinyDB document
        if not isinstance(counters, dict):
            return {}
        found = {"stamp": counters.get(TAGGING_STAMP), "digest": counters.get(TAGGING_DIGEST)}
        return {key: value for key, value in found.items() if isinstance(value, str)}

    @staticmethod
    def _record_feed_state(
        data: Tables, update: FeedUpdate, now: datetime | None, new: int
    ) -> None:
        doc = data[FEEDS].get(str(update.feed_id))
        if doc is None:  # removed while the refresh ran
            return
        doc["state"] = update.state
        doc["reason"] = update.reason
        doc["last_new"] = new
        if now is not None:
            doc["last_fetched"] = utc_iso(now)
        if update.state in ("ok", "not modified"):  # a 304's are its own, else the request's
            doc["etag"] = update.etag
            doc["last_modified"] = update.last_modified

    def prune(self, settings: PruneSettings, now: datetime) -> int:
        """Apply the pruning settings now (a refresh prunes only when it brings articles)."""

        def change(data: Tables) -> int:
            pruned = self._prune(data, settings, now)
            data.articles_changed = pruned > 0
            return pruned

        return self._mutate(change)

    @staticmethod
    def _prune(data: Tables, settings: PruneSettings, now: datetime) -> int:
        cutoff = ""
        if settings.max_age_days is not None:
            cutoff = utc_iso(now - timedelta(days=settings.max_age_days))
        by_feed: dict[Any, list[tuple[str, str]]] = {}
        doomed: set[str] = set()
        for key, doc in data[ARTICLES].items():
            if doc.get("starred") or doc.get("sample"):
                continue
            published = str(doc.get("published", ""))
            if cutoff and published < cutoff:
                doomed.add(key)
            else:
                by_feed.setdefault(doc.get("feed_id"), []).append((published, key))
        for items in by_feed.values():
            if len(items) > settings.max_per_feed:
                items.sort(reverse=True)
                doomed.update(key for _, key in items[settings.max_per_feed :])
        for key in doomed:
            del data[ARTICLES][key]
        return len(doomed)

    def remove_sample(self) -> int:
        def change(data: Tables) -> int:
            doomed = [k for k, doc in data[ARTICLES].items() if doc.get("sample") is True]
            for key in doomed:
                del data[ARTICLES][key]
            data.articles_changed = bool(doomed)
            return len(doomed)

        return self._mutate(change)

    def has_sample(self) -> bool:
        # Asked on every screen show: answered from the summary, not 100k articles.
        return self.summary().sample > 0


def _new_feed(title: str, url: str) -> Feed:
    """A feed to subscribe: its address checked and in its one spelling (feed_address)."""
    url = url.strip()
    if not is_feed_address(url):
        raise ValidationError("url", f"{url!r} is not an http(s) address with a host and no spaces")
    address = feed_address(url)
    return Feed(title=title.strip() or address, url=address)


def _address_of(url: object) -> object:
    """A stored address in its one spelling (stored ones may predate feed_address)."""
    return feed_address(url) if isinstance(url, str) and is_feed_address(url) else url


def _retag(articles: dict[str, Any], retag: Retag) -> int:
    """Tag every stored article document again; how many changed."""
    changed = 0
    for doc in articles.values():
        if not isinstance(doc, dict):
            continue
        tags, mentioned = retag.tag(str(doc.get("title", "")), str(doc.get("summary", "")))
        if list(tags) != doc.get("tags") or list(mentioned) != doc.get("mentions"):
            doc["tags"], doc["mentions"] = list(tags), list(mentioned)
            changed += 1
    return changed


def _legacy_feed_counter(news_meta: dict[str, Any]) -> dict[str, Any]:
    """The feed id counter of a pre-split news.json, so no feed id is ever reused."""
    counter = news_meta.get("1", {}).get(f"next_{FEEDS}_id")
    return {"1": {f"next_{FEEDS}_id": counter}} if counter is not None else {}


@dataclass(frozen=True)
class NewsSummary:
    total: int
    unread: int
    sample: int
    newest: list[Article]


def _summary_doc(articles: dict[str, Any]) -> dict[str, Any]:
    import heapq

    newest = heapq.nlargest(
        SUMMARY_NEWEST,
        articles.items(),
        key=lambda item: (str(item[1].get("published", "")), int(item[0])),
    )
    return {
        "total": len(articles),
        "unread": sum(1 for doc in articles.values() if doc.get("unread", True)),
        "sample": sum(1 for doc in articles.values() if doc.get("sample") is True),
        "newest": [{"id": int(key), **doc} for key, doc in newest],
    }


def _summary(doc: dict[str, Any]) -> NewsSummary:
    newest = []
    for item in doc.get("newest") or []:
        values = dict(item)
        article_id = values.pop("id", None)
        try:
            newest.append(Article.from_doc(values, article_id))
        except (ValidationError, TypeError, ValueError):
            continue  # shown in the News screen's count of unreadable entries instead
    counts = (int(doc.get(key, 0)) for key in ("total", "unread", "sample"))
    return NewsSummary(*counts, newest)
