"""`gpwatch export-opml FILE`: every subscription as OPML for another reader."""

from __future__ import annotations

import argparse
from pathlib import Path

from adapters.text import clean_text
from adapters.workspace import Workspace

NAME = "export-opml"
HELP = "write every subscribed feed to an OPML file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path)


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.news.opml import OpmlFeed, write_opml_file

    feeds = [OpmlFeed(f.title, f.url) for f in workspace.news.feeds()]
    write_opml_file(args.file, feeds)
    print(f"Wrote {len(feeds)} feeds to {clean_text(args.file)}.")
    return 0
