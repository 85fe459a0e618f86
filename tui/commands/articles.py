"""`gpwatch articles`: the cached news, for scripts."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from adapters.news.models import utc_iso
from adapters.text import clean_text
from adapters.workspace import Workspace

NAME = "articles"
HELP = "list cached articles, newest first (--json for scripts)"


def iso_date(value: str) -> date:
    """A YYYY-MM-DD date; argparse names this function's failures after it."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="a JSON array instead of lines")
    parser.add_argument("--topic", help="only articles tagged with this topic")
    parser.add_argument(
        "--since", type=iso_date, metavar="YYYY-MM-DD", help="published on or after"
    )
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="at most N (0: all)")


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    feeds = {f.id: f.title for f in workspace.news.feeds()}
    selected = []
    for article in workspace.news.articles():
        if args.topic and args.topic.lower() not in (t.lower() for t in article.tags):
            continue
        if args.since and article.published.date() < args.since:
            continue
        selected.append(article)
        if args.limit and len(selected) >= args.limit:
            break
    if args.json:
        rows = [
            {
                "id": a.id,
                "feed_id": a.feed_id,
                "source": "sample" if a.sample else feeds.get(a.feed_id, ""),
                "title": a.title,
                "link": a.link,
                "published": utc_iso(a.published),
                "date_missing": a.date_missing,
                "tags": list(a.tags),
                "mentions": list(a.mentions),
                "unread": a.unread,
                "starred": a.starred,
                "summary": a.summary,
            }
            for a in selected
        ]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for a in selected:
        source = "sample" if a.sample else feeds.get(a.feed_id, "")
        tags = ", ".join(a.tags)
        print(
            # "?": the feed gave no date, and the fetch time stands in (as on screen).
            f"{a.published:%Y-%m-%d}{'?' if a.date_missing else ' '} "
            f"{clean_text(source)[:24]:<24}  {clean_text(a.title)}"
            + (f"  [{clean_text(tags)}]" if tags else "")
        )
    return 0
