"""OPML import and export: real-world exports in, only http(s) feeds out, never a fetch."""

from __future__ import annotations

import email.utils
import select
import socket
import stat
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import listparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.news import opml
from adapters.news.defaults import DEFAULT_FEEDS, SOURCES_WITHOUT_FEEDS
from adapters.news.opml import (
    MAX_TITLE_CHARS,
    OpmlError,
    OpmlFeed,
    opml_bytes,
    read_opml,
    read_opml_file,
    write_opml_file,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "opml"
DEFAULT_AS_OPML = [OpmlFeed(feed.title, feed.url) for feed in DEFAULT_FEEDS]


def outline_doc(*outlines: str, head: str = "") -> bytes:
    body = "\n".join(outlines)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head>{head}</head>'
        f"<body>{body}</body></opml>"
    ).encode()


# --------------------------------------------------------------------------- defaults


def test_default_feeds_are_unique_https_addresses() -> None:
    urls = [feed.url for feed in DEFAULT_FEEDS]
    assert len(set(urls)) == len(urls)
    assert all(url.startswith("https://") for url in urls)
    assert all(feed.title and feed.source for feed in DEFAULT_FEEDS)


def test_sources_without_feeds_are_named_not_invented() -> None:
    names = {source.source for source in SOURCES_WITHOUT_FEEDS}
    assert {"BMA", "RCGP", "The King's Fund", "Nuffield Trust"} <= names
    assert all(source.note for source in SOURCES_WITHOUT_FEEDS)
    default_hosts = " ".join(feed.url for feed in DEFAULT_FEEDS)
    for host in ("bma.org.uk", "rcgp.org.uk", "kingsfund.org.uk", "nuffieldtrust.org.uk"):
        assert host not in default_hosts


# --------------------------------------------------------------------------- round trip


def test_default_feeds_round_trip() -> None:
    assert read_opml(opml_bytes(DEFAULT_AS_OPML)) == DEFAULT_AS_OPML


def test_written_document_is_opml_2() -> None:
    created = datetime(2021, 9, 2, 12, 1, tzinfo=UTC)
    data = opml_bytes(DEFAULT_AS_OPML[:2], title="LMC feeds", created=created)
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(data)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "LMC feeds"
    stamp = root.findtext("head/dateCreated")
    assert stamp is not None and email.utils.parsedate_to_datetime(stamp) == created
    outlines = root.findall("body/outline")
    assert [o.attrib for o in outlines] == [
        {"type": "rss", "text": f.title, "title": f.title, "xmlUrl": f.url}
        for f in DEFAULT_AS_OPML[:2]
    ]
    # listparser reads the date we wrote as RFC 822 (it flags anything else).
    parsed = listparser.parse(data)
    assert not parsed.bozo and parsed.meta["created_parsed"] == created


def test_ampersands_and_quotes_in_addresses_are_escaped_by_elementtree() -> None:
    feed = OpmlFeed('GOV.UK "GP" & <news>', "https://www.gov.uk/search?keywords=GP&order=new")
    data = opml_bytes([feed])
    assert b'keywords=GP&amp;order=new"' in data
    assert b"&quot;GP&quot; &amp; &lt;news&gt;" in data
    assert read_opml(data) == [feed]


def test_write_opml_file_is_atomic_private_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "feeds.opml"
    path.write_bytes(b"old contents")
    write_opml_file(path, DEFAULT_AS_OPML)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_opml_file(path) == (DEFAULT_AS_OPML, 0)
    assert [p.name for p in tmp_path.iterdir()] == ["feeds.opml"]  # no temp file left


_url = st.from_regex(
    r"https?://[a-z0-9]{1,12}\.(org|uk|com)/[A-Za-z0-9/_.~%&=?+-]{0,30}", fullmatch=True
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=400), _url), max_size=8, unique_by=lambda t: t[1]))
def test_any_titles_round_trip_as_cleaned_text(pairs: list[tuple[str, str]]) -> None:
    feeds = [OpmlFeed(title, url) for title, url in pairs]
    if not feeds:
        with pytest.raises(OpmlError, match="no feeds"):
            read_opml(opml_bytes(feeds))
        return
    expected = [OpmlFeed(opml._clean_title(opml._xml_text(f.title), f.url), f.url) for f in feeds]
    assert read_opml(opml_bytes(feeds)) == expected


