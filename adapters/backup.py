"""One-file backups of a data dir, and restoring one without ever leaving half a data dir.

The archive is JSON a person can read and a script can check::

    {"format": "gpwatch-backup", "version": 1, "created": "2025-01-31T09:00:00+00:00",
     "unreadable": [["records.json", "letters", 7], ...],
     "files": {"records.json": {"tables": {"letters": {"1": {...}}, ...}},
               "settings.json": {"text": "..."}, ...}}

What goes in: every table of every data file (records.json, workforce.json,
workforce-detail.json, feeds.json, news.json) as stored, document ids included (news links, undo and
chases refer to them), and, when present, the files the user edits by hand
(settings.json, topics.json, lmcs.json, lmc_areas.json) as their exact text.
The lock files, ``*.corrupt-*`` copies and earlier ``before-restore-*`` copies
are not data and stay out. An archive from before workforce-detail.json
existed restores it as empty (that data dir had no PCN or practice figures).

Deterministic, so that backup -> empty data dir -> restore -> backup gives the
same bytes: files, tables and ids are written in sorted order, documents as
stored, ASCII only, and ``created`` is the time of the backup *unless* the data
is exactly what the last restore wrote (``last-restore.json`` holds that
archive's digest): then it is that archive's ``created``. ``created`` therefore
means "when this data was captured", which stays true of restored data that
nobody has changed since.

Documents that no longer load (a hand edit, an older gpwatch) are backed up as
they are, never dropped, and listed under ``unreadable``; a restore accepts a
document that fails its model only when the archive declares it so. Anything
else that does not load is damage, and the whole archive is refused.

A restore checks the entire archive before it touches anything, then, holding
every data file's lock (in the order the rest of gpwatch takes them, so it
waits for a running refresh or edit instead of interleaving with it), copies
the files it is about to replace into ``before-restore-<timestamp>/`` in the
data dir (itself a data dir: ``gpwatch --data-dir`` that directory works) and
writes each file atomically. A crash part-way can leave some files restored
and some not; the kept copies are complete and fsynced before the first
replacement, so restoring again, or copying them back, recovers either way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.news.cache import ARTICLES, FEEDS, FEEDS_FILE, META, NEWS_FILE, SUMMARY
from adapters.news.models import Article, Feed
from adapters.news.topics import RULES_FILE
from adapters.records.lmcs import LMCS_FILE
from adapters.settings import SETTINGS_FILE
from adapters.store import (
    DIR_MODE,
    SafeTinyDB,
    StoreError,
    atomic_write_bytes,
    encode_tables,
    locked,
    read_json_file,
)
from adapters.validation import DuplicateKey, ValidationError, no_duplicate_keys
from adapters.workforce.detail import DETAIL_FILE, DetailStamp, DetailTable, detail_for
from adapters.workforce.series import FigureSet

if TYPE_CHECKING:
    from adapters.workspace import Workspace

FORMAT = "gpwatch-backup"
VERSION = 1
RESTORE_MARKER = "last-restore.json"
KEPT_PREFIX = "before-restore-"
# Files the user may edit by hand; gpwatch reads them but they hold no records.
# lmc_areas.json is named, not imported: its constant lives in a screen-side view module.
USER_FILES = (SETTINGS_FILE, RULES_FILE, LMCS_FILE, "lmc_areas.json")
TOP_LEVEL_KEYS = ("format", "version", "created", "unreadable", "files")
# Data files added after version 1 archives were first written: one missing from an
# archive is restored empty rather than refused as incomplete.
LATER_FILES = (DETAIL_FILE,)
MAX_PROBLEMS = 20

Validator = Callable[[dict[str, Any], int], object]


class BackupError(StoreError):
    """An archive that can not be written or restored; ``problems`` lists each reason."""

    def __init__(self, summary: str, problems: list[str] | None = None) -> None:
        self.summary = summary
        self.problems = problems or []
        shown = self.problems[:MAX_PROBLEMS]
        more = len(self.problems) - len(shown)
        lines = [summary, *(f"  {p}" for p in shown)]
        if more:
            lines.append(f"  ... and {more} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Archive:
    """A checked archive: what a restore will write, file by file."""

    created: str
    data: dict[str, dict[str, dict[str, dict[str, Any]]]]
    user_files: dict[str, str]
    unreadable: tuple[tuple[str, str, int], ...] = ()

    def counts(self) -> dict[str, int]:
        """Documents per table (meta tables left out), for telling the user what is in it."""
        return {
            table: len(docs)
            for tables in self.data.values()
            for table, docs in tables.items()
            if table != META
        }

    def body_digest(self) -> str:
        """The content without ``created``: equal digests mean the same data."""
        return hashlib.sha256(_encode(self, created="")).hexdigest()

    def encode(self) -> bytes:
        return _encode(self, created=self.created)


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did, for the command to tell the user."""

    archive: Archive
    kept: Path | None
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Layout:
    """Which data files a workspace has and how each table's documents are checked.

    Built from the workspace's own repositories, so a table added to a model
    is backed up and checked without this module changing; a table nobody
    registered is refused at restore (it would be written and never read).
    """

    databases: tuple[SafeTinyDB, ...]
    validators: dict[tuple[str, str], Validator]

    @property
    def file_names(self) -> tuple[str, ...]:
        return tuple(db.path.name for db in self.databases)


