"""OPML import and export: moving a feed list between gpwatch and other readers.

Reading uses listparser, the maintained subscription-list parser, rather than
hand-written XML parsing. Three things about listparser 0.20 shape this module
(checked in its source, ``listparser/__init__.py`` and ``xml_handler.py``):

* ``listparser.parse(str)`` treats a string starting ``http://``/``https://``
  as a URL and fetches it (when requests is installed). We only ever hand it
  ``bytes``, which it parses in place and never fetches.
* It parses with an *HTML* tokenizer (``html.parser``, or lxml's HTMLParser
  when lxml is installed), not an XML parser. An HTML tokenizer does not act on
  ``<!DOCTYPE [...]>`` entity declarations: ``&xxe;`` stays the literal text
  ``&xxe;``, so an OPML file can not make us read a local file, fetch a URL or
  expand a "billion laughs" bomb. Tests prove this with real entities.
* Without lxml it decodes the bytes as strict UTF-8 and lets
  ``UnicodeDecodeError`` (and the tokenizer's ``AssertionError`` on some
  malformed markup) escape. So we decode first, honouring a byte-order mark or
  the XML declaration, hand it UTF-8, and turn anything it raises into
  :class:`OpmlError`: a bad file is a message, never a traceback.

Only http and https feed addresses are kept: a ``javascript:`` or ``file:``
address from someone else's export must never reach the fetcher or a link.
Titles are outside text: cleaned with :func:`adapters.text.clean_text` and
kept literally (markup in a title is shown, not rendered).

Writing uses ElementTree, which escapes attribute values itself.
"""

from __future__ import annotations

import codecs
import html.parser
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import listparser

from adapters.news.models import feed_address, is_feed_address
from adapters.store import atomic_write_bytes
from adapters.text import clean_text

MAX_TITLE_CHARS = 300
# A subscription list of a thousand feeds is a few hundred kB; anything far
# bigger is not one, and the HTML tokenizer need not be asked to chew on it.
MAX_OPML_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class OpmlFeed:
    """One feed from (or for) an OPML file: a display title and its address."""

    title: str
    url: str


class OpmlError(ValueError):
    """An OPML file could not be used; the message names the problem in a few words."""


# --------------------------------------------------------------------------- reading


def read_opml(data: bytes) -> list[OpmlFeed]:
    """The usable feeds in an OPML document, first occurrence of each address kept.

    Folders are flattened. Raises :class:`OpmlError` (and only that) when the
    data is empty, is not OPML, or holds no http(s) feed.
    """
    feeds, _skipped = _read(data)
    return feeds


def read_opml_file(path: Path) -> tuple[list[OpmlFeed], int]:
    """The feeds in an OPML file and how many entries were skipped.

    An entry is skipped when its address is not http(s) (``javascript:``,
    ``file:``, empty, malformed) or repeats one already read. Errors name the
    file: ``OpmlError("feeds.opml: not an OPML file ...")``.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_OPML_BYTES + 1)
    except FileNotFoundError as exc:
        raise OpmlError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise OpmlError(f"{path}: is a directory, not an OPML file") from exc
    except OSError as exc:
        raise OpmlError(f"{path}: can not be read ({exc.strerror or exc})") from exc
    try:
        return _read(data)
    except OpmlError as exc:
        raise OpmlError(f"{path}: {exc}") from exc


def _read(data: bytes) -> tuple[list[OpmlFeed], int]:
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"too large for a feed list (over {MAX_OPML_BYTES // (1024 * 1024)} MB)")
    if not data.strip():
        raise OpmlError("empty file")
    text = _strip_declaration(_decode(data))
    try:
        # bytes, never str: listparser fetches a str that looks like a URL. The
        # BOM tells lxml's HTML parser (used when lxml is installed) it is UTF-8.
        result = listparser.parse(codecs.BOM_UTF8 + text.encode("utf-8"))
        entries = _count_feed_entries(text)
    except Exception as exc:  # listparser's tokenizer asserts on some malformed markup
        raise OpmlError(f"not an OPML file (unreadable markup: {type(exc).__name__})") from exc
    if not str(result.get("version", "")).startswith("opml"):
        raise OpmlError("not an OPML file (it has no <opml> element)")

    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    for item in result.get("feeds", []):
        url = str(item.get("url", "")).strip()
        # Repeats in any spelling are one feed; the file's own spelling is kept here,
        # and the one to subscribe is chosen by NewsCache.add_feeds.
        if not is_feed_address(url) or feed_address(url) in seen:
            continue
        seen.add(feed_address(url))
        feeds.append(OpmlFeed(title=_clean_title(item.get("title", ""), url), url=url))

    # listparser drops repeated addresses itself, so count the entries directly.
    skipped = max(0, entries - len(feeds))
    if not feeds:
        if entries == 0:
            raise OpmlError("no feeds in it")
        raise OpmlError(
            f"no feeds gpwatch can use in it ({entries} skipped: "
            "not http or https addresses, or repeated)"
        )
    return feeds, skipped


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED_ENCODING = re.compile(
    rb"""\A\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']"""
)
_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")


