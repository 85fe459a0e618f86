"""`gpwatch reset-sample`: remove the sample records, keep the user's own."""

from __future__ import annotations

import argparse

from adapters.workspace import Workspace

NAME = "reset-sample"
HELP = "remove the sample records seeded on first run; your own records are kept"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    del args
    report = workspace.reset_sample()
    if not report.total:
        print("No sample records to remove.")
        return 0
    detail = ", ".join(f"{n} {table}" for table, n in report.removed.items() if n)
    print(f"Removed {report.total} sample records ({detail}) from {workspace.data_dir}.")
    return 0
