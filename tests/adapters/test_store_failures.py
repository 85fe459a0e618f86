"""Corrupt files, a full disk, failing fsync, a bad data dir, and file permissions.

Real files throughout; the full disk and the read-only data dir are real tmpfs
mounts (root only: skipped otherwise). Only the fsync failure is injected.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tinydb import where

from adapters.store import (
    CorruptDataFile,
    DataDirError,
    StoreError,
    StoreWriteError,
    open_db,
    prepare_data_dir,
)
from adapters.workspace import META_TABLE, RECORDS_FILE, WORKFORCE_FILE, Workspace
from tests.adapters.storage_helpers import cannot_mount, temp_files

# --------------------------------------------------------------------------- helpers


def load(path: Path) -> Any:
    return json.loads(path.read_bytes().decode("utf-8"))


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=False)


@contextlib.contextmanager
def tmpfs(mountpoint: Path, options: str) -> Iterator[Path]:
    """A real tmpfs mounted at mountpoint for the block; skip if mounting is not allowed."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        cannot_mount("mounting a tmpfs needs root and mount(8)")
    mountpoint.mkdir(exist_ok=True)
    result = _run("mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mountpoint))
    if result.returncode != 0:
        cannot_mount(f"mount -t tmpfs -o {options} is not permitted here: {result.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        if _run("umount", str(mountpoint)).returncode != 0:
            _run("umount", "-l", str(mountpoint))


# --------------------------------------------------------------------------- corrupt at open

STAMPED_ASIDE = re.compile(r"records\.json\.corrupt-\d{8}T\d{6}(-\d+)?")

CORRUPT_FILES = {
    "garbage bytes": b"\x00\x01\x02 this is not JSON at all {{{ \x7f",
    "truncated JSON": b'{"letters": {"1": {"title": "Funding", "body": "We wri',
    "top-level list": b'[{"title": "a"}, {"title": "b"}]',
    "top-level null": b"null",
    "non-UTF-8 bytes": b'{"letters": {"1": {"title": "Caf\xe9 \xff\xfe"}}}',
    "table not an object": b'{"letters": [{"title": "a"}]}',
    "document not an object": b'{"letters": {"1": "just a string"}}',
}


@pytest.mark.parametrize("raw", CORRUPT_FILES.values(), ids=CORRUPT_FILES.keys())
def test_corrupt_file_is_moved_aside_unchanged_at_open(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / RECORDS_FILE
    path.write_bytes(raw)

    db = open_db(path)

    recovery = db.recovered
    assert recovery is not None
    assert recovery.path == path
    assert recovery.aside.parent == tmp_path
    assert STAMPED_ASIDE.fullmatch(recovery.aside.name), recovery.aside.name
    assert recovery.aside.read_bytes() == raw
    assert str(path) in recovery.message
    assert str(recovery.aside) in recovery.message
    assert recovery.reason in recovery.message
    assert not path.exists()

    # A fresh, empty file takes its place and works.
    table = db.table("letters")
    assert table.all() == []
    assert table.insert({"title": "after recovery"}) == 1
    assert load(path) == {"letters": {"1": {"title": "after recovery"}}}
    assert recovery.aside.read_bytes() == raw
    assert mode_of(path) == 0o600
    # Re-opening finds nothing more to recover.
    assert open_db(path).recovered is None
    assert sorted(p.name for p in tmp_path.iterdir() if "corrupt" in p.name) == [
        recovery.aside.name
    ]


def test_blank_file_is_an_empty_database_not_a_corrupt_one(tmp_path: Path) -> None:
    path = tmp_path / RECORDS_FILE
    path.write_bytes(b"  \n")
    db = open_db(path)
    assert db.recovered is None
    assert db.table("letters").insert({"title": "x"}) == 1
    assert load(path) == {"letters": {"1": {"title": "x"}}}


def test_repeated_corruption_never_overwrites_an_earlier_aside(tmp_path: Path) -> None:
    """Several recoveries within one second get distinct names; each keeps its bytes."""
    path = tmp_path / RECORDS_FILE
    asides = {}
    for n in range(3):
        raw = f"corrupt number {n} {{".encode()
        path.write_bytes(raw)
        recovery = open_db(path).recovered
        assert recovery is not None
        asides[recovery.aside] = raw
    assert len(asides) == 3
    for aside, raw in asides.items():
        assert STAMPED_ASIDE.fullmatch(aside.name), aside.name
        assert aside.read_bytes() == raw


# --------------------------------------------------------------------------- corrupt after open

WRITES: dict[str, Callable[[Any], Any]] = {
    "insert": lambda db: db.table("letters").insert({"title": "new"}),
    "insert_multiple": lambda db: db.table("letters").insert_multiple([{"title": "new"}]),
    "update": lambda db: db.table("letters").update({"title": "changed"}, doc_ids=[1]),
    "upsert": lambda db: db.table("letters").upsert({"title": "t"}, where("title") == "t"),
    "remove": lambda db: db.table("letters").remove(doc_ids=[1]),
    "truncate": lambda db: db.table("letters").truncate(),
    "insert into default table": lambda db: db.insert({"title": "new"}),
    "drop_table": lambda db: db.drop_table("letters"),
    "drop_tables": lambda db: db.drop_tables(),
    "transaction": lambda db: _write_in_transaction(db),
}


def _write_in_transaction(db: Any) -> None:
    with db.transaction():
        db.table("letters").insert({"title": "new"})


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_file_corrupted_after_open_refuses_every_write(
    tmp_path: Path, write: Callable[[Any], Any]
) -> None:
    path = tmp_path / RECORDS_FILE
    db = open_db(path)
    db.table("letters").insert({"title": "before"})
    corrupt = b'{"letters": {"1": {"title": "bef'  # e.g. another program truncated it
    path.write_bytes(corrupt)

    with pytest.raises(CorruptDataFile) as caught:
        write(db)

    assert caught.value.path == path
    assert caught.value.aside is None
    assert str(path) in str(caught.value)
    assert "nothing will be written" in str(caught.value)
    assert path.read_bytes() == corrupt
    assert temp_files(path) == []


def test_reading_a_file_corrupted_after_open_raises(tmp_path: Path) -> None:
    path = tmp_path / RECORDS_FILE
    db = open_db(path)
    letters = db.table("letters")
    letters.insert({"title": "before"})
    path.write_bytes(b"[1, 2, 3]")

    for read in (letters.all, lambda: len(letters), lambda: letters.get(doc_id=1)):
        with pytest.raises(CorruptDataFile):
            read()
    assert path.read_bytes() == b"[1, 2, 3]"

    # Restarting (a fresh open) keeps the corrupt bytes aside and starts afresh.
    reopened = open_db(path)
    assert reopened.recovered is not None
    assert reopened.recovered.aside.read_bytes() == b"[1, 2, 3]"
    assert reopened.table("letters").all() == []


# --------------------------------------------------------------------------- workspace


def test_fresh_workspace_seeds_the_sample(tmp_path: Path) -> None:
    """The control for the next test: with nothing to recover, the sample is added."""
    workspace = Workspace.open(tmp_path / "data")
    assert workspace.recoveries == []
    assert workspace.sample_loaded


@pytest.mark.parametrize("name", [RECORDS_FILE, WORKFORCE_FILE])
def test_workspace_reports_recovery_and_seeds_no_sample(tmp_path: Path, name: str) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    corrupt = b'{"letters": {"1": {"title": "half a lett'
    (data_dir / name).write_bytes(corrupt)

    workspace = Workspace.open(data_dir)

    assert len(workspace.recoveries) == 1
    recovery = workspace.recoveries[0]
    assert recovery.path == data_dir / name
    assert recovery.aside.read_bytes() == corrupt
    assert str(recovery.path) in recovery.message
    assert str(recovery.aside) in recovery.message
    assert not workspace.sample_loaded
    for repo in (*workspace.records.repositories, workspace.figures):
        assert repo.count() == 0, repo.table_name
    meta = workspace.records.db.table(META_TABLE).all()
    assert meta == [{"initialised": True, "sample_seeded": False}]

    # The next run has nothing to recover and still does not seed.
    again = Workspace.open(data_dir)
    assert again.recoveries == []
    assert not again.sample_loaded
    assert recovery.aside.read_bytes() == corrupt


# --------------------------------------------------------------------------- full disk


def test_disk_full_keeps_the_old_file(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "size=256k,mode=0700") as mnt:
        filler = mnt / "filler"
        filler.write_bytes(b"\0" * 32 * 1024)
        path = mnt / RECORDS_FILE
        db = open_db(path)
        letters = db.table("letters")
        body = "Dear Minister, " + "x" * 2000
        saved = 0
        before = b""
        error: StoreWriteError | None = None
        for n in range(1000):
            before = path.read_bytes() if path.exists() else b""
            try:
                letters.insert({"n": n, "body": body})
            except StoreWriteError as exc:
                error = exc
                break
            saved += 1
        assert error is not None, "the 256k tmpfs never filled up"
        assert saved > 10

        assert "disk is full" in str(error)
        assert str(path) in str(error)
        assert isinstance(error.__cause__, OSError) and error.__cause__.errno == errno.ENOSPC
        assert path.read_bytes() == before
        assert [doc["n"] for doc in load(path)["letters"].values()] == list(range(saved))
        assert temp_files(path) == []
        reopened = open_db(path)
        assert reopened.recovered is None
        assert len(reopened.table("letters")) == saved

        # Once space is freed the same handle saves again.
        filler.unlink()
        letters.insert({"n": saved, "body": body})
        assert len(load(path)["letters"]) == saved + 1
        assert temp_files(path) == []


def test_no_free_inodes_is_a_store_write_error(tmp_path: Path) -> None:
    """A disk out of inodes fails at creating the temp file: still a clean StoreWriteError."""
    with tmpfs(tmp_path / "few", "size=1m,nr_inodes=64,mode=0700") as mnt:
        path = mnt / RECORDS_FILE
        db = open_db(path)
        letters = db.table("letters")
        letters.insert({"title": "kept"})
        before = path.read_bytes()
        fillers = []
        with pytest.raises(OSError) as full:
            for n in range(1000):
                filler = mnt / f"filler-{n}"
                filler.touch()
                fillers.append(filler)
        assert full.value.errno == errno.ENOSPC

        with pytest.raises(StoreWriteError, match="disk is full"):
            letters.insert({"title": "lost"})
        assert path.read_bytes() == before
        assert temp_files(path) == []

        fillers.pop().unlink()
        letters.insert({"title": "saved"})
        assert [d["title"] for d in load(path)["letters"].values()] == ["kept", "saved"]


def test_data_dir_turned_read_only_is_a_store_error(tmp_path: Path) -> None:
    """A file system remounted read-only (as ext4 does on I/O errors): a message, not a crash."""
    with tmpfs(tmp_path / "disk", "size=1m,mode=0700") as mnt:
        path = mnt / RECORDS_FILE
        db = open_db(path)
        letters = db.table("letters")
        letters.insert({"title": "kept"})
        before = path.read_bytes()
        result = _run("mount", "-o", "remount,ro", str(mnt))
        if result.returncode != 0:
            cannot_mount(f"remount ro is not permitted here: {result.stderr.strip()}")
        try:
            with pytest.raises(StoreError) as caught:
                letters.insert({"title": "lost"})
            assert str(path) in str(caught.value)
            assert os.strerror(errno.EROFS) in str(caught.value)
            assert path.read_bytes() == before
            assert temp_files(path) == []
        finally:
            _run("mount", "-o", "remount,rw", str(mnt))


# --------------------------------------------------------------------------- fsync failure


def _eio(*_args: Any) -> None:
    raise OSError(errno.EIO, os.strerror(errno.EIO))


def test_failed_fsync_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / RECORDS_FILE
    db = open_db(path)
    letters = db.table("letters")
    letters.insert({"title": "kept"})
    before = path.read_bytes()

    monkeypatch.setattr(os, "fsync", _eio)
    with pytest.raises(StoreWriteError) as caught:
        letters.insert({"title": "lost"})
    monkeypatch.undo()

    assert str(path) in str(caught.value)
    assert os.strerror(errno.EIO) in str(caught.value)
    assert "unchanged" in str(caught.value)
    assert path.read_bytes() == before
    assert temp_files(path) == []
    letters.insert({"title": "saved"})
    assert [d["title"] for d in load(path)["letters"].values()] == ["kept", "saved"]


def test_failed_directory_fsync_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rename happened but may not be durable: the caller is told, not left guessing."""
    path = tmp_path / RECORDS_FILE
    db = open_db(path)
    letters = db.table("letters")
    letters.insert({"title": "kept"})
    real_fsync = os.fsync

    def fsync_files_only(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            _eio()
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_files_only)
    with pytest.raises(StoreWriteError, match="could not confirm it reached the disk"):
        letters.insert({"title": "maybe"})
    monkeypatch.undo()
    assert [d["title"] for d in load(path)["letters"].values()] == ["kept", "maybe"]
    assert temp_files(path) == []


# --------------------------------------------------------------------------- data dir


def test_read_only_data_dir_is_refused(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "ro,mode=0700") as mnt:
        with pytest.raises(DataDirError) as caught:
            prepare_data_dir(mnt)
        assert str(mnt) in str(caught.value)
        assert "not writable" in str(caught.value)

        missing = mnt / "gpwatch"
        with pytest.raises(DataDirError) as caught:
            prepare_data_dir(missing)
        assert str(missing) in str(caught.value)

        with pytest.raises(DataDirError):
            Workspace.open(missing)


def test_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gpwatch"
    path.write_text("not a directory")
    with pytest.raises(DataDirError) as caught:
        prepare_data_dir(path)
    assert str(path) in str(caught.value)
    assert "not a directory" in str(caught.value)
    assert path.read_text() == "not a directory"

    below = path / "data"
    with pytest.raises(DataDirError) as caught:
        prepare_data_dir(below)
    assert str(below) in str(caught.value)


# --------------------------------------------------------------------------- permissions


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that masks nothing, so only the store's own modes decide."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("open_umask")
def test_files_are_user_only(tmp_path: Path) -> None:
    data_dir = prepare_data_dir(tmp_path / "new" / "gpwatch")
    assert mode_of(data_dir) == 0o700

    path = data_dir / RECORDS_FILE
    db = open_db(path)
    lock = path.with_name(path.name + ".lock")
    assert mode_of(lock) == 0o600
    db.table("letters").insert({"title": "private"})
    assert mode_of(path) == 0o600
    db.table("letters").insert({"title": "still private"})
    assert mode_of(path) == 0o600
    assert mode_of(lock) == 0o600

    workspace_dir = tmp_path / "workspace"
    Workspace.open(workspace_dir)
    assert mode_of(workspace_dir) == 0o700
    for name in (RECORDS_FILE, WORKFORCE_FILE):
        assert mode_of(workspace_dir / name) == 0o600
        assert mode_of(workspace_dir / f"{name}.lock") == 0o600


@pytest.mark.usefixtures("open_umask")
def test_open_tightens_an_existing_world_readable_file(tmp_path: Path) -> None:
    path = tmp_path / RECORDS_FILE
    path.write_text('{"letters": {}}')
    path.chmod(0o644)
    open_db(path)
    assert mode_of(path) == 0o600
