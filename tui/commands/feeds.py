"""`gpwatch feeds list|add|remove|rename|enable|disable`: manage subscriptions."""

from __future__ import annotations

import argparse
import sys

from adapters.text import clean_text
from adapters.workspace import Workspace

NAME = "feeds"
HELP = "list, add, remove, rename, enable or disable news feeds"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="feeds_action", metavar="ACTION", required=True)
    actions.add_parser("list", help="every feed with its id, state and address")
    add = actions.add_parser("add", help="subscribe to a feed address")
    add.add_argument("url")
    add.add_argument("--title", default="", help="a name for it (default: the address)")
    remove = actions.add_parser("remove", help="unsubscribe; its unstarred articles go too")
    remove.add_argument("id", type=int)
    rename = actions.add_parser("rename", help="give a feed a new name")
    rename.add_argument("id", type=int)
    rename.add_argument("title")
    for name in ("enable", "disable"):
        toggle = actions.add_parser(name, help=f"{name} a feed without removing it")
        toggle.add_argument("id", type=int)


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.validation import ValidationError

    news = workspace.news
    try:
        if args.feeds_action == "list":
            unread = news.unread_counts()
            for feed in news.feeds():
                assert feed.id is not None
                state = "disabled" if not feed.enabled else feed.state
                if feed.state == "failed" and feed.enabled:
                    state = f"failed: {feed.reason}"
                print(
                    f"{feed.id:>4}  {clean_text(feed.title)}  [{clean_text(state)}, "
                    f"{unread.get(feed.id, 0)} unread]  {clean_text(feed.url)}"
                )
            return 0
        if args.feeds_action == "add":
            feed = news.add_feed(args.title or args.url, args.url)
            print(f"Added feed {feed.id}: {clean_text(feed.title)}")
        elif args.feeds_action == "remove":
            feed, dropped = news.remove_feed(args.id)
            print(f"Removed feed {args.id}: {clean_text(feed.title)} ({dropped} articles)")
        elif args.feeds_action == "rename":
            feed = news.rename_feed(args.id, args.title)
            print(f"Renamed feed {args.id}: {clean_text(feed.title)}")
        else:
            enabled = args.feeds_action == "enable"
            news.set_feed_enabled(args.id, enabled)
            print(f"Feed {args.id} {'enabled' if enabled else 'disabled'}")
    except ValidationError as exc:
        print(f"gpwatch: error: {clean_text(exc.message)}", file=sys.stderr)
        return 2
    return 0
