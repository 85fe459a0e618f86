"""Sample news items: the seed articles themselves, so the News screen is alive offline.

Their own addresses were not kept with the seeds, so they carry no link;
where an article's date is not in its text the date is flagged as missing,
as a fetched item without a date would be.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from adapters.news.cache import SAMPLE_FEED_ID
from adapters.news.models import Article
from adapters.news.topics import TopicRules, mentions

_ITEMS: tuple[tuple[str, str, datetime | None, str], ...] = (
    (
        "Jeremy Hunt Backs GP Trainees Campaign Amid Recruitment Crisis",
        "news report",
        datetime(2015, 9, 24, tzinfo=UTC),
        "The Health Secretary backs HEE's campaign, supported by the RCGP, BMA and NHS "
        "England, urging junior doctors to train as GPs, two days after the RCGP's petition "
        "on trainee pay. The BMA's Dr Krishna Kasaraneni notes 600 GP trainee vacancies this "
        "year; DH restates the target of 5,000 more doctors in general practice by 2020.",
    ),
    (
        "GP's encouraged to consider portfolio careers!",
        "Barrie Hopson",
        datetime(2018, 4, 4, tzinfo=UTC),
        "The BMA asks for 'virtual', chambers-style GP models to stop GPs leaving, drawing on "
        "NHS England's GP Career Plus retention pilot for GPs aged 55-59: 10 areas, up to 80 "
        "GPs, to be evaluated after six months.",
    ),
    (
        "New specialised service for GPs",
        "BMA",
        None,
        "From January 2017 GPs in England can refer themselves to the NHS GP Health Service, "
        "a £19.5m confidential service for burnout, psychological and addiction support led "
        "by the Hurley Group. The BMA's Helena McKeown calls for prevention: GP workload "
        "under control.",
    ),
    (
        "LMCs urge BMA GP leads to restore dialogue with NHS England",
        "Pulse",
        datetime(2021, 9, 2, tzinfo=UTC),
        "Nine LMCs write to BMA GPC asking it to end the impasse with NHS England; GPC had "
        "paused meetings in May. The BMA's Support Your Surgery campaign rallies public "
        "support for practices amid rising abuse.",
    ),
    (
        "HEE pledges £10 million to help trainee doctors return to work",
        "Pulse",
        None,
        "Health Education England will spend a recurrent £10m a year from April 2017 on a "
        "return to training scheme, with 10 commitments to support trainee doctors coming "
        "back after time out.",
    ),
)


def sample_articles(
    rules: TopicRules, names: Sequence[tuple[str, str]], now: datetime
) -> list[Article]:
    """The seed articles as unread sample items, tagged and linked like fetched ones."""
    articles = []
    for number, (title, author, published, summary) in enumerate(_ITEMS):
        articles.append(
            Article(
                feed_id=SAMPLE_FEED_ID,
                key=f"sample:{number}",
                title=title,
                link="",
                summary=summary,
                published=published or now,
                fetched=now,
                date_missing=published is None,
                author=author,
                tags=rules.tag(title, summary),
                mentions=mentions(f"{title}\n{summary}", names),
                sample=True,
            )
        )
    return articles
