"""Feed bytes in, plain capped entries out: the one place untrusted feed XML is read.

feedparser does the format work (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, broken feeds),
but it was written to be lenient, not to face hostile input, so this module
stands between it and the network:

* Encodings are decided here, not by feedparser, and feedparser is only ever
  handed UTF-8 in a ``BytesIO``. Declarations must be read after decoding
  (UTF-16/32, UTF-7 and EBCDIC can hide ``<!ENTITY``), and feedparser's own
  sniffing regex backtracks for minutes on a long first line.
* DTDs and entity declarations are removed before parsing: feedparser's
  lenient fallback expands internal entities without limit (a 65 KB feed made
  a 250-million-character title) and external ones must never be fetched.
* Character references that crash feedparser's lenient parser (``&#x110000;``,
  surrogates) are defused, and feeds of more than ``MAX_ENTRIES`` entries are
  cut down before parsing, since feedparser spends ~0.3 ms on every entry.
* Everything kept is plain text: HTML is turned into readable lines by a
  standard-library ``HTMLParser``, then ``clean_text`` removes escape
  sequences, control and bidi characters, and every field is capped.

``parse_feed`` raises nothing but ``NotAFeed``, whatever the bytes.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from adapters.text import clean_text

__all__ = [
    "MAX_ENTRIES",
    "MAX_FIELD",
    "MAX_SUMMARY",
    "MAX_TITLE",
    "NotAFeed",
    "ParsedEntry",
    "ParsedFeed",
    "parse_feed",
]

MAX_ENTRIES = 500
MAX_TITLE = 500
MAX_SUMMARY = 20_000
MAX_FIELD = 2_000  # guid, author, link, category, feed title

# Not part of the interface: a hostile entry could carry a million categories.
_MAX_CATEGORIES = 50
# How much raw input a field may cost before its output is capped: cleaning only
# ever removes text, so a generous multiple of the cap loses nothing real.
_INPUT_FACTOR = 20
_ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class ParsedEntry:
    """One feed item, as plain display-safe text (see the module docstring)."""

    guid: str
    link: str
    title: str
    summary: str
    published: datetime
    date_missing: bool
    author: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: channel facts, up to ``MAX_ENTRIES`` entries, and how many were cut."""

    title: str
    link: str
    version: str
    entries: tuple[ParsedEntry, ...]
    dropped_entries: int


class NotAFeed(ValueError):
    """The bytes are not a usable feed; ``str(exc)`` is a short reason for the user."""


def parse_feed(
    body: bytes,
    *,
    fetched_at: datetime,
    content_type: str | None = None,
    base_url: str = "",
) -> ParsedFeed:
    """Parse a fetched feed body into plain, capped entries.

    ``content_type`` is the HTTP Content-Type (its charset is honoured) and
    ``base_url`` the URL the feed came from (relative links resolve against
    it). Entries without a parseable date get ``fetched_at`` and
    ``date_missing=True``. Raises ``NotAFeed`` ("empty response", "not a
    feed" or "bad XML") and nothing else for any ``body``; a naive
    ``fetched_at`` is a programming error and raises ``ValueError``.
    """
    if fetched_at.tzinfo is None or fetched_at.utcoffset() is None:
        raise ValueError("fetched_at must be timezone-aware")
    try:
        return _parse(bytes(body), fetched_at.astimezone(UTC), content_type, base_url)
    except NotAFeed:
        raise
    except Exception as exc:  # the last resort the contract promises: any bytes, only NotAFeed
        raise NotAFeed("bad XML") from exc


# --------------------------------------------------------------------------- pipeline


def _parse(
    body: bytes, fetched_at: datetime, content_type: str | None, base_url: str
) -> ParsedFeed:
    """Decode, defuse, run feedparser, then turn what it found into plain fields."""
    if not body.strip():
        raise NotAFeed("empty response")
    text = _decode(body, content_type or "")
    if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        # JSON (a JSON Feed, an API error): feedparser 6 reads XML only.
        raise NotAFeed("not a feed")
    prepared = _prepare(text)
    if prepared is None:
        raise NotAFeed("empty response" if not text.strip("\ufeff \t\r\n") else "not a feed")

    fast = _run_fast(prepared)
    if fast is not None:
        return _feed_from(fast, "", prepared, fetched_at, base_url)
    try:
        result = _run_feedparser(prepared.document, base_url)
    except Exception:
        # feedparser's SAX handler has bugs of its own (a namespace URI with a
        # space in it raised ValueError); its lenient parser copes with those.
        # A stray "<" after the declaration makes expat give up at once.
        lenient = prepared.document.replace(_XML_DECLARATION, _XML_DECLARATION + b"<\n", 1)
        result = _run_feedparser(lenient, base_url)
    raw_entries: list[Any] = list(result.get("entries") or [])
    version = str(result.get("version") or "")
    if prepared.netscape_doctype and version:
        version = "rss091n"  # what feedparser reports for the DOCTYPE we removed
    if not version and not raw_entries:
        if prepared.root_name == "html":
            raise NotAFeed("not a feed")
        raise NotAFeed("bad XML" if _is_sax_error(result.get("bozo_exception")) else "not a feed")
    return _feed_from(result, version, prepared, fetched_at, base_url)


