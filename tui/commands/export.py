"""`gpwatch export`: a briefing for a meeting (Markdown), each table (CSV), everything (JSON)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from adapters.dates import local_date, parse_date
from adapters.store import atomic_write_bytes
from adapters.validation import ValidationError
from adapters.workspace import Workspace

NAME = "export"
HELP = "write a briefing: Markdown for a meeting, CSV per table, or JSON of everything"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("md", "csv", "json"), default="md")
    parser.add_argument(
        "--out",
        metavar="F",
        help="file to write (a folder for csv; default: gpwatch-briefing-DATE.md/.json or "
        "gpwatch-briefing-DATE/ in the current folder; - for standard output, md and json)",
    )
    parser.add_argument("--since", metavar="DATE", help="news published on or after DATE")
    parser.add_argument("--lmc", metavar="NAME", help="only letters this LMC signed or received")


def default_path(fmt: str, today: dt.date) -> Path:
    stem = f"gpwatch-briefing-{today.isoformat()}"
    return Path(stem if fmt == "csv" else f"{stem}.{fmt}")


def write_briefing(
    workspace: Workspace,
    out: Path | None,
    fmt: str,
    *,
    today: dt.date,
    since: dt.date | None = None,
    lmc: str | None = None,
) -> list[Path]:
    """Build and write the briefing (``out`` None: standard output); returns the files written."""
    from adapters.briefing import build_briefing
    from adapters.briefing_export import csv_tables, json_document, markdown

    briefing = build_briefing(workspace, today, since=since, lmc=lmc)
    if fmt == "csv":
        folder = out or default_path("csv", today)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in csv_tables(briefing).items():
            atomic_write_bytes(folder / name, text.encode("utf-8-sig"))
            written.append(folder / name)
        return written
    if fmt == "md":
        text = markdown(briefing, since=since.isoformat() if since else None, lmc=lmc)
    else:
        text = json_document(briefing)
    if out is None:
        sys.stdout.write(text)
        return []
    atomic_write_bytes(out, text.encode("utf-8"))
    return [out]


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    try:
        since = parse_date(args.since, "--since") if args.since else None
    except ValidationError as exc:
        print(f"gpwatch: error: {exc}", file=sys.stderr)
        return 2
    today = local_date(workspace.clock())
    if args.out == "-":
        if args.format == "csv":
            print("gpwatch: error: --format csv writes a folder of files, not -", file=sys.stderr)
            return 2
        out = None
    else:
        out = Path(args.out) if args.out else default_path(args.format, today)
    try:
        written = write_briefing(
            workspace, out, args.format, today=today, since=since, lmc=args.lmc
        )
    except OSError as exc:
        print(f"gpwatch: error: could not write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0
