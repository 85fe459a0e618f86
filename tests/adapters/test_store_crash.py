"""SIGKILL a real writer process at random moments and check nothing acknowledged is lost.

A writer (``store_writer.py crash``) inserts documents through ``open_db`` in a
loop and prints ``ack N`` only after each insert has returned. The test kills
it with SIGKILL at a random instant, checks the file on disk with the ``json``
module directly (not through the store), then starts a new writer that
continues the numbering. Run with ``pytest -s`` to see the counts.
"""

from __future__ import annotations

import os
import random
import select
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from adapters.store import open_db
from tests.adapters.storage_helpers import strict_json, temp_files

WRITER = Path(__file__).with_name("store_writer.py")
SEED = 20_250_611
KILLS = 200
# Some writers are killed before they report "ready": during interpreter start-up
# or inside open_db (stale temp-file removal, the corrupt-file check).
EARLY_KILL_FRACTION = 0.15
EARLY_KILL_MAX_S = 0.2
# The rest are killed a random time into their insert loop.
LOOP_KILL_MAX_S = 0.04
READY_TIMEOUT_S = 30.0


def read_ready(proc: subprocess.Popen[bytes]) -> None:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], READY_TIMEOUT_S)
    assert ready, f"writer did not report ready within {READY_TIMEOUT_S} s"
    line = proc.stdout.readline()
    assert line == b"ready\n", f"writer said {line!r} instead of ready"


def run_and_kill(path: Path, start: int, rng: random.Random) -> tuple[dict[int, int], bool, str]:
    """Start a writer at seq ``start``, SIGKILL it, return its acks {seq: doc_id}."""
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), "crash", str(path), str(start)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        early = rng.random() < EARLY_KILL_FRACTION
        if early:
            time.sleep(rng.uniform(0, EARLY_KILL_MAX_S))
        else:
            read_ready(proc)
            time.sleep(rng.uniform(0, LOOP_KILL_MAX_S))
        assert proc.poll() is None, "the writer stopped before it was killed"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.stdout is not None and proc.stderr is not None
        out = proc.stdout.read()
        err = proc.stderr.read().decode("utf-8", "replace")
        returncode = proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    assert returncode == -signal.SIGKILL, f"writer exited {returncode}: {err}"

    acks: dict[int, int] = {}
    # Only whole lines count: an ack is a write the writer saw return.
    for line in out.split(b"\n")[:-1]:
        if line == b"ready":
            continue
        word, seq, doc_id = line.decode("ascii").split()
        assert word == "ack", line
        acks[int(seq)] = int(doc_id)
    expected = list(range(start, start + len(acks)))
    assert sorted(acks) == expected, f"writer acked {sorted(acks)}, expected {expected}"
    return acks, early, err


def check_file(path: Path, acked: dict[int, int], start: int, acked_now: int) -> int:
    """Check the data file after a kill; return how many documents it holds."""
    raw = path.read_bytes()
    data = strict_json(raw)
    assert isinstance(data, dict) and set(data) <= {"crash"}, f"unexpected tables {data!r:.200}"
    table = data.get("crash", {})
    assert isinstance(table, dict)
    seqs = []
    for doc_id, doc in table.items():
        assert int(doc_id) > 0
        assert isinstance(doc, dict) and set(doc) == {"seq"}, f"odd document {doc_id}: {doc!r}"
        seqs.append(doc["seq"])
    held = len(seqs)
    # A gap-free run from 0: no write lost, repeated or half-written.
    assert sorted(seqs) == list(range(held)), "the file's sequence numbers have gaps or repeats"
    # Every acknowledged write, under the id the writer was given.
    for seq, doc_id in acked.items():
        assert table.get(str(doc_id)) == {"seq": seq}, f"acknowledged write {seq} is missing"
    # Beyond what this writer acknowledged, at most the one insert in flight at the kill.
    assert held - start in (acked_now, acked_now + 1), (
        f"file holds {held} documents; writer started at {start} and acked {acked_now}"
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    return held


def test_sigkill_during_writes_never_loses_an_acknowledged_write(tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    rng = random.Random(SEED)
    acked: dict[int, int] = {}
    kills = early_kills = files_checked = temp_files_left = 0
    next_seq = 0
    began = time.monotonic()

    for _ in range(KILLS):
        start = next_seq
        acks, early, _err = run_and_kill(path, start, rng)
        kills += 1
        early_kills += early
        acked.update(acks)

        if not path.exists():
            # Killed before its first write ever completed.
            assert not acked, "writes were acknowledged but there is no data file"
            continue
        next_seq = check_file(path, acked, start, len(acks))
        files_checked += 1

        # A kill mid-save leaves its temp file; the next open_db removes it under
        # the lock, and opens the file without finding anything to recover.
        temp_files_left += bool(temp_files(path))
        db = open_db(path)
        try:
            assert db.recovered is None, db.recovered
            assert len(db.table("crash")) == next_seq
        finally:
            db.close()
        assert temp_files(path) == [], "open_db left stale temp files behind"

    elapsed = time.monotonic() - began
    # The final state once more, from a fresh read of the bytes.
    final = strict_json(path.read_bytes())["crash"]
    for seq, doc_id in acked.items():
        assert final[str(doc_id)] == {"seq": seq}
    files_checked += 1

    print(
        f"\ncrash test: {kills} kills, {files_checked} files checked, "
        f"{len(acked)} acknowledged writes verified "
        f"({early_kills} kills before the insert loop, {temp_files_left} kills left a "
        f"temp file mid-save, {len(final)} documents on disk, {elapsed:.1f} s, seed {SEED})"
    )
    assert kills == KILLS
    assert files_checked >= KILLS - early_kills
    assert len(acked) > KILLS, "too few writes were acknowledged to prove anything"
    # Kills really landed inside a save, so the stale temp-file clean-up was exercised.
    assert temp_files_left > 0, "no kill landed mid-save; the test did not exercise a torn write"