def _feed_from(
    result: Any, version: str, prepared: _Prepared, fetched_at: datetime, base_url: str
) -> ParsedFeed:
    """Plain, capped fields from feedparser's result or its fast-path equivalent."""
    raw_entries: list[Any] = list(result.get("entries") or [])
    version = version or str(result.get("version") or "")
    feed = result.get("feed") or {}
    feed_link = _safe_link(dict.get(feed, "link"), base_url)
    link_base = base_url if _safe_link(base_url, "") else feed_link
    entries = tuple(_entry(raw, fetched_at, link_base) for raw in raw_entries[:MAX_ENTRIES])
    return ParsedFeed(
        title=_text_field(dict.get(feed, "title"), dict.get(feed, "title_detail"), MAX_FIELD),
        link=feed_link,
        version=version,
        entries=entries,
        dropped_entries=prepared.dropped + max(0, len(raw_entries) - MAX_ENTRIES),
    )


# The fast path: a plain RSS 2.0 document that is well-formed XML and uses none
# of the features where fastfeedparser and feedparser are known to differ.
_RSS20_ROOT = re.compile(rb"""<rss\b([^>]{0,2000}?)>""")
_RSS20_VERSION = re.compile(rb"""\bversion\s*=\s*["']2\.0["']""")
_DEFAULT_NAMESPACE = re.compile(rb"\sxmlns\s*=")
# xml:base (feedparser resolves links against it), typed content (fastfeedparser
# drops the type), C1 characters and references and what may be UTF-8 read as
# Latin-1 (feedparser repairs both), and dates other than pubDate.
_FAST_PATH_SPOILERS = re.compile(
    rb"""xml:base|\btype\s*=\s*["'](?:x?html|text|application/xhtml\+xml)["']"""
    rb"|&#(?:1[2-5][0-9]|[xX]0*[89][0-9a-fA-F]);|\xc2[\x80-\x9f]|\xc3[\x82-\xb4]\xc2[\xa0-\xbf]"
    rb"|<(?:dc:date|dcterms:|atom:updated|atom:published)"
)
# The same test in pieces that each start with a literal, which the regex engine
# finds by fast scanning: the alternation above is tried at every byte (1.9 ms on
# a 46 KB feed; the pieces take ~0.2 ms). _has_spoiler must agree with it.
_XML_BASE = b"xml:base"
_TYPE_SPOILER = re.compile(rb"""type\s*=\s*["'](?:x?html|text|application/xhtml\+xml)["']""")
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_C1_CHARREF = re.compile(rb"&#(?:1[2-5][0-9]|[xX]0*[89][0-9a-fA-F]);")
_C1_OR_MOJIBAKE = re.compile(rb"\xc2[\x80-\x9f]|\xc3[\x82-\xb4]\xc2[\xa0-\xbf]")
_OTHER_DATES = re.compile(rb"<(?:dc:date|dcterms:|atom:updated|atom:published)")
_ITEM_TAG = re.compile(rb"<item[\s>]")
_GUID_TAG = re.compile(rb"<guid[\s>]")
_LINK_TAG = re.compile(rb"<link>")


def _is_plain_rss20(document: bytes) -> bool:
    """RSS 2.0 without a default namespace, spoilers, or items lacking a guid or link.

    An item without a guid gets its link as id from fastfeedparser, and one
    without a link gets its permalink guid as link from feedparser; requiring
    both in every item (and a channel link) keeps the two paths' keys equal.
    """
    root = _RSS20_ROOT.match(document, len(_XML_DECLARATION))
    if root is None or not _RSS20_VERSION.search(root.group(1)):
        return False
    if _DEFAULT_NAMESPACE.search(root.group(1)) or _has_spoiler(document):
        return False
    items = len(_ITEM_TAG.findall(document))
    return len(_GUID_TAG.findall(document)) == items and len(_LINK_TAG.findall(document)) > items


def _has_spoiler(document: bytes) -> bool:
    """``_FAST_PATH_SPOILERS.search(document) is not None``, computed faster."""
    if _XML_BASE in document:
        return True
    for match in _TYPE_SPOILER.finditer(document):
        start = match.start()
        if start == 0 or document[start - 1] not in _WORD_BYTES:  # the pattern's \b
            return True
    if _C1_CHARREF.search(document) or _OTHER_DATES.search(document):
        return True
    return b"\xc2" in document and _C1_OR_MOJIBAKE.search(document) is not None