# --------------------------------------------------------------------------- other readers' exports


def test_feedly_style_export_with_nested_folders_and_a_byte_order_mark() -> None:
    feeds, skipped = read_opml_file(DATA / "feedly_style.opml")
    assert feeds == [
        OpmlFeed("Pulse", "https://www.pulsetoday.co.uk/feed/"),
        OpmlFeed("Nursing in Practice", "https://www.nursinginpractice.com/feed/"),
        OpmlFeed("NHS England » News", "https://www.england.nhs.uk/news/feed/"),
        OpmlFeed(
            "Department of Health and Social Care - Activity on GOV.UK",
            "https://www.gov.uk/government/organisations/department-of-health-and-social-care.atom",
        ),
        OpmlFeed(
            "GOV.UK: news about GP",
            "https://www.gov.uk/search/news-and-communications.atom?keywords=GP&order=updated-newest",
        ),
        OpmlFeed("The BMJ", "https://www.bmj.com/rss/recent.xml"),  # two folders deep
        OpmlFeed("BBC News - Health", "https://feeds.bbci.co.uk/news/health/rss.xml"),
    ]
    assert skipped == 1  # Pulse again, in a second folder: the first title is kept


def test_newsboat_style_export_with_title_only_and_local_sources() -> None:
    feeds, skipped = read_opml_file(DATA / "newsboat_style.opml")
    assert feeds == [
        OpmlFeed("NHS England", "https://www.england.nhs.uk/feed/"),
        OpmlFeed("House of Commons Library", "https://commonslibrary.parliament.uk/feed/"),
        # No title at all: the address stands in, so the feed list has a name to show.
        OpmlFeed("https://www.nice.org.uk/news/rss", "https://www.nice.org.uk/news/rss"),
    ]
    assert skipped == 3  # file:, exec: and query: feeds are newsboat's own


def test_inoreader_style_export_text_wins_over_title_and_hostile_entries_skipped() -> None:
    feeds, skipped = read_opml_file(DATA / "inoreader_style.opml")
    assert feeds == [
        OpmlFeed("Cheshire LMC \u2013 news & updates", "https://lmc.example.org/cheshire/feed/"),
        OpmlFeed("Nottinghamshire LMC", "https://lmc.example.org/notts/feed/"),  # text blank
        OpmlFeed(
            "<b>[bold]Markup[/bold]</b> &amp; “quotes” — café 🚑", "https://example.org/markup.xml"
        ),
        OpmlFeed("The Guardian: NHS", "https://www.theguardian.com/society/nhs/rss"),
    ]
    # javascript:, data:, a relative address, one with no host, and a repeat.
    # The htmlUrl-only outline and the type="link" list are not feed entries.
    assert skipped == 5


# --------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "file:///etc/passwd",
        "data:text/xml,<rss/>",
        "ftp://example.org/feed.xml",
        "feed://example.org/feed.xml",
        "/feed.xml",
        "example.org/feed.xml",
        "http://",
        "https:///path",
        "http://[::1/feed",
        "https://exa mple.org/feed",
        "https://example.org/\x01feed",
        "https://example.org/" + "a" * 3000,
    ],
)
def test_only_absolute_http_addresses_are_kept(url: str) -> None:
    escaped = url.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    data = outline_doc(
        f'<outline text="bad" xmlUrl="{escaped}"/>',
        '<outline text="good" xmlUrl="https://example.org/good.xml"/>',
    )
    assert read_opml(data) == [OpmlFeed("good", "https://example.org/good.xml")]


def test_http_and_https_in_any_case_are_kept() -> None:
    data = outline_doc(
        '<outline text="a" xmlUrl="HTTP://Example.org/a"/>',
        '<outline text="b" xmlUrl="  https://example.org/b  "/>',
    )
    assert read_opml(data) == [
        OpmlFeed("a", "HTTP://Example.org/a"),
        OpmlFeed("b", "https://example.org/b"),
    ]


