"""Cached reads and the first-read check of large files (records.json, workforce.json).

A cached copy is only worth having if it can never be stale or wrong: these
tests change the file behind the cache's back (another handle, another
writer's atomic replace, an edit in place), make a write fail half-way, and
corrupt a large file that is opened without being read.
"""

from __future__ import annotations

import errno
import json
import os
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.records.letters import Letter, mark_created
from adapters.repository import RecordRepository
from adapters.store import CHECK_AT_OPEN_BYTES, StoreWriteError, open_db
from adapters.workspace import INITIALISED_MARKER, RECORDS_FILE, Workspace
from tests.adapters.storage_helpers import strict_json

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def letter(n: int) -> Letter:
    return mark_created(
        Letter(
            subject=f"Letter {n} about premises funding",
            counterparty="NHS England",
            lmcs=("Kent LMC",),
            status="sent",
            sent=date(2026, 1, 1),
            summary="x" * 400,
        ),
        NOW,
    )


def titles(path: Path) -> list[str]:
    return [doc["title"] for doc in strict_json(path.read_bytes())["letters"].values()]


def test_a_cached_handle_sees_another_handles_writes(tmp_path: Path) -> None:
    path = tmp_path / RECORDS_FILE
    first = open_db(path, cache_reads=True)
    second = open_db(path, cache_reads=True)
    first.table("letters").insert({"title": "one"})
    assert [d["title"] for d in second.table("letters").all()] == ["one"]
    assert [d["title"] for d in first.table("letters").all()] == ["one"]  # from its cache
    second.table("letters").insert({"title": "two"})
    assert [d["title"] for d in first.table("letters").all()] == ["one", "two"]
    assert first.table("letters").insert({"title": "three"}) == 3  # next id not stale


def test_a_file_rewritten_in_place_is_read_again(tmp_path: Path) -> None:
    """An editor that writes in place keeps the inode: size and mtime still change."""
    path = tmp_path / RECORDS_FILE
    db = open_db(path, cache_reads=True)
    db.table("letters").insert({"title": "aaaa"})
    assert db.table("letters").get(doc_id=1) == {"title": "aaaa"}
    inode = path.stat().st_ino
    with path.open("r+b") as handle:  # same length, same inode
        handle.write(
            json.dumps({"letters": {"1": {"title": "bbbb"}}}, separators=(",", ":")).encode()
        )
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000))
    assert path.stat().st_ino == inode
    assert db.table("letters").get(doc_id=1) == {"title": "bbbb"}


def test_an_update_that_fails_half_way_leaves_no_trace_in_the_cache(tmp_path: Path) -> None:
    path = tmp_path / RECORDS_FILE
    db = open_db(path, cache_reads=True)
    table = db.table("letters")
    table.insert({"title": "kept", "tags": ["a"]})

    def change_then_fail(doc: dict[str, Any]) -> None:
        doc["title"] = "changed"
        doc["tags"].append("b")
        raise ValueError("refused half-way")

    with pytest.raises(ValueError, match="half-way"):
        table.update(change_then_fail, doc_ids=[1])
    assert table.get(doc_id=1) == {"title": "kept", "tags": ["a"]}
    assert titles(path) == ["kept"]