def _run_fast(prepared: _Prepared) -> dict[str, Any] | None:
    """fastfeedparser's result in feedparser's shape for a plain, well-formed RSS 2.0 feed.

    Why: feedparser spends about 30 ms on a 50-item feed, 95% of a refresh's
    CPU; fastfeedparser (lxml underneath) takes about 1.5 ms. It is used only
    where the two agree (see ``tests/adapters/news/test_parse_fast.py``,
    which compares them on every such feed in the corpus): RSS 2.0, strict
    XML, none of ``_FAST_PATH_SPOILERS``. Everything else, and anything it
    fails on, goes to feedparser as before. Returns None for "not here".
    """
    document = prepared.document
    if prepared.root_name != "rss" or not _is_plain_rss20(document):
        return None
    import fastfeedparser
    from feedparser.datetimes import _parse_date
    from lxml import etree

    try:
        # Strict XML only: on broken documents feedparser's lenient mode differs.
        root = etree.fromstring(document, _strict_parser())
        result = fastfeedparser.parse(document, include_media=False, include_enclosures=False)
    except Exception:  # any failure: feedparser gets its turn
        return None
    # The guid and the date come from the raw item: fastfeedparser puts the
    # link in place of an empty guid, and its dateutil reading takes "not a
    # date" for 1 November, so dates go through feedparser's own date parser.
    items = [(item.findtext("guid"), item.findtext("pubDate")) for item in root.iter("item")]
    entries = result.get("entries") or []
    if len(items) != len(entries):
        return None
    feed = dict(result.get("feed") or {})
    feed["title_detail"] = {"type": _rss_text_type(feed.get("title"))}
    return {
        "feed": feed,
        "entries": [
            _fast_entry(entry, guid, _parse_date(date) if date else None)
            for entry, (guid, date) in zip(entries, items, strict=True)
        ],
        "version": "rss20",
    }


def _strict_parser() -> Any:
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, collect_ids=False
    )


def _fast_entry(entry: Any, guid: str | None, published: object) -> dict[str, Any]:
    """One fastfeedparser entry with the keys and types ``_entry`` reads from feedparser."""
    title = entry.get("title")
    return {
        "id": guid,
        "link": entry.get("link"),
        "title": title,
        "title_detail": {"type": _rss_text_type(title)},
        "author": entry.get("author"),
        "tags": entry.get("tags"),
        "content": entry.get("content"),
        "summary": entry.get("description"),
        "summary_detail": {"type": "text/html"},
        "published_parsed": published,
    }


def _rss_text_type(value: object) -> str:
    """feedparser's guess for RSS's nominally plain-text fields, so both paths agree."""
    from feedparser.mixin import _FeedParserMixin

    looks_like_html = isinstance(value, str) and _FeedParserMixin.looks_like_html(value)
    return "text/html" if looks_like_html else "text/plain"


def _run_feedparser(document: bytes, base_url: str) -> Any:
    """Run feedparser on prepared UTF-8; imported here so importing this module stays cheap.

    The content type is ours (the bytes are UTF-8 now, whatever the server
    said); Content-Location lets feedparser resolve relative links and
    xml:base. Sanitising and URI rewriting inside HTML are skipped: we keep
    only plain text, so tags go anyway.
    """
    import feedparser

    headers = {"content-type": "application/xml; charset=utf-8"}
    if base_url:
        headers["content-location"] = clean_text(base_url)[:MAX_FIELD]
    return feedparser.parse(
        io.BytesIO(document),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )


def _is_sax_error(exc: object) -> bool:
    import xml.sax

    return isinstance(exc, xml.sax.SAXException)


# --------------------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
# Bounded, anchored: reads the encoding from an XML declaration in an
# ASCII-compatible prefix without any chance of runaway backtracking.
_XML_DECL_ENCODING = re.compile(
    rb"""\A\s{0,64}<\?xml[^>]{0,256}?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._:\-]{0,63})["']"""
)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]{1,64})""", re.IGNORECASE)
# Labels that browsers read as a superset; feeds that say ISO-8859-1 routinely
# contain Windows-1252 quotes, and GB2312 feeds GBK characters.
_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
    "utf-8-sig": "utf-8",
}
_PROBE = b"<?xml version='1.0'?><rss>&#38;</rss> \n"
# Python text codecs that are not charsets: punycode decodes in quadratic time
# (60 KB took 0.2 s), the escape codecs rewrite backslashes, idna and
# "undefined" fail in their own ways. A feed declaring one is read as UTF-8.
_NOT_CHARSETS = frozenset(("punycode", "idna", "unicode-escape", "raw-unicode-escape", "undefined"))


def _decode(body: bytes, content_type: str) -> str:
    """Decide the encoding and decode: BOM, UTF-16/32 sniffing, valid UTF-8,
    then the HTTP charset, the XML declaration.

    A body that is valid UTF-8 is read as UTF-8 whatever it declares: legacy
    text is practically never valid UTF-8 by accident, while feeds labelled
    ISO-8859-1 and written in UTF-8 are common. Declared encodings must be
    ASCII-compatible (a body that starts ``<?xml`` in single bytes cannot be
    UTF-16, whatever it claims); UTF-16/32 and EBCDIC are only believed from
    the bytes themselves. When nothing decodes cleanly, a declared legacy
    encoding is used with replacement characters, else UTF-8 with stray
    bytes read as Windows-1252 (a CMS pasting a "0x93" quote into UTF-8).
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            rest = body[len(bom) :]
            if encoding == "utf-8":
                return rest.decode("utf-8", _CP1252_FALLBACK)
            return rest.decode(encoding, "replace")

    sniffed = _sniff_wide(body[:4])
    if sniffed:
        return body.decode(sniffed, "replace")

    declared = [
        encoding
        for label in (_charset_of(content_type[:1000]), _xml_encoding(body))
        if label and (encoding := _codec(label))
    ]
    for encoding in ["utf-8", *declared]:
        try:
            return body.decode(encoding)
        except (UnicodeError, LookupError, ValueError):  # UnicodeError: idna, "undefined"
            continue
    legacy = [encoding for encoding in declared if encoding != "utf-8"]
    if legacy:
        return body.decode(legacy[0], "replace")
    return body.decode("utf-8", _CP1252_FALLBACK)


