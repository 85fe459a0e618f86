"""`gpwatch pledges list`: funding pledges and how many commitments were delivered."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from adapters.text import clean_text
from adapters.workspace import Workspace

NAME = "pledges"
HELP = "list funding pledges and their commitments delivered (--json for scripts)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="pledges_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every pledge with its amount and delivery")
    listing.add_argument("--json", action="store_true", help="a JSON array instead of a table")


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.records.progress import pledge_progress

    pledges = workspace.records.pledges.all()
    if args.json:
        rows = [_as_json(p, pledge_progress(p)) for p in pledges]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if not pledges:
        print("No pledges.")
        return 0
    from tui.format import gbp

    print(
        f"{'ID':>4}  {'ORGANISATION':<30}  {'PLEDGE':<32}  {'AMOUNT':<12}  {'FROM':<10}  "
        f"{'STATUS':<10}  DELIVERED"
    )
    for pledge in pledges:
        progress = pledge_progress(pledge)
        amount = gbp(pledge.amount_gbp) + (" a year" if pledge.recurrent else "")
        since = pledge.funded_from.isoformat() if pledge.funded_from else "—"
        delivered = f"{progress.done}/{progress.total}"
        if progress.unlisted:
            delivered += f" ({progress.unlisted} not listed by the source)"
        print(
            f"{pledge.id:>4}  {_cut(pledge.organisation, 30):<30}  {_cut(pledge.title, 32):<32}  "
            f"{amount:<12}  {since:<10}  {pledge.status:<10}  {delivered}"
        )
    return 0


def _cut(text: str, width: int) -> str:
    cleaned = clean_text(text)
    return cleaned if len(cleaned) <= width else cleaned[: width - 1] + "…"


def _as_json(pledge: Any, progress: Any) -> dict[str, Any]:
    return {
        "id": pledge.id,
        "organisation": pledge.organisation,
        "title": pledge.title,
        "amount_gbp": pledge.amount_gbp,
        "recurrent": pledge.recurrent,
        "funded_from": pledge.funded_from.isoformat() if pledge.funded_from else None,
        "announced": pledge.announced.isoformat() if pledge.announced else None,
        "status": pledge.status,
        **progress.as_dict(),
        "commitments": [c.to_doc() for c in pledge.commitments],
        "summary": pledge.summary,
        "notes": pledge.notes,
        "source": pledge.source.to_doc() if pledge.source else None,
        "sample": pledge.sample,
    }