def _decode(data: bytes) -> str:
    """Text from bytes the way an XML reader would: BOM, then declaration, then UTF-8."""
    found = _bom(data)
    if found is not None:
        bom, encoding = found
        data = data[len(bom) :]
    else:
        match = _DECLARED_ENCODING.match(data)
        encoding = match.group(1).decode("ascii") if match else "utf-8"
        # A UTF-16/32 declaration we could read as ASCII is wrong about itself.
        if encoding.lower().replace("_", "-").startswith(("utf-16", "utf16", "utf-32", "utf32")):
            encoding = "utf-8"
    try:
        return data.decode(encoding)
    except LookupError as exc:  # unknown, or not a text encoding (rot13, base64)
        raise OpmlError(f"not an OPML file (unknown encoding {encoding!r})") from exc
    except UnicodeDecodeError as exc:
        raise OpmlError(f"not an OPML file (not {encoding} text at byte {exc.start})") from exc


def _bom(data: bytes) -> tuple[bytes, str] | None:
    """The byte-order mark data starts with and its encoding, if any."""
    return next(((bom, name) for bom, name in _BOMS if data.startswith(bom)), None)


def _strip_declaration(text: str) -> str:
    # The text is re-encoded as UTF-8; a declaration saying otherwise would lie.
    return _DECLARATION.sub("", text, count=1)


class _OutlineCounter(html.parser.HTMLParser):
    """Counts feed outlines (those with xmlUrl) with the tokenizer listparser uses.

    listparser silently merges repeated addresses, so the number of entries
    skipped as duplicates is only visible by counting the outlines themselves.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.rpartition(":")[2] == "outline" and any(key == "xmlurl" for key, _ in attrs):
            self.count += 1


def _count_feed_entries(text: str) -> int:
    counter = _OutlineCounter()
    counter.feed(text)
    counter.close()
    return counter.count


def _clean_title(value: object, url: str) -> str:
    """Printable, one line, at most MAX_TITLE_CHARS; the address when there is no title."""
    title = clean_text(value).strip()[:MAX_TITLE_CHARS].rstrip()
    return title or url[:MAX_TITLE_CHARS]


# --------------------------------------------------------------------------- writing

# XML 1.0 can not carry these at all, escaped or not.
_NOT_XML = re.compile("[\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", clean_text(value))


def opml_bytes(
    feeds: Iterable[OpmlFeed], title: str = "gpwatch feeds", *, created: datetime | None = None
) -> bytes:
    """An OPML 2.0 document (UTF-8, with XML declaration) listing feeds in order.

    Each feed is written as ``<outline type="rss" text=.. title=.. xmlUrl=../>``,
    the form other readers import. ``created`` (default: now) fills
    ``dateCreated`` in RFC 822 form, as OPML 2.0 asks.
    """
    stamp = created if created is not None else datetime.now(UTC)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _xml_text(title)
    ET.SubElement(head, "dateCreated").text = format_datetime(stamp.astimezone(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        name = _xml_text(feed.title)
        ET.SubElement(
            body,
            "outline",
            {"type": "rss", "text": name, "title": name, "xmlUrl": _xml_text(feed.url)},
        )
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_opml_file(path: Path, feeds: Iterable[OpmlFeed]) -> None:
    """Write feeds as OPML so that a crash leaves the old file or the new one.

    Raises :class:`adapters.store.StoreWriteError` (with a message fit for the
    user) when the file can not be written; the old file is then unchanged.
    """
    atomic_write_bytes(path, opml_bytes(feeds))