def _utf8_stray_bytes_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 are read as Windows-1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    stray = error.object[error.start : error.end]
    return bytes(stray).decode("cp1252", "replace"), error.end


_CP1252_FALLBACK = "gpwatch.utf8-stray-cp1252"
codecs.register_error(_CP1252_FALLBACK, _utf8_stray_bytes_as_cp1252)


def _sniff_wide(head: bytes) -> str | None:
    """UTF-16/32 (no BOM) and EBCDIC from the NUL pattern of the first four bytes."""
    if len(head) < 4:
        return None
    if head == b"\x4c\x6f\xa7\x94":  # "<?xm" in EBCDIC
        return "cp037"
    zero = [b == 0 for b in head]
    if zero == [True, True, True, False]:
        return "utf-32-be"
    if zero == [False, True, True, True]:
        return "utf-32-le"
    if zero[0] and not zero[1] and zero[2] and not zero[3]:
        return "utf-16-be"
    if not zero[0] and zero[1] and not zero[2] and zero[3]:
        return "utf-16-le"
    return None


def _charset_of(content_type: str) -> str | None:
    match = _CHARSET_PARAM.search(content_type)
    return match.group(1) if match else None


def _xml_encoding(body: bytes) -> str | None:
    match = _XML_DECL_ENCODING.match(body[:1024])
    return match.group(1).decode("ascii") if match else None


def _codec(label: str) -> str | None:
    """Python's codec for a declared label, or None when unknown or not ASCII-compatible."""
    try:
        name = codecs.lookup(label.strip().lower()).name
        name = _SUPERSETS.get(name, name)
        if name in _NOT_CHARSETS or _PROBE.decode(name) != _PROBE.decode("ascii"):
            return None
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None
    return name


# --------------------------------------------------------------------------- defusing


@dataclass(frozen=True)
class _Prepared:
    document: bytes
    root_name: str
    netscape_doctype: bool
    dropped: int


_NAME_START = re.compile(r"<[A-Za-z_\u00c0-\U000effff]")
_PROLOG_CONSTRUCT = re.compile(r"<(?:[?A-Za-z_\u00c0-\U000effff]|!--|!DOCTYPE)", re.IGNORECASE)
_ROOT_NAME = re.compile(r"<([^\s/>]{1,200})")
# A DOCTYPE up to its internal subset or its end; possessive, so linear.
_DOCTYPE_HEAD = re.compile(r"""<!DOCTYPE(?:[^\[>"']++|"[^"]*+"|'[^']*+')*+""", re.IGNORECASE)
_SUBSET_END = re.compile(r"\]\s*+>")
# Declarations anywhere after the root start: removed (or at least disarmed).
_BODY_DECLARATION = re.compile(r"<!(?:DOCTYPE|ENTITY)\b(?:[^<>]*+>)?", re.IGNORECASE)
# Only references that might be bad are matched (controls, surrogates, U+FFFE/F,
# huge numbers): a callback for each of 500,000 "&#233;" cost 0.4 s.
_SUSPECT_CHARREF = re.compile(
    r"&#(?:[xX]0*(?:1?[0-9a-fA-F]|[dDfF][0-9a-fA-F]{3}|[0-9a-fA-F]{5,}+)(?![0-9a-fA-F])"
    r"|0*(?:[0-9]{1,2}|[0-9]{5,}+)(?![0-9]));?"
)
_CHARREF_PARTS = re.compile(r"&#([xX]?)0*([0-9a-fA-F]*)")
# Characters XML 1.0 forbids outright (expat gives up on the whole document).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]+")
_ENTRY_SCAN = re.compile(
    r"<!\[CDATA\[|<!--|</(?:[A-Za-z_][\w.\-]*+:)?(?:item|entry)\s*+>", re.IGNORECASE
)
_XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'


def _prepare(text: str) -> _Prepared | None:
    """Rebuild the document so that feedparser sees no DTD, entity or bad reference.

    The prolog (everything before the root element: declaration, comments,
    PIs, DOCTYPE with its internal subset) is dropped and replaced by a plain
    UTF-8 declaration. Returns None when there is no root element at all.
    """
    start, netscape = _skip_prolog(text)
    if start < 0:
        return None
    root = _ROOT_NAME.match(text, start)
    root_name = root.group(1).rpartition(":")[2].lower() if root else ""
    rest = text[start:]
    rest = _BODY_DECLARATION.sub("", rest)
    rest = _strip_xml_illegal(rest)
    # Last, so that no removal can join the pieces of a new reference ("&#x11\0" "0000;").
    rest = _SUSPECT_CHARREF.sub(_defuse_charref, rest)
    rest, dropped = _cut_entries(rest)
    return _Prepared(
        document=_XML_DECLARATION + rest.encode("utf-8", "replace"),
        root_name=root_name,
        netscape_doctype=netscape,
        dropped=dropped,
    )


