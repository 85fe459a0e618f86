"""Fetch feeds over HTTP: conditional GET, redirects by hand, a size cap, one result per feed.

The rest of gpwatch sees only :class:`FetchRequest` in and :class:`FetchResult`
out; a feed that fails gets a short human reason ("timeout", "HTTP 503") and
never stops the others. Why the code is shaped the way it is:

- **One shared client, 20 connections.** httpx's default 100-connection pool
  burns CPU in httpcore's bookkeeping; 20-32 connections was fastest on this
  machine (DESIGN.md, "Facts measured here"). The pool is sized to the
  concurrency so a fetch never waits for a connection it is allowed to have.
- **Redirects by hand.** httpx would follow a redirect to any scheme it can
  speak and raise on others; following each hop ourselves lets every
  ``Location`` be checked (only http/https) and the hop count capped, with a
  reason the user can read.
- **Our own bounded decompression.** httpx's ``aiter_bytes()`` decodes each
  network read in one ``zlib`` call with no output limit, so one 64 KB read
  of a gzip bomb becomes tens of MB in memory before the caller can count it
  (measured: with a 1 MiB cap, tracemalloc peaked at 45 MiB; this code
  peaks at ~1.4 MiB). We read ``aiter_raw()`` and
  inflate with ``max_length``, so at most the cap plus one 64 KiB piece is
  ever held. For the same reason only gzip and deflate are advertised: the
  brotli and zstd bindings offer no such limit.
- **A total deadline per feed** (``asyncio.timeout``): httpx's read timeout
  restarts on every byte, so a server dripping one byte every half second
  would otherwise hold a connection forever.
- **httpx is imported lazily**: it costs ~70-140 ms, and modules that only
  need :class:`FetchSettings` or :class:`FetchResult` (the UI at start-up)
  should not pay for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
import socket
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import httpx

__all__ = [
    "FAILED",
    "NOT_MODIFIED",
    "OK",
    "USER_AGENT",
    "FetchRequest",
    "FetchResult",
    "FetchSettings",
    "fetch_all",
    "fetch_one",
    "make_client",
]

logger = logging.getLogger(__name__)

OK = "ok"
NOT_MODIFIED = "not_modified"
FAILED = "failed"

# The distribution version, kept as a constant because importlib.metadata costs
# ~35 ms to import; a test checks it against the installed metadata.
GPWATCH_VERSION = "0.1.0"
USER_AGENT = (
    f"gpwatch/{GPWATCH_VERSION} "
    "(+https://github.com/gpwatch; feed reader for UK general-practice news)"
)
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
# Only what _Decoder can inflate with a bound on its output (see module docstring).
ACCEPT_ENCODING = "gzip, deflate"

_HTTP_SCHEMES = frozenset({"http", "https"})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PIECE = 64 * 1024  # most decoded bytes produced by one inflate call
_DRAIN_LIMIT = 64 * 1024  # small bodies of redirects and errors are read so the connection is kept
_DRAIN_SECONDS = 1.0
# A header value h11 will send: visible ASCII, spaces and tabs.
_SAFE_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")


@dataclass(frozen=True)
class FetchSettings:
    """How to fetch: concurrency, timeouts, caps and the User-Agent.

    ``total_timeout`` bounds one feed's whole fetch, redirects and body
    included; ``max_bytes`` caps the decoded body, enforced while streaming.
    """

    concurrency: int = 32
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 45.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        """Reject settings that would hang or refuse everything, at construction."""
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")
        if self.max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        if self.max_redirects < 0:
            raise ValueError("max_redirects must not be negative")


@dataclass(frozen=True)
class FetchRequest:
    """One feed to fetch, with the validators saved from its last successful fetch."""

    feed_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """What happened to one feed.

    ``outcome`` is "ok" (``body`` holds the decoded bytes), "not_modified"
    (a 304: nothing was read) or "failed" (``reason`` says why, shortly).
    ``etag`` / ``last_modified`` are the validators to store for next time:
    the response's on "ok", the response's or else the request's on
    "not_modified", and the request's on "failed" (so storing them blindly
    never loses what the feed had). ``final_url`` is where the last request
    went, after redirects; ``http_status`` the last status seen, if any.
    """

    feed_id: int
    outcome: str
    body: bytes | None
    content_type: str | None
    etag: str | None
    last_modified: str | None
    final_url: str
    http_status: int | None
    reason: str
    elapsed_s: float


KEEPALIVE_CONNECTIONS = 8


def make_client(settings: FetchSettings) -> httpx.AsyncClient:
    """The one client a refresh shares: HTTP/1.1, a pool sized to the concurrency.

    Redirects are off (fetch_one follows them itself); the pool timeout is
    the per-feed total, since fetch_all never runs more fetches than the pool
    has connections and a longer wait would be cut by the total anyway.
    Proxy and CA settings come from the environment (trust_env), which is
    what users behind an NHS proxy need.
    """
    import httpx

    return httpx.AsyncClient(
        http1=True,
        http2=False,
        follow_redirects=False,
        limits=httpx.Limits(
            max_connections=settings.concurrency,
            # httpcore's pool scans every connection for each idle one
            # (quadratic): 100 idle keep-alive connections made 200 loopback
            # 304s cost 4.5 s of CPU. Feeds mostly sit on different hosts, so
            # a few kept-alive connections lose nothing.
            max_keepalive_connections=min(settings.concurrency, KEEPALIVE_CONNECTIONS),
        ),
        timeout=httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=settings.total_timeout,
        ),
        headers={
            "User-Agent": settings.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
        },
    )


async def fetch_one(
    client: httpx.AsyncClient, request: FetchRequest, settings: FetchSettings
) -> FetchResult:
    """Fetch one feed; never raises except CancelledError (failures become results)."""
    started = time.perf_counter()
    progress = _Progress(request.url)
    try:
        async with asyncio.timeout(settings.total_timeout):
            return await _fetch(client, request, settings, progress, started)
    except Exception as exc:  # CancelledError is a BaseException and passes through
        return FetchResult(
            feed_id=request.feed_id,
            outcome=FAILED,
            body=None,
            content_type=progress.content_type,
            etag=request.etag,
            last_modified=request.last_modified,
            final_url=progress.url,
            http_status=progress.status,
            reason=_reason_for(exc),
            elapsed_s=time.perf_counter() - started,
        )


async def fetch_all(
    requests: Sequence[FetchRequest],
    settings: FetchSettings,
    *,
    client: httpx.AsyncClient | None = None,
    on_result: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Fetch every feed, at most ``settings.concurrency`` at once; results in request order.

    ``on_result`` is called on the event loop as each feed finishes (for a
    progress bar); an exception from it is logged, not allowed to stop the
    refresh. A client is made (and closed) here unless one is given.
    """
    if not requests:
        return []
    own_client = client is None
    http = make_client(settings) if client is None else client
    semaphore = asyncio.Semaphore(settings.concurrency)
    results: list[FetchResult | None] = [None] * len(requests)

    async def run(index: int, request: FetchRequest) -> None:
        async with semaphore:
            result = await fetch_one(http, request, settings)
        results[index] = result
        if on_result is not None:
            try:
                on_result(result)
            except Exception:
                logger.exception("on_result failed for feed %s", request.feed_id)

    try:
        async with asyncio.TaskGroup() as group:
            for index, request in enumerate(requests):
                group.create_task(run(index, request))
    finally:
        if own_client:
            await http.aclose()
    return [result for result in results if result is not None]


