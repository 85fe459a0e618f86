"""The briefing as a file: Markdown for a meeting, CSV per table, JSON of everything.

Every string that came from outside (feed titles, CSV cells, typed fields) is
written inert: Markdown and HTML metacharacters escaped so a title cannot
become a link, an image or a script when the file is rendered; CSV cells that
a spreadsheet would run as formulas get a leading apostrophe; JSON is data by
construction.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from adapters.briefing import Briefing
from adapters.news.models import is_http_url, utc_iso
from adapters.records.letter_csv import neutralise
from adapters.records.overdue import due_date
from adapters.text import clean_text

FORMATS = ("md", "csv", "json")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md(text: object) -> str:
    """Untrusted text as literal Markdown: one line, HTML and Markdown syntax escaped."""
    plain = " ".join(clean_text(text).split())
    plain = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", plain)


def md_link(url: str) -> str:
    """An http(s) address as an autolink; anything else is not a link at all."""
    if url and is_http_url(url) and not re.search(r"[\s<>]", url):
        return f"<{url}>"
    return ""


def markdown(briefing: Briefing, *, since: str | None = None, lmc: str | None = None) -> str:
    lines: list[str] = [f"# GP workforce briefing, {briefing.today:%d %B %Y}", ""]
    scope = []
    if lmc:
        scope.append(f"letters of {md(lmc)}")
    if since:
        scope.append(f"news since {md(since)}")
    if scope:
        lines += ["_" + "; ".join(scope) + "_", ""]
    lines += ["## Headline figures", ""]
    for tile in briefing.tiles:
        value = "—" if tile.empty else md(tile.value)
        lines.append(f"- **{md(tile.title)}**: {value} ({md(tile.detail)})")
    trend = briefing.trend
    if trend is not None and trend.figures:
        latest = trend.figures[-1]
        source = latest.source.label() if latest.source else "no source recorded"
        lines += ["", f"Source of the {md(trend.label)} figure: {md(source)}."]
        if trend.target is not None:
            target = trend.target
            lines.append(
                f"Target: {md(target.name)}: {target.target_value:,.0f} by "
                f"{md(target.deadline)}, from {target.baseline_value:,.0f} in "
                f"{md(target.baseline_period)} ({md(target.source.label())})."
            )
    overdue = [(x, d) for x, d in briefing.letters if d]
    waiting = [(x, d) for x, d in briefing.letters if not d]
    lines += ["", "## Letters", ""]
    if not briefing.letters:
        lines.append("No open letters.")
    for title, rows in (("Overdue", overdue), ("Open", waiting)):
        if not rows:
            continue
        lines += [f"### {title}", "", "| Subject | To/from | LMCs | Sent | Due | Overdue |"]
        lines.append("|---|---|---|---|---|---:|")
        for letter, days in rows:
            due = due_date(letter)
            lines.append(
                f"| {md(letter.subject)} | {md(letter.counterparty)} | "
                f"{md('; '.join(letter.lmcs))} | {letter.sent or '—'} | {due or '—'} | "
                f"{f'{days} days' if days else ''} |"
            )
        lines.append("")
    lines += ["## Campaigns", ""]
    if not briefing.campaigns:
        lines.append("No campaigns recorded.")
    for campaign, progress in briefing.campaigns:
        lines.append(
            f"- **{md(campaign.name)}** ({md(campaign.status)}, led by {md(campaign.lead)}): "
            f"{md(progress.verdict)}"
            + (f", {progress.percent_done:.0f}% of target" if progress.percent_done else "")
        )
        for goal in progress.goals:
            if goal.latest is None:
                lines.append(f"  - {md(goal.metric)}: no measured value yet")
                continue
            needed = f"; needs {goal.needed_rate:+,.0f}/year" if goal.needed_rate else ""
            lines.append(
                f"  - {md(goal.metric)}: {goal.latest:,.0f} at {goal.latest_date} against "
                f"{goal.target:,.0f} by {goal.target_date} ({md(goal.verdict)}{needed})"
            )
    lines += ["", "## Pledges", ""]
    if not briefing.pledges:
        lines.append("No pledges recorded.")
    for pledge, progress in briefing.pledges:
        amount = f"£{pledge.amount_gbp:,}" if pledge.amount_gbp is not None else "amount unknown"
        if pledge.recurrent:
            amount += " a year"
        lines.append(
            f"- **{md(pledge.title)}** ({md(pledge.organisation)}, {amount}, "
            f"{md(pledge.status)}): {progress.done}/{progress.total} commitments delivered"
        )
    lines += ["", "## News by topic", ""]
    by_topic: dict[str, list[Any]] = defaultdict(list)
    for article in briefing.articles:
        for tag in article.tags or ("untagged",):
            by_topic[tag].append(article)
    if not by_topic:
        lines.append("No news in the cache for this period.")
    for topic in sorted(by_topic):
        lines += [f"### {md(topic)}", ""]
        for article in by_topic[topic][:5]:
            link = md_link(article.link)
            lines.append(
                f"- {article.published:%d %b %Y}: {md(article.title)}"
                + (f" {link}" if link else "")
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(clean_text(cell, keep_newlines=True)) for cell in row])
    return out.getvalue()


def csv_tables(briefing: Briefing) -> dict[str, str]:
    """One CSV per table, by file name."""
    return {
        "letters.csv": _csv(
            ("id", "subject", "counterparty", "lmcs", "status", "sent", "due", "overdue_days"),
            (
                (
                    x.id,
                    x.subject,
                    x.counterparty,
                    "; ".join(x.lmcs),
                    x.status,
                    x.sent or "",
                    due_date(x) or "",
                    d,
                )
                for x, d in briefing.letters
            ),
        ),
        "campaigns.csv": _csv(
            ("id", "name", "kind", "status", "lead", "verdict", "percent_done"),
            (
                (
                    c.id,
                    c.name,
                    c.kind,
                    c.status,
                    c.lead,
                    p.verdict,
                    "" if p.percent_done is None else f"{p.percent_done:.1f}",
                )
                for c, p in briefing.campaigns
            ),
        ),
        "pledges.csv": _csv(
            ("id", "organisation", "title", "amount_gbp", "recurrent", "status", "done", "total"),
            (
                (
                    p.id,
                    p.organisation,
                    p.title,
                    p.amount_gbp or "",
                    p.recurrent,
                    p.status,
                    g.done,
                    g.total,
                )
                for p, g in briefing.pledges
            ),
        ),
        "figures.csv": _csv(
            ("metric", "period", "level", "code", "name", "value", "unit", "source"),
            (
                (
                    f.metric,
                    f.period,
                    f.geography_level,
                    f.geography_code,
                    f.geography_name,
                    f.value,
                    f.unit,
                    f.source.label() if f.source else "",
                )
                for f in (briefing.trend.figures if briefing.trend else [])
            ),
        ),
        "news.csv": _csv(
            ("published", "source", "title", "tags", "link"),
            (
                (
                    utc_iso(a.published),
                    briefing.feed_titles.get(a.feed_id, ""),
                    a.title,
                    "; ".join(a.tags),
                    a.link,
                )
                for a in briefing.articles
            ),
        ),
    }


def json_document(briefing: Briefing) -> str:
    def doc(record: Any) -> dict[str, Any]:
        return {"id": record.id, **record.to_doc()}

    everything = {
        "format": "gpwatch-briefing",
        "version": 1,
        "date": briefing.today.isoformat(),
        "tiles": [tile.__dict__ for tile in briefing.tiles],
        "letters": [{**doc(x), "overdue_days": d} for x, d in briefing.letters],
        "campaigns": [{**doc(c), "progress": p.as_dict()} for c, p in briefing.campaigns],
        "pledges": [{**doc(p), "progress": g.as_dict()} for p, g in briefing.pledges],
        "trend": None
        if briefing.trend is None
        else {
            "label": briefing.trend.label,
            "figures": [f.to_doc() for f in briefing.trend.figures],
            "target": None if briefing.trend.target is None else briefing.trend.target.to_doc(),
        },
        "due": [{"date": i.when.isoformat(), "kind": i.kind, "text": i.text} for i in briefing.due],
        "news": [{"id": a.id, **a.to_doc()} for a in briefing.articles],
    }
    return json.dumps(everything, ensure_ascii=False, indent=2, default=str) + "\n"
