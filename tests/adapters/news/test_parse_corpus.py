"""Every file of the shared feed corpus, and a real government feed, through parse_feed.

The corpus is feedparser's own test suite (see its PROVENANCE.txt): well-formed
and broken feeds, odd encodings, entities and sanitiser attacks. Whatever a
file holds, parse_feed must return a ParsedFeed or raise NotAFeed, and what
it returns must be safe to show: no control, bidi or escape characters, no
link but http(s). The invariant checks live here and test_parse.py uses them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from adapters.news.parse import (
    MAX_ENTRIES,
    MAX_FIELD,
    MAX_SUMMARY,
    MAX_TITLE,
    NotAFeed,
    ParsedFeed,
    parse_feed,
)

SHARED_DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
CORPUS = SHARED_DATA / "feed-corpus"
GOVSCOT = SHARED_DATA / "feeds" / "govscot_news_rss2_2017-06-27.xml"
FETCHED_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)

# Forbidden in any displayed field: C0 (tab and newline too), DEL, C1, lone
# surrogates, bidi embeddings/overrides/isolates. Summaries may keep "\n".
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_HEADER = re.compile(rb"^Header:\s+([^:]+):(.*)$", re.MULTILINE)

# Files that are not feeds to us, and why (checked exactly, so a change shows).
NOT_FEEDS = {
    # "<!-- ... -->" and nothing else: no root element at all.
    "illformed/rss_empty_document.xml": "not a feed",
    # A JSON Feed: feedparser 6.0 reads XML only.
    "json/example.json": "not a feed",
    # Microsoft CDF: feedparser gives no version, and these two hold no items.
    "wellformed/cdf/channel_abstract_map_description.xml": "not a feed",
    "wellformed/cdf/channel_lastmod.xml": "not a feed",
}


def require_shared(path: Path) -> Path:
    """The shared data sits beside the repo (CI always has it): without it, fail.

    A skip here once meant the corpus requirement silently stopped being tested.
    """
    if not path.exists():
        pytest.fail(
            f"shared test data not found at {path.resolve()}: expected ../shared beside "
            "the repo (the checkout of the shared data repository, as CI has it)",
            pytrace=False,
        )
    return path


def corpus_bytes(relative: str) -> bytes:
    return (require_shared(CORPUS) / relative).read_bytes()


def corpus_headers(body: bytes) -> dict[str, str]:
    """The HTTP headers a corpus file asks for ("Header: Content-type: ..." lines)."""
    return {
        name.decode().strip().lower(): value.decode().strip()
        for name, value in _HEADER.findall(body)
    }


def parse_corpus(relative: str) -> ParsedFeed:
    """Parse a corpus file with the Content-Type and Content-Location it declares."""
    body = corpus_bytes(relative)
    headers = corpus_headers(body)
    return parse_feed(
        body,
        fetched_at=FETCHED_AT,
        content_type=headers.get("content-type"),
        base_url=headers.get("content-location", ""),
    )


def assert_line(value: str, cap: int) -> None:
    assert isinstance(value, str)
    assert len(value) <= cap
    assert not _FORBIDDEN.findall(value), value
    assert value == value.strip()


def assert_link(value: str) -> None:
    assert isinstance(value, str)
    assert len(value) <= MAX_FIELD
    if value:
        parts = urlsplit(value)
        assert parts.scheme in ("http", "https"), value
        assert parts.hostname, value
        assert not _FORBIDDEN.findall(value) and " " not in value, value


def assert_displayable(feed: ParsedFeed) -> None:
    """Everything the UI may show is plain, printable, capped; links are http(s)."""
    assert isinstance(feed, ParsedFeed)
    assert_line(feed.title, MAX_FIELD)
    assert_link(feed.link)
    assert isinstance(feed.version, str)
    assert isinstance(feed.entries, tuple)
    assert len(feed.entries) <= MAX_ENTRIES
    assert feed.dropped_entries >= 0
    for entry in feed.entries:
        assert_line(entry.title, MAX_TITLE)
        assert_line(entry.guid, MAX_FIELD)
        assert_line(entry.author, MAX_FIELD)
        assert_link(entry.link)
        assert isinstance(entry.summary, str)
        assert len(entry.summary) <= MAX_SUMMARY
        assert not _FORBIDDEN.findall(entry.summary.replace("\n", "")), entry.summary
        assert isinstance(entry.categories, tuple)
        for category in entry.categories:
            assert category
            assert_line(category, MAX_FIELD)
        assert entry.published.tzinfo is not None
        assert entry.published.utcoffset().total_seconds() == 0
        if entry.date_missing:
            assert entry.published == FETCHED_AT


def _corpus_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        path.relative_to(CORPUS).as_posix()
        for path in CORPUS.rglob("*")
        if path.is_file() and path.name != "PROVENANCE.txt"
    )


CORPUS_FILES = _corpus_files()
# Without the corpus, parametrizing over no files would skip ("got empty parameter
# set"): one placeholder instead, whose test fails in require_shared, naming the path.
CORPUS_MISSING = "(feed corpus missing)"


def test_corpus_is_present_and_complete() -> None:
    require_shared(CORPUS)
    assert (CORPUS / "PROVENANCE.txt").is_file()
    # PROVENANCE.txt: 257 data files in encoding/, entities/, illformed/, json/, wellformed/.
    assert len(CORPUS_FILES) == 257
    assert {name.split("/")[0] for name in CORPUS_FILES} == {
        "encoding",
        "entities",
        "illformed",
        "json",
        "wellformed",
    }


@pytest.mark.parametrize("relative", CORPUS_FILES or [CORPUS_MISSING])
def test_every_corpus_file_parses_or_is_refused(relative: str) -> None:
    try:
        feed = parse_corpus(relative)
    except NotAFeed as exc:
        assert NOT_FEEDS.get(relative) == str(exc), f"{relative}: NotAFeed({exc})"
    else:
        assert relative not in NOT_FEEDS
        assert_displayable(feed)


def test_the_corpus_refuses_only_the_known_non_feeds() -> None:
    require_shared(CORPUS)
    refused: dict[str, str] = {}
    for relative in CORPUS_FILES:
        try:
            parse_corpus(relative)
        except NotAFeed as exc:
            refused[relative] = str(exc)
    assert refused == NOT_FEEDS


_ENTITY_TITLE = re.compile(rb"<title>testing (&#?[A-Za-z0-9]+;) entity</title>")


ENTITY_FILES = [
    name
    for name in CORPUS_FILES
    if name.startswith("entities/") and _ENTITY_TITLE.search((CORPUS / name).read_bytes())
]


@pytest.mark.parametrize("relative", ENTITY_FILES or [CORPUS_MISSING])
def test_entity_files_decode_their_html_entity(relative: str) -> None:
    """Most entities/ files title a channel "testing &name; entity" (an HTML entity
    undeclared in XML): whatever feedparser's fallback does, it must come out decoded.
    """
    match = _ENTITY_TITLE.search(corpus_bytes(relative))
    assert match is not None
    char = html.unescape(match.group(1).decode())
    assert len(char) == 1
    expected = "testing entity" if char.isspace() else f"testing {char} entity"
    assert parse_corpus(relative).title == expected  # &nbsp; is whitespace: runs collapse


# --------------------------------------------------------------------------- the real feed


@pytest.fixture(scope="module")
def govscot() -> ParsedFeed:
    body = require_shared(GOVSCOT).read_bytes()
    return parse_feed(
        body,
        fetched_at=FETCHED_AT,
        content_type="application/rss+xml; charset=UTF-8",
        base_url="https://news.gov.scot/feed/rss",
    )


def test_govscot_channel(govscot: ParsedFeed) -> None:
    assert govscot.title == "news.gov.scot RSS Feed"
    assert govscot.link == "https://news.gov.scot"
    assert govscot.version == "rss20"
    assert len(govscot.entries) == 2
    assert govscot.dropped_entries == 0
    assert_displayable(govscot)


def test_govscot_first_item(govscot: ParsedFeed) -> None:
    first = govscot.entries[0]
    assert first.title == "Scotland's future must be decided by the people who live here"
    assert first.link == (
        "https://news.gov.scot/news/scotlands-future-must-be-decided-by-the-people-who-live-here"
    )
    assert first.guid == "f5efd7f6-e9e4-4e70-a47c-e8dec8cb0400"
    # <pubDate>Tue, 27 Jun 2017 15:05:00 +0100</pubDate>
    assert first.published == datetime(2017, 6, 27, 14, 5, tzinfo=UTC)
    assert not first.date_missing
    assert first.author == "admin-2"
    assert first.categories == ("Communities", "Constitution")


def test_govscot_content_encoded_html_becomes_text(govscot: ParsedFeed) -> None:
    # <content:encoded><![CDATA[<p>We don't need a referendum ...</p>]]>: the
    # full body wins over the <description> teaser, and the tags are gone.
    assert govscot.entries[0].summary == (
        "We don't need a referendum to leave the EU, we can just leave."
    )


def test_govscot_description_is_the_summary_without_content(govscot: ParsedFeed) -> None:
    second = govscot.entries[1]
    assert second.title == "Piloting delivery of welfare rights advice in health settings"
    assert second.published == datetime(2017, 6, 27, 11, 27, tzinfo=UTC)
    assert second.categories == ("Health",)
    assert second.summary.startswith("GP practices in some of Scotland's most deprived areas")
    assert "£4.8 million funding over two years" in second.summary
    # "health.  Advice" in the source: runs of whitespace collapse.
    assert "their health. Advice at the right time" in second.summary
    assert unicodedata.is_normalized("NFC", second.summary)
