"""`gpwatch import-opml FILE`: subscribe to the feeds in another reader's export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adapters.text import clean_text
from adapters.workspace import Workspace

NAME = "import-opml"
HELP = "subscribe to every feed in an OPML file (feeds already subscribed are skipped)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path)


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.news.opml import OpmlError, read_opml_file

    try:
        feeds, skipped = read_opml_file(args.file)
    except OpmlError as exc:
        print(f"gpwatch: error: {clean_text(exc)}", file=sys.stderr)
        return 2
    added, known = workspace.news.add_feeds((f.title, f.url) for f in feeds)
    print(
        f"Imported {len(added)} feeds from {clean_text(args.file)}; {known} already "
        f"subscribed, {skipped} skipped (not http(s) or repeated)."
    )
    return 0