# ---------------------------------------------------------------------------
# One fetch


class _Fail(Exception):
    """A failure whose user-facing reason is already known."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Progress:
    """Where a fetch has got to, so a failure can still report URL and status."""

    __slots__ = ("content_type", "status", "url")

    def __init__(self, url: str) -> None:
        self.url = url
        self.status: int | None = None
        self.content_type: str | None = None


async def _fetch(
    client: httpx.AsyncClient,
    request: FetchRequest,
    settings: FetchSettings,
    progress: _Progress,
    started: float,
) -> FetchResult:
    """Follow up to max_redirects hops by hand, then read a 2xx body or take a 304."""
    url = _check_request_url(request.url)
    progress.url = url
    headers = _request_headers(request, settings)
    for _hop in range(settings.max_redirects + 1):
        response = await _send(client, client.build_request("GET", url, headers=headers))
        try:
            status = response.status_code
            progress.status = status
            progress.content_type = response.headers.get("content-type")
            if status in _REDIRECT_STATUSES:
                location = response.headers.get("location")
                await _release(response)
                url = _redirect_target(url, location)
                progress.url = url
                progress.content_type = None
                continue
            if status == 304:
                await _release(response, no_body=True)
                return FetchResult(
                    feed_id=request.feed_id,
                    outcome=NOT_MODIFIED,
                    body=None,
                    content_type=None,
                    etag=response.headers.get("etag") or request.etag,
                    last_modified=response.headers.get("last-modified") or request.last_modified,
                    final_url=url,
                    http_status=status,
                    reason="",
                    elapsed_s=time.perf_counter() - started,
                )
            if not 200 <= status < 300:
                await _release(response)
                raise _Fail(f"HTTP {status}")
            body = await _read_capped(response, settings.max_bytes)
            return FetchResult(
                feed_id=request.feed_id,
                outcome=OK,
                body=body,
                content_type=progress.content_type,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                final_url=url,
                http_status=status,
                reason="",
                elapsed_s=time.perf_counter() - started,
            )
        finally:
            await response.aclose()
    raise _Fail("too many redirects")


async def _send(client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """Send one request without following redirects, streaming the body.

    Even with follow_redirects=False, httpx parses a redirect's Location to
    offer ``response.next_request``, and raises if it cannot: InvalidURL for
    an opaque address with a scheme and no host (``javascript:...``,
    ``data:...``), RemoteProtocolError for an unparseable one. The request URL
    itself was already validated by build_request, so those errors here can
    only be about the Location; the response is closed by httpx and lost.
    """
    import httpx

    try:
        return await client.send(request, stream=True, follow_redirects=False)
    except httpx.InvalidURL as exc:
        raise _Fail("redirect to a non-http(s) address") from exc
    except httpx.RemoteProtocolError as exc:
        if "location header" in str(exc).lower():
            raise _Fail("bad redirect address") from exc
        raise


def _check_request_url(url: str) -> str:
    """Only http(s) URLs with a host are requested at all."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise _Fail("bad address") from exc
    if parts.scheme.lower() not in _HTTP_SCHEMES:
        raise _Fail("not http(s)")
    if not parts.hostname:
        raise _Fail("bad address")
    return url


