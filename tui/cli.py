"""The `gpwatch` entry point.

argparse rather than typer/click: it is in the standard library, costs almost
nothing to import (start-up time is a target) and sub-parsers make each command
one small module in ``tui.commands``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from adapters.store import DATA_DIR_ENV, StoreError, resolve_data_dir
from adapters.text import clean_text
from adapters.workspace import Workspace


class VersionAction(argparse.Action):
    """--version, looked up only when asked: importlib.metadata costs ~35 ms to import."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("gpwatch")
        except PackageNotFoundError:  # a source tree that was never installed
            found = "0+unknown"
        print(f"gpwatch {found}")
        parser.exit()


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or with ``only`` one command's: the modules of the others
    (and their argparse set-up) are not loaded to run it."""
    parser = argparse.ArgumentParser(
        prog="gpwatch",
        description=(
            "A terminal dashboard for England's general-practice workforce: figures "
            "against targets, news, LMC correspondence, campaigns and pledges. "
            "With no command, opens the dashboard."
        ),
        epilog=f"The data dir can also be set with ${DATA_DIR_ENV}.",
    )
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help=f"where gpwatch keeps its files (default: ${DATA_DIR_ENV}, else the user data dir)",
    )
    from tui.commands import command as load_command
    from tui.commands import commands

    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in (load_command(only),) if only else commands():
        sub = subparsers.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def _global_options(
    argv: Sequence[str] | None,
) -> tuple[argparse.Namespace, list[str]] | None:
    quick = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    quick.add_argument("--data-dir")
    try:
        return quick.parse_known_args(argv)
    except argparse.ArgumentError:
        return None


def dashboard_args(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """`gpwatch [--data-dir DIR]`, the common case, read without loading every command.

    Anything else (a command, --help, --version, a mistake) is left to the full
    parser, which says what is wrong in its own words.
    """
    found = _global_options(argv)
    if found is None or found[1]:
        return None
    args = found[0]
    args.command = None
    return args


def command_named(argv: Sequence[str] | None) -> str | None:
    """The command ``argv`` runs, when it plainly names one (else None: parse it all)."""
    from tui.commands import MODULES

    found = _global_options(argv)
    if found is None or not found[1]:
        return None
    name = found[1][0]
    return name if name in MODULES else None


def error(message: str) -> int:
    # Messages can carry file names and file content: print them inert.
    print(f"gpwatch: error: {clean_text(message)}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            return run(argv)
        finally:
            # Output still buffered would be written at exit, past any handler.
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`gpwatch articles | head`): stop quietly, as other
        # tools do, with SIGPIPE's status; stdout goes to /dev/null so the flush at
        # exit does not raise again.
        with contextlib.suppress(AttributeError, OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 128 + 13


def run(argv: Sequence[str] | None) -> int:
    args = dashboard_args(argv) or build_parser(only=command_named(argv)).parse_args(argv)
    workspace: Workspace | None = None
    warned: list[object] = []

    def warn_recoveries() -> None:
        # news.json is read lazily, so a damaged one can be found during the command.
        for recovery in workspace.recoveries if workspace else ():
            if recovery not in warned:
                warned.append(recovery)
                print(f"gpwatch: warning: {clean_text(recovery.message)}", file=sys.stderr)

    try:
        workspace = Workspace.open(resolve_data_dir(args.data_dir))
        warn_recoveries()
        if args.command is None:
            return open_dashboard(workspace)
        code = int(args.run(args, workspace))
        warn_recoveries()
        return code
    except StoreError as exc:
        warn_recoveries()
        return error(str(exc))
    except KeyboardInterrupt:  # including while waiting for another process's lock
        return 130


def open_dashboard(workspace: Workspace) -> int:
    # Imported here so that sub-commands run without loading Textual.
    from tui.app import GpwatchApp

    app = GpwatchApp(workspace)
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