# Bytes that can only come from a character _XML_ILLEGAL matches, once text is
# UTF-8 (surrogates passed through): C0 controls, and the lead bytes of
# surrogates (\xed, shared with some Hangul) and of U+FFFE/U+FFFF.
_C0_ILLEGAL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _strip_xml_illegal(text: str) -> str:
    """``_XML_ILLEGAL.sub("", text)``, skipping the scan when no such character can be there.

    Why: the regex tests every character against a class (~1 ms on a 46 KB
    feed); encoding and two byte searches in C take a tenth of that, and
    almost every feed has none of these characters.
    """
    data = text.encode("utf-8", "surrogatepass")
    if (
        len(data.translate(None, _C0_ILLEGAL_BYTES)) == len(data)
        and b"\xed" not in data
        and b"\xef\xbf\xbe" not in data
        and b"\xef\xbf\xbf" not in data
    ):
        return text
    return _XML_ILLEGAL.sub("", text)


def _skip_prolog(text: str) -> tuple[int, bool]:
    """Index of the root element's ``<`` (or -1), and whether a Netscape DOCTYPE was seen.

    Each step moves forward with ``str.find`` or a possessive regex, so the
    scan is linear however the prolog is built.
    """
    pos = 0
    netscape = False
    length = len(text)
    while pos < length:
        char = text[pos]
        if char != "<":
            nxt = text.find("<", pos)  # whitespace, a BOM or junk: skip to the next tag
            if nxt < 0:
                return -1, netscape
            pos = nxt
        elif text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            if end < 0:
                return -1, netscape
            pos = end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            if end < 0:
                return -1, netscape
            pos = end + 3
        elif text[pos : pos + 9].upper() == "<!DOCTYPE":
            head = _DOCTYPE_HEAD.match(text, pos)
            end = head.end() if head else pos + 9
            netscape = netscape or "netscape" in text[pos:end].lower()
            if text.startswith("[", end):
                subset_end = _SUBSET_END.search(text, end)
                if subset_end is None:
                    return -1, netscape
                pos = subset_end.end()
            elif text.startswith(">", end):
                pos = end + 1
            else:  # an unterminated quote: end it where feedparser would, at the next ">"
                close = text.find(">", end)
                if close < 0:
                    return -1, netscape
                pos = close + 1
        elif _NAME_START.match(text, pos):
            return pos, netscape
        else:  # "<!x", "</", "< ": junk before the root; on to the next thing that counts
            nxt = _PROLOG_CONSTRUCT.search(text, pos + 1)
            if nxt is None:
                return -1, netscape
            pos = nxt.start()
    return -1, netscape


def _defuse_charref(match: re.Match[str]) -> str:
    """Keep a character reference only if it names a character XML allows.

    feedparser's lenient parser calls ``chr()`` on whatever number it finds
    (``&#99999999999;`` raised OverflowError), and expat rejects the whole
    document for ``&#27;``; control characters would be stripped later anyway.
    """
    parts = _CHARREF_PARTS.match(match.group())
    if parts is None:  # pragma: no cover - the suspect pattern guarantees a match
        return match.group()
    is_hex, digits = parts.groups()
    if len(digits) > 8:
        return "\ufffd"
    code = int(digits or "0", 16 if is_hex else 10)
    if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD:
        return match.group()
    if 0x10000 <= code <= 0x10FFFF:
        return match.group()
    return "" if code < 0x20 else "\ufffd"


def _cut_entries(text: str) -> tuple[str, int]:
    """Remove entries beyond ``MAX_ENTRIES`` before parsing; return the text and how many.

    The kept text runs to the end of entry ``MAX_ENTRIES`` and resumes after
    the last entry, so the closing tags (and the document) stay intact.
    Closing tags inside CDATA sections and comments are not counted.
    """
    count = 0
    cut_at = last_end = -1
    pos = 0
    while True:
        match = _ENTRY_SCAN.search(text, pos)
        if match is None:
            break
        token = match.group()
        if token.startswith("<!"):
            closer = "]]>" if token.startswith("<![") else "-->"
            end = text.find(closer, match.end())
            if end < 0:
                break
            pos = end + len(closer)
            continue
        count += 1
        if count == MAX_ENTRIES:
            cut_at = match.end()
        last_end = pos = match.end()
    if count <= MAX_ENTRIES:
        return text, 0
    return text[:cut_at] + text[last_end:], count - MAX_ENTRIES


# --------------------------------------------------------------------------- entries


def _entry(raw: Any, fetched_at: datetime, link_base: str) -> ParsedEntry:
    """One feedparser entry to a ParsedEntry (``dict.get``: no FeedParserDict key magic)."""
    published, missing = _published(raw, fetched_at)
    return ParsedEntry(
        guid=_identifier(dict.get(raw, "id")),
        link=_safe_link(dict.get(raw, "link"), link_base),
        title=_text_field(dict.get(raw, "title"), dict.get(raw, "title_detail"), MAX_TITLE),
        summary=_summary(raw),
        published=published,
        date_missing=missing,
        author=_text_field(dict.get(raw, "author"), None, MAX_FIELD),
        categories=_categories(dict.get(raw, "tags")),
    )


