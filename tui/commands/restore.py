"""`gpwatch restore FILE [--yes]`: replace the data dir with a backup, keeping what it replaces."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adapters.text import clean_text
from adapters.workspace import Workspace

NAME = "restore"
HELP = (
    "replace all data with a backup made by 'gpwatch backup'; the current files are kept "
    "in before-restore-<time>/ in the data dir"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the backup file, or '-' for stdin")
    parser.add_argument(
        "--yes", action="store_true", help="do not ask (needed when not run on a terminal)"
    )


def _fail(message: str, code: int = 1) -> int:
    # The archive's own text can be in a message (a key, a table name): print it inert.
    print(f"gpwatch: error: {clean_text(message)}", file=sys.stderr)
    return code


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.backup import BackupError, read_archive, restore_archive

    if args.file == "-":
        if not args.yes:
            return _fail("restoring from stdin needs --yes (stdin can not also answer)", 2)
        payload, source = sys.stdin.buffer.read(), "stdin"
    else:
        path = Path(args.file).expanduser()
        try:
            payload = path.read_bytes()
        except OSError as exc:
            return _fail(f"can not read {path}: {exc.strerror or exc}", 2)
        source = str(path.resolve())
    try:
        archive = read_archive(payload, workspace)
    except BackupError as exc:
        return _fail(f"{args.file} was not restored: {exc}")
    counts = ", ".join(f"{n} {table}" for table, n in sorted(archive.counts().items()))
    if not args.yes:
        if not sys.stdin.isatty():
            return _fail(
                f"restore replaces everything in {workspace.data_dir}; there is no terminal "
                "to ask on, so run it again with --yes to confirm",
                2,
            )
        print(
            f"This replaces everything in {workspace.data_dir} with the backup of "
            f"{archive.created} ({counts}).\nThe current files are kept in "
            f"{workspace.data_dir}/before-restore-<time>/. Restore? [y/N] ",
            end="",
            file=sys.stderr,
            flush=True,
        )
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            print("Not restored; nothing was changed.", file=sys.stderr)
            return 1
    try:
        report = restore_archive(workspace, archive, source=source)
    except BackupError as exc:
        return _fail(str(exc))
    print(f"Restored {counts} from {args.file} (backup of {archive.created}).")
    if report.kept is not None:
        print(
            f"The data it replaced is in {report.kept} (a data dir: "
            f"'gpwatch --data-dir {report.kept} backup' makes it a backup file)."
        )
    if report.removed:
        print(f"Not in the backup, so kept there and removed here: {', '.join(report.removed)}.")
    return 0
