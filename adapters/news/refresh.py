"""One refresh: fetch every enabled feed, parse off the event loop, merge in one write.

Fetching is I/O and runs concurrently on one shared httpx client. Parsing is
pure-Python CPU work (feedparser), which in the event loop or a thread holds
the GIL and freezes the UI; so each body is parsed, turned into articles and
tagged in a small process pool as soon as it arrives, overlapping the fetches
still in flight. The cache is written once, at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from adapters.news.cache import FeedUpdate, NewsCache, PruneSettings, Retag
from adapters.news.fetch import FetchRequest, FetchResult, FetchSettings, fetch_all
from adapters.news.models import Article

if TYPE_CHECKING:
    from adapters.news.parse import ParsedEntry
    from adapters.news.topics import TopicRules
    from adapters.settings import Settings

# What a refresh where every feed answers 304 never needs, so never imports:
# the parsers (feedparser, fastfeedparser, lxml), the topic rules and the
# process pool are loaded when the first body arrives (see parse_job and
# make_pool). Rules and record names may be given as callables for the same
# reason: reading topics.json and the records costs ~20 ms for nothing when
# there is nothing to tag.
Names = Sequence[tuple[str, str]]

# Below this many bodies a pool costs more to start than it saves.
POOL_THRESHOLD = 3
# feedparser's lenient parser can spend tens of seconds on megabytes of tag
# soup; past this, the feeds still being parsed fail and the rest are saved.
PARSE_DEADLINE_S = 60.0


@dataclass(frozen=True)
class FeedOutcome:
    """How one feed ended the refresh, in words fit for a status line."""

    feed_id: int
    title: str
    state: str  # "ok" | "not modified" | "failed"
    reason: str = ""
    entries: int = 0
    new: int = 0

    def describe(self) -> str:
        if self.state == "ok":
            return f"ok ({self.new} new)" if self.new >= 0 else f"ok ({self.entries} items)"
        if self.state == "not modified":
            return "not modified"
        return f"failed: {self.reason}"


@dataclass
class RefreshReport:
    outcomes: list[FeedOutcome] = field(default_factory=list)
    new_total: int = 0
    pruned: int = 0
    elapsed_s: float = 0.0

    @property
    def failed(self) -> list[FeedOutcome]:
        return [o for o in self.outcomes if o.state == "failed"]

    def summary(self) -> str:
        ok = sum(1 for o in self.outcomes if o.state == "ok")
        same = sum(1 for o in self.outcomes if o.state == "not modified")
        return (
            f"{len(self.outcomes)} feeds: {ok} ok, {same} not modified, "
            f"{len(self.failed)} failed; {self.new_total} new articles "
            f"in {self.elapsed_s:.1f} s"
        )


Progress = Callable[[FeedOutcome, int, int], None]


@dataclass(frozen=True)
class ParseJob:
    """Everything a pool worker needs: plain picklable values."""

    feed_id: int
    body: bytes
    content_type: str | None
    base_url: str
    fetched_at: datetime
    rules: TopicRules
    names: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ParseOutcome:
    feed_id: int
    articles: tuple[Article, ...]
    reason: str  # "" when parsed


def entry_key(entry: ParsedEntry) -> str:
    """Identity across refreshes: guid, else link, else title and date."""
    if entry.guid:
        return "guid:" + entry.guid
    if entry.link:
        return "link:" + entry.link
    stamp = "" if entry.date_missing else entry.published.isoformat()
    import hashlib

    digest = hashlib.sha1(f"{entry.title}|{stamp}".encode(), usedforsecurity=False)
    return "title:" + digest.hexdigest()


def parse_job(job: ParseJob) -> ParseOutcome:
    """Parse, tag and link one body; runs in a pool worker, never raises NotAFeed."""
    from adapters.news.parse import NotAFeed, parse_feed
    from adapters.news.topics import mentions

    try:
        parsed = parse_feed(
            job.body,
            fetched_at=job.fetched_at,
            content_type=job.content_type,
            base_url=job.base_url,
        )
    except NotAFeed as exc:
        return ParseOutcome(job.feed_id, (), str(exc) or "not a feed")
    articles = tuple(
        Article(
            feed_id=job.feed_id,
            key=entry_key(entry),
            title=entry.title or "(untitled)",
            link=entry.link,
            summary=entry.summary,
            published=entry.published,
            fetched=job.fetched_at,
            date_missing=entry.date_missing,
            author=entry.author,
            tags=job.rules.tag(entry.title, entry.summary),
            mentions=mentions(f"{entry.title}\n{entry.summary}", job.names),
        )
        for entry in parsed.entries
    )
    return ParseOutcome(job.feed_id, articles, "")


# Warm-up jobs sent to a pool started early: ProcessPoolExecutor starts a
# forkserver worker per job until it has max_workers (make_pool's two).
WARM_WORKERS = 2


def warm_up() -> None:
    """A job that only makes the pool start a worker (the imports are preloaded)."""


def _start_pool(factory: Callable[[], Executor], abandoned: threading.Event) -> Executor:
    """Make the pool and start its workers; runs in a thread, never on the event loop.

    ProcessPoolExecutor starts a worker inside ``submit``, and a forkserver
    worker's start waits for the server to have imported the parsers
    (~0.4 s): on the event loop that stalled every fetch in flight (and
    froze the TUI). Once the workers run, submitting never waits again.
    """
    _start_resource_tracker()
    pool = factory()
    try:
        for _ in range(WARM_WORKERS):
            pool.submit(warm_up)
    except BaseException:
        stop_pool(pool)
        raise
    if abandoned.is_set():
        stop_pool(pool)
        raise RuntimeError("the refresh ended while the parser started")
    return pool


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a stderr it can hand on.

    The tracker is the first process any worker start needs, and it passes
    ``sys.stderr.fileno()`` to its child. Under a TUI that captures output
    (Textual does) that is -1, and the start fails with "bad value(s) in
    fds_to_keep": every worker then failed to start, and a refresh from the
    News screen failed every feed but two. So the tracker is started here,
    with the process's real stderr (or /dev/null) in place for that moment.
    Once running, it is not started again.
    """
    from multiprocessing import resource_tracker

    try:
        usable = sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = True  # fileno() raises: the tracker catches that and passes none
    if usable:
        resource_tracker.ensure_running()
        return
    with contextlib.ExitStack() as stack:
        real = sys.__stderr__
        if real is None:
            real = stack.enter_context(open(os.devnull, "w", encoding="utf-8"))
        stack.enter_context(contextlib.redirect_stderr(real))
        resource_tracker.ensure_running()


