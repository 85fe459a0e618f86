"""A real HTTP/1.1 server on 127.0.0.1 for feed tests and benchmarks.

Tests drive the real thing (DESIGN.md): the fetcher talks to this server over
loopback rather than to a mocked client, so keep-alive, chunked bodies,
redirects, compression and misbehaving servers are exercised for real.

Use it as a pytest fixture::

    from tests.feed_server import feed_server_fixture  # noqa: F401

    async def test_something(feed_server: FeedServer) -> None:
        feed_server.route("/feed.xml", body=b"<rss/>", etag='"v1"')
        url = feed_server.url("/feed.xml")

or, outside pytest (``bench/``), as a context manager::

    with FeedServer(root=Path("feeds"), latency=0.2) as server:
        ...

Behaviours a route can have (see :class:`Route` and the helper methods):
status, headers, body, a delay before responding, ETag / Last-Modified with
304 handling, redirects (relative, absolute, loops), streamed bodies (endless,
slow-drip, oversized, gzip bomb) and a body cut short (Content-Length larger
than what is sent, then the connection closes). Paths without a route are
served from ``root`` (if given) with ETag/Last-Modified and optional gzip, or
get a 404. ``latency`` adds a fixed delay to every request, for benchmarks
that want a realistic round trip.

Every request is recorded (:attr:`FeedServer.requests`) with its headers, the
status sent and how many body bytes went out, and the server counts the
largest number of requests it was handling at once
(:attr:`FeedServer.max_in_flight`), so tests can check a concurrency bound.

Why these details:

- TCP_NODELAY on every accepted socket: without it, Nagle's algorithm plus
  the client's delayed ACK make every request on a reused connection wait
  ~40 ms (measured, DESIGN.md).
- HTTP/1.1 with keep-alive, because the fetcher reuses pooled connections and
  a test server that closes every connection would hide pool bugs.
- Clean shutdown: :meth:`FeedServer.close` stops accepting, shuts down every
  open connection (waking handler threads blocked reading the next request
  or writing an endless body) and joins every thread, failing loudly if one
  is stuck, so no test leaves threads behind.
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import gzip as gzip_module
import hashlib
import itertools
import mimetypes
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

import pytest

__all__ = [
    "FeedServer",
    "RecordedRequest",
    "Route",
    "feed_server",
    "feed_server_fixture",
    "gzip_bomb_length",
    "gzip_bomb_parts",
]

RSS_CONTENT_TYPE = "application/rss+xml; charset=utf-8"
_SEGMENT = 1 << 20  # the gzip bomb repeats one compressed MiB of zeros

_FEED_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".rss": RSS_CONTENT_TYPE,
    ".atom": "application/atom+xml; charset=utf-8",
    ".rdf": "application/rdf+xml; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".json": "application/json",
}


# ---------------------------------------------------------------------------
# Routes and recorded requests


@dataclass
class Route:
    """What the server does for one path.

    ``body`` is sent as is (gzip-compressed first if ``gzip``). ``stream``, if
    given, replaces ``body``: a callable returning a fresh iterable of chunks
    for each request, sent with ``content_length`` as the declared length, or
    chunked if that is None. A stream that ends before the declared length
    makes the server close the connection: the "cut short" behaviour.
    ``chunk_interval`` waits between chunks (slow drip). ``location`` turns
    the route into a redirect. ``etag`` / ``last_modified`` are sent with the
    response and answered with 304 when the client's If-None-Match /
    If-Modified-Since match.
    """

    status: int = 200
    body: bytes = b""
    content_type: str | None = RSS_CONTENT_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    location: str | None = None
    stream: Callable[[], Iterable[bytes]] | None = None
    content_length: int | None = None
    chunk_interval: float = 0.0


@dataclass
class RecordedRequest:
    """One request as the server saw it, and what it sent back.

    ``headers`` has lower-case names. ``status`` and ``body_bytes`` are filled
    in once the response is written (``body_bytes`` counts body bytes only, so
    a 304 or redirect shows 0). ``client_port`` tells connections apart:
    requests that share it came over one kept-alive connection.
    """

    method: str
    path: str
    headers: dict[str, str]
    client_port: int
    started: float
    status: int | None = None
    body_bytes: int = 0


# ---------------------------------------------------------------------------
# Gzip bomb: built from one compressed segment, so it costs milliseconds


@functools.cache
def _zero_segment() -> bytes:
    """Raw deflate of one MiB of zeros, ending byte-aligned with no history.

    Z_FULL_FLUSH resets the compressor's history and byte-aligns the output,
    so this segment can be repeated any number of times to make a valid
    deflate stream of that many MiB of zeros without compressing them all.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(bytes(_SEGMENT)) + compressor.flush(zlib.Z_FULL_FLUSH)


_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
_DEFLATE_END = b"\x03\x00"  # a final, empty fixed-Huffman block


