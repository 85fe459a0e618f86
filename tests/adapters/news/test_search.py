"""Stepwise article search: the same answer as a plain scan, however it is advanced."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.news.models import Article
from adapters.news.search import ArticleIndex, Query

NOW = datetime(2026, 11, 23, tzinfo=UTC)
WORDS = ["GP", "Recruitment", "LMC", "pay", "ÉTUDE", "burnout", "ICB", "trainee"]


def article(n: int, title: str, summary: str = "", feed_id: int = 1, tags=()) -> Article:
    return Article(
        feed_id=feed_id,
        key=f"guid:{n}",
        title=title,
        link="",
        summary=summary,
        published=NOW,
        fetched=NOW,
        tags=tuple(tags),
    )


def naive(articles: list[Article], query: Query) -> list[int]:
    text = query.text.lower()
    return [
        i
        for i, a in enumerate(articles)
        if text in f"{a.title}\n{a.summary}".lower()
        and (query.feed_id is None or a.feed_id == query.feed_id)
        and (not query.topic or query.topic in a.tags)
    ]


articles_strategy = st.lists(
    st.builds(
        lambda n, t, s, f, tags: (t, s, f, tags),
        st.integers(),
        st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join),
        st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
        st.integers(1, 3),
        st.lists(st.sampled_from(["LMC", "funding", "HEE"]), max_size=2, unique=True),
    ),
    max_size=60,
)
queries = st.builds(
    Query,
    st.sampled_from(["", "g", "gp", "re", "recruit", "ÉT", "é", "lmc pay", "zzz", "\n"]),
    st.one_of(st.none(), st.integers(1, 3)),
    st.one_of(st.none(), st.sampled_from(["LMC", "funding"])),
)


@settings(max_examples=300)
@given(rows=articles_strategy, query=queries, budget=st.integers(1, 25))
def test_stepwise_search_equals_a_plain_scan(rows, query: Query, budget: int) -> None:
    articles = [article(n, *row) for n, row in enumerate(rows)]
    search = ArticleIndex(articles).search(query)
    search.fill(5, budget)
    assert search.found[:5] == naive(articles, query)[:5]
    while not search.done:
        search.step(budget)
    assert search.found == naive(articles, query)


@settings(max_examples=200)
@given(rows=articles_strategy, first=queries, more=st.sampled_from(["", "p", "cruit", " "]))
def test_typing_more_searches_the_previous_result_with_the_same_answer(
    rows, first: Query, more: str
) -> None:
    articles = [article(n, *row) for n, row in enumerate(rows)]
    index = ArticleIndex(articles)
    previous = index.search(first).run()
    longer = Query(first.text + more, first.feed_id, first.topic)
    narrowed = index.search(longer, previous=previous)
    assert narrowed._pool is previous.found  # the narrowing was used, not a full scan
    assert narrowed.run().found == naive(articles, longer)


def test_an_unfinished_or_unrelated_previous_search_is_not_narrowed() -> None:
    articles = [article(n, f"GP story {n}") for n in range(10)]
    index = ArticleIndex(articles)
    unfinished = index.search(Query("gp"))
    unfinished.step(3)
    assert index.search(Query("gp s"), previous=unfinished).run().found == list(range(10))
    other_feed = index.search(Query("gp", feed_id=2)).run()
    assert index.search(Query("gp s"), previous=other_feed).run().found == list(range(10))
    elsewhere = ArticleIndex(articles).search(Query("gp")).run()
    assert index.search(Query("gp s"), previous=elsewhere)._pool == range(10)
