"""`gpwatch refresh`: fetch every enabled feed, headless, for cron or a terminal."""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from adapters.text import clean_text
from adapters.workspace import Workspace

if TYPE_CHECKING:
    from adapters.news.topics import TopicRules

NAME = "refresh"
# What tui.cli imports, for the parse pool's server to import once (see make_pool).
CLI_MODULES = ("adapters.store", "adapters.text", "adapters.workspace", "tui.commands")
HELP = "fetch all enabled feeds (a progress bar on a terminal, one line per feed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 if any feed failed (default: exit 0)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help="feeds fetched at once (default: news.concurrency in settings.json, else 32)",
    )
    parser.add_argument(
        "--timeout", type=float, default=45.0, metavar="S", help="seconds allowed per feed (45)"
    )


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    import asyncio
    import functools

    from adapters.news.refresh import make_pool, refresh_feeds, settings_from

    for warning in workspace.settings_warnings:
        print(f"gpwatch: warning: {clean_text(warning)}", file=sys.stderr)
    fetch, prune = settings_from(workspace.settings)
    if args.concurrency is None:
        args.concurrency = fetch.concurrency
    if args.concurrency < 1 or args.timeout <= 0:
        print("gpwatch: error: --concurrency and --timeout must be positive", file=sys.stderr)
        return 2
    settings = replace(fetch, concurrency=args.concurrency, total_timeout=args.timeout)
    # Topic rules and record names are read only if some feed sent articles
    # to tag, or the files they come from changed since the cache was tagged:
    # a refresh where every feed answers 304 skips both (~20 ms). A problem
    # with topics.json is told after the bar, which it would break.
    problems: list[str] = []

    def rules() -> TopicRules:
        loaded, problem = workspace.topic_rules()
        if problem:
            problems.append(problem)
        return loaded

    with ProgressBar(enabled=sys.stderr.isatty()) as bar, _fewer_collections():
        report = asyncio.run(
            refresh_feeds(
                workspace.news,
                rules=rules,
                names=workspace.record_names,
                settings=settings,
                prune=prune,
                on_progress=bar.update,
                keep_view=False,  # the process exits: no Article objects to rebuild
                tagging_stamp=workspace.tagging_stamp(),
                # Parse workers re-run this program's main module (tui.cli) before
                # their first job; with what it imports preloaded that is cheap.
                pool_factory=functools.partial(make_pool, preload=CLI_MODULES),
            )
        )
    for problem in problems:
        print(f"gpwatch: warning: {clean_text(problem)}", file=sys.stderr)
    width = max((len(clean_text(o.title)) for o in report.outcomes), default=0)
    for outcome in report.outcomes:
        print(f"{clean_text(outcome.title):<{width}}  {clean_text(outcome.describe())}")
    print(report.summary())
    return 1 if args.strict and report.failed else 0


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """No cyclic GC while a refresh runs, and none of its objects scanned at exit.

    Measured on 200 feeds: the collector ran ~190 times and took ~150 ms of a
    cold refresh's main process (28 ms of an all-304 one), rescanning what
    start-up imported and the articles piling up for the merge; freezing
    start-up's objects and a 20,000-allocation threshold still left 120 ms.
    What a refresh allocates is mostly acyclic and freed by reference
    counting. Afterwards everything alive is frozen, since this process
    prints the result and exits: the interpreter's final collection would
    otherwise traverse it all (exit took 70-100 ms after an all-304 refresh,
    10-20 ms frozen).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


class ProgressBar:
    """A one-line bar on stderr when it is a terminal; silent when piped or in cron."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled

    def __enter__(self) -> ProgressBar:
        return self

    def update(self, outcome: object, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        filled = round(30 * done / total)
        sys.stderr.write(f"\r[{'#' * filled}{' ' * (30 - filled)}] {done}/{total} feeds")
        sys.stderr.flush()

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
