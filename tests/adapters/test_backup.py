"""Backup and restore on real data dirs: exact round trips; bad archives refused untouched."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters import store
from adapters.backup import (
    KEPT_PREFIX,
    RESTORE_MARKER,
    VERSION,
    Archive,
    BackupError,
    create_archive,
    read_archive,
    restore_archive,
)
from adapters.records.models import Letter
from adapters.store import StoreBusyError
from adapters.workspace import Workspace

T0 = datetime(2025, 1, 31, 9, 0, tzinfo=UTC)
T1 = datetime(2025, 2, 1, 10, 30, tzinfo=UTC)
T2 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under the dir and its bytes; empty lock files only by name.

    Opening a data file creates its empty lock file (workforce-detail.json's is
    first made when a backup or restore takes every lock): not data, and backups
    leave lock files out, but one that is not empty would be a change.
    """
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and not (path.name.endswith(".lock") and path.stat().st_size == 0)
    }


def backup_bytes(data_dir: Path, now: datetime = T0) -> bytes:
    return create_archive(Workspace.open(data_dir), now=now).encode()


def restore_bytes(data_dir: Path, payload: bytes, now: datetime = T1) -> Any:
    workspace = Workspace.open(data_dir)
    return restore_archive(workspace, read_archive(payload, workspace), source="test", now=now)


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """The sample plus the user's own: a letter in odd text, a starred article, own files."""
    data_dir = tmp_path / "filled"
    workspace = Workspace.open(data_dir)
    workspace.records.letters.add(
        Letter(
            subject="Réponse attendue — “quotes”, 🚑, \u202ebidi\u202c",
            counterparty="NHS England",
            lmcs=("Kent LMC",),
            sent=date(2024, 5, 1),
            status="sent",
        )
    )
    article = workspace.news.articles()[0]
    workspace.news.set_flags([article.id or 0], unread=False, starred=True)
    (data_dir / "settings.json").write_text('{"letters": {"response_days": 21}}\n')
    # Not UTF-8 and not JSON: kept byte for byte all the same, it is the user's file.
    (data_dir / "lmcs.json").write_bytes(b'["Kent LMC", "Caf\xe9 LMC"]  \r\n')
    return data_dir


# --------------------------------------------------------------------------- round trips


def test_round_trip_through_an_empty_data_dir_is_byte_identical(
    filled: Path, tmp_path: Path
) -> None:
    first = backup_bytes(filled, now=T0)
    empty = tmp_path / "empty"
    restore_bytes(empty, first)
    assert backup_bytes(empty, now=T2) == first


@pytest.fixture
def with_detail(filled: Path) -> Path:
    """The filled data dir with real GPW imports: PCN and practice figures in the detail file."""
    from adapters.workforce.importer import import_files
    from tests.adapters.workforce.test_gpw_import import DETAILED, PCN_MARCH, require_shared

    import_files(Workspace.open(filled), [require_shared(DETAILED), require_shared(PCN_MARCH)])
    return filled


def test_pcn_and_practice_figures_round_trip_byte_identical(
    with_detail: Path, tmp_path: Path
) -> None:
    from adapters.workforce.detail import DETAIL_FILE, load_detail

    first = backup_bytes(with_detail, now=T0)
    files = json.loads(first)["files"]
    assert set(files[DETAIL_FILE]["tables"]) == {"detail_tables"}
    assert "detail_stamps" in files["workforce.json"]["tables"]
    empty = tmp_path / "empty"
    restore_bytes(empty, first)
    assert backup_bytes(empty, now=T2) == first
    # Restored, the two files still agree: same stamps, same PCN and practice figures.
    before = load_detail(Workspace.open(with_detail))
    after = load_detail(Workspace.open(empty))
    assert after.warnings == [] and len(after.index.tables) == len(before.index.tables) == 5
    assert after.index.figures() == before.index.figures()
    assert (empty / DETAIL_FILE).read_bytes() == (with_detail / DETAIL_FILE).read_bytes()


