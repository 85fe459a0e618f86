"""A separate process that writes to a gpwatch data file through ``open_db``.

The storage tests run this with the current interpreter so that crashes and
contention are between real processes, exactly as between the TUI and a cron
``gpwatch refresh``. Every line it prints is flushed at once; an ``ack`` line
is printed only after the write it names has returned.

Modes::

    store_writer.py crash PATH START
        Insert {"seq": n} into table "crash" for n = START, START+1, ... until
        killed, printing "ack n doc_id" after each insert returns.
    store_writer.py insert PATH MARKER COUNT PAUSE
        After "go" on stdin, insert COUNT documents {"writer": MARKER, "i": i}
        into table "docs", printing "ack i doc_id" after each.
    store_writer.py count PATH MARKER TIMES PAUSE
        After "go" on stdin, TIMES times: inside db.transaction() read the
        counter document (doc id 1 of table "counter") and write it back with
        "n" plus one, "last" set to MARKER and "switches" plus one when "last"
        was another writer.

With GPWATCH_TEST_CACHE_READS=1 in the environment the file is opened with
``cache_reads`` (as the app opens records.json), so each process holds a
cached copy that the others' writes must invalidate.

Each mode prints "ready" once the file is open, and "done" when finished.
PAUSE seconds are slept between writes, outside the lock: filelock polls, so a
writer that re-takes the lock at once would otherwise run to the end alone.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from adapters.store import SafeTinyDB, open_db


def open_file(path: Path) -> SafeTinyDB:
    return open_db(path, cache_reads=os.environ.get("GPWATCH_TEST_CACHE_READS") == "1")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def crash(path: Path, start: int) -> None:
    db = open_file(path)
    table = db.table("crash")
    say("ready")
    seq = start
    while True:
        doc_id = table.insert({"seq": seq})
        say(f"ack {seq} {doc_id}")
        seq += 1


def wait_for_go() -> None:
    line = sys.stdin.readline()
    if line.strip() != "go":
        raise SystemExit(f"expected 'go' on stdin, got {line!r}")


def insert(path: Path, marker: str, count: int, pause: float) -> None:
    db = open_file(path)
    table = db.table("docs")
    say("ready")
    wait_for_go()
    for i in range(count):
        doc_id = table.insert({"writer": marker, "i": i})
        say(f"ack {i} {doc_id}")
        time.sleep(pause)
    say("done")


def count(path: Path, marker: str, times: int, pause: float) -> None:
    db = open_file(path)
    table = db.table("counter")
    say("ready")
    wait_for_go()
    for _ in range(times):
        with db.transaction():
            doc = table.get(doc_id=1)
            assert doc is not None, "the counter document is missing"
            switched = doc["last"] not in (None, marker)
            table.update(
                {"n": doc["n"] + 1, "last": marker, "switches": doc["switches"] + switched},
                doc_ids=[1],
            )
        time.sleep(pause)
    say("done")


def main(argv: list[str]) -> None:
    mode, path = argv[0], Path(argv[1])
    if mode == "crash":
        crash(path, int(argv[2]))
    elif mode == "insert":
        insert(path, argv[2], int(argv[3]), float(argv[4]))
    elif mode == "count":
        count(path, argv[2], int(argv[3]), float(argv[4]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
