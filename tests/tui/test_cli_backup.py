"""`gpwatch backup`, `restore` and `serve` as a user and a script run them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from adapters.backup import VERSION
from tests import cli_helpers
from tui.cli import main
from tui.commands import serve

Run = Callable[..., tuple[int, str, str]]


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file and its bytes, but not empty lock files (opening a data file makes one)."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not (p.name.endswith(".lock") and p.stat().st_size == 0)
    }


@pytest.fixture
def gp(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run `gpwatch --data-dir DIR ...` in this process: (exit code, stdout, stderr)."""

    def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
        try:
            code = main(["--data-dir", str(data_dir), *args])
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


class Tty(io.StringIO):
    """A stdin that says it is a terminal, with the user's answer already typed."""

    def isatty(self) -> bool:
        return True


def test_backup_restore_backup_is_byte_identical(gp: Run, tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    code, out, err = gp(tmp_path / "a", "backup", str(first))
    assert (code, err) == (0, "")
    assert f"to {first}" in out and "letters" in out
    assert oct(first.stat().st_mode & 0o777) == "0o600"  # it holds the letters
    code, out, err = gp(tmp_path / "b", "restore", "--yes", str(first))
    assert code == 0, err
    assert "Restored" in out and "before-restore-" in out
    assert gp(tmp_path / "b", "backup", str(second))[0] == 0
    assert second.read_bytes() == first.read_bytes()


def test_backup_default_name_is_dated_and_never_replaces_one(
    gp: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert gp(tmp_path / "data", "backup")[0] == 0
    assert gp(tmp_path / "data", "backup")[0] == 0
    today = date.today().isoformat()
    names = {p.name for p in tmp_path.glob("gpwatch-backup-*.json")}
    assert names == {f"gpwatch-backup-{today}.json", f"gpwatch-backup-{today}-2.json"}


def test_backup_refuses_to_replace_a_named_file_without_force(gp: Run, tmp_path: Path) -> None:
    target = tmp_path / "keep.json"
    target.write_text("an older backup")
    code, _, err = gp(tmp_path / "data", "backup", str(target))
    assert code == 2 and "exists" in err and "--force" in err
    assert target.read_text() == "an older backup"
    assert gp(tmp_path / "data", "backup", "--force", str(target))[0] == 0
    assert json.loads(target.read_bytes())["format"] == "gpwatch-backup"


def test_backup_to_stdout(gp: Run, tmp_path: Path) -> None:
    code, out, err = gp(tmp_path / "data", "backup", "-")
    assert code == 0
    assert json.loads(out)["version"] == VERSION
    assert "Backed up" in err  # the summary stays out of the archive


def test_restore_without_a_terminal_needs_yes(gp: Run, tmp_path: Path) -> None:
    archive = tmp_path / "a.json"
    gp(tmp_path / "a", "backup", str(archive))
    target = tmp_path / "b"
    gp(target, "reset-sample")
    before = snapshot(target)
    code, _, err = gp(target, "restore", str(archive))
    assert code == 2 and "--yes" in err
    assert snapshot(target) == before


@pytest.mark.parametrize(("answer", "code"), [("n\n", 1), ("\n", 1), ("y\n", 0), ("yes\n", 0)])
def test_restore_asks_on_a_terminal(
    gp: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str, code: int
) -> None:
    archive = tmp_path / "a.json"
    gp(tmp_path / "a", "backup", str(archive))
    target = tmp_path / "b"
    gp(target, "reset-sample")
    before = snapshot(target)
    monkeypatch.setattr(sys, "stdin", Tty(answer))
    result, out, err = gp(target, "restore", str(archive))
    assert result == code
    assert "Restore? [y/N]" in err and str(target) in err
    if code:
        assert "nothing was changed" in err and snapshot(target) == before
    else:
        assert "Restored" in out and snapshot(target) != before


def test_restore_from_stdin_needs_yes(
    gp: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = gp(tmp_path / "b", "restore", "-")
    assert code == 2 and "--yes" in err


def test_a_refused_archive_exits_1_naming_the_problem(gp: Run, tmp_path: Path) -> None:
    archive = tmp_path / "a.json"
    gp(tmp_path / "a", "backup", str(archive))
    doc = json.loads(archive.read_bytes())
    doc["version"] = VERSION + 1
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(doc))
    target = tmp_path / "b"
    gp(target, "reset-sample")
    before = snapshot(target)
    code, out, err = gp(target, "restore", "--yes", str(newer))
    assert code == 1 and out == ""
    assert "newer gpwatch" in err and "upgrade" in err
    assert snapshot(target) == before
    code, _, err = gp(target, "restore", "--yes", str(tmp_path / "missing.json"))
    assert code == 2 and "can not read" in err


def test_backup_and_restore_in_real_processes(tmp_path: Path) -> None:
    def gpwatch(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return cli_helpers.gpwatch(data_dir, *args, cwd=tmp_path)

    made = gpwatch(tmp_path / "a", "backup")
    assert made.returncode == 0, made.stderr
    (archive,) = tmp_path.glob("gpwatch-backup-*.json")
    refused = gpwatch(tmp_path / "b", "restore", str(archive))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    restored = gpwatch(tmp_path / "b", "restore", "--yes", str(archive))
    assert restored.returncode == 0, restored.stderr
    again = gpwatch(tmp_path / "b", "backup", "-")
    assert again.returncode == 0, again.stderr
    assert again.stdout.encode() == archive.read_bytes()
    truncated = tmp_path / "truncated.json"
    truncated.write_bytes(archive.read_bytes()[:1000])
    broken = gpwatch(tmp_path / "b", "restore", "--yes", str(truncated))
    assert broken.returncode == 1 and "truncated" in broken.stderr


# --------------------------------------------------------------------------- serve


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("gp-surgery.example", False),
    ],
)
def test_which_hosts_are_loopback(host: str, loopback: bool) -> None:
    assert serve.is_loopback(host) is loopback


class FakeServer:
    """Stands in for textual-serve's Server: records what it was asked to serve."""

    made: list[FakeServer] = []

    def __init__(self, command: str, **kwargs: object) -> None:
        self.command = command
        self.kwargs = kwargs
        FakeServer.made.append(self)

    def serve(self) -> None:
        pass


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> list[FakeServer]:
    import textual_serve.server

    FakeServer.made = []
    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    return FakeServer.made


def test_serve_runs_this_interpreter_on_this_data_dir_on_loopback(
    gp: Run, tmp_path: Path, fake_server: list[FakeServer]
) -> None:
    code, _, err = gp(tmp_path / "data", "serve")
    assert (code, err) == (0, "")
    (server,) = fake_server
    assert server.command.startswith(f"{sys.executable} -m tui.cli --data-dir ")
    assert str((tmp_path / "data").resolve()) in server.command
    assert server.kwargs["host"] == "127.0.0.1" and server.kwargs["port"] == 8000
    assert server.kwargs["public_url"] == "http://127.0.0.1:8000"


def test_serve_warns_when_reachable_from_elsewhere(
    gp: Run, tmp_path: Path, fake_server: list[FakeServer]
) -> None:
    code, _, err = gp(tmp_path / "data", "serve", "--host", "0.0.0.0", "--port", "9000")
    assert code == 0
    assert "there is no login" in err and "0.0.0.0" in err
    assert fake_server[0].kwargs["public_url"] != "http://0.0.0.0:9000"


def test_serve_refuses_a_port_out_of_range(
    gp: Run, tmp_path: Path, fake_server: list[FakeServer]
) -> None:
    code, _, err = gp(tmp_path / "data", "serve", "--port", "70000")
    assert code == 2 and "not a port" in err and not fake_server
