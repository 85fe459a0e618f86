"""Feeds and cached articles, as stored in news.json.

Articles are many (100k is a target), so they are plain slotted dataclasses
built straight from documents without per-field validation on every load:
everything in them was cleaned and capped by the parser before it was stored,
and a document that does not fit is skipped and counted, never fatal.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

from adapters.validation import ValidationError, required_text

FEED_STATES = ("never fetched", "ok", "not modified", "failed")


def parse_utc(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def is_http_url(url: str) -> bool:
    """Only these are ever fetched, shown as links or opened."""
    lowered = url.strip().lower()
    return lowered.startswith(("http://", "https://")) and len(lowered) > len("https://")


MAX_URL_CHARS = 2048
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_feed_address(url: str) -> bool:
    """An absolute http(s) address with a host and no spaces or control characters."""
    if not url or len(url) > MAX_URL_CHARS:
        return False
    if any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:  # an unclosed IPv6 bracket, a port out of range
        return False
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(host)


def feed_address(url: str) -> str:
    """The one spelling of a feed's address that gpwatch subscribes and compares.

    ``HTTP://Example.org:80/feed#top`` and ``http://example.org/feed`` are one
    feed: scheme and host are case-blind, a default port says nothing, and the
    fragment is never sent to the server. Path and query are kept as written.
    Call with an address :func:`is_feed_address` accepts.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    userinfo, _, hostport = parts.netloc.rpartition("@")
    host = parts.hostname or ""
    if hostport.startswith("["):  # an IPv6 (or future) literal keeps its brackets
        host = f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(scheme):
        host += f":{parts.port}"
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def safe_link(url: str) -> str:
    """A link fit to show and open, or "" (javascript:, file:, data: and the rest)."""
    return url if is_http_url(url) else ""


@dataclass(frozen=True)
class Feed:
    """A subscribed feed and what happened the last time it was fetched."""

    title: str
    url: str
    enabled: bool = True
    etag: str | None = None
    last_modified: str | None = None
    state: str = "never fetched"
    reason: str = ""
    last_fetched: datetime | None = None
    last_new: int = 0
    id: int | None = None

    def __post_init__(self) -> None:
        required_text(self.title, "title")
        if not is_http_url(self.url):
            raise ValidationError("url", f"{self.url!r} is not an http(s) address")
        if not isinstance(self.enabled, bool):
            raise ValidationError("enabled", "must be true or false")
        if self.state not in FEED_STATES:
            raise ValidationError("state", f"{self.state!r} is not a feed state")

    def to_doc(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "url": self.url,
            "enabled": self.enabled,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "state": self.state,
            "reason": self.reason,
            "last_fetched": utc_iso(self.last_fetched) if self.last_fetched else None,
            "last_new": self.last_new,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any], doc_id: int | None = None) -> Self:
        try:
            fetched = doc.get("last_fetched")
            return cls(
                title=doc["title"],
                url=doc["url"],
                enabled=doc.get("enabled", True),
                etag=doc.get("etag"),
                last_modified=doc.get("last_modified"),
                state=doc.get("state", "never fetched"),
                reason=doc.get("reason", ""),
                last_fetched=parse_utc(fetched) if fetched else None,
                last_new=int(doc.get("last_new", 0)),
                id=doc_id,
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                raise
            raise ValidationError("feed", f"unreadable feed document: {exc}") from exc

    def with_title(self, title: str) -> Feed:
        return replace(self, title=title)


@dataclass(frozen=True, slots=True)
class Article:
    """One cached news item: plain text only, its link http(s) or empty."""

    feed_id: int
    key: str
    title: str
    link: str
    summary: str
    published: datetime
    fetched: datetime
    date_missing: bool = False
    author: str = ""
    tags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    unread: bool = True
    starred: bool = False
    sample: bool = False
    id: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Whatever built it (parser, sample, a test), a stored link is http(s) or "".
        object.__setattr__(self, "link", safe_link(self.link))

    def to_doc(self) -> dict[str, Any]:
        return {
            "feed_id": self.feed_id,
            "key": self.key,
            "title": self.title,
            "link": self.link,
            "summary": self.summary,
            "published": utc_iso(self.published),
            "fetched": utc_iso(self.fetched),
            "date_missing": self.date_missing,
            "author": self.author,
            "tags": list(self.tags),
            "mentions": list(self.mentions),
            "unread": self.unread,
            "starred": self.starred,
            "sample": self.sample,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any], doc_id: int | None = None) -> Self:
        try:
            return cls(
                feed_id=int(doc["feed_id"]),
                key=str(doc["key"]),
                title=str(doc["title"]),
                link=str(doc.get("link", "")),
                summary=str(doc.get("summary", "")),
                published=parse_utc(doc["published"]),
                fetched=parse_utc(doc["fetched"]),
                date_missing=bool(doc.get("date_missing", False)),
                author=str(doc.get("author", "")),
                tags=tuple(str(t) for t in doc.get("tags", ())),
                mentions=tuple(str(m) for m in doc.get("mentions", ())),
                unread=bool(doc.get("unread", True)),
                starred=bool(doc.get("starred", False)),
                sample=bool(doc.get("sample", False)),
                id=doc_id,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError("article", f"unreadable article document: {exc}") from exc