def layout(workspace: Workspace) -> Layout:
    from adapters.workspace import META_TABLE, RECORDS_FILE, WORKFORCE_FILE

    databases: dict[str, SafeTinyDB] = {}
    validators: dict[tuple[str, str], Validator] = {}
    for repository in workspace.repositories:
        # RecordRepository keeps its database and model private; a backup is the one
        # caller that needs every table's file and model, so it reads them here.
        db: SafeTinyDB = repository._db  # type: ignore[attr-defined]
        model = repository._model  # type: ignore[attr-defined]
        databases.setdefault(db.path.name, db)
        validators[(db.path.name, repository.table_name)] = _record_validator(model)
    # Records first, then the rest: the lock order seed_sample_once uses. PCN and
    # practice figures right after workforce.json: an import takes that lock then its own.
    records = databases.pop(RECORDS_FILE)
    detail = detail_for(workspace)
    ordered = [records, *databases.values(), detail.db, *workspace.news.databases]
    validators[(WORKFORCE_FILE, DetailStamp.TABLE)] = _record_validator(DetailStamp)
    # Imported figures are not among workspace.repositories (reset-sample has nothing to
    # do with them), so their table is named here: without it a data dir with any GPW
    # import could not be backed up ("table 'figure_sets' is not one this gpwatch knows").
    validators[(WORKFORCE_FILE, FigureSet.TABLE)] = _record_validator(FigureSet)
    validators[(DETAIL_FILE, DetailTable.TABLE)] = _record_validator(DetailTable)
    validators[(RECORDS_FILE, META_TABLE)] = _meta_validator
    validators[(FEEDS_FILE, FEEDS)] = _record_validator(Feed)
    validators[(FEEDS_FILE, META)] = _meta_validator
    validators[(FEEDS_FILE, SUMMARY)] = _summary_validator
    validators[(NEWS_FILE, ARTICLES)] = _record_validator(Article)
    validators[(NEWS_FILE, META)] = _meta_validator
    return Layout(tuple(ordered), validators)


def _record_validator(model: Any) -> Validator:
    def check(doc: dict[str, Any], doc_id: int) -> object:
        record = model.from_doc(doc, doc_id)
        # from_doc is lenient with some types (an article's title becomes str()); a
        # document that does not come back as itself would change on the next save.
        written = record.to_doc()
        if written != doc:
            changed = sorted(k for k in doc.keys() | written.keys() if doc.get(k) != written.get(k))
            raise ValidationError(changed[0], "is not stored the way gpwatch writes it")
        return record

    return check


def _summary_validator(doc: dict[str, Any], doc_id: int) -> object:
    """feeds.json's news summary (derived from news.json): checked like the articles it copies."""
    unknown = sorted(set(doc) - {"total", "unread", "sample", "newest"})
    if unknown:
        raise ValidationError(unknown[0], "is not part of a news summary")
    for key in ("total", "unread", "sample"):
        value = doc.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError(key, f"{value!r} is not a whole number, 0 or more")
    newest = doc.get("newest")
    if not isinstance(newest, list):
        raise ValidationError("newest", "must be a list of articles")
    check = _record_validator(Article)
    for item in newest:
        if not isinstance(item, dict) or isinstance(item.get("id"), bool):
            raise ValidationError("newest", "each entry must be an article with its id")
        values = dict(item)
        article_id = values.pop("id", None)
        if not isinstance(article_id, int) or article_id < 1:
            raise ValidationError("newest", f"{article_id!r} is not an article id")
        check(values, article_id)
    return doc


