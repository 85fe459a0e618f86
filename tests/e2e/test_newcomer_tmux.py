"""A newcomer's first session, typed into a real terminal (tmux) and read back off it.

Pilot tests drive the app from inside; this drives the installed command the
way a person does: a real pty, real key sequences, a fresh data dir, no
network. Each step waits for what the screen should say, and on failure the
message carries the whole screen as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

WIDTH, HEIGHT = 120, 40
KEY_GAP_S = 0.2


def require_tmux() -> str:
    found = shutil.which("tmux")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is not installed: .ci/run installs it")
        pytest.skip("tmux is not installed")
    return found


class Terminal:
    """One detached tmux session running gpwatch."""

    def __init__(self, tmux: str, name: str, env: dict[str, str]) -> None:
        self.tmux, self.name, self.env = tmux, name, env

    def run(self, *args: str) -> str:
        result = subprocess.run(
            [self.tmux, *args], capture_output=True, text=True, env=self.env, timeout=30
        )
        return result.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        # One at a time, at a brisk typist's pace: a burst can reach the app
        # before the widget the previous key focused is ready for it.
        for key in keys:
            self.run("send-keys", "-t", self.name, key)
            time.sleep(KEY_GAP_S)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", self.name, "-l", text)
        time.sleep(KEY_GAP_S)

    def wait_gone(self, text: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while text in (screen := self.screen()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} still shown after {seconds:.0f} s:\n{screen}")
            time.sleep(0.2)

    def wait_for(self, *texts: str, seconds: float = 30) -> str:
        deadline = time.monotonic() + seconds
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"waited {seconds:.0f} s for {texts!r}; the screen:\n{screen}")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    tmux = require_tmux()
    env = dict(os.environ)
    env.update(
        {
            "TMUX_TMPDIR": str(tmp_path),  # a tmux server of its own, not the user's
            "TERM": "xterm-256color",
            "HOME": str(tmp_path / "home"),
            "GPWATCH_DATA_DIR": str(tmp_path / "data"),
            # No network: every feed fails fast, as on a train.
            "http_proxy": "http://127.0.0.1:9",
            "https_proxy": "http://127.0.0.1:9",
            "HTTP_PROXY": "http://127.0.0.1:9",
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "",
            "no_proxy": "",
        }
    )
    env.pop("TMUX", None)
    (tmp_path / "home").mkdir()
    name = f"gpwatch-{uuid.uuid4().hex[:8]}"
    command = f"{sys.executable} -m tui.cli; echo gpwatch-exited-$?; sleep 30"
    subprocess.run(
        [tmux, "new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), command],
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=30,
    )
    term = Terminal(tmux, name, env)
    try:
        yield term
    finally:
        subprocess.run([tmux, "kill-server"], env=env, capture_output=True, timeout=30)


def test_a_newcomers_first_session(terminal: Terminal, tmp_path: Path) -> None:
    # Open: the Overview on the sample data, the data dir named in the header.
    terminal.wait_for("Overview", "sample data loaded", seconds=60)
    # Help lists the keys of where you are.
    terminal.keys("?")
    terminal.wait_for("Keys: Overview", "Quit gpwatch")
    # A lone escape: a key sent right after it would read as alt+key.
    terminal.keys("Escape")
    terminal.wait_gone("Keys: Overview")
    # Every screen, by its number.
    for key, title in (
        ("2", "Workforce"),
        ("3", "News"),
        ("4", "Correspondence"),
        ("5", "Campaigns"),
        ("6", "Pledges"),
        ("1", "Overview"),
    ):
        terminal.keys(key)
        terminal.wait_for(f"{title} — ")
    # Add a letter: the form says what is missing, then saves.
    terminal.keys("4")
    terminal.wait_for("Correspondence — ", "Restore dialogue with NHS England")
    terminal.keys("n")
    terminal.wait_for("Add a letter")
    terminal.type("Premises funding for Kent practices")
    terminal.keys("C-s")
    terminal.wait_for("must not be empty: who the letter is to or from")
    # The form took us to the first field with a message: the counterparty.
    terminal.type("NHS England")
    terminal.keys("Tab", "Tab")  # contact, the LMC list
    terminal.keys("Space")  # tick the first LMC
    terminal.keys("C-s")
    terminal.wait_for("Letter added: saved", "Premises funding for Kent")
    # Refresh with no network: says so, keeps the cache, never hangs.
    terminal.keys("3")
    terminal.wait_for("News — ", "5 of 5 articles")
    terminal.keys("r")
    terminal.wait_for("Offline", seconds=90)
    terminal.wait_for("5 of 5 articles")
    # Quit: the process ends cleanly.
    terminal.keys("q")
    terminal.wait_for("gpwatch-exited-0")
    records = (tmp_path / "data" / "records.json").read_text(encoding="utf-8")
    assert "Premises funding for Kent practices" in records