def test_duplicates_keep_the_first_and_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "dups.opml"
    path.write_bytes(
        outline_doc(
            '<outline text="First" xmlUrl="https://example.org/a"/>',
            '<outline text="Folder"><outline text="Second" xmlUrl="https://example.org/a"/>'
            "</outline>",
            '<outline text="Third" xmlUrl="https://example.org/a"/>',
            '<outline text="Other" xmlUrl="https://example.org/b"/>',
        )
    )
    assert read_opml_file(path) == (
        [OpmlFeed("First", "https://example.org/a"), OpmlFeed("Other", "https://example.org/b")],
        2,
    )


# --------------------------------------------------------------------------- titles


def test_titles_are_kept_literally_but_cleaned_of_control_characters() -> None:
    data = outline_doc(
        '<outline text="[link=https://evil.example]click[/link] &lt;script&gt;x&lt;/script&gt;"'
        ' xmlUrl="https://example.org/1"/>',
        '<outline text="\x1b[31mRed&#10;alert&#9;\u202eevil" xmlUrl="https://example.org/2"/>',
        '<outline text="Ünïcödé 🚑 NHS — “GP” \u2019s" xmlUrl="https://example.org/3"/>',
    )
    assert [f.title for f in read_opml(data)] == [
        "[link=https://evil.example]click[/link] <script>x</script>",
        "Red alert evil",
        "Ünïcödé 🚑 NHS — “GP” \u2019s",
    ]


def test_long_titles_are_capped() -> None:
    data = outline_doc(f'<outline text="{"x" * 5000}" xmlUrl="https://example.org/1"/>')
    assert read_opml(data) == [OpmlFeed("x" * MAX_TITLE_CHARS, "https://example.org/1")]


# --------------------------------------------------------------------------- encodings


def test_declared_latin_1_and_utf_16_with_bom_are_decoded() -> None:
    doc = '<opml version="2.0"><body><outline text="Café" xmlUrl="https://example.org/c"/></body></opml>'
    latin = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + doc.encode("latin-1")
    assert read_opml(latin) == [OpmlFeed("Café", "https://example.org/c")]
    assert read_opml(doc.encode("utf-16")) == [OpmlFeed("Café", "https://example.org/c")]
    assert read_opml(b"\xef\xbb\xbf" + doc.encode()) == [OpmlFeed("Café", "https://example.org/c")]


def test_bad_encodings_are_opml_errors() -> None:
    with pytest.raises(OpmlError, match="not utf-8 text at byte 0"):
        read_opml(b"\xff\x00<opml>")
    with pytest.raises(OpmlError, match="unknown encoding"):
        read_opml(b'<?xml version="1.0" encoding="klingon"?><opml/>')
    with pytest.raises(OpmlError, match="unknown encoding"):
        read_opml(b'<?xml version="1.0" encoding="rot13"?><opml/>')


# --------------------------------------------------------------------------- bad input


def test_a_feed_instead_of_opml_is_named_as_such() -> None:
    with pytest.raises(OpmlError, match=r"not_opml_rss\.xml: not an OPML file"):
        read_opml_file(DATA / "not_opml_rss.xml")


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(OpmlError, match=r"empty\.opml: empty file"):
        read_opml_file(DATA / "empty.opml")
    blank = tmp_path / "blank.opml"
    blank.write_bytes(b"  \n\t ")
    with pytest.raises(OpmlError, match="empty file"):
        read_opml_file(blank)


def test_opml_with_no_feeds() -> None:
    with pytest.raises(OpmlError, match="no feeds in it"):
        read_opml(outline_doc('<outline text="Empty folder"/>'))
    with pytest.raises(OpmlError, match=r"no feeds gpwatch can use in it \(2 skipped"):
        read_opml(
            outline_doc(
                '<outline text="a" xmlUrl="javascript:x"/>',
                '<outline text="b" xmlUrl="file:///x"/>',
            )
        )


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(OpmlError, match=r"nope\.opml: no such file"):
        read_opml_file(tmp_path / "nope.opml")
    with pytest.raises(OpmlError, match="is a directory"):
        read_opml_file(tmp_path)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.opml"
    path.write_bytes(opml_bytes(DEFAULT_AS_OPML))

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)  # chmod 0 means nothing to root
    with pytest.raises(OpmlError, match=r"locked\.opml: can not be read \(Permission denied\)"):
        read_opml_file(path)


