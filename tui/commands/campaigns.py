"""`gpwatch campaigns list|record-value`: campaigns and their goals, for people and scripts.

``record-value`` is how a figure published today (a quarterly GP count, a
petition's signatures) reaches a campaign's goal without opening the
dashboard, e.g. from a script that follows NHS Digital's releases. Bad input
exits 2 naming the argument, an unknown or ambiguous campaign or goal exits 1,
so a script can tell a typo from a campaign that was renamed or removed.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from adapters.text import clean_text
from adapters.workspace import Workspace

NAME = "campaigns"
HELP = "list campaigns with their goals' progress (--json for scripts), or record a value"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="campaigns_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every campaign, its goals and their verdicts")
    listing.add_argument("--json", action="store_true", help="a JSON array instead of a table")
    record = actions.add_parser(
        "record-value",
        help="record a measured value of one goal",
        description=(
            "Record a measured value of one goal of a campaign. CAMPAIGN is its id or exact "
            "name, GOAL its key (shown by `campaigns list`) or exact metric name."
        ),
    )
    record.add_argument("campaign", metavar="CAMPAIGN")
    record.add_argument("goal", metavar="GOAL")
    record.add_argument(
        "value",
        metavar="VALUE",
        help="e.g. 1200, 1,200 or -3.5 (put -- before a value such as -1,200)",
    )
    record.add_argument(
        "--date", required=True, metavar="D", help="when it was measured: 2021-09-02 or 2 Sep 2021"
    )
    record.add_argument("--source", required=True, metavar="URL", help="http(s) address of it")
    record.add_argument("--source-title", default="", metavar="T", help="the source's title")
    record.add_argument("--note", default="", help="anything to know about the figure")


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    if args.campaigns_action == "list":
        return _list(args, workspace)
    return _record_value(args, workspace)


def _today(workspace: Workspace) -> Any:
    from adapters.dates import local_date

    return local_date(workspace.clock())


def _error(message: str, code: int) -> int:
    print(f"gpwatch: error: {clean_text(message)}", file=sys.stderr)
    return code


def _num(value: float | None) -> str:
    """Whole numbers as they are; fractions to one place, or none from 100 up."""
    if value is None:
        return "—"
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _rate(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:+,.0f} {unit} a year"


def _list(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.records.progress import campaign_progress

    today = _today(workspace)
    campaigns = workspace.records.campaigns.all()
    if args.json:
        rows = [_as_json(c, campaign_progress(c, today)) for c in campaigns]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if not campaigns:
        print("No campaigns.")
        return 0
    print(f"{'ID':>4}  {'NAME':<40}  {'KIND':<16}  {'STATUS':<8}  {'LEAD':<26}  DONE  VERDICT")
    for campaign in campaigns:
        progress = campaign_progress(campaign, today)
        done = "—" if progress.percent_done is None else f"{progress.percent_done:.0f}%"
        print(
            f"{campaign.id:>4}  {_cut(campaign.name, 40):<40}  {_cut(campaign.kind, 16):<16}  "
            f"{campaign.status:<8}  {_cut(campaign.lead, 26):<26}  {done:>4}  {progress.verdict}"
        )
        for goal in progress.goals:
            print(f"{'':>6}{clean_text(goal.key)}: {_goal_line(goal)}")
    return 0


def _cut(text: str, width: int) -> str:
    cleaned = clean_text(text)
    return cleaned if len(cleaned) <= width else cleaned[: width - 1] + "…"


def _goal_line(goal: Any) -> str:
    unit = clean_text(goal.unit)
    head = (
        f"{clean_text(goal.metric)}, {_num(goal.baseline)} → {_num(goal.target)} {unit} "
        f"by {goal.target_date.isoformat()}"
    )
    if goal.latest is None:
        return f"{head}: no value measured since the baseline"
    return (
        f"{head}: {_num(goal.latest)} on {goal.latest_date.isoformat()} "
        f"({goal.percent_done:.0f}%), {goal.verdict}"
    )


def _as_json(campaign: Any, progress: Any) -> dict[str, Any]:
    goals = []
    for goal, measured in zip(campaign.goals, progress.goals, strict=True):
        row = measured.as_dict()
        row["notes"] = goal.notes
        row["measurements"] = [m.to_doc() for m in goal.measurements]
        goals.append(row)
    return {
        "id": campaign.id,
        "name": campaign.name,
        "kind": campaign.kind,
        "status": campaign.status,
        "lead": campaign.lead,
        "backers": list(campaign.backers),
        "audience": campaign.audience,
        "channels": list(campaign.channels),
        "started": campaign.started.isoformat() if campaign.started else None,
        "ends": campaign.ends.isoformat() if campaign.ends else None,
        "percent_done": progress.percent_done,
        "verdict": progress.verdict,
        "goals": goals,
        "milestones": [m.to_doc() for m in campaign.milestones_by_date()],
        "articles": list(campaign.articles),
        "letters": list(campaign.letters),
        "summary": campaign.summary,
        "notes": campaign.notes,
        "source": campaign.source.to_doc() if campaign.source else None,
        "sample": campaign.sample,
    }


def _record_value(args: argparse.Namespace, workspace: Workspace) -> int:
    from adapters.dates import parse_date
    from adapters.records.campaigns import find_campaign, find_goal, record_value
    from adapters.records.checks import http_url, parse_number, required_date
    from adapters.records.progress import goal_progress
    from adapters.validation import ValidationError

    today = _today(workspace)
    try:
        value = parse_number(args.value, "VALUE")
        when = required_date(parse_date(args.date, "--date"), "--date")
        if when > today:
            raise ValidationError("--date", f"{when.isoformat()} is in the future")
        if not args.source.strip():
            raise ValidationError("--source", "must not be empty")
        source = http_url(args.source, "--source")
    except ValidationError as exc:
        return _error(str(exc), 2)

    repository = workspace.records.campaigns
    try:
        # One lock across read and write: the dashboard or another command
        # saving the same campaign meanwhile can not be overwritten.
        with workspace.records.db.transaction():
            campaign = find_campaign(repository.all(), args.campaign)
            goal = find_goal(campaign, args.goal)
            updated = record_value(
                campaign,
                goal.key,
                value,
                when,
                source,
                source_title=args.source_title,
                note=args.note,
                today=today,
            )
            repository.update(updated, expected=campaign)
    except LookupError as exc:  # NotFound, Ambiguous, or removed by another process
        return _error(str(exc.args[0]) if exc.args else "not found", 1)
    except ValidationError as exc:
        return _error(str(exc), 2)

    new_goal = find_goal(updated, goal.key)
    progress = goal_progress(new_goal, today)
    unit = clean_text(goal.unit)
    print(
        f"Recorded {_num(value)} {unit} on {when.isoformat()} for goal {clean_text(goal.key)} "
        f"({clean_text(goal.metric)}) of campaign {campaign.id}, {clean_text(campaign.name)}."
    )
    if when < goal.baseline_date:
        print(
            f"It is dated before the baseline ({goal.baseline_date.isoformat()}): kept, "
            "but not counted in progress."
        )
    print(_verdict_line(progress, unit))
    for flag in progress.flags:
        print(f"Note: {clean_text(flag)}.")
    return 0


def _verdict_line(progress: Any, unit: str) -> str:
    if progress.latest is None:
        return "Verdict: no data (no value measured on or after the baseline date)."
    line = (
        f"Verdict: {progress.verdict}; latest {_num(progress.latest)} {unit} "
        f"({progress.percent_done:.0f}% of the way from {_num(progress.baseline)} to "
        f"{_num(progress.target)}), {_num(abs(progress.gap_to_path))} "
        f"{'ahead of' if progress.gap_to_path >= 0 else 'behind'} the straight-line path."
    )
    line += f"\nThe path needed {_rate(progress.path_rate, unit)}"
    line += f"; achieved so far {_rate(progress.achieved_rate, unit)}"
    if progress.needed_rate is not None:
        line += (
            f"; needed from now to {progress.target_date.isoformat()}: "
            f"{_rate(progress.needed_rate, unit)}"
        )
    return line + "."