def test_an_archive_from_before_the_detail_file_restores_it_empty(
    with_detail: Path, tmp_path: Path
) -> None:
    """Version 1 archives written before workforce-detail.json existed are still restorable."""
    from adapters.workforce.detail import DETAIL_FILE, load_detail

    doc = json.loads(backup_bytes(filled_without_detail(tmp_path)))
    assert DETAIL_FILE in doc["files"]
    del doc["files"][DETAIL_FILE]
    restore_bytes(with_detail, json.dumps(doc).encode())
    assert json.loads((with_detail / DETAIL_FILE).read_text()) == {}
    read = load_detail(Workspace.open(with_detail))
    assert read.warnings == [] and read.index.tables == []


def filled_without_detail(tmp_path: Path) -> Path:
    data_dir = tmp_path / "plain"
    Workspace.open(data_dir)
    return data_dir


def test_the_archive_holds_every_file_and_names_its_format(filled: Path) -> None:
    doc = json.loads(backup_bytes(filled))
    assert (doc["format"], doc["version"], doc["created"]) == (
        "gpwatch-backup",
        VERSION,
        "2025-01-31T09:00:00+00:00",
    )
    files = doc["files"]
    assert set(files) >= {
        "records.json",
        "workforce.json",
        "workforce-detail.json",
        "feeds.json",
        "news.json",
    }
    assert files["settings.json"] == {"text": '{"letters": {"response_days": 21}}\n'}
    tables = files["records.json"]["tables"]
    assert {"letters", "campaigns", "pledges", "meta"} <= set(tables)
    assert any(d["starred"] for d in files["news.json"]["tables"]["articles"].values())
    assert files["feeds.json"]["tables"]["feeds"]


def test_restored_files_are_the_backed_up_files(filled: Path, tmp_path: Path) -> None:
    before = snapshot(filled)
    target = tmp_path / "target"
    restore_bytes(target, backup_bytes(filled))
    after = snapshot(target)
    for name in ("settings.json", "lmcs.json", "topics.json"):
        assert after[name] == before[name]
    restored = Workspace.open(target)
    assert [letter.subject for letter in restored.records.letters.all()] == [
        letter.subject for letter in Workspace.open(filled).records.letters.all()
    ]
    assert [a.starred for a in restored.news.articles()] == [
        a.starred for a in Workspace.open(filled).news.articles()
    ]


def test_created_is_the_backup_time_unless_the_data_is_a_restore_left_unchanged(
    filled: Path, tmp_path: Path
) -> None:
    assert json.loads(backup_bytes(filled, now=T1))["created"] == "2025-02-01T10:30:00+00:00"
    target = tmp_path / "target"
    restore_bytes(target, backup_bytes(filled, now=T0))
    assert json.loads(backup_bytes(target, now=T2))["created"] == "2025-01-31T09:00:00+00:00"
    Workspace.open(target).records.letters.remove(1)
    assert json.loads(backup_bytes(target, now=T2))["created"] == "2025-03-01T12:00:00+00:00"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    subject=st.text(min_size=1).filter(str.strip),
    settings_bytes=st.binary(max_size=200),
)
def test_any_text_and_any_user_file_round_trip(
    tmp_path_factory: pytest.TempPathFactory, subject: str, settings_bytes: bytes
) -> None:
    source = tmp_path_factory.mktemp("source")
    workspace = Workspace.open(source)
    workspace.records.letters.add(Letter(subject=subject, counterparty="HEE", lmcs=("Kent LMC",)))
    (source / "settings.json").write_bytes(settings_bytes)
    first = backup_bytes(source)
    target = tmp_path_factory.mktemp("target")
    restore_bytes(target, first)
    assert (target / "settings.json").read_bytes() == settings_bytes
    assert backup_bytes(target, now=T2) == first


# --------------------------------------------------------------------------- what is kept