def test_too_large(tmp_path: Path) -> None:
    with pytest.raises(OpmlError, match="too large"):
        read_opml(b" " * (opml.MAX_OPML_BYTES + 1))


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\x03garbage\xfe",
        bytes(range(256)),
        b"<![foo[",  # html.parser raises AssertionError on this
        b"<opml><![bogus[x]]><body>",
        b"<opml",
        b"<",
        b'{"not": "xml"}',
        b"<html><body><p>A web page</p></body></html>",
    ],
)
def test_garbage_is_an_opml_error(data: bytes) -> None:
    with pytest.raises(OpmlError):
        read_opml(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_a_list_or_an_opml_error(data: bytes) -> None:
    try:
        feeds = read_opml(data)
    except OpmlError:
        return
    assert all(isinstance(f, OpmlFeed) for f in feeds)


_fragments = st.sampled_from(
    [
        "<opml>",
        "</opml>",
        "<body>",
        "<outline ",
        'text="T" ',
        'xmlUrl="https://example.org/x" ',
        "xmlUrl='http://a.b/' ",
        "/>",
        ">",
        "</outline>",
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
        "<!DOCTYPE opml [",
        "]>",
        "&amp;",
        "&#0;",
        "&#x110000;",
        "<?xml version='1.0'?>",
        '"',
        "<",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_fragments, st.text(max_size=5)), max_size=30))
def test_arbitrary_markup_gives_a_list_or_an_opml_error(parts: list[str]) -> None:
    try:
        feeds = read_opml("".join(parts).encode("utf-8", "surrogatepass"))
    except OpmlError:
        return
    assert all(f.url.lower().startswith(("http://", "https://")) for f in feeds)


# --------------------------------------------------------------------------- no fetching


def test_listparser_is_only_ever_given_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    # A str that starts with http(s):// is fetched by listparser.parse.
    seen: list[type] = []
    real_parse = listparser.parse

    def spy(obj: str | bytes) -> object:
        seen.append(type(obj))
        return real_parse(obj)

    monkeypatch.setattr(listparser, "parse", spy)
    with pytest.raises(OpmlError, match="not an OPML file"):
        read_opml(b"https://127.0.0.1:9/feeds.opml")  # no <opml>: an error, not a fetch
    assert read_opml(opml_bytes(DEFAULT_AS_OPML)) == DEFAULT_AS_OPML
    assert seen == [bytes, bytes]


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A real TCP listener on loopback: any fetch of an entity would connect here."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        yield server


def test_external_entities_are_neither_read_nor_fetched(
    listener: socket.socket, tmp_path: Path
) -> None:
    port = listener.getsockname()[1]
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LMC-LETTER")
    fixture = (DATA / "external_entities.opml").read_bytes()
    data = fixture.replace(b"http://127.0.0.1:9/", f"http://127.0.0.1:{port}/".encode()).replace(
        b'<!ENTITY passwd SYSTEM "file:///etc/passwd">',
        f'<!ENTITY passwd SYSTEM "file:///etc/passwd">'
        f'<!ENTITY secret SYSTEM "file://{secret}">'.encode(),
    )
    data = data.replace(b'<outline text="&passwd;"', b'<outline text="&passwd; &secret;"')

    feeds = read_opml(data)

    assert feeds == [
        OpmlFeed("&passwd; &secret;", "https://example.org/a.xml"),  # left as literal text
        OpmlFeed("&lol3;", "https://example.org/b.xml"),  # no "billion laughs" expansion
    ]
    text = repr(feeds)
    assert "root:" not in text and "TOP-SECRET" not in text
    readable, _, _ = select.select([listener], [], [], 0.2)
    assert readable == [], "parsing the OPML connected to the entity's address"


def test_external_entities_fixture_as_is() -> None:
    feeds, skipped = read_opml_file(DATA / "external_entities.opml")
    assert [f.url for f in feeds] == ["https://example.org/a.xml", "https://example.org/b.xml"]
    assert skipped == 1  # xmlUrl="&remote;" is not an http(s) address
    assert "root:" not in repr(feeds)