def _redirect_target(current: str, location: str | None) -> str:
    """Resolve Location against the current URL, refusing anything but http(s)."""
    import httpx

    if not location or not location.strip():
        raise _Fail("redirect without a Location")
    location = location.strip()
    try:
        scheme = urlsplit(location).scheme.lower()
    except ValueError as exc:
        raise _Fail("bad redirect address") from exc
    if scheme and scheme not in _HTTP_SCHEMES:
        raise _Fail("redirect to a non-http(s) address")
    try:
        target = httpx.URL(current).join(location)
    except httpx.InvalidURL as exc:
        raise _Fail("bad redirect address") from exc
    if target.scheme not in _HTTP_SCHEMES:
        raise _Fail("redirect to a non-http(s) address")
    if not target.host:
        raise _Fail("bad redirect address")
    return str(target)


def _request_headers(request: FetchRequest, settings: FetchSettings) -> dict[str, str]:
    """Per-request headers: ours even on a caller's client, plus the validators.

    Accept-Encoding is repeated here because a client made elsewhere would
    advertise br/zstd when those packages are installed, which _Decoder
    cannot inflate with a bound. A saved validator that h11 would refuse to
    send (a newline, non-ASCII) is dropped: an unconditional GET beats a
    failure that repeats on every refresh.
    """
    headers = {
        "User-Agent": settings.user_agent,
        "Accept": ACCEPT,
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    if request.etag and _SAFE_HEADER_VALUE.fullmatch(request.etag):
        headers["If-None-Match"] = request.etag
    if request.last_modified and _SAFE_HEADER_VALUE.fullmatch(request.last_modified):
        headers["If-Modified-Since"] = request.last_modified
    return headers


async def _release(response: httpx.Response, *, no_body: bool = False) -> None:
    """Finish with a response whose body we do not want, keeping the connection if cheap.

    httpcore returns a connection to the pool only if the body was read to
    the end; closing early closes the connection. So a small body (a
    redirect, an error page, the empty body of a 304) is drained, briefly;
    anything large or slow is cut off.
    """
    import httpx

    length = _content_length(response)
    if no_body or length is None or length <= _DRAIN_LIMIT:
        seen = 0
        with contextlib.suppress(httpx.HTTPError, TimeoutError):
            async with (
                asyncio.timeout(_DRAIN_SECONDS),
                contextlib.aclosing(response.aiter_raw()) as chunks,
            ):
                async for chunk in chunks:
                    seen += len(chunk)
                    if seen > _DRAIN_LIMIT:
                        break
    await response.aclose()


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, failing as soon as it would exceed ``max_bytes``.

    An unencoded body whose Content-Length is already over the cap is
    refused before reading anything.
    """
    decoder = _Decoder(response.headers.get("content-encoding"))
    if not decoder.encoded:
        length = _content_length(response)
        if length is not None and length > max_bytes:
            raise _Fail(_too_large(max_bytes))
    # BytesIO.getvalue() hands over its buffer without a copy, so the peak is
    # the body plus one piece, not twice the body as with b"".join(list).
    buffer = io.BytesIO()
    total = 0

    def keep(pieces: Iterable[bytes]) -> None:
        nonlocal total
        for piece in pieces:
            total += len(piece)
            if total > max_bytes:
                raise _Fail(_too_large(max_bytes))
            buffer.write(piece)

    try:
        async with contextlib.aclosing(response.aiter_raw()) as chunks:
            async for chunk in chunks:
                keep(decoder.decode(chunk))
        keep(decoder.flush())
    except zlib.error as exc:
        raise _Fail("bad compressed data") from exc
    return buffer.getvalue()


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    if value is None:
        return None
    try:
        length = int(value)
    except ValueError:
        return None
    return length if length >= 0 else None


def _too_large(max_bytes: int) -> str:
    return f"too large (over {_size_label(max_bytes)})"


def _size_label(size: int) -> str:
    """10485760 -> "10 MB", 1572864 -> "1.5 MB", 65536 -> "64 KB" (binary units, plain names)."""
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


# ---------------------------------------------------------------------------
# Bounded decompression


class _Inflater:
    """zlib inflation that never returns more than _PIECE bytes from one call.

    ``deflate`` on the web means zlib-wrapped, but some servers send raw
    deflate; like httpx, fall back to raw if the first chunk does not parse.
    """

    def __init__(self, wbits: int, *, raw_fallback: bool = False) -> None:
        self._inflater = zlib.decompressobj(wbits)
        self._raw_fallback = raw_fallback

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._raw_fallback:
            self._raw_fallback = False
            try:
                out = self._inflater.decompress(data, _PIECE)
            except zlib.error:
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                out = self._inflater.decompress(data, _PIECE)
        else:
            out = self._inflater.decompress(data, _PIECE)
        while True:
            if out:
                yield out
            tail = self._inflater.unconsumed_tail
            if not tail and len(out) < _PIECE:
                return
            # Either input is left over, or the output filled up and more may
            # be pending inside zlib: ask again, still bounded.
            out = self._inflater.decompress(tail, _PIECE)

    def flush(self) -> Iterator[bytes]:
        out = self._inflater.flush()
        if out:
            yield out


class _Decoder:
    """Undo Content-Encoding, streaming and bounded, for any chain of gzip/deflate.

    Encodings are listed in the order they were applied, so they are undone
    from the last. "identity" and unknown tokens pass the bytes through, as
    httpx and browsers do; br, zstd and compress are refused by name, since
    passing them through would hand the parser garbage.
    """

    def __init__(self, content_encoding: str | None) -> None:
        names = [n.strip().lower() for n in (content_encoding or "").split(",") if n.strip()]
        self._stages: list[_Inflater] = []
        for name in reversed(names):
            if name in ("gzip", "x-gzip"):
                self._stages.append(_Inflater(zlib.MAX_WBITS | 16))
            elif name == "deflate":
                self._stages.append(_Inflater(zlib.MAX_WBITS, raw_fallback=True))
            elif name in ("br", "zstd", "compress", "x-compress"):
                raise _Fail(f"unsupported compression ({name})")

    @property
    def encoded(self) -> bool:
        return bool(self._stages)

    def decode(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, (data,))

    def flush(self) -> Iterator[bytes]:
        for index, stage in enumerate(self._stages):
            yield from self._through(index + 1, stage.flush())

    def _through(self, start: int, pieces: Iterable[bytes]) -> Iterator[bytes]:
        """Feed pieces through stages[start:] lazily, so nothing piles up between stages."""
        for stage in self._stages[start:]:
            pieces = _each(stage, pieces)
        return iter(pieces)


def _each(stage: _Inflater, pieces: Iterable[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        yield from stage.decode(piece)


# ---------------------------------------------------------------------------
# Exceptions to reasons


def _reason_for(exc: BaseException) -> str:
    """A short reason a user can act on, for any exception a fetch can raise."""
    import httpx

    if isinstance(exc, _Fail):
        return exc.reason
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        return _connect_reason(exc)
    if isinstance(exc, httpx.RemoteProtocolError):
        message = str(exc)
        if "without sending a response" in message:
            return "connection closed without a response"
        if "peer closed" in message or "incomplete" in message:
            return "connection closed mid-response"
        return "bad HTTP response"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "connection lost"
    if isinstance(exc, httpx.DecodingError):
        return "bad compressed data"
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return "bad address"
    if isinstance(exc, httpx.ProxyError):
        return "proxy error"
    if isinstance(exc, httpx.LocalProtocolError):
        return "bad request"
    if isinstance(exc, httpx.HTTPError):
        return f"HTTP error ({type(exc).__name__})"
    if isinstance(exc, OSError):
        return "network error"
    logger.warning("unexpected error while fetching", exc_info=exc)
    return f"unexpected error ({type(exc).__name__})"


def _connect_reason(exc: BaseException) -> str:
    """Look through the exception chain (and anyio's groups) for the real cause.

    httpx reports every failed connect as "All connection attempts failed";
    the OSError that says why is a few ``__cause__`` links down.
    """
    import ssl

    causes = list(_chain(exc))
    if any(isinstance(e, socket.gaierror) for e in causes):
        return "DNS lookup failed"
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in causes):
        return "certificate not trusted"
    if any(isinstance(e, ssl.SSLError) for e in causes):
        return "TLS handshake failed"
    if any(isinstance(e, ConnectionRefusedError) for e in causes):
        return "connection refused"
    if any(isinstance(e, TimeoutError) for e in causes):
        return "timeout"
    return "could not connect"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """Every exception reachable through __cause__, __context__ and exception groups."""
    stack = [exc]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)
