"""The fastfeedparser path gives exactly what the feedparser path gives.

parse_feed hands plain RSS 2.0 to fastfeedparser (about 20x faster) and
everything else to feedparser. That is only sound while the two agree, so
every feed we hold (the shared corpus, a real government feed, our test
feeds) and generated feeds of arbitrary text are parsed both ways here and
compared field by field.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.news import parse
from adapters.news.parse import NotAFeed, ParsedFeed, parse_feed
from tests.adapters.news.test_parse_corpus import CORPUS, GOVSCOT, require_shared

FETCHED_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
TEST_FEEDS = Path(__file__).resolve().parents[2] / "data"
BASE_URL = "http://127.0.0.1:8000/news/feed.xml"


def both_ways(body: bytes) -> tuple[ParsedFeed | str, ParsedFeed | str, bool]:
    """(fast path allowed, feedparser only, whether the fast path was taken)."""

    def run() -> ParsedFeed | str:
        try:
            return parse_feed(body, fetched_at=FETCHED_AT, base_url=BASE_URL)
        except NotAFeed as exc:
            return f"NotAFeed: {exc}"

    fast_path = parse._run_fast
    taken: list[bool] = []

    def spying(prepared: parse._Prepared) -> dict | None:
        result = fast_path(prepared)
        taken.append(result is not None)
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parse, "_run_fast", spying)
        fast = run()
        patch.setattr(parse, "_run_fast", lambda prepared: None)
        slow = run()
    return fast, slow, any(taken)


def feed_files() -> Iterator[Path]:
    yield require_shared(GOVSCOT)
    yield from sorted(p for p in require_shared(CORPUS).rglob("*") if p.is_file())
    yield from sorted(p for p in TEST_FEEDS.rglob("*.xml"))


def test_every_feed_we_hold_parses_the_same_both_ways() -> None:
    fast_files = []
    for path in feed_files():
        fast, slow, taken = both_ways(path.read_bytes())
        assert fast == slow, path
        if taken:
            fast_files.append(path.name)
    # Not vacuous: the real feed and the corpus's plain RSS 2.0 files take the fast path.
    assert GOVSCOT.name in fast_files
    assert len(fast_files) >= 5, fast_files


@pytest.mark.parametrize(
    ("name", "feed"),
    [
        ("xml:base", b'<rss version="2.0" xml:base="http://e.org/a/">'),
        ("default namespace", b'<rss version="2.0" xmlns="http://backend.userland.com/rss2">'),
        ("RSS 0.92", b'<rss version="0.92">'),
        ("typed content", b'<rss version="2.0"><x type="html"/>'),
        ("C1 reference", b'<rss version="2.0"><x>&#150;</x>'),
    ],
)
def test_documents_where_the_parsers_differ_go_to_feedparser(name: str, feed: bytes) -> None:
    item = b"<item><title>t</title><link>http://e.org/1</link><guid>g</guid></item>"
    body = feed + b"<channel><title>c</title><link>http://e.org/</link>" + item
    body += b"</channel></rss>"
    _, _, taken = both_ways(body)
    assert not taken, name


def test_an_item_without_a_guid_sends_the_feed_to_feedparser() -> None:
    # fastfeedparser would use the link as the id, feedparser leaves it empty:
    # the dedupe key would change when a feed moved between the paths.
    body = (
        b'<rss version="2.0"><channel><title>c</title><link>http://e.org/</link>'
        b"<item><title>t</title><link>http://e.org/1</link></item></channel></rss>"
    )
    fast, _, taken = both_ways(body)
    assert not taken
    assert isinstance(fast, ParsedFeed) and fast.entries[0].guid == ""


# Text a feed can carry: any printable or control character XML allows, with
# markup-like pieces that either parser might read as HTML.
_xml_char = st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff")
_text = st.one_of(
    st.text(_xml_char, max_size=60),
    st.lists(
        st.sampled_from(["<b>", "</b>", "&amp;", "&lt;", "<p>", "</p>", "Tom & Jerry", " ", "\n"]),
        max_size=8,
    ).map("".join),
)
_dates = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@st.composite
def rss_items(draw: st.DrawFn) -> bytes:
    title = escape(draw(_text))
    description = escape(draw(_text))
    guid = escape(draw(st.text(_xml_char, min_size=1, max_size=30)))
    link = draw(st.sampled_from(["http://e.org/a", "/relative", "https://e.org/b?x=1&y=2", ""]))
    date = format_datetime(draw(_dates)) if draw(st.booleans()) else "not a date"
    return (
        f"<item><title>{title}</title><link>{escape(link)}</link>"
        f'<guid isPermaLink="false">{guid}</guid><pubDate>{date}</pubDate>'
        f"<description>{description}</description></item>"
    ).encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(channel_title=_text, items=st.lists(rss_items(), min_size=1, max_size=5))
def test_generated_plain_rss_parses_the_same_both_ways(
    channel_title: str, items: list[bytes]
) -> None:
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(channel_title)}</title><link>http://e.org/</link>"
    ).encode()
    body += b"".join(items) + b"</channel></rss>"
    fast, slow, _ = both_ways(body)
    assert fast == slow
