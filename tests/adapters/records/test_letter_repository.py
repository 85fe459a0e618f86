"""update, modify and restore on a real records file, as the screen's edit and undo use them."""

from __future__ import annotations

import json
import multiprocessing
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from adapters.records.letters import Letter, chase_letter, edit_letter, mark_created
from adapters.repository import RecordChanged, RecordExists, RecordMissing, RecordRepository
from adapters.validation import ValidationError
from adapters.workspace import Workspace

NOW = datetime(2021, 10, 1, 9, tzinfo=UTC)


def new_letter(subject: str = "Restore dialogue") -> Letter:
    return mark_created(
        Letter(
            subject=subject,
            counterparty="BMA GPC",
            lmcs=("Kent LMC",),
            status="sent",
            sent=date(2021, 9, 2),
            due=date(2021, 9, 30),
        ),
        NOW,
    )


@pytest.fixture
def letters(tmp_path: Path) -> RecordRepository[Letter]:
    return Workspace.open(tmp_path / "data", seed_sample=False).records.letters


def reopened(tmp_path: Path) -> RecordRepository[Letter]:
    return Workspace.open(tmp_path / "data", seed_sample=False).records.letters


def test_update_replaces_the_stored_letter_durably(
    letters: RecordRepository[Letter], tmp_path: Path
) -> None:
    stored = letters.add(new_letter())
    edited = edit_letter(stored, replace(stored, subject="Restore dialogue now"), NOW)
    assert letters.update(edited, expected=stored) == edited
    assert reopened(tmp_path).get(stored.id) == edited
    raw = json.loads((tmp_path / "data" / "records.json").read_text())
    assert raw["letters"][str(stored.id)]["subject"] == "Restore dialogue now"


def test_update_drops_fields_a_new_version_no_longer_has(
    letters: RecordRepository[Letter], tmp_path: Path
) -> None:
    stored = letters.add(replace(new_letter(), summary="long"))
    letters.update(replace(stored, summary=""))
    assert reopened(tmp_path).get(stored.id).summary == ""


def test_update_without_an_id_or_of_a_removed_letter(letters: RecordRepository[Letter]) -> None:
    with pytest.raises(ValueError, match="no id"):
        letters.update(new_letter())
    stored = letters.add(new_letter())
    letters.remove(stored.id)
    with pytest.raises(RecordMissing, match=f"letters #{stored.id} is no longer stored"):
        letters.update(replace(stored, subject="x"))
    assert letters.all() == []


def test_update_refuses_to_overwrite_a_change_saved_elsewhere(
    letters: RecordRepository[Letter], tmp_path: Path
) -> None:
    stored = letters.add(new_letter())
    other_window = reopened(tmp_path)
    theirs = edit_letter(stored, replace(stored, outcome="GPC replied"), NOW)
    other_window.update(theirs, expected=stored)
    mine = edit_letter(stored, replace(stored, subject="Mine"), NOW)
    with pytest.raises(RecordChanged, match="changed elsewhere"):
        letters.update(mine, expected=stored)
    assert letters.get(stored.id) == theirs


def test_modify_reads_changes_and_saves_under_the_lock(
    letters: RecordRepository[Letter], tmp_path: Path
) -> None:
    stored = letters.add(new_letter())
    due = NOW.astimezone().date() + timedelta(days=7)
    chased = letters.modify(stored.id, lambda letter: chase_letter(letter, NOW, due))
    assert chased.due == due and len(chased.chases) == 1
    assert reopened(tmp_path).get(stored.id) == chased
    with pytest.raises(RecordMissing):
        letters.modify(999, lambda letter: letter)


def test_a_failed_change_leaves_the_file_alone(
    letters: RecordRepository[Letter], tmp_path: Path
) -> None:
    stored = letters.add(new_letter())
    before = (tmp_path / "data" / "records.json").read_bytes()
    with pytest.raises(ValidationError):
        letters.modify(stored.id, lambda letter: chase_letter(letter, NOW, date(2000, 1, 1)))
    assert (tmp_path / "data" / "records.json").read_bytes() == before


def test_restore_puts_a_removed_letter_back_under_its_id(
    letters: RecordRepository[Letter], tmp_path: Path
) -> None:
    first = letters.add(new_letter("First"))
    second = letters.add(new_letter("Second"))
    letters.remove(first.id)
    assert letters.restore(first) == first
    assert reopened(tmp_path).get(first.id) == first
    third = letters.add(new_letter("Third"))
    assert third.id not in (first.id, second.id)
    with pytest.raises(RecordExists, match=f"#{second.id} is in use"):
        letters.restore(second)
    with pytest.raises(ValueError, match="with an id"):
        letters.restore(new_letter())


def test_restore_of_the_newest_letter_does_not_reuse_its_id_later(
    letters: RecordRepository[Letter],
) -> None:
    letters.add(new_letter("First"))
    last = letters.add(new_letter("Last"))
    letters.remove(last.id)
    letters.restore(last)
    assert letters.add(new_letter("Next")).id == last.id + 1


def _add_from_another_process(data_dir: str, subject: str) -> None:
    Workspace.open(Path(data_dir), seed_sample=False).records.letters.add(new_letter(subject))


def test_modify_and_another_process_do_not_lose_each_others_writes(
    letters: RecordRepository[Letter], tmp_path: Path
) -> None:
    stored = letters.add(new_letter())
    context = multiprocessing.get_context("spawn")

    def change(letter: Letter) -> Letter:
        # Another process tries to add while this one holds the lock; it waits.
        process = context.Process(
            target=_add_from_another_process, args=(str(tmp_path / "data"), "From cron")
        )
        process.start()
        process.join(timeout=1)
        assert process.is_alive()  # blocked on the lock
        change.process = process  # type: ignore[attr-defined]
        return replace(letter, outcome="answered")

    letters.modify(stored.id, change)
    change.process.join(timeout=60)  # type: ignore[attr-defined]
    subjects = sorted(letter.subject for letter in reopened(tmp_path).all())
    assert subjects == ["From cron", "Restore dialogue"]
    assert reopened(tmp_path).get(stored.id).outcome == "answered"
