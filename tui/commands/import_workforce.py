"""`gpwatch import-workforce FILE... [--period YYYY-MM]`: NHS Digital GPW CSVs as published."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adapters.text import clean_text
from adapters.workspace import Workspace

NAME = "import-workforce"
HELP = (
    "import NHS Digital General Practice Workforce CSVs (practice-level detailed or high "
    "level, individual level, PCN individual level); re-importing a period replaces it"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path, help="a GPW CSV file")
    parser.add_argument(
        "--period",
        metavar="YYYY-MM",
        help="the census month, for files whose name and columns do not give it",
    )


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.workforce.gpw import GPWFileError
    from adapters.workforce.importer import import_files

    try:
        result = import_files(workspace, args.files, args.period)
    except GPWFileError as exc:
        print(f"gpwatch: error: {clean_text(str(exc))}", file=sys.stderr)
        print("gpwatch: nothing was imported", file=sys.stderr)
        return 1
    for warning in result.warnings:
        print(f"gpwatch: warning: {clean_text(warning)}", file=sys.stderr)
    for report in result.files:
        parsed = report.parsed
        for warning in parsed.warnings:
            print(f"gpwatch: warning: {clean_text(warning)}", file=sys.stderr)
        detail = report.detail_places
        kept = [f"{detail[lv]} {word}" for lv, word in (("pcn", "PCN"), ("practice", "practice"))
                if detail.get(lv)]  # fmt: skip
        places = f"; {' and '.join(kept)} place-periods in workforce-detail.json" if kept else ""
        print(
            f"{clean_text(parsed.path.name)}: {parsed.kind}, period "
            f"{', '.join(parsed.periods)}, {parsed.rows} rows read, "
            f"{report.stored} figures stored{places}"
        )
    if result.replaced:
        print(f"Replaced what was imported before for the same periods ({result.replaced} places).")
    return 0
