"""Sub-commands: one module each, listed in MODULES.

A command module defines NAME, HELP, ``add_arguments(parser)`` and
``run(args, workspace) -> int``. Modules must import quickly (no Textual, no
feed parsing at import time): ``gpwatch --help`` imports all of them, while
``gpwatch COMMAND`` imports only its own.
"""

from __future__ import annotations

import argparse
import importlib
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from adapters.workspace import Workspace


class Command(Protocol):
    NAME: str
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, workspace: Workspace) -> int: ...


# Command name -> module in this package, in the order --help lists them.
MODULES: dict[str, str] = {
    "refresh": "refresh",
    "feeds": "feeds",
    "articles": "articles",
    "import-opml": "import_opml",
    "export-opml": "export_opml",
    "reset-sample": "reset_sample",
    "letters": "letters",
    "campaigns": "campaigns",
    "pledges": "pledges",
    "import-workforce": "import_workforce",
    "workforce": "workforce",
    "backup": "backup",
    "restore": "restore",
    "export": "export",
    "serve": "serve",
}


def command(name: str) -> Command:
    return cast(Command, importlib.import_module(f"{__name__}.{MODULES[name]}"))


def commands() -> tuple[Command, ...]:
    return tuple(command(name) for name in MODULES)
