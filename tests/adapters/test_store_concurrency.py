"""Several real processes writing one data file at once lose nothing.

The writers are separate interpreters (``store_writer.py``) started together
and released by a "go" line, so their read-modify-writes contend for the file
lock exactly as the TUI and a cron ``gpwatch refresh`` would.
"""

from __future__ import annotations

import itertools
import os
import select
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from tinydb import where

from adapters.store import open_db
from tests.adapters.storage_helpers import strict_json, temp_files

WRITER = Path(__file__).with_name("store_writer.py")
TIMEOUT_S = 60.0
# Seconds each writer sleeps between writes (outside the lock) so that the
# others, which poll for the lock, get turns and the writes interleave.
PAUSE_S = "0.003"


def run_together(commands: list[list[str]], *, cache_reads: bool = False) -> list[str]:
    """Start every writer, wait until all have the file open, release them at once."""
    env = {**os.environ, "GPWATCH_TEST_CACHE_READS": "1" if cache_reads else "0"}
    procs = [
        subprocess.Popen(
            [sys.executable, str(WRITER), *command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for command in commands
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT_S)
            assert ready, "a writer did not start"
            line = proc.stdout.readline()
            assert line == b"ready\n", (line, proc.stderr.read() if proc.stderr else b"")
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
            proc.stdin.flush()
        outputs = []
        for proc in procs:
            out, err = proc.communicate(timeout=TIMEOUT_S)
            assert proc.returncode == 0, err.decode("utf-8", "replace")
            outputs.append(out.decode("ascii"))
        return outputs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_concurrent_inserts_from_three_processes_all_land(tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    markers = ["alpha", "beta", "gamma"]
    per_writer = 200
    outputs = run_together(
        [["insert", str(path), marker, str(per_writer), PAUSE_S] for marker in markers]
    )

    data = strict_json(path.read_bytes())
    assert set(data) == {"docs"}
    table = data["docs"]
    assert len(table) == len(markers) * per_writer

    given_ids: dict[int, tuple[str, int]] = {}
    for marker, out in zip(markers, outputs, strict=True):
        lines = out.splitlines()
        assert lines[-1] == "done"
        acks = [line.split() for line in lines[:-1]]
        assert [int(i) for _, i, _ in acks] == list(range(per_writer))
        for _, i, doc_id in acks:
            # No id was handed to two processes (a stale next-id cache would do that).
            assert int(doc_id) not in given_ids, f"id {doc_id} given to two inserts"
            given_ids[int(doc_id)] = (marker, int(i))
            # ...and the document stored under it is the one this process inserted.
            assert table[doc_id] == {"writer": marker, "i": int(i)}

    stored = sorted((doc["writer"], doc["i"]) for doc in table.values())
    assert stored == sorted((m, i) for m in markers for i in range(per_writer))
    assert sorted(int(doc_id) for doc_id in table) == list(range(1, len(table) + 1))

    # The writers really interleaved: in id order the writer changes many times.
    order = [given_ids[doc_id][0] for doc_id in sorted(given_ids)]
    switches = sum(a != b for a, b in itertools.pairwise(order))
    print(f"\nconcurrent inserts: writer changed {switches} times over {len(order)} ids")
    assert switches >= 20, f"the writers hardly overlapped (only {switches} switches)"

    assert temp_files(path) == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    db = open_db(path)
    assert db.recovered is None
    assert len(db.table("docs")) == len(markers) * per_writer


@pytest.mark.parametrize("cache_reads", [False, True], ids=["uncached", "cached-reads"])
def test_transactions_in_three_processes_count_exactly(tmp_path: Path, cache_reads: bool) -> None:
    """With cached reads too: each process must see the others' writes, never its stale copy."""
    path = tmp_path / "records.json"
    db = open_db(path, cache_reads=cache_reads)
    assert db.table("counter").insert({"n": 0, "last": None, "switches": 0}) == 1
    markers, times = ["alpha", "beta", "gamma"], 100
    run_together(
        [["count", str(path), marker, str(times), PAUSE_S] for marker in markers],
        cache_reads=cache_reads,
    )

    data = strict_json(path.read_bytes())
    assert set(data) == {"counter"} and set(data["counter"]) == {"1"}
    counter = data["counter"]["1"]
    # Exactly one increment per transaction: none lost to an interleaved write.
    assert counter["n"] == len(markers) * times
    assert db.table("counter").get(doc_id=1) == counter
    # The processes really took turns (counted under the same lock).
    print(f"\ncounter: {counter['n']} increments, writer changed {counter['switches']} times")
    assert counter["switches"] >= 20, f"the writers hardly overlapped: {counter}"
    assert temp_files(path) == []


def test_two_handles_in_one_process_see_each_others_writes(tmp_path: Path) -> None:
    """A long-lived handle's next-id and query caches must not go stale."""
    path = tmp_path / "records.json"
    first, second = open_db(path), open_db(path)
    a, b = first.table("letters"), second.table("letters")
    assert a.insert({"who": "a1"}) == 1
    assert a.search(where("who") == "b1") == []
    assert b.insert({"who": "b1"}) == 2
    assert a.insert({"who": "a2"}) == 3  # not 2: the other handle's insert is seen
    assert b.insert_multiple([{"who": "b2"}, {"who": "b3"}]) == [4, 5]
    assert [doc["who"] for doc in a.search(where("who") == "b1")] == ["b1"]
    assert sorted(doc["who"] for doc in a.all()) == ["a1", "a2", "b1", "b2", "b3"]
    assert strict_json(path.read_bytes())["letters"] == {
        "1": {"who": "a1"},
        "2": {"who": "b1"},
        "3": {"who": "a2"},
        "4": {"who": "b2"},
        "5": {"who": "b3"},
    }
