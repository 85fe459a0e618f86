"""What the Overview shows and the briefing export writes, computed once from the data dir.

The Overview screen and ``gpwatch export`` must never disagree about a
number, so both read a :class:`Briefing`. Everything is derived from stored
data; where there is none, a tile says what to do instead of showing a zero
that would look like a measurement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from adapters.news.models import Article
from adapters.records.campaigns import Campaign
from adapters.records.letters import Letter
from adapters.records.overdue import due_date, overdue_days
from adapters.records.pledges import Pledge
from adapters.records.progress import (
    WORST_FIRST,
    CampaignProgress,
    PledgeProgress,
    campaign_progress,
    pledge_progress,
)
from adapters.repository import InvalidDocument
from adapters.workforce.series import Figure, Target

if TYPE_CHECKING:
    from adapters.workforce.view import WorkforceView
    from adapters.workspace import Workspace

MAIN_METRIC = "gp_fq_fte"  # fully qualified GP FTE: the figure every argument turns on
FALLBACK_METRICS = ("gp_fq_hc", "gp_fq_perm_hc", "gp_fte", "gp_hc")
BASELINE_PERIOD = "2015-09"  # the month of the "5,000 more GPs" promise
DUE_WINDOW_DAYS = 7
HEADLINES = 8


@dataclass(frozen=True)
class Tile:
    """One headline number, what it means, and the screen behind it."""

    key: str
    title: str
    value: str
    detail: str
    mode: str
    empty: bool = False  # value is an instruction, not data
    alert: bool = False  # something needs attention (overdue, behind)


@dataclass(frozen=True)
class DueItem:
    when: dt.date
    kind: str  # "letter", "campaign deadline", "milestone", "goal deadline"
    text: str
    mode: str


@dataclass(frozen=True)
class Trend:
    """The main GP series for England and the promise it is measured against."""

    label: str
    figures: list[Figure]
    target: Target | None


@dataclass
class Briefing:
    today: dt.date
    tiles: list[Tile] = field(default_factory=list)
    trend: Trend | None = None
    due: list[DueItem] = field(default_factory=list)
    headlines: list[Article] = field(default_factory=list)  # the newest few
    articles: list[Article] = field(default_factory=list)  # every one in the period
    letters: list[tuple[Letter, int]] = field(default_factory=list)  # open, with days overdue
    campaigns: list[tuple[Campaign, CampaignProgress]] = field(default_factory=list)
    pledges: list[tuple[Pledge, PledgeProgress]] = field(default_factory=list)
    feed_titles: dict[int, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    invalid: list[InvalidDocument] = field(default_factory=list)  # stored but unreadable


def build_briefing(
    workspace: Workspace,
    today: dt.date,
    *,
    since: dt.date | None = None,
    lmc: str | None = None,
    all_news: bool = True,
) -> Briefing:
    """Everything the Overview and the export need, from one read of each file.

    ``since`` limits the news to articles published on or after it; ``lmc``
    limits the letters to those that LMC signed or received. ``all_news=False``
    (the Overview) takes the news counts and headlines from the summary in
    feeds.json and never reads the article cache, which can be 100 MB.
    """
    briefing = Briefing(today)
    response_days = workspace.settings.letters_response_days
    records = workspace.records
    letter_scan, campaign_scan, pledge_scan = (
        records.letters.scan(),
        records.campaigns.scan(),
        records.pledges.scan(),
    )
    briefing.invalid = [*letter_scan.invalid, *campaign_scan.invalid, *pledge_scan.invalid]
    letters = letter_scan.records
    if lmc is not None:
        wanted = lmc.casefold()
        letters = [x for x in letters if any(n.casefold() == wanted for n in x.lmcs)]
    briefing.letters = sorted(
        ((x, overdue_days(x, today, response_days)) for x in letters if x.is_open),
        key=lambda pair: (-pair[1], due_date(pair[0], response_days) or dt.date.max),
    )
    briefing.campaigns = [(c, campaign_progress(c, today)) for c in campaign_scan.records]
    briefing.campaigns.sort(key=lambda pair: (_severity(pair[1].verdict), pair[0].name))
    briefing.pledges = [(p, pledge_progress(p)) for p in pledge_scan.records]
    from adapters.workforce.view import load_view

    view, problems = load_view(workspace, levels=frozenset({"england"}))
    briefing.warnings.extend(problems)
    briefing.trend = _trend(view)
    news = workspace.news
    briefing.feed_titles = {f.id: f.title for f in news.feeds() if f.id is not None}
    if all_news:
        articles = news.articles()
        if since is not None:
            articles = [a for a in articles if a.published.date() >= since]
        briefing.articles = articles
        briefing.headlines = articles[:HEADLINES]
        counts = (sum(1 for a in articles if a.unread), len(articles))
    else:
        summary = news.summary()
        briefing.headlines = summary.newest[:HEADLINES]
        counts = (summary.unread, summary.total)
    briefing.tiles = _tiles(briefing, view, counts)
    briefing.due = _due(briefing, today, response_days)
    return briefing


def _severity(verdict: str) -> int:
    """Worst first; "no data" after every verdict that was measured."""
    return WORST_FIRST.index(verdict) if verdict in WORST_FIRST else len(WORST_FIRST)


def _trend(view: WorkforceView) -> Trend | None:
    from adapters.workforce.metrics import metric

    for key in (MAIN_METRIC, *FALLBACK_METRICS):
        figures = view.series(key)
        if figures:
            targets = view.targets_for(key)
            return Trend(metric(key).label, figures, targets[0] if targets else None)
    return None


def _tiles(briefing: Briefing, view: WorkforceView, news: tuple[int, int]) -> list[Tile]:
    """The six tiles; ``news`` is (unread, total) articles."""
    tiles = [_workforce_tile(briefing.trend), _intake_tile(view)]
    overdue = sum(1 for _, days in briefing.letters if days)
    if briefing.letters:
        tiles.append(
            Tile(
                "letters",
                "Open letters",
                str(len(briefing.letters)),
                f"{overdue} overdue" if overdue else "none overdue",
                "correspondence",
                alert=overdue > 0,
            )
        )
    else:
        tiles.append(
            Tile(
                "letters",
                "Open letters",
                "none",
                "press n on Correspondence (4) or `gpwatch letters import FILE.csv`",
                "correspondence",
                empty=True,
            )
        )
    active = [(c, p) for c, p in briefing.campaigns if c.status == "active"]
    behind = sum(1 for _, p in active if p.verdict in ("behind", "missed"))
    unmeasured = sum(1 for _, p in active if p.verdict == "no data")
    if active:
        detail = f"{behind} behind trajectory"
        if unmeasured:
            detail += f"; {unmeasured} with no measured value yet"
        tiles.append(
            Tile(
                "campaigns",
                "Active campaigns",
                str(len(active)),
                detail,
                "campaigns",
                alert=behind > 0,
            )
        )
    else:
        tiles.append(
            Tile(
                "campaigns",
                "Active campaigns",
                "none",
                "add one on Campaigns (5) with n",
                "campaigns",
                empty=True,
            )
        )
    done = sum(p.done for _, p in briefing.pledges)
    total = sum(p.total for _, p in briefing.pledges)
    if briefing.pledges:
        tiles.append(
            Tile(
                "pledges",
                "Pledge commitments delivered",
                f"{done}/{total}",
                f"across {len(briefing.pledges)} pledges",
                "pledges",
            )
        )
    else:
        tiles.append(
            Tile(
                "pledges", "Pledges", "none", "add one on Pledges (6) with n", "pledges", empty=True
            )
        )
    unread, total = news
    if total:
        tiles.append(Tile("news", "Unread news", str(unread), f"of {total} cached", "news"))
    else:
        tiles.append(
            Tile(
                "news", "News", "none yet", "press 3, then r to fetch the feeds", "news", empty=True
            )
        )
    return tiles


def _workforce_tile(trend: Trend | None) -> Tile:
    if trend is None or not trend.figures:
        return Tile(
            "workforce",
            "Fully qualified GPs",
            "no figures",
            "import an NHS Digital GP workforce CSV: `gpwatch import-workforce FILE`",
            "workforce",
            empty=True,
        )
    from adapters.workforce.view import at_or_before

    latest = trend.figures[-1]
    base = at_or_before(trend.figures, BASELINE_PERIOD)
    if base is not None and base is not latest:
        change = latest.value - base.value
        detail = f"{change:+,.0f} since {base.period}"
    else:
        detail = f"first figure {trend.figures[0].period}"
    return Tile(
        "workforce",
        trend.label,
        f"{latest.value:,.0f}",
        f"{latest.period}; {detail}",
        "workforce",
    )


def _intake_tile(view: WorkforceView) -> Tile:
    intake = view.series("trainee_intake")
    if not intake:
        return Tile(
            "intake",
            "GP trainee intake",
            "no figures",
            "HEE publishes it each year; record it with `gpwatch import-workforce`",
            "workforce",
            empty=True,
        )
    latest = intake[-1]
    record = max(intake, key=lambda f: f.value)
    if record is latest:
        detail = f"{latest.period}: the record so far"
    else:
        detail = f"{latest.period}; record {record.value:,.0f} in {record.period}"
    return Tile("intake", "GP trainee intake", f"{latest.value:,.0f}", detail, "workforce")


def _due(briefing: Briefing, today: dt.date, response_days: int) -> list[DueItem]:
    """Letters due, campaign deadlines, goal deadlines and milestones in the next week."""
    end = today + dt.timedelta(days=DUE_WINDOW_DAYS)
    items: list[DueItem] = []
    for letter, _ in briefing.letters:
        when = due_date(letter, response_days)
        if when is not None and today <= when <= end:
            items.append(DueItem(when, "letter", f"reply due: {letter.subject}", "correspondence"))
    for campaign, _ in briefing.campaigns:
        if campaign.ends is not None and today <= campaign.ends <= end:
            items.append(DueItem(campaign.ends, "campaign deadline", campaign.name, "campaigns"))
        for goal in campaign.goals:
            if today <= goal.target_date <= end:
                text = f"{campaign.name}: {goal.metric}"
                items.append(DueItem(goal.target_date, "goal deadline", text, "campaigns"))
        for milestone in campaign.milestones:
            if today <= milestone.date <= end:
                text = f"{campaign.name}: {milestone.text}"
                items.append(DueItem(milestone.date, "milestone", text, "campaigns"))
    return sorted(items, key=lambda item: (item.when, item.kind, item.text))
