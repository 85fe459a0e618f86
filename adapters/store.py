"""Opening TinyDB files so that a record the UI calls saved stays saved.

Every data file goes through :func:`open_db`. TinyDB's own JSONStorage
truncates the file and writes it in place, so a crash or a full disk mid-write
leaves half a file; its CachingMiddleware keeps writes in memory until close.
Neither is acceptable for a user's correspondence, so this module supplies:

* :class:`AtomicJSONStorage`: each write goes to a temp file in the same
  directory, is flushed and fsynced, renamed over the old file and the
  directory is fsynced. A crash at any instant leaves the old or the new file.
* A cross-process :class:`filelock.FileLock` held around every
  read-modify-write, so the TUI and a cron ``gpwatch refresh`` never lose each
  other's writes.
* Files created user-only (0600) in a user-only data dir (0700).
* A corrupt file is never overwritten: at open it is renamed aside and the
  caller is told both paths; found corrupt later, every write is refused.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from adapters.validation import DuplicateKey, no_duplicate_keys

DATA_DIR_ENV = "GPWATCH_DATA_DIR"
FILE_MODE = 0o600
DIR_MODE = 0o700
LOCK_TIMEOUT_S = 10.0
TEMP_SUFFIX = ".tmp"
# Files up to this size are checked when opened; a larger one (10k letters is
# 8 MB, ~0.5 s to parse) at its first read, so opening never parses megabytes.
CHECK_AT_OPEN_BYTES = 1_000_000


class StoreError(Exception):
    """A storage problem with a message fit to show a user as it is."""


class DataDirError(StoreError):
    """The data dir can not be created, or is not a writable directory."""


class CorruptDataFile(StoreError):
    """A data file is not valid gpwatch JSON; it was not, and will not be, overwritten."""

    def __init__(self, path: Path, reason: str, aside: Path | None = None) -> None:
        self.path = path
        self.reason = reason
        self.aside = aside
        super().__init__(corrupt_message(path, reason, aside))


def corrupt_message(path: Path, reason: str, aside: Path | None) -> str:
    """What to tell the user about a corrupt file, before or after it was kept aside."""
    if aside is None:
        return (
            f"{path} is not valid gpwatch data ({reason}); nothing will be written to it. "
            "Quit gpwatch and restart it: the file will be kept aside and a fresh one started."
        )
    return (
        f"{path} was not valid gpwatch data ({reason}). It was kept, unchanged, as {aside}, "
        f"and a fresh empty file was started in its place. To recover, quit gpwatch, repair "
        f"the JSON in {aside.name} and copy it back over {path.name}, or restore a backup."
    )


class StoreWriteError(StoreError):
    """A save failed (disk full, I/O error); the file on disk is as it was before."""


class StoreBusyError(StoreError):
    """Another process held the data file's lock for longer than we wait."""


@dataclass(frozen=True)
class Recovery:
    """A corrupt file found at open and moved aside, for the caller to report."""

    path: Path
    aside: Path
    reason: str

    @property
    def message(self) -> str:
        return corrupt_message(self.path, self.reason, self.aside)


# --------------------------------------------------------------------------- data dir


def default_data_dir() -> Path:
    # platformdirs is imported here so that commands given --data-dir never pay for it.
    from platformdirs import user_data_dir

    return Path(user_data_dir("gpwatch", appauthor=False))


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The data dir in precedence order: --data-dir, $GPWATCH_DATA_DIR, platformdirs."""
    if cli_value is not None:
        if not str(cli_value).strip():
            # `--data-dir "$UNSET"` must not quietly fall back to the real data dir.
            raise DataDirError("--data-dir was given an empty path")
        return Path(cli_value).expanduser()
    env_value = os.environ.get(DATA_DIR_ENV)
    if env_value is not None:
        if not env_value.strip():
            raise DataDirError(f"${DATA_DIR_ENV} is set but empty")
        return Path(env_value).expanduser()
    return default_data_dir()


def prepare_data_dir(path: Path) -> Path:
    """Create the data dir user-only if missing and prove it is a writable directory.

    Raises DataDirError with a one-line reason rather than letting a later save
    fail half-way through the user's work.
    """
    path = path.expanduser()
    try:
        if path.exists() and not path.is_dir():
            raise DataDirError(f"data dir {path} is not a directory (a file is in its place)")
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    except OSError as exc:  # a parent is a file or unsearchable, the name is too long
        raise DataDirError(f"can not create data dir {path}: {exc.strerror or exc}") from exc
    try:
        fd, probe = tempfile.mkstemp(prefix=".gpwatch-probe-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise DataDirError(f"data dir {path} is not writable: {exc.strerror or exc}") from exc
    return path.resolve()


# --------------------------------------------------------------------------- storage


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _validate(data: Any, path: Path) -> dict[str, dict[str, Any]]:
    """TinyDB's layout is {table: {integer doc_id: document}}; anything else is not ours."""
    if not isinstance(data, dict):
        raise CorruptDataFile(path, "top level is not a JSON object")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise CorruptDataFile(path, f"table {name!r} is not a JSON object")
        for doc_id, doc in table.items():
            if not doc_id.isdecimal():
                raise CorruptDataFile(path, f"table {name!r} has a non-numeric id {doc_id!r}")
            if not isinstance(doc, dict):
                raise CorruptDataFile(path, f"document {name!r}/{doc_id!r} is not a JSON object")
    return data