def _published(raw: Any, fetched_at: datetime) -> tuple[datetime, bool]:
    """First usable of published/updated/created (UTC struct_time from feedparser)."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = _utc_datetime(dict.get(raw, key))
        if value is not None:
            return value, False
    return fetched_at, True


def _utc_datetime(value: object) -> datetime | None:
    """A struct_time (feedparser gives UTC) as an aware datetime, or None if out of range.

    Years 1 and 9999 are refused too, so later arithmetic of a day or so
    cannot overflow; a leap second becomes :59.
    """
    if not isinstance(value, tuple) or len(value) < 6:  # time.struct_time is a tuple
        return None
    year, month, day, hour, minute, second = value[:6]
    try:
        if not 1 < year < 9999:
            return None
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _summary(raw: Any) -> str:
    """Readable text of the fullest body: content (e.g. content:encoded) before summary.

    feedparser may copy a content value into ``summary`` without a
    ``summary_detail``; such a copy is skipped, and a summary of unstated
    type is read as HTML (what RSS descriptions are).
    """
    candidates: list[tuple[object, object]] = []
    for content in dict.get(raw, "content") or []:
        if isinstance(content, dict):
            candidates.append((content.get("value"), content))
    summary = dict.get(raw, "summary")
    if all(summary != value for value, _ in candidates):
        candidates.append((summary, dict.get(raw, "summary_detail") or {"type": "text/html"}))
    for value, detail in candidates:
        if not isinstance(value, str) or not value.strip():
            continue
        kind = _content_kind(detail)
        if kind is None:
            continue
        if kind == "html":
            text = _html_to_text(value[: MAX_SUMMARY * _INPUT_FACTOR], MAX_SUMMARY)
        else:
            text = value[: MAX_SUMMARY * _INPUT_FACTOR]
        text = _tidy_lines(text)
        if text:
            return _cap(text, MAX_SUMMARY)
    return ""


def _content_kind(detail: object) -> str | None:
    """Whether content is "html", "text", or (None) not text at all: images, XML, ..."""
    kind = detail.get("type", "") if isinstance(detail, dict) else ""
    kind = (kind or "").lower()
    if kind in ("text/html", "application/xhtml+xml", "html", "xhtml"):
        return "html"
    if kind in ("", "text", "text/plain") or kind.startswith("text/"):
        return "text"
    return None


def _text_field(value: object, detail: object, cap: int) -> str:
    """One-line plain text: HTML stripped when feedparser says it is HTML, else literal."""
    if not isinstance(value, str) or not value:
        return ""
    value = value[: cap * _INPUT_FACTOR]
    if _content_kind(detail) == "html":
        value = _html_to_text(value, cap)
    text = " ".join(_clean(value.translate(_CP1252_C1)).split())
    return _cap(text, cap)


def _identifier(value: object) -> str:
    """A guid as given (cleaned, trimmed); cut without an ellipsis, it is an identifier."""
    if not isinstance(value, str):
        return ""
    return _clean(value[: MAX_FIELD * _INPUT_FACTOR]).strip()[:MAX_FIELD]


def _categories(tags: object) -> tuple[str, ...]:
    """Category terms (or labels), cleaned, without duplicates, at most ``_MAX_CATEGORIES``."""
    seen: dict[str, None] = {}
    for tag in tags if isinstance(tags, list) else []:
        if not isinstance(tag, dict):
            continue
        term = _text_field(tag.get("term") or tag.get("label"), None, MAX_FIELD)
        if term:
            seen.setdefault(term)
            if len(seen) >= _MAX_CATEGORIES:
                break
    return tuple(seen)


def _cap(text: str, cap: int) -> str:
    """Cut to ``cap`` characters, the last one an ellipsis when something was lost."""
    if len(text) <= cap:
        return text
    return text[: cap - 1].rstrip() + _ELLIPSIS


# Code points U+0080..U+009F that feeds mean as Windows-1252 (a "0x92" apostrophe
# sent as &#146; or through a Latin-1 round trip); feedparser maps its own
# output the same way, this catches those our HTML decoding produces.
_CP1252_C1 = {
    code: bytes([code]).decode("cp1252")
    for code in range(0x80, 0xA0)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


# --------------------------------------------------------------------------- links

_URL_STRIP = re.compile("[\t\r\n]")
_SURROGATES = re.compile("[\ud800-\udfff]+")
_URL_ESCAPE = re.compile("[\x00-\x20\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _safe_link(value: object, base: str) -> str:
    """An absolute http(s) URL, resolved against ``base`` when relative, or "".

    javascript:, data:, file: and every other scheme become "", as does a
    link too long to be kept whole; spaces and control characters that
    survive are percent-encoded so the URL is one inert token.
    """
    if not isinstance(value, str):
        return ""
    url = value.strip()
    if not url or len(url) > MAX_FIELD:
        return ""
    url = _URL_STRIP.sub("", url)
    url = _SURROGATES.sub("", url)
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return ""
    except ValueError:
        return ""
    url = _URL_ESCAPE.sub(lambda m: quote(m.group(), safe=""), url)
    return url if len(url) <= MAX_FIELD else ""


# --------------------------------------------------------------------------- HTML to text

_BREAK_LINE = 1
_BREAK_PARAGRAPH = 2
_BLOCK_TAGS = frozenset(
    (
        *("address", "article", "aside", "blockquote", "center", "details", "dialog", "dir"),
        *("div", "dl", "fieldset", "figcaption", "figure", "footer", "form", "header"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "hr", "main", "menu", "nav", "ol"),
        *("p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "ul"),
    )
)
_LINE_TAGS = frozenset(("br", "tr", "dt", "dd", "caption"))
_LIST_TAGS = frozenset(("ul", "ol", "dir", "menu"))
_SKIP_TAGS = frozenset(("script", "style", "template"))
_CELL_TAGS = frozenset(("td", "th"))
_WHITESPACE = re.compile(r"\s+")
_CHUNK = 65_536


class _TextExtractor(HTMLParser):
    """Collects readable text from HTML: blocks become blank-line-separated
    paragraphs, ``<br>`` a line break, list items ``- item`` (``1. item`` in
    ``<ol>``), and script/style/template content is dropped. Attributes are
    never read, so nothing in them can reach the output.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str | int] = []
        self.size = 0
        self._skip = 0
        self._pre = 0
        self._lists: list[list[int]] = []  # per open list: [is_ordered, next number]
        # A list item's "- " waits for the item's first text, so that
        # <li><p>text</p></li> reads "- text", not "-" and then the text.
        self._marker: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "li":
            self._break(_BREAK_LINE)
            if self._lists and self._lists[-1][0]:
                self._marker = f"{self._lists[-1][1]}. "
                self._lists[-1][1] += 1
            else:
                self._marker = "- "
        elif tag in _LIST_TAGS:
            self._marker = None
            self._break(self._block_break())  # a nested list starts on the next line
            self._lists.append([tag == "ol", 1])
        elif tag in _BLOCK_TAGS:
            self._break(self._block_break())
            self._pre += tag == "pre"
        elif tag in _LINE_TAGS:
            self._break(_BREAK_LINE)
        elif tag in _CELL_TAGS or tag == "img":
            self._space()  # keeps "a<img>b" and table cells apart as words

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <hr/>, <img/>: an empty element, so nothing may be left open
        # (a <script/> must not hide the rest of the text).
        if tag not in _SKIP_TAGS and tag not in _LIST_TAGS and tag != "pre":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _LIST_TAGS:
            self._marker = None
            if self._lists:
                self._lists.pop()
            self._break(self._block_break())
        elif tag in _BLOCK_TAGS:
            self._break(self._block_break())
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
        elif tag in ("li", "tr", "dt", "dd"):
            self._marker = None
            self._break(_BREAK_LINE)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre:
            for index, line in enumerate(data.replace("\r\n", "\n").split("\n")):
                if index:  # an empty line in <pre> is a blank line
                    self._break(_BREAK_LINE if line.strip() else _BREAK_PARAGRAPH)
                self._text(line)
        else:
            self._text(data)

    def _block_break(self) -> int:
        """Blocks inside a list item only start a new line: items stay together."""
        return _BREAK_LINE if self._lists else _BREAK_PARAGRAPH

    def _break(self, kind: int) -> None:
        if self._marker is None:  # the item's own line break is already there
            self.parts.append(kind)

    def _space(self) -> None:
        if self._marker is None:
            self.parts.append(" ")

    def _text(self, data: str) -> None:
        data = _WHITESPACE.sub(" ", data)
        if not data or (self._marker is not None and data == " "):
            return
        if self._marker is not None:
            data = self._marker + data.lstrip(" ")
            self._marker = None
        self.parts.append(data)
        self.size += len(data)

    def text(self) -> str:
        """Join the parts: breaks collapse to the largest, spaces never start a line."""
        out: list[str] = []
        pending = 0
        for part in self.parts:
            if isinstance(part, int):
                pending = max(pending, part)
                continue
            if pending:
                part = part.lstrip(" ")
                if not part:  # whitespace between blocks
                    continue
                if out:
                    out.append("\n" * pending)
                pending = 0
            out.append(part)
        return "".join(out)


