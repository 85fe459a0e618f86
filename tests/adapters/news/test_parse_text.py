"""The parser's fast text paths give exactly what the slow ones give.

parse.py decides whether a feed may take the fast path (``_has_spoiler``) and
strips characters XML forbids (``_strip_xml_illegal``) with cheap pre-checks,
turns HTML into text with a regex tokeniser when a fragment is made
of plain tags (``_simple_html_to_text``), skips ``clean_text`` when a string
has nothing it would change (``_clean``) and tidies lines with ``str.split``
(``_tidy_lines``). Each is only a speed-up, so each is compared here with the
path it stands in for: HTMLParser's, clean_text itself, and the regexes
``_tidy_lines`` used before, on generated input and on every text field of
the shared feed corpus and the repository's own test feeds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.news.parse import (
    _FAST_PATH_SPOILERS,
    _XML_ILLEGAL,
    MAX_SUMMARY,
    _clean,
    _decode,
    _defuse_html,
    _has_spoiler,
    _parsed_html_to_text,
    _prepare,
    _run_feedparser,
    _simple_html_to_text,
    _strip_xml_illegal,
    _tidy_lines,
)
from adapters.text import clean_text
from tests.adapters.news.test_parse_corpus import CORPUS, require_shared

TEST_FEEDS = Path(__file__).resolve().parents[2] / "data" / "feeds"

# ---------------------------------------------------------------------------
# HTML to text


def slow(html: str, cap: int = MAX_SUMMARY) -> str:
    return _parsed_html_to_text(_defuse_html(html), cap)


def fast(html: str, cap: int = MAX_SUMMARY) -> str | None:
    return _simple_html_to_text(_defuse_html(html), cap)


PLAIN_CASES = [
    "",
    "just text",
    "<p>One.</p><p>Two &amp; three &lt;four&gt;.</p>",
    "<P CLASS=lead>Upper-case tags</P>",
    "a<br>b<br/>c<br />d",
    "<ul><li>one</li><li><p>two</p></li></ul><ol><li>first</li><li>second</li></ol>",
    "<ol><li>a<ul><li>nested</li></ul></li><li>b</li></ol>",
    "<pre>line 1\n\n  line 3</pre>after",
    "<table><tr><td>a</td><td>b</td></tr></table>",
    "<a href=\"https://example.org/x?a=1&amp;b=2\" title='t'>link</a> text",
    '<img src="x.png" alt="">word<img src=y.png/>next',
    "<div>\n  spaced   \t out  \n</div>",
    "&#8217;quoted&#x2019; &nbsp; &unknown; & alone &amp",
    "trailing ampersand &am",
    "<template>hidden</template>shown",
    "<p>\u00a0non-breaking\u00a0spaces\u00a0</p>",
    "text with > greater-than",
]

FALLBACK_CASES = [
    "<!-- a comment -->text",
    "a < b",
    "<o:p>office</o:p>",
    "<script>var x = '<p>';</script>after",
    "<style>p { color: red }</style>text",
    '<a title="x>y">quoted bracket</a>',
    "</p class=x>",
    "<textarea><b>raw</b></textarea>",
    "<?php echo 1 ?>text",
    "<my-element>custom</my-element>",
]


@pytest.mark.parametrize("html", PLAIN_CASES)
def test_plain_fragments_take_the_fast_path_and_match(html: str) -> None:
    result = fast(html)
    assert result is not None
    assert result == slow(html)


@pytest.mark.parametrize("html", FALLBACK_CASES)
def test_other_fragments_are_left_to_htmlparser(html: str) -> None:
    assert fast(html) is None


def test_text_past_the_cap_is_left_to_htmlparser() -> None:
    html = "<p>" + "word " * 200 + "</p>"
    assert fast(html, cap=50) is None
    assert fast(html, cap=5000) == slow(html, cap=5000)


_TAGS = ["p", "br", "li", "ul", "ol", "pre", "div", "b", "a", "img", "td", "tr", "h2", "span"]
_ATTRS = ["", ' class="x"', " href='y'", " data-n=3", " alt", ' title="a &amp; b"', "  id = z "]
_TEXT = st.text(
    alphabet=st.sampled_from([*list("ab \n\t\r&;#x0123<>/\"'="), "\xa0", "\u2028", "\x85"]),
    max_size=12,
)
_ENTITIES = st.sampled_from(["&amp;", "&lt;", "&#8217;", "&#x41;", "&nbsp;", "&bogus;", "&", "&#"])


@st.composite
def fragments(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 5))
        name = draw(st.sampled_from(_TAGS))
        if kind == 0:
            parts.append(f"<{name}{draw(st.sampled_from(_ATTRS))}>")
        elif kind == 1:
            parts.append(f"</{name}>")
        elif kind == 2:
            parts.append(f"<{name}{draw(st.sampled_from(_ATTRS))}/>")
        elif kind == 3:
            parts.append(draw(_ENTITIES))
        else:
            parts.append(draw(_TEXT))
    return "".join(parts)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragments(), st.sampled_from([MAX_SUMMARY, 40]))
def test_fast_path_matches_htmlparser_on_generated_fragments(html: str, cap: int) -> None:
    result = fast(html, cap)
    if result is not None:
        assert result == slow(html, cap)


def corpus_texts() -> Iterator[tuple[str, str]]:
    """Every title, summary and content value feedparser finds in the feeds we have."""
    files = sorted(p for p in TEST_FEEDS.rglob("*") if p.is_file())
    files += sorted(p for p in require_shared(CORPUS).rglob("*") if p.is_file())
    for path in files:
        try:
            prepared = _prepare(_decode(path.read_bytes()[:2_000_000], ""))
            if prepared is None:
                continue
            result = _run_feedparser(prepared.document, "")
        except Exception:
            continue
        for entry in [result.get("feed") or {}, *(result.get("entries") or [])]:
            values = [entry.get("title"), entry.get("summary")]
            values += [c.get("value") for c in entry.get("content") or [] if isinstance(c, dict)]
            for value in values:
                if isinstance(value, str) and value:
                    yield path.name, value


def test_fast_path_matches_htmlparser_on_real_feed_text() -> None:
    compared = taken = 0
    for name, value in corpus_texts():
        result = fast(value)
        compared += 1
        if result is not None:
            taken += 1
            assert result == slow(value), name
    assert compared > 100
    assert taken > compared // 4  # the fast path is really used


# ---------------------------------------------------------------------------
# clean_text skipped when nothing would change, lines tidied with split

_OLD_LINE_SPACES = re.compile(r"[^\S\n]+")
_OLD_SPACES_AROUND_NEWLINE = re.compile(r" *\n *")
_OLD_EXTRA_NEWLINES = re.compile(r"\n{3,}")


def old_tidy_lines(text: str) -> str:
    """_tidy_lines as it was written before the split version (the reference)."""
    from adapters.news.parse import _CP1252_C1

    text = clean_text(text.translate(_CP1252_C1), keep_newlines=True)
    text = _OLD_LINE_SPACES.sub(" ", text)
    text = _OLD_SPACES_AROUND_NEWLINE.sub("\n", text)
    return _OLD_EXTRA_NEWLINES.sub("\n\n", text).strip()


_AWKWARD = st.text(
    alphabet=st.sampled_from(
        list(" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u2029\u3000\u200b\u202e\u2066")
        + list("\x1b[31m\x9b\x9dab\x00\x7f\x92")
        + ["\ud800"]
    ),
    max_size=40,
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), _AWKWARD))
def test_clean_is_clean_text(text: str) -> None:
    assert _clean(text) == clean_text(text)
    assert _clean(text, keep_newlines=True) == clean_text(text, keep_newlines=True)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), _AWKWARD))
def test_tidy_lines_matches_the_regex_version(text: str) -> None:
    assert _tidy_lines(text) == old_tidy_lines(text)


def test_tidy_lines_matches_on_real_feed_text() -> None:
    for name, value in corpus_texts():
        assert _tidy_lines(value) == old_tidy_lines(value), name


# ---------------------------------------------------------------------------
# Pre-checks before whole-document regexes

_SPOILER_PIECES = st.sampled_from(
    [
        b"<item>",
        b"xml:base",
        b' type="html"',
        b"mimetype='text'",
        b"content_type = 'xhtml'",
        b"type='application/xhtml+xml'",
        b"type=text",
        b"&#150;",
        b"&#x92;",
        b"&#x0099;",
        b"&#160;",
        b"\xc2\x92",
        b"\xc2\xa3",
        b"\xc3\xa2\xc2\xa0",
        b"<dc:date>",
        b"<dcterms:modified>",
        b"<atom:updated>",
        b"<pubDate>",
        b"type",
        b"x",
        b" ",
    ]
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_SPOILER_PIECES, max_size=8).map(b"".join))
def test_has_spoiler_agrees_with_the_single_regex(document: bytes) -> None:
    assert _has_spoiler(document) == (_FAST_PATH_SPOILERS.search(document) is not None)


def test_has_spoiler_agrees_on_real_feeds() -> None:
    files = sorted(p for p in TEST_FEEDS.rglob("*") if p.is_file())
    files += sorted(p for p in require_shared(CORPUS).rglob("*") if p.is_file())
    spoiled = 0
    for path in files:
        prepared = _prepare(_decode(path.read_bytes()[:2_000_000], ""))
        if prepared is None:
            continue
        expected = _FAST_PATH_SPOILERS.search(prepared.document) is not None
        assert _has_spoiler(prepared.document) == expected, path.name
        spoiled += expected
    assert spoiled > 10


_ILLEGAL_ALPHABET = st.sampled_from(
    [
        *"ab<&\t\n\r\x00\x01\x08\x0b\x0c\x0e\x1f\x7f\x85\ufffd\ufffe\uffff\ud7ff\ue000",
        *("\ud800", "\udfff", "\U0001f600", "\ud55c"),
    ]
)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=_ILLEGAL_ALPHABET)))
def test_strip_xml_illegal_is_the_regex(text: str) -> None:
    assert _strip_xml_illegal(text) == _XML_ILLEGAL.sub("", text)
