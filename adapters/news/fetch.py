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
import functools
import io
import logging
import os
import re
import socket
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import ssl

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


PROXIED_KEEPALIVE = 8
_PROXY_VARIABLES = frozenset({"http_proxy", "https_proxy", "all_proxy"})


def environment_has_proxy() -> bool:
    """Whether httpx would route some request through a proxy from the environment.

    The variables urllib (and so httpx) read on this platform, checked without
    importing urllib.request on the path of every refresh.
    """
    return any(key.lower() in _PROXY_VARIABLES and value for key, value in os.environ.items())


def make_client(settings: FetchSettings) -> httpx.AsyncClient:
    """The one client a refresh shares: httpx's API over :class:`_FeedTransport`.

    Redirects are off (fetch_one follows them itself); the pool timeout is
    the per-feed total, since fetch_all never runs more fetches than the
    concurrency and a longer wait would be cut by the total anyway.
    Proxy settings come from the environment (trust_env), which is what users
    behind an NHS proxy need. httpx reads them only when given no transport
    of its own, so with a proxy configured the client uses httpx's default
    transport (a small keep-alive pool: its per-request cost grows with it).
    """
    import httpx

    transport: dict[str, Any] = (
        {"limits": httpx.Limits(max_keepalive_connections=PROXIED_KEEPALIVE)}
        if environment_has_proxy()
        else {"transport": _FeedTransport(max_idle=settings.concurrency)}
    )
    return httpx.AsyncClient(
        http1=True,
        http2=False,
        follow_redirects=False,
        **transport,
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


# ---------------------------------------------------------------------------
# The HTTP/1.1 transport under the shared client


_READ_SIZE = 64 * 1024  # bytes asked of the socket at once (httpcore's figure)
_MAX_HEAD = 100 * 1024  # largest status line plus headers accepted (httpcore's figure)
_DEFAULT_PORTS = {b"http": 80, b"https": 443}
Origin = tuple[bytes, bytes, int]


class _FeedTransport:
    """httpx transport speaking HTTP/1.1 over asyncio streams with h11, pooled per origin.

    Why not httpx's default transport (httpcore's pool): its bookkeeping is
    quadratic. Every request assignment scans every pooled connection and
    asks each idle one whether its socket is readable (a system call), so 200
    loopback 304s through 100 connections cost 4.6-5.0 s of CPU with 100 kept
    alive, and ~0.5 s even with 8 (``bench/refresh.py``). Here an idle
    connection is found in a dict by origin, so a request costs the same
    whatever the pool size, and every connection that finished cleanly is
    kept for the next feed on that host.

    Also: the TLS context (certifi's bundle, ~40-60 ms to load) is built on
    the first https connection, not up front, so a refresh of http feeds
    never pays for it; and there is no anyio layer between the socket and
    h11. Timeouts come from the request (``extensions["timeout"]``), so the
    client's settings apply. A reused keep-alive connection the server has
    meanwhile closed gets one retry on a fresh connection (GET is
    idempotent), as httpcore does.

    Not an ``httpx.AsyncBaseTransport`` subclass only so that importing this
    module does not import httpx; httpx duck-types transports.
    """

    def __init__(self, *, max_idle: int) -> None:
        self._idle: dict[Origin, list[_Connection]] = {}
        self._idle_count = 0
        self._max_idle = max_idle
        self._ssl_context: ssl.SSLContext | None = None
        self._closed = False

    async def __aenter__(self) -> _FeedTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
        self._idle_count = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import httpx

        url = request.url
        scheme = url.raw_scheme
        if scheme not in _DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"unsupported scheme {url.scheme!r}")
        if not url.raw_host:
            raise httpx.UnsupportedProtocol("no host in the address")
        origin = (scheme, url.raw_host, url.port or _DEFAULT_PORTS[scheme])
        timeouts = request.extensions.get("timeout") or {}
        connection = self._take_idle(origin)
        if connection is not None:
            try:
                head = await connection.send(request, timeouts)
            except _Stale:
                connection.close()
                connection = None
        if connection is None:
            connection = await self._connect(origin, timeouts)
            try:
                head = await connection.send(request, timeouts)
            except _Stale as exc:
                connection.close()
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending a response."
                ) from exc.__cause__
        return httpx.Response(
            status_code=head.status_code,
            headers=head.headers.raw_items(),
            stream=_body_stream_class()(self, connection, timeouts),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": head.reason},
        )

    def _take_idle(self, origin: Origin) -> _Connection | None:
        """An idle connection to this origin that has not been closed meanwhile."""
        connections = self._idle.get(origin)
        while connections:
            connection = connections.pop()
            self._idle_count -= 1
            if connection.usable():
                return connection
            connection.close()
        return None

    def release(self, connection: _Connection) -> None:
        """Keep a connection whose exchange ended cleanly, else close it."""
        if self._closed or self._idle_count >= self._max_idle or not connection.reusable():
            connection.close()
            return
        self._idle.setdefault(connection.origin, []).append(connection)
        self._idle_count += 1

    async def _connect(self, origin: Origin, timeouts: dict[str, float | None]) -> _Connection:
        import httpx

        scheme, raw_host, port = origin
        host = raw_host.decode("ascii")
        tls = self._tls_context() if scheme == b"https" else None
        try:
            async with asyncio.timeout(timeouts.get("connect")):
                reader, writer = await asyncio.open_connection(
                    host,
                    port,
                    ssl=tls,
                    server_hostname=host if tls is not None else None,
                    limit=_READ_SIZE,
                    # Both address families in turn, as anyio does for httpx: where
                    # IPv6 is routed but dropped, IPv4 is tried after 250 ms
                    # rather than after the whole connect timeout.
                    happy_eyeballs_delay=0.25,
                    interleave=1,
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout("timed out connecting") from exc
        except OSError as exc:  # DNS, refused, unreachable, TLS (ssl.SSLError is an OSError)
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        return _Connection(origin, reader, writer)

    def _tls_context(self) -> ssl.SSLContext:
        """httpx's default verifying context (certifi, or SSL_CERT_FILE/DIR), made once."""
        if self._ssl_context is None:
            import httpx

            self._ssl_context = httpx.create_ssl_context(verify=True, trust_env=True)
        return self._ssl_context


class _Stale(Exception):
    """A connection failed before any byte of a response arrived: safe to retry once."""


class _Connection:
    """One HTTP/1.1 connection: asyncio streams and an h11 state machine."""

    __slots__ = ("origin", "reader", "state", "writer")

    def __init__(
        self, origin: Origin, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        import h11

        self.origin = origin
        self.reader = reader
        self.writer = writer
        self.state = h11.Connection(h11.CLIENT, max_incomplete_event_size=_MAX_HEAD)

    def usable(self) -> bool:
        """Open, and nothing arrived while idle: a server that times a kept-alive
        connection out may send "408 Request Timeout" before closing it, which
        must not be read as the next request's answer. (StreamReader has no
        public way to ask whether bytes are buffered.)"""
        return (
            not self.writer.transport.is_closing()
            and not self.reader.at_eof()
            and not getattr(self.reader, "_buffer", b"")
        )

    def reusable(self) -> bool:
        import h11

        if self.state.our_state is not h11.DONE or self.state.their_state is not h11.DONE:
            return False
        self.state.start_next_cycle()
        return self.usable()

    def close(self) -> None:
        self.writer.transport.abort()

    async def send(self, request: httpx.Request, timeouts: dict[str, float | None]) -> Any:
        """Write the request and read up to the response head (an ``h11.Response``).

        Raises _Stale if the connection turned out dead before any response
        byte; other failures close the connection and raise httpx's errors.
        """
        import h11
        import httpx

        try:
            data = self.state.send(
                h11.Request(
                    method=request.method,
                    target=request.url.raw_path,
                    headers=request.headers.raw,
                )
            )
            try:
                async with asyncio.timeout(timeouts.get("write")):
                    self.writer.write(data)
                    async for chunk in request.stream:  # type: ignore[union-attr]
                        self.writer.write(self.state.send(h11.Data(data=chunk)))
                    self.writer.write(self.state.send(h11.EndOfMessage()))
                    await self.writer.drain()
            except TimeoutError as exc:
                raise httpx.WriteTimeout("timed out sending the request") from exc
            except OSError as exc:
                raise _Stale() from exc
            received = False
            while True:
                event = self.state.next_event()
                if event is h11.NEED_DATA:
                    chunk = await self._read(timeouts)
                    if not chunk and self.state.their_state is h11.SEND_RESPONSE:
                        if not received:
                            raise _Stale()
                        raise httpx.RemoteProtocolError(
                            "Server disconnected without sending a response."
                        )
                    received = True
                    self.state.receive_data(chunk)
                elif isinstance(event, h11.Response):
                    return event
                # InformationalResponse (1xx): wait for the real one.
        except _Stale:
            raise
        except BaseException as exc:
            self.close()
            raise _http_error(exc) from exc

    async def read_body(self, timeouts: dict[str, float | None]) -> bytes | None:
        """The next piece of the body, or None at its end."""
        import h11

        while True:
            event = self.state.next_event()
            if event is h11.NEED_DATA:
                self.state.receive_data(await self._read(timeouts))
            elif isinstance(event, h11.Data):
                return bytes(event.data)
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                return None

    async def _read(self, timeouts: dict[str, float | None]) -> bytes:
        import httpx

        try:
            async with asyncio.timeout(timeouts.get("read")):
                return await self.reader.read(_READ_SIZE)
        except TimeoutError as exc:
            raise httpx.ReadTimeout("timed out reading the response") from exc
        except OSError as exc:
            if self.state.their_state is _send_response_state():
                raise _Stale() from exc
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc


def _send_response_state() -> object:
    import h11

    return h11.SEND_RESPONSE


def _http_error(exc: BaseException) -> BaseException:
    """httpx's exception for what went wrong on a connection (CancelledError passes as is)."""
    import h11
    import httpx

    if isinstance(exc, httpx.HTTPError | asyncio.CancelledError):
        return exc
    if isinstance(exc, h11.RemoteProtocolError):
        return httpx.RemoteProtocolError(str(exc))
    if isinstance(exc, h11.LocalProtocolError):
        return httpx.LocalProtocolError(str(exc))
    if isinstance(exc, TimeoutError):
        return httpx.ReadTimeout("timed out")
    if isinstance(exc, OSError):
        return httpx.ReadError(str(exc) or type(exc).__name__)
    return exc


class _BodyStreamBase:
    """A response body read from its connection; the connection goes back when it ends.

    Closed early (a body we do not want, a failure), the connection is closed
    instead: what is left of the body would otherwise be read as the next
    response.
    """

    def __init__(
        self,
        transport: _FeedTransport,
        connection: _Connection,
        timeouts: dict[str, float | None],
    ) -> None:
        self._transport = transport
        self._connection: _Connection | None = connection
        self._timeouts = timeouts

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            return
        try:
            while (piece := await connection.read_body(self._timeouts)) is not None:
                yield piece
        except BaseException as exc:
            self._connection = None
            connection.close()
            error = _http_error(exc)
            if error is exc:
                raise
            raise error from exc
        self._connection = None
        self._transport.release(connection)

    async def aclose(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


@functools.cache
def _body_stream_class() -> type[_BodyStreamBase]:
    """_BodyStreamBase as an ``httpx.AsyncByteStream``, which httpx checks with isinstance.

    Made on first use so that importing this module does not import httpx.
    """
    import httpx

    return type("_BodyStream", (_BodyStreamBase, httpx.AsyncByteStream), {})