# What identifies one version of a file: every save is a new file renamed into
# place, so a new inode (and size and mtime) for each version, whoever wrote it.
Signature = tuple[int, int, int, int]


def signature(st: os.stat_result) -> Signature:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def read_json_file(path: Path) -> dict[str, dict[str, Any]] | None:
    """Read and check one data file; None when it does not exist or is empty."""
    return _read_json_file(path)[1]


def _read_json_file(path: Path) -> tuple[Signature | None, dict[str, dict[str, Any]] | None]:
    """The file's data and the signature of the very version read (from the open file)."""
    try:
        with path.open("rb") as handle:
            version = signature(os.fstat(handle.fileno()))
            raw = handle.read()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        raise StoreError(f"can not read {path}: {exc.strerror or exc}") from exc
    if not raw.strip():
        return version, None
    try:
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicate_keys)
    except DuplicateKey as exc:
        raise CorruptDataFile(path, f"the key {exc.args[0]!r} appears twice in one object") from exc
    except UnicodeDecodeError as exc:
        raise CorruptDataFile(path, f"not UTF-8 text at byte {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise CorruptDataFile(path, f"bad JSON at line {exc.lineno} column {exc.colno}") from exc
    return version, _validate(data, path)


def atomic_write_bytes(path: Path, payload: bytes) -> os.stat_result:
    """Replace path with payload so that a crash leaves the old or the new file.

    On any failure the temp file is removed, the old file is untouched and
    StoreWriteError says why. Returns the new file's stat, taken before the
    rename (which keeps inode, size and mtime), so no other writer's can slip in.
    """
    directory = path.parent
    try:
        replaced_mtime = os.stat(path).st_mtime_ns
    except OSError:
        replaced_mtime = 0
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=directory)
    except OSError as exc:  # no free inode, a read-only or unwritable dir
        raise StoreWriteError(
            f"could not save {path}: {_reason(exc)}; the file is unchanged"
        ) from exc
    tmp = Path(tmp_name)
    try:
        try:
            os.fchmod(fd, FILE_MODE)
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            # Later than the version replaced even within one clock tick: with the
            # inode (often reused) and size, this is what readers' caches compare.
            stamp = max(time.time_ns(), replaced_mtime + 1)
            os.utime(fd, ns=(stamp, stamp))
            os.fsync(fd)
            written_stat = os.fstat(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise StoreWriteError(
                f"could not save {path}: {_reason(exc)}; the file is unchanged"
            ) from exc
        raise
    try:
        _fsync_dir(directory)
    except OSError as exc:
        raise StoreWriteError(
            f"saved {path} but could not confirm it reached the disk: {exc.strerror or exc}"
        ) from exc
    return written_stat


def _reason(exc: OSError) -> str:
    return "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)


def encode_tables(data: Mapping[str, Any]) -> bytes:
    # ASCII with \u escapes: any Python str round-trips, even a lone surrogate
    # from a badly decoded CSV, which UTF-8 would refuse to encode mid-save.
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii")


@dataclass(frozen=True)
class _Cached:
    version: Signature
    data: dict[str, dict[str, Any]]
    generation: int


class AtomicJSONStorage(Storage):
    """TinyDB storage that never leaves a partly written file.

    With ``cache_reads`` the parsed file is kept and handed out again while
    the file on disk is the same version (one stat per read): TinyDB re-reads
    the whole file for every query, and a screen asks several. The cached data
    is shared and never changed: a read-modify-write runs under the file lock,
    where reads are fresh private parses; a successful write becomes the cache
    and a failed one drops it. Writes stamp each version with a later mtime
    than the one it replaces, so versions differ even when an inode is reused.

    With ``check_first_read`` a corrupt file found by the first read is moved
    aside (as :func:`open_db` does at open) and read as empty; ``recovered``
    says so.
    """

    def __init__(
        self,
        path: Path,
        *,
        lock: FileLock | None = None,
        cache_reads: bool = False,
        check_first_read: bool = False,
    ) -> None:
        self.path = path
        self.recovered: Recovery | None = None
        self._lock = lock
        self._cache_reads = cache_reads
        self._check_first_read = check_first_read
        self._cached: _Cached | None = None
        self._generations = itertools.count(1)  # next() is atomic: threads read and write
        # Two threads missing the cache at once (a screen's load and the status
        # line) parse once: the second waits and then finds the first's result.
        self._miss = threading.Lock()

    def current(self) -> _Cached | None:
        """The cached version if the file on disk is still that version."""
        cached = self._cached
        if cached is None:
            return None
        try:
            on_disk = signature(os.stat(self.path))
        except OSError:
            return None
        return cached if on_disk == cached.version else None

    def cheap_to_read(self) -> bool:
        """Whether a read costs no parse, or a small one."""
        if self.current() is not None:
            return True
        try:
            return os.stat(self.path).st_size <= CHECK_AT_OPEN_BYTES
        except OSError:
            return True

    def read(self) -> dict[str, dict[str, Any]] | None:
        return self.read_versioned()[0]

    def read_versioned(self) -> tuple[dict[str, dict[str, Any]] | None, int]:
        """The data and a number that changes whenever the data read may have changed.

        A thread holding the file lock is about to modify what it reads: it
        gets the file as it is on disk, parsed afresh and its own to change,
        never the cache (which a version with a reused inode and a coarse
        mtime could make stale, and which other threads are reading).
        """
        if self._lock is not None and self._lock.is_locked:
            return self._read_or_recover()[1], next(self._generations)
        cached = self.current()
        if cached is not None:
            return cached.data, cached.generation
        with self._miss:
            cached = self.current()
            if cached is not None:
                return cached.data, cached.generation
            version, data = self._read_or_recover()
            generation = next(self._generations)
            if self._cache_reads and version is not None and data is not None:
                self._cached = _Cached(version, data, generation)
            else:
                self._cached = None
            return data, generation

    def _read_or_recover(self) -> tuple[Signature | None, dict[str, dict[str, Any]] | None]:
        if not self._check_first_read:
            return _read_json_file(self.path)
        assert self._lock is not None
        try:
            read = _read_json_file(self.path)
        except CorruptDataFile:
            with locked(self._lock):  # still corrupt under the lock, not mid-replace?
                try:
                    read = _read_json_file(self.path)
                except CorruptDataFile as exc:
                    self.recovered = _move_aside_or_fail(self.path, exc.reason)
                    read = (None, None)
        self._check_first_read = False
        return read

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        try:
            written = atomic_write_bytes(self.path, encode_tables(data))
        except BaseException:
            self.forget()
            raise
        if self._cache_reads:
            self._cached = _Cached(signature(written), data, next(self._generations))
        else:
            self._cached = None

    def forget(self) -> None:
        """Drop the cache, so the next read parses the file."""
        self._cached = None

    def close(self) -> None:
        pass


class LockedTable(Table):
    """A TinyDB table whose every write is one cross-process read-modify-write.

    TinyDB caches the next document id and query results in memory, which
    another process's writes make stale; both caches are dropped under the lock.
    """

    def __init__(self, storage: Storage, name: str, *, lock: FileLock, **kwargs: Any) -> None:
        kwargs.setdefault("cache_size", 0)
        super().__init__(storage, name, **kwargs)
        self._lock = lock

    def _update_table(self, updater: Any) -> None:
        with locked(self._lock):
            self._next_id = None
            self.clear_cache()
            # Under the lock the storage hands out a private, fresh parse (see
            # read_versioned), so a failing updater leaves nothing shared changed.
            super()._update_table(updater)

    def insert(self, document: Mapping[str, Any]) -> int:
        with locked(self._lock):
            self._next_id = None
            return super().insert(document)


class SafeTinyDB(TinyDB):
    """TinyDB over AtomicJSONStorage with a file lock; made by :func:`open_db`."""

    table_class = LockedTable

    def __init__(
        self,
        path: Path,
        lock: FileLock,
        recovered: Recovery | None,
        *,
        cache_reads: bool = False,
        check_first_read: bool = False,
    ) -> None:
        self.path = path
        self.lock = lock
        self._recovered = recovered
        super().__init__(
            path,
            storage=AtomicJSONStorage,
            lock=lock,
            cache_reads=cache_reads,
            check_first_read=check_first_read,
        )

    @property
    def json_storage(self) -> AtomicJSONStorage:
        return cast(AtomicJSONStorage, self.storage)

    @property
    def recovered(self) -> Recovery | None:
        """The corrupt file moved aside at open or at the first read, if any."""
        return self._recovered or self.json_storage.recovered

    @recovered.setter
    def recovered(self, recovery: Recovery | None) -> None:
        self._recovered = recovery

    def table(self, name: str, **kwargs: Any) -> Table:
        kwargs.setdefault("lock", self.lock)
        return super().table(name, **kwargs)

    def drop_table(self, name: str) -> None:
        with locked(self.lock):
            super().drop_table(name)

    def drop_tables(self) -> None:
        with locked(self.lock):
            self.storage.read()  # TinyDB writes {} unread: refuse to overwrite a corrupt file
            super().drop_tables()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[SafeTinyDB]:
        """Hold the lock across several reads and writes that must not interleave."""
        with locked(self.lock):
            yield self


@contextlib.contextmanager
def locked(lock: FileLock) -> Iterator[None]:
    try:
        lock.acquire(timeout=LOCK_TIMEOUT_S)
    except Timeout as exc:
        raise StoreBusyError(
            f"{lock.lock_file} has been held by another gpwatch process for over "
            f"{LOCK_TIMEOUT_S:.0f} s; try again when it has finished"
        ) from exc
    except OSError as exc:  # e.g. the file system went read-only
        raise StoreError(f"can not lock {lock.lock_file}: {exc.strerror or exc}") from exc
    try:
        yield
    finally:
        lock.release()


def _remove_stale_temp_files(path: Path) -> None:
    """Temp files left by a writer that was killed; only called with the lock held."""
    for stale in path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            stale.unlink()


def _move_aside(path: Path, reason: str) -> Recovery:
    stamp = time.strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.rename(path, aside)
    _fsync_dir(path.parent)
    return Recovery(path=path, aside=aside, reason=reason)


def open_db(
    path: Path, *, check: bool = True, large_later: bool = False, cache_reads: bool = False
) -> SafeTinyDB:
    """Open one data file with atomic writes, a file lock and corrupt-file recovery.

    A corrupt file is renamed aside (``NAME.corrupt-<timestamp>``) and reported
    on ``db.recovered``; a fresh empty file takes its place. ``check=False``
    leaves reading it to the first use (a 100 MB article cache need not be
    parsed to start the app): call :func:`recover_corrupt` when that read
    raises CorruptDataFile. ``large_later`` checks a file over
    CHECK_AT_OPEN_BYTES at its first read instead, moving it aside then if
    corrupt. ``cache_reads``: see :class:`AtomicJSONStorage`.
    """
    # Resolved, so a records.json that is a symlink is updated where it points
    # rather than replaced by a plain file.
    path = path.resolve()
    lock = FileLock(path.with_name(path.name + ".lock"), mode=FILE_MODE)
    recovered: Recovery | None = None
    check_first_read = False
    with locked(lock):
        _remove_stale_temp_files(path)
        if check and large_later:
            with contextlib.suppress(OSError):
                check_first_read = path.stat().st_size > CHECK_AT_OPEN_BYTES
        try:
            if check and not check_first_read:
                read_json_file(path)
        except CorruptDataFile as exc:
            recovered = _move_aside_or_fail(path, exc.reason)
        try:
            if path.exists():
                os.chmod(path, FILE_MODE)
        except OSError as exc:  # owned by another user
            raise StoreError(f"can not make {path} private (0600): {exc.strerror or exc}") from exc
    return SafeTinyDB(
        path, lock, recovered, cache_reads=cache_reads, check_first_read=check_first_read
    )


def _move_aside_or_fail(path: Path, reason: str) -> Recovery:
    try:
        return _move_aside(path, reason)
    except OSError as exc:
        raise StoreError(
            f"{path} is not valid gpwatch data ({reason}) and could not be "
            f"moved aside: {exc.strerror or exc}. Move it away by hand."
        ) from exc


def recover_corrupt(db: SafeTinyDB, error: CorruptDataFile) -> Recovery:
    """Move a file found corrupt on its first read aside, as open_db would have.

    Only for a file opened with ``check=False`` and not yet read: one that
    was read before and is corrupt now was damaged while gpwatch ran, and is
    left alone for the user to look at.
    """
    with locked(db.lock):
        recovery = _move_aside_or_fail(db.path, error.reason)
    db.recovered = recovery
    return recovery
