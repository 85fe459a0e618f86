"""Sub-commands: one module each, listed in COMMANDS.

A command module defines NAME, HELP, ``add_arguments(parser)`` and
``run(args, workspace) -> int``. Modules must import quickly (no Textual, no
feed parsing at import time): the CLI imports all of them to build --help.
"""

from __future__ import annotations

import argparse
from typing import Protocol

from adapters.workspace import Workspace
from tui.commands import (
    articles,
    backup,
    campaigns,
    export,
    export_opml,
    feeds,
    import_opml,
    import_workforce,
    letters,
    pledges,
    refresh,
    reset_sample,
    restore,
    serve,
    workforce,
)


class Command(Protocol):
    NAME: str
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, workspace: Workspace) -> int: ...


COMMANDS: tuple[Command, ...] = (  # type: ignore[assignment]
    refresh,
    feeds,
    articles,
    import_opml,
    export_opml,
    reset_sample,
    letters,
    campaigns,
    pledges,
    import_workforce,
    workforce,
    backup,
    restore,
    export,
    serve,
)
