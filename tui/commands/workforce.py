"""`gpwatch workforce list|metrics|targets|target`: the stored and bundled figures, for scripts."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from adapters.text import clean_text
from adapters.workspace import Workspace

NAME = "workforce"
HELP = "list workforce figures (--json for scripts), the metric names, and the targets"
LEVELS = ("england", "region", "icb", "sub_icb", "lmc", "pcn", "practice")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="workforce_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="figures, filtered; bundled ones included")
    listing.add_argument("--metric", metavar="M", help="a metric name (see 'workforce metrics')")
    listing.add_argument(
        "--level",
        choices=LEVELS,
        help="a geography level (PCN and practice figures are listed only when asked for "
        "with --level pcn|practice or --code)",
    )
    listing.add_argument("--code", metavar="CODE", help="a place's code (or an LMC's name)")
    listing.add_argument("--period", metavar="YYYY-MM", help="one period")
    listing.add_argument("--json", action="store_true", help="a JSON array instead of a table")
    actions.add_parser("metrics", help="the metric names and what each counts")
    actions.add_parser("targets", help="the targets figures are held against")
    target = actions.add_parser("target", help="change a target's baseline, value or deadline")
    target.add_argument("id", type=int, help="the target's id (see 'workforce targets')")
    target.add_argument("--baseline", type=float, metavar="VALUE")
    target.add_argument("--baseline-period", metavar="PERIOD", help="YYYY, YYYY-MM or YYYY/YY")
    target.add_argument("--target", type=float, metavar="VALUE", help="the level promised")
    target.add_argument("--deadline", metavar="PERIOD")
    target.add_argument("--notes")


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    action = args.workforce_action
    if action == "metrics":
        return _metrics()
    if action == "targets":
        return _targets(workspace)
    if action == "target":
        return _edit_target(args, workspace)
    return _list(args, workspace)


def _metrics() -> int:
    from adapters.workforce.metrics import METRICS

    for m in METRICS:
        print(f"{m.key:<26} {m.label} [{m.unit}]")
    return 0


def figure_json(figure: Any) -> dict[str, Any]:
    return {
        "metric": figure.metric,
        "period": figure.period,
        "level": figure.geography_level,
        "code": figure.geography_code,
        "name": figure.geography_name,
        "value": figure.value,
        "unit": figure.unit,
        "source": figure.source.to_doc(),
        "notes": figure.notes,
        "dataset": figure.dataset,
        "sample": figure.sample,
    }


def _list(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.workforce.series import period_sort_key
    from adapters.workforce.view import load_view

    view, warnings = load_view(workspace)
    # PCN and practice figures are in workforce-detail.json, read only when asked for:
    # every practice of every month is far more than a plain `workforce list` wants.
    detail = args.level in ("pcn", "practice") or (args.level is None and args.code is not None)
    if detail:
        from adapters.workforce.detail import load_detail

        read = load_detail(workspace)
        view.attach_detail(read.index)
        warnings = [*warnings, *read.warnings]
    for warning in warnings:
        print(f"gpwatch: warning: {clean_text(warning)}", file=sys.stderr)
    figures = [
        f
        for f in view.all_figures(detail=detail)
        if (args.metric is None or f.metric == args.metric)
        and (args.level is None or f.geography_level == args.level)
        and (args.code is None or f.geography_code == args.code)
        and (args.period is None or f.period == args.period)
    ]
    figures.sort(
        key=lambda f: (
            f.metric,
            LEVELS.index(f.geography_level),
            f.geography_code,
            period_sort_key(f.period),
        )
    )
    if args.json:
        json.dump([figure_json(f) for f in figures], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if not figures:
        print("No figures match.")
        return 0
    print(f"{'METRIC':<24} {'PERIOD':<8} {'PLACE':<30} {'VALUE':>12}  SOURCE")
    for f in figures:
        print(
            f"{f.metric:<24} {f.period:<8} {_cut(f.geography_name, 30):<30} "
            f"{f.value:>12,.2f}  {_cut(f.source.label(), 60)}"
        )
    return 0


def _cut(text: str, width: int) -> str:
    cleaned = clean_text(text)
    return cleaned if len(cleaned) <= width else cleaned[: width - 1] + "…"


def _targets(workspace: Workspace) -> int:
    targets = workspace.targets.all()
    if not targets:
        print("No targets.")
        return 0
    for t in targets:
        print(
            f"{t.id:>3}  {clean_text(t.name)}: {t.metric} from {t.baseline_value:,.0f} "
            f"({t.baseline_period}) to {t.target_value:,.0f} by {t.deadline}"
            f"  [{clean_text(t.source.label())}]"
        )
    return 0


def _edit_target(args: argparse.Namespace, workspace: Workspace) -> int:
    from dataclasses import replace

    from adapters.repository import RecordMissing
    from adapters.validation import ValidationError

    changes: dict[str, Any] = {
        field: value
        for field, value in (
            ("baseline_value", args.baseline),
            ("baseline_period", args.baseline_period),
            ("target_value", args.target),
            ("deadline", args.deadline),
            ("notes", args.notes),
        )
        if value is not None
    }
    try:
        saved = workspace.targets.modify(args.id, lambda t: replace(t, **changes))
    except ValidationError as exc:
        print(f"gpwatch: error: {clean_text(str(exc))}", file=sys.stderr)
        return 2
    except RecordMissing as exc:
        print(f"gpwatch: error: {clean_text(str(exc))}", file=sys.stderr)
        return 1
    print(
        f"Saved: {clean_text(saved.name)} from {saved.baseline_value:,.0f} "
        f"({saved.baseline_period}) to {saved.target_value:,.0f} by {saved.deadline}"
    )
    return 0
