"""The `gpwatch` command as a user runs it: real subprocesses, real exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from adapters.records.models import Letter
from adapters.workspace import Workspace
from tests.adapters.storage_helpers import cannot_mount


def gpwatch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def assert_clean_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("gpwatch: error:")]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_help_lists_options_and_commands() -> None:
    result = gpwatch("--help")
    assert result.returncode == 0
    for word in ("--data-dir", "--version", "reset-sample", "GPWATCH_DATA_DIR"):
        assert word in result.stdout


def test_unknown_flag_is_a_usage_error() -> None:
    result = gpwatch("--frobnicate")
    assert result.returncode == 2
    assert "unrecognized arguments: --frobnicate" in result.stderr
    assert "Traceback" not in result.stderr


def test_data_dir_without_a_value_is_a_usage_error_from_the_full_parser() -> None:
    """`gpwatch --data-dir` alone must not fall through to opening the dashboard."""
    result = gpwatch("--data-dir")
    assert result.returncode == 2
    assert "usage: gpwatch" in result.stderr
    assert "--data-dir: expected one argument" in result.stderr


def test_only_the_bare_dashboard_call_skips_the_command_parser() -> None:
    from tui.cli import dashboard_args

    assert dashboard_args([]) is not None
    found = dashboard_args(["--data-dir=/tmp/x"])
    assert found is not None and found.data_dir == "/tmp/x" and found.command is None
    for argv in (["-h"], ["--version"], ["refresh"], ["--data-dir", "d", "letters", "list"]):
        assert dashboard_args(argv) is None, argv


def test_each_command_is_listed_under_its_own_name() -> None:
    from tui.commands import MODULES, command

    assert [command(name).NAME for name in MODULES] == list(MODULES)


def test_a_named_command_is_parsed_without_the_others() -> None:
    from tui.cli import build_parser, command_named

    argv = ["--data-dir", "d", "letters", "list", "--json"]
    assert command_named(argv) == "letters"
    args = build_parser(only="letters").parse_args(argv)
    assert (args.command, args.data_dir) == ("letters", "d")
    assert command_named(["--version", "refresh"]) is None  # left to the full parser


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("precious")
    result = gpwatch("--data-dir", str(blocker), "reset-sample")
    assert_clean_error(result, str(blocker), "not a directory")
    assert blocker.read_text() == "precious"


def test_data_dir_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = gpwatch("--data-dir", str(blocker / "sub"), "reset-sample")
    assert_clean_error(result, "can not create data dir")


def test_read_only_data_dir(tmp_path: Path) -> None:
    mount_point = tmp_path / "ro"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        cannot_mount(f"can not mount a read-only tmpfs here: {mounted.stderr!r}")
    try:
        result = gpwatch("--data-dir", str(mount_point), "reset-sample")
        assert_clean_error(result, str(mount_point), "not writable")
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_missing_data_dir_is_created_user_only(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "gpwatch"
    result = gpwatch("--data-dir", str(target), "reset-sample")
    assert result.returncode == 0, result.stderr
    assert target.is_dir()
    assert (target.stat().st_mode & 0o777) == 0o700
    for name in ("records.json", "workforce.json"):
        assert ((target / name).stat().st_mode & 0o777) == 0o600


def test_environment_variable_sets_data_dir(tmp_path: Path) -> None:
    target = tmp_path / "from-env"
    result = gpwatch("reset-sample", env={"GPWATCH_DATA_DIR": str(target)})
    assert result.returncode == 0, result.stderr
    assert str(target) in result.stdout
    assert (target / "records.json").exists()


def test_flag_wins_over_environment(tmp_path: Path) -> None:
    flag, env = tmp_path / "flag", tmp_path / "env"
    result = gpwatch("--data-dir", str(flag), "reset-sample", env={"GPWATCH_DATA_DIR": str(env)})
    assert result.returncode == 0
    assert flag.exists() and not env.exists()


def test_reset_sample_keeps_the_users_records(data_dir: Path) -> None:
    workspace = Workspace.open(data_dir)
    mine = workspace.records.letters.add(
        Letter(subject="Our own letter", counterparty="Kent and Medway ICB", lmcs=("Kent LMC",))
    )
    result = gpwatch("--data-dir", str(data_dir), "reset-sample")
    assert result.returncode == 0, result.stderr
    assert "Removed 17 sample records" in result.stdout  # 16 records and the GP target
    after = Workspace.open(data_dir)
    assert [letter.subject for letter in after.records.letters.all()] == [mine.subject]
    assert not after.sample_loaded
    # Not re-seeded on the next start, and a second reset finds nothing.
    again = gpwatch("--data-dir", str(data_dir), "reset-sample")
    assert "No sample records to remove." in again.stdout


def test_corrupt_records_file_is_kept_and_reported(data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700)
    records = data_dir / "records.json"
    records.write_bytes(b"\x00\x01 not json")
    result = gpwatch("--data-dir", str(data_dir), "reset-sample")
    assert result.returncode == 0
    asides = list(data_dir.glob("records.json.corrupt-*"))
    assert len(asides) == 1
    assert asides[0].read_bytes() == b"\x00\x01 not json"
    assert str(records) in result.stderr and str(asides[0]) in result.stderr


def test_version_is_the_installed_one() -> None:
    from importlib.metadata import version

    assert gpwatch("--version").stdout.strip() == f"gpwatch {version('gpwatch')}"


def test_empty_data_dir_flag_is_refused_not_ignored(tmp_path: Path) -> None:
    env_dir = tmp_path / "env"
    result = gpwatch("--data-dir", "", "reset-sample", env={"GPWATCH_DATA_DIR": str(env_dir)})
    assert_clean_error(result, "empty")
    assert not env_dir.exists()


def test_escape_codes_from_a_damaged_file_do_not_reach_the_terminal(data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700)
    (data_dir / "records.json").write_text('{"\\u001b]0;pwned\\u0007\\u001b[2J": []}')
    result = gpwatch("--data-dir", str(data_dir), "reset-sample")
    assert result.returncode == 0
    assert "warning" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