def make_pool(preload: Sequence[str] = ()) -> Executor:
    """Two worker processes: on this 2-core class of machine more only contend.

    Forked from a small server process, not from the caller: the TUI runs
    threads, and forking a threaded process can copy a held lock.
    ``preload`` names more modules for that server to import once: every
    worker re-runs the program's main module as ``__mp_main__`` before its
    first job, so a caller can name what that module imports (for ``python
    -m tui.cli``, the CLI's workspace and commands: ~0.1 s of CPU in each
    worker otherwise, just as parsing should start). The main module itself
    must not be named: runpy warns when it finds it already imported.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else None)
    if "forkserver" in methods:
        # The parsers are imported lazily by parse.py; loaded once in the
        # server, every forked worker starts with them.
        context.set_forkserver_preload(
            [
                "adapters.news.refresh",
                "adapters.news.parse",
                "adapters.news.topics",
                "feedparser",
                "fastfeedparser",
                "lxml.etree",
                *preload,
            ]
        )
    return ProcessPoolExecutor(
        max_workers=max(1, min(2, os.cpu_count() or 1)),
        mp_context=context,
        initializer=_quiet_worker,
    )


def _quiet_worker() -> None:
    """Workers write to the terminal's own stderr, beneath any TUI: a parser's warning
    about one odd feed would be printed across the screen. The feed's status says
    what went wrong instead."""
    import warnings

    warnings.simplefilter("ignore")


def stop_pool(pool: Executor) -> None:
    """Stop now, including a worker stuck on one huge feed (shutdown alone waits for it)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()