def test_replaced_files_are_kept_and_are_a_data_dir(filled: Path, tmp_path: Path) -> None:
    target = tmp_path / "target"
    Workspace.open(target).records.letters.add(
        Letter(subject="Mine, not in the backup", counterparty="ICB", lmcs=("Kent LMC",))
    )
    (target / "lmc_areas.json").write_text('{"areas": []}')
    before = snapshot(target)
    before_archive = backup_bytes(target)
    report = restore_bytes(target, backup_bytes(filled))
    assert report.kept is not None and report.kept.parent == target
    assert report.kept.name.startswith(KEPT_PREFIX)
    kept = snapshot(report.kept)
    for name, payload in kept.items():
        assert payload == before[name]
    assert set(kept) == {n for n in before if n.endswith(".json")}
    # Not in the backup, so gone from the data dir, but kept.
    assert "lmc_areas.json" in report.removed and not (target / "lmc_areas.json").exists()
    assert backup_bytes(report.kept) == before_archive
    marker = json.loads((target / RESTORE_MARKER).read_text())
    assert marker["kept"] == str(report.kept)


def test_two_restores_in_one_second_keep_both(filled: Path, tmp_path: Path) -> None:
    target = tmp_path / "target"
    payload = backup_bytes(filled)
    first = restore_bytes(target, payload, now=T1).kept
    second = restore_bytes(target, payload, now=T1).kept
    assert first != second and first.exists() and second.exists()


# --------------------------------------------------------------------------- refusals


def _doc(payload: bytes) -> dict[str, Any]:
    return json.loads(payload)


def _edit(change: Callable[[dict[str, Any]], object]) -> Callable[[bytes], bytes]:
    def apply(payload: bytes) -> bytes:
        doc = _doc(payload)
        change(doc)
        return json.dumps(doc).encode()

    return apply


