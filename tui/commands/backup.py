"""`gpwatch backup [FILE]`: the whole data dir in one JSON file (see adapters.backup)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from adapters.store import atomic_write_bytes
from adapters.workspace import Workspace

NAME = "backup"
HELP = "write every record, feed, article and figure to one JSON file (restore with 'restore')"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="where to write it; '-' for stdout (default: gpwatch-backup-YYYY-MM-DD.json here)",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (else refused)"
    )


def default_path(today: date, directory: Path) -> Path:
    """Today's name, numbered when taken: a second backup on one day never replaces the first."""
    path = directory / f"gpwatch-backup-{today.isoformat()}.json"
    n = 1
    while path.exists():
        n += 1
        path = directory / f"gpwatch-backup-{today.isoformat()}-{n}.json"
    return path


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.backup import create_archive

    if args.file is not None and args.file != "-":
        target = Path(args.file).expanduser()
        if target.exists() and not args.force:
            print(
                f"gpwatch: error: {target} exists; give another name or --force to replace it",
                file=sys.stderr,
            )
            return 2
    archive = create_archive(workspace)
    payload = archive.encode()
    counts = ", ".join(f"{n} {table}" for table, n in sorted(archive.counts().items()))
    if args.file == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        print(f"Backed up {counts}.", file=sys.stderr)
        return 0
    target = Path(args.file).expanduser() if args.file else default_path(date.today(), Path.cwd())
    # Atomic and user-only (0600), like the data files it copies: it holds the same letters.
    atomic_write_bytes(target, payload)
    print(f"Backed up {counts} to {target} ({len(payload) / 1024:.0f} KB).")
    for file, table, doc_id in archive.unreadable:
        print(
            f"gpwatch: warning: {file} {table} #{doc_id} does not load in this gpwatch; "
            "it is in the backup as stored",
            file=sys.stderr,
        )
    return 0
