"""`gpwatch serve` end to end: a real server process, a real headless Chromium, real keys.

The browser draws the terminal on a canvas, so the page has no text to read.
What the test reads instead is the terminal itself: every byte the app sends
over the websocket is fed to pyte, a VT100 emulator, sized as the page asked
(its own "resize" messages), which gives the screen as rows of text, the same
as the canvas shows. A screenshot of the page is kept in tests/artifacts/e2e/
(ignored by git) for a person to look at when it fails.

Skipped only when Chromium or playwright is missing and $CI is unset: under CI
(.ci/run installs Debian's chromium) a missing browser is a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "e2e"  # ignored by git
REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0
SCREEN_TIMEOUT_S = 60.0


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; under CI this test must run (.ci/run installs chromium)")
    pytest.skip(reason)


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    _missing("Debian's chromium is not installed (apt-get install chromium)")
    raise AssertionError("unreachable")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Terminal:
    """The app's terminal as the browser gets it, replayed into pyte."""

    def __init__(self) -> None:
        import pyte

        self._pyte = pyte
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.frames = 0

    def sent(self, payload: str | bytes) -> None:
        """The page's own messages: its resize tells us the terminal's size."""
        if isinstance(payload, bytes):
            return
        with contextlib.suppress(ValueError, TypeError, KeyError, IndexError):
            message = json.loads(payload)
            if message[0] == "resize":
                self.screen.resize(message[1]["height"], message[1]["width"])

    def received(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):  # text frames are meta (title, exit); bytes are output
            self.frames += 1
            self.stream.feed(payload)

    @property
    def rows(self) -> list[str]:
        return list(self.screen.display)

    def text(self) -> str:
        return "\n".join(row.rstrip() for row in self.rows)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`gpwatch serve` on a free loopback port over a fresh data dir; always killed after."""
    data_dir = tmp_path / "data"
    port = free_port()
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "GPWATCH_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tui.cli",
                "--data-dir",
                str(data_dir),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group: textual-serve starts one app process per browser
            # session through a shell, and all of them must go when the test ends.
            start_new_session=True,
        )
    try:
        _wait_listening(port, process, log_path)
        yield f"http://127.0.0.1:{port}/", log_path
    finally:
        _stop(process)


def _wait_listening(port: int, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gpwatch serve exited ({process.returncode}):\n{log_path.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    pytest.fail(
        f"gpwatch serve did not listen within {START_TIMEOUT_S:.0f} s:\n{log_path.read_text()}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sig, wait_s in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue
        # The group outlives its leader when an app process is still closing.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return


def wait_for(
    check: Callable[[], bool], what: str, terminal: Terminal, page: Any, shot: Path
) -> None:
    deadline = time.monotonic() + SCREEN_TIMEOUT_S
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)  # lets playwright deliver websocket events
        if check():
            return
    with contextlib.suppress(Exception):
        page.screenshot(path=str(shot))
    pytest.fail(
        f"{what} did not appear within {SCREEN_TIMEOUT_S:.0f} s ({terminal.frames} frames); "
        f"screenshot {shot}; the terminal shows:\n{terminal.text()}"
    )


def header(terminal: Terminal) -> str:
    """The top row: Textual's Header, with the screen's title."""
    return terminal.rows[0] if terminal.rows else ""


@pytest.fixture
def chromium() -> str:
    """The browser's path; checked before the server starts, so a skip costs nothing."""
    executable = chromium_path()
    try:
        import playwright.sync_api  # noqa: F401
        import pyte  # noqa: F401
    except ImportError as exc:
        _missing(f"{exc.name} is not installed (pip install -e '.[test]')")
    return executable


def test_serve_in_headless_chromium_switches_to_correspondence(
    chromium: str, served: tuple[str, Path]
) -> None:
    from playwright.sync_api import sync_playwright

    url, log_path = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "serve_correspondence.png"
    terminal = Terminal()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            headless=True,
            # As root (CI) Chromium refuses to start sandboxed; the page is our own server.
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})

            def on_websocket(ws: Any) -> None:
                ws.on("framesent", terminal.sent)
                ws.on("framereceived", terminal.received)

            page.on("websocket", on_websocket)
            page.goto(url)
            wait_for(lambda: "Overview" in header(terminal), "the Overview", terminal, page, shot)
            page.focus(".xterm-helper-textarea")
            page.keyboard.press("4")
            wait_for(
                lambda: "Correspondence" in header(terminal),
                "the Correspondence screen",
                terminal,
                page,
                shot,
            )
            # The sample letter: the screen shows data, not just its title.
            wait_for(
                lambda: "Restore dialogue" in terminal.text(),
                "the sample letter",
                terminal,
                page,
                shot,
            )
            page.wait_for_timeout(300)  # the canvas paints after the bytes arrive
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    print(f"screenshot: {shot}\nserver log: {log_path}")
    assert "Overview" not in header(terminal)
    assert shot.stat().st_size > 0