def test_a_write_that_fails_leaves_no_trace_in_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / RECORDS_FILE
    db = open_db(path, cache_reads=True)
    table = db.table("letters")
    table.insert({"title": "kept"})

    def eio(_fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", eio)
    with pytest.raises(StoreWriteError):
        table.update({"title": "lost"}, doc_ids=[1])
    monkeypatch.undo()
    assert table.get(doc_id=1) == {"title": "kept"}
    assert titles(path) == ["kept"]


def test_repository_scans_follow_every_change(tmp_path: Path) -> None:
    """The scan is kept while the file is unchanged, and only then."""
    path = tmp_path / RECORDS_FILE
    mine = RecordRepository(open_db(path, cache_reads=True), Letter)
    theirs = RecordRepository(open_db(path, cache_reads=True), Letter)
    added = mine.add(letter(1))
    assert [x.subject for x in theirs.all()] == ["Letter 1 about premises funding"]
    first, again = mine.scan(), mine.scan()
    assert first.records == again.records
    first.records.clear()  # a caller's list is its own
    assert len(mine.all()) == 1
    theirs.add(letter(2))
    assert len(mine.all()) == 2
    mine.remove(added.id or 0)
    assert [x.subject for x in theirs.all()] == ["Letter 2 about premises funding"]


def large_records(data_dir: Path, count: int = 2_500) -> None:
    """An initialised data dir whose records.json is over CHECK_AT_OPEN_BYTES."""
    workspace = Workspace.open(data_dir, clock=lambda: NOW)
    workspace.records.letters.add_many([letter(n) for n in range(count)])
    assert (data_dir / RECORDS_FILE).stat().st_size > CHECK_AT_OPEN_BYTES


def test_a_large_file_is_not_read_at_open_and_checked_at_its_first_read(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    large_records(data_dir)
    path = data_dir / RECORDS_FILE
    damaged = path.read_bytes()[:-1_000]  # truncated, as by a crash of another program
    path.write_bytes(damaged)

    workspace = Workspace.open(data_dir)
    assert workspace.recoveries == []  # not read yet
    assert workspace.sample_loaded_if_cheap() is None  # would need a parse
    assert workspace.records.letters.all() == []  # the first read finds it corrupt
    [recovery] = workspace.recoveries
    assert recovery.path == path and recovery.aside.read_bytes() == damaged
    added = workspace.records.letters.add(letter(1))  # and writes work again
    assert [x.id for x in workspace.records.letters.all()] == [added.id]
    assert workspace.sample_loaded_if_cheap() is not None  # read now: cheap


def test_a_small_file_is_still_checked_at_open(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    Workspace.open(data_dir)
    (data_dir / RECORDS_FILE).write_bytes(b'{"letters": {"1": {')
    workspace = Workspace.open(data_dir)
    assert len(workspace.recoveries) == 1


def test_the_initialised_marker_spares_the_read_and_the_sample_is_never_seeded_twice(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    first = Workspace.open(data_dir)
    assert first.sample_loaded
    assert (data_dir / INITIALISED_MARKER).exists()
    # An older data dir (no marker) is recognised from its meta table, then marked.
    count = len(first.records.letters.all())
    (data_dir / INITIALISED_MARKER).unlink()
    again = Workspace.open(data_dir)
    assert len(again.records.letters.all()) == count
    assert (data_dir / INITIALISED_MARKER).exists()
    # records.json gone (deleted, or moved aside as corrupt): no sample comes back.
    again.reset_sample()
    (data_dir / RECORDS_FILE).unlink()
    third = Workspace.open(data_dir)
    assert not third.records.letters.has_sample()


def test_a_large_file_moved_aside_at_its_first_read_brings_no_sample_back(tmp_path: Path) -> None:
    """The recovery is found in one run; the next run must not take the empty dir as new."""
    data_dir = tmp_path / "data"
    large_records(data_dir)
    Workspace.open(data_dir).reset_sample()
    path = data_dir / RECORDS_FILE
    path.write_bytes(path.read_bytes()[:-10])
    found = Workspace.open(data_dir)
    assert found.records.letters.all() == []
    assert len(found.recoveries) == 1
    later = Workspace.open(data_dir)
    assert not later.sample_loaded


def test_an_update_reads_the_file_not_a_cache_that_looks_current(tmp_path: Path) -> None:
    """Same inode, size and mtime as the cached version (an inode reused within one
    clock tick): the read-modify-write under the lock must still see the disk."""
    path = tmp_path / RECORDS_FILE
    mine = open_db(path, cache_reads=True)
    mine.table("letters").insert_multiple([{"title": "aaaa"}, {"title": "xxxx"}])
    assert mine.table("letters").get(doc_id=1) == {"title": "aaaa"}  # cached now
    before = path.stat()
    edited = path.read_bytes().replace(b"aaaa", b"bbbb")  # another writer's change
    with path.open("r+b") as handle:
        handle.write(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # looks unchanged
    mine.table("letters").update({"title": "yyyy"}, doc_ids=[2])
    assert titles(path) == ["bbbb", "yyyy"]  # their change kept


def test_each_saved_version_has_a_later_mtime_even_within_one_clock_tick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / RECORDS_FILE
    db = open_db(path, cache_reads=True)
    db.table("letters").insert({"title": "one"})
    first = path.stat().st_mtime_ns
    monkeypatch.setattr(time, "time_ns", lambda: 1_000)  # a clock stuck in the past
    db.table("letters").insert({"title": "two"})
    second = path.stat().st_mtime_ns
    db.table("letters").insert({"title": "six"})
    assert (second, path.stat().st_mtime_ns) == (first + 1, first + 2)