def _html_to_text(html: str, cap: int) -> str:
    """Readable plain text from an HTML fragment, stopping once ``cap`` characters are out.

    Fed in chunks so a huge body costs only what its first ``cap`` characters
    need. Should the parser choke on some malformed construct, a crude tag
    strip takes over: text from a feed must never fail the whole feed.
    """
    html = _defuse_html(html)
    if len(html) <= _CHUNK:
        simple = _simple_html_to_text(html, cap)
        if simple is not None:
            return simple
    return _parsed_html_to_text(html, cap)


def _parsed_html_to_text(html: str, cap: int) -> str:
    """``_html_to_text`` by HTMLParser, for any (defused) fragment."""
    parser = _TextExtractor()
    try:
        for start in range(0, len(html), _CHUNK):
            parser.feed(html[start : start + _CHUNK])
            if parser.size > cap:
                break
        else:
            parser.close()
        return parser.text()
    except Exception:
        return unescape(re.sub(r"<[^<>]*+>", " ", html))


# The fast path's idea of a tag: a plain name, then attributes in their ordinary
# form (double-, single- or un-quoted values without "<" or ">"), then ">" or "/>".
# On such a tag HTMLParser's tolerant start-tag and end-tag parsing give the
# same name and kind (start, end, start-end); anything else ("<!--", "<?", "a <
# b", "<o:p>", a ">" inside a quoted value) is left to HTMLParser.
_SIMPLE_TAG = re.compile(
    r"""<(/?)([A-Za-z][A-Za-z0-9]*+)"""
    r"""((?:\s++[A-Za-z_:][-A-Za-z0-9_:.]*+"""
    r"""(?:\s*+=\s*+(?:"[^"<>]*+"|'[^'<>]*+'|[^\s"'=<>`]++))?)*+)\s*+(/?)>"""
)
# Elements whose content HTMLParser reads raw (script, style) or, in newer
# Pythons, as RCDATA (textarea, title): their text is not tokenised as above.
_RAW_TEXT_TAGS = frozenset(
    (
        *("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"),
        *("noscript", "plaintext"),
    )
)