def _meta_validator(doc: dict[str, Any], doc_id: int) -> object:
    for key, value in doc.items():
        if key.startswith("next_"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValidationError(key, f"{value!r} is not a positive whole number")
        elif not (value is None or isinstance(value, bool | int | str)):
            raise ValidationError(key, "must be true, false, a number or text")
    return doc


# --------------------------------------------------------------------------- backup


def create_archive(workspace: Workspace, *, now: datetime | None = None) -> Archive:
    """Everything in the data dir, read under every data file's lock as one snapshot.

    Raises StoreError (e.g. CorruptDataFile, StoreBusyError) with a message for the user.
    """
    # A data dir from before feeds.json keeps feeds in news.json: finish that move first,
    # so an archive only ever holds today's layout.
    workspace.news.refresh_view(articles=False)
    plan = layout(workspace)
    data_dir = workspace.data_dir
    with _all_locked(plan.databases):
        data = {db.path.name: read_json_file(db.path) or {} for db in plan.databases}
        user_files = {}
        for name in USER_FILES:
            text = _read_user_file(data_dir / name)
            if text is not None:
                user_files[name] = text
        marker = _read_marker(data_dir)
    unreadable, problems = _check_documents(data, plan, declared=None)
    if problems:  # only shapes a data file can not have passed read_json_file with
        raise BackupError("the data dir could not be backed up:", problems)
    archive = Archive("", _sorted_data(data), dict(sorted(user_files.items())), unreadable)
    digest = archive.body_digest()
    if (
        marker is not None
        and marker.get("digest") == digest
        and isinstance(marker.get("created"), str)
    ):
        created = marker["created"]
    else:
        created = _iso(now or datetime.now(UTC))
    return Archive(created, archive.data, archive.user_files, archive.unreadable)


def _read_user_file(path: Path) -> str | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BackupError(f"can not read {path}: {exc.strerror or exc}") from exc
    # surrogateescape: a file that is not UTF-8 still comes back byte for byte.
    return raw.decode("utf-8", "surrogateescape")


def _read_marker(data_dir: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((data_dir / RESTORE_MARKER).read_bytes())
    except (OSError, ValueError):
        return None  # no restore yet, or a damaged marker: the backup just gets a new date
    return marker if isinstance(marker, dict) else None


def _sorted_data(
    data: Mapping[str, Mapping[str, Mapping[str, Any]]],
) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    return {
        name: {
            table: {k: docs[k] for k in sorted(docs, key=int)}
            for table, docs in sorted(tables.items())
        }
        for name, tables in sorted(data.items())
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _encode(archive: Archive, *, created: str) -> bytes:
    files: dict[str, Any] = {}
    for name in sorted([*archive.data, *archive.user_files]):
        if name in archive.data:
            files[name] = {"tables": archive.data[name]}
        else:
            files[name] = {"text": archive.user_files[name]}
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "created": created,
        "unreadable": [list(item) for item in archive.unreadable],
        "files": files,
    }
    # indent=1: readable and diffable without doubling the size of 100k articles.
    return (json.dumps(doc, ensure_ascii=True, indent=1) + "\n").encode("ascii")


# --------------------------------------------------------------------------- checking


def read_archive(payload: bytes, workspace: Workspace) -> Archive:
    """The archive in ``payload``, checked completely; BackupError lists every problem."""
    plan = layout(workspace)
    doc = _parse(payload)
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise BackupError("this is not a gpwatch backup: it is JSON but not an object")
    fmt = doc.get("format")
    if fmt != FORMAT:
        shown = "missing" if fmt is None else repr(fmt)
        raise BackupError(f'this is not a gpwatch backup (its "format" is {shown}, not {FORMAT!r})')
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise BackupError(f"the archive's version {version!r} is not a whole number")
    if version > VERSION:
        raise BackupError(
            f"this backup was made by a newer gpwatch (archive version {version}; this gpwatch "
            f"reads version {VERSION}): upgrade gpwatch to restore it"
        )
    if version < 1:
        raise BackupError(f"the archive's version {version} is not one gpwatch ever wrote")
    for key in doc:
        if key not in TOP_LEVEL_KEYS:
            problems.append(f"unknown key {key!r} at the top of the archive")
    created = doc.get("created")
    if not isinstance(created, str) or not _is_timestamp(created):
        problems.append(f"created: {created!r} is not a date and time with a time zone")
    declared, more = _check_unreadable_list(doc.get("unreadable", []))
    problems += more
    files = doc.get("files")
    if not isinstance(files, dict):
        raise BackupError(
            "the archive is not complete:", [*problems, "files: missing or not an object"]
        )
    data: dict[str, dict[str, dict[str, Any]]] = {}
    user_files: dict[str, str] = {}
    for name, entry in files.items():
        if name in plan.file_names:
            tables = entry.get("tables") if isinstance(entry, dict) else None
            if not isinstance(tables, dict) or set(entry) != {"tables"}:
                problems.append(f'{name}: must be {{"tables": {{...}}}}')
                continue
            data[name] = tables
        elif name in USER_FILES:
            text = entry.get("text") if isinstance(entry, dict) else None
            if not isinstance(text, str) or set(entry) != {"text"}:
                problems.append(f'{name}: must be {{"text": "..."}}')
                continue
            try:
                text.encode("utf-8", "surrogateescape")
            except UnicodeEncodeError:
                problems.append(f"{name}: its text can not be written as a file")
                continue
            user_files[name] = text
        else:
            problems.append(f"{name}: not a file gpwatch keeps in a data dir")
    for name in plan.file_names:
        if name not in files:
            if name in LATER_FILES:
                data[name] = {}  # an archive from before this file: it had none of its data
                continue
            problems.append(f"{name}: missing from the archive (it is incomplete)")
    _, doc_problems = _check_documents(data, plan, declared=declared)
    problems += doc_problems
    from adapters.workspace import META_TABLE, RECORDS_FILE

    if RECORDS_FILE in data and not data[RECORDS_FILE].get(META_TABLE):
        # Without it the next start would seed the sample records into the restored data.
        problems.append(f"{RECORDS_FILE}: no {META_TABLE!r} table (not written by gpwatch backup)")
    if problems:
        raise BackupError("the archive was refused; nothing was changed:", problems)
    found = tuple(sorted(declared))
    return Archive(created, _sorted_data(data), dict(sorted(user_files.items())), found)  # type: ignore[arg-type]


def _parse(payload: bytes) -> Any:
    if not payload.strip():
        raise BackupError("the archive is empty")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BackupError(
            f"this is not a gpwatch backup: not UTF-8 text at byte {exc.start}"
        ) from exc
    try:
        return json.loads(text, object_pairs_hook=no_duplicate_keys)
    except DuplicateKey as exc:
        raise BackupError(
            f"the key {exc.args[0]!r} appears twice in one object: the archive was edited "
            "or damaged, and which copy is right can not be told"
        ) from exc
    except json.JSONDecodeError as exc:
        # A string still open at the end, or a value expected where the text stops: the
        # file ends mid-document rather than holding something that is not JSON.
        if exc.msg.startswith("Unterminated string") or exc.pos >= len(text.rstrip()):
            raise BackupError(
                f"the archive ends early (line {exc.lineno}): it is truncated, e.g. an "
                "interrupted copy or a full disk when it was written"
            ) from exc
        raise BackupError(
            f"this is not a gpwatch backup: bad JSON at line {exc.lineno} column {exc.colno} "
            f"({exc.msg})"
        ) from exc
    except RecursionError as exc:
        raise BackupError("this is not a gpwatch backup: JSON nested too deeply") from exc


def _is_timestamp(value: str) -> bool:
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _check_unreadable_list(value: object) -> tuple[set[tuple[str, str, int]], list[str]]:
    if not isinstance(value, list):
        return set(), ["unreadable: must be a list"]
    declared: set[tuple[str, str, int]] = set()
    problems: list[str] = []
    for item in value:
        if (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[0], str)
            and isinstance(item[1], str)
            and type(item[2]) is int
        ):
            declared.add((item[0], item[1], item[2]))
        else:
            problems.append(f"unreadable: {item!r} is not [file, table, id]")
    return declared, problems


def _check_documents(
    data: Mapping[str, Mapping[str, Any]],
    plan: Layout,
    *,
    declared: set[tuple[str, str, int]] | None,
) -> tuple[tuple[tuple[str, str, int], ...], list[str]]:
    """Every table and document through its model.

    ``declared=None`` (a backup): documents that fail are collected as unreadable.
    Otherwise (a restore) a failing document not in ``declared`` is a problem.
    """
    unreadable: list[tuple[str, str, int]] = []
    problems: list[str] = []
    for name, tables in data.items():
        for table, docs in tables.items():
            where = f"{name}: table {table!r}"
            validator = plan.validators.get((name, table))
            if validator is None:
                problems.append(f"{where} is not one this gpwatch knows (from a newer version?)")
                continue
            if not isinstance(docs, dict):
                problems.append(f"{where} is not an object of documents")
                continue
            for key, doc in docs.items():
                if not (
                    key.isascii() and key.isdecimal() and str(int(key)) == key and int(key) > 0
                ):
                    problems.append(f"{where}: {key!r} is not a document id (1, 2, 3...)")
                    continue
                if not isinstance(doc, dict):
                    problems.append(f"{name} {table} #{key}: not an object")
                    continue
                try:
                    validator(doc, int(key))
                except (ValidationError, TypeError, ValueError, KeyError, AttributeError) as exc:
                    entry = (name, table, int(key))
                    if declared is None:
                        unreadable.append(entry)
                    elif entry not in declared:
                        problems.append(f"{name} {table} #{key}: {exc}")
    return tuple(sorted(unreadable)), problems


# --------------------------------------------------------------------------- restore


def restore_archive(
    workspace: Workspace, archive: Archive, *, source: str, now: datetime | None = None
) -> RestoreReport:
    """Replace the data dir's files with the archive's, keeping the old ones aside.

    ``archive`` comes from :func:`read_archive`, so it is already checked.
    """
    plan = layout(workspace)
    data_dir = workspace.data_dir
    moment = now or datetime.now(UTC)
    targets = [*plan.file_names, *USER_FILES]
    with _all_locked(plan.databases):
        present = [name for name in targets if (data_dir / name).exists()]
        kept = _keep(data_dir, present, moment) if present else None
        written: list[str] = []
        for db in plan.databases:
            atomic_write_bytes(db.path, encode_tables(archive.data[db.path.name]))
            written.append(db.path.name)
        removed: list[str] = []
        for name in USER_FILES:
            path = data_dir / name
            if name in archive.user_files:
                atomic_write_bytes(
                    path, archive.user_files[name].encode("utf-8", "surrogateescape")
                )
                written.append(name)
            elif path.exists():
                # Restoring means the data dir as it was backed up: a file it did not
                # have then would otherwise go on changing what the restored data means.
                try:
                    path.unlink()
                except OSError as exc:
                    raise BackupError(f"can not remove {path}: {exc.strerror or exc}") from exc
                removed.append(name)
        marker = {
            "archive": source,
            "created": archive.created,
            "digest": archive.body_digest(),
            "restored": _iso(moment),
            "kept": str(kept) if kept else None,
        }
        atomic_write_bytes(
            data_dir / RESTORE_MARKER, (json.dumps(marker, indent=1) + "\n").encode("utf-8")
        )
    return RestoreReport(archive, kept, written, removed)


def _keep(data_dir: Path, names: list[str], moment: datetime) -> Path:
    """Copy the files a restore replaces into a fresh before-restore-<stamp>/ directory."""
    stamp = moment.astimezone().strftime("%Y%m%dT%H%M%S")
    kept = data_dir / f"{KEPT_PREFIX}{stamp}"
    n = 1
    while True:
        try:
            kept.mkdir(mode=DIR_MODE)
            break
        except FileExistsError:
            n += 1
            kept = data_dir / f"{KEPT_PREFIX}{stamp}-{n}"
        except OSError as exc:
            raise BackupError(
                f"can not keep the current data in {kept}: {exc.strerror or exc}; nothing was "
                "changed"
            ) from exc
    for name in names:
        try:
            payload = (data_dir / name).read_bytes()
        except OSError as exc:
            raise BackupError(
                f"can not copy {data_dir / name} aside: {exc.strerror or exc}; nothing was changed"
            ) from exc
        try:
            atomic_write_bytes(kept / name, payload)
        except StoreError as exc:
            raise BackupError(f"{exc}; the data dir was not changed") from exc
    return kept


@contextlib.contextmanager
def _all_locked(databases: tuple[SafeTinyDB, ...]) -> Iterator[None]:
    """Every data file's lock, always in the same order, so two processes can not deadlock."""
    with contextlib.ExitStack() as stack:
        for db in databases:
            stack.enter_context(locked(db.lock))
        yield