def gzip_bomb_length(size: int = 1 << 30) -> int:
    """Encoded length of :func:`gzip_bomb_parts` for ``size`` (a multiple of 1 MiB)."""
    return len(_GZIP_HEADER) + len(_zero_segment()) * (size // _SEGMENT) + len(_DEFLATE_END) + 8


def gzip_bomb_parts(size: int = 1 << 30) -> Iterator[bytes]:
    """A valid gzip member that inflates to ``size`` zero bytes (about 1000:1).

    Generated on the fly: a 1 GiB bomb is ~1 MB on the wire but never exists
    in memory on the server. The CRC trailer is computed only if a client
    reads that far, which a correctly capped client never does.
    """
    if size % _SEGMENT:
        raise ValueError("gzip bomb size must be a multiple of 1 MiB")
    segment = _zero_segment()
    yield _GZIP_HEADER
    for _ in range(size // _SEGMENT):
        yield segment
    yield _DEFLATE_END
    yield struct.pack("<II", _zeros_crc32(size), size & 0xFFFFFFFF)


@functools.cache
def _zeros_crc32(size: int) -> int:
    """CRC-32 of ``size`` zero bytes; 1 GiB is a constant, saving 0.4 s per session.

    Loopback socket buffers swallow the whole ~1 MB bomb, so the server does
    reach the trailer even when the client stopped early.
    """
    if size == 1 << 30:
        return 0x5B64C2B0
    crc = 0
    zeros = bytes(_SEGMENT)
    for _ in range(size // _SEGMENT):
        crc = zlib.crc32(zeros, crc)
    return crc


# ---------------------------------------------------------------------------
# Conditional requests


def _etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison, as RFC 9110 asks for If-None-Match."""
    if if_none_match.strip() == "*":
        return True

    def strip_weak(tag: str) -> str:
        tag = tag.strip()
        return tag[2:] if tag.startswith("W/") else tag

    wanted = strip_weak(etag)
    return any(strip_weak(tag) == wanted for tag in if_none_match.split(","))


def _not_modified_since(if_modified_since: str, last_modified: str) -> bool:
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since)
        modified = email.utils.parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False
    return modified <= since


def _is_not_modified(headers: dict[str, str], etag: str | None, last_modified: str | None) -> bool:
    """If-None-Match wins over If-Modified-Since when both are sent (RFC 9110 13.2.2)."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        return etag is not None and _etag_matches(if_none_match, etag)
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since is not None and last_modified is not None:
        return _not_modified_since(if_modified_since, last_modified)
    return False


# ---------------------------------------------------------------------------
# The request handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response has a length or is chunked
    server: _HTTPServer

    def log_message(self, format: str, *args: object) -> None:
        """Silent: requests are recorded in FeedServer.requests instead."""

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def do_GET(self) -> None:
        self._handle(send_body=True)

    # -- plumbing --

    def _handle(self, *, send_body: bool) -> None:
        feed = self.server.feed
        record = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            client_port=self.client_address[1],
            started=time.monotonic(),
        )
        feed._begin(record)
        try:
            route = feed._find_route(self.path)
            wait = feed.latency + (route.delay if route is not None else 0.0)
            if wait > 0 and feed._stopping.wait(wait):
                self.close_connection = True
                return
            if route is None:
                route = feed._file_route(self.path, record.headers)
            if route is None:
                route = Route(status=404, body=b"not found\n", content_type="text/plain")
            self._send_route(route, record, send_body=send_body)
        except OSError:  # the client went away (broken pipe, reset) or we are stopping
            self.close_connection = True
        finally:
            feed._end()

    def _send_route(self, route: Route, record: RecordedRequest, *, send_body: bool) -> None:
        headers: dict[str, str] = {}
        if route.content_type is not None:
            headers["Content-Type"] = route.content_type
        if route.etag is not None:
            headers["ETag"] = route.etag
        if route.last_modified is not None:
            headers["Last-Modified"] = route.last_modified
        headers.update(route.headers)

        if route.location is not None:
            headers["Location"] = route.location
            self._send_head(record, route.status, headers, length=0)
            return
        if 200 <= route.status < 300 and _is_not_modified(
            record.headers, route.etag, route.last_modified
        ):
            headers.pop("Content-Type", None)
            self._send_head(record, 304, headers, length=None, no_body=True)
            return

        if route.stream is None:
            body = route.body
            if route.gzip:
                body = gzip_module.compress(body, mtime=0)
                headers["Content-Encoding"] = "gzip"
                headers["Vary"] = "Accept-Encoding"
            self._send_head(record, route.status, headers, length=len(body))
            if send_body:
                self._write(record, body)
            return

        self._send_head(record, route.status, headers, length=route.content_length)
        if send_body:
            self._send_stream(route, record)

    def _send_head(
        self,
        record: RecordedRequest,
        status: int,
        headers: dict[str, str],
        *,
        length: int | None,
        no_body: bool = False,
    ) -> None:
        record.status = status
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if not no_body:
            if length is None:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(length))
        self.end_headers()

    def _send_stream(self, route: Route, record: RecordedRequest) -> None:
        stopping = self.server.feed._stopping
        chunked = route.content_length is None
        sent = 0
        for index, chunk in enumerate(route.stream() if route.stream else ()):
            if index and route.chunk_interval and stopping.wait(route.chunk_interval):
                self.close_connection = True
                return
            if not chunk:
                continue
            if chunked:
                self.wfile.write(b"%x\r\n" % len(chunk))
                self._write(record, chunk)
                self.wfile.write(b"\r\n")
            else:
                self._write(record, chunk)
            sent += len(chunk)
            if stopping.is_set():
                self.close_connection = True
                return
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        elif route.content_length is not None and sent < route.content_length:
            # Cut short: the only honest thing left to do is close, which the
            # client must notice as an incomplete body.
            self.close_connection = True

    def _write(self, record: RecordedRequest, data: bytes) -> None:
        self.wfile.write(data)
        record.body_bytes += len(data)


class _HTTPServer(ThreadingHTTPServer):
    """Threaded server that sets TCP_NODELAY and tracks threads and sockets for shutdown."""

    daemon_threads = True  # never block interpreter exit, even if close() is skipped
    # socketserver listens with a queue of 5: twenty clients connecting at once
    # overflow it and each dropped SYN costs the client a 1 s retry.
    request_queue_size = 128
    block_on_close = False  # FeedServer.close joins the threads itself, with a limit

    def __init__(self, feed: FeedServer, host: str) -> None:
        self.feed = feed
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._handler_threads: set[threading.Thread] = set()
        super().__init__((host, 0), _Handler)

    def get_request(self) -> tuple[socket.socket, object]:
        conn, address = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._connections.add(conn)
        return conn, address

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        thread = threading.Thread(
            target=self._run_handler,
            args=(request, client_address),
            name=f"feed-server-conn-{client_address}",
            daemon=True,
        )
        with self._lock:
            self._handler_threads.add(thread)
        thread.start()

    def _run_handler(self, request: socket.socket, client_address: object) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._connections.discard(request)
                self._handler_threads.discard(threading.current_thread())

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-request are normal here; anything else is printed."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    def wake_connections(self) -> list[threading.Thread]:
        """Shut down every open connection so its handler thread returns; give the threads."""
        with self._lock:
            connections = list(self._connections)
            threads = list(self._handler_threads)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        return threads


# ---------------------------------------------------------------------------
# The server


class FeedServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with programmable routes.

    ``root``: a directory whose files are served for paths without a route,
    with ETag and Last-Modified (and 304s). ``gzip_files``: gzip those files
    when the client accepts it. ``latency``: seconds added before every
    response, routes and files alike; may be changed while running.
    """

    def __init__(
        self,
        root: Path | None = None,
        *,
        latency: float = 0.0,
        gzip_files: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        self.root = root.resolve() if root is not None else None
        self.latency = latency
        self.gzip_files = gzip_files
        self._host = host
        self._routes: dict[str, Route] = {}
        self._stats_lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._serve_thread: threading.Thread | None = None

    # -- lifecycle --

    def start(self) -> FeedServer:
        """Bind an ephemeral port and serve in a daemon thread."""
        if self._httpd is not None:
            raise RuntimeError("FeedServer already started")
        self._httpd = _HTTPServer(self, self._host)
        self._serve_thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="feed-server",
            daemon=True,
        )
        self._serve_thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop serving, close every connection and join every thread.

        Raises RuntimeError if a thread is still alive after ``timeout``: a
        hung handler is a bug in the test or the server, better seen than
        leaked.
        """
        httpd = self._httpd
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        if self._serve_thread is not None:
            self._serve_thread.join(timeout)
        deadline = time.monotonic() + timeout
        stuck: list[threading.Thread] = []
        for thread in httpd.wake_connections():
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                stuck.append(thread)
        self._httpd = None
        if stuck:
            raise RuntimeError(f"feed server threads did not stop: {stuck}")

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FeedServer not started")
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def url(self, path: str) -> str:
        """Absolute URL for ``path`` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # -- routes --

    def add(self, path: str, route: Route) -> Route:
        """Serve ``route`` at ``path`` (exact match; a query string may be included)."""
        self._routes[path] = route
        return route

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        body: bytes = b"",
        content_type: str | None = RSS_CONTENT_TYPE,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        etag: str | None = None,
        last_modified: str | None = None,
        gzip: bool = False,
    ) -> Route:
        """A plain response: status, headers, body; optional validators and gzip."""
        return self.add(
            path,
            Route(
                status=status,
                body=body,
                content_type=content_type,
                headers=dict(headers or {}),
                delay=delay,
                etag=etag,
                last_modified=last_modified,
                gzip=gzip,
            ),
        )

    def redirect(self, path: str, to: str, *, status: int = 302) -> Route:
        """Redirect ``path`` to ``to``: a path, a relative reference or any absolute URL."""
        return self.add(path, Route(status=status, location=to, content_type=None))

    def endless(self, path: str, *, chunk: bytes | None = None) -> Route:
        """A chunked body that never ends (the server writes as fast as the client reads)."""
        piece = chunk or (b"<item><title>again</title></item>\n" * 2000)
        return self.add(path, Route(stream=lambda: itertools.repeat(piece)))

    def drip(self, path: str, *, body: bytes | None = None, interval: float = 0.5) -> Route:
        """One byte every ``interval`` seconds, with an honest Content-Length."""
        data = body or b"<rss><channel><title>slow</title></channel></rss>" * 4
        return self.add(
            path,
            Route(
                stream=lambda: (data[i : i + 1] for i in range(len(data))),
                content_length=len(data),
                chunk_interval=interval,
            ),
        )

    def oversized(self, path: str, size: int, *, chunked: bool = False) -> Route:
        """``size`` bytes of filler, generated while sending; declared unless ``chunked``."""

        def parts() -> Iterator[bytes]:
            block = b"x" * 65536
            remaining = size
            while remaining > 0:
                yield block[:remaining]
                remaining -= len(block)

        return self.add(path, Route(stream=parts, content_length=None if chunked else size))

    def gzip_bomb(self, path: str, size: int = 1 << 30) -> Route:
        """Gzip that inflates to ``size`` zeros (~1 MB on the wire for 1 GiB)."""
        return self.add(
            path,
            Route(
                stream=lambda: gzip_bomb_parts(size),
                content_length=gzip_bomb_length(size),
                headers={"Content-Encoding": "gzip"},
            ),
        )

    def close_mid_body(self, path: str, *, body: bytes, declared: int | None = None) -> Route:
        """Declare Content-Length ``declared`` (default: twice the body), send ``body``, close."""
        return self.add(
            path,
            Route(
                stream=lambda: [body],
                content_length=declared if declared is not None else 2 * len(body) + 1,
            ),
        )

    def _find_route(self, raw_path: str) -> Route | None:
        route = self._routes.get(raw_path)
        if route is None:
            route = self._routes.get(raw_path.split("?", 1)[0])
        return route

    def _file_route(self, raw_path: str, request_headers: dict[str, str]) -> Route | None:
        """A Route for a file under ``root``, or None (never escapes ``root``)."""
        if self.root is None:
            return None
        relative = urllib.parse.unquote(raw_path.split("?", 1)[0]).lstrip("/")
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        stat = path.stat()
        content_type = _FEED_TYPES.get(path.suffix.lower())
        if content_type is None:
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        accepts_gzip = "gzip" in request_headers.get("accept-encoding", "")
        version = f"{stat.st_size}-{stat.st_mtime_ns}".encode()
        return Route(
            body=path.read_bytes(),
            content_type=content_type,
            etag=f'"{hashlib.sha1(version).hexdigest()[:16]}"',
            last_modified=email.utils.formatdate(stat.st_mtime, usegmt=True),
            gzip=self.gzip_files and accepts_gzip,
        )

    # -- what was seen --

    def _begin(self, record: RecordedRequest) -> None:
        with self._stats_lock:
            self._requests.append(record)
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def _end(self) -> None:
        with self._stats_lock:
            self._in_flight -= 1

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, oldest first (a copy)."""
        with self._stats_lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Requests whose path (without query) is ``path``."""
        return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    @property
    def in_flight(self) -> int:
        with self._stats_lock:
            return self._in_flight

    @property
    def max_in_flight(self) -> int:
        """The most requests being handled at once (waiting out a delay counts)."""
        with self._stats_lock:
            return self._max_in_flight

    def reset_stats(self) -> None:
        """Forget recorded requests and the in-flight peak (routes stay)."""
        with self._stats_lock:
            self._requests.clear()
            self._max_in_flight = self._in_flight


@pytest.fixture(name="feed_server")
def feed_server_fixture() -> Iterator[FeedServer]:
    """A fresh FeedServer per test, serving no files; closed (threads joined) afterwards.

    Import it as ``from tests.feed_server import feed_server_fixture  # noqa: F401``
    and ask for ``feed_server``: importing a fixture under the parameter's own
    name makes ruff report every test's parameter as a redefinition (F811).
    """
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.close()


# The same fixture under its own name, for ``from tests.feed_server import feed_server``
# (then silence F811 in that module).
feed_server = feed_server_fixture