def _retag_with(stamp: str, last_digest: str | None, rules: TopicRules, names: Names) -> Retag:
    import hashlib
    import json

    from adapters.news.topics import mentions

    names = tuple(names)
    text = json.dumps([rules.rules, names], ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()

    def tag(title: str, summary: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return rules.tag(title, summary), mentions(f"{title}\n{summary}", names)

    return Retag(stamp=stamp, digest=digest, changed=digest != last_digest, tag=tag)


def settings_from(user: Settings) -> tuple[FetchSettings, PruneSettings]:
    """The fetch and pruning settings the user chose in settings.json."""
    return (
        FetchSettings(concurrency=user.news_concurrency),
        PruneSettings(
            max_age_days=user.news_prune_max_age_days,
            max_per_feed=user.news_prune_max_per_feed,
        ),
    )


async def refresh_feeds(
    cache: NewsCache,
    *,
    rules: TopicRules | Callable[[], TopicRules],
    names: Names | Callable[[], Names] = (),
    settings: FetchSettings | None = None,
    prune: PruneSettings | None = None,
    on_progress: Progress | None = None,
    feed_ids: Sequence[int] | None = None,
    pool_factory: Callable[[], Executor] = make_pool,
    keep_view: bool = True,
    tagging_stamp: str | None = None,
) -> RefreshReport:
    """Fetch, parse and store every enabled feed (or those in feed_ids).

    ``rules`` and ``names`` may be callables, called once when the first
    body needs tagging (never, when every feed answers 304). Never raises for
    a feed's failure: each feed ends ok, not modified or failed with a
    reason. Storage errors (disk full) do raise, after the fetches, with
    nothing half-written. ``keep_view=False`` leaves the cache's article view
    to be rebuilt when next asked (see ``NewsCache.merge``): for a process
    that exits after the refresh.

    ``tagging_stamp`` names the versions of the files the rules and names come
    from (see ``Workspace.tagging_stamp``). When it differs from the one the
    cache was last tagged with, the rules and names are resolved and, if they
    changed, every cached article is tagged again in the refresh's one write:
    so an edit to topics.json, or a new campaign, applies to the whole cache.
    """
    started = time.monotonic()
    feeds = {
        f.id: f
        for f in cache.feeds()
        if f.enabled and f.id is not None and (feed_ids is None or f.id in feed_ids)
    }
    loop = asyncio.get_running_loop()
    fetched_at = datetime.now(UTC)
    pool: Executor | None = None
    # The pool is started in a thread (see _start_pool); meanwhile ``starting``
    # is that thread's future and ``pending`` the bodies that asked for it.
    starting: asyncio.Future[Executor] | None = None
    pending: list[FetchResult] = []
    no_pool = False  # the pool could not start or broke: parse in a thread instead
    abandoned = threading.Event()
    in_pool: dict[asyncio.Future[ParseOutcome], int] = {}
    waiting: list[FetchResult] = []  # ok bodies not yet handed to a parser
    fetched: dict[int, FetchResult] = {}
    outcomes: dict[int, FeedOutcome] = {}
    updates: dict[int, FeedUpdate] = {}

    tagging: tuple[TopicRules, tuple[tuple[str, str], ...]] | None = None

    def resolved() -> tuple[TopicRules, tuple[tuple[str, str], ...]]:
        nonlocal tagging
        if tagging is None:
            tagging = (
                rules() if callable(rules) else rules,
                tuple(names() if callable(names) else names),
            )
        return tagging

    def job(result: FetchResult) -> ParseJob:
        topic_rules, record_names = resolved()
        return ParseJob(
            feed_id=result.feed_id,
            body=result.body or b"",
            content_type=result.content_type,
            base_url=result.final_url,
            fetched_at=fetched_at,
            rules=topic_rules,
            names=record_names,
        )

    def finish(outcome: FeedOutcome, update: FeedUpdate) -> None:
        outcomes[outcome.feed_id] = outcome
        updates[outcome.feed_id] = update
        if on_progress is not None:
            # A broken progress display must not cost the user the refresh.
            with contextlib.suppress(Exception):
                on_progress(outcome, len(outcomes), len(feeds))

    def fail(feed_id: int, reason: str) -> None:
        title = feeds[feed_id].title
        finish(FeedOutcome(feed_id, title, "failed", reason), FeedUpdate(feed_id, "failed", reason))

    def parsed(outcome: ParseOutcome) -> None:
        if outcome.reason:
            fail(outcome.feed_id, outcome.reason)
            return
        result = fetched[outcome.feed_id]
        finish(
            FeedOutcome(
                outcome.feed_id,
                feeds[outcome.feed_id].title,
                "ok",
                entries=len(outcome.articles),
                new=-1,  # known only once merged with the cache
            ),
            FeedUpdate(
                outcome.feed_id,
                "ok",
                etag=result.etag,
                last_modified=result.last_modified,
                articles=outcome.articles,
            ),
        )

    def pool_done(future: asyncio.Future[ParseOutcome]) -> None:
        if future.cancelled():
            return
        error = future.exception()
        if error is not None:  # a worker died: that feed failed, the rest stand
            fail(in_pool[future], f"parser crashed ({type(error).__name__})")
        else:
            parsed(future.result())

    def dispatch(batch: list[FetchResult]) -> None:
        assert pool is not None
        try:
            for result in batch:
                future = loop.run_in_executor(pool, parse_job, job(result))
                in_pool[future] = result.feed_id
                future.add_done_callback(pool_done)
        except Exception:  # the pool broke (BrokenProcessPool)
            without_pool(batch)

    def without_pool(batch: list[FetchResult]) -> None:
        """No worker processes to be had (limits, a broken pool, no stderr to hand on):
        this batch and every body after it are parsed in a thread once the fetching
        is done. Slower, and it holds the GIL, but every feed still gets its articles."""
        nonlocal no_pool
        no_pool = True
        sent = set(in_pool.values())
        waiting.extend(r for r in batch if r.feed_id not in outcomes and r.feed_id not in sent)

    def start_pool(batch: list[FetchResult]) -> None:
        """Start the pool in a thread; ``batch`` goes to it once it runs, or to a thread."""
        nonlocal starting
        pending.extend(batch)
        starting = loop.run_in_executor(None, _start_pool, pool_factory, abandoned)
        starting.add_done_callback(pool_started)

    def pool_started(future: asyncio.Future[Executor]) -> None:
        nonlocal pool, starting
        starting = None
        batch = list(pending)
        pending.clear()
        if future.cancelled():
            return
        error = future.exception()
        if error is not None:
            without_pool(batch)
            return
        pool = future.result()
        if abandoned.is_set():  # the refresh ended while the pool was starting
            stop_pool(pool)
            return
        batch += waiting
        waiting.clear()
        dispatch(batch)  # which, if the pool breaks, puts the unsent back in waiting

    def on_result(result: FetchResult) -> None:
        fetched[result.feed_id] = result
        if result.outcome == "ok":
            if pool is not None and not no_pool:
                dispatch([result])
                return
            waiting.append(result)
            if starting is None and not no_pool and len(waiting) >= POOL_THRESHOLD:
                batch = list(waiting)
                waiting.clear()
                start_pool(batch)
        elif result.outcome == "not_modified":
            title = feeds[result.feed_id].title
            finish(
                FeedOutcome(result.feed_id, title, "not modified"),
                # A 304 may carry new validators (RFC 9110 15.4.5): kept for next time.
                FeedUpdate(
                    result.feed_id,
                    "not modified",
                    etag=result.etag,
                    last_modified=result.last_modified,
                ),
            )
        else:
            fail(result.feed_id, result.reason)

    requests = [FetchRequest(i, f.url, f.etag, f.last_modified) for i, f in feeds.items()]
    # Feeds with no saved validator (never fetched) will send bodies: start the
    # workers now, so their start-up overlaps the fetching. Feeds that may
    # answer 304 never cause this.
    if sum(1 for r in requests if not (r.etag or r.last_modified)) >= POOL_THRESHOLD:
        start_pool([])
    try:
        await fetch_all(requests, settings or FetchSettings(), on_result=on_result)
        try:
            async with asyncio.timeout(PARSE_DEADLINE_S):
                while starting is not None:  # let a pool being started take the rest
                    await asyncio.wait([starting])
                    await asyncio.sleep(0)  # pool_started runs as a callback
                if pool is not None and waiting and not no_pool:
                    batch = list(waiting)
                    waiting.clear()
                    dispatch(batch)
                # Fewer bodies than the pool threshold (a few feeds' CPU is cheaper
                # than starting worker processes), or no pool: parse them in a thread.
                for result in list(waiting):
                    parsed(await asyncio.to_thread(parse_job, job(result)))
                    waiting.remove(result)
                if in_pool:
                    await asyncio.gather(*in_pool, return_exceptions=True)
        except TimeoutError:
            for result in fetched.values():
                if result.outcome == "ok" and result.feed_id not in outcomes:
                    fail(result.feed_id, "took too long to parse")
    finally:
        abandoned.set()
        # Started, but pool_started has not run (it stops the pool if it still does).
        if (
            starting is not None
            and starting.done()
            and not starting.cancelled()
            and starting.exception() is None
        ):
            stop_pool(starting.result())
        if pool is not None:
            stop_pool(pool)

    # Feed order, not finishing order: which copy of a story shared by two feeds
    # is kept must not depend on which server answered first.
    ordered = [updates[feed_id] for feed_id in sorted(updates)]
    retag = None
    if tagging_stamp is not None:
        last = cache.tagging()
        if last.get("stamp") != tagging_stamp:
            retag = _retag_with(tagging_stamp, last.get("digest"), *resolved())
    merged = await asyncio.to_thread(
        cache.merge,
        ordered,
        now=fetched_at,
        prune=prune or PruneSettings(),
        keep_view=keep_view,
        retag=retag,
    )
    report = RefreshReport(new_total=merged.new_total, pruned=merged.pruned)
    for feed_id, feed in feeds.items():
        outcome = outcomes.get(feed_id) or FeedOutcome(feed_id, feed.title, "failed", "no result")
        if outcome.state == "ok":
            outcome = replace(outcome, new=merged.new_by_feed.get(feed_id, 0))
        report.outcomes.append(outcome)
    report.elapsed_s = time.monotonic() - started
    return report