def _simple_html_to_text(html: str, cap: int) -> str | None:
    """``_html_to_text`` without HTMLParser's tokeniser, for fragments made of plain tags.

    Why: HTMLParser's pure-Python scanning was ~60% of turning a typical
    feed's descriptions into text. Here one regex finds each tag, and the
    same ``_TextExtractor`` gets the same calls HTMLParser would make (text
    between tags unescaped as a whole run, lower-cased names, attributes
    unused), so the output is identical; ``tests/adapters/news/test_parse.py``
    compares the two on generated and real fragments. Returns None, for the
    caller to use HTMLParser, on anything else: a "<" that does not open a
    plain tag, an end tag with attributes, a raw-text element, or text past
    ``cap`` (where the chunked path stops early).
    """
    extractor = _TextExtractor()
    pos = 0
    length = len(html)
    try:
        while pos < length:
            lt = html.find("<", pos)
            if lt < 0:
                extractor.handle_data(unescape(html[pos:]))
                break
            tag = _SIMPLE_TAG.match(html, lt)
            if tag is None:
                return None
            closing, name, attributes, empty = tag.groups()
            name = name.lower()
            if name in _RAW_TEXT_TAGS or (closing and (attributes or empty)):
                return None
            if lt > pos:
                extractor.handle_data(unescape(html[pos:lt]))
            if closing:
                extractor.handle_endtag(name)
            elif empty:
                extractor.handle_startendtag(name, [])
            else:
                extractor.handle_starttag(name, [])
            pos = tag.end()
    except Exception:
        return None
    if extractor.size > cap:
        return None
    return extractor.text()


# HTMLParser before Python 3.11.13 (CVE-2025-6069) rescans to the end of the input
# for every construct that never closes, which is quadratic: "<!--" * 20_000 took
# 4 s. Marked sections are rescanned even when a ">" follows, so they go first.
_MARKED_SECTION = re.compile(r"<!\[(?:CDATA\[|[^\[\]<>]{0,100}\]>)?|\]\]>")
_COMMENT_CLOSE_REVERSED = re.compile(r">\s*--")
_CONSTRUCT_START = re.compile(r"<[A-Za-z/!?]")


def _defuse_html(html: str) -> str:
    """Remove what HTMLParser would rescan quadratically, the way HTML5 reads it.

    CDATA markers and conditional-comment markers go (their text stays); a
    comment that never closes runs to the end, and a tag still open after the
    last ">" can never close, so both are cut off with everything after them.
    """
    html = _MARKED_SECTION.sub("", html)
    last_close = _COMMENT_CLOSE_REVERSED.search(html[::-1])
    # A "<!--" at p is closed only by a "--\s*>" starting at p + 4 or later.
    unclosed_from = len(html) - last_close.end() - 3 if last_close else 0
    cut = html.find("<!--", max(0, unclosed_from))
    if cut >= 0:
        html = html[:cut]
    tail = _CONSTRUCT_START.search(html, html.rfind(">") + 1)
    return html[: tail.start()] if tail else html


_EXTRA_NEWLINES = re.compile(r"\n{3,}")


def _tidy_lines(text: str) -> str:
    """Multi-line plain text: cleaned, spaces collapsed, at most one blank line in a row.

    Each line's whitespace runs become one space and lines lose their
    leading and trailing spaces (``str.split`` and the regex ``\\s`` agree on
    what whitespace is); done per line with ``split``, which was 3x faster
    than the equivalent regex substitutions.
    """
    text = _clean(text.translate(_CP1252_C1), keep_newlines=True)
    text = "\n".join([" ".join(line.split()) for line in text.split("\n")])
    return _EXTRA_NEWLINES.sub("\n\n", text).strip()


# Every character ``clean_text`` may change or remove: C0 and C1 controls (tab,
# line breaks and the ESC/CSI/OSC that start escape sequences among them), the
# Unicode line and paragraph separators, bidi controls and lone surrogates.
_NEEDS_CLEANING = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NEEDS_CLEANING_KEEPING_NEWLINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _clean(text: str, *, keep_newlines: bool = False) -> str:
    """``clean_text(text)``, skipped when text has nothing it could change.

    Why: feed text is almost always clean, and one search is a fifth of the
    cost of clean_text's five passes, paid on every title, summary and guid.
    ``tests/adapters/news/test_parse.py`` checks the two agree.
    """
    pattern = _NEEDS_CLEANING_KEEPING_NEWLINES if keep_newlines else _NEEDS_CLEANING
    if pattern.search(text) is None:
        return text
    return clean_text(text, keep_newlines=keep_newlines)