def _records(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["files"]["records.json"]["tables"]


def _first_letter(doc: dict[str, Any]) -> dict[str, Any]:
    return next(iter(_records(doc)["letters"].values()))


def _articles(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["files"]["news.json"]["tables"]["articles"]


BAD: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "empty": (lambda p: b"", "empty"),
    "whitespace": (lambda p: b"  \n", "empty"),
    "not json": (lambda p: b"format=gpwatch-backup\n", "bad JSON"),
    "not utf-8": (lambda p: b"\xff\xfe{}", "not UTF-8"),
    "truncated": (lambda p: p[: len(p) // 2], "truncated"),
    "truncated mid string": (lambda p: p[: p.index(b'"Restore') + 5], "truncated"),
    "a list": (lambda p: b"[1, 2]", "not an object"),
    "an opml file": (lambda p: b'<?xml version="1.0"?><opml/>', "bad JSON"),
    "duplicate key at the top": (
        lambda p: p.replace(b'"version": 1,', b'"version": 1, "version": 1,', 1),
        "appears twice",
    ),
    "duplicate key in a document": (
        lambda p: p.replace(b'"subject": ', b'"subject": "x", "subject": ', 1),
        "appears twice",
    ),
    "wrong format": (_edit(lambda d: d.update(format="something-else")), "not a gpwatch backup"),
    "no format": (_edit(lambda d: d.pop("format")), "not a gpwatch backup"),
    "newer version": (_edit(lambda d: d.update(version=VERSION + 1)), "newer gpwatch"),
    "version zero": (_edit(lambda d: d.update(version=0)), "not one gpwatch ever wrote"),
    "version as text": (_edit(lambda d: d.update(version="1")), "not a whole number"),
    "version true": (_edit(lambda d: d.update(version=True)), "not a whole number"),
    "bad created": (_edit(lambda d: d.update(created="yesterday")), "created"),
    "naive created": (_edit(lambda d: d.update(created="2025-01-01T00:00:00")), "created"),
    "unknown top key": (_edit(lambda d: d.update(extra=1)), "unknown key 'extra'"),
    "no files": (_edit(lambda d: d.pop("files")), "files"),
    "records missing": (_edit(lambda d: d["files"].pop("records.json")), "records.json: missing"),
    "news missing": (_edit(lambda d: d["files"].pop("news.json")), "news.json: missing"),
    "unknown file": (
        _edit(lambda d: d["files"].update({"../escape.json": {"text": ""}})),
        "not a file gpwatch keeps",
    ),
    "unknown table": (
        _edit(lambda d: _records(d).update(invoices={})),
        "'invoices' is not one this gpwatch knows",
    ),
    "table not an object": (_edit(lambda d: _records(d).update(letters=[])), "not an object"),
    "data file as text": (
        _edit(lambda d: d["files"].update({"records.json": {"text": "{}"}})),
        "records.json: must be",
    ),
    "user file not text": (
        _edit(lambda d: d["files"].update({"settings.json": {"text": 5}})),
        "settings.json: must be",
    ),
    "lone surrogate in a user file": (
        _edit(lambda d: d["files"].update({"settings.json": {"text": "\ud800"}})),
        "can not be written",
    ),
    "leading-zero id": (
        _edit(lambda d: _records(d)["letters"].update({"01": _first_letter(d)})),
        "'01' is not a document id",
    ),
    "id zero": (
        _edit(lambda d: _records(d)["letters"].update({"0": _first_letter(d)})),
        "'0' is not a document id",
    ),
    "id not a number": (
        _edit(lambda d: _records(d)["letters"].update({"x": _first_letter(d)})),
        "'x' is not a document id",
    ),
    "document a list": (
        _edit(lambda d: _records(d)["letters"].update({"99": []})),
        "#99: not an object",
    ),
    "letter without subject": (
        _edit(lambda d: _first_letter(d).update(subject="  ")),
        "subject: must not be empty",
    ),
    "letter with unknown field": (
        _edit(lambda d: _first_letter(d).update(colour="red")),
        "colour: is not a field",
    ),
    "letter with bad date": (
        _edit(lambda d: _first_letter(d).update(sent="31/02/2021")),
        "sent:",
    ),
    "campaign missing a field": (
        _edit(lambda d: next(iter(_records(d)["campaigns"].values())).pop("name")),
        "campaigns #1",
    ),
    "figure not a number": (
        _edit(
            lambda d: next(iter(d["files"]["workforce.json"]["tables"]["figures"].values())).update(
                value="many"
            )
        ),
        "value",
    ),
    "feed with a javascript url": (
        _edit(
            lambda d: next(iter(d["files"]["feeds.json"]["tables"]["feeds"].values())).update(
                url="javascript:alert(1)"
            )
        ),
        "url:",
    ),
    "article with a bad date": (
        _edit(lambda d: next(iter(_articles(d).values())).update(published="soon")),
        "news.json articles #",
    ),
    "article title not text": (
        _edit(lambda d: next(iter(_articles(d).values())).update(title=["a"])),
        "title: is not stored the way gpwatch writes it",
    ),
    "bad counter": (
        _edit(lambda d: d["files"]["news.json"]["tables"]["meta"]["1"].update(next_articles_id=0)),
        "next_articles_id",
    ),
    "records meta missing": (
        _edit(lambda d: _records(d).pop("meta")),
        "no 'meta' table",
    ),
    "unreadable not a list": (_edit(lambda d: d.update(unreadable={})), "unreadable"),
    "unreadable entry malformed": (
        _edit(lambda d: d.update(unreadable=[["records.json", "letters"]])),
        "is not [file, table, id]",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_archive_is_refused_and_nothing_changes(
    case: str, filled: Path, tmp_path: Path
) -> None:
    mutate, expected = BAD[case]
    payload = mutate(backup_bytes(filled))
    target = tmp_path / "target"
    workspace = Workspace.open(target)
    before = snapshot(target)
    with pytest.raises(BackupError) as refused:
        read_archive(payload, workspace)
    assert expected in str(refused.value)
    assert snapshot(target) == before


def test_every_problem_is_listed_not_just_the_first(filled: Path, workspace: Workspace) -> None:
    doc = _doc(backup_bytes(filled))
    for letter in _records(doc)["letters"].values():
        letter["subject"] = ""
    for article in _articles(doc).values():
        article["published"] = "soon"
    with pytest.raises(BackupError) as refused:
        read_archive(json.dumps(doc).encode(), workspace)
    problems = refused.value.problems
    assert len(problems) == len(_records(doc)["letters"]) + len(_articles(doc))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.floats(min_value=0, max_value=1, exclude_max=True))
def test_any_truncation_is_refused(cut: float, filled: Path, workspace: Workspace) -> None:
    payload = _truncation_source(filled)
    body = payload.rstrip()
    with pytest.raises(BackupError):
        read_archive(body[: int(len(body) * cut)], workspace)


_CACHE: dict[Path, bytes] = {}


def _truncation_source(filled: Path) -> bytes:
    if filled not in _CACHE:
        _CACHE[filled] = backup_bytes(filled)
    return _CACHE[filled]


def test_a_refused_restore_leaves_the_data_dir_byte_identical(filled: Path, tmp_path: Path) -> None:
    """Through the whole path, with a full data dir: the last document is the bad one."""
    target = tmp_path / "target"
    restore_bytes(target, backup_bytes(filled))
    (target / "settings.json").write_text("{}")
    before = snapshot(target)
    doc = _doc(backup_bytes(filled))
    last = max(_articles(doc), key=int)
    _articles(doc)[last]["fetched"] = "never"
    with pytest.raises(BackupError, match=rf"news\.json articles #{last}"):
        restore_bytes(target, json.dumps(doc).encode())
    assert snapshot(target) == before


# --------------------------------------------------------------------------- unreadable documents


def _break_a_letter_on_disk(data_dir: Path) -> None:
    path = data_dir / "records.json"
    doc = json.loads(path.read_bytes())
    doc["letters"]["1"]["status"] = "lost in the post"  # not a status this gpwatch knows
    path.write_text(json.dumps(doc))


def test_a_document_that_does_not_load_is_backed_up_declared_and_restored(
    filled: Path, tmp_path: Path
) -> None:
    _break_a_letter_on_disk(filled)
    first = backup_bytes(filled)
    assert _doc(first)["unreadable"] == [["records.json", "letters", 1]]
    target = tmp_path / "target"
    restore_bytes(target, first)
    assert json.loads((target / "records.json").read_bytes())["letters"]["1"]["status"] == (
        "lost in the post"
    )
    assert backup_bytes(target, now=T2) == first


def test_an_undeclared_bad_document_is_refused(filled: Path, workspace: Workspace) -> None:
    _break_a_letter_on_disk(filled)
    doc = _doc(backup_bytes(filled))
    doc["unreadable"] = []
    with pytest.raises(BackupError, match=r"records\.json letters #1: status"):
        read_archive(json.dumps(doc).encode(), workspace)


# --------------------------------------------------------------------------- locks


def test_restore_fails_clearly_while_another_process_holds_a_lock(
    filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "LOCK_TIMEOUT_S", 0.2)
    target = tmp_path / "target"
    workspace = Workspace.open(target)
    archive = read_archive(backup_bytes(filled), workspace)
    before = snapshot(target)
    # A FileLock of its own on the same file behaves as another process's would.
    holder = FileLock(str(target / "news.json.lock"))
    with holder, pytest.raises(StoreBusyError, match=r"news\.json\.lock"):
        restore_archive(workspace, archive, source="test")
    assert snapshot(target) == before


def test_restore_waits_for_a_writer_then_runs_whole(filled: Path, tmp_path: Path) -> None:
    target = tmp_path / "target"
    workspace = Workspace.open(target)
    payload = backup_bytes(filled)
    archive = read_archive(payload, workspace)
    holder = FileLock(str(target / "records.json.lock"))
    held = threading.Event()

    def hold_briefly() -> None:
        with holder:  # a writer mid-save elsewhere
            held.set()
            time.sleep(0.3)

    thread = threading.Thread(target=hold_briefly)
    thread.start()
    held.wait()
    try:
        restore_archive(workspace, archive, source="test")
    finally:
        thread.join()
    assert not holder.is_locked
    assert backup_bytes(target, now=T2) == payload


def test_archive_counts_leave_out_meta(filled: Path) -> None:
    archive: Archive = create_archive(Workspace.open(filled), now=T0)
    counts = archive.counts()
    assert "meta" not in counts and counts["letters"] == 2
